"""The SF Express carrier: every Call its operations make is assembled here, and nowhere else.

Shipping the same reference twice never makes two waybills: SF refuses a repeated ``orderId``
(business code 8016) and the flow then looks the existing order up (EXP_RECE_SEARCH_ORDER_RESP).
The same look-up reconciles a create whose outcome is unknown (a timeout after sending); only when
it too finds nothing is the outcome reported unknown, with our reference. ``find_label`` offers
that look-up to the caller: the order by our reference, then its label, both reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.sf_express import lookup, push, rate, ship, track, void
from carriergate.carriers.sf_express.account import HOSTS, SFExpressAccount
from carriergate.carriers.sf_express.errors import DuplicateOrder
from carriergate.carriers.sf_express.ship import Order
from carriergate.core.contract import Capability, Carrier, Flow
from carriergate.core.errors import CarrierError, OutcomeUnknown
from carriergate.core.quotes import Quote
from carriergate.core.results import Label
from carriergate.core.shipment import RateRequest, ShipRequest
from carriergate.core.subscriptions import PushAnswer, TrackingUpdate
from carriergate.core.tracking import TrackingInfo, TrackingResult
from carriergate.protocols.auth.sf_digest import SFDigestAuth


class SFExpress(Carrier[SFExpressAccount]):
    name = "sf_express"
    title = "SF Express 顺丰速运"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = frozenset({Capability.RATE, Capability.SHIP, Capability.VOID, Capability.TRACK,
                              Capability.FIND_LABEL, Capability.RETURN_LABEL})
    track_batch = track.BATCH
    emulator = "carriergate.sandbox.sf_express:SFExpressEmulator"
    label_formats = ("PDF",)
    account_model = SFExpressAccount

    def make_auth(self) -> httpx.Auth:
        return SFDigestAuth(self.account.partner_id, self.account.checkword)

    def _find_order(self, reference: str) -> Flow[Order]:
        """The order SF holds under our reference: a look-up, so a read."""
        http = ship.build_lookup(reference, self.account, base_url=self.base_url)
        found: Order = yield self.read(http, partial(ship.parse_lookup, carrier=self.alias),
                                       operation="order_query", reference=reference)
        return found

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        http = rate.build_rate(request, self.account, base_url=self.base_url, carrier=self.alias)
        parse = partial(rate.parse_rate, carrier=self.alias, services=request.services, ship_date=request.ship_date)
        quotes: list[Quote] = yield self.read(http, parse, operation="rate")
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        reference = request.reference
        http = ship.build_ship(request, self.account, base_url=self.base_url, carrier=self.alias)
        try:
            created: Order = yield self.write(http, partial(ship.parse_ship, carrier=self.alias), operation="ship",
                                              reference=reference)
        except DuplicateOrder:
            created = yield from self._find_order(reference)
        except OutcomeUnknown as unknown:
            try:
                created = yield from self._find_order(reference)
            except CarrierError:
                raise OutcomeUnknown("SF may have created the order and its order query found nothing yet; "
                                     "shipping again with the same reference is safe (SF refuses a repeated "
                                     "orderId and carriergate then returns the existing waybill)",
                                     reference=reference, carrier=self.alias, code=unknown.code) from unknown
        label: Label = yield from self._label(created, reference, is_return=request.return_shipment)
        return label

    def _label(self, order: Order, reference: str, *, is_return: bool = False) -> Flow[Label]:
        """The cloud-print PDF of ``order``: fetching an existing waybill's label changes nothing at SF,
        so it is a read, retried freely."""
        http = ship.build_label(order.master, self.account, base_url=self.base_url)
        label: Label = yield self.read(http, partial(ship.parse_label, carrier=self.alias, order=order,
                                                     reference=reference, is_return=is_return),
                                       operation="label", reference=reference)
        return label

    def find_label(self, reference: str) -> Flow[Label | None]:
        """The order SF holds under our ``reference`` and its label; None when SF holds none."""
        order_id = lookup.reference_of(reference, carrier=self.alias)
        http = ship.build_lookup(order_id, self.account, base_url=self.base_url)
        found: Order | None = yield self.read(http, partial(lookup.parse_found, carrier=self.alias),
                                              operation="find_label", reference=order_id)
        if found is None:
            return None
        label: Label = yield from self._label(found, order_id)
        return label

    def void(self, label: Label) -> Flow[None]:
        order_id = void.order_id_of(label, carrier=self.alias)
        http = void.build_void(order_id, self.account, base_url=self.base_url)
        yield self.write(http, partial(void.parse_void, carrier=self.alias), operation="void", reference=order_id,
                         idempotent=True)
        return None

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        number = tracking_number.strip()
        http = track.build_track(number, self.account, base_url=self.base_url, carrier=self.alias)
        info: TrackingInfo = yield self.read(http, partial(track.parse_track, number=number, carrier=self.alias),
                                             operation="track")
        return info

    def track_many(self, tracking_numbers: Sequence[str]) -> Flow[TrackingResult]:
        """Waybill numbers in one route query (up to :attr:`track_batch`); a number that is our order id
        is tracked on its own, since SF's answer names waybills only."""
        waybills = [n for n in tracking_numbers if track.tracking_type(n.strip()) == track.BY_WAYBILL]
        result = TrackingResult()
        if waybills:
            http = track.build_track_many(waybills, self.account, base_url=self.base_url, carrier=self.alias)
            try:
                result = yield self.read(http, partial(track.parse_track_many, numbers=waybills, carrier=self.alias),
                                         operation="track")
            except CarrierError as error:
                result.errors.update(dict.fromkeys(waybills, error))
        for number in tracking_numbers:
            if number in waybills:
                continue
            try:
                result.tracked[number] = yield from self.track(number)
            except CarrierError as error:
                result.errors[number] = error
        return result

    # -- route pushes (PushReceiver): SF pushes its waybills' routes to the URL configured at 丰桥. SF
    # also lists a route registration (EXP_RECE_REGISTER_ROUTE, 路由注册) whose request fields are not
    # confirmed, so SUBSCRIBE is not offered.
    def read_push(self, body: bytes, content_type: str = "") -> list[TrackingUpdate]:
        """A route push, verified with the checkword before anything is read (:mod:`.push`)."""
        return push.parse_push(body, content_type, self.account.checkword, carrier=self.alias)

    def push_answer(self, ok: bool, message: str = "", status: int = 400) -> PushAnswer:
        return push.push_answer(ok, message, status)
