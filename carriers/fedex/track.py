"""Tracking: ``POST /track/v1/trackingnumbers`` with detailed scans.

An unknown number is not an HTTP error at FedEx: it arrives as
``completeTrackResults[].trackResults[].error`` (``TRACKING.TRACKINGNUMBER.NOTFOUND``) and becomes
:class:`~carriergate.NotFound`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import output
from carriergate.carriers.fedex.services import status_for
from carriergate.core.errors import CarrierError, MalformedResponse, NotFound
from carriergate.core.tracking import TrackingEvent, TrackingInfo, TrackingStatus
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import obj, records, text

PATH = "/track/v1/trackingnumbers"


def build_track(tracking_number: str, account: FedExAccount, *, base_url: str,
                transaction_id: str) -> httpx.Request:
    """The look-up of one number with its detailed scans. The number arrives checked (stripped,
    non-empty, of a sane shape) by the gateway's core.contract.tracking_number; ``transaction_id``
    is the correlation header (a fresh id per look-up)."""
    body = {"includeDetailedScans": True,
            "trackingInfo": [{"trackingNumberInfo": {"trackingNumber": tracking_number}}]}
    return json_request("POST", base_url + PATH, body, headers=p.headers(transaction_id, account.locale))


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
    occurred, zone_known = _aware(scan.get("date"))
    if occurred is None:
        return None
    code = text(scan.get("eventType")) or text(scan.get("derivedStatusCode"))
    status = status_for(text(scan.get("derivedStatusCode")))
    if status is TrackingStatus.UNKNOWN:
        status = status_for(code)
    description = text(scan.get("eventDescription")) or text(scan.get("derivedStatus")) or ""
    exception = text(scan.get("exceptionDescription"))
    if exception and exception not in description:
        description = f"{description}: {exception}" if description else exception
    return TrackingEvent(occurred_at=occurred, status=status, code=code, description=description,
                         location=_location(scan), zone_known=zone_known)


def _estimated(result: dict[str, Any]) -> date | datetime | None:
    for item in records(result.get("dateAndTimes")):
        if text(item.get("type")) == "ESTIMATED_DELIVERY":
            when = p.timestamp(item.get("dateTime"))
            if when is not None:
                return when
    window = obj(obj(result.get("estimatedDeliveryTimeWindow")).get("window"))
    return p.timestamp(window.get("ends")) or p.timestamp(window.get("begins"))


def parse_track(response: httpx.Response, *, carrier: str, tracking_number: str) -> TrackingInfo:
    out, request_id = output(response, carrier=carrier)
    complete = obj(out.get("completeTrackResults"))
    result = next(iter(records(complete.get("trackResults"))), None)
    if result is None:
        raise MalformedResponse("track answer has no trackResults", carrier=carrier,
                                http_status=response.status_code, request_id=request_id)
    error = obj(result.get("error"))
    if error:
        code = text(error.get("code")) or "TRACKING.ERROR"
        message = text(error.get("message")) or "FedEx could not track this number"
        kind = NotFound if "NOTFOUND" in code.upper().replace("_", "") else CarrierError
        raise kind(message, carrier=carrier, code=code, http_status=response.status_code, request_id=request_id)
    events = [e for e in (event(s) for s in records(result.get("scanEvents"))) if e is not None]
    events.sort(key=lambda e: e.occurred_at, reverse=True)
    latest = obj(result.get("latestStatusDetail"))
    raw = text(latest.get("derivedCode")) or text(latest.get("code"))
    status = status_for(raw)
    if status is TrackingStatus.UNKNOWN and events:
        status = events[0].status
    delivered_at = None
    for item in records(result.get("dateAndTimes")):
        if text(item.get("type")) == "ACTUAL_DELIVERY":
            when = p.timestamp(item.get("dateTime"))
            delivered_at = when if isinstance(when, datetime) else None
    if status is TrackingStatus.DELIVERED and delivered_at is None:
        delivered_at = next((e.occurred_at for e in events if e.status is TrackingStatus.DELIVERED), None)
    number = text(obj(result.get("trackingNumberInfo")).get("trackingNumber")) or \
        text(complete.get("trackingNumber")) or tracking_number
    return TrackingInfo(carrier=carrier, tracking_number=number, status=status, events=events,
                        estimated_delivery=_estimated(result), delivered_at=delivered_at, raw_status=raw)
