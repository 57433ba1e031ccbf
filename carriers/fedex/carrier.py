"""The FedEx adapter: REST + JSON, OAuth2 client credentials (credentials in the form body)."""

from __future__ import annotations

from typing import ClassVar

import httpx

from carriergate.carriers.fedex import cancel, etd, pickup, rate, ship, track
from carriergate.carriers.fedex.account import HOSTS, FedExAccount
from carriergate.core.contract import Capability, Carrier, Flow
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo


class FedEx(Carrier[FedExAccount]):
    name = "fedex"
    title = "FedEx"
    hosts: ClassVar[dict[str, str]] = HOSTS
    capabilities = frozenset(Capability)
    emulator = "carriergate.sandbox.fedex:FedExEmulator"
    label_formats = ("PDF", "PNG", "ZPL", "EPL")
    account_model = FedExAccount

    def __init__(self, account: FedExAccount, *, alias: str | None = None) -> None:
        super().__init__(account, alias=alias)
        self.account: FedExAccount = account

    def make_auth(self) -> httpx.Auth:
        from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials

        return OAuth2ClientCredentials(carrier=self.alias, token_url=self.base_url + "/oauth/token",
                                       client_id=self.account.client_id, client_secret=self.account.client_secret,
                                       credentials_in="form")

    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        call = rate.rate_call(self.account, self.base_url, request, carrier=self.alias)
        return (yield call)  # type: ignore[no-any-return]

    def ship(self, request: ShipRequest) -> Flow[Label]:
        ship.validate(request, carrier=self.alias)
        uploads = [etd.upload_call(self.account, request, doc, carrier=self.alias) for doc in request.documents]
        document_ids: list[str] = []
        for upload in uploads:
            document_ids.append((yield upload))
        return (yield ship.ship_call(self.account, self.base_url, request, document_ids, carrier=self.alias))  # type: ignore[no-any-return]

    def void(self, label: Label) -> Flow[None]:
        yield cancel.cancel_call(self.account, self.base_url, label, carrier=self.alias)

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        pickup.validate(request, carrier=self.alias)
        return (yield pickup.pickup_call(self.account, self.base_url, request, carrier=self.alias))  # type: ignore[no-any-return]

    def cancel_pickup(self, pickup_: Pickup) -> Flow[None]:
        if not (pickup_.carrier_data.get("scheduled_date") or pickup_.ready_at):
            raise ValidationError(FieldError("carrier_data.scheduled_date", "FedEx needs the pickup's scheduled date"),
                                  carrier=self.alias)
        yield pickup.cancel_pickup_call(self.account, self.base_url, pickup_, carrier=self.alias)

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        number = tracking_number.strip()
        if not number:
            raise ValidationError(FieldError("tracking_number", "must not be empty"), carrier=self.alias)
        return (yield track.track_call(self.account, self.base_url, number, carrier=self.alias))  # type: ignore[no-any-return]
