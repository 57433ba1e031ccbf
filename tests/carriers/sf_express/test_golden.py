"""Golden tests of every SF build/parse pair, against payloads authored under fixtures/sf_express."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress, SFExpressAccount, lookup, rate, ship, track, void
from carriergate.carriers.sf_express.address import phone_fields
from carriergate.carriers.sf_express.errors import DuplicateOrder, business_result
from carriergate.core.contract import Call
from carriergate.protocols.auth.sf_digest import SFDigestAuth, decode_form, verify_push

from support.sf_samples import (
    ACCOUNT,
    CHINA,
    URL,
    _json,
    _push,
    answer,
    fixture,
    msg_data,
    rate_request,
    ship_request,
)

SF = "sf_express"
CREATE, SEARCH, PRINT = "EXP_RECE_CREATE_ORDER", "EXP_RECE_SEARCH_ORDER_RESP", "COM_RECE_CLOUD_PRINT_WAYBILLS"


def create_msg(request: cg.ShipRequest, account: SFExpressAccount = ACCOUNT) -> Any:
    """The create-order msgData that build_ship finishes into a request."""
    return msg_data(ship.build_ship(request, account, base_url=URL, carrier=SF), CREATE,
                    partner_id=account.partner_id)


def rate_msg(request: cg.RateRequest) -> Any:
    return msg_data(rate.build_rate(request, ACCOUNT, base_url=URL, carrier=SF), "EXP_RECE_QUERY_DELIVERTM")


# -- create order ----------------------------------------------------------------------------------
def test_create_order_golden() -> None:
    assert create_msg(ship_request()) == fixture("create_order_request.json")


def test_create_order_without_pickup_insurance_or_card() -> None:
    bare = SFExpressAccount(partner_id="P", checkword="c")
    msg = create_msg(ship_request(pickup=None, insurance=None, description=None), bare)
    assert not {"isDocall", "sendStartTm", "serviceList", "monthlyCard", "remark", "customsInfo"} & set(msg)
    assert msg["cargoDetails"] == [{"name": "商品", "count": 1, "unit": "件", "weight": 2}]


@pytest.mark.parametrize(("phone", "country", "expected"), [
    ("+86 138 0013 8000", "CN", {"mobile": "13800138000"}), ("0086-13800138000", "CN", {"mobile": "13800138000"}),
    ("+86 21 5555 0000", "CN", {"tel": "02155550000"}), ("010-6512 3456", "CN", {"tel": "010-65123456"}),
    ("+1 (213) 555-0100", "US", {"tel": "+1213555-0100"}),
])
def test_phone_fields(phone: str, country: str, expected: dict[str, str]) -> None:
    assert phone_fields(phone, country) == expected


def test_pickup_start_is_written_in_china_time() -> None:
    start = datetime(2099, 3, 1, 1, 30, tzinfo=UTC)
    msg = create_msg(ship_request(pickup=cg.PickupWindow(start=start, end=start + timedelta(hours=2))))
    assert msg["sendStartTm"] == "2099-03-01 09:30:00"


def test_international_order_carries_customs() -> None:
    los_angeles = cg.Address(name="Jane Roe", street=["350 S Grand Ave"], city="Los Angeles", state="CA",
                             postal_code="90071", country="US", phone="+1 213 555 0100")
    customs = cg.CustomsDeclaration(contents_type="merchandise", incoterm="DDP", signer="张三", items=[
        cg.CustomsItem(description="Silk scarf 丝巾", hs_code="6214.10", origin_country="CN", quantity=2,
                       unit_value=cg.Money("45.50", "USD"), unit_weight=cg.Weight("0.2", "kg"))])
    msg = create_msg(ship_request(destination=los_angeles, customs=customs, insurance=None))
    assert msg["cargoDetails"] == [{"name": "Silk scarf 丝巾", "count": 2, "unit": "piece", "weight": 0.2,
                                    "amount": 45.5, "currency": "USD", "sourceArea": "CN", "hsCode": "621410"}]
    assert msg["customsInfo"] == {"taxPayMethod": 1, "declaredValue": 91, "declaredValueCurrency": "USD"}
    assert msg["contactInfoList"][1]["tel"] == "+12135550100"


@pytest.mark.parametrize(("changes", "field"), [
    ({"service": "express"}, "service"),
    ({"label_format": "ZPL"}, "label_format"),
    ({"insurance": cg.Money("300", "USD")}, "insurance.currency"),
    ({"destination": cg.Address(name="李四", street=["长安街1号"], city="北京市", state="北京市",
                                postal_code="100010", country="CN")}, "destination.phone"),
    ({"origin": cg.Address(name="张三", street=["世纪大道88号"], city="上海市", postal_code="200120",
                           country="CN", phone="13800138000")}, "origin.state"),
])
def test_ship_validation_happens_before_any_request(changes: dict[str, Any], field: str) -> None:
    flow = SFExpress(ACCOUNT).ship(ship_request(**changes))
    with pytest.raises(cg.ValidationError) as info:
        next(flow)
    assert info.value.field == field
    assert info.value.carrier == "sf_express"
    with pytest.raises(cg.ValidationError) as built:
        ship.build_ship(ship_request(**changes), ACCOUNT, base_url=URL, carrier=SF)
    assert (built.value.field, built.value.carrier) == (field, SF)


def test_parse_create_order() -> None:
    created = ship.parse_ship(answer("create_order_response.json"), carrier="sf_express")
    assert created == ship.Order(order_id="CG-SH-0001", waybills=["SF1360000000017"], filter_result="2")


def test_parse_multi_piece_puts_the_master_first() -> None:
    created = ship.parse_ship(answer("create_order_multi_piece_response.json"), carrier="sf_express")
    assert created.master == "SF1360000000024"
    assert created.waybills == ["SF1360000000024", "SF1360000000032"]


def test_duplicate_order_is_typed() -> None:
    with pytest.raises(DuplicateOrder) as info:
        ship.parse_ship(answer("create_order_duplicate.json"), carrier="sf_express")
    assert info.value.code == "8016"


def test_unserviceable_order() -> None:
    with pytest.raises(cg.CarrierError) as info:
        ship.parse_ship(answer("create_order_not_serviceable.json"), carrier="sf_express")
    assert info.value.code == "filter_3"
    assert "收派范围" in info.value.message


def test_search_order_pair() -> None:
    assert msg_data(ship.build_lookup("CG-SH-0001", ACCOUNT, base_url=URL), SEARCH) == \
        fixture("search_order_request.json")
    found = ship.parse_lookup(answer("search_order_response.json"), carrier="sf_express")
    assert found.waybills == ["SF1360000000017"]


def test_cancel_pair() -> None:
    assert msg_data(void.build_void("CG-SH-0001", ACCOUNT, base_url=URL), "EXP_RECE_UPDATE_ORDER") == \
        fixture("cancel_order_request.json")
    void.parse_void(answer("cancel_order_response.json"), carrier="sf_express")  # no error: cancelled
    refused = httpx.Response(200, content=json.dumps({"apiResultCode": "A1000", "apiResultData": json.dumps(
        {"success": True, "msgData": {"orderId": "CG-SH-0001", "resStatus": 1}})}).encode())
    with pytest.raises(cg.CarrierError) as info:
        void.parse_void(refused, carrier="sf_express")
    assert info.value.code == "resStatus_1"


# -- label -------------------------------------------------------------------------------------------
CREATED = ship.Order(order_id="CG-SH-0001", waybills=["SF1360000000017"], filter_result="2")


def test_cloud_print_pair() -> None:
    assert msg_data(ship.build_label("SF1360000000017", ACCOUNT, base_url=URL), PRINT) == \
        fixture("cloud_print_request.json")
    label = ship.parse_label(answer("cloud_print_response.json"), carrier="sf_express", order=CREATED,
                             reference="CG-SH-0001")
    pdf = label.label
    assert pdf.startswith(b"%PDF-1.4")
    assert b"SF1360000000017" in pdf
    assert (label.tracking_number, label.tracking_numbers, label.label_format, label.reference) == \
        ("SF1360000000017", ["SF1360000000017"], "PDF", "CG-SH-0001")
    assert label.carrier_data == {"order_id": "CG-SH-0001"}


def test_label_falls_back_to_the_reference_as_order_id() -> None:
    label = ship.parse_label(answer("cloud_print_response.json"), carrier="sf_express",
                             order=ship.Order(order_id="", waybills=["SF1360000000017"]), reference="CG-SH-0001")
    assert label.carrier_data == {"order_id": "CG-SH-0001"}


def test_cloud_print_url_only_is_a_clear_not_supported() -> None:
    with pytest.raises(cg.NotSupported) as info:
        ship.parse_label(answer("cloud_print_url_only.json"), carrier="sf_express", order=CREATED,
                         reference="CG-SH-0001")
    assert info.value.code == "label_url_only"
    assert "SF1360000000017" in info.value.message
    assert "AUTH_tkv12" not in str(info.value)


# -- rate --------------------------------------------------------------------------------------------
def test_rate_golden() -> None:
    assert rate_msg(rate_request()) == fixture("rate_request.json")
    assert rate_msg(rate_request(services=["1"]))["businessType"] == "1"


def test_rate_refuses_other_lanes() -> None:
    abroad = cg.Address(name="Jane", street=["1 Main St"], city="Hong Kong", country="HK", phone="+852 5555 0000")
    with pytest.raises(cg.NotServed) as info:  # not a failure: the lane is not SF's
        rate.build_rate(rate_request(destination=abroad, customs=cg.CustomsDeclaration(
            contents_type="documents", signer="张三")), ACCOUNT, base_url=URL, carrier="sf_express")
    assert (info.value.code, info.value.carrier) == ("lane_not_supported", SF)


def test_parse_rate() -> None:
    quotes = rate.parse_rate(answer("deliver_tm_response.json"), carrier="sf_express", ship_date=date(2026, 3, 2))
    assert [(q.service_code, q.service_name, q.total, q.transit_days) for q in quotes] == [
        ("1", "顺丰特快", cg.Money("29.5", "CNY"), 1), ("2", "顺丰标快", cg.Money("16", "CNY"), 2)]
    assert quotes[0].estimated_delivery == datetime(2026, 3, 3, 12, 0, tzinfo=CHINA)
    assert isinstance(quotes[0].total.amount, Decimal)
    only = rate.parse_rate(answer("deliver_tm_response.json"), carrier="sf_express", services=["2"],
                           ship_date=date(2026, 3, 2))
    assert [q.service_code for q in only] == ["2"]


# -- routes ------------------------------------------------------------------------------------------
def test_route_query_golden() -> None:
    msg = msg_data(track.build_track("SF1360000000017", ACCOUNT, base_url=URL, carrier=SF), "EXP_RECE_SEARCH_ROUTES")
    assert msg == fixture("route_query_request.json")
    assert track.tracking_type("CG-SH-0001") == track.BY_ORDER


@pytest.mark.parametrize("number", ["", "   "])
def test_route_query_refuses_an_empty_number(number: str) -> None:
    with pytest.raises(cg.ValidationError) as info:
        track.build_track(number, ACCOUNT, base_url=URL, carrier=SF)
    assert (info.value.field, info.value.carrier) == ("tracking_number", SF)


def test_parse_routes() -> None:
    info = track.parse_track(answer("routes_response.json"), number="SF1360000000017", carrier="sf_express")
    assert info.status is cg.TrackingStatus.DELIVERED
    assert info.delivered_at == datetime(2026, 3, 3, 11, 47, 51, tzinfo=CHINA)
    assert [e.code for e in info.events] == ["80", "44", "9999", "31", "36", "30", "50"]
    assert [e.status.value for e in info.events] == ["delivered", "out_for_delivery", "unknown", "in_transit",
                                                      "in_transit", "in_transit", "in_transit"]
    assert info.events[-1].location == "上海市"
    assert info.events[-1].description == "顺丰速运 已收取快件"
    assert info.events[0].occurred_at.utcoffset() == timedelta(hours=8)


def test_parse_routes_exception_and_return() -> None:
    info = track.parse_track(answer("routes_exception.json"), number="SF1360000000025", carrier="sf_express")
    assert [e.status.value for e in info.events] == ["returned_to_sender", "delivery_attempted", "in_transit"]
    assert info.status is cg.TrackingStatus.RETURNED_TO_SENDER
    assert info.delivered_at is None
    assert track.status_for("33") is cg.TrackingStatus.EXCEPTION


def test_unknown_number_is_not_found() -> None:
    with pytest.raises(cg.NotFound) as info:
        track.parse_track(answer("routes_empty.json"), number="SF9999999999990", carrier="sf_express")
    assert info.value.code == "not_found"


# -- route push ---------------------------------------------------------------------------------------


def test_route_push_verifies_then_parses() -> None:
    form = _push("sandbox-checkword")
    body = httpx.Request("POST", "https://shop.invalid/sf", data=form).content
    for pushed in (form, body, body.decode()):
        infos = track.parse_route_push(pushed, ACCOUNT.checkword)
        assert [(i.tracking_number, i.status.value) for i in infos] == [("SF1360000000017", "in_transit"),
                                                                        ("SF1360000000024", "delivered")]
    assert infos[1].events[0].description == "快件已签收，签收人：前台 (代收) * ~ ! ' ( )"


def test_route_push_with_a_bad_digest_is_refused() -> None:
    with pytest.raises(cg.AuthenticationError):
        track.parse_route_push(_push("someone-else"), "sandbox-checkword")


# -- envelope and errors --------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "kind", "code"), [
    ("gateway_error_a1006.json", cg.AuthenticationError, "A1006"),
    ("gateway_error_a1005.json", cg.RateLimited, "A1005"),
    ("gateway_error_a1099.json", cg.CarrierUnavailable, "A1099"),
    ("business_error.json", cg.CarrierError, "1014"),
])
def test_errors_are_typed(name: str, kind: type[cg.CarrierError], code: str) -> None:
    with pytest.raises(kind) as info:
        business_result(answer(name), carrier="sf_express")
    assert info.value.code == code
    assert info.value.request_id == "0001A1B2C3D4E5F6"
    assert info.value.message


@pytest.mark.parametrize("body", [b"<html>busy</html>", b"[]", b'{"apiResultCode":"A1000","apiResultData":"{oops"}',
                                  b'{"apiResultCode":"A1000","apiResultData":"[1]"}'])
def test_malformed_answers(body: bytes) -> None:
    with pytest.raises(cg.MalformedResponse) as info:
        business_result(httpx.Response(200, content=body), carrier="sf_express")
    assert (info.value.code, info.value.http_status) == ("malformed", 200)


def test_http_502_without_json_is_unavailable() -> None:
    with pytest.raises(cg.CarrierUnavailable):
        business_result(httpx.Response(502, content=b"bad gateway"), carrier="sf_express")


def test_request_is_a_utf8_form_that_signs_chinese_intact() -> None:
    carrier = SFExpress(ACCOUNT)
    call: Call[Any] = next(carrier.ship(ship_request()))
    assert call.request.url == URL
    assert call.operation == "ship"
    assert not call.idempotent
    assert call.reference == "CG-SH-0001"
    auth = carrier.auth
    assert auth is not None
    signed = next(auth.sync_auth_flow(call.request))
    raw = parse_qs(signed.content.decode("ascii"), strict_parsing=True, encoding="utf-8", errors="strict")
    form = {k: v[0] for k, v in raw.items()}
    assert form["serviceCode"] == "EXP_RECE_CREATE_ORDER"
    assert form["partnerID"] == "SBX_PARTNER"
    for text in ("张三", "上海茶叶贸易有限公司", "浦东新区", "世纪大道88号 金茂大厦12楼", "李四", "东城区", "龙井茶叶",
                 "13800138000"):
        assert text in form["msgData"]
    assert json.loads(form["msgData"]) == fixture("create_order_request.json")
    assert verify_push(form, ACCOUNT.checkword)
    assert decode_form(signed.content) == form
    assert isinstance(carrier.auth, SFDigestAuth)


def test_account_keeps_the_checkword_secret() -> None:
    carrier = SFExpress(ACCOUNT)
    assert "sandbox-checkword" not in repr(ACCOUNT) + repr(carrier) + repr(carrier.auth)
    assert carrier.secrets() == ["sandbox-checkword"]
    assert SFExpressAccount(partner_id="P", checkword="c").template_code == "fm_150_standard_P"
    assert SFExpress.capabilities == {cg.Capability.RATE, cg.Capability.SHIP, cg.Capability.VOID,
                                      cg.Capability.TRACK, cg.Capability.FIND_LABEL, cg.Capability.RETURN_LABEL}


@settings(max_examples=150, deadline=None)
@given(data=_json, success=st.sampled_from([True, False, "true", None]))
def test_parsers_only_raise_carrier_errors(data: Any, success: Any) -> None:
    inner = data if isinstance(data, dict) else {"msgData": data}
    body = json.dumps({"apiResultCode": "A1000", "apiResultData": json.dumps({**inner, "success": success})})
    response = httpx.Response(200, content=body.encode())
    parsers: list[Callable[[], object]] = [
        lambda: ship.parse_ship(response, carrier="sf_express"),
        lambda: ship.parse_lookup(response, carrier="sf_express"),
        lambda: void.parse_void(response, carrier="sf_express"),
        lambda: rate.parse_rate(response, carrier="sf_express", ship_date=date(2026, 3, 2)),
        lambda: ship.parse_label(response, carrier="sf_express", order=CREATED, reference="CG-SH-0001"),
        lambda: track.parse_track(response, number="SF1", carrier="sf_express"),
        lambda: track.parse_track_many(response, numbers=["SF1360000000017", "1"], carrier="sf_express"),
        lambda: lookup.parse_found(response, carrier="sf_express"),
    ]
    for parse in parsers:
        with contextlib.suppress(cg.CarrierError):  # anything else (KeyError, TypeError) fails the test
            parse()
