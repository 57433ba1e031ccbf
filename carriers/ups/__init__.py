"""UPS: rating, shipping (with customs, insurance, paperless invoices and return labels), void, pickups,
tracking (with proof of delivery), and finding a label again by our reference."""

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.carrier import UPS

__all__ = ["UPS", "UPSAccount"]
