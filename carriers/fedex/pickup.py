"""Pickups: ``POST /pickup/v1/pickups`` to book, ``PUT /pickup/v1/pickups/cancel`` to cancel.

FedEx times are local to the pickup address and carry no zone designator: the window is written in
the offset the caller gave it. Cancelling needs the confirmation code, the scheduled date and the
location FedEx returned, so they travel in ``Pickup.carrier_data``.
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import output
from carriergate.carriers.fedex.notices import alerts
from carriergate.core.errors import FieldError, MalformedResponse, ValidationError
from carriergate.core.results import Pickup
from carriergate.core.shipment import PickupRequest
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import text

PATH = "/pickup/v1/pickups"
CANCEL_PATH = "/pickup/v1/pickups/cancel"


def _validate(request: PickupRequest, *, carrier: str) -> None:
    problems = [FieldError(f"address.{name}", "FedEx needs it to book a pickup")
                for name in ("state", "postal_code") if not getattr(request.address, name)]
    if problems:
        raise ValidationError(problems, carrier=carrier)
    p.phone_digits(request.address, "address")


def _body(request: PickupRequest, account: FedExAccount) -> dict[str, Any]:
    location_address = p.address(request.address)
    location_address.setdefault("stateOrProvinceCode", request.address.state)  # required here, codes or not
    contact = p.contact(request.address, "address")
    contact.pop("emailAddress", None)  # the pickup contact has no e-mail field
    body: dict[str, Any] = {
        "associatedAccountNumber": {"value": account.account_number},
        "originDetail": {
            "pickupLocation": {"contact": contact, "address": location_address},
            "readyDateTimestamp": request.window.start.strftime("%Y-%m-%dT%H:%M:%S"),
            "customerCloseTime": request.window.end.strftime("%H:%M:%S"),
            "packageLocation": "FRONT",
        },
        "packageCount": request.parcel_count,
        "totalWeight": p.weight(request.total_weight, p.unit_system(request.total_weight)[0]),
        "carrierCode": account.pickup_carrier_code,
    }
    if request.destination_country:
        body["countryRelationships"] = ("DOMESTIC" if request.destination_country == request.address.country
                                        else "INTERNATIONAL")
    if request.instructions:
        body["remarks"] = request.instructions
    if request.tracking_numbers:
        body["trackingNumber"] = request.tracking_numbers[0]
    return body


def build_pickup(request: PickupRequest, account: FedExAccount, *, base_url: str, carrier: str) -> httpx.Request:
    """The booking request, refused (ValidationError naming the field) before anything is sent; our
    reference is the correlation header."""
    _validate(request, carrier=carrier)
    return json_request("POST", base_url + PATH, _body(request, account),
                        headers=p.headers(request.reference, account.locale))


def parse_pickup(response: httpx.Response, *, carrier: str, request: PickupRequest, carrier_code: str) -> Pickup:
    out, request_id = output(response, carrier=carrier)
    code = text(out.get("pickupConfirmationCode"))
    if code is None:
        raise MalformedResponse("pickup answer has no pickupConfirmationCode", carrier=carrier,
                                http_status=response.status_code, request_id=request_id)
    data = {"scheduled_date": request.window.start.date().isoformat(), "carrier_code": carrier_code,
            "country": request.address.country}
    location = text(out.get("location"))
    if location:
        data["location"] = location
    return Pickup(carrier=carrier, confirmation_number=code, ready_at=request.window.start,
                  close_at=request.window.end, carrier_data=data, warnings=alerts(out))


def build_cancel_pickup(pickup: Pickup, account: FedExAccount, *, base_url: str, transaction_id: str,
                        carrier: str) -> httpx.Request:
    """The cancel request. FedEx finds a pickup by its confirmation code and scheduled date, so a
    pickup without a date is refused before anything is sent. ``transaction_id`` is the correlation
    header."""
    scheduled = pickup.carrier_data.get("scheduled_date") or (pickup.ready_at.date().isoformat()
                                                              if pickup.ready_at else None)
    if not scheduled:
        raise ValidationError(FieldError("carrier_data.scheduled_date", "FedEx needs the pickup's scheduled date"),
                              carrier=carrier)
    body: dict[str, Any] = {
        "associatedAccountNumber": {"value": account.account_number},
        "pickupConfirmationCode": pickup.confirmation_number,
        "scheduledDate": scheduled,
        "carrierCode": pickup.carrier_data.get("carrier_code", account.pickup_carrier_code),
    }
    if pickup.carrier_data.get("location"):
        body["location"] = pickup.carrier_data["location"]
    return json_request("PUT", base_url + CANCEL_PATH, body, headers=p.headers(transaction_id, account.locale))


def parse_cancel_pickup(response: httpx.Response, *, carrier: str) -> None:
    output(response, carrier=carrier)
