"""What the FedEx emulator answers about its shipments: track results (one scan more per query),
up to 30 numbers per track request, and Track by References on the package customer references.

Written from FedEx's Track API documentation (the ``completeTrackResults[].trackResults[]`` shape,
``deliveryDetails`` on delivery, an unknown number as a result with an ``error``), never from the
adapter's code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from carriergate.sandbox import journey

#: The scan sequence a tracked shipment reveals, one step per track query: (eventType,
#: description, derivedStatusCode, derivedStatus). FedEx rolls the vehicle scan up to "IT".
SCANS = [("OC", "Shipment information sent to FedEx", "IN", "Initiated"), ("PU", "Picked up", "PU", "Picked up"),
         ("AR", "Arrived at FedEx location", "IT", "In transit"), ("DP", "Departed FedEx location", "IT", "In transit"),
         ("OD", "On FedEx vehicle for delivery", "IT", "In transit"), ("DL", "Delivered", "DL", "Delivered")]
#: FedEx tracks at most this many numbers per request.
TRACK_LIMIT = 30
#: Time between two scans of the sandbox's journey, when the emulator's clock has got that far.
STEP = timedelta(hours=6)


@dataclass
class Shipment:
    tracking: str
    pieces: list[str]
    service: str
    created: datetime
    origin: dict[str, Any]
    destination: dict[str, Any]
    days: int
    recipient_name: str = ""
    #: (customerReferenceType, value) of every package reference.
    references: set[tuple[str, str]] = field(default_factory=set)
    is_return: bool = False
    cancelled: bool = False
    #: When each scan was revealed (one more per track query, none once cancelled) and cancelled.
    revealed: list[datetime] = field(default_factory=list)
    cancelled_at: datetime | None = None

    def reveal(self, now: datetime) -> None:
        """One more scan, dated no later than ``now`` (and not before the last); none once cancelled."""
        if self.cancelled or len(self.revealed) >= len(SCANS):
            return
        self.revealed.append(journey.stamp(self.created, STEP, len(self.revealed), len(SCANS), now))


def not_found(number: str) -> dict[str, Any]:
    return {"trackingNumberInfo": {"trackingNumber": number},
            "error": {"code": "TRACKING.TRACKINGNUMBER.NOTFOUND",
                      "message": "Tracking number cannot be found. Please correct the tracking number and try again."}}


def _where(address: dict[str, Any]) -> dict[str, Any]:
    return {"city": address.get("city"), "countryCode": address.get("countryCode")}


def track_result(shipment: Shipment, number: str, now: datetime, *, advance: bool = True) -> dict[str, Any]:
    """The shipment's track result; a track query (``advance``) reveals one more scan, unless the
    shipment was cancelled: then its newest event is the cancellation and nothing follows. No event is
    dated after ``now``."""
    if advance:
        shipment.reveal(now)
    times = shipment.revealed or [shipment.created]
    events: list[dict[str, Any]] = []
    for i, (code, text, derived, derived_text) in enumerate(SCANS[:len(times)]):
        when = times[i]
        events.append({"date": when.isoformat(timespec="seconds"), "eventType": code, "eventDescription": text,
                       "derivedStatusCode": derived, "derivedStatus": derived_text,
                       "scanLocation": _where(shipment.destination if code in ("OD", "DL") else shipment.origin)})
    if shipment.cancelled:
        when = shipment.cancelled_at or now
        events.append({"date": when.isoformat(timespec="seconds"), "eventType": "CA",
                       "eventDescription": "Shipment cancelled by sender", "derivedStatusCode": "CA",
                       "derivedStatus": "Cancelled", "scanLocation": _where(shipment.origin)})
    events.reverse()
    latest = events[0]
    dates = [{"type": "SHIP", "dateTime": shipment.created.isoformat(timespec="seconds")}]
    if not shipment.cancelled and latest["eventType"] != "DL":  # a promise, so it may lie ahead
        dates.append({"type": "ESTIMATED_DELIVERY",
                      "dateTime": (shipment.created + timedelta(days=shipment.days)).isoformat(timespec="seconds")})
    result: dict[str, Any] = {
        "trackingNumberInfo": {"trackingNumber": number, "carrierCode": "FDXE"},
        "latestStatusDetail": {"code": latest["eventType"], "derivedCode": latest["derivedStatusCode"],
                               "description": latest["derivedStatus"]},
        "dateAndTimes": dates, "scanEvents": events, "serviceDetail": {"type": shipment.service},
    }
    if latest["eventType"] == "DL":
        dates.append({"type": "ACTUAL_DELIVERY", "dateTime": latest["date"]})
        name = shipment.recipient_name.split(" ")[-1].upper() or "RECIPIENT"
        result["deliveryDetails"] = {"receivedByName": name, "signedByName": name,
                                     "locationDescription": "Front Door", "locationType": "RESIDENCE"}
    if shipment.is_return:
        result["returnDetail"] = {"reasonDetail": [{"description": "Return shipment"}]}
    return result


def track_numbers(shipments: dict[str, Shipment], body: dict[str, Any], now: datetime) -> list[dict[str, Any]] | str:
    """completeTrackResults for every number asked, or the error message for a request FedEx refuses."""
    infos = body.get("trackingInfo") or []
    if not isinstance(infos, list) or not infos:
        return "Please provide tracking number."
    if len(infos) > TRACK_LIMIT:
        return f"Please provide no more than {TRACK_LIMIT} tracking numbers."
    results = []
    for info in infos:
        number = str(((info or {}).get("trackingNumberInfo") or {}).get("trackingNumber", ""))
        shipment = next((s for s in shipments.values() if number in s.pieces), None)
        result = not_found(number) if shipment is None else track_result(shipment, number, now)
        results.append({"trackingNumber": number, "trackResults": [result]})
    return results


def track_references(shipments: dict[str, Shipment], reference: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """completeTrackResults of every shipment carrying the reference (oldest first, as FedEx lists
    them); a result with an error when none does. Looking up does not advance the scans."""
    wanted = (str(reference.get("type", "")), str(reference.get("value", "")))
    found = sorted((s for s in shipments.values() if wanted in s.references), key=lambda s: s.created)
    if not found:
        return [{"trackingNumber": "", "trackResults": [
            {"error": {"code": "TRACKING.REFERENCENUMBER.NOTFOUND",
                       "message": "Reference number cannot be found. Please correct the reference number and "
                                  "try again."}}]}]
    return [{"trackingNumber": s.tracking, "trackResults": [track_result(s, s.tracking, now, advance=False)]}
            for s in found]
