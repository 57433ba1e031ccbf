"""The YunExpress adapter (云途物流, open platform REST API): every Call its operations make is
assembled here, and nowhere else.

Auth is :class:`~carriergate.protocols.auth.yunexpress.YunExpressAuth`: an access token bought with
the app id and secret (cached, one fetch for any number of callers) and an HMAC-SHA256 signature of
every attempt. Ship is two exchanges: the order create (a write, never repeated after an ambiguous
failure: YunExpress takes no idempotency key) and the label fetch (a read; plus the file download
when the answer gives a URL). ``find_label`` finds the order by our reference, which ship sends as
``customer_order_number``.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.yunexpress import lookup, rate, ship, subscribe, track, void
from carriergate.carriers.yunexpress.account import HOSTS, TOKEN_PATH, YunExpressAccount
from carriergate.core.contract import Capability, Carrier, Flow
from carriergate.core.contract import tracking_number as check_tracking_number
from carriergate.core.quotes import Quote
from carriergate.core.results import Label
from carriergate.core.shipment import RateRequest, ShipRequest
from carriergate.core.subscriptions import Subscription
from carriergate.core.subscriptions import callback_url as check_callback_url
from carriergate.core.tracking import TrackingInfo

#: The label file download goes to YunExpress's file host: it must carry neither token nor signature.
UNSIGNED = httpx.Auth()


class YunExpress(Carrier[YunExpressAccount]):
    name = "yunexpress"
    title = "YunExpress 云途物流"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = frozenset({Capability.RATE, Capability.SHIP, Capability.VOID, Capability.TRACK,
                              Capability.FIND_LABEL, Capability.SUBSCRIBE})
    label_formats = ("PDF",)
    customs_ids = frozenset({"ioss_number"})
    account_model = YunExpressAccount
    emulator = "carriergate.sandbox.yunexpress:YunExpressEmulator"

    def make_auth(self) -> httpx.Auth:
        from carriergate.protocols.auth.yunexpress import YunExpressAuth

        return YunExpressAuth(carrier=self.alias, token_url=self.base_url + TOKEN_PATH, app_id=self.account.app_id,
                              app_secret=self.account.app_secret, source_key=self.account.source_key,
                              source_key_field=self.account.source_key_field)

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        http = rate.build_rate(request, self.account, base_url=self.base_url)
        quotes: list[Quote] = yield self.read(
            http, partial(rate.parse_rate, carrier=self.alias, services=request.services), operation="rate")
        return quotes

    def _label_of(self, order: ship.Order) -> Flow[Label]:
        http = ship.build_label(order.waybill_number, self.account, base_url=self.base_url)
        found: ship.LabelFile = yield self.read(http, partial(ship.parse_label, carrier=self.alias),
                                                operation="label", reference=order.reference)
        content = found.content
        if content is None and found.url is not None:
            download = ship.build_download(found.url, base_url=self.base_url, carrier=self.alias)
            content = yield self.read(download, partial(ship.parse_download, carrier=self.alias),
                                      operation="label_download", reference=order.reference, auth=UNSIGNED)
        assert content is not None  # parse_label gives a file or a URL
        return ship.label_from(order, content, carrier=self.alias)

    def ship(self, request: ShipRequest) -> Flow[Label]:
        http = ship.build_ship(request, self.account, base_url=self.base_url, carrier=self.alias)
        order: ship.Order = yield self.write(http, partial(ship.parse_ship, carrier=self.alias), operation="ship",
                                             reference=request.reference)
        if order.reference is None:
            order = ship.Order(order.waybill_number, request.reference, order.tracking_number, order.data)
        label: Label = yield from self._label_of(order)
        return label

    def void(self, label: Label) -> Flow[None]:
        http = void.build_void(label, self.account, base_url=self.base_url)
        yield self.write(http, partial(void.parse_void, carrier=self.alias), operation="void",
                         reference=label.reference, idempotent=True)

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        number = check_tracking_number(tracking_number)
        http = track.build_track(number, self.account, base_url=self.base_url)
        info: TrackingInfo = yield self.read(http, partial(track.parse_track, number=number, carrier=self.alias),
                                             operation="track")
        return info

    def find_label(self, reference: str) -> Flow[Label | None]:
        http = lookup.build_lookup(reference, self.account, base_url=self.base_url, carrier=self.alias)
        order: ship.Order | None = yield self.read(http, partial(lookup.parse_lookup, carrier=self.alias),
                                                   operation="find_label", reference=reference)
        if order is None:
            return None
        label: Label = yield from self._label_of(order)
        return label

    def subscribe(self, tracking_number: str, callback_url: str) -> Flow[Subscription]:
        number = check_tracking_number(tracking_number)
        url = check_callback_url(callback_url)
        http = subscribe.build_subscribe(number, url, self.account, base_url=self.base_url, carrier=self.alias)
        made: Subscription = yield self.write(
            http, partial(subscribe.parse_subscribe, number=number, url=url, carrier=self.alias),
            operation="subscribe", reference=number, idempotent=True)
        return made
