"""UPS: rating, shipping (with customs, insurance and paperless invoices), void, pickups, tracking."""

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.carrier import UPS

__all__ = ["UPS", "UPSAccount"]
