"""The gateway: configuration, carrier resolution, fan-out with a deadline, per-carrier reasons."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import carriergate as cg

from support.echo_carrier import EchoCarrier
from support.fake_carrier import registered
from support.shipments import domestic_request


@pytest.fixture(autouse=True)
def echo_registered() -> Iterator[None]:
    with registered(EchoCarrier):
        yield


CONFIG = {
    "echo-a": {"carrier": "echo", "base_url": "https://a.invalid"},
    "echo-b": {"carrier": "echo", "base_url": "https://b.invalid"},
}


def routed(prices: dict[str, object]) -> httpx.MockTransport:
    """A transport answering each host with its price, an error status, or blocking on an Event."""

    def handle(request: httpx.Request) -> httpx.Response:
        what = prices[request.url.host]
        if isinstance(what, threading.Event):
            what.wait(5)
            return httpx.Response(200, json={"services": []})
        if isinstance(what, int):
            return httpx.Response(what, json={"code": f"E{what}", "message": "carrier says no"})
        return httpx.Response(200, json={"services": [{"code": "std", "price": what, "days": 2}]})

    return httpx.MockTransport(handle)


def test_rate_fans_out_and_sorts_by_price() -> None:
    with cg.Gateway(CONFIG, transport=routed({"a.invalid": "12.00", "b.invalid": "9.50"})) as gw:
        result = gw.rate(domestic_request())
    assert [(q.carrier, q.total) for q in result.quotes] == [("echo-b", cg.Money("9.50", "USD")),
                                                             ("echo-a", cg.Money("12.00", "USD"))]
    assert result.errors == {}
    assert result.cheapest() == result.quotes[0]


def test_carrier_error_keeps_carrier_code_and_other_quotes_arrive() -> None:
    with cg.Gateway(CONFIG, transport=routed({"a.invalid": "12.00", "b.invalid": 400})) as gw:
        result = gw.rate(domestic_request())
    assert [q.carrier for q in result.quotes] == ["echo-a"]
    err = result.errors["echo-b"]
    assert type(err) is cg.CarrierError
    assert (err.carrier, err.code, err.message, err.http_status) == ("echo-b", "E400", "carrier says no", 400)


def test_empty_answer_is_reported_not_silent() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json={"services": []}))
    with cg.Gateway({"echo": {}}, transport=transport) as gw:
        result = gw.rate(domestic_request())
    assert result.quotes == []
    assert result.errors["echo"].code == "no_quote"


def test_sync_deadline_returns_what_arrived() -> None:
    release = threading.Event()
    try:
        with cg.Gateway(CONFIG, transport=routed({"a.invalid": "12.00", "b.invalid": release})) as gw:
            result = gw.rate(domestic_request(), deadline=0.3)
    finally:
        release.set()
    assert [q.carrier for q in result.quotes] == ["echo-a"]
    assert isinstance(result.errors["echo-b"], cg.DeadlineExceeded)


async def _async_deadline() -> cg.RateResult:
    never = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "b.invalid":
            await never.wait()
        return httpx.Response(200, json={"services": [{"code": "std", "price": "7.00"}]})

    async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(handle)) as gw:
        return await gw.rate(domestic_request(), deadline=0.3)


def test_async_deadline_cancels_the_slow_carrier() -> None:
    result = asyncio.run(_async_deadline())
    assert [q.carrier for q in result.quotes] == ["echo-a"]
    assert isinstance(result.errors["echo-b"], cg.DeadlineExceeded)


def test_one_carrier_client_and_not_supported() -> None:
    with cg.Gateway({"echo": {}}, transport=routed({"echo.invalid": "5.00"})) as gw:
        quotes = gw.carrier("echo").rate(domestic_request())
        assert [q.total.amount for q in quotes] == [cg.Money("5.00", "USD").amount]
        with pytest.raises(cg.NotSupported) as info:
            gw.carrier("echo").void(cg.Label(carrier="echo", tracking_number="1", label=b"x", label_format="PDF"))
    assert info.value.carrier == "echo"


def test_unknown_account_and_unknown_carrier_are_configuration_errors() -> None:
    with cg.Gateway({"echo": {}}) as gw, pytest.raises(cg.ConfigurationError, match="not configured"):
        gw.carrier("ups-eu")
    with cg.Gateway({"nope": {}}) as gw, pytest.raises(cg.ConfigurationError, match="unknown carrier 'nope'"):
        gw.carrier("nope")


def test_configuration_error_never_echoes_a_secret() -> None:
    with cg.Gateway({"echo": {"api_key": "s3cr3t-value", "timeout": "soon"}}) as gw, \
            pytest.raises(cg.ConfigurationError) as info:
        gw.carrier("echo")
    assert "timeout" in str(info.value)
    assert "s3cr3t-value" not in str(info.value)
    carrier = cg.Gateway({"echo": {"api_key": "s3cr3t-value"}}).carrier("echo").carrier
    assert "s3cr3t-value" not in repr(carrier) + repr(carrier.account) + str(carrier.account)


def test_gateway_from_toml_and_env(tmp_path: Path) -> None:
    file = tmp_path / "carriergate.toml"
    file.write_text('[echo-x]\ncarrier = "echo"\nbase_url = "https://a.invalid"\n')
    with cg.Gateway.from_file(file, transport=routed({"a.invalid": "3.00"})) as gw:
        assert gw.accounts == ["echo-x"]
        assert gw.rate(domestic_request()).quotes[0].total == cg.Money("3.00", "USD")
    from carriergate.gateway.config import from_env
    env = {"CARRIERGATE_ECHO__API_KEY": "abc", "CARRIERGATE_ECHO__BASE_URL": "https://a.invalid", "OTHER": "1"}
    assert from_env(env) == {"echo": {"api_key": "abc", "base_url": "https://a.invalid"}}


def test_empty_configuration_is_refused() -> None:
    with pytest.raises(cg.ConfigurationError, match="no carrier account"):
        cg.Gateway({})
