"""The USPS adapter (APIs v3): REST + JSON behind OAuth2 client credentials and, for label calls, a
payment authorization token. Each operation is a flow that builds its request (``rate``, ``ship``,
``void``, ``pickup``, ``track``), yields it as a read or a write, and returns the parsed answer; no
I/O happens here.

Labels are the one write USPS lets us repeat: every label request carries an idempotency key made
from our reference, so the Call says ``honours_idempotency_key=True`` and the executor may retry it
after an ambiguous failure (a lost answer): USPS then returns the label it made, with no second
postage charge.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.usps.account import HOSTS, USPSAccount
from carriergate.carriers.usps.auth import bearer, label_auth
from carriergate.carriers.usps.endpoints import idempotency_key
from carriergate.carriers.usps.errors import owned
from carriergate.carriers.usps.lookup import build_find, parse_find, reference_asked
from carriergate.carriers.usps.parties import DOMESTIC
from carriergate.carriers.usps.pickup import (
    build_cancel_pickup,
    build_modify_pickup,
    build_pickup,
    build_pickup_lookup,
    parse_cancel_pickup,
    parse_pickup,
    parse_pickup_etag,
)
from carriergate.carriers.usps.rate import build_rate, parse_rate
from carriergate.carriers.usps.rate_international import (
    build_international_rate,
    mail_classes,
    parse_international_rate,
)
from carriergate.carriers.usps.ship import build_ship, parse_ship
from carriergate.carriers.usps.track import build_track, number_asked, parse_track
from carriergate.carriers.usps.void import build_void, parse_void
from carriergate.core.contract import CLASSIC, Capability, Carrier, Flow
from carriergate.core.errors import NotFound
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.side_token import SideTokenAuth


def _today() -> date:
    return datetime.now(UTC).date()


class USPS(Carrier[USPSAccount]):
    """USPS domestic and international prices, domestic and international labels (bought once per
    reference), refunds, carrier pickups and tracking."""

    name = "usps"
    title = "USPS"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = CLASSIC | {Capability.RETURN_LABEL, Capability.FIND_LABEL, Capability.MODIFY_PICKUP}
    emulator = "carriergate.sandbox.usps:USPSEmulator"
    label_formats = ("PDF", "ZPL")
    account_model = USPSAccount

    def __init__(self, account: USPSAccount, *, alias: str | None = None,
                 today: Callable[[], date] = _today) -> None:
        """``today`` is the mailing date of a label or price with no ship date."""
        super().__init__(account, alias=alias)
        self.today = today
        self._label_auth: SideTokenAuth | None = None

    def make_auth(self) -> httpx.Auth:
        """The bearer flow of every call, and with it the label calls' flow (made once, under the base
        class's lock: one bearer cache and one payment token cache for the carrier instance)."""
        oauth = bearer(self.account, carrier=self.alias, base_url=self.base_url)
        self._label_auth = label_auth(self.account, oauth, carrier=self.alias, base_url=self.base_url)
        return oauth

    @property
    def label_auth(self) -> SideTokenAuth:
        """The auth of label calls: this carrier's bearer flow plus the payment authorization token."""
        if self.auth is None or self._label_auth is None:  # self.auth makes both, once
            raise RuntimeError("USPS label auth was not made")  # pragma: no cover - make_auth always makes it
        return self._label_auth

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        """Domestic prices for a US destination, international prices for any other."""
        insured = request.insurance is not None
        with owned(self.alias):
            if request.destination.country in DOMESTIC:
                http = build_rate(request, self.account, base_url=self.base_url, today=self.today(),
                                  carrier=self.alias)
                parse: Callable[[httpx.Response], list[Quote]] = partial(parse_rate, carrier=self.alias,
                                                                         insured=insured)
            else:
                http = build_international_rate(request, self.account, base_url=self.base_url, today=self.today(),
                                                carrier=self.alias)
                parse = partial(parse_international_rate, carrier=self.alias, insured=insured,
                                classes=tuple(mail_classes(request)))
        quotes: list[Quote] = yield self.read(http, parse, operation="rate")
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        with owned(self.alias):
            http = build_ship(request, self.account, base_url=self.base_url, today=self.today(), carrier=self.alias)
        parse = partial(parse_ship, carrier=self.alias, label_format=request.label_format,
                        reference=request.reference, international=request.destination.country not in DOMESTIC,
                        key=idempotency_key(self.account, request.reference), is_return=request.return_shipment)
        label: Label = yield self.write(http, parse, operation="ship", reference=request.reference,
                                        honours_idempotency_key=True, auth=self.label_auth)
        return label

    def void(self, label: Label) -> Flow[None]:
        with owned(self.alias):
            http = build_void(label, base_url=self.base_url)
        yield self.write(http, partial(parse_void, carrier=self.alias), operation="void", idempotent=True,
                         reference=label.reference, auth=self.label_auth)

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        with owned(self.alias):
            http = build_pickup(request, base_url=self.base_url)
        booked: Pickup = yield self.write(http, partial(parse_pickup, carrier=self.alias, request=request),
                                          operation="schedule_pickup", reference=request.reference)
        return booked

    def cancel_pickup(self, pickup: Pickup) -> Flow[None]:
        etag = yield from self._etag(pickup)
        http = build_cancel_pickup(pickup, etag, base_url=self.base_url)
        yield self.write(http, partial(parse_cancel_pickup, carrier=self.alias), operation="cancel_pickup",
                         idempotent=True, reference=None)

    def _etag(self, pickup: Pickup) -> Flow[str]:
        """The pickup's current ETag (USPS wants it as If-Match on every PUT and DELETE)."""
        with owned(self.alias):
            lookup = build_pickup_lookup(pickup, base_url=self.base_url)
        etag: str = yield self.read(lookup, partial(parse_pickup_etag, carrier=self.alias), operation="pickup_lookup")
        return etag

    def modify_pickup(self, pickup: Pickup, request: PickupRequest) -> Flow[Pickup]:
        """A new day, address or parcel count for a booked pickup: the same confirmation number.
        Repeating the same change harms nothing (a write that may be repeated)."""
        with owned(self.alias):
            build_modify_pickup(pickup, request, "-", base_url=self.base_url)  # refused before anything is sent
        etag = yield from self._etag(pickup)
        http = build_modify_pickup(pickup, request, etag, base_url=self.base_url)
        moved: Pickup = yield self.write(http, partial(parse_pickup, carrier=self.alias, request=request),
                                         operation="modify_pickup", idempotent=True, reference=request.reference)
        return moved

    def find_label(self, reference: str) -> Flow[Label | None]:
        """The label bought under ``reference``, reprinted by its idempotency key (domestic first, then
        international); None when USPS made none. Each find uses one of the label's few reprints."""
        with owned(self.alias):
            asked = reference_asked(reference)
        key = idempotency_key(self.account, asked)
        label_format = self.label_formats[0]
        for international in (False, True):
            http = build_find(asked, self.account, base_url=self.base_url, label_format=label_format,
                              international=international)
            parse = partial(parse_find, carrier=self.alias, reference=asked, label_format=label_format,
                            international=international, key=key)
            try:
                label: Label = yield self.read(http, parse, operation="find_label", reference=asked,
                                               auth=self.label_auth)
            except NotFound:
                continue
            return label
        return None

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        with owned(self.alias):
            number = number_asked(tracking_number)
            http = build_track(number, base_url=self.base_url)
        info: TrackingInfo = yield self.read(http, partial(parse_track, carrier=self.alias, tracking_number=number),
                                             operation="track")
        return info


__all__ = ["USPS"]
