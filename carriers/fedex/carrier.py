"""The FedEx adapter: REST + JSON, OAuth2 client credentials (credentials in the form body).

Each operation is a flow that builds its requests with the operation's module (rate, ship and etd,
void, pickup, track, lookup) and makes every Call here, with :meth:`Carrier.read` or
:meth:`Carrier.write`. Return labels are shipments (ship.py); up to 30 numbers are tracked in one call.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.fedex import etd, lookup, pickup, rate, ship, track, void
from carriergate.carriers.fedex.account import HOSTS, FedExAccount
from carriergate.core.contract import CLASSIC, Capability, Carrier, Flow
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo, TrackingResult


def fresh_id() -> str:
    """A correlation id for an exchange that has no reference of ours (FedEx echoes it back)."""
    return str(uuid.uuid4())


class FedEx(Carrier[FedExAccount]):
    name = "fedex"
    title = "FedEx"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = CLASSIC | {Capability.RETURN_LABEL, Capability.FIND_LABEL}
    track_batch = track.BATCH
    emulator = "carriergate.sandbox.fedex:FedExEmulator"
    label_formats = ("PDF", "PNG", "ZPL", "EPL")
    account_model = FedExAccount

    def make_auth(self) -> httpx.Auth:
        from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials

        return OAuth2ClientCredentials(carrier=self.alias, token_url=self.base_url + "/oauth/token",
                                       client_id=self.account.client_id, client_secret=self.account.client_secret,
                                       credentials_in="form")

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        http = rate.build_rate(request, self.account, base_url=self.base_url, transaction_id=fresh_id())
        quotes: list[Quote] = yield self.read(
            http, partial(rate.parse_rate, carrier=self.alias, services=request.services), operation="rate")
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        # Every upload is built (and the shipment checked) before the first is sent.
        uploads = [etd.build_upload(request, doc, self.account, carrier=self.alias) for doc in request.documents]
        document_ids: list[str] = []
        for upload in uploads:
            # Uploading a document twice creates nothing a customer pays for: safe to retry.
            doc_id: str = yield self.write(upload, partial(etd.parse_upload, carrier=self.alias),
                                           operation="etd_upload", reference=request.reference, idempotent=True)
            document_ids.append(doc_id)
        http = ship.build_ship(request, self.account, base_url=self.base_url, document_ids=document_ids,
                               carrier=self.alias)
        parse = partial(ship.parse_ship, carrier=self.alias, request=request,
                        account_number=self.account.account_number)
        label: Label = yield self.write(http, parse, operation="ship", reference=request.reference, idempotent=False)
        return label

    def void(self, label: Label) -> Flow[None]:
        http = void.build_void(label, self.account, base_url=self.base_url,
                               transaction_id=label.reference or fresh_id())
        yield self.write(http, partial(void.parse_void, carrier=self.alias), operation="void",
                         reference=label.reference, idempotent=True)

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        http = pickup.build_pickup(request, self.account, base_url=self.base_url, carrier=self.alias)
        parse = partial(pickup.parse_pickup, carrier=self.alias, request=request,
                        carrier_code=self.account.pickup_carrier_code)
        booked: Pickup = yield self.write(http, parse, operation="schedule_pickup", reference=request.reference,
                                          idempotent=False)
        return booked

    def cancel_pickup(self, pickup_: Pickup) -> Flow[None]:
        http = pickup.build_cancel_pickup(pickup_, self.account, base_url=self.base_url, transaction_id=fresh_id(),
                                          carrier=self.alias)
        yield self.write(http, partial(pickup.parse_cancel_pickup, carrier=self.alias), operation="cancel_pickup",
                         reference=None, idempotent=True)

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        # The gateway has checked the number (core.contract.tracking_number) before the flow starts.
        http = track.build_track(tracking_number, self.account, base_url=self.base_url, transaction_id=fresh_id())
        info: TrackingInfo = yield self.read(
            http, partial(track.parse_track, carrier=self.alias, tracking_number=tracking_number), operation="track")
        return info

    def track_many(self, tracking_numbers: Sequence[str]) -> Flow[TrackingResult]:
        """One call per :attr:`track_batch` numbers (the gateway sends at most that many), each
        number's result or error kept."""
        numbers = list(tracking_numbers)
        result = TrackingResult()
        for start in range(0, len(numbers), self.track_batch):
            batch = numbers[start:start + self.track_batch]
            http = track.build_track_many(batch, self.account, base_url=self.base_url, transaction_id=fresh_id())
            part: TrackingResult = yield self.read(
                http, partial(track.parse_track_many, carrier=self.alias, tracking_numbers=batch), operation="track")
            result.tracked.update(part.tracked)
            result.errors.update(part.errors)
        return result

    def find_label(self, reference: str) -> Flow[Label | None]:
        """The shipment FedEx holds under our reference (a look-up: safe to repeat), without its image."""
        http = lookup.build_find(reference, self.account, base_url=self.base_url, transaction_id=fresh_id())
        found: Label | None = yield self.read(
            http, partial(lookup.parse_find, carrier=self.alias, reference=reference), operation="find_label",
            reference=reference)
        return found
