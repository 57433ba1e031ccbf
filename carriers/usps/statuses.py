"""USPS tracking codes and categories as our closed TrackingStatus set.

tracking.yaml gives ``statusCategory``, ``eventType`` and ``eventCode`` as free strings and points
to USPS Publication 199 (Appendix G-4, domestic scan events) for their values; that table is not in
the specification files. The event codes below are the commonly published Pub 199 ones (delivered
01, notice left 02, acceptance 03, ...), NOT confirmed against Pub 199 itself: so a code we do not
know is read from its category or event text, and the raw values are always kept on the event.
"""

from __future__ import annotations

from carriergate.core.tracking import TrackingStatus

S = TrackingStatus

#: Pub 199 event codes (as commonly published; unconfirmed, see the module docstring).
EVENT_CODES: dict[str, TrackingStatus] = {
    "01": S.DELIVERED, "02": S.DELIVERY_ATTEMPTED, "03": S.IN_TRANSIT, "04": S.EXCEPTION,
    "05": S.EXCEPTION, "06": S.IN_TRANSIT, "07": S.IN_TRANSIT, "08": S.IN_TRANSIT, "09": S.RETURNED_TO_SENDER,
    "10": S.IN_TRANSIT, "14": S.IN_TRANSIT, "16": S.AVAILABLE_FOR_PICKUP, "17": S.DELIVERED,
    "21": S.EXCEPTION, "22": S.EXCEPTION, "23": S.EXCEPTION, "24": S.EXCEPTION, "25": S.EXCEPTION,
    "26": S.EXCEPTION, "27": S.RETURNED_TO_SENDER, "28": S.EXCEPTION, "29": S.RETURNED_TO_SENDER,
    "31": S.RETURNED_TO_SENDER, "43": S.DELIVERED, "44": S.CANCELLED, "51": S.DELIVERY_ATTEMPTED,
    "52": S.AVAILABLE_FOR_PICKUP, "53": S.DELIVERY_ATTEMPTED, "54": S.DELIVERY_ATTEMPTED,
    "55": S.DELIVERY_ATTEMPTED, "56": S.DELIVERY_ATTEMPTED, "57": S.DELIVERY_ATTEMPTED,
    "GX": S.PRE_TRANSIT, "MA": S.PRE_TRANSIT, "OF": S.OUT_FOR_DELIVERY, "OA": S.OUT_FOR_DELIVERY,
    "PC": S.IN_TRANSIT, "SF": S.IN_TRANSIT, "A1": S.IN_TRANSIT, "U1": S.IN_TRANSIT,
}
#: Words of a ``statusCategory`` or ``eventType``, most specific first.
KEYWORDS: tuple[tuple[str, TrackingStatus], ...] = (
    ("out for delivery", S.OUT_FOR_DELIVERY), ("available for pickup", S.AVAILABLE_FOR_PICKUP),
    ("delivery attempt", S.DELIVERY_ATTEMPTED), ("notice left", S.DELIVERY_ATTEMPTED),
    ("return to sender", S.RETURNED_TO_SENDER), ("returned", S.RETURNED_TO_SENDER),
    ("delivered", S.DELIVERED), ("pre-shipment", S.PRE_TRANSIT), ("pre shipment", S.PRE_TRANSIT),
    ("label created", S.PRE_TRANSIT), ("shipping label", S.PRE_TRANSIT), ("pre-transit", S.PRE_TRANSIT),
    ("electronic shipping info", S.PRE_TRANSIT), ("cancel", S.CANCELLED), ("alert", S.EXCEPTION),
    ("in transit", S.IN_TRANSIT), ("accepted", S.IN_TRANSIT), ("picked up", S.IN_TRANSIT),
    ("arrived", S.IN_TRANSIT), ("departed", S.IN_TRANSIT), ("processed", S.IN_TRANSIT),
    ("moving through", S.IN_TRANSIT),
)


def from_text(value: str | None) -> TrackingStatus:
    lowered = (value or "").lower()
    for words, status in KEYWORDS:
        if words in lowered:
            return status
    return S.UNKNOWN


def event_status(code: str | None, event_type: str | None) -> TrackingStatus:
    known = EVENT_CODES.get((code or "").strip().upper())
    return known if known is not None else from_text(event_type)
