"""Sample requests, accounts and helpers for SF Express tests, shared by several test modules."""

from __future__ import annotations

import json
from collections.abc import Generator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.sf_express import SFExpressAccount
from carriergate.core.contract import Call
from carriergate.protocols.auth.sf_digest import FORM_CONTENT_TYPE, decode_form, msg_digest

from support.paths import ROOT

FIXTURES = ROOT / "fixtures" / "sf_express"
#: The sandbox service URL: the whole URL is the endpoint of every SF service.
URL = "https://sfapi-sbox.sf-express.com/std/service"


CHINA = timezone(timedelta(hours=8))


ACCOUNT = SFExpressAccount(partner_id="SBX_PARTNER", checkword="sandbox-checkword", monthly_card="7551234567",
                           environment="sandbox")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def msg_data(request: httpx.Request, service_code: str, *, partner_id: str = "SBX_PARTNER",
             url: str = URL) -> Any:
    """The decoded ``msgData`` of a request a ``build_*`` finished, after checking the rest of it: a
    form POST to ``url`` for ``service_code``, still unsigned (the auth flow signs every attempt)."""
    form = decode_form(request.content)
    envelope = (request.method, str(request.url), request.headers.get("content-type"), sorted(form),
                form.get("serviceCode"), form.get("partnerID"))
    expected = ("POST", url, FORM_CONTENT_TYPE, ["msgData", "partnerID", "serviceCode"], service_code, partner_id)
    if envelope != expected:
        raise AssertionError(f"SF request envelope {envelope} is not {expected}")
    return json.loads(form["msgData"])


def answer(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(),
                          headers={"content-type": "application/json;charset=UTF-8"})


def shanghai() -> cg.Address:
    return cg.Address(name="张三", company="上海茶叶贸易有限公司", street=["世纪大道88号", "金茂大厦12楼"],
                      district="浦东新区", city="上海市", state="上海市", postal_code="200120", country="CN",
                      phone="+86 138 0013 8000")


def beijing() -> cg.Address:
    return cg.Address(name="李四", street=["长安街1号"], district="东城区", city="北京市", state="北京市",
                      postal_code="100010", country="CN", phone="010-6512 3456")


def parcels() -> list[cg.Parcel]:
    return [cg.Parcel(weight=cg.Weight("1.5", "kg"), dimensions=cg.Dimensions(30, 20, 10, "cm")),
            cg.Parcel(weight=cg.Weight("500", "g"), dimensions=cg.Dimensions(30, 20, 10, "cm"))]


def ship_request(**changes: Any) -> cg.ShipRequest:
    start = datetime(2099, 3, 1, 9, 0, tzinfo=CHINA)
    fields: dict[str, Any] = {
        "origin": shanghai(), "destination": beijing(), "parcels": parcels(),
        "insurance": cg.Money("2000.00", "CNY"), "carrier": "sf_express", "service": "2",
        "reference": "CG-SH-0001", "description": "龙井茶叶",
        "pickup": cg.PickupWindow(start=start, end=start + timedelta(hours=3)),
    }
    fields.update(changes)
    return cg.ShipRequest(**fields)


def rate_request(**changes: Any) -> cg.RateRequest:
    fields: dict[str, Any] = {"origin": shanghai(), "destination": beijing(), "parcels": parcels(),
                              "ship_date": date(2026, 3, 2)}
    fields.update(changes)
    return cg.RateRequest(**fields)


def _push(checkword: str) -> dict[str, str]:
    msg_data = json.dumps(fixture("route_push_msgdata.json"), ensure_ascii=False)
    return {"partnerID": "SBX_PARTNER", "requestID": "push-0001", "serviceCode": "RT_PUSH_ROUTE",
            "timestamp": "1772415672000", "msgData": msg_data,
            "msgDigest": msg_digest(msg_data, "1772415672000", checkword)}


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["msgData", "routeResps", "routes", "waybillNoInfoList", "waybillNo",
                                          "deliverTmDto", "fee", "businessType", "acceptTime", "opCode", "obj",
                                          "files", "content", "success", "errorCode"]), inner, max_size=4),
                     max_leaves=12)


def drive(flow: Generator[Call[Any], Any, Any], steps: list[str | cg.CarrierError]) -> tuple[list[Call[Any]], Any]:
    """Answer each Call of ``flow`` in turn, as the executor would: a fixture parsed by the Call (its
    CarrierError thrown back in), or an error thrown in as is. Returns the Calls and the result."""
    calls: list[Call[Any]] = []
    call = next(flow)
    for step in steps:
        calls.append(call)
        outcome: Any = None
        thrown = step if isinstance(step, cg.CarrierError) else None
        if thrown is None:
            try:
                outcome = call.parse(answer(str(step)))
            except cg.CarrierError as error:
                thrown = error
        try:
            call = flow.throw(thrown) if thrown is not None else flow.send(outcome)
        except StopIteration as stop:
            return calls, stop.value
    raise AssertionError(f"the flow wanted more answers after {len(calls)} calls")


def service_of(call: Call[Any]) -> tuple[str, str, str, bool, str | None]:
    """(serviceCode, operation, kind, idempotent, reference) of one SF Call."""
    return (decode_form(call.request.content)["serviceCode"], call.operation, call.kind, call.idempotent,
            call.reference)
