"""What carriers give back: labels, pickups, and a rate-shopping round's result (quotes live in
:mod:`carriergate.core.quotes`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import AwareDatetime, Field

from carriergate.core.errors import CarrierError
from carriergate.core.money import Money
from carriergate.core.notices import Notice
from carriergate.core.quotes import Charge, Quote
from carriergate.core.selection import (
    best_value,
    cheapest,
    cheapest_arriving_by,
    fastest,
    filter_quotes,
    shippable,
)
from carriergate.core.shipment import LabelFormat
from carriergate.core.validation import CarrierModel

DocumentKind = Literal["commercial_invoice", "proforma_invoice", "customs_declaration", "certificate_of_origin",
                       "return_instructions", "other"]


class ShippingDocument(CarrierModel):
    """A document the carrier made with the label (a commercial invoice, a customs form), to print and
    attach. ``kind`` is ours; ``carrier_kind`` is the carrier's own name for it."""

    kind: DocumentKind
    content: bytes
    format: str  # "PDF", "GIF", "ZPL", ... as the carrier states it
    carrier_kind: str | None = None

    def __repr__(self) -> str:
        return f"ShippingDocument(kind={self.kind!r}, format={self.format!r}, content=<{len(self.content)} bytes>)"


class Label(CarrierModel):
    carrier: str
    tracking_number: str
    tracking_numbers: list[str] = Field(default_factory=list)
    label: bytes
    label_format: LabelFormat
    total: Money | None = None
    charges: list[Charge] = Field(default_factory=list)
    reference: str | None = None
    package_labels: list[bytes] = Field(default_factory=list)
    created_at: AwareDatetime | None = None
    # What void and track need later (shipment id, order id, ship date), as the carrier named them.
    carrier_data: dict[str, str] = Field(default_factory=dict)
    documents: list[ShippingDocument] = Field(default_factory=list)  # customs papers made with it
    warnings: list[Notice] = Field(default_factory=list)
    is_return: bool = False  # a return label (the parcel travels back to the shipper)

    def __repr__(self) -> str:
        return (f"Label(carrier={self.carrier!r}, tracking_number={self.tracking_number!r}, "
                f"label_format={self.label_format!r}, label=<{len(self.label)} bytes>, total={self.total!r})")


class Pickup(CarrierModel):
    carrier: str
    confirmation_number: str
    ready_at: AwareDatetime | None = None
    close_at: AwareDatetime | None = None
    total: Money | None = None
    carrier_data: dict[str, str] = Field(default_factory=dict)
    warnings: list[Notice] = Field(default_factory=list)


@dataclass
class RateResult:
    """Quotes sorted by price (grouped by currency when carriers quote in several), and for every
    carrier that gave none, the reason why."""

    quotes: list[Quote] = field(default_factory=list)
    errors: dict[str, CarrierError] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.quotes.sort(key=lambda q: q.sort_key)

    @property
    def complete(self) -> bool:
        return not self.errors

    # Rate shopping helpers; the logic lives in core/selection.py. ``shippable_only=True`` leaves out
    # the quotes no label can be bought for (table rates, carriers without SHIP: Quote.can_ship).
    def cheapest(self, *, shippable_only: bool = False) -> Quote | None:
        """The cheapest quote; ``MixedCurrencies`` if the quotes are in several currencies."""
        return cheapest(self.quotes, shippable_only=shippable_only)

    def fastest(self, *, shippable_only: bool = False) -> Quote | None:
        """The quote with the fewest transit days (the cheaper on a tie)."""
        return fastest(self.quotes, shippable_only=shippable_only)

    def filter(self, *, carriers: list[str] | None = None, services: list[str] | None = None,
               currency: str | None = None, max_transit_days: int | None = None,
               shippable_only: bool = False) -> RateResult:
        """The same result narrowed to some carriers (aliases) and/or service codes."""
        kept = filter_quotes(self.quotes, carriers=carriers, services=services, currency=currency,
                             max_transit_days=max_transit_days, shippable_only=shippable_only)
        return RateResult(quotes=kept, errors=dict(self.errors))

    def shippable(self) -> list[Quote]:
        """The quotes a label can be bought for, cheapest first."""
        return shippable(self.quotes)

    def cheapest_arriving_by(self, by: date, *, ship_date: date | None = None,
                             shippable_only: bool = False) -> Quote | None:
        """The cheapest quote known to arrive on or before ``by``."""
        return cheapest_arriving_by(self.quotes, by, ship_date=ship_date, shippable_only=shippable_only)

    def best_value(self, *, price_weight: Decimal = Decimal("0.5"), shippable_only: bool = False) -> Quote | None:
        """Lowest weighted score of price and transit days (see carriergate.core.selection)."""
        return best_value(self.quotes, price_weight=price_weight, shippable_only=shippable_only)


__all__ = ["Charge", "DocumentKind", "Label", "Pickup", "Quote", "RateResult", "ShippingDocument"]
