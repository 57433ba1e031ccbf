"""Fault injection through the sandbox (real emulators, in-process, simulated time).

- 100 label creations whose answer is lost after the carrier performed them: each is OutcomeUnknown
  naming its reference, never repeated, and the carrier holds exactly one label per reference.
- SF reconciles a lost create by its order query; shipping again with the same reference is safe.
- A 429 storm never holds a caller past its deadline, and attempts stay bounded.
- The breaker opens after consecutive 5xx, fails fast without sending, and recovers after cool-down.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.breaker import BreakerSettings
from carriergate.adapters.retry import RetryPolicy
from carriergate.sandbox.faults import (
    CarrierFaults,
    Faults,
    FaultySandboxTransport,
    LostResponseRule,
    RateLimitRule,
    ServerErrorRule,
)
from carriergate.sandbox.registry import sandbox_gateway_kwargs

import support.fedex_samples as fedex_g
import support.sf_samples as sf_g
import support.ups_samples as ups_g


class SimulatedTime:
    """A monotonic clock that only moves when someone sleeps (the executor's retry waits)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


def no_sleep(seconds: float) -> None:
    raise AssertionError(f"a write whose answer was lost must never be retried (asked to sleep {seconds})")


def sandbox(carrier: str, faults: CarrierFaults, seed: int = 0) -> tuple[dict[str, Any], FaultySandboxTransport]:
    kwargs = sandbox_gateway_kwargs([carrier], Faults(seed=seed, carriers={carrier: faults}))
    transport = kwargs["transport"]
    assert isinstance(transport, FaultySandboxTransport)
    return kwargs["config"], transport


def sent(transport: FaultySandboxTransport, carrier: str, path: str) -> list[httpx.Request]:
    return [r for r in transport.emulators[carrier].requests if path in r.url.path]


# -- lost responses: zero duplicate labels ----------------------------------------------------------

NO_BREAKER = BreakerSettings(enabled=False)

SHIPMENTS: dict[str, tuple[str, Callable[[str], cg.ShipRequest]]] = {
    "ups": ("/api/shipments/", lambda ref: ups_g.shipment(ups_g.domestic_us(), reference=ref)),
    "fedex": ("/ship/v1/shipments", lambda ref: fedex_g.ship_request(fedex_g.domestic_us(), reference=ref)),
}


def labels_held(carrier: str, transport: FaultySandboxTransport) -> int:
    emulator: Any = transport.emulators[carrier]
    return len(emulator.state.shipments) if carrier == "ups" else len(emulator.shipments)


@pytest.mark.parametrize("carrier", list(SHIPMENTS))
def test_100_lost_label_answers_make_zero_duplicates(carrier: str) -> None:
    path, make = SHIPMENTS[carrier]
    lost = CarrierFaults(lost_response=LostResponseRule(probability=1.0, paths=[path],
                                                        error="read_timeout"))
    config, transport = sandbox(carrier, lost)
    references = [f"HOSTILE-{carrier.upper()}-{n:03d}" for n in range(100)]
    # the breaker (tested below) would rightly stop sending after 5 lost answers: off, so all 100 go out
    with cg.Gateway(config, transport=transport, sleep=no_sleep, breaker=NO_BREAKER) as gw:
        for reference in references:
            with pytest.raises(cg.OutcomeUnknown) as info:
                gw.ship(make(reference))
            assert info.value.reference == reference
            assert reference in str(info.value)
            assert info.value.carrier == carrier
    ship_requests = sent(transport, carrier, path)
    per_reference = Counter(ref for r in ship_requests for ref in references if ref.encode() in r.content)
    assert per_reference == dict.fromkeys(references, 1)  # each write sent exactly once
    assert labels_held(carrier, transport) == 100  # the carrier made them all: one label per reference


def test_lost_answers_by_disconnect_are_outcome_unknown_too_async() -> None:
    lost = CarrierFaults(lost_response=LostResponseRule(probability=1.0, paths=["/ship/"], error="disconnect"))
    config, transport = sandbox("fedex", lost)
    clock = SimulatedTime()

    async def main() -> list[str]:
        refs: list[str] = []
        async with cg.AsyncGateway(config, transport=transport, clock=clock, sleep=clock.asleep,
                                   breaker=NO_BREAKER) as gw:
            for n in range(10):
                with pytest.raises(cg.OutcomeUnknown) as info:
                    await gw.ship(fedex_g.ship_request(fedex_g.domestic_us(), reference=f"ASYNC-{n}"))
                refs.append(str(info.value.reference))
        return refs

    assert asyncio.run(main()) == [f"ASYNC-{n}" for n in range(10)]
    assert clock.sleeps == []
    assert labels_held("fedex", transport) == 10


def test_lost_answers_open_the_write_breaker_which_then_sends_nothing() -> None:
    lost = CarrierFaults(lost_response=LostResponseRule(probability=1.0, paths=["/api/shipments/"]))
    config, transport = sandbox("ups", lost)
    with cg.Gateway(config, transport=transport, sleep=no_sleep,
                    breaker=BreakerSettings(failure_threshold=5, cooldown=60)) as gw:
        outcomes = []
        for n in range(20):
            with pytest.raises((cg.OutcomeUnknown, cg.CarrierUnavailable)) as info:
                gw.ship(ups_g.shipment(ups_g.domestic_us(), reference=f"B-{n}"))
            outcomes.append(type(info.value).__name__)
    assert outcomes == ["OutcomeUnknown"] * 5 + ["CarrierUnavailable"] * 15
    assert len(sent(transport, "ups", "/api/shipments/")) == 5
    assert labels_held("ups", transport) == 5


def test_sf_reconciles_lost_creates_and_reshipping_never_duplicates() -> None:
    """Half of all SF answers are lost. Shipping each reference until a label comes back yields one
    order per reference and the same waybill every time it is returned."""
    flaky = CarrierFaults(lost_response=LostResponseRule(probability=0.5))
    config, transport = sandbox("sf_express", flaky, seed=11)
    config["sf_express"] = {**config["sf_express"], "monthly_card": "7551234567"}
    waybills: dict[str, set[str]] = {}
    references_unknown: list[str | None] = []
    unknown = 0
    with cg.Gateway(config, transport=transport, retry_policy=RetryPolicy(jitter=None), sleep=lambda s: None,
                    breaker=NO_BREAKER) as gw:
        for n in range(30):
            reference = f"CG-HOSTILE-{n:03d}"
            for _ in range(20):
                try:
                    label = gw.ship(sf_g.ship_request(reference=reference))
                except cg.OutcomeUnknown as err:
                    references_unknown.append(err.reference)
                    unknown += 1
                    continue
                except cg.CarrierUnavailable:  # the label download (a read) lost on every retry
                    continue
                waybills.setdefault(reference, set()).add(label.tracking_number)
                break
    emulator: Any = transport.emulators["sf_express"]
    assert len(waybills) == 30
    assert all(len(found) == 1 for found in waybills.values())
    assert sorted(emulator.orders) == sorted(waybills)  # exactly one order per reference
    assert len({o.waybill for o in emulator.orders.values()}) == 30
    assert unknown > 0  # the faults really fired
    assert set(references_unknown) <= set(waybills)  # each OutcomeUnknown named its own reference


# -- a 429 storm never exceeds the deadline ----------------------------------------------------------

STORM = CarrierFaults(rate_limited=RateLimitRule(probability=1.0, retry_after=2, paths=["/api/"]))


@pytest.mark.parametrize("deadline", [1.0, 5.0, 9.5, 30.0])
def test_429_storm_gives_up_within_the_deadline(deadline: float) -> None:
    config, transport = sandbox("ups", STORM)
    clock = SimulatedTime()
    start = clock.now
    policy = RetryPolicy(max_attempts=1000, jitter=None)
    with cg.Gateway(config, transport=transport, clock=clock, sleep=clock.sleep, retry_policy=policy) as gw, \
            pytest.raises((cg.RateLimited, cg.DeadlineExceeded)) as info:
        gw.track("1ZSBX1230300000001", carrier="ups", deadline=deadline)
    assert clock.now - start <= deadline
    attempts = 1 + len(clock.sleeps)
    assert attempts <= deadline / 2 + 1  # Retry-After: 2 is honoured, so at most one attempt per 2 s
    assert all(s >= 2 for s in clock.sleeps)
    assert isinstance(info.value, cg.RateLimited)
    assert info.value.http_status == 429


def test_429_storm_async_rate_fan_out_returns_by_the_deadline() -> None:
    config, transport = sandbox("ups", STORM)
    clock = SimulatedTime()
    start = clock.now

    async def main() -> cg.RateResult:
        async with cg.AsyncGateway(config, transport=transport, clock=clock, sleep=clock.asleep,
                                   retry_policy=RetryPolicy(max_attempts=1000, jitter=None)) as gw:
            return await gw.rate(ups_g.domestic_us(), carriers=["ups"], deadline=7.0)

    result = asyncio.run(main())
    assert result.quotes == []
    assert isinstance(result.errors["ups"], cg.RateLimited | cg.DeadlineExceeded)
    assert clock.now - start <= 7.0
    assert len(clock.sleeps) <= 3


# -- the breaker opens and recovers -------------------------------------------------------------------

def test_breaker_opens_after_consecutive_5xx_and_recovers_after_the_cooldown() -> None:
    down = CarrierFaults(server_error=ServerErrorRule(first=3, status=500, paths=["/api/track/"]))
    config, transport = sandbox("ups", down)
    clock = SimulatedTime()
    settings = BreakerSettings(failure_threshold=3, cooldown=30.0)

    def tracks() -> int:
        return len(sent(transport, "ups", "/api/track/"))

    with cg.Gateway(config, transport=transport, clock=clock, sleep=clock.sleep, breaker=settings,
                    retry_policy=RetryPolicy(max_attempts=1)) as gw:
        for _ in range(3):
            with pytest.raises(cg.CarrierUnavailable) as info:
                gw.track("1ZSBX1230300000001", carrier="ups")
            assert info.value.http_status == 500
        # 5xx faults never reach the emulator: count attempts through the injector instead
        assert transport.injector._counts[("ups", "server_error")] == 3
        for _ in range(5):  # open: fail fast, nothing sent
            with pytest.raises(cg.CarrierUnavailable) as info:
                gw.track("1ZSBX1230300000001", carrier="ups")
            assert info.value.code == "breaker_open"
        assert transport.injector._counts[("ups", "server_error")] == 3
        assert tracks() == 0
        clock.now += 29.0
        with pytest.raises(cg.CarrierUnavailable, match="breaker"):
            gw.track("1ZSBX1230300000001", carrier="ups")
        clock.now += 1.0  # cool-down over: one probe goes through, the carrier is back
        with pytest.raises(cg.NotFound):
            gw.track("1ZSBX1230300000001", carrier="ups")
        assert tracks() == 1
        for _ in range(3):  # closed again: every call is sent
            with pytest.raises(cg.NotFound):
                gw.track("1ZSBX1230300000001", carrier="ups")
        assert tracks() == 4
        # writes have their own breaker: never opened by failing reads
        label = gw.ship(ups_g.shipment(ups_g.domestic_us(), reference="AFTER-STORM"))
        assert label.tracking_number.startswith("1Z")


def test_a_failed_probe_reopens_the_breaker_for_another_cooldown() -> None:
    down = CarrierFaults(server_error=ServerErrorRule(first=3, status=502, paths=["/api/track/"]))
    config, transport = sandbox("ups", down)
    clock = SimulatedTime()
    with cg.Gateway(config, transport=transport, clock=clock, sleep=clock.sleep,
                    breaker=BreakerSettings(failure_threshold=2, cooldown=10.0),
                    retry_policy=RetryPolicy(max_attempts=1)) as gw:
        for _ in range(2):
            with pytest.raises(cg.CarrierUnavailable):
                gw.track("1ZSBX1230300000001", carrier="ups")
        clock.now += 10.0
        with pytest.raises(cg.CarrierUnavailable) as probe:  # the probe meets the third 502
            gw.track("1ZSBX1230300000001", carrier="ups")
        assert probe.value.http_status == 502
        with pytest.raises(cg.CarrierUnavailable) as fast:
            gw.track("1ZSBX1230300000001", carrier="ups")
        assert fast.value.code == "breaker_open"
        clock.now += 10.0
        with pytest.raises(cg.NotFound):  # recovered
            gw.track("1ZSBX1230300000001", carrier="ups")
    body = json.loads(sent(transport, "ups", "/api/track/")[0].content or b"{}")
    assert body == {}  # GET: the one request that reached the carrier carried no body
