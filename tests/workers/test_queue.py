"""Enqueuing numbers and reading progress, against a private Redis server (sync and async)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import redis

import carriergate as cg
from carriergate.gateway.config import load_toml
from carriergate.workers import AsyncTrackingQueue, QueueSettings, TrackingQueue
from carriergate.workers.connection import resolve_redis_url
from carriergate.workers.jobs import job_key
from carriergate.workers.outcomes import STATES

from support.redis_server import RedisServer


@pytest.fixture
def url(redis_server: RedisServer) -> str:
    redis_server.flush()
    return redis_server.url


def keys(url: str) -> list[str]:
    client = redis.Redis.from_url(url)
    try:
        return sorted(str(key) for key in client.keys("*"))
    finally:
        client.close()


def test_enqueue_is_deduplicated_by_account_and_number(url: str) -> None:
    async def scenario() -> tuple[list[int], dict[str, int], object]:
        async with AsyncTrackingQueue(url, settings=QueueSettings(heartbeat=7)) as queue:
            added = [await queue.enqueue(["794600000001", "794600000002", "794600000001"], carrier="fedex"),
                     await queue.enqueue(["794600000002", "794600000003"], carrier="fedex"),
                     await queue.enqueue(["794600000001"], carrier="fedex-eu")]
            job = await queue.queue.job(job_key("fedex", "794600000003", 0))
            return added, dict((await queue.progress()).counts), job

    added, counts, job = asyncio.run(scenario())
    assert added == [2, 1, 1]
    assert counts["pending"] == 4
    assert list(counts) == list(STATES)
    assert job is not None
    assert (job.kwargs, job.heartbeat, job.status.value) == (  # type: ignore[attr-defined]
        {"account": "fedex", "number": "794600000003", "generation": 0}, 7, "queued")


def test_the_sync_queue_enqueues_and_reports_progress(url: str) -> None:
    queue = TrackingQueue(url)
    assert queue.enqueue(["SF1400000000001", " SF1400000000002 "], carrier="sf_express") == 2
    assert queue.enqueue("SF1400000000002", carrier="sf_express") == 0
    progress = queue.progress()
    assert (progress.pending, progress.total, progress.done, progress.queued, progress.workers) == (2, 2, 0, 2, 0)
    assert progress.as_dict()["counts"]["pending"] == 2


@pytest.mark.parametrize(("numbers", "carrier", "field"), [
    (["794600000001", "7946/../0002"], "fedex", "numbers[1]"),
    ([""], "fedex", "numbers[0]"),
    (["794600000001"], "fedex:eu", "carrier"),
    (["794600000001"], "", "carrier"),
])
def test_bad_input_is_refused_before_anything_is_written(url: str, numbers: list[str], carrier: str,
                                                         field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        TrackingQueue(url).enqueue(numbers, carrier=carrier)
    assert caught.value.field == field
    assert keys(url) == []


def test_the_url_comes_from_the_environment_and_is_never_shown_with_its_password(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CARRIERGATE_REDIS_URL", raising=False)
    with pytest.raises(cg.ConfigurationError, match="CARRIERGATE_REDIS_URL"):
        TrackingQueue()
    monkeypatch.setenv("CARRIERGATE_REDIS_URL", "redis://:hunter2@127.0.0.1:6390/3")
    queue = TrackingQueue()
    assert queue.redis_url.endswith(":6390/3")
    assert "hunter2" not in repr(queue)
    assert "hunter2" not in repr(AsyncTrackingQueue())
    with pytest.raises(cg.ConfigurationError) as caught:
        TrackingQueue("http://:hunter2@example.com/")
    assert "hunter2" not in str(caught.value)


def test_queues_of_different_names_do_not_share_numbers(url: str) -> None:
    shop_a, shop_b = TrackingQueue(url, settings=QueueSettings(name="shop-a")), TrackingQueue(
        url, settings=QueueSettings(name="shop-b"))
    assert shop_a.enqueue(["794600000001"], carrier="fedex") == 1
    assert shop_b.enqueue(["794600000001"], carrier="fedex") == 1
    assert (shop_a.progress().pending, shop_b.progress().pending) == (1, 1)


def test_the_url_may_come_from_the_configurations_gateway_table_and_an_explicit_one_wins(tmp_path: Path) -> None:
    file = tmp_path / "carriergate.toml"
    file.write_text('[gateway]\nredis_url = "redis://127.0.0.1:6390/2"\n\n[table]\n', encoding="utf-8")
    config = load_toml(file)
    assert resolve_redis_url(config=config, environ={}) == "redis://127.0.0.1:6390/2"
    assert resolve_redis_url("redis://127.0.0.1:6391/0", config=config, environ={}) == "redis://127.0.0.1:6391/0"
    assert resolve_redis_url(config={"table": {}}, environ={"CARRIERGATE_REDIS_URL": "redis://h:1/0"}) == "redis://h:1/0"
