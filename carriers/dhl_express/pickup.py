"""deleteShipmentRequest: cancel the courier pickup booked with a shipment, and the rule that makes
voiding a DHL label just that.

DHL's rate book has no stand-alone pickup booking (the pickup travels with createShipmentRequest)
and no waybill deletion: ``deleteShipmentRequest`` cancels a booked pickup, identified by its
``DispatchConfirmationNumber``, pickup date and country. Voiding a label therefore cancels its pickup
when one was booked (:func:`pickup_to_void`); a label without one has nothing to cancel at DHL (DHL
bills what it collects), and is refused with NotSupported rather than reported as voided.
"""

from __future__ import annotations

from datetime import date

import httpx

from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.errors import raise_for_notes
from carriergate.carriers.dhl_express.parties import REQUESTOR
from carriergate.carriers.dhl_express.replies import DeleteReply, read
from carriergate.carriers.dhl_express.services import RATE_BOOK, rate_book_url
from carriergate.core.errors import NotSupported
from carriergate.core.results import Label, Pickup

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
