"""Tracking: ``POST /track/v1/trackingnumbers`` with detailed scans, up to 30 numbers in one call.

An unknown number is not an HTTP error at FedEx: it arrives as
``completeTrackResults[].trackResults[].error`` (``TRACKING.TRACKINGNUMBER.NOTFOUND``) and becomes
:class:`~carriergate.NotFound`. A result that carries scans *and* an error keeps the scans and
reports the error as a warning. A number FedEx has used for several shipments gives several
``trackResults``: the most recent shipment is the answer, with a warning that there were others.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import output
from carriergate.carriers.fedex.notices import alerts
from carriergate.carriers.fedex.services import status_for
from carriergate.core.errors import CarrierError, MalformedResponse, NotFound
from carriergate.core.notices import Notice
from carriergate.core.tracking import ProofOfDelivery, TrackingEvent, TrackingInfo, TrackingResult, TrackingStatus
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import obj, records, text

PATH = "/track/v1/trackingnumbers"
#: FedEx tracks at most this many numbers in one request.
BATCH = 30
#: Statuses that say no more than "moving": a scan's own event type that says more wins over them.
_GENERIC = frozenset({TrackingStatus.IN_TRANSIT, TrackingStatus.UNKNOWN})
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def build_track_many(tracking_numbers: Sequence[str], account: FedExAccount, *, base_url: str,
                     transaction_id: str) -> httpx.Request:
    """One look-up of up to :data:`BATCH` numbers with their detailed scans. The numbers arrive
    checked by the gateway (core.contract.tracking_number); ``transaction_id`` is the correlation
    header (a fresh id per look-up)."""
    if not 1 <= len(tracking_numbers) <= BATCH:
        raise ValueError(f"FedEx tracks 1 to {BATCH} numbers at once, not {len(tracking_numbers)}")
    body = {"includeDetailedScans": True,
            "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in tracking_numbers]}
    return json_request("POST", base_url + PATH, body, headers=p.headers(transaction_id, account.locale))


def build_track(tracking_number: str, account: FedExAccount, *, base_url: str,
                transaction_id: str) -> httpx.Request:
    """The look-up of one number (a batch of one)."""
    return build_track_many([tracking_number], account, base_url=base_url, transaction_id=transaction_id)


def _location(scan: dict[str, Any]) -> str | None:
    where = obj(scan.get("scanLocation"))
    parts = [text(where.get(k)) for k in ("city", "stateOrProvinceCode", "countryCode")]
    joined = ", ".join(x for x in parts if x)
    return joined or None


def _aware(value: Any) -> tuple[datetime | None, bool]:
    """A scan time and whether it carried its zone; one without an offset is read as UTC (flagged)
    rather than dropped."""
    raw = text(value)
    if raw is None:
        return None, False
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None, False
    return (moment, True) if moment.tzinfo is not None else (moment.replace(tzinfo=UTC), False)


def event(scan: dict[str, Any]) -> TrackingEvent | None:
    """One scan. Its ``eventType`` (OD: on vehicle for delivery, HP: ready for pickup) is more precise
    than the ``derivedStatusCode`` FedEx rolls it up to ("IT"), so the event type wins where it says
    more than "in transit"; both raw codes are kept in ``codes``."""
    occurred, zone_known = _aware(scan.get("date"))
    if occurred is None:
        return None
    event_type, derived = text(scan.get("eventType")), text(scan.get("derivedStatusCode"))
    status = status_for(event_type)
    if status in _GENERIC:
        status = status_for(derived) if status_for(derived) is not TrackingStatus.UNKNOWN else status
    codes = {k: v for k, v in (("eventType", event_type), ("derivedStatusCode", derived)) if v}
    description = text(scan.get("eventDescription")) or text(scan.get("derivedStatus")) or ""
    exception = text(scan.get("exceptionDescription"))
    if exception and exception not in description:
        description = f"{description}: {exception}" if description else exception
    return TrackingEvent(occurred_at=occurred, status=status, code=event_type or derived, codes=codes,
                         description=description, location=_location(scan), zone_known=zone_known)


def _estimated(result: dict[str, Any]) -> date | datetime | None:
    for item in records(result.get("dateAndTimes")):
        if text(item.get("type")) == "ESTIMATED_DELIVERY":
            when = p.timestamp(item.get("dateTime"))
            if when is not None:
                return when
    window = obj(obj(result.get("estimatedDeliveryTimeWindow")).get("window"))
    return p.timestamp(window.get("ends")) or p.timestamp(window.get("begins"))


def shipped_at(result: dict[str, Any]) -> datetime:
    """When a track result's shipment started (its SHIP / pickup / tender date, else its newest scan):
    how the most recent of several shipments under one number is told."""
    for kind in ("SHIP", "ACTUAL_PICKUP", "ACTUAL_TENDER", "SHIPMENT_DATA_RECEIVED"):
        for item in records(result.get("dateAndTimes")):
            if text(item.get("type")) == kind:
                when, _ = _aware(item.get("dateTime"))
                if when is not None:
                    return when
    scans = [when for when, _ in (_aware(s.get("date")) for s in records(result.get("scanEvents"))) if when]
    return max(scans, default=_EARLIEST)


def most_recent(results: list[dict[str, Any]]) -> tuple[dict[str, Any] | None, list[Notice]]:
    """The most recent of a number's results, and a Notice when there were several shipments."""
    if len(results) <= 1:
        return (results[0] if results else None), []
    chosen = max(results, key=shipped_at)  # the first of equals: FedEx's own order otherwise
    when = shipped_at(chosen)
    since = f" (shipped {when.date().isoformat()})" if when != _EARLIEST else ""
    return chosen, [Notice(message=f"FedEx holds {len(results)} shipments under this tracking number; "
                                   f"this is the most recent{since}", code="several_shipments")]


def _proof(result: dict[str, Any], delivered_at: datetime | None) -> ProofOfDelivery | None:
    details = obj(result.get("deliveryDetails"))
    signed_by = text(details.get("signedByName")) or text(details.get("receivedByName"))
    location = text(details.get("locationDescription")) or text(details.get("locationType"))
    if signed_by is None and delivered_at is None:
        return None
    return ProofOfDelivery(signed_by=signed_by, received_at=delivered_at, location=location)


def info(result: dict[str, Any], *, carrier: str, tracking_number: str, http_status: int,
         request_id: str | None, notices: Sequence[Notice] = ()) -> TrackingInfo:
    """One track result as TrackingInfo; an error with no scans raises (NotFound for an unknown number)."""
    warnings = list(notices)
    error = obj(result.get("error"))
    scans = records(result.get("scanEvents"))
    if error:
        code = text(error.get("code")) or "TRACKING.ERROR"
        message = text(error.get("message")) or "FedEx could not track this number"
        if not scans:
            kind = NotFound if "NOTFOUND" in code.upper().replace("_", "") else CarrierError
            raise kind(message, carrier=carrier, code=code, http_status=http_status, request_id=request_id)
        warnings.append(Notice(message=message, code=code))
    events = [e for e in (event(s) for s in scans) if e is not None]
    events.sort(key=lambda e: e.occurred_at, reverse=True)
    latest = obj(result.get("latestStatusDetail"))
    raw = text(latest.get("derivedCode")) or text(latest.get("code"))
    status = status_for(raw)
    if status in _GENERIC and events and events[0].status is not TrackingStatus.UNKNOWN:
        status = events[0].status  # the newest scan says more than the rolled-up status
    delivered_at = None
    for item in records(result.get("dateAndTimes")):
        if text(item.get("type")) == "ACTUAL_DELIVERY":
            when = p.timestamp(item.get("dateTime"))
            delivered_at = when if isinstance(when, datetime) else None
    if status is TrackingStatus.DELIVERED and delivered_at is None:
        delivered_at = next((e.occurred_at for e in events if e.status is TrackingStatus.DELIVERED), None)
    number = text(obj(result.get("trackingNumberInfo")).get("trackingNumber")) or tracking_number
    return TrackingInfo(carrier=carrier, tracking_number=number, status=status, events=events,
                        estimated_delivery=_estimated(result), delivered_at=delivered_at, raw_status=raw,
                        proof_of_delivery=_proof(result, delivered_at) if status is TrackingStatus.DELIVERED
                        else None, warnings=warnings)


def _complete(complete: dict[str, Any], *, carrier: str, tracking_number: str, http_status: int,
              request_id: str | None, notices: Sequence[Notice]) -> TrackingInfo:
    result, several = most_recent(records(complete.get("trackResults")))
    if result is None:
        raise MalformedResponse("track answer has no trackResults", carrier=carrier, http_status=http_status,
                                request_id=request_id)
    number = text(obj(result.get("trackingNumberInfo")).get("trackingNumber")) or \
        text(complete.get("trackingNumber")) or tracking_number
    return info(result, carrier=carrier, tracking_number=number, http_status=http_status, request_id=request_id,
                notices=[*notices, *several])


def parse_track(response: httpx.Response, *, carrier: str, tracking_number: str) -> TrackingInfo:
    out, request_id = output(response, carrier=carrier)
    completes = records(out.get("completeTrackResults"))
    complete = next((c for c in completes if text(c.get("trackingNumber")) == tracking_number),
                    completes[0] if completes else {})
    return _complete(complete, carrier=carrier, tracking_number=tracking_number, http_status=response.status_code,
                     request_id=request_id, notices=alerts(out))


def parse_track_many(response: httpx.Response, *, carrier: str, tracking_numbers: Sequence[str]) -> TrackingResult:
    """Each number's result or error, keyed by the number as asked. An answer FedEx refuses whole
    (HTTP error, no ``output``) raises; a number the answer leaves out is MalformedResponse."""
    out, request_id = output(response, carrier=carrier)
    notices = alerts(out)
    by_number = {text(c.get("trackingNumber")): c for c in records(out.get("completeTrackResults"))}
    result = TrackingResult()
    for number in tracking_numbers:
        complete = by_number.get(number)
        try:
            if complete is None:
                raise MalformedResponse("track answer has no result for this number", carrier=carrier,
                                        http_status=response.status_code, request_id=request_id)
            result.tracked[number] = _complete(complete, carrier=carrier, tracking_number=number,
                                               http_status=response.status_code, request_id=request_id,
                                               notices=notices)
        except CarrierError as err:
            result.errors[number] = err
    return result
