"""The 4PX emulator's deterministic tables: logistics products with their prices, and the scans a
sandbox parcel goes through (4PX's businessLinkCode values, as its tracking data dictionary names
them in public client code).

Prices are in CNY (4PX's ``lump_sum_fee``): a first-100-g charge plus a charge per further 100 g,
by destination zone, with a zone factor; written from nothing but this table, so a test can compute
every figure by hand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    first: Decimal  # CNY for the first 100 g
    per_100g: Decimal  # CNY for each further 100 g (or part)
    days: tuple[int, int]


PRODUCTS: dict[str, Product] = {
    "PX": Product("PX", "4PX Sandbox Economy", Decimal("18.00"), Decimal("6.50"), (10, 15)),
    "PY": Product("PY", "4PX Sandbox Standard", Decimal("25.00"), Decimal("8.20"), (7, 12)),
    "F3": Product("F3", "4PX Sandbox Express", Decimal("60.00"), Decimal("12.00"), (3, 5)),
}
#: Destination zone factors (percent); a country not named is zone "other".
ZONES: dict[str, int] = {"US": 100, "CA": 110, "GB": 105, "DE": 105, "FR": 105, "AU": 115, "JP": 80}
OTHER_ZONE = 130


def price(product: Product, country: str, grams: int) -> Decimal:
    """The fee for ``grams`` to ``country``: (first + per_100g x further 100-g steps) x zone factor."""
    steps = max(math.ceil(grams / 100) - 1, 0)
    factor = Decimal(ZONES.get(country, OTHER_ZONE)) / 100
    return ((product.first + product.per_100g * steps) * factor).quantize(Decimal("0.01"))


#: The scans of a sandbox journey, one more revealed per tracking query.
SCANS: list[tuple[str, str, str]] = [
    ("FPX_L_RPIF", "Parcel information received", "Shenzhen, CN"),
    ("FPX_C_SPLS", "Shipment picked up", "Shenzhen, CN"),
    ("FPX_C_AAF", "Shipment arrived at facility", "Shatian, Dongguan, CN"),
    ("FPX_C_ADFF", "Depart from facility to service provider", "Shatian, Dongguan, CN"),
    ("FPX_D_SD", "Out for delivery", "Los Angeles, US"),
    ("FPX_S_OK", "Delivered", "Los Angeles, US"),
]
