"""The rate cache (TTL, stale-while-revalidate, stale-if-error, LRU), the fallback ladder and the
RateShopper wrappers over real gateways with fake carriers."""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.retry import RetryPolicy
from carriergate.gateway.fallback import resolve
from carriergate.gateway.rate_cache import RateCache, cache_key
from carriergate.gateway.shopping import AsyncRateShopper, RateShopper, table_account

from support.shipments import domestic_request, international_request
from support.shop_fakes import CALLS, ahandler, fake, fake_carrier, handler, quote
from support.timing import ManualClock, no_asleep

__all__ = ["fake_carrier"]  # the fixture, imported for pytest


def one_cached_quote(*, ttl: float, stale_while_revalidate: float = 0.0,
                     stale_if_error: float = 0.0) -> tuple[ManualClock, RateCache, cg.RateRequest]:
    """A cache of these lifetimes on a clock that stands still, holding one live UPS quote for a
    domestic request: the clock, the cache and the request, for a test to age and look up."""
    clock = ManualClock(1000.0)
    cache = RateCache(ttl=ttl, stale_while_revalidate=stale_while_revalidate, stale_if_error=stale_if_error,
                      clock=clock)
    req = domestic_request()
    cache.put(req, "ups", [quote("ups", "12.00", 2)])
    return clock, cache, req


def test_key_is_canonical_and_built_from_request_and_alias_only() -> None:
    a, b = domestic_request(), domestic_request()
    assert cache_key(a, "ups") == cache_key(b, "ups")
    assert cache_key(a, "ups") != cache_key(a, "fedex")
    assert cache_key(a, "ups") != cache_key(domestic_request("3.0"), "ups")
    assert len(cache_key(a, "ups")) == 64


def test_fresh_then_stale_then_expired() -> None:
    clock, cache, req = one_cached_quote(ttl=60, stale_while_revalidate=30)
    clock.now += 10
    hit = cache.get(req, "ups")
    assert hit is not None
    assert hit.freshness == "fresh"
    assert not hit.needs_refresh
    assert hit.quotes[0].source == "cache"
    assert hit.quotes[0].age_seconds == Decimal("10.000")
    clock.now += 60
    stale = cache.get(req, "ups")
    assert stale is not None
    assert stale.needs_refresh
    assert stale.age_seconds == Decimal("70.000")
    clock.now += 25
    assert cache.get(req, "ups") is None
    assert len(cache) == 0


def test_stale_if_error_only_serves_when_asked_after_a_failure() -> None:
    clock, cache, req = one_cached_quote(ttl=60, stale_if_error=3600)
    clock.now += 600
    assert cache.get(req, "ups") is None
    hit = cache.get(req, "ups", on_error=True)
    assert hit is not None
    assert hit.freshness == "stale"


def test_only_live_quotes_are_stored_and_lru_bound_holds() -> None:
    cache = RateCache(ttl=60, max_entries=2, clock=ManualClock(1000.0))
    r1, r2, r3 = domestic_request("1"), domestic_request("2"), domestic_request("3")
    cache.put(r1, "table", [quote("table", "5.00", source="table")])
    assert len(cache) == 0
    cache.put(r1, "ups", [quote("ups", "1.00")])
    cache.put(r2, "ups", [quote("ups", "2.00")])
    assert cache.get(r1, "ups") is not None  # r1 is now the most recently used
    cache.put(r3, "ups", [quote("ups", "3.00")])
    assert cache.get(r2, "ups") is None
    assert cache.get(r1, "ups") is not None
    assert cache.get(r3, "ups") is not None


def test_refresh_is_claimed_once_and_cache_is_thread_safe() -> None:
    cache = RateCache(ttl=60, max_entries=50)
    key = cache_key(domestic_request(), "ups")
    assert cache.claim_refresh(key)
    assert not cache.claim_refresh(key)
    cache.release_refresh(key)
    assert cache.claim_refresh(key)

    def work(n: int) -> None:
        for i in range(40):
            req = domestic_request(str(1 + (n * 40 + i) % 70))
            cache.put(req, "ups", [quote("ups", "1.00")])
            cache.get(req, "ups")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(cache) == 50


def test_resolve_ladder_live_then_cache_then_table() -> None:
    req = domestic_request()
    cache = RateCache(ttl=60, stale_if_error=600)
    cache.put(req, "fedex", [quote("fedex", "30.00", 1)])
    down = {name: cg.RateResult(errors={name: cg.CarrierUnavailable("down", carrier=name)})
            for name in ("fedex", "dhl")}
    live = {"ups": cg.RateResult(quotes=[quote("ups", "20.00", 2)]), **down}
    table = cg.RateResult(quotes=[quote("table", "25.00", 3)])
    result = resolve(req, live, cache=cache, table=table)
    assert {(q.carrier, q.source) for q in result.quotes} == {("ups", "live"), ("fedex", "cache"), ("table", "table")}
    assert set(result.errors) == {"fedex", "dhl"}
    assert cache.get(req, "ups") is not None  # live answers are stored
    # nobody missing -> no table rates
    only_ups = resolve(req, {"ups": live["ups"]}, cache=cache, table=table)
    assert [q.carrier for q in only_ups.quotes] == ["ups"]


def _config() -> dict[str, dict[str, object]]:
    return {"fast": fake(price="20.00"), "down": fake("fail"), "slow": fake("hang"), "table": {}}


@pytest.mark.usefixtures("fake_carrier")
def test_sync_shopper_falls_back_to_table_and_caches_live() -> None:
    cache = RateCache(ttl=60)
    waits: list[float] = []  # backoff before each retry of "down" (503) and "slow" (read timeout): recorded, not slept
    with cg.Gateway(_config(), transport=httpx.MockTransport(handler), sleep=waits.append,
                    retry_policy=RetryPolicy(max_attempts=3, initial_backoff=0.25, jitter=None)) as gw, \
            RateShopper(gw, cache=cache, fallback_table=table_account(gw)) as shopper:
        assert shopper.fallback_table == "table"
        result = shopper.rate(domestic_request(), deadline=2.0)
        assert {q.carrier: q.source for q in result.quotes} == {"fast": "live", "table": "table"}
        assert set(result.errors) == {"down", "slow"}
        assert sorted(waits) == [0.25, 0.25, 0.5, 0.5]  # two retries each, exponential backoff
        assert sorted(CALLS) == ["/down/rate"] * 3 + ["/fast/rate"]
        CALLS.clear()
        again = shopper.rate(domestic_request(), carriers=["fast"], deadline=2.0)
        assert [(q.carrier, q.source) for q in again.quotes] == [("fast", "cache")]
        assert CALLS == []  # fresh: served without asking the carrier


@pytest.mark.usefixtures("fake_carrier")
def test_async_shopper_serves_stale_and_refreshes_in_background() -> None:
    clock = ManualClock(1000.0)
    cache = RateCache(ttl=60, stale_while_revalidate=600, clock=clock)

    async def main() -> None:
        async with cg.AsyncGateway({"fast": fake(price="20.00")},
                                   transport=httpx.MockTransport(ahandler)) as gw:
            shopper = AsyncRateShopper(gw, cache=cache)
            first = await shopper.rate(domestic_request(), deadline=2.0)
            assert [q.source for q in first.quotes] == ["live"]
            clock.now += 120
            CALLS.clear()
            stale = await shopper.rate(domestic_request(), deadline=2.0)
            assert [(q.source, q.age_seconds) for q in stale.quotes] == [("cache", Decimal("120.000"))]
            await shopper.wait_refreshes()
            assert CALLS == ["/fast/rate"]
            hit = cache.get(domestic_request(), "fast")
            assert hit is not None
            assert hit.freshness == "fresh"

    asyncio.run(main())


@pytest.mark.usefixtures("fake_carrier")
def test_async_shopper_hung_carrier_costs_only_the_deadline() -> None:
    async def main() -> cg.RateResult:
        async with cg.AsyncGateway(_config(), transport=httpx.MockTransport(ahandler), sleep=no_asleep) as gw:
            shopper = AsyncRateShopper(gw, fallback_table="table")
            return await asyncio.wait_for(shopper.rate(international_request(), deadline=0.3), timeout=3)

    result = asyncio.run(main())
    assert {q.carrier for q in result.quotes} == {"fast", "table"}
    assert isinstance(result.errors["slow"], cg.DeadlineExceeded)
