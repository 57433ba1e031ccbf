"""Table rates: offline quotes from the merchant's own TOML rate card (see card.py for the format)."""

from carriergate.carriers.table.account import TableAccount
from carriergate.carriers.table.carrier import TableRateCarrier

__all__ = ["TableAccount", "TableRateCarrier"]
