"""Checkout quoting: priced options within a deadline, backup table rates, the ASGI app's own JSON."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import CheckoutQuote, aquote, create_app, quote
from carriergate.checkout.fees import FeePolicy
from carriergate.gateway.shopping import AsyncRateShopper

from support.shipments import domestic_request
from support.shop_fakes import async_handler, fake, fake_carrier, sync_handler

__all__ = ["fake_carrier"]

POLICY = FeePolicy.model_validate({"adjustments": [{"kind": "markup", "percent": "10"}],
                                   "member_tiers": {"gold": "10"}})
CONFIG: dict[str, dict[str, Any]] = {"fast": fake(price="20.00", transit_days=1), "slow": fake("hang"),
                                     "down": fake("fail"), "table": {}}

pytestmark = pytest.mark.usefixtures("fake_carrier")


def run_app(config: dict[str, dict[str, Any]], check: Callable[[httpx.AsyncClient], Awaitable[None]],
            deadline: float = 0.3, policy: FeePolicy = POLICY) -> None:
    async def main() -> None:
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(async_handler)) as gw:
            app = create_app(gw, policy, deadline=deadline)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                await asyncio.wait_for(check(client), timeout=5)

    asyncio.run(main())


def body(**extra: Any) -> dict[str, Any]:
    return {**domestic_request().model_dump(mode="json", exclude_none=True), **extra}


def test_aquote_answers_within_deadline_with_live_and_backup_rates() -> None:
    async def main() -> tuple[CheckoutQuote, float]:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(async_handler)) as gw:
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
                   deadline: float | None = None) -> cg.RateResult:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def test_aquote_answers_with_table_rates_when_the_live_round_overruns() -> None:
    async def main() -> CheckoutQuote:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(async_handler)) as gw:
            shopper = StuckShopper(gw, fallback_table="table")
            return await asyncio.wait_for(aquote(shopper, domestic_request(), POLICY, deadline=0.2), timeout=3)

    result = asyncio.run(main())
    assert {o.priced.quote.carrier for o in result.options} == {"table"}
    assert set(result.errors) == {"fast", "slow", "down"}


def test_sync_quote_without_failures_shows_no_backup_rates() -> None:
    with cg.Gateway({"fast": fake(price="20.00"), "table": {}}, transport=httpx.MockTransport(sync_handler)) as gw:
        result = quote(gw, domestic_request(), POLICY, deadline=2.0)
    assert [(o.priced.quote.carrier, str(o.price)) for o in result.options] == [("fast", "22.00 CNY")]
    assert result.complete


def test_sync_quote_replaces_failed_carriers_with_table_rates() -> None:
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(sync_handler)) as gw:
        result = quote(gw, domestic_request(), POLICY, deadline=2.0)
    assert {o.priced.quote.carrier for o in result.options} == {"fast", "table"}
    assert set(result.errors) == {"slow", "down"}


def test_quote_refuses_unknown_member_tier_before_asking_carriers() -> None:
    with cg.Gateway({"fast": fake()}, transport=httpx.MockTransport(sync_handler)) as gw, \
            pytest.raises(cg.ValidationError) as err:
        quote(gw, domestic_request(), POLICY, member_tier="bronze")
    assert err.value.field == "member_tier"


def test_quote_in_a_currency_without_rate_is_reported() -> None:
    policy = FeePolicy.model_validate({"currency": "CNY"})
    with cg.Gateway({"usd": fake(currency="USD"), "fast": fake()}, transport=httpx.MockTransport(sync_handler)) as gw:
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
        assert health.json() == {"status": "ok", "carriers": ["fast"]}
        assert (await client.get("/v1/quotes")).status_code == 405
        assert (await client.get("/nowhere")).status_code == 404

    run_app({"fast": fake()}, check)
