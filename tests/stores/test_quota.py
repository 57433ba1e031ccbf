"""RedisRateLimiter: the GCRA of adapters.quota in one Lua script, one budget per account for every
worker over the same Redis, sync and async.

Two limiters over one Redis stand for two workers. A test clock replaces the server's time, so each
wait is an exact number; one test keeps the server's own clock and only counts granted slots.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from carriergate.adapters.quota import UNLIMITED, Quota, RateLimiter, Slot
from carriergate.stores.connection import RedisConnection
from carriergate.stores.quota import RedisRateLimiter

from support.timing import ManualClock

Connect = Callable[[], RedisConnection]
START = 1_700_000_000.0


def waits(slots: list[Slot]) -> list[tuple[bool, float]]:
    return [(slot.granted, round(slot.wait, 4)) for slot in slots]


def test_two_workers_share_one_budget_per_account(connect: Connect) -> None:
    clock = ManualClock(START)
    one, two = RedisRateLimiter(connect(), clock=clock), RedisRateLimiter(connect(), clock=clock)
    assert isinstance(one, RateLimiter)
    ten = Quota(10)
    slots = [one.reserve("acct", ten, None), two.reserve("acct", ten, None), one.reserve("acct", ten, None)]
    assert waits(slots) == [(True, 0.0), (True, 0.1), (True, 0.2)]
    assert waits([two.reserve("other", ten, None)]) == [(True, 0.0)]


def test_a_slot_past_the_wait_limit_is_refused_and_left_free(connect: Connect) -> None:
    clock = ManualClock(START)
    limiter = RedisRateLimiter(connect(), clock=clock)
    two = Quota(2)
    limiter.reserve("acct", two, None)
    assert waits([limiter.reserve("acct", two, 0.2)]) == [(False, 0.5)]
    assert waits([limiter.reserve("acct", two, None)]) == [(True, 0.5)]
    clock.now += 10  # idle: the budget is whole again
    assert waits([limiter.reserve("acct", two, None)]) == [(True, 0.0)]


def test_a_429_pause_by_one_worker_holds_the_other(connect: Connect) -> None:
    clock = ManualClock(START)
    one, two = RedisRateLimiter(connect(), clock=clock), RedisRateLimiter(connect(), clock=clock)
    assert waits([two.reserve("acct", UNLIMITED, None)]) == [(True, 0.0)]
    one.pause("acct", UNLIMITED, 3.0)
    assert waits([two.reserve("acct", UNLIMITED, 1.0)]) == [(False, 3.0)]
    clock.now += 3
    assert waits([two.reserve("acct", UNLIMITED, None)]) == [(True, 0.0)]


def test_the_async_twins_share_the_same_budget(connect: Connect) -> None:
    clock = ManualClock(START)
    sync, other = connect(), connect()
    limiter = RedisRateLimiter(other, clock=clock)

    async def go() -> list[Slot]:
        try:
            first = await limiter.areserve("acct", Quota(4), None)
            await limiter.apause("acct", Quota(4), 1.0)
            return [first, await limiter.areserve("acct", Quota(4), None)]
        finally:
            await other.aclose()

    assert waits(asyncio.run(go())) == [(True, 0.0), (True, 1.0)]
    assert waits([RedisRateLimiter(sync, clock=clock).reserve("acct", Quota(4), None)]) == [(True, 1.25)]


def test_on_the_servers_own_clock_a_burst_of_callers_is_spread_out(connect: Connect) -> None:
    limiter = RedisRateLimiter(connect())
    slots = [limiter.reserve("acct", Quota(5), None) for _ in range(6)]
    assert all(slot.granted for slot in slots)
    assert slots[-1].wait > slots[1].wait > 0  # each later caller waits longer (the 6th about a second)
    assert slots[-1].wait <= 1.0


def test_with_redis_down_calls_go_out_unlimited(caplog: pytest.LogCaptureFixture) -> None:
    connection = RedisConnection("redis://:pw-secret@127.0.0.1:1/0", timeout=0.2)
    limiter = RedisRateLimiter(connection)
    assert limiter.reserve("acct", Quota(1), 0.0) == Slot(True, 0.0)
    assert "Redis unavailable" in caplog.text
    assert "pw-secret" not in caplog.text + repr(limiter)
    connection.close()
