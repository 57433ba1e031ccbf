"""Table-rate account settings: which rate card to quote from, and the currency it must price in."""

from __future__ import annotations

from pydantic import field_validator

from carriergate.core.contract import Account
from carriergate.core.money import is_currency


class TableAccount(Account):
    """``rate_card``: path to the TOML card (None: the sample card shipped with carriergate).
    ``currency``: the currency the card must price in (a guard against pointing at the wrong card).
    There are no credentials and no hosts: the card is all the carrier knows."""

    rate_card: str | None = None
    currency: str | None = None

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 3 and is_currency(value.upper())):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        return None if value is None else value.upper()
