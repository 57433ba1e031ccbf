"""Deterministic UPS-shaped prices for the sandbox: a zone (domestic or international) and the
chargeable weight (the greater of actual and dimensional weight, volume in cm³ / 5000) set the
price; fuel is an itemized surcharge, declared value a service-option charge, and the account's
negotiated rate is a fixed discount. The tariff is in US dollars, quoted in the origin country's
billing currency (see ``billing``). Nothing here is a real UPS tariff."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from carriergate.sandbox.billing import billing_currency, convert, local

CENT = Decimal("0.01")
KG_PER_LB = Decimal("0.45359237")
CM_PER_IN = Decimal("2.54")
DIM_DIVISOR = Decimal(5000)
FUEL_RATE = Decimal("0.15")
NEGOTIATED = Decimal("0.90")
#: Declared value: the first 100 USD are free, then this much (USD) per started 100 USD.
DECLARED_VALUE_STEP = Decimal("1.05")
#: Taxes on the transport (returned with TaxInformationIndicator), by origin: (UPS tax type, rate).
TAXES = {"CA": ("HST", Decimal("0.13")), "GB": ("VAT", Decimal("0.20")), "FR": ("VAT", Decimal("0.20")),
         "DE": ("VAT", Decimal("0.19"))}  # fmt: skip

#: service code -> (name, base, per chargeable kg, business days), by the kind of lane. UPS serves
#: only some lanes, each with its own services (as its per-origin service tables say): Ground, 3 Day
#: Select and the Air services within the United States; Standard, Express Saver and Express within
#: Canada, Mexico and Europe; Standard across the US, Canadian and Mexican borders besides the
#: Worldwide services; the Worldwide services between other countries. No domestic service within
#: China or any other country not listed, none to or from the US-embargoed countries.
DOMESTIC = {"03": ("Ground", "8.50", "1.10", 4), "12": ("3 Day Select", "14.00", "1.90", 3),
            "02": ("2nd Day Air", "19.00", "2.60", 2), "01": ("Next Day Air", "31.00", "3.80", 1)}  # fmt: skip
STANDARD_DOMESTIC = {"11": ("Standard", "9.00", "1.20", 2), "65": ("Express Saver", "21.00", "2.90", 1),
                     "07": ("Express", "27.00", "3.40", 1)}  # fmt: skip
INTERNATIONAL = {"08": ("Worldwide Expedited", "48.00", "9.50", 5), "65": ("Worldwide Saver", "55.00", "11.00", 3),
                 "07": ("Worldwide Express", "61.00", "12.40", 2)}  # fmt: skip
TRANSBORDER = {"11": ("Standard", "18.00", "3.20", 4), **INTERNATIONAL}
#: Countries with UPS domestic service on the Standard / Express Saver / Express table.
STANDARD_COUNTRIES = frozenset({"CA", "MX", "GB", "CH", "NO", "PL", "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE",
                                "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PT",
                                "RO", "SE", "SI", "SK"})  # fmt: skip
NORTH_AMERICA = frozenset({"US", "PR", "CA", "MX"})
#: Countries UPS does not serve at all (US embargoes).
UNSERVED = frozenset({"CU", "IR", "KP", "SY"})
NO_SERVICE = "The requested service is unavailable between the selected locations."


def dec(value: Any, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(default)


def money(amount: Decimal, currency: str) -> dict[str, str]:
    return {"CurrencyCode": currency, "MonetaryValue": f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):.2f}"}


def _kg(node: Any) -> Decimal:
    weight = node.get("PackageWeight", {}) if isinstance(node, dict) else {}
    value = dec(weight.get("Weight"))
    unit = str(weight.get("UnitOfMeasurement", {}).get("Code", "KGS")).upper()
    return value * KG_PER_LB if unit.startswith("LB") else value


def _dimensional_kg(node: Any) -> Decimal:
    dims = node.get("Dimensions") if isinstance(node, dict) else None
    if not isinstance(dims, dict):
        return Decimal(0)
    factor = CM_PER_IN if str(dims.get("UnitOfMeasurement", {}).get("Code", "CM")).upper() == "IN" else Decimal(1)
    volume = dec(dims.get("Length")) * dec(dims.get("Width")) * dec(dims.get("Height")) * factor**3
    return volume / DIM_DIVISOR


def chargeable_kg(package: Any) -> Decimal:
    """The billed weight of one package, rounded up to half a kilogram."""
    weight = max(_kg(package), _dimensional_kg(package), Decimal("0.5"))
    return (weight * 2).to_integral_value(rounding=ROUND_CEILING) / 2


def declared_usd(package: Any) -> Decimal:
    """The package's declared value, in US dollars."""
    options = package.get("PackageServiceOptions", {}) if isinstance(package, dict) else {}
    value = options.get("DeclaredValue") or {}
    return convert(dec(value.get("MonetaryValue")), str(value.get("CurrencyCode") or "USD"), "USD")


@dataclass(frozen=True)
class Lane:
    origin: str
    destination: str

    @property
    def international(self) -> bool:
        return self.origin != self.destination

    @property
    def services(self) -> dict[str, tuple[str, str, str, int]]:
        """The services UPS offers on this lane; empty where it offers none."""
        if {self.origin, self.destination} & UNSERVED:
            return {}
        if not self.international:
            if self.origin == "US":
                return DOMESTIC
            return STANDARD_DOMESTIC if self.origin in STANDARD_COUNTRIES else {}
        if {self.origin, self.destination} <= NORTH_AMERICA:
            return TRANSBORDER
        return INTERNATIONAL

    @property
    def currency(self) -> str:
        return billing_currency(self.origin)


def rated_shipment(lane: Lane, code: str, packages: list[Any], *, pickup: date | None = None,
                   taxes: bool = False) -> dict[str, Any]:
    """One RatedShipment (also the shape of ShipmentCharges' parts) for ``code`` on ``lane``; with
    ``taxes`` (TaxInformationIndicator), the origin's tax on the negotiated rate, as UPS gives it when
    both are asked for."""
    name, base_price, per_kg, days = lane.services[code]
    cur = lane.currency
    rated_packages, base_total, fuel_total, options_total, billed = [], Decimal(0), Decimal(0), Decimal(0), Decimal(0)
    for package in packages:
        kg = chargeable_kg(package)
        base = local(dec(base_price) + dec(per_kg) * kg, cur).quantize(CENT)
        fuel = (base * FUEL_RATE).quantize(CENT)
        steps = (max(declared_usd(package) - 100, Decimal(0)) / 100).to_integral_value(rounding=ROUND_CEILING)
        options = local(steps * DECLARED_VALUE_STEP, cur).quantize(CENT)
        base_total, fuel_total, options_total, billed = base_total + base, fuel_total + fuel, \
            options_total + options, billed + kg
        rated_packages.append({
            "BaseServiceCharge": money(base, cur), "TransportationCharges": money(base + fuel, cur),
            "ServiceOptionsCharges": money(options, cur), "TotalCharges": money(base + fuel + options, cur),
            "Weight": f"{_kg(package):.1f}",
            "BillingWeight": {"UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"}, "Weight": f"{kg:.1f}"},
        })
    published = base_total + fuel_total + options_total
    rated: dict[str, Any] = {
        "Service": {"Code": code, "Description": name},
        "BillingWeight": {"UnitOfMeasurement": {"Code": "KGS", "Description": "Kilograms"}, "Weight": f"{billed:.1f}"},
        "TransportationCharges": money(base_total + fuel_total, cur),
        "BaseServiceCharge": money(base_total, cur),
        "ItemizedCharges": [{"Code": "375", "Description": "FUEL SURCHARGE", **money(fuel_total, cur)}],
        "ServiceOptionsCharges": money(options_total, cur),
        "TotalCharges": money(published, cur),
        "NegotiatedRateCharges": negotiated(published * NEGOTIATED, cur, TAXES.get(lane.origin) if taxes else None),
        "RatedPackage": rated_packages,
        "GuaranteedDelivery": {"BusinessDaysInTransit": str(days)},
    }
    if pickup is not None:
        arrival = business_days_after(pickup, days)
        rated["TimeInTransit"] = {"PickupDate": pickup.strftime("%Y%m%d"), "ServiceSummary": {
            "Service": {"Description": name},
            "EstimatedArrival": {"Arrival": {"Date": arrival.strftime("%Y%m%d"), "Time": "230000"},
                                 "BusinessDaysInTransit": str(days), "Pickup": {"Date": pickup.strftime("%Y%m%d")},
                                 "DayOfWeek": arrival.strftime("%a").upper()}}}
    return rated


def business_days_after(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current


def negotiated(amount: Decimal, currency: str, tax: tuple[str, Decimal] | None) -> dict[str, Any]:
    total = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    charges: dict[str, Any] = {"TotalCharge": money(total, currency)}
    if tax is not None:
        kind, rate = tax
        value = (total * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        charges["TaxCharges"] = [{"Type": kind, "MonetaryValue": f"{value:.2f}"}]
        charges["TotalChargesWithTaxes"] = money(total + value, currency)
    return charges
