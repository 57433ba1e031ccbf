"""The DHL Express (SOAP Web Services) carrier: rate, ship (with customs, insurance and an optional
courier pickup), void, cancel_pickup and track, as pure flows over carriergate's SOAP layer.

Stand-alone pickup booking is not offered: DHL's rate book books a courier only together with a
shipment (``ShipRequest.pickup``), so ``schedule_pickup`` raises NotSupported. zeep is imported the
first time a DHL message is built, never when this module is imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, ClassVar

import httpx

from carriergate.carriers.dhl_express.account import HOSTS, RATE_BOOK, TRACKING, DHLExpressAccount
from carriergate.carriers.dhl_express.pickups import build_delete, parse_delete, pickup_from_label
from carriergate.carriers.dhl_express.rating import build_rate, parse_rate
from carriergate.carriers.dhl_express.shipping import build_ship, parse_ship
from carriergate.carriers.dhl_express.tracking import build_track, parse_track
from carriergate.core.contract import Account, Call, Capability, Carrier, Flow, Kind
from carriergate.core.errors import NotSupported
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.soap import SoapService

RATE_BOOK_SERVICE = SoapService(__package__ or "carriergate.carriers.dhl_express", "expressRateBook.wsdl",
                                "expressRateBook", "expressRateBook")
TRACKING_SERVICE = SoapService(__package__ or "carriergate.carriers.dhl_express", "glDHLExpressTrack.wsdl",
                               "glDHLExpressTrack", "glDHLExpressTrack")


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _message_reference() -> str:
    return uuid.uuid4().hex  # 32 characters: DHL accepts 28 to 32


class DHLExpress(Carrier[DHLExpressAccount]):
    name: ClassVar[str] = "dhl_express"
    title: ClassVar[str] = "DHL Express"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities: ClassVar[frozenset[Capability]] = frozenset(
        {Capability.RATE, Capability.SHIP, Capability.VOID, Capability.CANCEL_PICKUP, Capability.TRACK})
    account_model: ClassVar[type[Account]] = DHLExpressAccount
    emulator = "carriergate.sandbox.dhl_express:DHLExpressEmulator"
    label_formats = ("PDF", "ZPL", "EPL")

    def __init__(self, account: DHLExpressAccount, *, alias: str | None = None,
        clock: Callable[[], datetime] = _utc_now,
                 message_reference: Callable[[], str] = _message_reference) -> None:
        super().__init__(account, alias=alias)
        self.clock = clock
        self.message_reference = message_reference

    @property
    def settings(self) -> DHLExpressAccount:
        assert isinstance(self.account, DHLExpressAccount)
        return self.account

    @property
    def rate_book_url(self) -> str:
        return f"{self.base_url}/{RATE_BOOK}"

    @property
    def tracking_url(self) -> str:
        return f"{self.base_url}/{TRACKING}"

    def make_auth(self) -> httpx.Auth:
        """WS-Security UsernameToken with a plain-text password, inserted afresh on every attempt."""
        from carriergate.protocols.auth.wsse import WSSecurityAuth

        return WSSecurityAuth(self.settings.username, self.settings.password, digest=False)

    def _call(self, service: SoapService, operation: str, url: str, body: dict[str, Any],
              read: Callable[[Any], Any], *, name: str, kind: Kind, idempotent: bool,
                  reference: str | None = None) -> Call[Any]:
        def parse(response: httpx.Response) -> Any:
            return read(service.parse(operation, response))

        return Call(request=service.request(operation, url, **body), parse=parse, operation=name,
                    kind=kind, idempotent=idempotent, reference=reference)

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        body = build_rate(request, self.settings, now=self.clock(), carrier=self.alias)
        read = partial(parse_rate, carrier=self.alias, services=request.services)
        quotes: list[Quote] = yield self._call(RATE_BOOK_SERVICE, "getRateRequest", self.rate_book_url, body, read,
                                               name="rate", kind="read", idempotent=True)
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        body, context = build_ship(request, self.settings, now=self.clock(), carrier=self.alias)
        label: Label = yield self._call(RATE_BOOK_SERVICE, "createShipmentRequest", self.rate_book_url, body,
                                        partial(parse_ship, context=context), name="ship",
                    kind="write", idempotent=False,
                                        reference=request.reference)
        return label

    def void(self, label: Label) -> Flow[None]:
        """Cancels the courier pickup booked with ``label``. DHL's SOAP service has no way to cancel
        the shipment itself (an unused label is not billed), so a label without a booked pickup is
        refused with NotSupported rather than reported as voided."""
        pickup = pickup_from_label(label)
        if pickup is None:
            raise NotSupported("DHL Express cannot void a shipment through this service; only the courier "
                               "pickup booked with it can be cancelled (an unused label is not billed)",
                               carrier=self.alias, code="nothing_to_void")
        yield from self.cancel_pickup(pickup)

    def cancel_pickup(self, pickup: Pickup) -> Flow[None]:
        body = build_delete(pickup, carrier=self.alias, fallback_requestor=self.settings.username)
        yield self._call(RATE_BOOK_SERVICE, "deleteShipmentRequest", self.rate_book_url, body, parse_delete,
                         name="cancel_pickup", kind="write", idempotent=True)
        return None

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        body = build_track(tracking_number, now=self.clock(), reference=self.message_reference(),
                           carrier=self.alias)
        read = partial(parse_track, tracking_number=tracking_number, carrier=self.alias)
        info: TrackingInfo = yield self._call(TRACKING_SERVICE, "trackShipmentRequest", self.tracking_url, body,
                                              read, name="track", kind="read", idempotent=True)
        return info
