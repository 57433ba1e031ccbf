"""The 4PX carrier: every Call its operations make is assembled here, and nowhere else.

Ship is three exchanges: the order create (the write, never repeated after an ambiguous failure:
4PX takes no idempotency key), then the label link (ds.xms.label.get) and the PDF download, both
reads. The download is not a router call, so it is sent unsigned (``auth=UNSIGNED``). A create whose
answer is lost is reconciled by the order query under our reference (ds.xms.order.get, a read): the
order found goes on to its label; none found leaves the outcome unknown, with our reference.
``find_label`` is the same query offered to the caller.
"""

from __future__ import annotations

from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.fourpx import lookup, rate, ship, track, void
from carriergate.carriers.fourpx.account import HOSTS, FourPXAccount
from carriergate.carriers.fourpx.ship import Order
from carriergate.core.contract import Capability, Carrier, Flow
from carriergate.core.contract import tracking_number as check_tracking_number
from carriergate.core.errors import CarrierError, MalformedResponse, OutcomeUnknown
from carriergate.core.quotes import Quote
from carriergate.core.results import Label
from carriergate.core.shipment import RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.fourpx import FourPXAuth

#: An auth flow that adds nothing, for the label download (httpx's base Auth sends the request as is).
UNSIGNED = httpx.Auth()
#: Redirects of a label link followed (the account's HTTP client follows none by itself).
MAX_REDIRECTS = 2


class FourPX(Carrier[FourPXAccount]):
    name = "4px"
    title = "4PX 递四方"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = frozenset({Capability.RATE, Capability.SHIP, Capability.VOID, Capability.TRACK,
                              Capability.FIND_LABEL})
    label_formats = ("PDF",)
    customs_ids = frozenset({"ioss_number", "vat_number", "eori_number"})
    account_model = FourPXAccount
    emulator = "carriergate.sandbox.fourpx:FourPXEmulator"

    def make_auth(self) -> httpx.Auth:
        return FourPXAuth(app_key=self.account.app_key, app_secret=self.account.app_secret,
                          language=self.account.language, access_token=self.account.access_token)

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        http = rate.build_rate(request, base_url=self.base_url, carrier=self.alias)
        quotes: list[Quote] = yield self.read(http, partial(rate.parse_rate, carrier=self.alias,
                                                            services=request.services), operation="rate")
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        reference = request.reference
        http = ship.build_ship(request, self.account, base_url=self.base_url, carrier=self.alias)
        try:
            order: Order = yield self.write(http, partial(ship.parse_ship, carrier=self.alias, reference=reference),
                                            operation="ship", reference=reference)
        except OutcomeUnknown as unknown:
            try:
                found = yield from self._find(reference)
            except CarrierError:
                raise unknown from None
            if found is None:
                raise OutcomeUnknown("4PX may have created the order and its order query found none yet; 4PX "
                                     "refuses a repeated ref_no, so look it up (find_label) before shipping again",
                                     reference=reference, carrier=self.alias, code=unknown.code) from unknown
            order = found
        label: Label = yield from self._label(order, reference)
        return label

    def _find(self, reference: str) -> Flow[Order | None]:
        """The live order 4PX holds under our reference: a look-up, so a read."""
        http = lookup.build_lookup(reference, base_url=self.base_url)
        found: Order | None = yield self.read(http, partial(lookup.parse_found, carrier=self.alias,
                                                            reference=reference),
                                              operation="order_query", reference=reference)
        return found

    def _label(self, order: Order, reference: str) -> Flow[Label]:
        """The label link of an existing order, then its PDF: both reads (they change nothing at 4PX)."""
        asked = ship.build_label(order, self.account, base_url=self.base_url)
        link: str = yield self.read(asked, partial(ship.parse_label, carrier=self.alias, base_url=self.base_url),
                                    operation="label", reference=reference)
        for _ in range(MAX_REDIRECTS + 1):
            got: Label | str = yield self.read(ship.build_download(link),
                                               partial(ship.parse_download, carrier=self.alias, order=order,
                                                       link=link),
                                               operation="label_download", reference=reference, auth=UNSIGNED)
            if isinstance(got, Label):
                return got
            link = got
        raise MalformedResponse(f"4PX label link redirected more than {MAX_REDIRECTS} times", carrier=self.alias)

    def find_label(self, reference: str) -> Flow[Label | None]:
        """The order 4PX holds under our ``reference`` and its label; None when it holds none."""
        found = yield from self._find(lookup.reference_of(reference, carrier=self.alias))
        if found is None:
            return None
        label: Label = yield from self._label(found, found.reference)
        return label

    def void(self, label: Label) -> Flow[None]:
        number = void.request_no_of(label, carrier=self.alias)
        http = void.build_void(number, base_url=self.base_url)
        yield self.write(http, partial(void.parse_void, carrier=self.alias), operation="void", reference=number,
                         idempotent=True)
        return None

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        number = check_tracking_number(tracking_number)
        http = track.build_track(number, base_url=self.base_url)
        info: TrackingInfo = yield self.read(http, partial(track.parse_track, number=number, carrier=self.alias),
                                             operation="track")
        return info
