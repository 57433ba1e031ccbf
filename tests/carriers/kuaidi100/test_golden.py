"""Golden tests of every Kuaidi100 build/parse pair, against payloads authored in Kuaidi100's documented
format under fixtures/kuaidi100, every state code, and every error code to its typed error."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100Account, autonumber, guess, push, states, subscribe, track
from carriergate.carriers.kuaidi100.companies import checked_phone
from carriergate.core.subscriptions import PushAnswer, Subscription

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "kuaidi100"
URL = "https://poll.kuaidi100.com"
K100 = "kuaidi100"
CHINA = timezone(timedelta(hours=8))
ACCOUNT = Kuaidi100Account(customer="CUSTOMER0001", key="k100-Key-XYZ", secret="k100-Secret-ABC",
                           salt="k100-Salt-123")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def answer(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body, ensure_ascii=False).encode())


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


# -- real-time query -------------------------------------------------------------------------------
def test_query_request_golden() -> None:
    request = track.build_track(" SF1400000000001 ", "shunfeng", ACCOUNT, base_url=URL, carrier=K100, phone="8000")
    assert (request.method, str(request.url)) == ("POST", "https://poll.kuaidi100.com/poll/query.do")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = form_of(request)
    assert set(form) == {"param"}  # customer and sign are the auth flow's, added on every attempt
    assert json.loads(form["param"]) == fixture("query_request_param.json")
    assert list(json.loads(form["param"])) == list(fixture("query_request_param.json"))  # the documented order


def test_sf_and_zto_queries_need_a_phone_and_are_refused_before_sending() -> None:
    for company in ("shunfeng", "zhongtong", "shunfengkuaiyun", "fengwang"):
        with pytest.raises(cg.ValidationError) as caught:
            track.build_track("SF1400000000001", company, ACCOUNT, base_url=URL, carrier=K100)
        assert caught.value.field == "phone"
    with_phone = ACCOUNT.model_copy(update={"phone": "138 0013 8000"})
    param = json.loads(form_of(track.build_track("78300000000001", "zhongtong", with_phone, base_url=URL,
                                                 carrier=K100))["param"])
    assert param["phone"] == "13800138000"
    assert Kuaidi100Account(customer="C", key="k", secret="s", phone="+86 138 0013 8000").phone == "13800138000"
    with pytest.raises(ValueError, match="phone"):
        Kuaidi100Account(customer="C", key="k", secret="s", phone="call me")
    yto = json.loads(form_of(track.build_track("YT7700000000001", "yuantong", ACCOUNT, base_url=URL,
                                               carrier=K100))["param"])
    assert "phone" not in yto


@pytest.mark.parametrize(("number", "company", "field"), [
    ("12345", "yuantong", "tracking_number"), ("Y" * 33, "yuantong", "tracking_number"),
    ("YT7700000000001", "Yuan Tong", "company"), ("YT7700000000001", "", "company"),
])
def test_bad_query_input_names_the_field(number: str, company: str, field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        track.build_track(number, company, ACCOUNT, base_url=URL, carrier=K100)
    assert caught.value.field == field


@pytest.mark.parametrize("phone", ["12", "abcd", "1380013800012345678901", "--1234"])
def test_bad_phones_are_refused(phone: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        checked_phone(phone)
    assert caught.value.field == "phone"


def test_query_answer_golden() -> None:
    info = track.parse_track(answer(fixture("query_response.json")), number="SF1400000000001", carrier=K100)
    assert (info.carrier, info.tracking_number, info.status, info.raw_status) == \
        (K100, "SF1400000000001", cg.TrackingStatus.DELIVERED, "3")
    assert [e.status for e in info.events] == [cg.TrackingStatus.DELIVERED, cg.TrackingStatus.OUT_FOR_DELIVERY,
                                               cg.TrackingStatus.IN_TRANSIT, cg.TrackingStatus.IN_TRANSIT,
                                               cg.TrackingStatus.IN_TRANSIT]
    newest = info.events[0]
    assert newest.occurred_at == datetime(2026, 3, 3, 14, 12, 9, tzinfo=CHINA)
    assert (newest.code, newest.codes) == ("301", {"statusCode": "301", "status": "签收"})
    assert newest.location == "北京市朝阳区"
    assert info.events[1].location == "北京,朝阳区"  # areaName when there is no location
    assert newest.description.startswith("[北京市]快件已签收")
    assert info.delivered_at == newest.occurred_at
    assert info.events == sorted(info.events, key=lambda e: e.occurred_at, reverse=True)


def test_query_answer_without_sub_states() -> None:
    info = track.parse_track(answer(fixture("query_response_plain.json")), number="YT7700000000001", carrier=K100)
    assert (info.status, info.raw_status, info.delivered_at) == (cg.TrackingStatus.IN_TRANSIT, "0", None)
    assert all(e.status is cg.TrackingStatus.UNKNOWN and e.codes == {} for e in info.events)
    assert info.events[0].occurred_at > info.events[1].occurred_at


MAIN_STATES = {
    "0": cg.TrackingStatus.IN_TRANSIT, "1": cg.TrackingStatus.IN_TRANSIT, "2": cg.TrackingStatus.EXCEPTION,
    "3": cg.TrackingStatus.DELIVERED, "4": cg.TrackingStatus.RETURNED_TO_SENDER,
    "5": cg.TrackingStatus.OUT_FOR_DELIVERY, "6": cg.TrackingStatus.RETURNED_TO_SENDER,
    "7": cg.TrackingStatus.IN_TRANSIT, "8": cg.TrackingStatus.IN_TRANSIT, "10": cg.TrackingStatus.IN_TRANSIT,
    "11": cg.TrackingStatus.IN_TRANSIT, "12": cg.TrackingStatus.IN_TRANSIT, "13": cg.TrackingStatus.EXCEPTION,
    "14": cg.TrackingStatus.EXCEPTION,
}
SUB_STATES = {
    "101": cg.TrackingStatus.PRE_TRANSIT, "102": cg.TrackingStatus.PRE_TRANSIT, "103": cg.TrackingStatus.IN_TRANSIT,
    "1001": cg.TrackingStatus.IN_TRANSIT, "1002": cg.TrackingStatus.IN_TRANSIT, "1003": cg.TrackingStatus.IN_TRANSIT,
    "201": cg.TrackingStatus.EXCEPTION, "202": cg.TrackingStatus.EXCEPTION, "203": cg.TrackingStatus.EXCEPTION,
    "204": cg.TrackingStatus.DELIVERY_ATTEMPTED, "205": cg.TrackingStatus.EXCEPTION,
    "206": cg.TrackingStatus.DELIVERY_ATTEMPTED, "207": cg.TrackingStatus.EXCEPTION,
    "208": cg.TrackingStatus.EXCEPTION, "209": cg.TrackingStatus.EXCEPTION, "210": cg.TrackingStatus.CANCELLED,
    "301": cg.TrackingStatus.DELIVERED, "302": cg.TrackingStatus.DELIVERED, "303": cg.TrackingStatus.DELIVERED,
    "304": cg.TrackingStatus.DELIVERED, "401": cg.TrackingStatus.CANCELLED,
    "501": cg.TrackingStatus.AVAILABLE_FOR_PICKUP,
}


def test_the_tables_cover_every_documented_code() -> None:
    assert set(states.STATES) == set(MAIN_STATES) | set(SUB_STATES)


@pytest.mark.parametrize(("state", "status"), [*MAIN_STATES.items(), *SUB_STATES.items()])
def test_every_state_code(state: str, status: cg.TrackingStatus) -> None:
    body = {"message": "ok", "nu": "YT7700000000001", "com": "yuantong", "status": "200", "state": state,
            "data": [{"time": "2026-03-02 10:15:48", "ftime": "2026-03-02 10:15:48", "context": "…",
                      "statusCode": state}]}
    info = track.parse_track(answer(body), number="YT7700000000001", carrier=K100)
    assert (info.status, info.raw_status) == (status, state)
    assert (info.events[0].status, info.events[0].code, info.events[0].codes) == (status, state, {"statusCode": state})


def test_an_unknown_state_is_unknown_never_an_error() -> None:
    body = {**fixture("query_response_plain.json"), "state": "99"}
    info = track.parse_track(answer(body), number="YT7700000000001", carrier=K100)
    assert (info.status, info.raw_status) == (cg.TrackingStatus.UNKNOWN, "99")


@pytest.mark.parametrize(("name", "error", "code"), [
    ("query_no_result.json", cg.NotFound, "500"), ("query_bad_sign.json", cg.AuthenticationError, "503"),
    ("query_key_expired.json", cg.AuthenticationError, "601"), ("query_busy.json", cg.CarrierUnavailable, "502"),
    ("query_phone_mismatch.json", cg.CarrierError, "408"), ("query_bad_data.json", cg.CarrierError, "400"),
])
def test_query_errors_are_typed(name: str, error: type[cg.CarrierError], code: str) -> None:
    with pytest.raises(error) as caught:
        track.parse_track(answer(fixture(name)), number="YT7700000000001", carrier=K100)
    assert (caught.value.code, caught.value.carrier) == (code, K100)
    assert caught.value.message == fixture(name)["message"]
    assert caught.value.retryable is (error is cg.CarrierUnavailable)


@pytest.mark.parametrize("response", [
    httpx.Response(200, content=b"<html>busy</html>"), httpx.Response(200, content=b"[]"),
    httpx.Response(200, content=b'{"message":"ok","data":"none"}'), httpx.Response(200, content=b"\xff\xfe"),
])
def test_unreadable_query_answers_are_malformed(response: httpx.Response) -> None:
    with pytest.raises(cg.MalformedResponse):
        track.parse_track(response, number="YT7700000000001", carrier=K100)


def test_http_failures_keep_their_meaning() -> None:
    with pytest.raises(cg.CarrierUnavailable):
        track.parse_track(httpx.Response(503, content=b"down"), number="YT7700000000001", carrier=K100)
    with pytest.raises(cg.NotFound):
        track.parse_track(answer({"message": "ok", "data": []}), number="YT7700000000001", carrier=K100)


# -- detection -------------------------------------------------------------------------------------
def test_autonumber_request_and_answer() -> None:
    request = autonumber.build_autonumber("78300000000001", ACCOUNT, base_url="https://www.kuaidi100.com")
    assert str(request.url) == "https://www.kuaidi100.com/autonumber/auto"
    assert form_of(request) == {"key": "k100-Key-XYZ", "num": "78300000000001"}
    found = autonumber.parse_autonumber(answer(fixture("autonumber_response.json")), number="78300000000001",
                                        carrier=K100)
    assert found == [autonumber.Candidate("zhongtong", "中通快递"), autonumber.Candidate("yunda", "韵达快递")]
    with pytest.raises(cg.NotFound):
        autonumber.parse_autonumber(answer(fixture("autonumber_empty.json")), number="1", carrier=K100)
    with pytest.raises(cg.AuthenticationError):
        autonumber.parse_autonumber(answer(fixture("subscribe_bad_key.json")), number="1", carrier=K100)


@pytest.mark.parametrize(("number", "company"), [
    ("SF1400000000001", "shunfeng"), ("sf1400000000001", "shunfeng"), ("JDVA00000000001", "jd"),
    ("YT7700000000001", "yuantong"), ("JT0000000000001", "jtexpress"), ("EA123456789CN", "ems"),
    ("78300000000001", None), ("4300000000001", None),
])
def test_guess_by_printed_prefix(number: str, company: str | None) -> None:
    assert guess(number) == company


# -- subscription ----------------------------------------------------------------------------------
def test_subscribe_request_golden() -> None:
    request = subscribe.build_subscribe("78300000000001", "zhongtong", "https://shop.example.com/webhooks/kuaidi100",
                                        ACCOUNT, base_url=URL, carrier=K100, phone="5678")
    assert str(request.url) == "https://poll.kuaidi100.com/poll"
    form = form_of(request)
    assert form["schema"] == "json"
    assert json.loads(form["param"]) == fixture("subscribe_request_param.json")


def test_subscribe_refuses_before_sending() -> None:
    unsalted = Kuaidi100Account(customer="C", key="k", secret="s")
    with pytest.raises(cg.ConfigurationError, match="salt"):
        subscribe.build_subscribe("YT7700000000001", "yuantong", "https://x.example/hook", unsalted,
                                  base_url=URL, carrier=K100)
    for url in ("", "ftp://x.example/hook", "/webhooks/kuaidi100", "https://x.example/a b", "https://" + "a" * 600):
        with pytest.raises(cg.ValidationError) as caught:
            subscribe.build_subscribe("YT7700000000001", "yuantong", url, ACCOUNT, base_url=URL, carrier=K100)
        assert caught.value.field == "callback_url"
    with pytest.raises(cg.ValidationError) as caught:
        subscribe.build_subscribe("SF1400000000001", "shunfeng", "https://x.example/hook", ACCOUNT, base_url=URL,
                                  carrier=K100)
    assert caught.value.field == "phone"


def parse_subscription(name: str) -> Subscription:
    return subscribe.parse_subscribe(answer(fixture(name)), number="78300000000001", company="zhongtong",
                                     url="https://shop.example.com/hook", carrier=K100)


def test_subscribe_answers() -> None:
    made = parse_subscription("subscribe_response.json")
    assert (made.tracking_number, made.company, made.already, made.message) == \
        ("78300000000001", "zhongtong", False, "提交成功")
    assert parse_subscription("subscribe_duplicate.json").already is True


@pytest.mark.parametrize(("name", "error", "code"), [
    ("subscribe_bad_key.json", cg.AuthenticationError, "600"), ("subscribe_refused_company.json", cg.NotSupported,
                                                                "701"),
    ("subscribe_bad_data.json", cg.CarrierError, "700"),
])
def test_subscribe_errors_are_typed(name: str, error: type[cg.CarrierError], code: str) -> None:
    with pytest.raises(error) as caught:
        parse_subscription(name)
    assert caught.value.code == code


# -- pushes ----------------------------------------------------------------------------------------
def signed(doc: Any, salt: str = "k100-Salt-123") -> bytes:
    param = json.dumps(doc, ensure_ascii=False)
    return urlencode({"param": param, "sign": push.push_sign(param, salt)}).encode()


def test_push_golden() -> None:
    (update,) = push.parse_push(signed(fixture("push_param.json")), ACCOUNT.salt, carrier=K100)
    assert (update.carrier, update.monitor, update.resubscribe_after) == (K100, "polling", None)
    info = update.info
    assert (info.tracking_number, info.status, info.raw_status) == \
        ("78300000000001", cg.TrackingStatus.OUT_FOR_DELIVERY, "5")
    assert [e.code for e in info.events] == ["5", "1001", "103"]
    again = push.parse_push(signed(fixture("push_param.json")), ACCOUNT.salt, carrier=K100)[0]
    assert again.key == update.key  # the same update pushed again
    moved = fixture("push_param.json")
    moved["lastResult"]["state"] = "3"
    moved["lastResult"]["data"].insert(0, {"context": "已签收", "ftime": "2026-03-03 12:00:00", "statusCode": "301"})
    assert push.parse_push(signed(moved), ACCOUNT.salt, carrier=K100)[0].key != update.key


def test_abort_push_says_when_to_subscribe_again() -> None:
    (update,) = push.parse_push(signed(fixture("push_param_abort.json")), ACCOUNT.salt, carrier=K100)
    assert (update.monitor, update.message, update.resubscribe_after) == ("abort", "3天查询无记录", 1800.0)
    assert update.info.events == []


def test_bad_pushes() -> None:
    with pytest.raises(cg.AuthenticationError):
        push.parse_push(signed(fixture("push_param.json"), salt="wrong"), ACCOUNT.salt, carrier=K100)
    with pytest.raises(cg.MalformedResponse):
        push.parse_push(b"\xff\xfe", ACCOUNT.salt, carrier=K100)
    with pytest.raises(cg.MalformedResponse):
        push.parse_push(signed({"status": "polling"}), ACCOUNT.salt, carrier=K100)
    assert push.push_answer(True) == PushAnswer(200, {"result": True, "returnCode": "200", "message": "成功"})
    assert push.push_answer(False, "no", 401).status == 401
