"""Tracking: route query (EXP_RECE_SEARCH_ROUTES) and SF's route push (webhook), read alike.

SF describes each scan with an ``opCode``; we map the well-known ones to our closed set of statuses
and keep every code raw beside it (an unknown code is status ``unknown``, never an error):

=====================  ===========================================================
opCode                 meaning (SF's route text)                  -> status
=====================  ===========================================================
50, 54, 43             顺丰已收取快件 picked up                     in_transit
30, 31, 36, 105, 106,  sorted / arrived / departed / flight,      in_transit
123, 130, 3036         on the way to or arrived at the delivery station
44, 204                正在派送途中 out for delivery                out_for_delivery
70                     派送不成功 delivery failed                    delivery_attempted
33                     派件异常/滞留 problem shipment                exception
80, 8000               已签收 delivered                              delivered
99, 631, 648           退回 returned / returning to the sender      returned_to_sender
=====================  ===========================================================

Route push envelope (what :func:`parse_route_push` accepts): SF POSTs the same signed form as a
request (``partnerID``, ``requestID``, ``serviceCode``, ``timestamp``, ``msgData``, ``msgDigest``)
with ``msgData`` a JSON document ``{"WaybillRoute": [{"mailno", "orderid", "acceptTime",
"acceptAddress", "remark", "opCode"}, ...]}`` (also accepted wrapped as ``{"Body": {...}}``). The
digest is checked before anything is read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
from pydantic import SecretStr

from carriergate.carriers.sf_express.account import SFExpressAccount
from carriergate.carriers.sf_express.address import parse_china_time
from carriergate.carriers.sf_express.envelope import service_request
from carriergate.carriers.sf_express.errors import business_result, payload
from carriergate.core.errors import AuthenticationError, FieldError, MalformedResponse, NotFound, ValidationError
from carriergate.core.tracking import ProofOfDelivery, TrackingEvent, TrackingInfo, TrackingResult, TrackingStatus
from carriergate.protocols.auth.sf_digest import decode_form, verify_push

SEARCH_ROUTES = "EXP_RECE_SEARCH_ROUTES"
#: Numbers one route query may carry: SF refuses more than ten (9083 查询号不能超过10个).
BATCH = 10
#: The signed-for scan (已签收), and the signer as SF's standard remark names it (签收人：...).
SIGNED = "80"
_SIGNER = re.compile(r"签收人\s*[：:]\s*([^，,。;；\s]+)")
BY_WAYBILL, BY_ORDER = "1", "2"
_WAYBILL = re.compile(r"^(SF)?[0-9]{12,15}$", re.IGNORECASE)
_LANGUAGE = {"zh-cn": "0", "zh": "0", "en": "1", "en-us": "1", "zh-tw": "2", "zh-hk": "2"}

_S = TrackingStatus
OP_CODES: dict[str, TrackingStatus] = {
    **dict.fromkeys(("50", "54", "43", "30", "31", "36", "105", "106", "123", "130", "3036"), _S.IN_TRANSIT),
    **dict.fromkeys(("44", "204"), _S.OUT_FOR_DELIVERY),
    "70": _S.DELIVERY_ATTEMPTED,
    "33": _S.EXCEPTION,
    **dict.fromkeys(("80", "8000"), _S.DELIVERED),
    **dict.fromkeys(("99", "631", "648"), _S.RETURNED_TO_SENDER),
}


def status_for(op_code: str | None) -> TrackingStatus:
    return OP_CODES.get((op_code or "").strip(), TrackingStatus.UNKNOWN)


def tracking_type(number: str) -> str:
    """Waybill numbers (SF + 12 digits, or the digits alone) are tracked by waybill; anything else is
    taken for our own order id."""
    return BY_WAYBILL if _WAYBILL.match(number) else BY_ORDER


def route_language(language: str) -> str:
    return _LANGUAGE.get(language.lower(), "0")


def build_track(number: str, account: SFExpressAccount, *, base_url: str, carrier: str) -> httpx.Request:
    """EXP_RECE_SEARCH_ROUTES (methodType 1: standard route query) for one waybill or order id,
    in the account's language. Refuses an empty number before anything is sent."""
    number = number.strip()
    if not number:
        raise ValidationError(FieldError("tracking_number", "must not be empty"), carrier=carrier)
    msg = {"language": route_language(account.language), "trackingType": tracking_type(number),
           "trackingNumber": [number], "methodType": "1"}
    return service_request(base_url, account.partner_id, SEARCH_ROUTES, msg)


def _event(route: Mapping[str, Any]) -> TrackingEvent | None:
    when = parse_china_time(str(route.get("acceptTime") or ""))
    if when is None:
        return None
    code = str(route["opCode"]).strip() if route.get("opCode") is not None else None
    location = str(route.get("acceptAddress") or "").strip() or None
    return TrackingEvent(occurred_at=when, status=status_for(code), code=code,
                         codes={"opCode": code} if code else {},
                         description=str(route.get("remark") or ""), location=location)


def proof_of_delivery(events: list[TrackingEvent]) -> ProofOfDelivery | None:
    """What the newest signed-for scan (opCode 80, 已签收) proves: when and where. SF's route fields
    are only acceptTime, acceptAddress, remark and opCode; it has no signer field, and names the
    signer only inside its standard remark ("快件已签收，签收人：本人"), read from there when present."""
    signed = next((e for e in events if e.code == SIGNED), None)
    if signed is None:
        return None
    found = _SIGNER.search(signed.description)
    return ProofOfDelivery(signed_by=found.group(1) if found else None, received_at=signed.occurred_at,
                           location=signed.location)


def tracking_info(number: str, routes: list[Any], *, carrier: str) -> TrackingInfo:
    """Events newest first; the status is the newest event's with a known status."""
    events = [e for e in (_event(r) for r in routes if isinstance(r, Mapping)) if e is not None]
    events.sort(key=lambda e: e.occurred_at, reverse=True)
    known = next((e for e in events if e.status is not TrackingStatus.UNKNOWN), None)
    delivered = next((e.occurred_at for e in events if e.status is TrackingStatus.DELIVERED), None)
    return TrackingInfo(carrier=carrier, tracking_number=number,
                        status=known.status if known else TrackingStatus.UNKNOWN, events=events,
                        delivered_at=delivered, raw_status=events[0].code if events else None,
                        proof_of_delivery=proof_of_delivery(events))


def build_track_many(numbers: Sequence[str], account: SFExpressAccount, *, base_url: str,
                     carrier: str) -> httpx.Request:
    """One route query for up to :data:`BATCH` waybill numbers (``trackingNumber`` is a list; SF
    refuses more than ten, 9083 查询号不能超过10个). Every number must be a waybill: SF answers each
    with its ``mailNo``, which names a waybill and never an order id, so only waybills can be told
    apart in one answer (order ids are tracked one a call, see :func:`build_track`)."""
    cleaned = [n.strip() if isinstance(n, str) else "" for n in numbers]
    problems = [FieldError(f"tracking_numbers[{i}]", "must be an SF waybill number to be tracked with others")
                for i, n in enumerate(cleaned) if tracking_type(n) != BY_WAYBILL]
    if not cleaned or len(cleaned) > BATCH:
        problems.append(FieldError("tracking_numbers", f"1 to {BATCH} numbers a route query"))
    if problems:
        raise ValidationError(problems, carrier=carrier)
    msg = {"language": route_language(account.language), "trackingType": BY_WAYBILL,
           "trackingNumber": cleaned, "methodType": "1"}
    return service_request(base_url, account.partner_id, SEARCH_ROUTES, msg)


def parse_track_many(response: httpx.Response, *, numbers: Sequence[str], carrier: str) -> TrackingResult:
    """Each waybill's route by its ``mailNo`` (compared without the ``SF`` prefix and case), keyed by
    the number as asked; a number SF gives no readable route for is :class:`NotFound` in ``errors``."""
    data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    resps = data.get("routeResps") or []
    if not isinstance(resps, list):
        raise MalformedResponse("SF routeResps is not a list", carrier=carrier)
    routes_of: dict[str, list[Any]] = {}
    for resp in resps:
        if isinstance(resp, dict) and resp.get("mailNo") and isinstance(resp.get("routes"), list):
            routes_of.setdefault(_key(str(resp["mailNo"])), []).extend(resp["routes"])
    result = TrackingResult()
    for asked in numbers:
        number = asked.strip()
        info = tracking_info(number, routes_of.get(_key(number), []), carrier=carrier)
        if info.events:
            result.tracked[asked] = info
        else:
            result.errors[asked] = NotFound(f"SF has no route for {number!r}", carrier=carrier)
    return result


def _key(waybill: str) -> str:
    text = waybill.strip().upper()
    return text[2:] if text.startswith("SF") else text


def parse_track(response: httpx.Response, *, number: str, carrier: str) -> TrackingInfo:
    """The first waybill's route with a readable event; ``number`` (what was asked) names it when
    SF's answer leaves out ``mailNo``. No route at all is :class:`NotFound`."""
    data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    resps = data.get("routeResps") or []
    if not isinstance(resps, list):
        raise MalformedResponse("SF routeResps is not a list", carrier=carrier)
    for resp in resps:
        if not isinstance(resp, dict):
            continue
        routes = resp.get("routes") or []
        if routes and isinstance(routes, list):
            info = tracking_info(str(resp.get("mailNo") or number), routes, carrier=carrier)
            if info.events:
                return info
    raise NotFound(f"SF has no route for {number!r}", carrier=carrier)


def parse_route_push(form_or_body: Mapping[str, str] | bytes | str, checkword: SecretStr | str, *,
                     carrier: str = "sf_express") -> list[TrackingInfo]:
    """The waybills' new events from one route push, after checking its digest.

    Returns one :class:`TrackingInfo` per waybill (``mailno``) rather than a bare event list: a push
    may carry several waybills, and an event alone would not say which one it belongs to.
    Raises :class:`AuthenticationError` when the digest does not verify.
    """
    try:
        form = dict(form_or_body) if isinstance(form_or_body, Mapping) else decode_form(form_or_body)
    except ValueError:
        raise MalformedResponse("route push is not a UTF-8 form", carrier=carrier) from None
    if not verify_push(form, checkword):
        raise AuthenticationError("route push digest does not verify", carrier=carrier, code="bad_digest")
    try:
        doc = json.loads(form["msgData"])
    except ValueError:
        raise MalformedResponse("route push msgData is not JSON", carrier=carrier) from None
    if isinstance(doc, dict) and isinstance(doc.get("Body"), dict):
        doc = doc["Body"]
    routes = doc.get("WaybillRoute") if isinstance(doc, dict) else None
    if not isinstance(routes, list):
        raise MalformedResponse("route push has no WaybillRoute list", carrier=carrier)
    by_waybill: dict[str, list[Any]] = {}
    for route in routes:
        if isinstance(route, dict) and route.get("mailno"):
            by_waybill.setdefault(str(route["mailno"]), []).append(route)
    return [tracking_info(number, items, carrier=carrier) for number, items in by_waybill.items()]
