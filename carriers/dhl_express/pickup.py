"""Courier pickups: a stand-alone booking (MyDHL ``POST /pickups``), its cancellation, the
cancellation of the pickup booked with a shipment (``deleteShipmentRequest``), and the rule that
makes voiding a DHL label just that.

DHL's rate book has no stand-alone pickup booking (a pickup travels with createShipmentRequest) and
no waybill deletion: ``deleteShipmentRequest`` cancels a booked pickup, identified by its
``DispatchConfirmationNumber``, pickup date and country. Voiding a label therefore cancels its pickup
when one was booked (:func:`pickup_to_void`); a label without one has nothing to cancel at DHL (DHL
bills what it collects), and is refused with NotSupported rather than reported as voided.

A stand-alone pickup is booked through the MyDHL API (mydhl.py) and cancelled there too
(``DELETE /pickups/{dispatchConfirmationNumber}``); ``Pickup.carrier_data["api"]`` says which.
MyDHL requires each package's dimensions, which a PickupRequest does not carry: the courier is booked
by count and weight, so each package is sent with the smallest dimensions DHL accepts (1 cm).
MyDHL's ``PATCH /pickups/{number}`` updates such a booking (:func:`build_update_pickup`, the
carrier's ``modify_pickup``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import httpx

from carriergate.carriers.dhl_express import mydhl
from carriergate.carriers.dhl_express.account import DHLExpressAccount
from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.errors import raise_for_notes
from carriergate.carriers.dhl_express.measures import fixed, ship_timestamp, up_to_milli
from carriergate.carriers.dhl_express.parties import REQUESTOR
from carriergate.carriers.dhl_express.replies import DeleteReply, read
from carriergate.carriers.dhl_express.services import RATE_BOOK, rate_book_url
from carriergate.core.errors import MalformedResponse, NotSupported
from carriergate.core.notices import Notice
from carriergate.core.results import Label, Pickup
from carriergate.core.shipment import PickupRequest
from carriergate.protocols.http import json_body, json_number, json_request
from carriergate.protocols.json_reading import as_list, obj, text

OPERATION = "deleteShipmentRequest"


def pickup_from_label(label: Label) -> Pickup | None:
    """The courier pickup booked with ``label``, as a Pickup that ``cancel_pickup`` accepts; None when
    the shipment was created without one."""
    data = label.carrier_data
    number = data.get("dispatch_confirmation_number")
    if not number:
        return None
    return Pickup(carrier=label.carrier, confirmation_number=number,
                  carrier_data={k: v for k, v in data.items()
                                if k in ("ship_date", "pickup_country", "requestor_name", "shipment_id")})


def pickup_to_void(label: Label, *, carrier: str) -> Pickup:
    """The pickup that voiding ``label`` cancels. DHL's SOAP service has no way to cancel the shipment
    itself (an unused label is not billed), so a label without a booked pickup raises NotSupported
    before anything is built or sent."""
    pickup = pickup_from_label(label)
    if pickup is None:
        raise NotSupported("DHL Express cannot void a shipment through this service; only the courier "
                           "pickup booked with it can be cancelled (an unused label is not billed)",
                           carrier=carrier, code="nothing_to_void")
    return pickup


def build_cancel_pickup(pickup: Pickup, *, base_url: str, carrier: str, fallback_requestor: str) -> httpx.Request:
    """The deleteShipmentRequest for ``pickup`` (its carrier_data carries the date and country; the
    requestor is the account's user when the label did not keep one)."""
    checks = Checks(carrier)
    data = pickup.carrier_data
    number = checks.text("confirmation_number", pickup.confirmation_number, 64, required=True)
    country = checks.text("carrier_data.pickup_country", data.get("pickup_country"), 2, required=True)
    raw_date = data.get("pickup_date") or data.get("ship_date")
    day: date | None = None
    if not raw_date and pickup.ready_at is not None:
        day = pickup.ready_at.date()
    elif raw_date:
        try:
            day = date.fromisoformat(raw_date)
        except ValueError:
            checks.fail("carrier_data.ship_date", f"{raw_date!r} is not an ISO date")
    else:
        checks.fail("carrier_data.ship_date", "the pickup date is needed to cancel a DHL Express pickup")
    requestor = checks.text("carrier_data.requestor_name", data.get("requestor_name") or fallback_requestor,
                            REQUESTOR, required=True)
    checks.done()
    return RATE_BOOK.request(OPERATION, rate_book_url(base_url), PickupDate=day, PickupCountry=country,
                             DispatchConfirmationNumber=number, RequestorName=requestor)


def parse_cancel_pickup(response: httpx.Response) -> None:
    reply = read(DeleteReply, RATE_BOOK.parse(OPERATION, response), what="delete reply")
    raise_for_notes(reply.notes)


# -- a stand-alone pickup (MyDHL API) -------------------------------------------------------------
INSTRUCTION = 80  # characters of one special instruction; DHL takes up to four
MYDHL = "mydhl"  # Pickup.carrier_data["api"] of a pickup booked through the MyDHL API


def build_pickup(request: PickupRequest, account: DHLExpressAccount, *, root: str, reference: str,
                 carrier: str) -> httpx.Request:
    """The MyDHL ``POST /pickups`` for ``request`` (ValidationError before anything is sent)."""
    checks = Checks(carrier)
    body = _pickup_body(checks, request, account)
    checks.done()
    return json_request("POST", f"{root}/pickups", body, headers=mydhl.headers(reference))


def build_update_pickup(pickup: Pickup, request: PickupRequest, account: DHLExpressAccount, *, root: str,
                        reference: str, carrier: str) -> httpx.Request:
    """The MyDHL ``PATCH /pickups/{dispatchConfirmationNumber}`` that moves ``pickup`` to what
    ``request`` says (window, address, parcels), booked under the same shipper account."""
    checks = Checks(carrier)
    number = checks.text("confirmation_number", pickup.confirmation_number, 20, required=True) or ""
    if pickup.carrier_data.get("api") != MYDHL:
        checks.fail("carrier_data.api", "only a pickup booked on its own (schedule_pickup) can be updated at DHL")
    body = {"dispatchConfirmationNumber": number, "originalShipperAccountNumber": account.account_number,
            **_pickup_body(checks, request, account)}
    checks.done()
    return json_request("PATCH", f"{root}/pickups/{quote(number, safe='')}", body, headers=mydhl.headers(reference))


def _pickup_body(checks: Checks, request: PickupRequest, account: DHLExpressAccount) -> dict[str, Any]:
    window = request.window
    shipper = [{"typeCode": "shipper", "number": account.account_number}]
    count = request.parcel_count
    each = max(up_to_milli(request.total_weight.kg / count), Decimal("0.001"))
    international = request.destination_country is not None and request.destination_country != \
        request.address.country
    body: dict[str, Any] = {
        "plannedPickupDateAndTime": ship_timestamp(window.start),
        "closeTime": window.end.astimezone(window.start.tzinfo).strftime("%H:%M"),
        "locationType": "residence" if request.address.residential else "business",
        "accounts": shipper,
    }
    instructions = (request.instructions or "").strip()
    if instructions:
        chunks = [instructions[i:i + INSTRUCTION] for i in range(0, len(instructions), INSTRUCTION)]
        body["specialInstructions"] = [{"value": chunk} for chunk in chunks]
    body["customerDetails"] = {"shipperDetails": {
        "postalAddress": mydhl.address(checks, "address", request.address),
        "contactInformation": mydhl.contact(checks, "address", request.address)}}
    details: dict[str, Any] = {
        "productCode": "P" if international else "N",
        "accounts": shipper,
        "isCustomsDeclarable": international,
        "unitOfMeasurement": "metric",
        "packages": [{"weight": json_number(fixed(each)), "dimensions": {"length": 1, "width": 1, "height": 1}}
                     for _ in range(count)],
    }
    if len(request.tracking_numbers) == 1:
        details["shipmentTrackingNumber"] = request.tracking_numbers[0]
    body["shipmentDetails"] = [details]
    return body


def parse_pickup(response: httpx.Response, *, request: PickupRequest, carrier: str) -> Pickup:
    """The booked (or updated) pickup: DHL's first dispatch confirmation number, and what cancelling
    it needs. An update answers with ``dispatchConfirmationNumber`` (one) instead of a list."""
    mydhl.raise_for_problem(response, carrier=carrier)
    data = obj(json_body(response, carrier=carrier))
    numbers = [n for n in (text(v) for v in [*as_list(data.get("dispatchConfirmationNumbers")),
                                              data.get("dispatchConfirmationNumber")]) if n]
    if not numbers:
        raise MalformedResponse("DHL Express pickup reply has no dispatchConfirmationNumbers", carrier=carrier)
    warnings = [Notice(message=w) for w in (text(v) for v in as_list(data.get("warnings"))) if w]
    if len(numbers) > 1:
        warnings.append(Notice(message=f"DHL Express booked {len(numbers)} pickups: {', '.join(numbers)}",
                               code="several_pickups"))
    window = request.window
    carrier_data = {"api": MYDHL, "pickup_date": window.start.date().isoformat(),
                    "pickup_country": request.address.country, "requestor_name": request.address.name[:REQUESTOR]}
    for key, field in (("ready_by_time", "readyByTime"), ("next_pickup_date", "nextPickupDate")):
        value = text(data.get(field))
        if value:
            carrier_data[key] = value
    return Pickup(carrier=carrier, confirmation_number=numbers[0], ready_at=window.start, close_at=window.end,
                  carrier_data=carrier_data, warnings=warnings)


def build_cancel_booked(pickup: Pickup, *, root: str, reference: str, carrier: str,
                        fallback_requestor: str) -> httpx.Request:
    """MyDHL ``DELETE /pickups/{dispatchConfirmationNumber}`` for a pickup booked there."""
    checks = Checks(carrier)
    number = checks.text("confirmation_number", pickup.confirmation_number, 64, required=True) or ""
    requestor = checks.text("carrier_data.requestor_name",
                            pickup.carrier_data.get("requestor_name") or fallback_requestor, REQUESTOR, required=True)
    checks.done()
    query = httpx.QueryParams({"requestorName": requestor or "", "reason": "cancelled by the shipper"})
    return httpx.Request("DELETE", f"{root}/pickups/{quote(number, safe='')}", params=query,
                         headers={"accept": "application/json", **mydhl.headers(reference)})


def parse_cancel_booked(response: httpx.Response, *, carrier: str) -> None:
    mydhl.raise_for_problem(response, carrier=carrier)
