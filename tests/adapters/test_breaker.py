"""Circuit breakers: open after N carrier-down failures, fail fast without sending, half-open probe
after the cool-down (a fake clock), close on success; 4xx never opens them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.breaker import BreakerRegistry, BreakerSettings, CircuitBreaker, State, operation_class
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.contract import Call, Kind

from support.fake_carrier import Exchange, Turn, checked, fake_carrier, quote, raise_for_status, registered
from support.shipments import domestic_request
from support.timing import ManualClock, no_sleep


def _quotes(turn: Turn, response: httpx.Response) -> list[cg.Quote]:
    return [quote(turn, "1.00", service="x", service_name="X")]


#: Rates (a read) and voids (a write) with one call each; declares TRACK without performing it.
PingCarrier = fake_carrier(
    "ping", capabilities={cg.Capability.RATE, cg.Capability.TRACK, cg.Capability.VOID},
    hosts={"production": "https://ping.test"},
    rate=Exchange(lambda turn: httpx.Request("POST", turn.url("/rate")), checked(_quotes)),
    void=Exchange(lambda turn: httpx.Request("DELETE", turn.url(f"/labels/{turn.argument.tracking_number}")),
                  raise_for_status))


@pytest.fixture(autouse=True)
def ping_registered() -> Iterator[None]:
    with registered(PingCarrier):
        yield


class Switch:
    """A transport answering with ``status``; counts what reached it."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.sent = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return httpx.Response(self.status, json={"message": "x"})


def gateway(switch: Switch, clock: ManualClock) -> cg.Gateway:
    return cg.Gateway({"ping": {}}, transport=httpx.MockTransport(switch), clock=clock, sleep=no_sleep,
                      retry_policy=RetryPolicy(max_attempts=1), breaker=BreakerSettings(failure_threshold=3,
                                                                                          cooldown=10.0))


def test_opens_fails_fast_probes_after_cooldown_and_closes() -> None:
    clock, switch = ManualClock(0.0), Switch(503)
    with gateway(switch, clock) as gw:
        ping = gw.carrier("ping")
        for _ in range(3):
            with pytest.raises(cg.CarrierUnavailable) as info:
                ping.rate(domestic_request())
            assert info.value.code == "503"
        assert switch.sent == 3
        with pytest.raises(cg.CarrierUnavailable) as info:  # open: nothing sent
            ping.rate(domestic_request())
        assert (info.value.code, info.value.carrier, switch.sent) == ("breaker_open", "ping", 3)
        assert "ping" in gw.rate(domestic_request()).errors
        assert switch.sent == 3

        clock.now += 9.9
        with pytest.raises(cg.CarrierUnavailable, match="breaker"):
            ping.rate(domestic_request())
        clock.now += 0.1  # cool-down over: one probe goes out, fails, re-opens
        with pytest.raises(cg.CarrierUnavailable) as info:
            ping.rate(domestic_request())
        assert (info.value.code, switch.sent) == ("503", 4)
        with pytest.raises(cg.CarrierUnavailable, match="breaker"):
            ping.rate(domestic_request())

        clock.now += 10
        switch.status = 200  # the carrier is back: the probe succeeds and closes the breaker
        assert ping.rate(domestic_request())[0].carrier == "ping"
        assert ping.rate(domestic_request())[0].carrier == "ping"
        assert switch.sent == 6


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 429])
def test_client_errors_never_open_it(status: int) -> None:
    clock, switch = ManualClock(0.0), Switch(status)
    with gateway(switch, clock) as gw:
        for _ in range(10):
            with pytest.raises(cg.CarrierError) as info:
                gw.carrier("ping").rate(domestic_request())
            assert info.value.code != "breaker_open"
    assert switch.sent == 10


def test_reads_and_writes_have_separate_breakers() -> None:
    clock, switch = ManualClock(0.0), Switch(500)
    label = cg.Label(carrier="ping", tracking_number="1", label=b"x", label_format="PDF")
    with gateway(switch, clock) as gw:
        for _ in range(3):
            with pytest.raises(cg.CarrierUnavailable):
                gw.carrier("ping").rate(domestic_request())
        switch.status = 200
        gw.carrier("ping").void(label)  # "write" class: still closed
        with pytest.raises(cg.CarrierUnavailable, match="breaker"):
            gw.carrier("ping").rate(domestic_request())


def test_async_gateway_shares_the_same_behaviour() -> None:
    clock, switch = ManualClock(0.0), Switch(502)

    async def go() -> list[str | None]:
        async def no_sleep(seconds: float) -> None:
            return None
        async with cg.AsyncGateway({"ping": {}}, transport=httpx.MockTransport(switch), clock=clock, sleep=no_sleep,
                                   retry_policy=RetryPolicy(max_attempts=1),
                                   breaker=BreakerSettings(failure_threshold=2, cooldown=5)) as gw:
            codes = []
            for _ in range(3):
                try:
                    await gw.carrier("ping").rate(domestic_request())
                except cg.CarrierError as err:
                    codes.append(err.code)
            return codes

    assert asyncio.run(go()) == ["502", "502", "breaker_open"]
    assert switch.sent == 2


def test_timeouts_and_outcome_unknown_count_validation_does_not() -> None:
    clock = ManualClock(0.0)
    breaker = CircuitBreaker("x/read", BreakerSettings(failure_threshold=2, cooldown=1), clock=clock)
    breaker.record(cg.DeadlineExceeded("late"))
    breaker.record(cg.ValidationError(cg.FieldError("weight", "too heavy")))  # the carrier answered: reset
    breaker.record(cg.DeadlineExceeded("late"))
    assert breaker.state == "closed"
    breaker.record(cg.OutcomeUnknown("maybe", reference="R"))
    assert breaker.state == "open"


def test_only_one_probe_while_half_open_and_an_abandoned_probe_frees_the_slot() -> None:
    clock = ManualClock(0.0)
    breaker = CircuitBreaker("x/write", BreakerSettings(failure_threshold=1, cooldown=5), clock=clock)
    breaker.failure()
    clock.now = 5
    assert breaker.acquire("x") is True
    with pytest.raises(cg.CarrierUnavailable, match="breaker"):
        breaker.acquire("x")  # a second caller while the probe is out
    breaker.release()  # the probe was cancelled
    assert breaker.acquire("x") is True
    breaker.success()
    assert breaker.state is State.CLOSED
    assert breaker.acquire("x") is False


def test_thread_safe_counting() -> None:
    breaker = CircuitBreaker("x/read", BreakerSettings(failure_threshold=400, cooldown=5), clock=ManualClock(0.0))

    def fail() -> None:
        for _ in range(100):
            breaker.failure()

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert breaker.state is State.OPEN


def test_operation_classes_and_registry() -> None:
    def call(op: str, kind: Kind = "read") -> Call[None]:
        return Call(request=httpx.Request("GET", "https://x.test"), parse=lambda r: None, operation=op,
                    kind=kind, idempotent=kind == "read")
    # The class is the call's declared kind, whatever its operation is called.
    declared: list[tuple[str, Kind]] = [
        ("rate", "read"), ("track", "read"), ("order_query", "read"), ("ship", "write"), ("void", "write"),
        ("schedule_pickup", "write"), ("rate_then_book", "write")]
    assert [operation_class(call(op, kind)) for op, kind in declared] == \
        ["read", "read", "read", "write", "write", "write", "write"]
    reg = BreakerRegistry(BreakerSettings(), clock=ManualClock(0.0))
    assert reg.for_call("a", call("rate")) is reg.get("a", "read") is not reg.get("b", "read")
    assert BreakerRegistry(BreakerSettings(enabled=False)).for_call("a", call("rate")) is None
    with pytest.raises(ValueError, match="failure_threshold"):
        BreakerSettings(failure_threshold=0)


def test_registry_states_by_account_and_class_half_open_after_the_cooldown() -> None:
    clock = ManualClock(0.0)
    reg = BreakerRegistry(BreakerSettings(failure_threshold=1, cooldown=30), clock=clock)
    assert reg.states() == {}
    reg.get("ups", "read").record(None)
    reg.get("ups", "write").record(cg.CarrierUnavailable("down", carrier="ups"))
    assert reg.states() == {"ups": {"read": "closed", "write": "open"}}
    clock.now = 30.0
    assert reg.states() == {"ups": {"read": "closed", "write": "half_open"}}


def test_gateway_breaker_states_name_every_account() -> None:
    switch = Switch(503)
    with gateway(switch, ManualClock(0.0)) as gw:
        assert gw.breaker_states() == {"ping": {"read": "closed", "write": "closed"}}
        for _ in range(3):
            gw.rate(domestic_request(), carriers=["ping"], deadline=5.0)
        assert gw.breaker_states() == {"ping": {"read": "open", "write": "closed"}}
