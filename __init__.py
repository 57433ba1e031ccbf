"""carriergate: one typed interface to parcel carriers.

Quote, ship, void, book pickups, track, insure and declare customs across carriers::

    import carriergate as cg
    with cg.Gateway({"table": {}}) as gw:
        result = gw.rate(request)

Importing this package imports no carrier adapter and no SOAP library: each carrier is loaded the
first time it is used.
"""

from typing import TYPE_CHECKING, Any

from carriergate.core.address import Address, AddressLatin
from carriergate.core.billing import Payer, ShipmentReference
from carriergate.core.contract import Account, Call, Capability, Carrier, Flow
from carriergate.core.customs import CustomsDeclaration, CustomsItem
from carriergate.core.errors import (
    AuthenticationError,
    CarrierError,
    CarrierUnavailable,
    ConfigurationError,
    DeadlineExceeded,
    FieldError,
    MalformedResponse,
    NotFound,
    NotServed,
    NotSupported,
    OutcomeUnknown,
    RateLimited,
    ValidationError,
)
from carriergate.core.money import Money
from carriergate.core.notices import Notice
from carriergate.core.quotes import Charge, Quote
from carriergate.core.results import Label, Pickup, RateResult, ShippingDocument
from carriergate.core.shipment import Parcel, PickupRequest, PickupWindow, RateRequest, ShipRequest, TradeDocument
from carriergate.core.subscriptions import Subscription, TrackingUpdate
from carriergate.core.tracking import ProofOfDelivery, TrackingEvent, TrackingInfo, TrackingResult, TrackingStatus
from carriergate.core.units import Dimensions, Weight
from carriergate.gateway.accounts import AsyncCarrierClient, CarrierClient
from carriergate.gateway.gateways import AsyncGateway, Gateway

__version__ = "0.1.0"

if TYPE_CHECKING:
    from carriergate import checkout


def __getattr__(name: str) -> Any:
    """``carriergate.checkout`` is imported on first use: a shop that only rates never pays for it."""
    if name == "checkout":
        # import_module, not ``from carriergate import checkout``: the latter asks this very hook for the
        # attribute first and recurses until the interpreter gives up.
        from importlib import import_module

        return import_module("carriergate.checkout")
    raise AttributeError(f"module 'carriergate' has no attribute {name!r}")

__all__ = [
    "Account",
    "Address",
    "AddressLatin",
    "AsyncCarrierClient",
    "AsyncGateway",
    "AuthenticationError",
    "Call",
    "Capability",
    "Carrier",
    "CarrierClient",
    "CarrierError",
    "CarrierUnavailable",
    "Charge",
    "ConfigurationError",
    "CustomsDeclaration",
    "CustomsItem",
    "DeadlineExceeded",
    "Dimensions",
    "FieldError",
    "Flow",
    "Gateway",
    "Label",
    "MalformedResponse",
    "Money",
    "NotFound",
    "NotServed",
    "NotSupported",
    "Notice",
    "OutcomeUnknown",
    "Parcel",
    "Payer",
    "Pickup",
    "PickupRequest",
    "PickupWindow",
    "ProofOfDelivery",
    "Quote",
    "RateLimited",
    "RateRequest",
    "RateResult",
    "ShipRequest",
    "ShipmentReference",
    "ShippingDocument",
    "Subscription",
    "TrackingEvent",
    "TrackingInfo",
    "TrackingResult",
    "TrackingStatus",
    "TrackingUpdate",
    "TradeDocument",
    "ValidationError",
    "Weight",
    "__version__",
    "checkout",
]
