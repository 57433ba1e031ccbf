"""USPS through the real executor over httpx.MockTransport: the OAuth bearer and the payment
authorization token (cached, single-flight, sent on label calls only, fetched again on expiry or on
a 401 naming it, never logged), retries of reads, and write safety (a label answer lost is retried
with the same idempotency key; a pickup's is OutcomeUnknown, never repeated)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.usps import USPS

from support.shipments import future_window
from support.timing import ManualClock, never_sleep, no_asleep, no_sleep
from support.usps_samples import (
    ACCOUNT,
    error_response,
    fixture,
    json_label,
    ship_request,
    us_international_request,
    washington,
)

PAYMENT = "pay-token-SECRET-1"
BEARER = "bearer-token-SECRET-1"


class FakeUSPS:
    """Just enough of USPS to count what arrives; ``fail`` maps a path to the answers to give first."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.payments = 0
        self.tokens = 0
        self.fail: dict[str, list[Callable[[httpx.Request], httpx.Response]]] = {}
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:  # a copy: an auth flow replaying a request changes its headers in place
            self.requests.append(httpx.Request(request.method, request.url, headers=request.headers.copy(),
                                               content=request.content))
            path = request.url.path
            queued = self.fail.get(path)
            if queued:
                return queued.pop(0)(request)
            if path == "/oauth2/v3/token":
                self.tokens += 1
                return httpx.Response(200, json={"access_token": f"{BEARER}-{self.tokens}", "token_type": "Bearer",
                                                 "expires_in": 28799})
            if request.headers.get("authorization", "").split(" ")[-1].startswith(BEARER) is False:
                return error_response(401, "Invalid access token", code="UNAUTHORIZED")
            if path == "/payments/v3/payment-authorization":
                self.payments += 1
                return httpx.Response(200, json={"paymentAuthorizationToken": f"{PAYMENT}-{self.payments}",
                                                 "roles": json.loads(request.content)["roles"]})
            if path == "/prices/v3/total-rates/search":
                return httpx.Response(200, json=fixture("rate_response.json"))
            if path == "/international-prices/v3/total-rates/search":
                return httpx.Response(200, json=fixture("intl_prices_response.json"))
            if path.startswith("/labels/v3/label/") and request.method == "DELETE":
                return httpx.Response(200, json={"trackingNumber": path.rsplit("/", 1)[-1], "status": "CANCELED"})
            if path == "/labels/v3/label":
                return json_label(f"92055901755477{len(self.requests):08d}")
            if path == "/pickup/v3/carrier-pickup":
                return httpx.Response(200, json=fixture("pickup_response.json"), headers={"etag": "e1"})
            if path.startswith("/tracking/v3/tracking/"):
                return httpx.Response(200, json=fixture("track_response.json"))
            return error_response(404, "no route")

    def sent(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


def lost(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("the answer was lost", request=request)


CONFIG = {"usps": {**ACCOUNT, "environment": "sandbox"}}


def test_one_bearer_and_one_payment_token_serve_many_calls_and_the_payment_token_goes_on_labels_only() -> None:
    fake = FakeUSPS()
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=no_sleep) as gw:
        gw.rate(ship_request(), carriers=["usps"])
        first = gw.ship(ship_request(reference="A", ship_date=None))
        gw.ship(ship_request(reference="B", ship_date=None))
        gw.track(first.tracking_number, carrier="usps")
        gw.void(first)
    assert (fake.tokens, fake.payments) == (1, 1)
    [token] = fake.sent("/oauth2/v3/token")
    form = parse_qs(token.content.decode())
    assert form == {"grant_type": ["client_credentials"], "client_id": ["usps-client"],
                    "client_secret": ["usps-secret-value"]}
    labels = [r for r in fake.requests if r.url.path.startswith("/labels/v3/label")]
    assert len(labels) == 3  # two labels and a cancel
    assert {r.headers["x-payment-authorization-token"] for r in labels} == {f"{PAYMENT}-1"}
    others = [r for r in fake.requests if not r.url.path.startswith("/labels/") and r.url.path != "/oauth2/v3/token"]
    assert others
    assert all("x-payment-authorization-token" not in r.headers for r in others)
    assert all(r.headers["authorization"] == f"Bearer {BEARER}-1" for r in fake.requests[1:])


def test_concurrent_first_labels_fetch_one_payment_token() -> None:
    fake = FakeUSPS()

    async def main() -> list[cg.Label]:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(fake), sleep=no_asleep) as agw:
            return list(await asyncio.gather(*(agw.ship(ship_request(reference=f"R-{i}", ship_date=None))
                                               for i in range(8))))

    labels = asyncio.run(main())
    assert len({label.tracking_number for label in labels}) == 8
    assert (fake.tokens, fake.payments) == (1, 1)


def test_concurrent_threads_fetch_one_payment_token() -> None:
    fake = FakeUSPS()
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=no_sleep) as gw, \
            ThreadPoolExecutor(max_workers=6) as pool:
        labels = list(pool.map(lambda i: gw.ship(ship_request(reference=f"T-{i}", ship_date=None)), range(12)))
    assert len({label.tracking_number for label in labels}) == 12
    assert (fake.tokens, fake.payments) == (1, 1)


def test_the_payment_token_is_fetched_again_when_it_expires() -> None:
    fake = FakeUSPS()
    clock = ManualClock(1_000_000.0)
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=no_sleep) as gw:
        carrier = gw.carrier("usps").carrier
        assert isinstance(carrier, USPS)
        carrier.label_auth.clock = clock
        gw.ship(ship_request(reference="A", ship_date=None))
        clock.now += 7 * 3600  # within eight hours (less the leeway): kept
        gw.ship(ship_request(reference="B", ship_date=None))
        assert fake.payments == 1
        clock.now += 3600
        gw.ship(ship_request(reference="C", ship_date=None))
    assert fake.payments == 2
    assert fake.sent("/labels/v3/label")[-1].headers["x-payment-authorization-token"] == f"{PAYMENT}-2"


def test_a_401_naming_the_payment_token_fetches_another_and_replays_once() -> None:
    fake = FakeUSPS()
    fake.fail["/labels/v3/label"] = [lambda r: httpx.Response(401, json=fixture("error_401_payment.json"))] * 2
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=never_sleep) as gw:
        label = gw.ship(ship_request(ship_date=None))
    assert label.tracking_number
    sent = fake.sent("/labels/v3/label")
    assert [r.headers["x-payment-authorization-token"] for r in sent] == [f"{PAYMENT}-1", f"{PAYMENT}-1",
                                                                          f"{PAYMENT}-2"]
    assert fake.payments == 2
    assert len({r.headers["x-idempotency-key"] for r in sent}) == 1


def test_a_refused_payment_authorization_is_an_authentication_error_and_no_label_is_sent() -> None:
    fake = FakeUSPS()
    fake.fail["/payments/v3/payment-authorization"] = [
        lambda r: error_response(400, "The EPS account number is not active", code="PAY-001", api="/payments/v3")]
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=never_sleep) as gw, \
            pytest.raises(cg.AuthenticationError) as caught:
        gw.ship(ship_request(ship_date=None))
    assert caught.value.code == "PAY-001"
    assert fake.sent("/labels/v3/label") == []


def test_secrets_and_tokens_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeUSPS()
    caplog.set_level(logging.DEBUG, logger="carriergate")
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=no_sleep) as gw:
        label = gw.ship(ship_request(ship_date=None))
        gw.void(label)
        carrier = gw.carrier("usps").carrier
        assert isinstance(carrier, USPS)
        shown = " ".join([repr(carrier), repr(carrier.label_auth), repr(carrier.label_auth.store),
                          repr(carrier.label_auth.cache_key), repr(carrier.account), repr(gw)])
        assert f"{PAYMENT}-1" in carrier.label_auth.secrets()  # what the executor redacts
    assert caplog.text  # the exchanges were logged
    for secret in (PAYMENT, BEARER, "usps-secret-value"):
        assert secret not in caplog.text
        assert secret not in shown


def test_a_read_is_retried_after_a_503() -> None:
    fake = FakeUSPS()
    fake.fail["/prices/v3/total-rates/search"] = [lambda r: httpx.Response(503, json=fixture("error_503.json"))]
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=no_sleep) as gw:
        result = gw.rate(ship_request(), carriers=["usps"])
    assert result.quotes
    assert len(fake.sent("/prices/v3/total-rates/search")) == 2


def test_a_rate_abroad_asks_international_prices_with_the_bearer_and_is_retried_after_a_503() -> None:
    fake = FakeUSPS()
    intl = "/international-prices/v3/total-rates/search"
    fake.fail[intl] = [lambda r: httpx.Response(503, json=fixture("error_503.json"))]
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=no_sleep) as gw:
        result = gw.rate(us_international_request(), carriers=["usps"])
    assert result.errors == {}
    assert {(q.service_code, q.total.currency) for q in result.quotes} == {
        ("PRIORITY_MAIL_INTERNATIONAL", "USD"), ("PRIORITY_MAIL_EXPRESS_INTERNATIONAL", "USD")}
    # Global Express Guaranteed is priced (the answer lists it) but not offered: no label API makes it
    first, second = fake.sent(intl)
    assert first.content == second.content
    sent = json.loads(second.content)
    assert {k: v for k, v in sent.items() if k != "mailingDate"} == {
        k: v for k, v in fixture("intl_prices_request.json").items() if k != "mailingDate"}
    assert second.headers["authorization"] == f"Bearer {BEARER}-1"
    assert "x-payment-authorization-token" not in second.headers
    assert fake.sent("/prices/v3/total-rates/search") == []


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_lost_label_answer_is_retried_with_the_same_key(mode: str) -> None:
    fake = FakeUSPS()
    fake.fail["/labels/v3/label"] = [lost]
    request = ship_request(ship_date=None)
    transport = httpx.MockTransport(fake)
    if mode == "sync":
        with cg.Gateway(CONFIG, transport=transport, sleep=no_sleep) as gw:
            label = gw.ship(request)
    else:
        async def main() -> cg.Label:
            async with cg.AsyncGateway(CONFIG, transport=transport, sleep=no_asleep) as agw:
                return await agw.ship(request)

        label = asyncio.run(main())
    sent = fake.sent("/labels/v3/label")
    assert len(sent) == 2
    assert sent[0].headers["x-idempotency-key"] == sent[1].headers["x-idempotency-key"]
    assert sent[0].content == sent[1].content
    assert label.reference == request.reference


def test_a_lost_pickup_answer_is_outcome_unknown_and_never_repeated() -> None:
    fake = FakeUSPS()
    fake.fail["/pickup/v3/carrier-pickup"] = [lost]
    pickup = cg.PickupRequest(address=washington(), window=future_window(), parcel_count=1,
                              total_weight=cg.Weight("2", "kg"), reference="PICKUP-9")
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=never_sleep) as gw, \
            pytest.raises(cg.OutcomeUnknown) as caught:
        gw.schedule_pickup(pickup, carrier="usps")
    assert caught.value.reference == "PICKUP-9"
    assert len(fake.sent("/pickup/v3/carrier-pickup")) == 1


def test_a_cancel_reads_a_fresh_etag_then_deletes_with_if_match() -> None:
    fake = FakeUSPS()
    answers: list[Any] = [lambda r: httpx.Response(200, json=fixture("pickup_response.json"), headers={"etag": "e7"}),
                          lambda r: httpx.Response(200)]
    fake.fail["/pickup/v3/carrier-pickup/WTC123456789"] = answers
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(fake), sleep=never_sleep) as gw:
        gw.cancel_pickup(cg.Pickup(carrier="usps", confirmation_number="WTC123456789"))
    get, delete = fake.sent("/pickup/v3/carrier-pickup/WTC123456789")
    assert (get.method, delete.method, delete.headers["if-match"]) == ("GET", "DELETE", "e7")
