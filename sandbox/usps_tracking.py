"""What the USPS emulator answers about its labels' journeys: ``TrackingDetails`` of tracking.yaml,
one more scan revealed per query (dated by :mod:`.journey`, never in the future).

The scans carry Publication 199 style ``eventCode`` values and USPS's ``eventType`` and
``statusCategory`` texts, as USPS's tracking pages show them; written from the documentation,
never from the adapter's code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from carriergate.sandbox import journey

#: (eventCode, eventType, statusCategory, at the destination?)
SCANS = [("GX", "Shipping Label Created, USPS Awaiting Item", "Pre-Shipment", False),
         ("03", "USPS picked up item", "Accepted", False),
         ("10", "Arrived at USPS Regional Facility", "In Transit", False),
         ("07", "Arrived at Post Office", "In Transit", True),
         ("OF", "Out for Delivery", "Out for Delivery", True),
         ("01", "Delivered, Front Door/Porch", "Delivered", True)]
STEP = timedelta(hours=8)
#: Local time of the sandbox's scans: US Eastern standard time, minutes from GMT.
OFFSET_MINUTES = -300


@dataclass
class Parcel:
    tracking: str
    mail_class: str
    created: datetime
    origin: dict[str, Any]
    destination: dict[str, Any]
    international: bool
    recipient: str = ""
    cancelled: bool = False
    revealed: list[datetime] = field(default_factory=list)

    def reveal(self, now: datetime) -> None:
        if self.cancelled or len(self.revealed) >= len(SCANS):
            return
        self.revealed.append(journey.stamp(self.created, STEP, len(self.revealed), len(SCANS), now))


def _place(address: dict[str, Any]) -> dict[str, str]:
    out = {"eventCity": str(address.get("city", "")).upper()}
    if address.get("state"):
        out["eventState"] = str(address["state"])
    if address.get("ZIPCode"):
        out["eventZIP"] = str(address["ZIPCode"])
    country = address.get("countryISOAlpha2Code")
    out["eventCountry"] = str(country) if country else "US"
    return out


def details(parcel: Parcel, now: datetime) -> dict[str, Any]:
    """The parcel's TrackingDetails after revealing one more scan (none once cancelled)."""
    parcel.reveal(now)
    events: list[dict[str, Any]] = []
    for when, (code, kind, _, at_destination) in zip(parcel.revealed, SCANS, strict=False):
        local = when.astimezone(UTC) + timedelta(minutes=OFFSET_MINUTES)
        event: dict[str, Any] = {
            "eventType": kind, "eventCode": code,
            "eventTimestamp": local.replace(tzinfo=None).isoformat(timespec="seconds"),
            "GMTTimestamp": when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "GMTOffset": str(OFFSET_MINUTES), **_place(parcel.destination if at_destination else parcel.origin)}
        if code == "01" and parcel.recipient:
            event["name"] = parcel.recipient.upper()
        events.append(event)
    events.reverse()
    index = len(parcel.revealed) - 1
    status, category = (SCANS[index][1], SCANS[index][2]) if index >= 0 else ("Label Created", "Pre-Shipment")
    if parcel.cancelled:
        status, category = "Label Cancelled", "Alert"
    body: dict[str, Any] = {
        "trackingNumber": parcel.tracking, "mailClass": parcel.mail_class, "status": status,
        "statusCategory": category, "statusSummary": f"{status}.", "trackingEvents": events,
        "mailType": "INTERNATIONAL_OUTBOUND" if parcel.international else "DOMESTIC_MAIL",
        "originCity": str(parcel.origin.get("city", "")), "originZIP": str(parcel.origin.get("ZIPCode", "")),
        "destinationCity": str(parcel.destination.get("city", "")),
    }
    if category != "Delivered" and not parcel.cancelled:
        body["expectedDeliveryTimeStamp"] = (parcel.created + timedelta(days=3)).astimezone(UTC).isoformat(
            timespec="seconds").replace("+00:00", "Z")
    return body
