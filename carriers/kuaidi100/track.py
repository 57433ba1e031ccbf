"""Real-time query (实时快递查询, ``POST poll/query.do``) and the tracking a push carries, read alike.

Request: form fields ``customer``, ``sign`` (added by the auth flow) and ``param``, a JSON object with
``com`` (courier code), ``num``, ``phone`` (required for SF and ZTO, see :mod:`.companies`),
``resultv2`` (4: sub-states on each event), ``show`` 0 (JSON) and ``order`` desc (newest first).

Answer: ``{"message": "ok", "nu", "com", "state", "ischeck", "status": "200", "data": [{"time",
"ftime", "context", "location"?, "areaName"?, "status"?, "statusCode"?}, ...]}``, or a refusal (see
:mod:`.errors`). The parcel's status is the answer's ``state``; each event's is its ``statusCode``
(else its state name); the raw codes are kept.
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.carriers.kuaidi100 import states
from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.companies import checked_company, checked_phone, needs_phone, title
from carriergate.carriers.kuaidi100.envelope import dumps, form_request, parse_time
from carriergate.carriers.kuaidi100.errors import QUERY_ERRORS, body_of, refusal
from carriergate.core.errors import FieldError, MalformedResponse, NotFound, ValidationError
from carriergate.core.tracking import TrackingEvent, TrackingInfo, TrackingStatus
from carriergate.protocols.json_reading import records, text

QUERY_PATH = "/poll/query.do"
#: Kuaidi100 takes numbers of 6 to 32 characters.
MIN_NUMBER, MAX_NUMBER = 6, 32


def checked_number(number: str, *, carrier: str, field: str = "tracking_number") -> str:
    value = number.strip() if isinstance(number, str) else ""
    if not MIN_NUMBER <= len(value) <= MAX_NUMBER:
        raise ValidationError(FieldError(field, f"Kuaidi100 takes numbers of {MIN_NUMBER} to {MAX_NUMBER} "
                                                "characters"), carrier=carrier)
    return value


def phone_for(company: str, phone: str | None, account: Kuaidi100Account, *, carrier: str) -> str | None:
    """The phone a query of ``company`` sends: the call's, else the account's; required for SF and ZTO."""
    given = phone if phone is not None else account.phone
    chosen = checked_phone(given, field="phone") if given is not None else None
    if chosen is None and needs_phone(company):
        raise ValidationError(FieldError("phone", f"Kuaidi100 answers {title(company)} numbers only with the "
                                                  "sender's or recipient's phone (or its last four digits): "
                                                  "set the account's phone or pass phone="), carrier=carrier)
    return chosen


def build_track(number: str, company: str, account: Kuaidi100Account, *, base_url: str, carrier: str,
                phone: str | None = None) -> httpx.Request:
    """The (unsigned) query of ``number`` at courier ``company``; bad input refused before sending."""
    num = checked_number(number, carrier=carrier)
    com = checked_company(company)
    param: dict[str, str] = {"com": com, "num": num}
    chosen = phone_for(com, phone, account, carrier=carrier)
    if chosen:
        param["phone"] = chosen
    param.update({"resultv2": account.resultv2, "show": "0", "order": "desc"})
    return form_request(base_url + QUERY_PATH, [("param", dumps(param))])


def _event(item: dict[str, Any]) -> TrackingEvent | None:
    when = parse_time(item.get("ftime") or item.get("time"))
    if when is None:
        return None
    code = text(item.get("statusCode"))
    name = text(item.get("status"))
    main = code or states.code_for_name(name)
    codes = {k: v for k, v in (("statusCode", code), ("status", name)) if v}
    location = text(item.get("location")) or text(item.get("areaName"))
    return TrackingEvent(occurred_at=when, status=states.status_for(main), code=main, codes=codes,
                         description=text(item.get("context")) or "", location=location)


def tracking_info(result: dict[str, Any], *, number: str, carrier: str) -> TrackingInfo:
    """A query answer (or a push's ``lastResult``) as TrackingInfo: events newest first, the status the
    answer's ``state`` (else the newest event's with a known status)."""
    events = [e for e in (_event(item) for item in records(result.get("data"))) if e is not None]
    events.sort(key=lambda e: e.occurred_at, reverse=True)
    state = text(result.get("state"))
    status = states.status_for(state)
    if status is TrackingStatus.UNKNOWN:
        status = next((e.status for e in events if e.status is not TrackingStatus.UNKNOWN), TrackingStatus.UNKNOWN)
    delivered = None
    if status is TrackingStatus.DELIVERED and events:
        delivered = next((e.occurred_at for e in events if e.status is TrackingStatus.DELIVERED), events[0].occurred_at)
    return TrackingInfo(carrier=carrier, tracking_number=number, status=status,
                        events=events, delivered_at=delivered, raw_status=state)


def parse_track(response: httpx.Response, *, number: str, carrier: str) -> TrackingInfo:
    """The parcel's tracking; a refusal is its typed error (500 no result: NotFound)."""
    body = body_of(response, carrier=carrier)
    error = refusal(body, QUERY_ERRORS, carrier=carrier, http_status=response.status_code)
    if error is not None:
        raise error
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise MalformedResponse("Kuaidi100 query answer has no data list", carrier=carrier,
                                http_status=response.status_code)
    info = tracking_info(body, number=number, carrier=carrier)
    if not info.events:
        raise NotFound(f"Kuaidi100 has no event for {number!r}", carrier=carrier, code="no_events")
    return info
