"""Tracking: one closed set of statuses, the carrier's raw code always kept beside it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, Field

from carriergate.core.errors import CarrierError
from carriergate.core.notices import Notice
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
    #: Every raw code the carrier gave for the event, under its own field names (UPS: the activity
    #: code ``code`` such as "SR" and the 3-digit ``statusCode``; FedEx: ``eventType`` and
    #: ``derivedStatusCode``), so nothing the carrier said is lost.
    codes: dict[str, str] = Field(default_factory=dict)
    description: str = ""
    location: str | None = None
    #: False when the carrier gave only a local wall-clock time with no zone: ``occurred_at`` then
    #: holds those digits labelled UTC, so compare such events with care across locations.
    zone_known: bool = True


def _size(image: bytes | None) -> str | None:
    return None if image is None else f"<{len(image)} bytes>"


class ProofOfDelivery(CarrierModel):
    """What the carrier gives as proof that a parcel was delivered: who signed, and the signature
    or photo image where it provides one."""

    signed_by: str | None = None
    signature: bytes | None = None
    signature_format: str | None = None  # "PNG", "GIF", "PDF", ... as the carrier states it
    photo: bytes | None = None
    photo_format: str | None = None
    received_at: AwareDatetime | None = None
    location: str | None = None  # where it was left ("front door", "reception")

    def __repr__(self) -> str:
        return (f"ProofOfDelivery(signed_by={self.signed_by!r}, signature={_size(self.signature)}, "
                f"photo={_size(self.photo)}, received_at={self.received_at!r})")


class TrackingInfo(CarrierModel):
    carrier: str
    tracking_number: str
    status: TrackingStatus
    events: list[TrackingEvent] = Field(default_factory=list)  # newest first
    estimated_delivery: date | datetime | None = None
    delivered_at: AwareDatetime | None = None
    raw_status: str | None = None
    proof_of_delivery: ProofOfDelivery | None = None
    warnings: list[Notice] = Field(default_factory=list)  # the carrier's alerts; several matches, say


@dataclass
class TrackingResult:
    """Several tracking numbers at once: what was found, and for every number without an answer,
    the reason (both keyed by the number as asked)."""

    tracked: dict[str, TrackingInfo] = field(default_factory=dict)
    errors: dict[str, CarrierError] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return not self.errors
