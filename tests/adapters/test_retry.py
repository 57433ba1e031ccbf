"""The retry policy, table-driven through the real executors (sync and async) over httpx.MockTransport.

No test sleeps: the clock and the sleep are fakes; a sleep advances the fake clock.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.retry import RetryPolicy, equal_jitter
from carriergate.core.contract import Call, Flow
from carriergate.core.deadline import Deadline
from carriergate.protocols.http import error_for_status

from support.fake_carrier import fake_carrier

WALL = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


class FakeTime:
    """A monotonic clock that only moves when something sleeps (or a handler says time passed)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.start = self.now
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def wall(self) -> datetime:
        return WALL + timedelta(seconds=self.now - self.start)

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


#: The carrier the executor drives; its calls are the hand-built ones below, one per kind of call.
OpsCarrier = fake_carrier("ops", account={"api_key": SecretStr("ops-api-key-123")}, capabilities={cg.Capability.RATE},
                          hosts={"production": "https://ops.test"})


def parse(response: httpx.Response) -> str:
    if response.status_code >= 400:
        raise error_for_status(response, carrier="ops")
    return response.text


KINDS: dict[str, dict[str, Any]] = {
    "read": {"operation": "rate", "kind": "read", "idempotent": True},
    "write": {"operation": "ship", "kind": "write", "idempotent": False, "reference": "ORDER-1001"},
    "keyed write": {"operation": "ship", "kind": "write", "idempotent": False, "reference": "ORDER-1001",
                    "honours_idempotency_key": True},
}


def make_call(kind: str) -> Call[str]:
    return Call(request=httpx.Request("POST", "https://ops.test/op", json={"n": 1}), parse=parse, **KINDS[kind])


def one_call(call: Call[str]) -> Callable[[], Flow[str]]:
    def flow() -> Flow[str]:
        result: str = yield call
        return result
    return flow


def failing(failure: str) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if failure == "connect":
            raise httpx.ConnectError("connection refused", request=request)
        if failure == "read timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if failure == "429 seconds":
            return httpx.Response(429, headers={"Retry-After": "2"})
        if failure == "429 date":  # a fixed date, three seconds after the first attempt on the wall clock
            return httpx.Response(429, headers={"Retry-After": format_datetime(WALL + timedelta(seconds=3),
                                                                               usegmt=True)})
        return httpx.Response(int(failure), json={"message": "no"})
    return handle


RETRIED = (3, [0.5, 1.0])
ONCE: tuple[int, list[float]] = (1, [])
# (kind, failure) -> (attempts, waits, error type)
TABLE: list[tuple[str, str, int, list[float], type[cg.CarrierError]]] = [
    ("read", "connect", *RETRIED, cg.CarrierUnavailable),
    ("read", "read timeout", *RETRIED, cg.CarrierUnavailable),
    ("read", "429 seconds", 3, [2.0, 2.0], cg.RateLimited),
    ("read", "429 date", 3, [3.0, 1.0], cg.RateLimited),  # 3 s, then the date has passed: backoff
    ("read", "500", *RETRIED, cg.CarrierUnavailable),
    ("read", "503", *RETRIED, cg.CarrierUnavailable),
    ("read", "400", *ONCE, cg.CarrierError),
    ("write", "connect", *RETRIED, cg.CarrierUnavailable),  # never sent: safe
    ("write", "read timeout", *ONCE, cg.OutcomeUnknown),
    ("write", "429 seconds", 3, [2.0, 2.0], cg.RateLimited),
    ("write", "429 date", 3, [3.0, 1.0], cg.RateLimited),
    ("write", "500", *ONCE, cg.OutcomeUnknown),
    ("write", "503", *RETRIED, cg.CarrierUnavailable),  # 503: not performed
    ("write", "400", *ONCE, cg.CarrierError),
    ("keyed write", "connect", *RETRIED, cg.CarrierUnavailable),
    ("keyed write", "read timeout", *RETRIED, cg.CarrierUnavailable),
    ("keyed write", "429 seconds", 3, [2.0, 2.0], cg.RateLimited),
    ("keyed write", "429 date", 3, [3.0, 1.0], cg.RateLimited),
    ("keyed write", "500", *RETRIED, cg.CarrierUnavailable),
    ("keyed write", "503", *RETRIED, cg.CarrierUnavailable),
    ("keyed write", "400", *ONCE, cg.CarrierError),
]


def policy(time: FakeTime, **overrides: Any) -> RetryPolicy:
    return RetryPolicy(**{"max_attempts": 3, "initial_backoff": 0.5, "multiplier": 2.0, "jitter": None,
                          "now": time.wall, **overrides})


def drive(mode: str, call: Call[str], handler: Callable[[httpx.Request], httpx.Response], time: FakeTime,
          deadline: float | None = 30.0, **overrides: Any) -> str:
    carrier = OpsCarrier.with_account()
    limit = Deadline(deadline, clock=time.clock)
    transport = httpx.MockTransport(handler)
    if mode == "sync":
        with httpx.Client(transport=transport) as client:
            executor = Executor(client, sleep=time.sleep, retry=policy(time, **overrides), clock=time.clock)
            return executor.run(carrier, one_call(call), limit)

    async def go() -> str:
        async with httpx.AsyncClient(transport=transport) as client:
            executor = AsyncExecutor(client, sleep=time.asleep, retry=policy(time, **overrides), clock=time.clock)
            return await executor.run(carrier, one_call(call), limit)
    return asyncio.run(go())


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("kind", "failure", "attempts", "waits", "error"), TABLE)
def test_retry_table(mode: str, kind: str, failure: str, attempts: int, waits: list[float],
                     error: type[cg.CarrierError]) -> None:
    time = FakeTime()
    sent: list[httpx.Request] = []
    handler = failing(failure)

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    with pytest.raises(cg.CarrierError) as info:
        drive(mode, make_call(kind), record, time)
    assert type(info.value) is error
    assert len(sent) == attempts
    assert time.waits == pytest.approx(waits)
    assert info.value.carrier == "ops"
    if error is cg.OutcomeUnknown:
        assert isinstance(info.value, cg.OutcomeUnknown)
        assert info.value.reference == "ORDER-1001"
        assert "ORDER-1001" in str(info.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_success_after_failures_returns_the_answer(mode: str) -> None:
    time = FakeTime()
    answers = iter([httpx.Response(503), httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(200,
                                                                                                          text="ok")])
    assert drive(mode, make_call("write"), lambda r: next(answers), time) == "ok"
    assert time.waits == [0.5, 1.0]  # backoff 1.0 already honours Retry-After: 1


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_no_sleep_crosses_the_deadline(mode: str) -> None:
    time = FakeTime()
    timeouts: list[float] = []

    def slow_500(request: httpx.Request) -> httpx.Response:
        timeouts.append(request.extensions["timeout"]["read"])
        time.now += 0.2  # the carrier takes 0.2 s to fail
        return httpx.Response(500)

    with pytest.raises(cg.CarrierUnavailable):
        drive(mode, make_call("read"), slow_500, time, deadline=1.5)
    # attempt 1 at 0.0-0.2, sleep 0.5 -> 0.7, attempt 2 -> 0.9; the next wait (1.0) would end at 1.9 > 1.5
    assert time.waits == [0.5]
    assert time.now - time.start <= 1.5
    assert timeouts == pytest.approx([1.5, 0.8])  # each attempt's timeout clamped to what is left


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_retry_after_beyond_the_deadline_gives_up_at_once(mode: str) -> None:
    time = FakeTime()
    sent: list[httpx.Request] = []

    def limited(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(429, headers={"Retry-After": "5"}, json={"message": "slow down"})

    with pytest.raises(cg.RateLimited) as info:
        drive(mode, make_call("read"), limited, time, deadline=4.0)
    assert (len(sent), time.waits) == (1, [])
    assert info.value.retry_after == 5.0


def test_max_attempts_and_jitter_are_configurable() -> None:
    time = FakeTime()
    with pytest.raises(cg.CarrierUnavailable):
        drive("sync", make_call("read"), failing("503"), time, max_attempts=4, jitter=lambda d: d / 4)
    assert time.waits == [0.125, 0.25, 0.5]


def test_default_jitter_stays_within_half_and_full_delay() -> None:
    samples = [equal_jitter(2.0) for _ in range(200)]
    assert all(1.0 <= s <= 2.0 for s in samples)
    assert len(set(samples)) > 1


def test_backoff_is_capped_and_retry_after_is_a_floor() -> None:
    p = RetryPolicy(initial_backoff=1.0, multiplier=3.0, max_backoff=5.0, jitter=None)
    assert [p.backoff(n) for n in (1, 2, 3, 4)] == [1.0, 3.0, 5.0, 5.0]
    assert p.wait_for(1, retry_after=4.0) == 4.0
    assert p.wait_for(3, retry_after=0.0) == 5.0
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


@pytest.mark.parametrize(("error", "read", "write"), [
    (cg.DeadlineExceeded("late"), False, False),
    (cg.CarrierUnavailable("open", code="breaker_open"), False, False),
    (cg.AuthenticationError("no", http_status=401), False, False),
    (cg.NotFound("no", http_status=404), False, False),
    (cg.MalformedResponse("garbled", http_status=200), False, False),
    (cg.OutcomeUnknown("maybe", reference="R"), False, False),
    (cg.CarrierUnavailable("refused", code="connect"), True, True),
    (cg.CarrierUnavailable("busy", http_status=503), True, True),
    (cg.CarrierUnavailable("boom", http_status=502), True, False),
    (cg.RateLimited("slow", http_status=429), True, True),
])
def test_should_retry_decisions(error: cg.CarrierError, read: bool, write: bool) -> None:
    assert RetryPolicy.should_retry(make_call("read"), error) is read
    assert RetryPolicy.should_retry(make_call("write"), error) is write


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("operation", "flags", "attempts", "error"), [
    ("rate", {"kind": "write", "idempotent": False, "reference": "ORDER-1001"}, 1, cg.OutcomeUnknown),
    ("ship", {"kind": "write", "idempotent": True}, 3, cg.CarrierUnavailable),
    ("ship", {"kind": "write", "idempotent": False, "honours_idempotency_key": True}, 3, cg.CarrierUnavailable),
    ("track_and_book", {"kind": "read", "idempotent": True}, 3, cg.CarrierUnavailable),
])
def test_read_or_write_is_what_the_call_declares_never_its_name(mode: str, operation: str, flags: dict[str, Any],
                                                                attempts: int, error: type[cg.CarrierError]) -> None:
    """A 500 is retried for a call that is safe to repeat and never for one that is not, whatever the
    operation is called: a write named "rate" is not read-like, an idempotent "ship" is."""
    time = FakeTime()
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500, json={"message": "no"})

    call = Call(request=httpx.Request("POST", "https://ops.test/op", json={"n": 1}), parse=parse,
                operation=operation, **flags)
    with pytest.raises(cg.CarrierError) as info:
        drive(mode, call, record, time)
    assert (type(info.value), len(sent)) == (error, attempts)
    assert RetryPolicy.should_retry(call, cg.CarrierUnavailable("boom", http_status=500)) is (attempts > 1)
