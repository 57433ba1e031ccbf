"""deleteShipmentRequest: cancel the courier pickup booked with a shipment.

DHL's rate book has no stand-alone pickup booking (the pickup travels with createShipmentRequest)
and no waybill deletion: ``deleteShipmentRequest`` cancels a booked pickup, identified by its
``DispatchConfirmationNumber``, pickup date and country. Voiding a label therefore cancels its pickup
when one was booked; a label without one has nothing to cancel at DHL (DHL bills what it collects).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.notifications import raise_for_notes
from carriergate.carriers.dhl_express.replies import DeleteReply, read
from carriergate.core.results import Label, Pickup

REQUESTOR = 45


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


def build_delete(pickup: Pickup, *, carrier: str, fallback_requestor: str) -> dict[str, Any]:
    """The body of a deleteShipmentRequest for ``pickup`` (its carrier_data carries the date and country)."""
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
    return {"PickupDate": day, "PickupCountry": country, "DispatchConfirmationNumber": number,
            "RequestorName": requestor}


def parse_delete(data: Any) -> None:
    reply = read(DeleteReply, data, what="delete reply")
    raise_for_notes(reply.notes)
