"""The table-rate carrier: quotes from the merchant's own rate card, offline, with no I/O at all.

The card is read once, when the carrier is made (from configuration), never at request time; its
rate flow finishes without a Call, so it needs no build/parse pair, no auth and no emulator.
"""

from __future__ import annotations

from carriergate.carriers.table.account import TableAccount
from carriergate.carriers.table.card import RateCard, load_card, sample_card
from carriergate.carriers.table.pricing import quote
from carriergate.core.contract import Capability, Carrier, Flow, finished
from carriergate.core.errors import ConfigurationError
from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest


class TableRateCarrier(Carrier[TableAccount]):
    """Rates from a rate card (zones, 首重/续重 or brackets, dim weight, surcharges, insurance).

    Only ``rate`` is offered; ship, void, pickups and tracking raise ``NotSupported``."""

    name = "table"
    title = "Table rates (merchant rate card)"
    capabilities = frozenset({Capability.RATE})
    label_formats = ()
    offline = True
    account_model = TableAccount

    def __init__(self, account: TableAccount, *, alias: str | None = None) -> None:
        super().__init__(account, alias=alias)
        self.card: RateCard = (sample_card() if account.rate_card is None
                               else load_card(account.rate_card, carrier=self.alias))
        if account.currency is not None and account.currency != self.card.currency:
            raise ConfigurationError(f"rate card prices in {self.card.currency}, but the account expects "
                                     f"{account.currency}", carrier=self.alias, code="rate_card")

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        return finished(quote(self.card, request, carrier=self.alias))
