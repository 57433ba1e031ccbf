"""UPS through the public gateway with respx mocking the HTTP layer: token fetch, the call, a 503
retried with backoff, a 401 refreshed once and replayed, and UPS's own errors mapped to types."""

from __future__ import annotations

import httpx
import pytest
import respx

import carriergate as cg
from carriergate.adapters.retry import RetryPolicy

from support.ups_samples import FIXTURES, domestic_us, shipment

HOST = "https://ups.respx.test"
CONFIG = {"ups": {"client_id": "cid", "client_secret": "very-secret", "account_number": "A1B2C3", "base_url": HOST}}
RATE = HOST + "/api/rating/v2409/Shoptimeintransit"
SHIP = HOST + "/api/shipments/v2409/ship"


def token(value: str) -> httpx.Response:
    return httpx.Response(200, json={"access_token": value, "token_type": "Bearer", "expires_in": "14399"})


def fixture(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json"})


def gateway(waits: list[float]) -> cg.Gateway:
    return cg.Gateway(CONFIG, transport=httpx.HTTPTransport(), sleep=waits.append,
                      retry_policy=RetryPolicy(max_attempts=3, initial_backoff=0.5, jitter=None))


def test_token_then_a_503_retried_then_quotes() -> None:
    waits: list[float] = []
    with respx.mock(assert_all_called=True) as router:
        auth = router.post(HOST + "/security/v1/oauth/token").mock(return_value=token("tok-1"))
        rate = router.post(RATE).mock(side_effect=[httpx.Response(503, json={}),
                                                   fixture("rate_response_domestic.json")])
        with gateway(waits) as gw:
            quotes = gw.carrier("ups").rate(domestic_us())
    assert quotes
    assert auth.call_count == 1
    assert auth.calls[0].request.headers["authorization"].startswith("Basic ")
    assert [c.request.headers["authorization"] for c in rate.calls] == ["Bearer tok-1", "Bearer tok-1"]
    assert waits == [0.5]


def test_a_401_refreshes_once_and_replays_the_same_body() -> None:
    tokens = iter(["stale", "fresh"])
    with respx.mock(assert_all_called=True) as router:
        router.post(HOST + "/security/v1/oauth/token").mock(side_effect=lambda request: token(next(tokens)))
        rate = router.post(RATE).mock(side_effect=[fixture("error_auth.json", 401),
                                                   fixture("rate_response_domestic.json")])
        with gateway([]) as gw:
            assert gw.carrier("ups").rate(domestic_us())
    first, second = rate.calls
    assert (first.request.headers["authorization"], second.request.headers["authorization"]) == \
        ("Bearer stale", "Bearer fresh")
    assert first.request.content == second.request.content


def test_ups_errors_keep_their_code_and_a_ship_is_sent_once() -> None:
    with respx.mock(assert_all_called=True) as router:
        router.post(HOST + "/security/v1/oauth/token").mock(return_value=token("tok"))
        ship = router.post(SHIP).mock(return_value=fixture("error_ship.json", 400))
        with gateway([]) as gw, pytest.raises(cg.CarrierError) as info:
            gw.ship(shipment(domestic_us()))
    caught = info.value
    assert type(caught) is cg.CarrierError
    assert (caught.carrier, caught.code, caught.http_status) == ("ups", "120802", 400)
    assert ship.call_count == 1
    assert "very-secret" not in str(caught) + repr(caught)


def test_a_token_endpoint_500_before_a_ship_is_retried_since_the_label_was_never_asked_for() -> None:
    waits: list[float] = []
    with respx.mock(assert_all_called=True) as router:
        auth = router.post(HOST + "/security/v1/oauth/token").mock(
            side_effect=[httpx.Response(500, json={"response": {"errors": [{"code": "500", "message": "down"}]}}),
                         token("tok")])
        ship = router.post(SHIP).mock(return_value=fixture("ship_response_domestic.json"))
        with gateway(waits) as gw:
            label = gw.ship(shipment(domestic_us()))
    assert label.tracking_number
    assert (auth.call_count, ship.call_count) == (2, 1)
    assert waits == [0.5]


def test_an_unreadable_5xx_to_a_ship_is_outcome_unknown_never_resent() -> None:
    with respx.mock(assert_all_called=True) as router:
        router.post(HOST + "/security/v1/oauth/token").mock(return_value=token("tok"))
        ship = router.post(SHIP).mock(return_value=httpx.Response(502, content=b"<html>bad gateway</html>"))
        with gateway([]) as gw, pytest.raises(cg.OutcomeUnknown) as info:
            gw.ship(shipment(domestic_us()))
    assert info.value.reference == shipment(domestic_us()).reference
    assert info.value.http_status == 502
    assert ship.call_count == 1
