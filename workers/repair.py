"""Chains that lost their job are given one back: the queue's safety net under saq's own recovery.

A number is followed by a chain of jobs (:mod:`.jobs`); its record says which generation runs next.
saq takes back the jobs of a dead worker (heartbeat and sweep), but a sweep can also catch a *live*
job whose heartbeat came late on a loaded machine, abort it and retry it while the worker running
it finishes it as aborted: the chain then has no job and the number would never be tracked again
(seen in tests/workers/test_recovery.py under CPU load). So every ``repair_every`` seconds one
worker (a Redis lock: one scan a period for all of them) reads every unfinished record and, where
neither the job of its generation nor the next one is waiting or running, enqueues the job of its
generation again (saq's own ``incomplete`` set says which jobs will still run). A job re-run that way
is harmless: it tracks the number once more, saq refuses a
second next job under the same key, and the record keeps the newest generation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from saq.queue.redis import RedisQueue

from carriergate.workers.jobs import QueueSettings, job_key, tracking_job
from carriergate.workers.outcomes import NumberRecord
from carriergate.workers.records import RecordStore

logger = logging.getLogger("carriergate.workers")

#: Records read per HSCAN step.
SCAN_COUNT = 500


async def repair(queue: RedisQueue, records: RecordStore, settings: QueueSettings) -> list[str]:
    """Enqueue again the job of every unfinished number whose chain has none; the ``account:number``
    fields repaired."""
    repaired: list[str] = []
    cursor = 0
    while True:
        cursor, chunk = await records.redis.hscan(records.numbers_key, cursor, count=SCAN_COUNT)
        unfinished: list[tuple[str, str, NumberRecord]] = []
        for raw_field, raw in (chunk.items() if isinstance(chunk, dict) else ()):  # HSCAN answers a mapping
            name = raw_field.decode() if isinstance(raw_field, bytes) else str(raw_field)
            record = NumberRecord.loads(raw)
            if not record.final:
                account, _, number = name.partition(":")
                unfinished.append((account, number, record))
        repaired += await _repair_chunk(queue, settings, unfinished)
        if not cursor:
            return repaired


async def _repair_chunk(queue: RedisQueue, settings: QueueSettings,
                        unfinished: Sequence[tuple[str, str, NumberRecord]]) -> list[str]:
    if not unfinished:
        return []
    # A job will still run, or is running, exactly while saq keeps it in its ``incomplete`` set (a job's
    # stored status can say queued or active after a sweep's race has taken it out of every list).
    incomplete = queue.namespace("incomplete")
    async with queue.redis.pipeline(transaction=False) as pipe:
        for account, number, record in unfinished:
            for generation in (record.generation, record.generation + 1):
                pipe.zscore(incomplete, queue.job_id(job_key(account, number, generation)))
        scores = await pipe.execute()
    repaired = []
    for i, (account, number, record) in enumerate(unfinished):
        if scores[2 * i] is not None or scores[2 * i + 1] is not None:
            continue
        if await queue.enqueue(tracking_job(settings, account, number, record.generation)) is not None:
            logger.warning("tracking %s %s had no job (generation %d): enqueued again", account, number,
                           record.generation)
            repaired.append(f"{account}:{number}")
    return repaired


async def repair_if_due(queue: RedisQueue, records: RecordStore, settings: QueueSettings) -> list[str]:
    """:func:`repair`, by whichever worker takes this period's lock first (the others skip it)."""
    lock = f"{records.numbers_key}:repair-lock"
    if not await records.redis.set(lock, "1", nx=True, ex=settings.repair_every):
        return []
    return await repair(queue, records, settings)


__all__ = ["repair", "repair_if_due"]
