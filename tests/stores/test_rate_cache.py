"""RedisRateCacheBackend: quotes cached by one worker served to another, stored as JSON of the quote
models (never pickle) under keys that hold no credential, expiring when of no more use.

Two caches over one Redis stand for two workers, on one clock that stands still.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

import carriergate as cg
from carriergate.gateway.rate_cache import RateCache, RateCacheBackend, cache_key
from carriergate.stores.connection import RedisConnection
from carriergate.stores.rate_cache import RedisRateCacheBackend

from support.shipments import domestic_request
from support.timing import ManualClock

Connect = Callable[[], RedisConnection]
START = 1_700_000_000.0


def quote(price: str = "12.30") -> cg.Quote:
    return cg.Quote(carrier="ups", service_code="03", service_name="Ground", total=cg.Money(price, "CNY"),
                    charges=[cg.Charge(kind="fuel", name="Fuel surcharge", amount=cg.Money("1.20", "CNY"), code="FSC")],
                    transit_days=2, estimated_delivery=date(2026, 12, 5))


def caches(connect: Connect, clock: ManualClock, *, ttl: float,
           stale_while_revalidate: float = 0.0) -> tuple[RateCache, RateCache]:
    return tuple(RateCache(backend=RedisRateCacheBackend(connect()), clock=clock, ttl=ttl,  # type: ignore[return-value]
                           stale_while_revalidate=stale_while_revalidate) for _ in range(2))


def test_quotes_cached_by_one_worker_are_served_to_another_exactly(connect: Connect) -> None:
    clock = ManualClock(START)
    one, two = caches(connect, clock, ttl=60)
    assert isinstance(one.backend, RateCacheBackend)
    one.put(domestic_request(), "ups", [quote()])
    clock.now += 5
    hit = two.get(domestic_request(), "ups")
    assert hit is not None
    assert hit.freshness == "fresh"
    assert hit.age_seconds == Decimal("5.000")
    assert [q.model_copy(update={"source": "live", "age_seconds": None}) for q in hit.quotes] == [quote()]
    assert hit.quotes[0].source == "cache"
    assert hit.quotes[0].total.amount == Decimal("12.30")
    assert len(two) == 1


def test_entries_are_json_of_the_models_under_keys_without_credentials(connect: Connect) -> None:
    connection = connect()
    cache = RateCache(backend=RedisRateCacheBackend(connection), ttl=60, stale_while_revalidate=30)
    cache.put(domestic_request(), "ups", [quote()])
    key = f"carriergate:rates:{cache_key(domestic_request(), 'ups')}".encode()
    assert list(connection.sync.scan_iter(match="carriergate:rates:*")) == [key]
    stored = json.loads(connection.sync.get(key))
    assert stored["quotes"][0]["total"] == {"amount": "12.30", "currency": "CNY"}
    assert 0 < connection.sync.pttl(key) <= 90_000  # ttl plus stale-while-revalidate


def test_stale_entries_are_refreshed_by_one_worker_only(connect: Connect) -> None:
    clock = ManualClock(START)
    one, two = caches(connect, clock, ttl=60, stale_while_revalidate=600)
    one.put(domestic_request(), "ups", [quote()])
    clock.now += 120
    hit = two.get(domestic_request(), "ups")
    assert hit is not None
    assert hit.needs_refresh
    assert two.claim_refresh(hit.key) is True
    assert one.claim_refresh(hit.key) is False
    two.put(domestic_request(), "ups", [quote("13.00")])  # the refresh stores and releases the claim
    assert one.claim_refresh(hit.key) is True
    fresh = one.get(domestic_request(), "ups")
    assert fresh is not None
    assert fresh.freshness == "fresh"


def test_an_unreadable_entry_is_a_miss_not_a_crash(connect: Connect, caplog: pytest.LogCaptureFixture) -> None:
    connection = connect()
    cache = RateCache(backend=RedisRateCacheBackend(connection), ttl=60)
    connection.sync.set(f"carriergate:rates:{cache_key(domestic_request(), 'ups')}", b"\x80\x04 not json")
    assert cache.get(domestic_request(), "ups") is None
    assert "unreadable entry" in caplog.text


def test_invalidate_forgets_one_entry_or_all(connect: Connect) -> None:
    clock = ManualClock(START)
    one, two = caches(connect, clock, ttl=60)
    one.put(domestic_request(), "ups", [quote()])
    one.put(domestic_request(), "fedex", [quote()])
    two.invalidate(domestic_request(), "ups")
    assert one.get(domestic_request(), "ups") is None
    assert one.get(domestic_request(), "fedex") is not None
    two.invalidate()
    assert len(one) == 0
