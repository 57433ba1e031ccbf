"""Restarts lose nothing: a worker killed mid-batch (SIGKILL) has its jobs taken back by saq's sweep
and finished by another worker process; a job re-run after a crash neither forks nor loses a chain.

The processes are real ``carriergate track-worker`` commands against a loopback sandbox server (so
both workers see the same parcels) and the private Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import carriergate as cg
from carriergate.sandbox.registry import sandbox_gateway_kwargs
from carriergate.sandbox.server import running_server
from carriergate.workers import AsyncTrackingQueue, QueueSettings, TrackingQueue, TrackingWorker
from carriergate.workers.jobs import tracking_job
from carriergate.workers.outcomes import NumberRecord

from support.paths import ROOT
from support.redis_server import RedisServer
from support.sandbox_samples import ship_request
from support.tracking_queue import (
    HOOK_BLOCKS,
    HOOK_FILE,
    WITHIN,
    hook_lines,
    policy_toml,
    running_worker,
    wait_for,
)

TESTS = Path(__file__).resolve().parents[1]


@pytest.fixture
def url(redis_server: RedisServer) -> str:
    redis_server.flush()
    return redis_server.url


def test_a_job_of_an_older_generation_sees_it_is_stale_and_asks_nothing(url: str) -> None:
    setup = sandbox_gateway_kwargs(["kuaidi100"])
    newer = NumberRecord(generation=3, state="in_transit")

    async def scenario() -> tuple[str, NumberRecord | None]:
        async with cg.AsyncGateway(setup["config"], transport=setup["transport"]) as gateway:
            worker = TrackingWorker(gateway, url)
            await worker.queue.connect()
            try:
                await worker.records.advance("kuaidi100", "YT7700000000061", newer)
                state = await worker.refresh("kuaidi100", "YT7700000000061", 1)
                return state, await worker.records.record("kuaidi100", "YT7700000000061")
            finally:
                await worker.queue.disconnect()

    state, record = asyncio.run(scenario())
    assert (state, record) == ("stale", newer)
    assert setup["transport"].emulators["kuaidi100"].requests == []


def test_a_job_whose_record_was_never_written_still_tracks_its_number(url: str) -> None:
    """An enqueuer that died between putting the job on the queue and writing the record."""
    async def scenario() -> dict[str, int]:
        async with cg.AsyncGateway.sandbox(["kuaidi100"]) as gateway, AsyncTrackingQueue(url) as queue:
            await queue.queue.connect()
            await queue.queue.enqueue(tracking_job(QueueSettings(), "kuaidi100", "YT7700000000071", 0))
            async with running_worker(gateway, url):
                return dict((await wait_for(queue, lambda p: p.done == 1)).counts)

    counts = asyncio.run(scenario())
    assert counts["delivered"] == 1
    assert all(n >= 0 for n in counts.values())
    assert sum(counts.values()) == 1


def _worker(config: Path, url: str, policy: Path, hook_file: Path, *, blocks: bool) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")]),
           HOOK_FILE: str(hook_file), HOOK_BLOCKS: "1" if blocks else "0"}
    command = [sys.executable, "-m", "carriergate.cli.app", "track-worker", "--config", str(config),
               "--redis-url", url, "--policy", str(policy), "--heartbeat", "1", "--concurrency", "50",
               "--hook", "support.tracking_queue:record_and_maybe_block"]
    return subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def _wait(condition: str, check: object, within: float = WITHIN, state: object = None) -> None:
    give_up = time.monotonic() + within
    while not check():  # type: ignore[operator]
        if time.monotonic() > give_up:
            seen = state() if callable(state) else None
            raise AssertionError(f"gave up waiting for {condition}" + (f" (last seen: {seen})" if seen else ""))
        time.sleep(0.05)


@pytest.mark.slow
def test_a_worker_killed_mid_batch_loses_no_number(url: str, tmp_path: Path,
                                                   processes: list[subprocess.Popen[bytes]]) -> None:
    with running_server(carriers=["fedex"]) as sandbox:
        with cg.Gateway(sandbox.config) as gateway:
            numbers = [gateway.ship(ship_request("fedex")).tracking_number for _ in range(12)]
        emulator = sandbox.emulators["fedex"]
        emulator.requests.clear()
        config = tmp_path / "carriergate.toml"
        config.write_text("[fedex]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in sandbox.config["fedex"].items()),
                          encoding="utf-8")
        policy = policy_toml(tmp_path / "policy.toml")
        queue = TrackingQueue(url, settings=QueueSettings(heartbeat=1, sweep_every=1))
        assert queue.enqueue(numbers, carrier="fedex") == 12

        first_hook, second_hook = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
        first = _worker(config, url, policy, first_hook, blocks=True)
        processes.append(first)
        _wait("the first worker to be in the middle of its batch", lambda: len(hook_lines(first_hook)) >= 1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed = queue.progress()
        assert (killed.done, killed.pending) == (0, 12)  # tracked, handed to the hook, never saved
        assert killed.active >= 1  # its jobs are still saq's, marked running

        second = _worker(config, url, policy, second_hook, blocks=False)
        processes.append(second)
        _wait("the second worker to finish every number", lambda: queue.progress().counts["delivered"] == 12,
              state=lambda: (queue.progress().as_dict(), second.poll()))
        finished = queue.progress()
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    assert finished.done == finished.total == 12
    assert {line["number"] for line in hook_lines(second_hook) if line["status"] == "delivered"} == set(numbers)
    # Tracked in FedEx batches (several numbers a call), not one by one.
    batches = [len(json.loads(r.content)["trackingInfo"]) for r in emulator.requests
               if r.url.path.endswith("/track/v1/trackingnumbers")]
    assert max(batches) > 1
    assert sum(batches) >= 12 * 6  # every number walked its six scans, one batch at a time
