"""The DHL Express carrier: rate, ship (with customs, insurance, billing, references and an optional
courier pickup), void, track (one number or a batch) over the SOAP Web Services, and stand-alone
pickups (schedule and cancel) over the MyDHL API, as pure flows.

Each operation's module (rate.py, ship.py, pickup.py, track.py) builds the finished request and
parses its reply; services.py holds the two SOAP services and their paths, mydhl.py the MyDHL API's
root, credentials and errors. Void is not an operation of its own at DHL: voiding a label cancels
the courier pickup booked with it, and a label without one is refused with NotSupported; that rule
lives in pickup.py (``pickup_to_void``).

Return labels (``ShipRequest.return_shipment``) are shipments from the customer to the shop billed
to the receiver, the shop's account (ShippingPaymentType R), with the goods declared as returning
(ExportReasonType RETURN): see ship.py. Not offered, because DHL documents no way to do it here:
``find_label`` (trackShipmentRequest takes waybills and piece ids only, no shipper reference).
Pickup modification (MyDHL's ``PATCH /pickups/{number}``) is :meth:`DHLExpress.modify_pickup`, a
flow of this carrier only: carriergate's Carrier contract has no such operation yet. zeep is
imported the first time a DHL message is built, never when this module is imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.dhl_express import mydhl
from carriergate.carriers.dhl_express.account import HOSTS, DHLExpressAccount
from carriergate.carriers.dhl_express.pickup import (
    MYDHL,
    build_cancel_booked,
    build_cancel_pickup,
    build_pickup,
    build_update_pickup,
    parse_cancel_booked,
    parse_cancel_pickup,
    parse_pickup,
    pickup_to_void,
)
from carriergate.carriers.dhl_express.rate import build_rate, parse_rate
from carriergate.carriers.dhl_express.ship import ShipContext, build_ship, parse_ship
from carriergate.carriers.dhl_express.track import (
    BATCH,
    build_track,
    build_track_many,
    is_waybill,
    parse_track,
    parse_track_many,
)
from carriergate.core.contract import Account, Capability, Carrier, Flow
from carriergate.core.errors import CarrierError
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo, TrackingResult


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
        {Capability.RATE, Capability.SHIP, Capability.RETURN_LABEL, Capability.VOID, Capability.SCHEDULE_PICKUP,
         Capability.CANCEL_PICKUP, Capability.MODIFY_PICKUP, Capability.TRACK})
    account_model: ClassVar[type[Account]] = DHLExpressAccount
    emulator = "carriergate.sandbox.dhl_express:DHLExpressEmulator"
    label_formats = ("PDF", "ZPL", "EPL")
    track_batch: ClassVar[int] = BATCH

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

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        """A stand-alone courier pickup through the MyDHL API (its own credentials: a ConfigurationError
        naming the missing one before anything is built). Never repeated after an ambiguous failure."""
        auth = mydhl.credentials(self.account, carrier=self.alias)
        http = build_pickup(request, self.account, root=mydhl.root(self.account, carrier=self.alias),
                            reference=self.message_reference(), carrier=self.alias)
        pickup: Pickup = yield self.write(http, partial(parse_pickup, request=request, carrier=self.alias),
                                          operation="schedule_pickup", reference=request.reference,
                                          idempotent=False, auth=auth)
        return pickup

    def modify_pickup(self, pickup: Pickup, request: PickupRequest) -> Flow[Pickup]:
        """Moves a pickup booked with :meth:`schedule_pickup` to ``request``'s window, address and
        parcels (MyDHL ``PATCH /pickups/{number}``). Setting the same values twice changes nothing
        more, so the call may be repeated."""
        auth = mydhl.credentials(self.account, carrier=self.alias)
        http = build_update_pickup(pickup, request, self.account, root=mydhl.root(self.account, carrier=self.alias),
                                   reference=self.message_reference(), carrier=self.alias)
        updated: Pickup = yield self.write(http, partial(parse_pickup, request=request, carrier=self.alias),
                                           operation="modify_pickup", reference=request.reference, idempotent=True,
                                           auth=auth)
        return updated

    def cancel_pickup(self, pickup: Pickup) -> Flow[None]:
        """A pickup booked through the MyDHL API is cancelled there; one booked with a shipment through
        the rate book (deleteShipmentRequest)."""
        if pickup.carrier_data.get("api") == MYDHL:
            auth = mydhl.credentials(self.account, carrier=self.alias)
            rest = build_cancel_booked(pickup, root=mydhl.root(self.account, carrier=self.alias),
                                       reference=self.message_reference(), carrier=self.alias,
                                       fallback_requestor=self.account.username)
            yield self.write(rest, partial(parse_cancel_booked, carrier=self.alias), operation="cancel_pickup",
                             reference=None, idempotent=True, auth=auth)
            return None
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

    def track_many(self, tracking_numbers: Sequence[str]) -> Flow[TrackingResult]:
        """The waybills in one trackShipmentRequest (up to :attr:`track_batch`); piece ids (licence
        plates) one by one, since DHL's answer names the waybill, not the piece asked for."""
        numbers = list(dict.fromkeys(n.strip() for n in tracking_numbers))
        waybills = [n for n in numbers if is_waybill(n)]
        result = TrackingResult()
        if waybills:
            http = build_track_many(waybills, base_url=self.base_url, now=self.clock(),
                                    reference=self.message_reference(), carrier=self.alias)
            batch: TrackingResult = yield self.read(
                http, partial(parse_track_many, tracking_numbers=waybills, carrier=self.alias), operation="track")
            result.tracked.update(batch.tracked)
            result.errors.update(batch.errors)
        for number in (n for n in numbers if not is_waybill(n)):
            try:
                result.tracked[number] = yield from self.track(number)
            except CarrierError as err:
                result.errors[number] = err
        return result
