"""YunExpress flows through the real executor over httpx.MockTransport: one token for many calls
(also for concurrent callers), every request signed, reads retried, the order create never repeated
after an ambiguous failure, the label fetched (or downloaded unsigned from YunExpress's file host),
and input refused before anything is sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carriergate as cg

from support.yunexpress_samples import (
    APP_SECRET,
    BASE,
    PDF,
    SETTINGS,
    MockYunExpress,
    answer,
    by_hand,
    envelope,
    ship_request,
)

CREATE, LABEL, TRACK = "/v1/order/package/create", "/v1/order/label/get", "/v1/track-service/info/get"
TOKEN = "/openapi/oauth2/token"
HOOK = "https://shop.example.com/webhooks/yunexpress"


def gateway(mock: MockYunExpress, **settings: Any) -> cg.Gateway:
    return cg.Gateway({"yunexpress": {**SETTINGS, "base_url": BASE, **settings}}, transport=httpx.MockTransport(mock),
                      sleep=lambda _: None)


def assert_signed(request: httpx.Request, token: str = "tok-1") -> None:  # noqa: S107 - a test token
    assert request.headers["token"] == token
    expected = by_hand(APP_SECRET, request.method, request.url.path, request.headers["date"],
                       request.content.decode("utf-8"))
    assert request.headers["sign"] == expected


def test_ship_creates_the_order_then_fetches_its_label_with_one_token() -> None:
    mock = MockYunExpress({CREATE: [answer("create_response.json")], LABEL: [answer("label_response.json")]})
    with gateway(mock) as gw:
        label = gw.ship(ship_request())
    assert (label.tracking_number, label.label, label.label_format, label.reference) == (
        "YT2533700000000001", PDF, "PDF", "ORDER-1001")
    assert [r.url.path for r in mock.seen] == [TOKEN, CREATE, LABEL]
    for request in mock.seen[1:]:
        assert_signed(request)
    assert mock.seen[2].url.params["order_number"] == "YT2533700000000001"


def test_a_label_given_as_url_is_downloaded_without_token_or_signature() -> None:
    def file(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=PDF, headers={"content-type": "application/pdf"})

    mock = MockYunExpress({CREATE: [answer("create_response.json")], LABEL: [answer("label_url_response.json")],
                           "/label/YT2533700000000001.pdf": [file]})
    with gateway(mock) as gw:
        label = gw.ship(ship_request())
    assert label.label == PDF
    download = mock.seen[-1]
    assert download.url.host == "label.yunexpress.cn"
    assert not {"token", "sign", "date", "authorization"} & set(download.headers)


def test_one_token_serves_every_call_until_it_expires() -> None:
    mock = MockYunExpress({TRACK: [answer("track_response.json")], "/v1/order/cancel": [answer("void_response.json")]})
    with gateway(mock) as gw:
        gw.track("YT2533700000000001", carrier="yunexpress")
        gw.track("YT2533700000000001", carrier="yunexpress")
        gw.void(cg.Label(carrier="yunexpress", tracking_number="YT2533700000000001", label=PDF, label_format="PDF"))
    assert mock.tokens_issued == 1
    assert len(mock.calls(TRACK)) == 2


def test_concurrent_callers_on_a_cold_cache_buy_one_token() -> None:
    mock = MockYunExpress({TRACK: [answer("track_response.json")]})

    async def run() -> list[cg.TrackingInfo]:
        config = {"yunexpress": {**SETTINGS, "base_url": BASE}}
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(mock)) as agw:
            return list(await asyncio.gather(*(agw.track("YT2533700000000001", carrier="yunexpress")
                                               for _ in range(6))))

    infos = asyncio.run(run())
    assert {i.status for i in infos} == {cg.TrackingStatus.OUT_FOR_DELIVERY}
    assert mock.tokens_issued == 1


def test_reads_are_retried_and_each_attempt_signed_afresh() -> None:
    mock = MockYunExpress({TRACK: [httpx.Response(503, content=b"busy"), answer("track_response.json")]})
    with gateway(mock) as gw:
        info = gw.track("YT2533700000000001", carrier="yunexpress")
    assert info.status is cg.TrackingStatus.OUT_FOR_DELIVERY
    attempts = mock.calls(TRACK)
    assert len(attempts) == 2
    for attempt in attempts:
        assert_signed(attempt)


def test_an_order_create_whose_answer_is_lost_is_outcome_unknown_and_not_repeated() -> None:
    def lost(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("answer lost", request=request)

    mock = MockYunExpress({CREATE: [lost]})
    with gateway(mock) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.ship(ship_request())
    assert caught.value.reference == "ORDER-1001"
    assert len(mock.calls(CREATE)) == 1


def test_an_order_create_answered_500_is_not_repeated() -> None:
    mock = MockYunExpress({CREATE: [httpx.Response(500, content=envelope(success=False, code="500", msg="oops"))]})
    with gateway(mock) as gw, pytest.raises(cg.CarrierError):
        gw.ship(ship_request())
    assert len(mock.calls(CREATE)) == 1


def test_a_refused_order_carries_yunexpress_code_and_message() -> None:
    mock = MockYunExpress({CREATE: [answer("error_refused.json")]})
    with gateway(mock) as gw, pytest.raises(cg.CarrierError) as caught:
        gw.ship(ship_request())
    assert (caught.value.code, caught.value.message, caught.value.carrier) == ("1001", "客户订单号已存在", "yunexpress")


def test_wrong_credentials_are_an_authentication_error_and_nothing_else_is_sent() -> None:
    mock = MockYunExpress({TOKEN: [answer("token_refused.json")]})
    with gateway(mock) as gw, pytest.raises(cg.AuthenticationError) as caught:
        gw.track("YT2533700000000001", carrier="yunexpress")
    assert caught.value.code == "40001"
    assert [r.url.path for r in mock.seen] == [TOKEN]
    assert APP_SECRET not in repr(caught.value) + str(caught.value)


def test_find_label_looks_the_order_up_by_our_reference() -> None:
    mock = MockYunExpress({"/v1/order/info/get": [answer("order_info_response.json")],
                           LABEL: [answer("label_response.json")]})
    with gateway(mock) as gw:
        found = gw.find_label("ORDER-1001", carrier="yunexpress")
    assert found is not None
    assert (found.tracking_number, found.label) == ("YT2533700000000001", PDF)
    assert mock.calls("/v1/order/info/get")[0].url.params["order_number"] == "ORDER-1001"


def test_rate_quotes_in_cny() -> None:
    mock = MockYunExpress({"/v1/price-trial/get": [answer("price_trial_response.json")]})
    with gateway(mock) as gw:
        result = gw.rate(ship_request(), carriers=["yunexpress"])
    assert result.errors == {}
    assert [(q.service_code, q.total.currency) for q in result.quotes] == [("THZXR", "CNY"), ("BKZXR", "CNY")]


def test_subscribe_is_one_signed_write() -> None:
    mock = MockYunExpress({"/v1/track-service/subscribe-by-order": [
        httpx.Response(200, content=envelope(msg="subscribed"))]})
    with gateway(mock) as gw:
        made = gw.subscribe("YT2533700000000001", carrier="yunexpress", callback_url=HOOK)
    assert (made.tracking_number, made.callback_url, made.message) == ("YT2533700000000001", HOOK, "subscribed")
    sent = mock.calls("/v1/track-service/subscribe-by-order")[0]
    assert_signed(sent)
    assert json.loads(sent.content)["waybill_numbers"] == ["YT2533700000000001"]


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    mock = MockYunExpress({})
    with gateway(mock) as gw:
        with pytest.raises(cg.ValidationError):
            gw.ship(ship_request(label_format="ZPL"))
        with pytest.raises(cg.ValidationError):
            gw.track("YT/../x", carrier="yunexpress")
    assert mock.seen == []


def test_a_refused_token_mid_way_is_replaced_once_and_the_call_re_signed() -> None:
    sent: list[tuple[str, str]] = []  # (token, sign) as each attempt carried them: the replay reuses the request

    def seen(reply: httpx.Response) -> Callable[[httpx.Request], httpx.Response]:
        def record(request: httpx.Request) -> httpx.Response:
            sent.append((request.headers["token"], request.headers["sign"]))
            return reply
        return record

    mock = MockYunExpress({TRACK: [seen(answer("error_unauthorized.json", 401)), seen(answer("track_response.json"))]})
    with gateway(mock) as gw:
        info = gw.track("YT2533700000000001", carrier="yunexpress")
    assert info.raw_status == "T"
    assert [token for token, _ in sent] == ["tok-1", "tok-2"]
    assert_signed(mock.calls(TRACK)[-1], token="tok-2")
    assert mock.tokens_issued == 2


def test_a_void_is_a_write_that_may_be_repeated() -> None:
    mock = MockYunExpress({"/v1/order/cancel": [httpx.Response(503, content=b"busy"), answer("void_response.json")]})
    with gateway(mock) as gw:
        gw.void(cg.Label(carrier="yunexpress", tracking_number="YT2533700000000001", label=PDF, label_format="PDF"))
    assert len(mock.calls("/v1/order/cancel")) == 2
