"""The table-rate carrier: quotes from the merchant's own rate card, offline, with no I/O at all."""

from __future__ import annotations

from typing import ClassVar

from pydantic import field_validator

from carriergate.carriers.table.card import RateCard, load_card, sample_card
from carriergate.carriers.table.pricing import quote
from carriergate.core.contract import Account, Capability, Carrier, Flow, finished
from carriergate.core.errors import ConfigurationError
from carriergate.core.money import is_currency
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest


class TableAccount(Account):
    """``rate_card``: path to the TOML card (None: the sample card shipped with carriergate).
    ``currency``: the currency the card must price in (a guard against pointing at the wrong card)."""

    rate_card: str | None = None
    currency: str | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 3 and is_currency(value.upper())):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return None if value is None else value.upper()


class TableRateCarrier(Carrier[TableAccount]):
    """Rates from a rate card (zones, 首重/续重 or brackets, dim weight, surcharges, insurance).

    Only ``rate`` is offered; ship, void, pickups and tracking raise ``NotSupported``."""

    name: ClassVar[str] = "table"
    title: ClassVar[str] = "Table rates (merchant rate card)"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.RATE})
    label_formats = ()
    offline = True
    account_model: ClassVar[type[Account]] = TableAccount

    def __init__(self, account: TableAccount, *, alias: str | None = None) -> None:
        super().__init__(account, alias=alias)
        self.card: RateCard = (sample_card() if account.rate_card is None
                               else load_card(account.rate_card, carrier=self.alias))
        if account.currency is not None and account.currency != self.card.currency:
            raise ConfigurationError(f"rate card prices in {self.card.currency}, but the account expects "
                                     f"{account.currency}", carrier=self.alias, code="rate_card")

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        return finished(quote(self.card, request, carrier=self.alias))
