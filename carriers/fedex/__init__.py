"""FedEx REST adapter: rate, ship (with paperless customs documents), void, pickup, track."""

from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.carrier import FedEx

__all__ = ["FedEx", "FedExAccount"]
