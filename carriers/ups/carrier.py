"""The UPS adapter: REST + JSON behind OAuth2 client credentials. Each operation is a flow that
builds its request (``rate``, ``ship``, ``paperless``, ``void``, ``pickup``, ``track``, ``lookup``), yields it as
a read or a write, and returns the parsed answer; no I/O happens here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.ups.account import HOSTS, UPSAccount
from carriergate.carriers.ups.endpoints import new_trans_id, token_url
from carriergate.carriers.ups.errors import carrier_error, owned
from carriergate.carriers.ups.lookup import build_find, build_recovery, parse_find, parse_recovery, reference_asked
from carriergate.carriers.ups.paperless import build_upload, parse_upload
from carriergate.carriers.ups.pickup import build_cancel_pickup, build_pickup, parse_cancel_pickup, parse_pickup
from carriergate.carriers.ups.rate import build_rate, parse_rate
from carriergate.carriers.ups.ship import build_ship, parse_ship
from carriergate.carriers.ups.track import build_track, number_asked, parse_track
from carriergate.carriers.ups.void import build_void, parse_void
from carriergate.core.contract import CLASSIC, Capability, Carrier, Flow
from carriergate.core.errors import NotFound
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials


class UPS(Carrier[UPSAccount]):
    """Every operation UPS offers, one flow each: rating and tracking are reads; a label or pickup is
    a write never repeated blindly (it carries our reference); a void, a cancel and a paperless
    upload are writes safe to repeat."""

    name = "ups"
    title = "UPS"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = CLASSIC | {Capability.RETURN_LABEL, Capability.FIND_LABEL}
    emulator = "carriergate.sandbox.ups:UPSEmulator"
    label_formats = ("GIF", "ZPL", "EPL")
    account_model = UPSAccount

    def __init__(self, account: UPSAccount, *, alias: str | None = None,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        """``today`` dates a commercial invoice whose shipment has no ship date."""
        super().__init__(account, alias=alias)
        self.today = today

    def make_auth(self) -> httpx.Auth:
        return OAuth2ClientCredentials(
            carrier=self.alias, token_url=token_url(self.base_url),
            client_id=self.account.client_id, client_secret=self.account.client_secret,
            credentials_in="basic", extra_headers={"x-merchant-id": self.account.account_number},
            error_parser=partial(carrier_error, carrier=self.alias))

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        with owned(self.alias):
            http = build_rate(request, self.account, base_url=self.base_url, trans_id=new_trans_id())
        parse = partial(parse_rate, carrier=self.alias, insured=request.insurance is not None,
                        services=request.services, origin=request.origin.country)
        quotes: list[Quote] = yield self.read(http, parse, operation="rate")
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        today = self.today()
        with owned(self.alias):
            # Every request of the flow is checked before the first is sent: the label request is built
            # here for that, and once more below with the ids of the uploaded documents.
            http = build_ship(request, self.account, base_url=self.base_url, trans_id=new_trans_id(), today=today)
            upload = build_upload(request.documents, self.account, base_url=self.base_url, trans_id=new_trans_id(),
                                  reference=request.reference) if request.documents else None
        if upload is not None:
            # Repeating an upload only leaves an unused document behind: safe to retry.
            ids: list[str] = yield self.write(upload, partial(parse_upload, carrier=self.alias),
                                              operation="paperless_upload", idempotent=True,
                                              reference=request.reference)
            http = build_ship(request, self.account, base_url=self.base_url, trans_id=new_trans_id(), today=today,
                              document_ids=ids)
        parse = partial(parse_ship, carrier=self.alias, label_format=request.label_format,
                        reference=request.reference, insured=request.insurance is not None,
                        is_return=request.return_shipment)
        label: Label = yield self.write(http, parse, operation="ship", idempotent=False,
                                        reference=request.reference)
        return label

    def void(self, label: Label) -> Flow[None]:
        with owned(self.alias):
            http = build_void(label, self.account, base_url=self.base_url, trans_id=new_trans_id())
        yield self.write(http, partial(parse_void, carrier=self.alias), operation="void", idempotent=True,
                         reference=label.reference)

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        with owned(self.alias):
            http = build_pickup(request, self.account, base_url=self.base_url, trans_id=new_trans_id())
        parse = partial(parse_pickup, carrier=self.alias, request=request)
        booked: Pickup = yield self.write(http, parse, operation="schedule_pickup", idempotent=False,
                                          reference=request.reference)
        return booked

    def cancel_pickup(self, pickup: Pickup) -> Flow[None]:
        with owned(self.alias):
            http = build_cancel_pickup(pickup, self.account, base_url=self.base_url, trans_id=new_trans_id())
        yield self.write(http, partial(parse_cancel_pickup, carrier=self.alias), operation="cancel_pickup",
                         idempotent=True, reference=None)

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        with owned(self.alias):
            number = number_asked(tracking_number)
            http = build_track(number, self.account, base_url=self.base_url, trans_id=new_trans_id())
        parse = partial(parse_track, carrier=self.alias, tracking_number=number)
        info: TrackingInfo = yield self.read(http, parse, operation="track")
        return info

    def find_label(self, reference: str) -> Flow[Label | None]:
        """The reference search names the packages; Label Recovery gives their label again. A shipment
        whose label UPS no longer keeps is still found: its label then holds no image."""
        with owned(self.alias):
            asked = reference_asked(reference)
            http = build_find(asked, self.account, base_url=self.base_url, trans_id=new_trans_id())
        numbers: list[str] = yield self.read(http, partial(parse_find, carrier=self.alias), operation="find_label",
                                             reference=asked)
        if not numbers:
            return None
        label_format = self.label_formats[0]
        recovery = build_recovery(numbers[0], self.account, base_url=self.base_url, trans_id=new_trans_id(),
                                  reference=asked, label_format=label_format)
        parse = partial(parse_recovery, carrier=self.alias, reference=asked, numbers=numbers,
                        label_format=label_format)
        try:
            label: Label = yield self.read(recovery, parse, operation="label_recovery", reference=asked)
        except NotFound:
            return Label(carrier=self.alias, tracking_number=numbers[0], tracking_numbers=numbers, label=b"",
                         label_format=label_format, reference=asked, carrier_data={"shipment_id": numbers[0]})
        return label


__all__ = ["UPS"]
