"""The 4PX flows through the real executor over httpx.MockTransport: every router call signed (checked
here by hand), the label download sent unsigned, reads retried, 000017 waited out for a minute, a
label write whose answer is lost never repeated, and no secret in logs or errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carriergate as cg

from support.fourpx_samples import (
    APP_KEY,
    APP_SECRET,
    SETTINGS,
    failed,
    fixture,
    md5_sign,
    ok,
    rate_request,
    ship_request,
)
from support.timing import never_sleep

PDF = b"%PDF-1.4 4px label"
LABEL_LINK = "https://label.4px.example.test/labels/300900010807.pdf"
Answer = dict[str, Any] | httpx.Response | Exception


class Router:
    """Answers each 4PX method (and GETs of label links) from a queue (the last answer repeats),
    recording every request and checking each router call's signature by hand."""

    def __init__(self, answers: dict[str, list[Answer]]) -> None:
        self.answers = answers
        self.seen: list[httpx.Request] = []
        self.bad_signatures = 0

    def methods(self) -> list[str]:
        return [r.url.params.get("method", r.method) for r in self.seen]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        key = request.url.params.get("method") or str(request.url)
        params = request.url.params
        if "method" in params:
            expected = md5_sign(APP_KEY, params["method"], params["timestamp"], params["v"],
                                request.content.decode(), APP_SECRET)
            if params.get("sign") != expected or params.get("app_key") != APP_KEY or params.get("format") != "json":
                self.bad_signatures += 1
        queue = self.answers[key]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return httpx.Response(200, json=reply)


def gateway(router: Router, *, sleep: Callable[[float], None] = lambda _: None, **settings: Any) -> cg.Gateway:
    return cg.Gateway({"4px": {**SETTINGS, **settings}}, transport=httpx.MockTransport(router), sleep=sleep)


def ship_answers() -> dict[str, list[Answer]]:
    return {"ds.xms.order.create": [fixture("order_create_response.json")],
            "ds.xms.label.get": [fixture("label_response.json")],
            LABEL_LINK: [httpx.Response(200, content=PDF, headers={"content-type": "application/pdf"})]}


def test_ship_creates_the_order_asks_its_label_and_downloads_the_pdf() -> None:
    router = Router(ship_answers())
    with gateway(router) as gw:
        label = gw.ship(ship_request(), deadline=10)
    assert router.methods() == ["ds.xms.order.create", "ds.xms.label.get", "GET"]
    assert router.bad_signatures == 0
    download = router.seen[2]
    assert str(download.url) == LABEL_LINK
    assert "sign" not in download.url.params
    assert (label.tracking_number, label.label, label.reference) == ("300900010807", PDF, "ORDER-4PX-1001")
    assert router.seen[0].url.params["language"] == "en"


def test_a_redirected_label_link_is_followed() -> None:
    answers = ship_answers()
    answers[LABEL_LINK] = [httpx.Response(302, headers={"location": "https://files.4px.example.test/x.pdf"})]
    answers["https://files.4px.example.test/x.pdf"] = [httpx.Response(200, content=PDF)]
    router = Router(answers)
    with gateway(router) as gw:
        label = gw.ship(ship_request(), deadline=10)
    assert label.label == PDF
    assert label.carrier_data["label_url"] == "https://files.4px.example.test/x.pdf"
    assert router.methods() == ["ds.xms.order.create", "ds.xms.label.get", "GET", "GET"]


def test_a_label_write_whose_answer_is_lost_is_not_repeated() -> None:
    router = Router({"ds.xms.order.create": [httpx.ReadTimeout("answer lost")], "ds.xms.order.get": [ok([])]})
    with gateway(router, sleep=never_sleep) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.ship(ship_request(reference="ORDER-LOST-1"), deadline=10)
    # one create, then the order query under our reference (a read), which found nothing
    assert router.methods() == ["ds.xms.order.create", "ds.xms.order.get"]
    assert router.seen[1].content == b'{"request_no":"ORDER-LOST-1"}'
    assert caught.value.reference == "ORDER-LOST-1"
    assert "find_label" in caught.value.message


def test_a_lost_create_that_4px_made_goes_on_to_its_label() -> None:
    answers = ship_answers()
    answers["ds.xms.order.create"] = [httpx.ReadTimeout("answer lost")]
    answers["ds.xms.order.get"] = [fixture("order_get_response.json")]
    router = Router(answers)
    with gateway(router, sleep=never_sleep) as gw:
        label = gw.ship(ship_request(), deadline=10)
    assert router.methods() == ["ds.xms.order.create", "ds.xms.order.get", "ds.xms.label.get", "GET"]
    assert (label.tracking_number, label.reference, label.label) == ("300900010807", "ORDER-4PX-1001", PDF)


def test_a_lost_create_whose_query_fails_stays_outcome_unknown() -> None:
    router = Router({"ds.xms.order.create": [httpx.ReadTimeout("answer lost")],
                     "ds.xms.order.get": [failed("000020", "Request timeout or exception")]})
    with gateway(router) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.ship(ship_request(reference="ORDER-LOST-2"), deadline=10)
    assert caught.value.reference == "ORDER-LOST-2"
    assert router.methods().count("ds.xms.order.create") == 1


def test_find_label_by_our_reference() -> None:
    answers = {**ship_answers(), "ds.xms.order.get": [fixture("order_get_response.json"), ok([])]}
    router = Router(answers)
    with gateway(router) as gw:
        found = gw.find_label("ORDER-4PX-1001", carrier="4px", deadline=10)
        missing = gw.find_label("ORDER-NEVER", carrier="4px", deadline=10)
    assert found is not None
    assert (found.tracking_number, found.reference, found.label) == ("300900010807", "ORDER-4PX-1001", PDF)
    assert missing is None
    assert router.methods() == ["ds.xms.order.get", "ds.xms.label.get", "GET", "ds.xms.order.get"]


def test_a_label_link_that_fails_once_is_asked_again() -> None:
    answers = ship_answers()
    answers["ds.xms.label.get"] = [httpx.Response(503, content=b"busy"), fixture("label_response.json")]
    router = Router(answers)
    with gateway(router) as gw:
        label = gw.ship(ship_request(), deadline=10)
    assert router.methods() == ["ds.xms.order.create", "ds.xms.label.get", "ds.xms.label.get", "GET"]
    assert label.label == PDF
    first, again = router.seen[1], router.seen[2]
    assert router.bad_signatures == 0
    assert first.url.params["sign"]
    assert again.url.params["sign"]


def test_tracking_is_retried_after_a_server_error() -> None:
    router = Router({"tr.order.tracking.get": [httpx.Response(502, content=b"bad gateway"),
                                               fixture("tracking_response.json")]})
    with gateway(router) as gw:
        info = gw.track("300900010807", carrier="4px", deadline=10)
    assert info.status is cg.TrackingStatus.DELIVERED
    assert router.methods() == ["tr.order.tracking.get"] * 2
    assert router.bad_signatures == 0


def test_too_many_requests_is_waited_out_for_a_minute() -> None:
    waits: list[float] = []
    router = Router({"ds.xms.estimated_cost.get": [fixture("gateway_too_many.json"),
                                                   fixture("estimated_cost_response.json")]})
    with gateway(router, sleep=waits.append) as gw:
        result = gw.rate(rate_request(), carriers=["4px"], deadline=120)
    assert [q.service_code for q in result.quotes] == ["PY", "F3"]
    # The retry waits the minute 4PX asks for (the account's quota may hold the next slot as long again:
    # the fake sleep moves no clock); never longer.
    assert waits[0] == 60.0
    assert all(w <= 60.0 for w in waits)


def test_too_many_requests_within_a_short_deadline_is_rate_limited() -> None:
    router = Router({"tr.order.tracking.get": [fixture("gateway_too_many.json")]})
    with gateway(router, sleep=never_sleep) as gw, pytest.raises(cg.RateLimited) as caught:
        gw.track("300900010807", carrier="4px", deadline=5)
    assert (caught.value.code, caught.value.retry_after) == ("000017", 60.0)
    assert len(router.seen) == 1


def test_a_bad_signature_is_an_authentication_error_not_retried() -> None:
    router = Router({"tr.order.tracking.get": [fixture("gateway_bad_sign.json")]})
    with gateway(router, sleep=never_sleep) as gw, pytest.raises(cg.AuthenticationError) as caught:
        gw.track("300900010807", carrier="4px", deadline=5)
    assert caught.value.code == "000012"
    assert len(router.seen) == 1


def test_void_cancels_by_4pxs_number() -> None:
    router = Router({**ship_answers(), "ds.xms.order.cancel": [ok(None)]})
    with gateway(router) as gw:
        label = gw.ship(ship_request(), deadline=10)
        gw.void(label, deadline=10)
    assert router.methods()[-1] == "ds.xms.order.cancel"
    assert router.seen[-1].content == b'{"request_no":"300900010807","cancel_reason":"cancelled by the shipper"}'


def test_bad_input_is_refused_before_anything_is_sent() -> None:
    router = Router({})
    with gateway(router) as gw, pytest.raises(cg.ValidationError):
        gw.ship(ship_request(service="not a code!"), deadline=5)
    assert router.seen == []


def test_no_secret_in_logs_or_errors(caplog: pytest.LogCaptureFixture) -> None:
    router = Router({"tr.order.tracking.get": [failed("DS000017", "Order not found")]})
    caplog.set_level(logging.DEBUG, logger="carriergate")
    with gateway(router, access_token="tok-SECRET-9") as gw, pytest.raises(cg.NotFound) as caught:
        gw.track("300900010807", carrier="4px", deadline=5)
    assert router.seen[0].url.params["access_token"] == "tok-SECRET-9"
    text = caplog.text + str(caught.value) + repr(caught.value)
    assert caplog.text
    assert APP_SECRET not in text
    assert "tok-SECRET-9" not in text
    assert router.seen[0].url.params["sign"] not in caplog.text
