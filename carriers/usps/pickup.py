"""Carrier pickups (carrier-pickup.yaml): ``POST /pickup/v3/carrier-pickup`` books one; cancelling is
``DELETE /pickup/v3/carrier-pickup/{confirmationNumber}`` with ``If-Match`` set to the pickup's
current ETag, which USPS requires on every DELETE and PUT ("returned in the GET operation and good
for one hour or until it is used"). So a cancel first reads the pickup (``GET``, a read) for a fresh
ETag, then deletes it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from carriergate.carriers.usps.errors import checked, failed
from carriergate.carriers.usps.packages import up
from carriergate.carriers.usps.parties import domestic_address
from carriergate.core.contract import tracking_number
from carriergate.core.errors import FieldError, MalformedResponse, ValidationError
from carriergate.core.results import Pickup
from carriergate.core.shipment import PickupRequest
from carriergate.protocols.http import json_number, json_request
from carriergate.protocols.json_reading import text

#: Where the parcels wait (carrier-pickup.yaml ``packageLocation``); instructions go with it.
PACKAGE_LOCATION = "FRONT_DOOR"
INSTRUCTIONS_MAX = 200


def pickup_path(base_url: str, confirmation: str | None = None) -> str:
    url = f"{base_url}/pickup/v3/carrier-pickup"
    if confirmation is None:
        return url
    return f"{url}/{quote(tracking_number(confirmation, field='pickup.confirmation_number'), safe='')}"


def pickup_body(request: PickupRequest) -> dict[str, Any]:
    """carrier-pickup.yaml ``SchedulePickupRequest``. The pickup day is the window's start date as
    the caller wrote it (its own time zone)."""
    address = domestic_address(request.address, "address", with_email=False)
    contact: list[dict[str, str]] = []
    if request.address.email:
        contact.append({"email": request.address.email})
    digits = "".join(ch for ch in (request.address.phone or "") if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) == 10 and not contact:  # USPS marks cellNumber "for future use": e-mail first
        contact.append({"cellNumber": digits})
    if not contact:
        raise ValidationError(FieldError("address.phone", "USPS needs a US phone number or an e-mail to confirm"))
    street = {k: v for k, v in address.items() if k not in ("firstName", "lastName", "firm", "phone", "email")}
    pickup_address: dict[str, Any] = {"firstName": address["firstName"], "lastName": address["lastName"],
                                      "address": street, "contact": contact}
    if "firm" in address:
        pickup_address["firm"] = address["firm"]
    location: dict[str, Any] = {"packageLocation": PACKAGE_LOCATION}
    if request.instructions:
        location["specialInstructions"] = request.instructions[:INSTRUCTIONS_MAX]
    body = {"pickupDate": request.window.start.date().isoformat(), "pickupAddress": pickup_address,
            "packages": [{"packageType": "OTHER", "packageCount": request.parcel_count}],
            "estimatedWeight": json_number(max(up(request.total_weight.to("lb").value), Decimal("0.01"))),
            "pickupLocation": location}
    return body


def build_pickup(request: PickupRequest, *, base_url: str) -> httpx.Request:
    return json_request("POST", pickup_path(base_url), pickup_body(request))


def build_modify_pickup(pickup: Pickup, request: PickupRequest, etag: str, *, base_url: str) -> httpx.Request:
    """``PUT /pickup/v3/carrier-pickup/{n}`` (a ``PickupConfirmation`` body) with ``If-Match``."""
    schedule = pickup_body(request)
    body = {"confirmationNumber": pickup.confirmation_number, "pickupDate": schedule["pickupDate"],
            "carrierPickupRequest": schedule}
    return json_request("PUT", pickup_path(base_url, pickup.confirmation_number), body, headers={"If-Match": etag})


def parse_pickup(response: httpx.Response, *, carrier: str, request: PickupRequest) -> Pickup:
    body = checked(response, carrier=carrier)
    number = text(body.get("confirmationNumber"))
    if number is None:
        raise MalformedResponse("pickup answer has no confirmationNumber", carrier=carrier,
                                http_status=response.status_code)
    data = {"pickup_date": text(body.get("pickupDate")) or request.window.start.date().isoformat()}
    return Pickup(carrier=carrier, confirmation_number=number, ready_at=request.window.start,
                  close_at=request.window.end, carrier_data=data)


def build_pickup_lookup(pickup: Pickup, *, base_url: str) -> httpx.Request:
    return httpx.Request("GET", pickup_path(base_url, pickup.confirmation_number),
                         headers={"accept": "application/json"})


def parse_pickup_etag(response: httpx.Response, *, carrier: str) -> str:
    """The pickup's current ETag (a cancelled or unknown pickup: the typed error)."""
    if response.status_code >= 400:
        raise failed(response, carrier=carrier)
    etag: str | None = response.headers.get("etag")
    if not etag:
        raise MalformedResponse("pickup answer has no ETag header", carrier=carrier, http_status=response.status_code)
    return etag


def build_cancel_pickup(pickup: Pickup, etag: str, *, base_url: str) -> httpx.Request:
    return httpx.Request("DELETE", pickup_path(base_url, pickup.confirmation_number),
                         headers={"accept": "application/json", "If-Match": etag})


def parse_cancel_pickup(response: httpx.Response, *, carrier: str) -> None:
    if response.status_code >= 400:
        raise failed(response, carrier=carrier)

