"""The DHL Express (SOAP Web Services) carrier: rate, ship (with customs, insurance and an optional
courier pickup), void, cancel_pickup and track, as pure flows over carriergate's SOAP layer.

Each operation's module (rate.py, ship.py, pickup.py, track.py) builds the finished request and
parses its reply; services.py holds the two SOAP services and their paths. Void is not an operation
of its own at DHL: voiding a label cancels the courier pickup booked with it, and a label without
one is refused with NotSupported; that rule lives in pickup.py (``pickup_to_void``).

Stand-alone pickup booking is not offered: DHL's rate book books a courier only together with a
shipment (``ShipRequest.pickup``), so ``schedule_pickup`` raises NotSupported. zeep is imported the
first time a DHL message is built, never when this module is imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.dhl_express.account import HOSTS, DHLExpressAccount
from carriergate.carriers.dhl_express.pickup import build_cancel_pickup, parse_cancel_pickup, pickup_to_void
from carriergate.carriers.dhl_express.rate import build_rate, parse_rate
from carriergate.carriers.dhl_express.ship import ShipContext, build_ship, parse_ship
from carriergate.carriers.dhl_express.track import build_track, parse_track
from carriergate.core.contract import Account, Capability, Carrier, Flow
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _message_reference() -> str:
    return uuid.uuid4().hex  # 32 characters: DHL accepts 28 to 32


class DHLExpress(Carrier[DHLExpressAccount]):
    """``clock`` and ``message_reference`` are injected so that a request is a pure function of its
    input (golden tests pin both)."""

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

    def make_auth(self) -> httpx.Auth:
        """WS-Security UsernameToken with a plain-text password, inserted afresh on every attempt."""
        from carriergate.protocols.auth.wsse import WSSecurityAuth

        return WSSecurityAuth(self.account.username, self.account.password, digest=False)

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        http = build_rate(request, self.account, base_url=self.base_url, now=self.clock(), carrier=self.alias)
        quotes: list[Quote] = yield self.read(
            http, partial(parse_rate, carrier=self.alias, services=request.services), operation="rate")
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        now = self.clock()
        http = build_ship(request, self.account, base_url=self.base_url, now=now, carrier=self.alias)
        context = ShipContext.of(request, now=now, carrier=self.alias)
        label: Label = yield self.write(http, partial(parse_ship, context=context), operation="ship",
                                        reference=request.reference, idempotent=False)
        return label

    def void(self, label: Label) -> Flow[None]:
        """Cancels the courier pickup booked with ``label`` (see pickup.py's ``pickup_to_void``)."""
        yield from self.cancel_pickup(pickup_to_void(label, carrier=self.alias))

    def cancel_pickup(self, pickup: Pickup) -> Flow[None]:
        http = build_cancel_pickup(pickup, base_url=self.base_url, carrier=self.alias,
                                   fallback_requestor=self.account.username)
        yield self.write(http, parse_cancel_pickup, operation="cancel_pickup", reference=None, idempotent=True)
        return None

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        http = build_track(tracking_number, base_url=self.base_url, now=self.clock(),
                           reference=self.message_reference(), carrier=self.alias)
        info: TrackingInfo = yield self.read(
            http, partial(parse_track, tracking_number=tracking_number, carrier=self.alias), operation="track")
        return info
