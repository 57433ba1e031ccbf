"""The saq jobs of bulk tracking: one job per tracking number and refresh, on a saq Redis queue.

A number's refreshes form a chain: job ``{account}:{number}:{g}`` tracks it once and, unless the
number is done, enqueues ``...:{g + 1}`` *scheduled* for its next refresh (saq moves a scheduled job
to the queue when it is due). The key is what makes the chain safe to repeat: saq refuses a second
job under a key that is still incomplete, so a job re-run after a crash cannot fork the chain.

Both sides (whoever enqueues and the workers) build their jobs from one :class:`QueueSettings`,
because a job carries its heartbeat and timeout with it: what the sweep of any worker will use to
decide that the worker running it has died.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from saq import Job
from saq.queue.redis import RedisQueue

from carriergate.core.errors import FieldError, ValidationError

#: The name of the task function every tracking job runs.
TASK = "carriergate.track"
DEFAULT_QUEUE = "carriergate-tracking"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class QueueSettings:
    """How jobs are kept and recovered. ``heartbeat``: seconds a running job may go without a sign of
    life before any worker's sweep takes it back from a dead worker and queues it again (the worker
    beats every third of it); ``sweep_every``: how often each worker looks; ``timeout``: seconds one
    job may run at most; ``retries``: runs of one job (a sweep of a dead worker's job counts one);
    ``repair_every``: the period of the safety net that gives a chain that lost its job a new one."""

    name: str = DEFAULT_QUEUE
    heartbeat: int = 30
    sweep_every: int = 30
    timeout: int = 300
    retries: int = 10
    retry_delay: float = 5.0
    retry_backoff_cap: float = 300.0
    #: Seconds a finished job stays readable in Redis (saq's ``ttl``).
    keep_finished: int = 600
    #: How often (seconds) one of the workers looks for numbers whose chain lost its job (:mod:`.repair`).
    repair_every: int = 300

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValidationError(FieldError("queue", "must be 1-64 letters, digits, '_', '.' or '-'"))
        for name in ("heartbeat", "sweep_every", "timeout", "retries", "repair_every"):
            if getattr(self, name) < 1:
                raise ValidationError(FieldError(name, "must be 1 or more"))


def account_name(value: str) -> str:
    """An account alias as a job and a record key hold it (no ``:``); else a ValidationError on ``carrier``."""
    name = value.strip() if isinstance(value, str) else ""
    if not _NAME.fullmatch(name):
        raise ValidationError(FieldError("carrier", "must name a carrier account: letters, digits, '_', '.' or '-'"))
    return name


def job_key(account: str, number: str, generation: int) -> str:
    return f"{account}:{number}:{generation}"


#: Seconds a sweep waits, per job it takes back, for the job's worker to acknowledge the abort.
#: saq waits 5 s, one job after the other: a dead worker's 100 jobs would be back after 8 minutes.
#: A job is swept only once its heartbeat is overdue, so its worker is as good as dead; should it be
#: alive after all, the job runs twice, which a number's chain tolerates (see the worker).
SWEEP_ABORT_WAIT = 0.5


class TrackingRedisQueue(RedisQueue):
    """saq's Redis queue, sweeping without the long wait for a dead worker (:data:`SWEEP_ABORT_WAIT`)."""

    async def sweep(self, lock: int = 60, abort: float = 5.0) -> list[str]:
        return await super().sweep(lock, min(abort, SWEEP_ABORT_WAIT))


#: Seconds to connect to Redis, and (for those who enqueue and read progress) for any one command.
CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 10.0


def open_queue(redis_url: str, settings: QueueSettings, *, blocking: bool = False,
               concurrency: int = 0) -> RedisQueue:
    """A saq queue on ``redis_url`` (not connected yet: ``await queue.connect()``).

    A worker running ``concurrency`` jobs holds up to that many connections in saq's blocking pop
    (one per idle job slot) and two per running job (its own commands and its heartbeat), so its
    pool is sized for that; redis-py's default of 100 would run out under a worker of 100.

    Connecting is always bounded. Commands are too, except on a worker's queue (``blocking``): saq
    waits for the next job with a blocking pop and for job news on a pub/sub read, which a read
    timeout would break every few seconds; TCP keepalive notices a peer that vanished instead."""
    redis = Redis.from_url(redis_url, socket_connect_timeout=CONNECT_TIMEOUT, socket_keepalive=True,
                           socket_timeout=None if blocking else COMMAND_TIMEOUT,
                           max_connections=max(100, 2 * concurrency + 16))
    return TrackingRedisQueue(redis, name=settings.name)


def tracking_job(settings: QueueSettings, account: str, number: str, generation: int, *,
                 scheduled: float = 0.0) -> Job:
    """The job that tracks ``number`` of ``account`` once, as generation ``generation`` of its chain,
    not before ``scheduled`` (epoch seconds; 0: now)."""
    kwargs: dict[str, Any] = {"account": account, "number": number, "generation": generation}
    return Job(TASK, kwargs=kwargs, key=job_key(account, number, generation), timeout=settings.timeout,
               heartbeat=settings.heartbeat, retries=settings.retries, ttl=settings.keep_finished,
               retry_delay=settings.retry_delay, retry_backoff=settings.retry_backoff_cap,
               scheduled=int(scheduled) if scheduled >= 1 else 0)


__all__ = ["DEFAULT_QUEUE", "TASK", "QueueSettings", "account_name", "job_key", "open_queue", "tracking_job"]
