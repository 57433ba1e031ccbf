"""FedEx REST adapter: rate, ship (with paperless customs documents), void, pickup, track."""

from .account import FedExAccount
from .carrier import FedEx

__all__ = ["FedEx", "FedExAccount"]
