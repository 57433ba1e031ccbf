"""Tracking: tr.order.tracking.get v1.0.0, one number a call (``deliveryOrderNo``: 4PX's number or
the last-mile carrier's).

4PX answers ``data`` ``{"deliveryOrderNo", "destinationCountry", "trackingList": [{"businessLinkCode",
"occurDatetime", "occurLocation", "trackingContent", "timeZone"}]}``. Each event's
``businessLinkCode`` (FPX_<category>_<event>) is mapped to our closed set and kept raw in ``codes``.
The codes and their meanings come from 4PX's tracking data dictionary as public client code cites it;
the categories are L (information), O (order and provider handling), C (4PX facility), M (line haul,
air or sea), I (import customs), D (delivery), S (signed for), Y (disposal). An unlisted code takes
its category's status (D and M and C and I: in transit), else ``unknown``, never an error.

Times: ``occurDatetime`` is ``YYYY-MM-DD HH:MM:SS`` local to the event; ``timeZone`` (``UTC+08:00``,
``GMT+7``; seen in public client fixtures, not in 4PX's published example) places it when given.
Without a zone the digits are kept labelled UTC with ``zone_known=False``. A number 4PX has no
events for (``data`` null or an empty ``trackingList``) is NotFound: how 4PX answers an unknown
number is not documented publicly (unconfirmed).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import httpx

from carriergate.carriers.fourpx.envelope import data_of, router_request
from carriergate.core.errors import MalformedResponse, NotFound
from carriergate.core.tracking import TrackingEvent, TrackingInfo, TrackingStatus
from carriergate.protocols.json_reading import records, text

TRACKING, TRACKING_VERSION = "tr.order.tracking.get", "1.0.0"
_S = TrackingStatus
CODES: dict[str, TrackingStatus] = {
    **dict.fromkeys(("FPX_L_RPIF", "FPX_L_ATP", "FPX_O_CRLB", "FPX_O_IR", "FPX_O_IRI", "FPX_O_SIS", "FPX_S_SFBR"),
                    _S.PRE_TRANSIT),
    **dict.fromkeys(("FPX_L_SC", "FPX_C_SPLS", "FPX_C_SPQS", "FPX_C_AAF", "FPX_C_ADFF", "FPX_O_RR", "FPX_M_HA",
                     "FPX_M_DFOA", "FPX_D_AAD", "FPX_D_STPP", "FPX_D_HQ"), _S.IN_TRANSIT),
    "FPX_D_SD": _S.OUT_FOR_DELIVERY,
    **dict.fromkeys(("FPX_D_ADWP", "FPX_D_AP", "FPX_D_SASPS"), _S.AVAILABLE_FOR_PICKUP),
    **dict.fromkeys(("FPX_S_OK", "FPX_S_OKCC", "FPX_S_OKGP", "FPX_S_OKIDC", "FPX_S_OKPO", "FPX_S_OKSC", "FPX_S_OKVP"),
                    _S.DELIVERED),
    **dict.fromkeys(("FPX_C_DT", "FPX_C_DTCQ", "FPX_C_DTTM", "FPX_Y_ADPR", "FPX_Y_DS", "FPX_C_BTC", "FPX_D_DFCR",
                     "FPX_D_PD", "FPX_D_POD", "FPX_D_RA", "FPX_D_RR", "FPX_D_SPRA", "FPX_D_SR", "FPX_D_VN",
                     "FPX_I_CR", "FPX_I_DG", "FPX_M_PRTS", "FPX_M_SE", "FPX_O_PRIA", "FPX_O_PRRF", "FPX_O_PRRR",
                     "FPX_O_PRUC", "FPX_O_RFLM", "FPX_O_RTHM", "FPX_O_RTOC", "FPX_O_RTR", "FPX_O_SCB", "FPX_O_SD",
                     "FPX_S_CC", "FPX_Y_CCMC", "FPX_Y_CCSC", "FPX_Y_COBH"), _S.EXCEPTION),
}
#: Code families by prefix, tried longest first when a code is not listed above.
PREFIXES: dict[str, TrackingStatus] = {
    "FPX_S_OK": _S.DELIVERED, "FPX_D_FD": _S.DELIVERY_ATTEMPTED,
    "FPX_C_HF": _S.EXCEPTION, "FPX_D_SH": _S.EXCEPTION, "FPX_I_HC": _S.EXCEPTION, "FPX_O_SPH": _S.EXCEPTION,
    "FPX_D_DD": _S.IN_TRANSIT, "FPX_M_TD": _S.IN_TRANSIT,  # delays: still moving
    "FPX_C_": _S.IN_TRANSIT, "FPX_M_": _S.IN_TRANSIT, "FPX_I_": _S.IN_TRANSIT, "FPX_D_": _S.IN_TRANSIT,
    "FPX_L_": _S.PRE_TRANSIT,
}
_ORDERED = sorted(PREFIXES, key=len, reverse=True)
_ZONE = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def status_for(code: str | None) -> TrackingStatus:
    key = (code or "").strip().upper()
    if key in CODES:
        return CODES[key]
    for prefix in _ORDERED:
        if key.startswith(prefix):
            return PREFIXES[prefix]
    return TrackingStatus.UNKNOWN


def zone_of(value: str | None) -> timezone | None:
    """``UTC+08:00``, ``GMT+7``, ``+0530`` as a fixed offset; None when absent or unreadable."""
    found = _ZONE.match((value or "").strip())
    if not found:
        return None
    sign, hours, minutes = found.group(1), int(found.group(2)), int(found.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    offset = timedelta(hours=hours, minutes=minutes)
    return timezone(-offset if sign == "-" else offset)


def build_track(number: str, *, base_url: str) -> httpx.Request:
    return router_request(base_url, TRACKING, TRACKING_VERSION, {"deliveryOrderNo": number})


def _event(entry: dict[str, object]) -> TrackingEvent | None:
    when = text(entry.get("occurDatetime"))
    try:
        local = datetime.strptime(when or "", TIME_FORMAT)
    except ValueError:
        return None
    zone = zone_of(text(entry.get("timeZone")))
    code = text(entry.get("businessLinkCode"))
    codes = {"businessLinkCode": code} if code else {}
    return TrackingEvent(occurred_at=local.replace(tzinfo=zone or UTC), status=status_for(code), code=code,
                         codes=codes, description=text(entry.get("trackingContent")) or "",
                         location=text(entry.get("occurLocation")), zone_known=zone is not None)


def parse_track(response: httpx.Response, *, number: str, carrier: str) -> TrackingInfo:
    """Events newest first; the newest event's status is the parcel's."""
    data = data_of(response, carrier=carrier)
    if data is None or data == "":
        raise NotFound(f"4PX has no tracking for {number}", carrier=carrier, code="no_tracking")
    if not isinstance(data, dict):
        raise MalformedResponse("4PX tracking answer has no data object", carrier=carrier,
                                http_status=response.status_code)
    entries = records(data.get("trackingList"))
    events = [e for e in (_event(entry) for entry in entries) if e is not None]
    if not events:
        if entries:
            raise MalformedResponse("4PX tracking events carry no readable time", carrier=carrier,
                                    http_status=response.status_code)
        raise NotFound(f"4PX has no tracking for {number}", carrier=carrier, code="no_tracking")
    events.sort(key=lambda e: e.occurred_at, reverse=True)
    latest = events[0]
    delivered = next((e.occurred_at for e in events if e.status is TrackingStatus.DELIVERED), None)
    return TrackingInfo(carrier=carrier, tracking_number=number, status=latest.status, events=events,
                        delivered_at=delivered if latest.status is TrackingStatus.DELIVERED else None,
                        raw_status=latest.code)
