"""Deterministic FedEx-like prices for the sandbox emulator (not FedEx's tariff).

Price = (base + per-kg rate x chargeable weight) x zone factor, LIST; the ACCOUNT rate is 15% off.
Chargeable weight per package is the larger of the actual weight and the dimensional weight
(L x W x H in cm / 5000), rounded up to 0.5 kg. A fuel surcharge of 12.5% and, for a declared value,
an insured-value charge (1% of the value, at least 2.50) are added. The tariff is in US dollars,
quoted in the shipper country's billing currency (see ``billing``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from carriergate.sandbox.billing import billing_currency, convert, local

DIM_DIVISOR = Decimal(5000)
KG_PER_LB = Decimal("0.45359237")
CM_PER_IN = Decimal("2.54")
FUEL_RATE = Decimal("0.125")
ACCOUNT_DISCOUNT = Decimal("0.85")
CENT = Decimal("0.01")
NORTH_AMERICA = frozenset({"US", "CA", "MX"})


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    base: Decimal
    per_kg: Decimal
    days: int
    international: bool


SERVICES = [
    Service("FEDEX_GROUND", "FedEx Ground", Decimal("8.50"), Decimal("1.10"), 5, False),
    Service("FEDEX_2_DAY", "FedEx 2Day", Decimal("18.00"), Decimal("2.60"), 2, False),
    Service("STANDARD_OVERNIGHT", "FedEx Standard Overnight", Decimal("32.00"), Decimal("4.10"), 1, False),
    Service("PRIORITY_OVERNIGHT", "FedEx Priority Overnight", Decimal("38.00"), Decimal("4.80"), 1, False),
    Service("FEDEX_INTERNATIONAL_CONNECT_PLUS", "FedEx International Connect Plus", Decimal("38.00"),
            Decimal("7.80"), 6, True),
    Service("INTERNATIONAL_ECONOMY", "FedEx International Economy", Decimal("45.00"), Decimal("9.50"), 5, True),
    Service("FEDEX_INTERNATIONAL_PRIORITY", "FedEx International Priority", Decimal("60.00"), Decimal("12.50"), 3,
            True),
]
BY_CODE = {s.code: s for s in SERVICES}


def _dec(value: Any, default: str = "0") -> Decimal:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return Decimal(default)


def zone(origin: dict[str, Any], destination: dict[str, Any]) -> int:
    """2-8 within a country (by the distance of the postal codes' first digits), 9-11 across borders."""
    o_country, d_country = origin.get("countryCode"), destination.get("countryCode")
    if o_country == d_country:
        o_digit = next((int(c) for c in str(origin.get("postalCode", "")) if c.isdigit()), 0)
        d_digit = next((int(c) for c in str(destination.get("postalCode", "")) if c.isdigit()), 0)
        return 2 + min(6, abs(o_digit - d_digit))
    return 9 if {o_country, d_country} <= NORTH_AMERICA else 11


def chargeable_kg(package: dict[str, Any]) -> Decimal:
    weight = package.get("weight") or {}
    kg = _dec(weight.get("value"), "1")
    if str(weight.get("units", "KG")).upper() == "LB":
        kg *= KG_PER_LB
    dims = package.get("dimensions") or {}
    if dims:
        factor = CM_PER_IN if str(dims.get("units", "CM")).upper() == "IN" else Decimal(1)
        volume = Decimal(1)
        for side in ("length", "width", "height"):
            volume *= _dec(dims.get(side), "1") * factor
        kg = max(kg, volume / DIM_DIVISOR)
    return Decimal(math.ceil(kg * 2)) / 2


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Price:
    service: Service
    zone: int
    billed_kg: Decimal
    base: Decimal
    fuel: Decimal
    insurance: Decimal
    currency: str = "USD"

    @property
    def total(self) -> Decimal:
        return self.base + self.fuel + self.insurance


def price(service: Service, shipment: dict[str, Any], *, account: bool) -> Price:
    packages = [p for p in shipment.get("requestedPackageLineItems") or [] if isinstance(p, dict)]
    billed = sum((chargeable_kg(p) for p in packages), Decimal(0))
    origin = (shipment.get("shipper") or {}).get("address") or {}
    currency = billing_currency(origin.get("countryCode"))
    lane = zone(origin,
                ((shipment.get("recipient") or (shipment.get("recipients") or [{}])[0]) or {}).get("address") or {})
    factor = 1 + (lane - 2) * Decimal("0.08")
    base = local((service.base + service.per_kg * billed) * factor, currency)
    if account:
        base *= ACCOUNT_DISCOUNT
    base = money(base)
    declared = sum((convert(_dec((p.get("declaredValue") or {}).get("amount")),
                            str((p.get("declaredValue") or {}).get("currency") or "USD"), currency) for p in packages),
                   Decimal(0))
    insurance = money(max(local(Decimal("2.50"), currency), declared / 100)) if declared > 0 else Decimal(0)
    return Price(service, lane, billed, base, money(base * FUEL_RATE), insurance, currency)


#: Where FedEx carries parcels within one country: FedEx Ground and the US/Canadian express services
#: serve the United States and Canada only (no FedEx domestic service in China, for one).
DOMESTIC_COUNTRIES = frozenset({"US", "CA"})
#: Countries FedEx does not serve at all (US embargoes).
UNSERVED = frozenset({"CU", "IR", "KP", "SY"})
#: FedEx's answer to a rate request for a lane it has no service on.
NO_SERVICE = ("RATE.LOCATION.NOSERVICE", "FedEx does not provide service between the origin and the destination.")


def services_for(shipment: dict[str, Any]) -> list[Service]:
    """The services FedEx offers from the shipper's country to the recipient's ([] where none)."""
    origin = ((shipment.get("shipper") or {}).get("address") or {}).get("countryCode")
    recipient = shipment.get("recipient") or (shipment.get("recipients") or [{}])[0] or {}
    destination = (recipient.get("address") or {}).get("countryCode")
    if {origin, destination} & UNSERVED:
        return []
    international = origin != destination
    if not international and origin not in DOMESTIC_COUNTRIES:
        return []
    return [s for s in SERVICES if s.international == international]
