"""Tracking: ``GET /tracking/v3/tracking/{trackingNumber}?expand=DETAIL`` (tracking.yaml
``TrackingDetails``): the package's status category and its ``trackingEvents``, newest first, each
with its raw ``eventCode`` and ``eventType`` kept. The person who signed for a delivered parcel
(the delivery event's ``name``) is the proof of delivery USPS gives in this answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx

from carriergate.carriers.usps.errors import checked
from carriergate.carriers.usps.statuses import event_status, from_text
from carriergate.core.contract import tracking_number
from carriergate.core.tracking import ProofOfDelivery, TrackingEvent, TrackingInfo, TrackingStatus
from carriergate.protocols.json_reading import records, text


def number_asked(value: str) -> str:
    return tracking_number(value)


def build_track(number: str, *, base_url: str) -> httpx.Request:
    return httpx.Request("GET", f"{base_url}/tracking/v3/tracking/{quote(number, safe='')}",
                         params={"expand": "DETAIL"}, headers={"accept": "application/json"})


def _moment(event: dict[str, Any]) -> tuple[datetime | None, bool]:
    """(when, zone known): GMTTimestamp first, else eventTimestamp with its offset or GMTOffset."""
    for key in ("GMTTimestamp", "eventTimestamp"):
        raw = text(event.get(key))
        if not raw:
            continue
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            continue
        if moment.tzinfo is not None:
            return moment, True
        offset = text(event.get("GMTOffset"))
        if key == "eventTimestamp" and offset and offset.lstrip("+-").isdigit():
            return moment.replace(tzinfo=UTC) - timedelta(minutes=int(offset)), True
        return moment.replace(tzinfo=UTC), key == "GMTTimestamp"
    return None, False


def _event(raw: dict[str, Any]) -> TrackingEvent | None:
    moment, zone_known = _moment(raw)
    if moment is None:
        return None
    code, kind = text(raw.get("eventCode")), text(raw.get("eventType"))
    codes = {k: v for k in ("eventCode", "eventType", "actionCode", "reasonCode") if (v := text(raw.get(k)))}
    place = ", ".join(p for p in (text(raw.get("eventCity")), text(raw.get("eventState")), text(raw.get("eventZIP")),
                                  text(raw.get("eventCountry"))) if p) or None
    if zone_known and moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return TrackingEvent(occurred_at=moment, status=event_status(code, kind), code=code, codes=codes,
                         description=kind or "", location=place, zone_known=zone_known)


def _estimate(body: dict[str, Any]) -> date | datetime | None:
    for key in ("expectedDeliveryTimeStamp", "predictedDeliveryTimeStamp", "guaranteedDeliveryTimeStamp"):
        raw = text(body.get(key))
        if raw:
            try:
                moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                continue
            return moment if moment.tzinfo is not None else moment.date()
    raw = text(body.get("predictedDeliveryDate"))
    if raw:
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            return None
    return None


def parse_track(response: httpx.Response, *, carrier: str, tracking_number: str) -> TrackingInfo:
    body = checked(response, carrier=carrier)
    raw_events = records(body.get("trackingEvents"))
    events = sorted((e for e in map(_event, raw_events) if e is not None), key=lambda e: e.occurred_at, reverse=True)
    category = text(body.get("statusCategory"))
    status = from_text(category)
    if status is TrackingStatus.UNKNOWN:
        status = from_text(text(body.get("status")))
    if status is TrackingStatus.UNKNOWN and events:
        status = events[0].status
    delivered = next((e for e in events if e.status is TrackingStatus.DELIVERED), None)
    proof = None
    if status is TrackingStatus.DELIVERED and delivered is not None:
        source = next((r for r in raw_events if text(r.get("eventCode")) == delivered.code), {})
        signer = text(source.get("name"))
        if signer:
            proof = ProofOfDelivery(signed_by=signer, received_at=delivered.occurred_at, location=delivered.location)
    delivered_at = delivered.occurred_at if status is TrackingStatus.DELIVERED and delivered else None
    return TrackingInfo(carrier=carrier, tracking_number=tracking_number,
                        status=status, events=events, estimated_delivery=_estimate(body),
                        delivered_at=delivered_at,
                        raw_status=category or text(body.get("status")), proof_of_delivery=proof)
