"""Checkout quoting: priced options within a deadline, backup table rates, the ASGI app's own JSON."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import CheckoutQuote, aquote, create_app, quote
from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.quoting import SHOPPER, checkout_shopper
from carriergate.gateway.gateways import DeadlineArg
from carriergate.gateway.shopping import AsyncRateShopper, RateShopper

from support.shipments import domestic_request
from support.shop_fakes import ahandler, fake, fake_carrier, handler

__all__ = ["fake_carrier"]

POLICY = FeePolicy.model_validate({"adjustments": [{"kind": "markup", "percent": "10"}],
                                   "member_tiers": {"gold": "10"}})
CONFIG: dict[str, dict[str, Any]] = {"fast": fake(price="20.00", transit_days=1), "slow": fake("hang"),
                                     "down": fake("fail"), "table": {}}

pytestmark = pytest.mark.usefixtures("fake_carrier")


def run_app(config: dict[str, dict[str, Any]], check: Callable[[httpx.AsyncClient], Awaitable[None]],
            deadline: float = 0.3, policy: FeePolicy = POLICY) -> None:
    async def main() -> None:
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(ahandler)) as gw:
            app = create_app(gw, policy, deadline=deadline)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                await asyncio.wait_for(check(client), timeout=5)

    asyncio.run(main())


def body(**extra: Any) -> dict[str, Any]:
    return {**domestic_request().model_dump(mode="json", exclude_none=True), **extra}


def test_aquote_answers_within_deadline_with_live_and_backup_rates() -> None:
    async def main() -> tuple[CheckoutQuote, float]:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(ahandler)) as gw:
            started = time.monotonic()
            result = await aquote(gw, domestic_request(), POLICY, deadline=0.3, member_tier="gold")
            return result, time.monotonic() - started

    result, elapsed = asyncio.run(main())
    assert elapsed < 3  # a generous hang guard, not a timing assertion
    by_carrier = {o.priced.quote.carrier: o for o in result.options}
    assert set(by_carrier) == {"fast", "table"}
    fast = by_carrier["fast"]
    assert fast.price == cg.Money("19.80", "CNY")  # 20 + 10% = 22.00, gold -10% = 19.80
    assert fast.priced.explanation == ["markup +10%: 20.00 -> 22.00", "member tier gold -10%: 22.00 -> 19.80"]
    assert by_carrier["table"].priced.quote.source == "table"
    assert isinstance(result.errors["slow"], cg.DeadlineExceeded)
    assert isinstance(result.errors["down"], cg.CarrierUnavailable)
    assert not result.complete
    assert [o.price.amount for o in result.options] == sorted(o.price.amount for o in result.options)


class StuckShopper(AsyncRateShopper):
    """A shopper whose whole live round never finishes (e.g. a bug or a blocked event loop task)."""

    async def rate(self, request: cg.RateRequest, carriers: Iterable[str] | None = None,
                   deadline: DeadlineArg = None) -> cg.RateResult:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_aquote_answers_with_table_rates_when_the_live_round_overruns() -> None:
    async def main() -> CheckoutQuote:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(ahandler)) as gw:
            shopper = StuckShopper(gw, fallback_table="table")
            return await asyncio.wait_for(aquote(shopper, domestic_request(), POLICY, deadline=0.2), timeout=3)

    result = asyncio.run(main())
    assert {o.priced.quote.carrier for o in result.options} == {"table"}
    assert set(result.errors) == {"fast", "slow", "down"}


def test_sync_quote_without_failures_shows_no_backup_rates() -> None:
    with cg.Gateway({"fast": fake(price="20.00"), "table": {}}, transport=httpx.MockTransport(handler)) as gw:
        result = quote(gw, domestic_request(), POLICY, deadline=2.0)
    assert [(o.priced.quote.carrier, str(o.price)) for o in result.options] == [("fast", "22.00 CNY")]
    assert result.complete


def test_sync_quote_replaces_failed_carriers_with_table_rates() -> None:
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(handler)) as gw:
        result = quote(gw, domestic_request(), POLICY, deadline=2.0)
    assert {o.priced.quote.carrier for o in result.options} == {"fast", "table"}
    assert set(result.errors) == {"slow", "down"}


def test_quote_refuses_unknown_member_tier_before_asking_carriers() -> None:
    with cg.Gateway({"fast": fake()}, transport=httpx.MockTransport(handler)) as gw, \
            pytest.raises(cg.ValidationError) as err:
        quote(gw, domestic_request(), POLICY, member_tier="bronze")
    assert err.value.field == "member_tier"


def test_quote_in_a_currency_without_rate_is_reported() -> None:
    policy = FeePolicy.model_validate({"currency": "CNY"})
    with cg.Gateway({"usd": fake(currency="USD"), "fast": fake()}, transport=httpx.MockTransport(handler)) as gw:
        result = quote(gw, domestic_request(), policy, deadline=2.0)
    assert [o.priced.quote.carrier for o in result.options] == ["fast"]
    assert result.errors["usd"].code == "no_exchange_rate"


def test_app_quotes_with_hung_carrier_within_deadline() -> None:
    async def check(client: httpx.AsyncClient) -> None:
        started = time.monotonic()
        response = await client.post("/v1/quotes", json=body(order_total={"amount": "50", "currency": "CNY"}))
        assert time.monotonic() - started < 3
        assert response.status_code == 200
        data = response.json()
        quotes = {q["carrier"]: q for q in data["quotes"]}
        assert set(quotes) == {"fast", "table"}
        assert quotes["fast"]["price"] == {"amount": "22.00", "currency": "CNY"}
        assert quotes["fast"]["carrier_price"] == {"amount": "20.00", "currency": "CNY"}
        assert quotes["fast"]["explanation"] == ["markup +10%: 20.00 -> 22.00"]
        assert quotes["table"]["source"] == "table"
        assert data["errors"]["slow"]["code"] == "deadline"
        assert data["complete"] is False

    run_app(CONFIG, check)


def test_app_rejects_bad_input_naming_the_field() -> None:
    async def check(client: httpx.AsyncClient) -> None:
        bad = body()
        bad["parcels"][0]["weight"]["value"] = "-1"
        response = await client.post("/v1/quotes", json=bad)
        assert response.status_code == 422
        assert response.json()["field"] == "parcels[0].weight.value"
        response = await client.post("/v1/quotes", json=body(member_tier="bronze"))
        assert response.status_code == 422
        assert response.json()["field"] == "member_tier"
        response = await client.post("/v1/quotes", json=body(surprise=True))
        assert response.status_code == 422
        assert response.json()["field"] == "surprise"
        response = await client.post("/v1/quotes", content=b"{not json")
        assert response.status_code == 422
        assert response.json()["field"] == "(body)"
        # JSON numbers are read exactly: a decimal weight is accepted
        exact = body()
        exact["parcels"][0]["weight"] = {"value": 2.5, "unit": "kg"}
        response = await client.post("/v1/quotes", json=exact)
        assert response.status_code == 200

    run_app({"fast": fake()}, check)


def test_app_health_and_routing() -> None:
    async def check(client: httpx.AsyncClient) -> None:
        health = await client.get("/healthz")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "carriers": ["fast"], "breakers": {
            "fast": {"state": "closed", "consecutive_failures": 0, "last_error": None, "seen": False}},
            "breaker_states": {"fast": {"read": "closed", "write": "closed"}}}
        assert (await client.get("/v1/quotes")).status_code == 405
        assert (await client.get("/nowhere")).status_code == 404

    run_app({"fast": fake()}, check)


# -- the one deadline of a checkout, and its shopper ---------------------------------------------------------------

HANG_GUARD = 10.0  # seconds: proves a call returned, never a timing assertion


@pytest.mark.parametrize("seconds", [0.3, 1.0])
def test_sync_quote_keeps_the_live_quotes_of_a_round_that_ends_at_its_own_deadline(seconds: float) -> None:
    """A carrier that ignores its timeouts holds its worker thread, not the round: the round ends at
    the live carriers' deadline, before the guard, so the live quotes that arrived are kept."""
    release = threading.Event()

    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers["x-behaviour"] == "hang":
            release.wait(HANG_GUARD)
        return handler(request)

    try:
        with cg.Gateway(CONFIG, transport=httpx.MockTransport(handle)) as gw:
            result = quote(gw, domestic_request(), POLICY, deadline=seconds)
    finally:
        release.set()
    assert {(o.priced.quote.carrier, o.priced.quote.source) for o in result.options} == {("fast", "live"),
                                                                                         ("table", "table")}
    assert isinstance(result.errors["slow"], cg.DeadlineExceeded)
    assert isinstance(result.errors["down"], cg.CarrierUnavailable)


def test_checkout_keeps_one_shopper_per_gateway_sync_and_async() -> None:
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(handler)) as gw:
        shopper = checkout_shopper(gw)
        assert isinstance(shopper, RateShopper)
        assert checkout_shopper(gw) is shopper
        assert checkout_shopper(shopper) is shopper
        assert shopper.fallback_table == "table"
        assert gw.attachment(SHOPPER, lambda: RateShopper(gw)) is shopper

    async def main() -> None:
        async with cg.AsyncGateway({"fast": fake()}, transport=httpx.MockTransport(ahandler)) as agw:
            ashopper = checkout_shopper(agw)
            assert isinstance(ashopper, AsyncRateShopper)
            assert checkout_shopper(agw) is ashopper
            assert ashopper.fallback_table is None  # no table account: no backup rates

    asyncio.run(main())


class StuckEverywhereShopper(StuckShopper):
    """A shopper whose backup rates never come either: only the app's own net can answer in time."""

    async def backup(self, request: cg.RateRequest, carriers: Iterable[str] | None = None,
                     deadline: DeadlineArg = None, *, unasked: str | None = None) -> cg.RateResult:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_app_answers_504_in_time_when_quoting_overruns_after_the_guard() -> None:
    async def main() -> httpx.Response:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(ahandler)) as gw:
            app = create_app(StuckEverywhereShopper(gw, fallback_table="table"), POLICY, deadline=0.2)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                return await asyncio.wait_for(client.post("/v1/quotes", json=body()), timeout=HANG_GUARD)

    response = asyncio.run(main())
    assert response.status_code == 504
    assert response.json()["error"] == "deadline"
