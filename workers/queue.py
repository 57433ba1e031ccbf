"""The API to enqueue tracking numbers and read progress: :class:`AsyncTrackingQueue` and its
synchronous twin :class:`TrackingQueue`.

An enqueue is deduplicated by (account, number): a number the queue already follows, in whatever
state, is left alone, so enqueuing the day's labels again (or twice from two web workers) costs
nothing. The first job of each new number is put on the queue *before* its record is written: a crash
between the two leaves a job with no record (the job makes one), never a record with no job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

from redis.asyncio import Redis

from carriergate.core.contract import tracking_number
from carriergate.workers.connection import redacted, resolve_redis_url
from carriergate.workers.jobs import QueueSettings, account_name, open_queue, tracking_job
from carriergate.workers.outcomes import FINAL_STATES, PENDING
from carriergate.workers.records import RecordStore

#: saq's own limit on concurrent Redis operations per queue object (enqueues run at most this many at once).
ENQUEUE_CONCURRENCY = 20


@dataclass(frozen=True)
class Progress:
    """How many numbers are in each state (see :mod:`carriergate.workers.outcomes`), and the queue's
    jobs: ``queued`` (due, waiting for a worker), ``active`` (running), ``scheduled`` (refreshes not
    due yet); ``workers``: live worker processes."""

    counts: Mapping[str, int]
    queued: int = 0
    active: int = 0
    scheduled: int = 0
    workers: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        """Numbers that will not be refreshed again (delivered, returned, cancelled, given up, failed)."""
        return sum(n for state, n in self.counts.items() if state in FINAL_STATES)

    @property
    def pending(self) -> int:
        return self.counts.get(PENDING, 0)

    def as_dict(self) -> dict[str, Any]:
        return {"counts": dict(self.counts), "total": self.total, "done": self.done, "queued": self.queued,
                "active": self.active, "scheduled": self.scheduled, "workers": self.workers}


def checked_numbers(numbers: Iterable[str]) -> list[str]:
    """``numbers`` stripped, each once, in order; a bad one is a ValidationError naming ``numbers[i]``."""
    if isinstance(numbers, str):
        numbers = [numbers]
    checked = [tracking_number(n, field=f"numbers[{i}]") for i, n in enumerate(numbers)]
    return list(dict.fromkeys(checked))


class AsyncTrackingQueue:
    """Numbers to track, on the saq queue at ``redis_url`` (default: the configured one, see
    :func:`~carriergate.workers.connection.resolve_redis_url`). Use on one event loop; ``aclose``
    (or ``async with``) releases its connections."""

    def __init__(self, redis_url: str | None = None, *, settings: QueueSettings | None = None) -> None:
        self.redis_url = resolve_redis_url(redis_url)
        self.settings = settings or QueueSettings()
        self.queue = open_queue(self.redis_url, self.settings)
        self.redis: Redis = self.queue.redis
        self.records = RecordStore(self.redis, self.settings.name)
        self._connected = False

    def __repr__(self) -> str:
        return f"<AsyncTrackingQueue {self.settings.name!r} on {redacted(self.redis_url)}>"

    async def _connect(self) -> None:
        if not self._connected:
            await self.queue.connect()
            self._connected = True

    async def enqueue(self, numbers: Iterable[str], *, carrier: str) -> int:
        """Follow ``numbers`` of account ``carrier`` until each is done; how many were new. Every
        number is checked first: a bad one is a ValidationError naming it, and nothing is enqueued."""
        account = account_name(carrier)
        wanted = checked_numbers(numbers)
        await self._connect()
        known = await self.records.known(account, wanted)
        fresh = [n for n, seen in zip(wanted, known, strict=True) if not seen]
        gate = asyncio.Semaphore(ENQUEUE_CONCURRENCY)

        async def put(number: str) -> None:
            async with gate:
                await self.queue.enqueue(tracking_job(self.settings, account, number, 0))

        await asyncio.gather(*(put(n) for n in fresh))
        return await self.records.add(account, fresh)

    async def progress(self) -> Progress:
        """The counts per state and the queue's jobs, as Redis holds them now."""
        await self._connect()
        info = await self.queue.info()
        return Progress(await self.records.counts(), queued=info["queued"], active=info["active"],
                        # saq derives "scheduled" by subtraction: a job finishing meanwhile can make it negative
                        scheduled=max(0, info["scheduled"]), workers=len(info["workers"]))

    async def aclose(self) -> None:
        await self.queue.disconnect()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


class TrackingQueue:
    """The synchronous twin of :class:`AsyncTrackingQueue`, for scripts, web workers and the command
    line: each call opens its connections, does its work on a private event loop and closes them
    (inside a running event loop, use the async queue)."""

    def __init__(self, redis_url: str | None = None, *, settings: QueueSettings | None = None) -> None:
        self.redis_url = resolve_redis_url(redis_url)
        self.settings = settings or QueueSettings()

    def __repr__(self) -> str:
        return f"<TrackingQueue {self.settings.name!r} on {redacted(self.redis_url)}>"

    def _async(self) -> AsyncTrackingQueue:
        return AsyncTrackingQueue(self.redis_url, settings=self.settings)

    def enqueue(self, numbers: Iterable[str], *, carrier: str) -> int:
        """:meth:`AsyncTrackingQueue.enqueue`, blocking."""
        wanted = checked_numbers(numbers)  # refused before any connection is made
        account = account_name(carrier)

        async def run() -> int:
            async with self._async() as queue:
                return await queue.enqueue(wanted, carrier=account)

        return asyncio.run(run())

    def progress(self) -> Progress:
        """:meth:`AsyncTrackingQueue.progress`, blocking."""
        async def run() -> Progress:
            async with self._async() as queue:
                return await queue.progress()

        return asyncio.run(run())


__all__ = ["AsyncTrackingQueue", "Progress", "TrackingQueue", "checked_numbers"]
