"""The USPS emulator's prices: a small deterministic table, written in US dollars, for the domestic
mail classes of domestic-prices.yaml and the international ones of international-labels.yaml.

Zone: from the distance between the first three digits of the origin and destination ZIP Codes
(1 to 8, as USPS zones run). Price: the class's base plus a per-pound and a per-zone step, on the
greater of the actual and the dimensional weight (cubic inches / 166, rounded up to the pound).
Insurance (extra services 930/931): 2.75 USD per 100 USD of value, at least 2.75. Nothing here is a
real USPS tariff.
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
