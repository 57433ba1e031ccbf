"""trackShipmentRequest (glDHLExpressTrack): checkpoints as TrackingEvents, DHL's code kept raw.

Times: DHL reports each checkpoint as a local ``Date`` and ``Time`` at the service area. When the
time carries a GMT offset (``14:30:00+01:00``) it is used; when it does not, the zone of the service
area is unknown and the wall-clock time is labelled UTC (its digits are kept exactly). Unknown
waybills ("No Shipments Found", or a piece fault) raise NotFound with DHL's condition code.

Several waybills travel in one request (``AWBNumber`` holds a list; DHL's guide takes up to
:data:`BATCH` per request) and come back as one ``AWBInfo`` item each (:func:`parse_track_many`).
The request carries no shipper reference, so DHL offers no look-up by our reference here.
Proof of delivery: the signatory DHL records on the delivery checkpoint (``OK``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx

from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.replies import Checkpoint, TrackReply, Waybill, read
from carriergate.carriers.dhl_express.services import TRACKING, tracking_url
from carriergate.core.errors import CarrierError, MalformedResponse, NotFound
from carriergate.core.tracking import ProofOfDelivery, TrackingEvent, TrackingInfo, TrackingResult, TrackingStatus

OPERATION = "trackShipmentRequest"
S = TrackingStatus
#: DHL Express checkpoint codes and what they mean for the parcel.
EVENT_STATUS: dict[str, TrackingStatus] = {
    # picked up, moving through the network, clearing customs
    **dict.fromkeys(["PU", "SA", "PL", "DF", "AF", "AR", "FD", "TR", "TP", "SM", "IC", "CR", "BR", "BN", "RR",
                     "RW", "MC", "MS", "TD", "UD", "SC", "CI", "PO", "AD", "PD"], S.IN_TRANSIT),
    "WC": S.OUT_FOR_DELIVERY,
    "OK": S.DELIVERED, "DD": S.DELIVERED,
    **dict.fromkeys(["CA", "NH", "MD", "ND"], S.DELIVERY_ATTEMPTED),
    "CC": S.AVAILABLE_FOR_PICKUP,
    **dict.fromkeys(["BA", "CM", "RD", "OH", "HP", "CD", "SS", "DS"], S.EXCEPTION),
    "RT": S.RETURNED_TO_SENDER,
}
_WAYBILL = re.compile(r"^[0-9]{10,11}$")
_PIECE = re.compile(r"^[A-Za-z]{1,4}[A-Za-z0-9]{5,31}$")  # licence plates: JD014600003636319779
_NOT_FOUND = re.compile(r"no shipments? found|not found", re.I)
#: Waybills one trackShipmentRequest may carry (DHL's tracking guide; the WSDL sets no bound).
BATCH = 10


def is_waybill(number: str) -> bool:
    return bool(_WAYBILL.match(number.strip()))


def _query(now: datetime, reference: str) -> dict[str, Any]:
    return {"Request": {"ServiceHeader": {"MessageTime": now.astimezone(UTC).replace(microsecond=0).isoformat(),
                                          "MessageReference": reference}}}


def _finish(query: dict[str, Any], base_url: str) -> httpx.Request:
    query["LevelOfDetails"] = "ALL_CHECK_POINTS"
    query["PiecesEnabled"] = "S"
    return TRACKING.request(OPERATION, tracking_url(base_url), trackingRequest={"TrackingRequest": query})


def build_track(tracking_number: str, *, base_url: str, now: datetime, reference: str,
                carrier: str) -> httpx.Request:
    """The trackShipmentRequest for all checkpoints of one waybill (10-11 digits) or one piece (licence
    plate: letters then digits); ``reference`` is DHL's ``MessageReference`` (28 to 32 characters)."""
    checks = Checks(carrier)
    number = tracking_number.strip()
    query = _query(now, reference)
    if _WAYBILL.match(number):
        query["AWBNumber"] = {"ArrayOfAWBNumberItem": [number]}
    elif _PIECE.match(number):
        query["LPNumber"] = {"ArrayOfTrackingPieceIDItem": [number]}
    else:
        checks.fail("tracking_number", "a DHL Express waybill has 10 or 11 digits; a piece id starts with letters, "
                                       "up to 35 characters")
    checks.done()
    return _finish(query, base_url)


def build_track_many(waybills: Sequence[str], *, base_url: str, now: datetime, reference: str,
                     carrier: str) -> httpx.Request:
    """One trackShipmentRequest for up to :data:`BATCH` waybills (every one 10-11 digits)."""
    checks = Checks(carrier)
    numbers = [n.strip() for n in waybills]
    if not numbers or len(numbers) > BATCH:
        checks.fail("tracking_numbers", f"DHL Express tracks 1 to {BATCH} waybills per request (got {len(numbers)})")
    for i, number in enumerate(numbers):
        if not _WAYBILL.match(number):
            checks.fail(f"tracking_numbers[{i}]", "a DHL Express waybill has 10 or 11 digits")
    checks.done()
    query = _query(now, reference)
    query["AWBNumber"] = {"ArrayOfAWBNumberItem": list(dict.fromkeys(numbers))}
    return _finish(query, base_url)


def local_moment(day: str | None, clock: str | None) -> tuple[datetime, bool]:
    """A checkpoint's date and time as an aware datetime, and whether DHL gave its zone (see the
    module note on zones)."""
    try:
        when = datetime.fromisoformat(f"{(day or '').strip()}T{(clock or '00:00:00').strip()}")
    except ValueError:
        raise MalformedResponse(f"DHL Express checkpoint time {day!r} {clock!r} is unreadable") from None
    return (when, True) if when.tzinfo is not None else (when.replace(tzinfo=UTC), False)


def event(checkpoint: Checkpoint) -> TrackingEvent:
    code = (checkpoint.code or "").strip().upper()
    description = (checkpoint.description or "").strip()
    if checkpoint.signatory and code == "OK":
        description = f"{description} (signed by {checkpoint.signatory.strip()})".strip()
    area = checkpoint.area.strip() if checkpoint.area else None
    occurred, zone_known = local_moment(checkpoint.date, checkpoint.time)
    codes = {"EventCode": code} if code else {}
    if checkpoint.area_code and checkpoint.area_code.strip():
        codes["ServiceAreaCode"] = checkpoint.area_code.strip()
    return TrackingEvent(occurred_at=occurred, zone_known=zone_known,
                         status=EVENT_STATUS.get(code, S.UNKNOWN), code=code or None, codes=codes,
                         description=description, location=area)


def _estimate(value: str | None) -> date | datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.date()


def _condition(waybill: Waybill) -> tuple[str | None, str | None]:
    first = waybill.conditions[0] if waybill.conditions else None
    return (first.code if first else None), (first.data if first else None)


def _own(code: str | None) -> str | None:
    """DHL's own condition code, stripped; None (the error class's default) when it gave none."""
    return (code or "").strip() or None


def _reply(response: httpx.Response) -> TrackReply:
    data = TRACKING.parse(OPERATION, response)
    body = data.get("TrackingResponse", data) if isinstance(data, dict) else data
    if body is None:
        raise MalformedResponse("DHL Express tracking reply is empty")
    return read(TrackReply, body, what="tracking reply")


def _proof(waybill: Waybill) -> ProofOfDelivery | None:
    """Who signed for the parcel, from the newest delivery checkpoint that names a signatory."""
    checkpoints = waybill.journey.events if waybill.journey else []
    for checkpoint in sorted(checkpoints, key=lambda c: local_moment(c.date, c.time)[0], reverse=True):
        if (checkpoint.code or "").strip().upper() in ("OK", "DD") and (checkpoint.signatory or "").strip():
            when, _ = local_moment(checkpoint.date, checkpoint.time)
            area = (checkpoint.area or "").strip() or None
            return ProofOfDelivery(signed_by=(checkpoint.signatory or "").strip(), received_at=when, location=area)
    return None


def tracking_info(waybill: Waybill, *, tracking_number: str, carrier: str) -> TrackingInfo:
    """One ``AWBInfo`` item as TrackingInfo, or the NotFound/CarrierError DHL's status says."""
    action = (waybill.action or "").strip()
    code, detail = _condition(waybill)
    if _NOT_FOUND.search(action) or _NOT_FOUND.search(detail or ""):
        raise NotFound((detail or action).strip(), code=_own(code))
    if action.lower() != "success":
        raise CarrierError((detail or action or "tracking failed").strip(), code=(code or "tracking").strip())
    journey = waybill.journey
    checkpoints = journey.events if journey else []
    events = sorted((event(c) for c in checkpoints), key=lambda e: e.occurred_at, reverse=True)
    status = events[0].status if events else S.PRE_TRANSIT
    delivered = next((e.occurred_at for e in events if e.status is S.DELIVERED), None)
    return TrackingInfo(carrier=carrier, tracking_number=(waybill.number or tracking_number).strip(), status=status,
                        events=events, estimated_delivery=_estimate(journey.estimated_delivery if journey else None),
                        delivered_at=delivered if status is S.DELIVERED else None,
                        raw_status=events[0].code if events else action,
                        proof_of_delivery=_proof(waybill))


def parse_track(response: httpx.Response, *, tracking_number: str, carrier: str) -> TrackingInfo:
    reply = _reply(response)
    if not reply.waybills:
        if reply.faults:
            fault = reply.faults[0]
            raise NotFound((fault.data or "no such piece").strip(), code=_own(fault.code))
        raise MalformedResponse("DHL Express tracking reply has no AWBInfo")
    return tracking_info(reply.waybills[0], tracking_number=tracking_number, carrier=carrier)


def parse_track_many(response: httpx.Response, *, tracking_numbers: Sequence[str], carrier: str) -> TrackingResult:
    """Every waybill asked for: its TrackingInfo, or the error DHL gave for it (NotFound when DHL's
    reply leaves it out)."""
    reply = _reply(response)
    by_number = {(w.number or "").strip(): w for w in reply.waybills}
    result = TrackingResult()
    for number in dict.fromkeys(n.strip() for n in tracking_numbers):
        waybill = by_number.get(number)
        if waybill is None:
            result.errors[number] = NotFound(f"DHL Express answered nothing for waybill {number}", carrier=carrier,
                                             code="missing")
            continue
        try:
            result.tracked[number] = tracking_info(waybill, tracking_number=number, carrier=carrier)
        except CarrierError as err:
            err.carrier = err.carrier or carrier
            result.errors[number] = err
    return result
