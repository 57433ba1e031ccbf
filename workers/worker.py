"""The tracking worker: a saq worker whose task tracks one number once and schedules its next refresh.

One job per number and refresh keeps every number's fate in saq's hands: a job lives in Redis until
it finishes, a running job beats (``job.update()`` every third of its heartbeat), and every worker's
sweep takes back the jobs of a worker that stopped beating (killed, out of memory, its machine gone)
and queues them again. So a restart loses nothing; at worst a refresh is made twice.

The carrier sees batches, not jobs: the jobs of one account meet in its :class:`Batcher`, which makes
one ``AsyncGateway.track_many`` call per batch of the carrier's size.

Each job: read the number's record (a newer generation there means this job is a stale re-run: do
nothing); track; hand a TrackingInfo to the hook; decide the next state and delay (:func:`decide`);
enqueue the next job, scheduled, then store the record. In that order a crash anywhere leaves the
number with a job: the re-run finds the next job's key taken and the record not yet advanced.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from saq import Job, Worker
from saq.types import Context

from carriergate.core.contract import tracking_number
from carriergate.core.errors import CarrierError, FieldError, ValidationError
from carriergate.core.tracking import TrackingInfo, TrackingResult
from carriergate.gateway.gateways import AsyncGateway
from carriergate.workers.batching import Batcher, Pacer
from carriergate.workers.connection import redacted, resolve_redis_url
from carriergate.workers.hooks import Hook, deliver, load_hook
from carriergate.workers.jobs import TASK, QueueSettings, open_queue, tracking_job
from carriergate.workers.outcomes import FAILED, GIVEN_UP, NumberRecord, Outcome, decide
from carriergate.workers.policy import Random, RefreshPolicy
from carriergate.workers.records import RecordStore
from carriergate.workers.repair import repair_if_due

logger = logging.getLogger("carriergate.workers")
STALE = "stale"


@dataclass(frozen=True)
class WorkerSettings:
    """``concurrency``: jobs one worker runs at once (at least the largest batch, so batches fill);
    ``deadline``: seconds one batch call may take; ``linger``: seconds a batch waits to fill;
    ``calls_per_second``: this process's ceiling per account (None: none; the shared per-account
    quota of the Redis stores, when configured, bounds all processes together)."""

    concurrency: int = 64
    policy: RefreshPolicy = field(default_factory=RefreshPolicy)
    queue: QueueSettings = field(default_factory=QueueSettings)
    deadline: float = 30.0
    linger: float = 0.05
    calls_per_second: float | None = None

    def __post_init__(self) -> None:
        if self.concurrency < 1:
            raise ValidationError(FieldError("concurrency", "must be 1 or more"))
        if not self.deadline > 0:
            raise ValidationError(FieldError("deadline", "must be greater than zero seconds"))
        if self.linger < 0:
            raise ValidationError(FieldError("linger", "must be zero or more seconds"))


class TrackingWorker:
    """Tracks the numbers of the queue at ``redis_url`` through ``gateway``; results go to ``hook``
    (a callable or ``"module:function"``). ``clock`` (epoch seconds) and ``rng`` decide schedules."""

    def __init__(self, gateway: AsyncGateway, redis_url: str | None = None, *,
                 settings: WorkerSettings | None = None, hook: Hook | str | None = None,
                 clock: Callable[[], float] = time.time, rng: Random = random.random) -> None:
        self.gateway = gateway
        self.redis_url = resolve_redis_url(redis_url)
        self.settings = settings or WorkerSettings()
        self.hook = load_hook(hook) if isinstance(hook, str) else hook
        self._clock = clock
        self._rng = rng
        self.queue = open_queue(self.redis_url, self.settings.queue, blocking=True,
                                concurrency=self.settings.concurrency)
        self.records = RecordStore(self.queue.redis, self.settings.queue.name)
        self._batchers: dict[str, Batcher] = {}
        q = self.settings.queue
        self.saq: Worker[Context] = Worker(self.queue, functions=[(TASK, self._task)],
                                           concurrency=self.settings.concurrency,
                                           timers={"sweep": q.sweep_every, "schedule": 1, "abort": 1,
                                                   "worker_info": 10})

    def __repr__(self) -> str:
        return f"<TrackingWorker {self.settings.queue.name!r} on {redacted(self.redis_url)}>"

    async def run(self) -> None:
        """Work until SIGINT/SIGTERM (or :meth:`stop`). Jobs still running are handed back to the
        queue (saq retries a cancelled job), so stopping loses nothing."""
        await self.queue.connect()
        repairs = asyncio.create_task(self._repairs())
        try:
            await self.saq.start()
        finally:
            repairs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await repairs
            for batcher in self._batchers.values():
                await batcher.aclose()
            await self.queue.disconnect()

    async def stop(self) -> None:
        await self.saq.stop()

    async def _repairs(self) -> None:
        """Every ``repair_every`` seconds, the safety net of :mod:`.repair` (one worker a period)."""
        every = self.settings.queue.repair_every
        while True:
            await asyncio.sleep(every)
            try:
                await repair_if_due(self.queue, self.records, self.settings.queue)
            except Exception as exc:  # Redis away for a moment: the next period tries again
                logger.warning("tracking repair failed (%s); trying again in %ss", type(exc).__name__, every)

    async def _task(self, ctx: Context, *, account: str, number: str, generation: int) -> str:
        job = ctx.get("job")
        beat = asyncio.create_task(self._heartbeat(job)) if job is not None and job.heartbeat else None
        try:
            return await self.refresh(account, number, generation)
        finally:
            if beat is not None:
                beat.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await beat

    async def _heartbeat(self, job: Job) -> None:
        every = max(0.1, job.heartbeat / 3)
        while True:
            await asyncio.sleep(every)
            try:
                await job.update()
            except Exception as exc:  # Redis away for a moment: the next beat may get through
                logger.warning("tracking job heartbeat failed (%s); retrying", type(exc).__name__)

    async def refresh(self, account: str, number: str, generation: int) -> str:
        """Job ``generation`` of ``number``'s chain: track it once, hand the result on, schedule the
        next refresh. Returns the number's new state (``"stale"``: a newer job has taken over)."""
        record = await self.records.record(account, number)
        if record is not None and record.generation > generation:
            return STALE
        current = record or NumberRecord(generation=generation)
        outcome = await self._outcome(account, number)
        now = self._clock()
        decision = decide(current, outcome, now=now, policy=self.settings.policy, rng=self._rng)
        if isinstance(outcome, TrackingInfo):
            await deliver(self.hook, outcome)
        following = generation + 1
        if decision.delay is not None:
            scheduled = now + decision.delay if decision.delay >= 1 else 0.0
            await self.queue.enqueue(tracking_job(self.settings.queue, account, number, following,
                                                  scheduled=scheduled))
        state = decision.record.state
        if state in (FAILED, GIVEN_UP):
            logger.warning("tracking %s %s stopped: %s (%s)", account, number, state, decision.record.code)
        await self.records.advance(account, number, replace(decision.record, generation=following))
        return state

    async def _outcome(self, account: str, number: str) -> Outcome:
        try:
            checked = tracking_number(number)
            batcher = self._batcher(account)
        except CarrierError as error:  # not a number, or an account this worker does not have
            return error
        return await batcher.track(checked)

    def _batcher(self, account: str) -> Batcher:
        batcher = self._batchers.get(account)
        if batcher is None:
            size = self.gateway.carrier(account).carrier.track_batch  # ConfigurationError if unknown

            async def track_many(numbers: Sequence[str]) -> TrackingResult:
                return await self.gateway.track_many(numbers, carrier=account, deadline=self.settings.deadline)

            batcher = self._batchers[account] = Batcher(track_many, size=size, linger=self.settings.linger,
                                                        pacer=Pacer(self.settings.calls_per_second))
        return batcher


__all__ = ["STALE", "TrackingWorker", "WorkerSettings"]
