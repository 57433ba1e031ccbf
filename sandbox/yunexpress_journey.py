"""The YunExpress emulator's prices and parcel journeys, written from YunExpress's documented answers.

Prices: a small deterministic table per logistics product, in RMB as YunExpress quotes: a first-
kilogram price and a price per further 0.1 kg started, on the chargeable weight (the greater of the
actual weight and L x W x H / 8000 per piece, in kg and cm). Journeys: the track-node codes YunExpress
pushes, one more revealed per track query, with the parcel's ``package_status`` following them
(F forecast received, T in transit, D delivered; C once the order is cancelled).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from carriergate.sandbox.journey import stamp


@dataclass(frozen=True)
class Product:
    code: str
    name: str
    first_kg: Decimal
    per_100g: Decimal
    days: str


#: Products the sandbox sells to every destination but China (a domestic trial answers no product).
PRODUCTS: dict[str, Product] = {p.code: p for p in (
    Product("THZXR", "云途全球专线挂号（特惠带电）", Decimal("38.00"), Decimal("5.80"), "7-12"),
    Product("BKZXR", "云途全球专线挂号（标快）", Decimal("45.00"), Decimal("7.20"), "5-8"),
)}
KG_PER = {"KG": Decimal(1), "G": Decimal("0.001"), "LBS": Decimal("0.45359237")}
CM_PER = {"CM": Decimal(1), "INCH": Decimal("2.54")}
VOLUME_DIVISOR = Decimal(8000)


def chargeable_kg(weight: Decimal, weight_unit: str, pieces: int, size: tuple[Decimal, Decimal, Decimal] | None,
                  size_unit: str) -> Decimal:
    actual = weight * KG_PER[weight_unit]
    if size is None:
        return actual
    length, width, height = (side * CM_PER[size_unit] for side in size)
    return max(actual, length * width * height / VOLUME_DIVISOR * max(pieces, 1))


def price(product: Product, kg: Decimal) -> Decimal:
    extra = max(kg - 1, Decimal(0))
    steps = (extra / Decimal("0.1")).to_integral_value(rounding=ROUND_CEILING)
    return (product.first_kg + product.per_100g * steps).quantize(Decimal("0.01"))


def trial_lines(country: str, kg: Decimal) -> list[dict[str, Any]]:
    if country == "CN":
        return []
    lines = []
    for product in PRODUCTS.values():
        amount = price(product, kg)
        lines.append({"product_code": product.code, "product_name": product.name, "fee_name": "E1",
                      "calculate_amount": float(amount), "currency": "RMB", "interval_day": product.days,
                      "price_name": f"{product.name}A价", "price_type": "MK", "convert_currency": "RMB", "rate": 1,
                      "convert_amount": float(amount)})
    return lines


#: (track_node_code, description, location, package_status once reached).
STEPS: tuple[tuple[str, str, str, str], ...] = (
    ("ORDER_CREATION", "Shipment information received", "", "F"),
    ("FIRST_MILE_ARRIVE", "Arrived at the origin facility", "Shenzhen, Guangdong, CN", "T"),
    ("INTERNATIONAL_SHIP", "Departed from the origin country", "Shenzhen, CN", "T"),
    ("MAIN_LINE_ARRIVE", "Arrived in the destination country", "Los Angeles, US", "T"),
    ("CUSTOMS_CLEARANCE", "Customs clearance completed", "Los Angeles, US", "T"),
    ("LAST_MILE_DELIVERY", "Out for delivery", "Los Angeles, CA, US", "T"),
    ("DELIVERED", "Delivered", "Los Angeles, CA, US", "D"),
)
STEP_GAP = timedelta(hours=9)


@dataclass
class Order:
    """One created order and how far its journey has been revealed."""

    waybill: str
    reference: str
    product: str
    body: dict[str, Any]
    created: datetime
    revealed: int = 0
    cancelled: bool = False
    events: list[dict[str, Any]] = field(default_factory=list)

    def reveal(self, now: datetime) -> None:
        """One more step of the journey (none after delivery or once cancelled)."""
        if self.cancelled or self.revealed >= len(STEPS):
            return
        index = self.revealed
        code, text, place, _ = STEPS[index]
        when = stamp(self.created, STEP_GAP, index, len(STEPS), now).astimezone(UTC)
        country = place.rsplit(", ", 1)[-1] if place else ""
        iso = when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        self.events.append({"process_time": iso, "process_utc_time": iso, "process_content": text,
                            "process_country": country, "process_location": place, "track_node_code": code,
                            "track_node_description": text, "pod_url": ""})
        self.revealed += 1

    def package_status(self) -> str:
        if self.cancelled:
            return "C"
        return STEPS[self.revealed - 1][3] if self.revealed else "F"

    def received(self) -> bool:
        """Whether the warehouse has it: from then on the order can no longer be cancelled."""
        return self.revealed >= 2


__all__ = ["PRODUCTS", "STEPS", "Order", "Product", "chargeable_kg", "price", "trial_lines"]
