"""The worker end to end on the test's event loop: a private Redis, the in-process sandbox, real saq.

Parcels walk their sandbox journey (one scan per query) under a policy that refreshes at once; the
tests that check *when* a refresh is scheduled use a manual clock and read the scheduled job in Redis.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any

import pytest

import carriergate as cg
from carriergate.sandbox.faults import CarrierFaults, Faults, RateLimitRule, ServerErrorRule
from carriergate.sandbox.registry import sandbox_gateway_kwargs
from carriergate.workers import AsyncTrackingQueue, RefreshPolicy, WorkerSettings
from carriergate.workers.jobs import job_key

from support.redis_server import RedisServer
from support.sandbox_samples import ship_request
from support.timing import ManualClock, no_asleep
from support.tracking_queue import instant_policy, running_worker, wait_for

TRACK_PATH = "/track/v1/trackingnumbers"


@pytest.fixture
def url(redis_server: RedisServer) -> str:
    redis_server.flush()
    return redis_server.url


def sandbox(carriers: list[str], faults: Faults | None = None) -> tuple[cg.AsyncGateway, Any]:
    setup = sandbox_gateway_kwargs(carriers, faults)
    return cg.AsyncGateway(setup["config"], transport=setup["transport"], sleep=no_asleep), setup["transport"]


def fedex_batches(transport: Any) -> list[int]:
    """How many numbers each FedEx track request carried."""
    return [len(json.loads(r.content)["trackingInfo"]) for r in transport.emulators["fedex"].requests
            if r.url.path.endswith(TRACK_PATH)]


def test_numbers_are_tracked_in_carrier_batches_until_delivered_and_each_result_reaches_the_hook(url: str) -> None:
    seen: list[cg.TrackingInfo] = []

    async def scenario() -> tuple[list[str], dict[str, int], list[int]]:
        gateway, transport = sandbox(["fedex", "kuaidi100"])
        async with gateway:
            labels = [await gateway.ship(ship_request("fedex")) for _ in range(35)]
            numbers = [label.tracking_number for label in labels]
            transport.emulators["fedex"].requests.clear()
            settings = WorkerSettings(policy=instant_policy(), linger=0.2)
            async with AsyncTrackingQueue(url) as queue, running_worker(gateway, url, settings=settings,
                                                                        hook=seen.append):
                assert await queue.enqueue(numbers, carrier="fedex") == 35
                assert await queue.enqueue(["YT7700000000011", "YT7700000000012"], carrier="kuaidi100") == 2
                progress = await wait_for(queue, lambda p: p.done == 37)
        return numbers, dict(progress.counts), fedex_batches(transport)

    numbers, counts, batches = asyncio.run(scenario())
    assert counts["delivered"] == 37
    assert sum(counts.values()) == 37
    # Several numbers a call, never more than FedEx takes (that full batches leave at once is
    # test_batching's: here how full they get depends on how fast jobs come off the queue).
    assert max(batches) > 1
    assert all(size <= 30 for size in batches)
    assert sum(batches) >= 35 * 6 > len(batches) * 2  # six scans each, in far fewer calls
    by_number: dict[str, list[str]] = {}
    for info in seen:
        by_number.setdefault(info.tracking_number, []).append(info.status.value)
    assert set(by_number) == {*numbers, "YT7700000000011", "YT7700000000012"}
    for statuses in by_number.values():  # refreshed along the journey, then no more after delivery
        assert statuses[-1] == "delivered"
        assert statuses.count("delivered") == 1
        assert len(statuses) > 2


def test_a_hook_that_raises_is_logged_and_loses_no_number(url: str, caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []

    async def broken_hook(info: cg.TrackingInfo) -> None:
        calls.append(info.tracking_number)
        raise RuntimeError("the shop's database is down")

    async def scenario() -> dict[str, int]:
        gateway, _ = sandbox(["kuaidi100"])
        async with gateway, AsyncTrackingQueue(url) as queue, running_worker(gateway, url, hook=broken_hook):
            await queue.enqueue(["YT7700000000021", "YT7700000000022"], carrier="kuaidi100")
            return dict((await wait_for(queue, lambda p: p.done == 2)).counts)

    with caplog.at_level(logging.ERROR, logger="carriergate.workers"):
        counts = asyncio.run(scenario())
    assert counts["delivered"] == 2
    failures = [r for r in caplog.records if "tracking hook failed" in r.getMessage()]
    assert len(failures) == len(calls) > 2
    assert "YT7700000000021" in failures[0].getMessage() or "YT7700000000022" in failures[0].getMessage()


def test_the_next_refresh_is_scheduled_by_status_with_jitter(url: str) -> None:
    clock = ManualClock(time.time())
    policy = RefreshPolicy(jitter=0.2)  # the defaults: hours apart

    async def scenario() -> tuple[str, Any, Any]:
        gateway, _ = sandbox(["fedex"])
        async with gateway:
            number = (await gateway.ship(ship_request("fedex"))).tracking_number
            settings = WorkerSettings(policy=policy, linger=0.0)
            async with AsyncTrackingQueue(url) as queue, running_worker(gateway, url, settings=settings, clock=clock,
                                                                        rng=lambda: 0.75):
                await queue.enqueue([number], carrier="fedex")
                progress = await wait_for(queue, lambda p: p.pending == 0)
                state = next(s for s, n in progress.counts.items() if n)
                return state, await queue.queue.job(job_key("fedex", number, 1)), await queue.records.record(
                    "fedex", number)

    state, job, record = asyncio.run(scenario())
    delay = getattr(policy, state) * 1.1  # rng 0.75 with jitter 0.2: a factor of 1.1
    assert state in ("pre_transit", "in_transit")
    assert job is not None
    assert job.status.value == "queued"
    assert job.scheduled == int(clock.now + delay)
    assert (record.generation, record.state) == (1, state)


def test_a_number_the_carrier_never_knew_is_given_up_after_long_enough(url: str) -> None:
    clock = ManualClock(time.time())
    policy = instant_policy(give_up_not_found_after=3 * 86400.0)

    async def scenario() -> tuple[dict[str, int], Any]:
        gateway, _ = sandbox(["fedex"])
        settings = WorkerSettings(policy=policy, linger=0.0)
        async with gateway, AsyncTrackingQueue(url) as queue, running_worker(gateway, url, settings=settings,
                                                                             clock=clock):
            await queue.enqueue(["794699999999"], carrier="fedex")
            await wait_for(queue, lambda p: p.counts["not_found"] == 1)
            clock.now += 3 * 86400.0
            progress = await wait_for(queue, lambda p: p.done == 1)
            return dict(progress.counts), await queue.records.record("fedex", "794699999999")

    counts, record = asyncio.run(scenario())
    assert (counts["given_up"], counts["not_found"], counts["pending"]) == (1, 0, 0)
    assert record.state == "given_up"
    assert record.not_found_since is not None


def test_a_carrier_that_is_down_is_asked_again_after_a_backoff(url: str) -> None:
    clock = ManualClock(time.time())
    faults = Faults(carriers={"kuaidi100": CarrierFaults(server_error=ServerErrorRule(first=1000))})
    policy = instant_policy(retry_base=120.0)

    async def scenario() -> tuple[Any, Any]:
        gateway, _ = sandbox(["kuaidi100"], faults)
        settings = WorkerSettings(policy=policy, linger=0.0)
        async with gateway, AsyncTrackingQueue(url) as queue, running_worker(gateway, url, settings=settings,
                                                                             clock=clock):
            await queue.enqueue(["YT7700000000031"], carrier="kuaidi100")
            await wait_for(queue, lambda p: p.counts["retrying"] == 1)
            return (await queue.records.record("kuaidi100", "YT7700000000031"),
                    await queue.queue.job(job_key("kuaidi100", "YT7700000000031", 1)))

    record, job = asyncio.run(scenario())
    assert (record.state, record.failures, record.code) == ("retrying", 1, "503")
    assert job.scheduled == int(clock.now + 120.0)


def test_a_rate_limited_number_waits_at_least_the_carriers_retry_after(url: str) -> None:
    clock = ManualClock(time.time())
    faults = Faults(carriers={"kuaidi100": CarrierFaults(rate_limited=RateLimitRule(first=1000, retry_after=45))})

    async def scenario() -> Any:
        gateway, _ = sandbox(["kuaidi100"], faults)
        settings = WorkerSettings(policy=instant_policy(), linger=0.0, deadline=5.0)
        async with gateway, AsyncTrackingQueue(url) as queue, running_worker(gateway, url, settings=settings,
                                                                             clock=clock):
            await queue.enqueue(["YT7700000000041"], carrier="kuaidi100")
            await wait_for(queue, lambda p: p.counts["retrying"] == 1)
            return await queue.queue.job(job_key("kuaidi100", "YT7700000000041", 1))

    job = asyncio.run(scenario())
    assert job.scheduled >= int(clock.now + 45.0)  # the carrier's Retry-After (the policy alone: at once)


def test_an_account_the_worker_does_not_have_fails_its_numbers_and_nothing_else(url: str) -> None:
    async def scenario() -> dict[str, int]:
        gateway, _ = sandbox(["kuaidi100"])
        async with gateway, AsyncTrackingQueue(url) as queue, running_worker(gateway, url):
            await queue.enqueue(["794600000001"], carrier="fedex-typo")
            await queue.enqueue(["YT7700000000051"], carrier="kuaidi100")
            return dict((await wait_for(queue, lambda p: p.done == 2)).counts)

    counts = asyncio.run(scenario())
    assert (counts["failed"], counts["delivered"]) == (1, 1)
