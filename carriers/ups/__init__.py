"""UPS: rating, shipping (with customs, insurance and paperless invoices), void, pickups, tracking."""

from .account import UPSAccount
from .carrier import UPS

__all__ = ["UPS", "UPSAccount"]
