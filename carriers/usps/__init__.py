"""USPS (APIs v3): domestic and international prices and labels (labels bought once per our
reference through USPS's idempotency key), refunds, carrier pickups and tracking."""

from carriergate.carriers.usps.account import USPSAccount
from carriergate.carriers.usps.carrier import USPS

__all__ = ["USPS", "USPSAccount"]
