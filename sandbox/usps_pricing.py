"""The USPS emulator's prices: a small deterministic table, written in US dollars, for the domestic
mail classes of domestic-prices.yaml and the international ones of international-labels.yaml.

Zone: from the distance between the first three digits of the origin and destination ZIP Codes
(1 to 8, as USPS zones run). Price: the class's base plus a per-pound and a per-zone step, on the
greater of the actual and the dimensional weight (cubic inches / 166, rounded up to the pound).
Insurance (extra services 930/931): 2.75 USD per 100 USD of value, at least 2.75.

International prices: the four classes of International Prices 3.0 (Global Express Guaranteed to a
few countries only, First-Class Package International Service up to 4 lb), priced by the class's
base, a per-pound step on the billed weight and a step per price group of the destination country
(a small table; every other country is one group). Nothing here is a real USPS tariff.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
DIM_DIVISOR = Decimal(166)


@dataclass(frozen=True)
class MailClass:
    code: str
    name: str
    sku: str
    base: Decimal
    per_lb: Decimal
    per_zone: Decimal
    days: int


DOMESTIC = {c.code: c for c in (
    MailClass("USPS_GROUND_ADVANTAGE", "USPS Ground Advantage", "DUXP0XXXXC07200", Decimal("5.40"), Decimal("0.85"),
              Decimal("0.45"), 5),
    MailClass("PRIORITY_MAIL", "Priority Mail", "DPXX0XXXXC07200", Decimal("8.70"), Decimal("1.30"),
              Decimal("0.70"), 3),
    MailClass("PRIORITY_MAIL_EXPRESS", "Priority Mail Express", "DEXX0XXXXC07200", Decimal("28.75"), Decimal("2.60"),
              Decimal("1.50"), 1),
)}
INTERNATIONAL = {c.code: c for c in (
    MailClass("FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE", "First-Class Package International Service",
              "IFXX0XXXXB12230", Decimal("16.50"), Decimal("4.10"), Decimal(0), 14),
    MailClass("PRIORITY_MAIL_INTERNATIONAL", "Priority Mail International", "IPXX0XXXXB12230", Decimal("44.20"),
              Decimal("5.30"), Decimal(0), 8),
    MailClass("PRIORITY_MAIL_EXPRESS_INTERNATIONAL", "Priority Mail Express International", "IEXX0XXXXB12230",
              Decimal("62.90"), Decimal("6.80"), Decimal(0), 5),
)}
#: The return services, priced as their outbound class (pay on use).
RETURNS = {f"{code}_RETURN_SERVICE": MailClass(f"{code}_RETURN_SERVICE", f"{c.name} Return Service", c.sku, c.base,
                                                c.per_lb, c.per_zone, c.days) for code, c in DOMESTIC.items()}
INSURANCE_SERVICES = {930: "Insurance <= $500", 931: "Insurance > $500"}


def zone(origin: str, destination: str) -> int:
    try:
        distance = abs(int(origin[:3]) - int(destination[:3]))
    except ValueError:
        return 8
    return min(8, 1 + distance // 120)


def billed_pounds(body: dict[str, Any]) -> Decimal:
    """The greater of the actual and the dimensional weight, rounded up to the pound."""
    weight = Decimal(str(body.get("weight") or 0))
    cubic = Decimal(1)
    for key in ("length", "width", "height"):
        cubic *= Decimal(str(body.get(key) or 0))
    dim = cubic / DIM_DIVISOR
    return max(weight, dim, Decimal(1)).to_integral_value(rounding=ROUND_CEILING)


def postage(mail_class: MailClass, pounds: Decimal, zone_number: int) -> Decimal:
    price = mail_class.base + mail_class.per_lb * (pounds - 1) + mail_class.per_zone * (zone_number - 1)
    return price.quantize(CENT, rounding=ROUND_HALF_UP)


def insurance(value: Decimal) -> Decimal:
    hundreds = (value / 100).to_integral_value(rounding=ROUND_CEILING)
    return max(Decimal("2.75"), Decimal("2.75") * hundreds).quantize(CENT)


# -- international prices (international-prices/v3/total-rates/search) ------------------------------
#: Global Express Guaranteed: priced by international prices, never labelled by this emulator.
GXG = MailClass("GLOBAL_EXPRESS_GUARANTEED", "Global Express Guaranteed", "IGXX0XXXXB12230", Decimal("98.40"),
                Decimal("9.10"), Decimal(0), 3)
#: Every class international prices quote, with the price each adds per price group above the first.
INTERNATIONAL_PRICED = {**INTERNATIONAL, GXG.code: GXG}
GROUP_STEP = {"FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE": Decimal("1.85"), "PRIORITY_MAIL_INTERNATIONAL":
              Decimal("3.40"), "PRIORITY_MAIL_EXPRESS_INTERNATIONAL": Decimal("4.25"), GXG.code: Decimal("6.50")}
#: A few destinations' price groups (USPS prices by country group, 1 to 20); any other is group 9.
PRICE_GROUPS = {"CA": 1, "MX": 2, "GB": 5, "DE": 5, "FR": 5, "NL": 5, "JP": 3, "AU": 4, "CN": 3, "BR": 7}
OTHER_GROUP = 9
#: The countries Global Express Guaranteed serves here (a small set: it is not priced elsewhere).
GXG_COUNTRIES = frozenset({"CA", "GB", "DE", "FR", "JP", "AU"})
#: First-Class Package International Service takes at most 4 lb (USPS's published limit).
FIRST_CLASS_MAX_POUNDS = Decimal(4)
#: The flat-rate containers priced beside a Priority Mail International single piece, like USPS does.
FLAT_RATE = ("Flat Rate Envelope", "IPFE0XXXXB12230", Decimal("32.10"))


def price_group(country: str) -> int:
    return PRICE_GROUPS.get(country.upper(), OTHER_GROUP)


def international_classes(country: str, pounds: Decimal) -> list[MailClass]:
    """The classes that serve ``country`` for a parcel of ``pounds`` (actual weight)."""
    classes = [c for code, c in INTERNATIONAL_PRICED.items()
               if not (code == GXG.code and country.upper() not in GXG_COUNTRIES)]
    if pounds > FIRST_CLASS_MAX_POUNDS:
        classes = [c for c in classes if c.code != "FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE"]
    return classes


def international_postage(mail_class: MailClass, pounds: Decimal, group: int) -> Decimal:
    price = mail_class.base + mail_class.per_lb * (pounds - 1) + GROUP_STEP[mail_class.code] * (group - 1)
    return price.quantize(CENT, rounding=ROUND_HALF_UP)


class PriceRefused(Exception):
    """A price request USPS would answer with a 400: ``detail`` and the ``parameter`` at fault."""

    def __init__(self, detail: str, parameter: str) -> None:
        super().__init__(detail)
        self.detail, self.parameter = detail, parameter


MAIL_CLASS_ENUM = (*INTERNATIONAL_PRICED, "ALL")


def _option(mail_class: MailClass, price: Decimal, pounds: Decimal, group: int, price_type: str, *,
            description: str, sku: str) -> dict[str, Any]:
    rate = {"description": description, "priceType": price_type, "price": float(price), "weight": float(pounds),
            "dimWeight": 0.0, "fees": [], "startDate": "2026-01-18", "endDate": "", "mailClass": mail_class.code,
            "zone": f"{group:02d}", "SKU": sku}
    return {"totalBasePrice": float(price), "rates": [rate]}


def international_rate_options(body: dict[str, Any]) -> dict[str, Any]:
    """The ``rateOptions`` answer of an international total-rates search, or PriceRefused."""
    country = str(body.get("destinationCountryCode") or "").upper()
    if len(country) != 2 or not country.isalpha() or country == "US":
        raise PriceRefused("destinationCountryCode must be a two-letter country code other than US",
                           "destinationCountryCode")
    origin = str(body.get("originZIPCode") or "")
    if len(origin) != 5 or not origin.isdigit():
        raise PriceRefused("originZIPCode must be a 5-digit ZIP Code", "originZIPCode")
    wanted = body.get("mailClass")
    if wanted not in MAIL_CLASS_ENUM:
        raise PriceRefused(f"mailClass must be one of {', '.join(MAIL_CLASS_ENUM)}", "mailClass")
    weight = Decimal(str(body.get("weight") or 0))
    if weight <= 0:
        raise PriceRefused("weight must be greater than 0", "weight")
    pounds, group = billed_pounds(body), price_group(country)
    price_type = str(body.get("priceType") or "RETAIL")
    classes = [c for c in international_classes(country, weight) if wanted in ("ALL", c.code)]
    options: list[dict[str, Any]] = []
    for mail_class in classes:
        price = international_postage(mail_class, pounds, group)
        options.append(_option(mail_class, price, pounds, group, price_type, sku=mail_class.sku,
                               description=f"{mail_class.name} ISC Single-piece"))
        if mail_class.code == "PRIORITY_MAIL_INTERNATIONAL":
            container, sku, flat = FLAT_RATE
            options.append(_option(mail_class, flat, pounds, group, price_type, sku=sku,
                                   description=f"{mail_class.name} ISC {container}"))
    codes = body.get("extraServices") or []
    value = Decimal(str(body.get("itemValue") or 0))
    for option in options:
        extras = [{"extraService": str(code), "name": INSURANCE_SERVICES[code], "priceType": price_type,
                   "price": float(insurance(value)), "warnings": [], "SKU": f"IXIP0XXXXCX{code}"}
                  for code in codes if code in INSURANCE_SERVICES and value > 0]
        if extras:
            option["extraServices"] = extras
            option["totalPrice"] = float(Decimal(str(option["totalBasePrice"])) + sum(
                Decimal(str(e["price"])) for e in extras))
    return {"rateOptions": options}
