"""Tracking (``GET /api/track/<version>/details/<number>``): the package's activities as
TrackingEvents (newest first), its status, dates.

Times: UPS gives each activity's local ``date`` (YYYYMMDD) and ``time`` (HHMMSS) and, usually, its
``gmtOffset`` (``-05:00``) or the same moment in GMT (``gmtDate``/``gmtTime``). We use the local
time with its offset; failing that the GMT pair; failing both, the local time read as UTC (the
only aware reading available; UPS gave no zone for that activity).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, date, datetime, timedelta, timezone

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.endpoints import without_body
from carriergate.carriers.ups.errors import read
from carriergate.carriers.ups.shapes import yyyymmdd
from carriergate.core.contract import tracking_number as checked_number
from carriergate.core.errors import MalformedResponse, NotFound
from carriergate.core.notices import Notice
from carriergate.core.tracking import ProofOfDelivery, TrackingEvent, TrackingInfo, TrackingStatus
from carriergate.protocols.json_reading import JSON, dig, obj, records, text

S = TrackingStatus
#: UPS activity status types.
TYPES: dict[str, TrackingStatus] = {
    "M": S.PRE_TRANSIT, "MV": S.CANCELLED, "P": S.IN_TRANSIT, "I": S.IN_TRANSIT, "O": S.OUT_FOR_DELIVERY,
    "X": S.EXCEPTION, "D": S.DELIVERED, "RS": S.RETURNED_TO_SENDER, "DO": S.IN_TRANSIT, "DD": S.IN_TRANSIT,
    "W": S.IN_TRANSIT, "NA": S.UNKNOWN,
}  # fmt: skip
_OFFSET = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")
#: Only the activities: no signature image, milestones or proof of delivery.
QUERY = {"locale": "en_US", "returnSignature": "false", "returnMilestones": "false", "returnPOD": "false"}
#: With the delivery signature image and the proof of delivery (``UPSAccount.proof_of_delivery``).
QUERY_WITH_PROOF = {**QUERY, "returnSignature": "true", "returnPOD": "true"}
#: The raw codes an activity's status carries, under UPS's own names: the 3-digit package detail
#: code, the activity code (SR, OR, DP, ...) and the status type (I, D, X, ...).
CODE_FIELDS = ("statusCode", "code", "type")
_MAGIC = ((b"GIF8", "GIF"), (b"\x89PNG", "PNG"), (b"\xff\xd8", "JPEG"), (b"%PDF", "PDF"))


def number_asked(tracking_number: str) -> str:
    """The number as it goes into the URL path: checked (a ValidationError naming the field), upper case."""
    return checked_number(tracking_number).upper()


def build_track(tracking_number: str, account: UPSAccount, *, base_url: str, trans_id: str) -> httpx.Request:
    """The package's details; with its signature and proof of delivery when the account asks for them."""
    return without_body("GET", f"track/{account.track_version}/details/{number_asked(tracking_number)}", account,
                        base_url=base_url, trans_id=trans_id,
                        params=QUERY_WITH_PROOF if account.proof_of_delivery else QUERY)


def status_of(kind: str | None, description: str | None) -> TrackingStatus:
    words = (description or "").casefold()
    if "out for delivery" in words:
        return S.OUT_FOR_DELIVERY
    if kind == "X" and "attempt" in words:
        return S.DELIVERY_ATTEMPTED
    if kind in ("I", "X") and "access point" in words and ("ready for" in words or "available for" in words):
        return S.AVAILABLE_FOR_PICKUP
    return TYPES.get(kind or "", S.UNKNOWN)


def _moment(day: str | None, clock: str | None, tz: timezone) -> datetime | None:
    when = yyyymmdd(day)
    digits = (clock or "000000").replace(":", "")
    if when is None or not digits.isdigit() or len(digits) > 6:
        return None
    digits = digits.zfill(6)
    hour, minute, second = int(digits[:2]), int(digits[2:4]), int(digits[4:])
    if hour > 23 or minute > 59 or second > 59:
        return None
    return datetime(when.year, when.month, when.day, hour, minute, second, tzinfo=tz)


def _offset(raw: str | None) -> timezone | None:
    match = _OFFSET.match(raw or "")
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)


def located_time(activity: JSON) -> tuple[datetime | None, bool]:
    """The activity's time, and whether UPS gave its zone (an offset or the GMT pair)."""
    local_day, local_time = text(activity.get("date")), text(activity.get("time"))
    tz = _offset(text(activity.get("gmtOffset")))
    if tz is not None:
        moment = _moment(local_day, local_time, tz)
        if moment is not None:
            return moment, True
    moment = _moment(text(activity.get("gmtDate")), text(activity.get("gmtTime")), UTC)
    if moment is not None:
        return moment, True
    return _moment(local_day, local_time, UTC), False


def _location(activity: JSON) -> str | None:
    address = obj(dig(activity, "location", "address"))
    parts = [text(address.get(k)) for k in ("city", "stateProvince", "countryCode")]
    return ", ".join(p for p in parts if p) or None


def event(activity: JSON) -> TrackingEvent | None:
    moment, zone_known = located_time(activity)
    if moment is None:
        return None
    status = obj(activity.get("status"))
    kind, description = text(status.get("type")), text(status.get("description"))
    code = text(status.get("statusCode")) or text(status.get("code")) or kind
    codes = {name: value for name in CODE_FIELDS if (value := text(status.get(name)))}
    return TrackingEvent(occurred_at=moment, status=status_of(kind, description), code=code, codes=codes,
                         description=description or "", location=_location(activity), zone_known=zone_known)


def _estimated(package: JSON) -> date | None:
    dates = {text(d.get("type")): yyyymmdd(text(d.get("date"))) for d in records(package.get("deliveryDate"))}
    return dates.get("RDD") or dates.get("SDD")


def _image(raw: str | None) -> tuple[bytes | None, str | None]:
    """A base64 image UPS gives without naming its format: the bytes, and the format they show."""
    if not raw:
        return None, None
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None, None
    return content, next((name for magic, name in _MAGIC if content.startswith(magic)), None)


def proof(package: JSON, delivered: datetime | None) -> ProofOfDelivery | None:
    """``deliveryInformation`` (populated only once the package is delivered) as a ProofOfDelivery."""
    info = obj(package.get("deliveryInformation"))
    signature, signature_format = _image(text(dig(info, "signature", "image")))
    photo, photo_format = _image(text(dig(info, "deliveryPhoto", "photo")))
    if signature is None:  # the proof-of-delivery document stands in for a signature image
        signature, signature_format = _image(text(dig(info, "pod", "content")))
    signed_by, location = text(info.get("receivedBy")), text(info.get("location"))
    if not (signed_by or location or signature or photo):
        return None
    return ProofOfDelivery(signed_by=signed_by, signature=signature, signature_format=signature_format, photo=photo,
                           photo_format=photo_format, received_at=delivered, location=location)


def notices(shipment: JSON) -> list[Notice]:
    return [Notice(message=m, code=text(w.get("code"))) for w in records(shipment.get("warnings"))
            if (m := text(w.get("message")))]


def parse_track(response: httpx.Response, *, carrier: str, tracking_number: str) -> TrackingInfo:
    """``tracking_number`` is the number asked for: the answer's own when UPS does not repeat it."""
    data = read(response, carrier=carrier, wrapper="trackResponse")
    shipment = obj(data.get("shipment"))
    packages = records(shipment.get("package"))
    if not packages:
        warning = obj(shipment.get("warnings"))
        if warning or not shipment:
            raise NotFound(text(warning.get("message")) or "UPS has no tracking information for this number",
                           carrier=carrier, code=text(warning.get("code")), http_status=response.status_code)
        raise MalformedResponse("UPS tracking answer has no package", carrier=carrier, http_status=response.status_code)
    package = packages[0]
    events = [e for e in (event(a) for a in records(package.get("activity"))) if e is not None]
    events.sort(key=lambda e: e.occurred_at, reverse=True)
    current = obj(package.get("currentStatus"))
    if current:
        status = status_of(text(current.get("type")), text(current.get("description")))
        raw = text(current.get("statusCode")) or text(current.get("code")) or text(current.get("type"))
    else:
        status = events[0].status if events else S.UNKNOWN
        raw = events[0].code if events else None
    if status is S.UNKNOWN and events:
        status = events[0].status
    delivered = next((e.occurred_at for e in events if e.status is S.DELIVERED), None)
    delivered = delivered if status is S.DELIVERED else None
    return TrackingInfo(carrier=carrier, tracking_number=text(package.get("trackingNumber")) or tracking_number,
                        status=status, events=events, estimated_delivery=_estimated(package), delivered_at=delivered,
                        raw_status=raw, proof_of_delivery=proof(package, delivered), warnings=notices(shipment))
