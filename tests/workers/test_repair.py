"""The safety net: a number whose chain lost its job (a sweep that aborted a live job, say) is given
its job back by one worker, and a number whose chain is alive, or which is done, is left alone."""

from __future__ import annotations

import asyncio

import carriergate as cg
from carriergate.workers import AsyncTrackingQueue, QueueSettings, WorkerSettings
from carriergate.workers.jobs import job_key, open_queue
from carriergate.workers.outcomes import NumberRecord
from carriergate.workers.records import RecordStore
from carriergate.workers.repair import repair, repair_if_due

from support.redis_server import RedisServer
from support.tracking_queue import instant_policy, running_worker, wait_for

SETTINGS = QueueSettings(repair_every=1)


def lost(url: str, number: str) -> None:
    """A number the queue follows whose chain has no job: recorded, its job gone."""
    async def scenario() -> None:
        async with AsyncTrackingQueue(url, settings=SETTINGS) as queue:
            assert await queue.enqueue([number], carrier="kuaidi100") == 1
            saq = open_queue(url, SETTINGS)
            await saq.connect()
            try:
                job = await saq.job(job_key("kuaidi100", number, 0))
                assert job is not None
                await saq.finish(job, job.status.ABORTED, error="lost")  # what the race leaves behind
            finally:
                await saq.disconnect()
    asyncio.run(scenario())


def test_only_a_chain_without_a_job_is_given_one(redis_server: RedisServer) -> None:
    redis_server.flush()
    url = redis_server.url
    lost(url, "YT7700000000091")

    async def scenario() -> tuple[list[str], list[str]]:
        async with AsyncTrackingQueue(url, settings=SETTINGS) as queue:
            await queue.enqueue(["YT7700000000092"], carrier="kuaidi100")  # alive: its job is queued
            saq = open_queue(url, SETTINGS)
            await saq.connect()
            try:
                records = RecordStore(saq.redis, SETTINGS.name)
                await records.add("kuaidi100", ["YT7700000000093"])  # done: delivered, no job expected
                await records.advance("kuaidi100", "YT7700000000093", NumberRecord(generation=4, state="delivered"))
                first = await repair(saq, records, SETTINGS)
                again = await repair(saq, records, SETTINGS)  # its job is queued now: nothing to do
                return first, again
            finally:
                await saq.disconnect()

    first, again = asyncio.run(scenario())
    assert first == ["kuaidi100:YT7700000000091"]
    assert again == []


def test_one_worker_a_period_repairs(redis_server: RedisServer) -> None:
    redis_server.flush()
    url = redis_server.url
    period = QueueSettings(repair_every=600)  # the lock outlives the test: only unlock() ends the period

    async def due() -> list[str]:
        saq = open_queue(url, period)
        await saq.connect()
        try:
            return await repair_if_due(saq, RecordStore(saq.redis, period.name), period)
        finally:
            await saq.disconnect()

    async def unlock() -> None:
        saq = open_queue(url, period)
        await saq.connect()
        try:
            await saq.redis.delete(f"{RecordStore(saq.redis, period.name).numbers_key}:repair-lock")
        finally:
            await saq.disconnect()

    lost(url, "YT7700000000095")
    assert asyncio.run(due()) == ["kuaidi100:YT7700000000095"]
    lost(url, "YT7700000000096")
    assert asyncio.run(due()) == []  # this period's scan was taken (by "another worker")
    asyncio.run(unlock())  # the period is over
    assert asyncio.run(due()) == ["kuaidi100:YT7700000000096"]


def test_a_worker_finishes_a_number_whose_job_was_lost(redis_server: RedisServer) -> None:
    redis_server.flush()
    url = redis_server.url
    lost(url, "YT7700000000094")

    async def scenario() -> dict[str, int]:
        settings = WorkerSettings(policy=instant_policy(), linger=0.01, queue=SETTINGS)
        async with cg.AsyncGateway.sandbox(["kuaidi100"]) as gateway, \
                AsyncTrackingQueue(url, settings=SETTINGS) as queue, running_worker(gateway, url, settings=settings):
            return dict((await wait_for(queue, lambda p: p.done == 1)).counts)

    counts = asyncio.run(scenario())
    assert counts["delivered"] == 1
    assert counts["pending"] == 0
