"""Tracking: one closed set of statuses, the carrier's raw code always kept beside it."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, Field

from carriergate.core.validation import CarrierModel


class TrackingStatus(StrEnum):
    PRE_TRANSIT = "pre_transit"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"
    UNKNOWN = "unknown"


class TrackingEvent(CarrierModel):
    occurred_at: AwareDatetime
    status: TrackingStatus
    code: str | None = None  # the carrier's raw event code
    description: str = ""
    location: str | None = None
    #: False when the carrier gave only a local wall-clock time with no zone: ``occurred_at`` then
    #: holds those digits labelled UTC, so compare such events with care across locations.
    zone_known: bool = True


class TrackingInfo(CarrierModel):
    carrier: str
    tracking_number: str
    status: TrackingStatus
    events: list[TrackingEvent] = Field(default_factory=list)  # newest first
    estimated_delivery: date | datetime | None = None
    delivered_at: AwareDatetime | None = None
    raw_status: str | None = None
