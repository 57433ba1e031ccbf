"""Tracking: ``GET /v1/track-service/info/get?order_number=...`` (查询运单轨迹), by waybill number,
customer order number or last-mile tracking number.

The answer's ``result`` is a list of ``{order_number, package_status, track_Info}`` (an object in some
answers); ``track_Info`` holds the parcel's ``track_events[]``, each with ``track_node_code``,
``process_content``, ``process_location`` and its time: ``process_utc_time`` (UTC) or
``process_time`` (ISO 8601, sometimes with no zone). An older shape gives ``event_date``
("2023-03-10 14:30:00") with ``time_zone`` ("+8"): both are read. ``package_status`` N is a number
YunExpress does not know: NotFound. Events are returned newest first.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import httpx

from carriergate.carriers.yunexpress import states
from carriergate.carriers.yunexpress.account import YunExpressAccount
from carriergate.carriers.yunexpress.errors import envelope
from carriergate.core.contract import tracking_number
from carriergate.core.errors import MalformedResponse, NotFound
from carriergate.core.tracking import TrackingEvent, TrackingInfo, TrackingStatus
from carriergate.protocols.json_reading import dig, obj, records, text

TRACK_PATH = "/v1/track-service/info/get"
_ZONE = re.compile(r"([+-])?(\d{1,2})(?::?(\d{2}))?")


def build_track(number: str, account: YunExpressAccount, *, base_url: str) -> httpx.Request:
    value = tracking_number(number)
    return httpx.Request("GET", f"{base_url}{TRACK_PATH}?{urlencode({'order_number': value})}",
                         headers={"accept": "application/json", "accept-language": account.language})


def _zone(value: Any) -> timezone | None:
    raw = text(value)
    match = _ZONE.fullmatch(raw.replace("UTC", "").replace("GMT", "")) if raw else None
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    offset = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
    return timezone(sign * offset) if offset < timedelta(hours=15) else None


def event_time(event: dict[str, Any]) -> tuple[datetime, bool] | None:
    """(time, zone known) of an event, or None when it has no readable time."""
    for key, fallback in (("process_utc_time", UTC), ("process_time", None), ("event_date", None)):
        raw = text(event.get(key))
        if raw is None:
            continue
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            return moment, True
        zone = fallback or _zone(event.get("time_zone"))
        return (moment.replace(tzinfo=zone), True) if zone else (moment.replace(tzinfo=UTC), False)
    return None


def _location(event: dict[str, Any]) -> str | None:
    place = text(event.get("process_location")) or text(event.get("location"))
    if place:
        return place
    parts = [text(event.get(k)) for k in ("process_city", "process_province", "process_country")]
    return ", ".join(p for p in parts if p) or None


def _event(event: dict[str, Any], *, carrier: str, status: int) -> TrackingEvent:
    when = event_time(event)
    if when is None:
        raise MalformedResponse("track event has no readable time", carrier=carrier, http_status=status)
    code = text(event.get("track_node_code"))
    codes = {key: value for key in ("track_node_code", "track_node_description")
             if (value := text(event.get(key))) is not None}
    description = text(event.get("process_content")) or text(event.get("description")) or \
        text(event.get("track_node_description")) or ""
    return TrackingEvent(occurred_at=when[0], zone_known=when[1], status=states.node_status(code), code=code,
                         codes=codes, description=description, location=_location(event))


def parse_track(response: httpx.Response, *, number: str, carrier: str = "yunexpress") -> TrackingInfo:
    body = envelope(response, carrier=carrier)
    items = records(body.get("result"))
    item = next((i for i in items if text(i.get("order_number")) in (number, None)), obj(items))
    raw_status = text(item.get("package_status"))
    if not item or raw_status == states.NOT_FOUND:
        raise NotFound(f"YunExpress knows no parcel {number}", carrier=carrier, code=raw_status or "not_found",
                       http_status=response.status_code)
    info = obj(item.get("track_Info")) or obj(item.get("track_info")) or item
    raw_events = records(info.get("track_events")) or records(dig(info, "track_events"))
    events = sorted((_event(e, carrier=carrier, status=response.status_code) for e in raw_events),
                    key=lambda e: e.occurred_at, reverse=True)
    status = states.package_status(raw_status)
    latest = events[0].status if events else TrackingStatus.UNKNOWN
    if status is TrackingStatus.UNKNOWN or (status is TrackingStatus.IN_TRANSIT and
                                            latest in states.FINER_THAN_TRANSIT):
        status = latest if latest is not TrackingStatus.UNKNOWN else status
    delivered = next((e.occurred_at for e in events if e.status is TrackingStatus.DELIVERED), None)
    return TrackingInfo(carrier=carrier, tracking_number=number, status=status, events=events,
                        delivered_at=delivered if status is TrackingStatus.DELIVERED else None,
                        raw_status=raw_status)
