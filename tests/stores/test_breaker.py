"""RedisBreakerBackend: one worker's open breaker is every worker's, and the half-open probe goes to
one caller of one worker only.

Two registries over one Redis stand for two workers; a test clock replaces the server's time, so a
cooldown passes when the test moves the clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

import carriergate as cg
from carriergate.adapters.breaker import BreakerBackend, BreakerRegistry, BreakerSettings, State
from carriergate.stores.breaker import RedisBreakerBackend
from carriergate.stores.connection import RedisConnection

from support.timing import ManualClock

Connect = Callable[[], RedisConnection]
SETTINGS = BreakerSettings(failure_threshold=2, cooldown=30)
DOWN = cg.CarrierUnavailable("down", carrier="ups")


def workers(connect: Connect, clock: ManualClock) -> tuple[BreakerRegistry, BreakerRegistry]:
    return (BreakerRegistry(SETTINGS, backend=RedisBreakerBackend(connect(), clock=clock)),
            BreakerRegistry(SETTINGS, backend=RedisBreakerBackend(connect(), clock=clock)))


def test_failures_counted_by_two_workers_open_the_breaker_for_both(connect: Connect) -> None:
    one, two = workers(connect, ManualClock(1_700_000_000.0))
    assert isinstance(one.backend, BreakerBackend)
    one.get("ups", "read").record(DOWN)
    assert two.get("ups", "read").state is State.CLOSED
    two.get("ups", "read").record(DOWN)  # the second consecutive failure, seen by another worker
    assert one.get("ups", "read").state is State.OPEN
    with pytest.raises(cg.CarrierUnavailable) as raised:
        one.get("ups", "read").acquire("ups")
    assert raised.value.code == "breaker_open"
    assert "next probe in 30.0s" in raised.value.message
    assert two.get("ups", "write").acquire("ups") is False  # writes have their own breaker


def test_an_answer_resets_the_count_for_every_worker(connect: Connect) -> None:
    one, two = workers(connect, ManualClock(1_700_000_000.0))
    one.get("ups", "read").record(DOWN)
    two.get("ups", "read").record(cg.NotFound("no such parcel", carrier="ups"))  # the carrier is up
    one.get("ups", "read").record(DOWN)
    assert two.get("ups", "read").state is State.CLOSED


def test_after_the_cooldown_one_worker_probes_and_its_verdict_holds_for_all(connect: Connect) -> None:
    clock = ManualClock(1_700_000_000.0)
    one, two = workers(connect, clock)
    for _ in range(2):
        one.get("ups", "read").record(DOWN)
    clock.now += 30
    assert two.states(["ups"]) == {"ups": {"read": "half_open", "write": "closed"}}
    assert two.get("ups", "read").acquire("ups") is True  # the probe
    with pytest.raises(cg.CarrierUnavailable):
        one.get("ups", "read").acquire("ups")  # no second probe, from any worker
    two.get("ups", "read").record(None)
    assert one.get("ups", "read").acquire("ups") is False
    assert one.get("ups", "read").state is State.CLOSED


def test_a_failed_probe_reopens_and_a_stale_probe_is_granted_again(connect: Connect) -> None:
    clock = ManualClock(1_700_000_000.0)
    one, two = workers(connect, clock)
    for _ in range(2):
        one.get("ups", "read").record(DOWN)
    clock.now += 30
    assert one.get("ups", "read").acquire("ups") is True
    one.get("ups", "read").record(DOWN)
    assert two.get("ups", "read").state is State.OPEN
    clock.now += 30
    assert two.get("ups", "read").acquire("ups") is True
    clock.now += 30  # that probe never reported back (its worker died)
    assert one.get("ups", "read").acquire("ups") is True


def test_the_async_twins_share_the_same_state(connect: Connect) -> None:
    clock = ManualClock(1_700_000_000.0)
    sync_side, async_connection = connect(), connect()
    one = BreakerRegistry(SETTINGS, backend=RedisBreakerBackend(sync_side, clock=clock))
    two = BreakerRegistry(SETTINGS, backend=RedisBreakerBackend(async_connection, clock=clock))

    async def go() -> bool:
        try:
            breaker = two.get("ups", "read")
            await breaker.arecord(DOWN)
            await breaker.arecord(DOWN)
            clock.now += 30
            return await breaker.aacquire("ups")
        finally:
            await async_connection.aclose()

    assert asyncio.run(go()) is True
    with pytest.raises(cg.CarrierUnavailable):
        one.get("ups", "read").acquire("ups")


def test_with_redis_down_the_breaker_lets_calls_go(caplog: pytest.LogCaptureFixture) -> None:
    connection = RedisConnection("redis://127.0.0.1:1/0", timeout=0.2)
    registry = BreakerRegistry(SETTINGS, backend=RedisBreakerBackend(connection))
    breaker = registry.get("ups", "read")
    breaker.record(DOWN)
    breaker.record(DOWN)
    assert breaker.acquire("ups") is False
    assert breaker.state is State.CLOSED
    assert "Redis unavailable" in caplog.text
    connection.close()
