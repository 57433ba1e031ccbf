"""What a carrier quotes: a service, its price and its charges."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from carriergate.core.money import Money
from carriergate.core.notices import Notice
from carriergate.core.validation import CarrierModel

ChargeKind = Literal["base", "surcharge", "tax", "insurance", "discount", "fuel", "duty"]
QuoteSource = Literal["live", "cache", "table"]


class Charge(CarrierModel):
    kind: ChargeKind
    name: str
    amount: Money
    code: str | None = None


class Quote(CarrierModel):
    carrier: str
    service_code: str
    service_name: str
    total: Money
    charges: list[Charge] = Field(default_factory=list)
    transit_days: int | None = None  # the days promised (the upper bound when the carrier gives a range)
    transit_days_min: int | None = None  # the lower bound of a range ("2-4 days"), when known
    estimated_delivery: date | datetime | None = None
    source: QuoteSource = "live"
    age_seconds: Decimal | None = None  # how old a cached quote is
    billed_weight: str | None = None
    warnings: list[Notice] = Field(default_factory=list)  # the carrier's alerts on this quote
    #: False when no label can be bought for this quote (a carrier without SHIP); table rates are not
    #: shippable whatever this says (see :attr:`can_ship`).
    shippable: bool = True

    @property
    def can_ship(self) -> bool:
        """Whether a label can be bought for this quote: a carrier's own price, not a table rate."""
        return self.shippable and self.source != "table"

    @property
    def sort_key(self) -> tuple[str, Decimal, int, str, str]:
        """Currency first (amounts of different currencies do not compare), then price, then speed."""
        return (self.total.currency, self.total.amount,
                self.transit_days if self.transit_days is not None else 10**6, self.carrier, self.service_code)
