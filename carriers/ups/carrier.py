"""The UPS adapter: REST + JSON behind OAuth2 client credentials. Each operation is a flow of
:class:`Call` objects; no I/O happens here."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from typing import ClassVar

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.customs import attach_documents
from carriergate.carriers.ups.errors import carrier_error
from carriergate.carriers.ups.paperless import parse_upload, upload_body
from carriergate.carriers.ups.pickup import CANCEL_BY_PRN, parse_cancel, parse_pickup, pickup_body
from carriergate.carriers.ups.rate import parse_rate, rate_body, request_option
from carriergate.carriers.ups.ship import parse_ship, ship_body
from carriergate.carriers.ups.track import parse_track
from carriergate.carriers.ups.void import parse_void, shipment_id
from carriergate.core.contract import Account, Call, Capability, Carrier, Flow
from carriergate.core.contract import tracking_number as checked_number
from carriergate.core.errors import CarrierError
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.http import json_request


class UPS(Carrier[UPSAccount]):
    name = "ups"
    title = "UPS"
    hosts: ClassVar[dict[str, str]] = {"sandbox": "https://wwwcie.ups.com", "production": "https://onlinetools.ups.com"}
    capabilities = frozenset(Capability)
    emulator = "carriergate.sandbox.ups:UPSEmulator"
    label_formats = ("GIF", "ZPL", "EPL")
    account_model = UPSAccount

    def __init__(self, account: Account, *, alias: str | None = None,
                 today: Callable[[], date] = lambda: datetime.now(UTC).date()) -> None:
        if not isinstance(account, UPSAccount):
            account = UPSAccount.model_validate(account.model_dump())
        super().__init__(account, alias=alias)
        self.settings: UPSAccount = account
        self.today = today

    def make_auth(self) -> httpx.Auth:
        return OAuth2ClientCredentials(
            carrier=self.alias, token_url=f"{self.base_url}/security/v1/oauth/token",
            client_id=self.settings.client_id, client_secret=self.settings.client_secret,
            credentials_in="basic", extra_headers={"x-merchant-id": self.settings.account_number},
            error_parser=partial(carrier_error, carrier=self.alias))

    # -- plumbing -----------------------------------------------------------------------------
    def headers(self, **extra: str) -> dict[str, str]:
        """``transId`` correlates one exchange (32 characters); ``transactionSrc`` names us."""
        return {"transId": uuid.uuid4().hex, "transactionSrc": self.settings.transaction_source, **extra}

    def url(self, path: str) -> str:
        return f"{self.base_url}/api/{path.lstrip('/')}"

    @contextmanager
    def _owned(self) -> Iterator[None]:
        """Errors raised while building a request name this account."""
        try:
            yield
        except CarrierError as err:
            err.carrier = self.alias
            raise

    # -- operations ---------------------------------------------------------------------------
    def rate(self, request: RateRequest) -> Flow[list[Quote]]:
        option = request_option(request, self.settings)
        with self._owned():
            body = rate_body(request, self.settings, option)
        http = json_request("POST", self.url(f"rating/{self.settings.api_version}/{option}"), body,
                            headers=self.headers())
        parse = partial(parse_rate, carrier=self.alias, insured=request.insurance is not None,
                        services=request.services)
        quotes: list[Quote] = yield Call(request=http, parse=parse, operation="rate", kind="read", idempotent=True)
        return quotes

    def ship(self, request: ShipRequest) -> Flow[Label]:
        with self._owned():
            body = ship_body(request, self.settings, today=self.today())
            upload = upload_body(request.documents, self.settings, reference=request.reference)
        if request.documents:
            http = json_request("POST", self.url(f"paperlessdocuments/{self.settings.paperless_version}/upload"),
                                upload, headers=self.headers(ShipperNumber=self.settings.account_number))
            # Repeating an upload only leaves an unused document behind: safe to retry.
            ids: list[str] = yield Call(request=http, parse=partial(parse_upload, carrier=self.alias),
                                        operation="paperless_upload",
                                            kind="write", idempotent=True, reference=request.reference)
            attach_documents(body, ids)
        http = json_request("POST", self.url(f"shipments/{self.settings.ship_version}/ship"), body,
                            headers=self.headers())
        parse = partial(parse_ship, carrier=self.alias, label_format=request.label_format,
                        reference=request.reference, insured=request.insurance is not None)
        label: Label = yield Call(request=http, parse=parse, operation="ship", kind="write", idempotent=False,
                                  reference=request.reference)
        return label

    def void(self, label: Label) -> Flow[None]:
        shipment = checked_number(shipment_id(label), field="label.carrier_data.shipment_id")  # a URL segment
        http = httpx.Request("DELETE", self.url(f"shipments/{self.settings.ship_version}/void/cancel/{shipment}"),
                             headers={"accept": "application/json", **self.headers()})
        yield Call(request=http, parse=partial(parse_void, carrier=self.alias), operation="void",
            kind="write", idempotent=True,
                   reference=label.reference)

    def schedule_pickup(self, request: PickupRequest) -> Flow[Pickup]:
        with self._owned():
            body = pickup_body(request, self.settings)
        http = json_request("POST", self.url(f"pickupcreation/{self.settings.pickup_version}/pickup"), body,
                            headers=self.headers())
        pickup: Pickup = yield Call(request=http, parse=partial(parse_pickup, carrier=self.alias, request=request),
                                    operation="schedule_pickup",
                                        kind="write", idempotent=False, reference=request.reference)
        return pickup

    def cancel_pickup(self, pickup: Pickup) -> Flow[None]:
        http = httpx.Request("DELETE", self.url(f"shipments/{self.settings.pickup_version}/pickup/{CANCEL_BY_PRN}"),
                             headers={"accept": "application/json",
                                      **self.headers(Prn=pickup.carrier_data.get("prn") or pickup.confirmation_number)})
        yield Call(request=http, parse=partial(parse_cancel, carrier=self.alias), operation="cancel_pickup",
                   kind="write", idempotent=True)

    def track(self, tracking_number: str) -> Flow[TrackingInfo]:
        number = checked_number(tracking_number).upper()  # it goes into the URL path
        http = httpx.Request("GET", self.url(f"track/{self.settings.track_version}/details/{number}"),
                             params={"locale": "en_US", "returnSignature": "false", "returnMilestones": "false",
                                     "returnPOD": "false"},
                             headers={"accept": "application/json", **self.headers()})
        info: TrackingInfo = yield Call(request=http, parse=partial(parse_track, carrier=self.alias,
                                                                    tracking_number=number),
                                        operation="track", kind="read", idempotent=True)
        return info


__all__ = ["UPS"]
