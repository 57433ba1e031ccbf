"""Helpers for the bulk-tracking queue tests: a policy that refreshes at once, a worker running on the
test's event loop, waiting for the queue to reach a state, and the hooks a worker process loads.

Waiting is for the queue and its workers to do their work (a round trip through Redis), polled with
an upper bound, never a timed assertion.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import carriergate as cg
from carriergate.workers import AsyncTrackingQueue, Progress, RefreshPolicy, TrackingWorker, WorkerSettings

#: Upper bound of a wait for the queue (seconds): generous, as the machine is shared.
WITHIN = 60.0
#: Every refresh at once, no jitter: a parcel walks its sandbox journey in a few round trips.
INSTANT = {name: 0.0 for name in ("out_for_delivery", "delivery_attempted", "available_for_pickup", "exception",
                                  "in_transit", "pre_transit", "unknown", "not_found", "retry_base")}


def instant_policy(**change: Any) -> RefreshPolicy:
    return RefreshPolicy(**{**INSTANT, "jitter": 0.0, **change})


def policy_toml(path: Path, **change: Any) -> Path:
    """The instant policy as a ``--policy`` file."""
    settings = {**INSTANT, "jitter": 0.0, **change}
    path.write_text("".join(f"{name} = {value}\n" for name, value in settings.items()), encoding="utf-8")
    return path


async def wait_for(queue: AsyncTrackingQueue, done: Callable[[Progress], bool], within: float = WITHIN) -> Progress:
    """The queue's progress once ``done(progress)``; AssertionError with the last progress after ``within``."""
    loop = asyncio.get_running_loop()
    give_up = loop.time() + within
    while True:
        progress = await queue.progress()
        if done(progress):
            return progress
        if loop.time() > give_up:
            raise AssertionError(f"the queue did not get there within {within} s: {progress.as_dict()}")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def running_worker(gateway: cg.AsyncGateway, redis_url: str, **kwargs: Any) -> AsyncIterator[TrackingWorker]:
    """A TrackingWorker working on this event loop for the block, stopped after it."""
    kwargs.setdefault("settings", WorkerSettings(policy=instant_policy(), linger=0.01))
    worker = TrackingWorker(gateway, redis_url, **kwargs)
    task = asyncio.create_task(worker.run())
    try:
        yield worker
    finally:
        await worker.stop()
        await task


# -- hooks a worker process loads with --hook support.tracking_queue:... --------------------------------
HOOK_FILE = "CARRIERGATE_TEST_HOOK_FILE"
HOOK_BLOCKS = "CARRIERGATE_TEST_HOOK_BLOCKS"
_lock = threading.Lock()


def record_and_maybe_block(info: cg.TrackingInfo) -> None:
    """Append ``info`` (number and status) as a JSON line to $CARRIERGATE_TEST_HOOK_FILE; with
    $CARRIERGATE_TEST_HOOK_BLOCKS=1 then never return, so the worker is caught in the middle of its
    jobs: tracked, not yet saved (the restart test kills it there)."""
    line = json.dumps({"number": info.tracking_number, "status": info.status.value}) + "\n"
    with _lock, open(os.environ[HOOK_FILE], "a", encoding="utf-8") as file:
        file.write(line)
    if os.environ.get(HOOK_BLOCKS) == "1":
        threading.Event().wait()


def hook_lines(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
