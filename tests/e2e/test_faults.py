"""Fault injection end to end, through the gateways and the real emulators (in-process transport).

tests/sandbox/test_faults.py covers the faults themselves at the transport; here the gateway meets
them: a hung carrier while rate shopping, a 429 storm, and a label whose answer is lost.

Nothing here waits for real: the transport and the gateway share a :class:`SimulatedTime`, so a hang
"lasts" its read timeout and a backoff its delay on the clock of the flow that waited, instead of on
the wall. Deadlines are generous (the real bound on the carriers that do answer, DHL's cold zeep load
included); assertions are on outcomes and simulated waits, not on wall-clock time.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

import carriergate as cg
from carriergate.sandbox.faults import (
    CarrierFaults,
    FaultRule,
    Faults,
    FaultySandboxTransport,
    LostResponseRule,
    RateLimitRule,
    SimulatedTime,
)
from carriergate.sandbox.registry import emulators, sandbox_accounts, sandbox_gateway_kwargs
from carriergate.sandbox.sf_express import SFExpressEmulator

from support.sandbox_samples import ship_request
from support.shipments import international_request
from support.timing import no_asleep, no_sleep

DEADLINE = 30.0  # seconds: real time only bounds the carriers that answer; the hang itself is simulated
HANG_GUARD = 20.0  # seconds: a generous bound proving the hang was not really waited out (< DEADLINE)
SHOPPERS = ["ups", "fedex", "dhl_express", "table"]
#: carrier -> the path prefix (below the carrier) of its label request
SHIP_PATHS = {"ups": "/api/shipments", "fedex": "/ship/v1/shipments", "dhl_express": "/expressRateBook",
              "sf_express": "/"}


def shop(mode: str, faults: Faults, sim: SimulatedTime) -> tuple[cg.RateResult, float]:
    """One rate-shopping run across SHOPPERS with every wait (fault hangs, backoff) simulated by ``sim``.

    The faulted carrier is asked last: the sync gateway's pool hands queued work to whichever thread
    is free, and a thread that simulated a wait keeps its advanced clock, so nothing may be queued
    behind the carrier that waits (FIFO: asked last, it is dequeued last)."""
    faulted = set(faults.carriers)
    order = [c for c in SHOPPERS if c not in faulted] + [c for c in SHOPPERS if c in faulted]
    transport = FaultySandboxTransport(emulators(SHOPPERS), faults, sleep=sim.sleep, async_sleep=sim.asleep)
    config = sandbox_accounts(SHOPPERS)
    started = time.monotonic()
    if mode == "sync":
        with cg.Gateway(config, transport=transport, clock=sim.clock, sleep=sim.sleep) as gw:
            result = gw.rate(international_request(), carriers=order, deadline=DEADLINE)
    else:
        async def main() -> cg.RateResult:
            async with cg.AsyncGateway(config, transport=transport, clock=sim.clock, sleep=sim.asleep) as gw:
                return await gw.rate(international_request(), carriers=order, deadline=DEADLINE)

        result = asyncio.run(main())
    return result, time.monotonic() - started


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_hung_carrier_costs_its_deadline_and_the_others_still_quote(mode: str) -> None:
    faults = Faults(carriers={"fedex": CarrierFaults(hang=FaultRule(probability=1.0, paths=["/rate"]))})
    sim = SimulatedTime()
    result, elapsed = shop(mode, faults, sim)
    assert elapsed < HANG_GUARD
    assert list(result.errors) == ["fedex"]
    assert isinstance(result.errors["fedex"], cg.DeadlineExceeded)
    assert result.errors["fedex"].code == "deadline"
    assert {q.carrier for q in result.quotes} == {"ups", "dhl_express", "table"}
    assert not result.complete
    # FedEx alone waited (hangs of its read timeout, backoff between them): in simulated time, its
    # whole deadline and never more.
    assert DEADLINE / 2 < sum(sim.slept) <= DEADLINE


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_429_storm_backs_off_within_the_deadline(mode: str) -> None:
    faults = Faults(carriers={"ups": CarrierFaults(
        rate_limited=RateLimitRule(probability=1.0, retry_after=20, paths=["/api/rating"]))})
    sim = SimulatedTime()
    result, elapsed = shop(mode, faults, sim)
    assert elapsed < HANG_GUARD
    error = result.errors["ups"]
    assert isinstance(error, cg.RateLimited)
    assert error.http_status == 429
    # It honoured Retry-After: 20 once; a second wait of 20 s would cross the 30 s deadline, so it
    # gave up with the last answer instead of sleeping past it.
    assert sim.slept == [20.0]
    assert {q.carrier for q in result.quotes} == {"fedex", "dhl_express", "table"}


def ship_once(mode: str, kwargs: dict[str, Any], request: cg.ShipRequest) -> cg.Label:
    if mode == "sync":
        with cg.Gateway(**kwargs, sleep=no_sleep) as gw:
            return gw.ship(request, deadline=10.0)

    async def main() -> cg.Label:
        async with cg.AsyncGateway(**kwargs, sleep=no_asleep) as gw:
            return await gw.ship(request, deadline=10.0)

    return asyncio.run(main())


def lost_label(carrier: str) -> dict[str, Any]:
    rule = LostResponseRule(first=1, paths=[SHIP_PATHS[carrier]])
    return sandbox_gateway_kwargs([carrier], Faults(carriers={carrier: CarrierFaults(lost_response=rule)}))


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("carrier", ["dhl_express", "fedex", "ups"])
def test_a_lost_label_answer_is_outcome_unknown_with_one_label_made(carrier: str, mode: str) -> None:
    kwargs = lost_label(carrier)
    request = ship_request(carrier)
    with pytest.raises(cg.OutcomeUnknown) as caught:
        ship_once(mode, kwargs, request)
    assert caught.value.reference == request.reference
    assert request.reference in caught.value.message
    assert kwargs["transport"].emulators[carrier].labels_created() == 1  # made once, never blindly again


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_sf_reconciles_a_lost_order_answer_by_its_reference(mode: str) -> None:
    """SF's orderId is our reference: after a lost answer the flow finds the order it made (no
    OutcomeUnknown), and the emulator still holds exactly one."""
    kwargs = lost_label("sf_express")
    request = ship_request("sf_express")
    label = ship_once(mode, kwargs, request)
    emulator = kwargs["transport"].emulators["sf_express"]
    assert emulator.labels_created() == 1
    assert label.reference == request.reference
    assert isinstance(emulator, SFExpressEmulator)
    assert label.tracking_number == emulator.orders[request.reference].waybill
