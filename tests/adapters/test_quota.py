"""Carrier quotas: the limiter's GCRA arithmetic, and the executor waiting for a slot before each
attempt, never past the deadline, with a 429's Retry-After pausing the account for every caller.

Clocks stand still until a fake sleep moves them, so each wait the executor asks for is an exact
number (no real time passes). The shared Redis limiter is tests/stores/test_quota.py; four processes
on one quota, tests/stores/test_workers_quota.py.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest

from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.quota import UNLIMITED, MemoryRateLimiter, Quota, RateLimiter, Slot
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.contract import Account
from carriergate.core.deadline import Deadline
from carriergate.core.errors import RateLimited

from support.ping_carrier import Pinged
from support.timing import ManualClock

NO_JITTER = RetryPolicy(jitter=None)


class Published(Pinged):
    quota = 4.0  # a carrier that publishes 4 requests a second


class Sleeper:
    """A ``sleep=`` that moves ``clock`` on by what it is asked, and keeps the asks."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.asked: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.asked.append(round(seconds, 6))
        self.clock.now += seconds

    async def asleep(self, seconds: float) -> None:
        self(seconds)


def pinged(rate: float | None = None, cls: type[Pinged] = Pinged) -> Pinged:
    return cls(Account(base_url="https://carrier.test", requests_per_second=rate), alias="acct")


def test_the_memory_limiter_is_a_rate_limiter_spacing_slots_by_the_rate() -> None:
    limiter = MemoryRateLimiter(clock=ManualClock(0.0))
    assert isinstance(limiter, RateLimiter)
    ten = Quota(10)
    slots = [limiter.reserve("a", ten, None) for _ in range(3)]
    assert [(s.granted, round(s.wait, 6)) for s in slots] == [(True, 0.0), (True, 0.1), (True, 0.2)]
    assert limiter.reserve("b", ten, None) == Slot(True, 0.0)  # accounts are apart


def test_a_slot_past_the_wait_limit_is_not_taken() -> None:
    limiter = MemoryRateLimiter(clock=ManualClock(100.0))
    ten = Quota(10)
    limiter.reserve("a", ten, None)
    limiter.reserve("a", ten, None)
    refused = limiter.reserve("a", ten, 0.05)
    assert refused.granted is False
    assert refused.wait == pytest.approx(0.2)
    assert limiter.reserve("a", ten, None).wait == pytest.approx(0.2)  # the refused slot was left free


def test_a_burst_goes_at_once_then_the_rate_holds() -> None:
    limiter = MemoryRateLimiter(clock=ManualClock(0.0))
    waits = [round(limiter.reserve("a", Quota(10, burst=3), None).wait, 6) for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 0.1, 0.2]


def test_a_pause_holds_even_an_account_without_a_quota() -> None:
    clock = ManualClock(0.0)
    limiter = MemoryRateLimiter(clock=clock)
    assert limiter.reserve("a", UNLIMITED, None) == Slot(True, 0.0)
    limiter.pause("a", UNLIMITED, 5.0)
    assert limiter.reserve("a", UNLIMITED, None) == Slot(True, 5.0)
    clock.now = 5.0
    assert limiter.reserve("a", UNLIMITED, None) == Slot(True, 0.0)


def test_the_executor_waits_for_each_slot_before_sending() -> None:
    clock = ManualClock(0.0)
    sleeper = Sleeper(clock)
    sent: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(clock.now)
        return httpx.Response(200)

    carrier = pinged(rate=2)
    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        executor = Executor(client, sleep=sleeper, clock=clock)
        assert [executor.run(carrier, carrier.ping, Deadline(10, clock=clock)) for _ in range(3)] == [200] * 3
    assert sleeper.asked == [0.5, 0.5]
    assert sent == [0.0, 0.5, 1.0]


def test_a_slot_after_the_deadline_fails_at_once_with_rate_limited_and_sends_nothing() -> None:
    clock = ManualClock(0.0)
    sleeper = Sleeper(clock)
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200)

    carrier = pinged(rate=1)
    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        executor = Executor(client, sleep=sleeper, clock=clock)
        executor.run(carrier, carrier.ping, Deadline(10, clock=clock))
        with pytest.raises(RateLimited) as raised:
            executor.run(carrier, carrier.ping, Deadline(0.5, clock=clock))
    assert raised.value.code == "quota"
    assert raised.value.retry_after == pytest.approx(1.0)
    assert "1 requests/s" in raised.value.message
    assert len(sent) == 1
    assert sleeper.asked == []  # neither waited for the slot nor retried


def test_a_429_with_retry_after_pauses_the_account_for_every_worker() -> None:
    clock = ManualClock(0.0)
    limiter = MemoryRateLimiter(clock=clock)
    answers = [httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(200), httpx.Response(200)]
    carrier = pinged()  # no quota at all: only the pause holds it
    one_sleeps, two_sleeps = Sleeper(clock), Sleeper(clock)
    with httpx.Client(transport=httpx.MockTransport(lambda r: answers.pop(0))) as client:
        one = Executor(client, sleep=one_sleeps, clock=clock, limiter=limiter, retry=RetryPolicy(max_attempts=1))
        two = Executor(client, sleep=two_sleeps, clock=clock, limiter=limiter)
        with pytest.raises(RateLimited):
            one.run(carrier, carrier.ping, Deadline(10, clock=clock))
        assert two.run(carrier, carrier.ping, Deadline(10, clock=clock)) == 200
    assert two_sleeps.asked == [3.0]  # the other worker waited out the carrier's Retry-After


def test_the_account_setting_overrides_the_carriers_published_quota() -> None:
    clock = ManualClock(0.0)
    for carrier, wait in ((pinged(cls=Published), 0.25), (pinged(rate=1, cls=Published), 1.0)):
        sleeper = Sleeper(clock)
        with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
            executor = Executor(client, sleep=sleeper, clock=clock)
            for _ in range(2):
                executor.run(carrier, carrier.ping, Deadline(10, clock=clock))
        assert sleeper.asked == [wait]
    assert pinged().requests_per_second is None


def test_the_async_executor_waits_for_slots_the_same_way() -> None:
    clock = ManualClock(0.0)
    sleeper = Sleeper(clock)
    carrier = pinged(rate=4)

    async def go() -> list[int]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as client:
            executor = AsyncExecutor(client, sleep=sleeper.asleep, clock=clock, retry=NO_JITTER)
            return [await executor.run(carrier, carrier.ping, Deadline(10, clock=clock)) for _ in range(3)]

    assert asyncio.run(go()) == [200] * 3
    assert sleeper.asked == [0.25, 0.25]
