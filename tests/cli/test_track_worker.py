"""``carriergate track-enqueue``, ``track-progress`` and ``track-worker`` against a private Redis."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carriergate.cli import app as cli

from support import redis_server as servers
from support.paths import ROOT
from support.redis_server import RedisServer
from support.tracking_queue import WITHIN, policy_toml

runner = CliRunner()
redis_server = servers.redis_server  # the module-scoped private server
SAQ_SETEX = "ignore:Call to deprecated setex:DeprecationWarning"  # saq's own call into redis-py 8


@pytest.fixture
def url(redis_server: RedisServer) -> str:
    redis_server.flush()
    return redis_server.url


def progress(url: str) -> dict[str, object]:
    result = runner.invoke(cli.app, ["track-progress", "--redis-url", url, "--json"])
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_numbers_come_from_arguments_a_file_and_stdin_and_are_deduplicated(url: str, tmp_path: Path) -> None:
    listed = tmp_path / "numbers.txt"
    listed.write_text("# today's labels\n794600000002\n\n794600000003  # the big one\n794600000001\n", encoding="utf-8")
    first = runner.invoke(cli.app, ["track-enqueue", "794600000001", "--carrier", "fedex", "--from-file", str(listed),
                                    "--redis-url", url, "--json"])
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout) == {"carrier": "fedex", "added": 3, "already_followed": 0}
    again = runner.invoke(cli.app, ["track-enqueue", "--carrier", "fedex", "--from-file", "-", "--redis-url", url],
                          input="794600000003\n794600000004\n")
    assert again.exit_code == 0, again.output
    assert again.stdout.strip() == "fedex: 1 new number(s) enqueued, 1 already followed"
    document = progress(url)
    assert document["counts"]["pending"] == 4  # type: ignore[index]
    assert (document["total"], document["done"], document["queued"]) == (4, 0, 4)


def test_progress_prints_every_state_and_the_queue(url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARRIERGATE_REDIS_URL", url)
    assert runner.invoke(cli.app, ["track-enqueue", "--carrier", "ups", "1Z999AA10123456784"]).exit_code == 0
    result = runner.invoke(cli.app, ["track-progress"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["pending", "1"]
    assert ["delivered", "0"] in [line.split() for line in lines]
    assert lines[-2].split()[:2] == ["total", "1"]
    assert lines[-1] == "jobs: 1 queued, 0 running, 0 scheduled; 0 worker(s)"


def test_enqueue_and_progress_find_redis_in_the_configuration_file(url: str, tmp_path: Path) -> None:
    config = tmp_path / "carriergate.toml"
    config.write_text(f'[gateway]\nredis_url = "{url}"\n\n[table]\n', encoding="utf-8")
    added = runner.invoke(cli.app, ["track-enqueue", "--config", str(config), "--carrier", "fedex", "794600000009",
                                    "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["added"] == 1
    shown = runner.invoke(cli.app, ["track-progress", "--config", str(config), "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["total"] == 1


@pytest.mark.parametrize(("argv", "code", "message"), [
    (["track-enqueue", "--carrier", "fedex"], 2, "error: numbers: name at least one tracking number"),
    (["track-enqueue", "--carrier", "fedex", "7946/0001"], 2, "error: numbers[0]: must start with a letter"),
    (["track-enqueue", "--carrier", "fed:ex", "794600000001"], 2, "error: carrier (--carrier): must name"),
    (["track-progress"], 5, "error: configuration: the tracking queue needs Redis"),
    (["track-worker", "--sandbox", "--redis-url", "redis://127.0.0.1:1/0", "--hook", "nowhere_at_all:f"], 5,
     "error: configuration: hook 'nowhere_at_all:f': cannot import"),
    (["track-worker", "--sandbox", "--redis-url", "http://127.0.0.1/"], 5, "error: configuration: redis_url"),
])
def test_bad_input_is_one_line_and_its_exit_code(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                                 argv: list[str], code: int, message: str) -> None:
    monkeypatch.delenv("CARRIERGATE_REDIS_URL", raising=False)
    with pytest.raises(SystemExit) as info:
        cli.main(argv)
    assert info.value.code == code
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert err.count("\n") == 1


def test_an_unreachable_redis_is_one_line_without_its_password(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["track-progress", "--redis-url", "redis://:hunter2@127.0.0.1:1/0"])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: redis_unavailable: Redis at redis://:***@127.0.0.1:1/0 did not answer")
    assert "hunter2" not in err


@pytest.mark.slow
@pytest.mark.filterwarnings(SAQ_SETEX)
def test_a_sandbox_worker_tracks_enqueued_numbers_to_delivered_and_stops_on_sigterm(url: str, tmp_path: Path) -> None:
    policy = policy_toml(tmp_path / "policy.toml")
    numbers = ["YT7700000000081", "YT7700000000082", "YT7700000000083"]
    enqueued = runner.invoke(cli.app, ["track-enqueue", *numbers, "--carrier", "kuaidi100", "--redis-url", url])
    assert enqueued.exit_code == 0, enqueued.output
    worker = subprocess.Popen([sys.executable, "-m", "carriergate.cli.app", "track-worker", "--sandbox", "--redis-url",
                               url, "--policy", str(policy)], cwd=ROOT, env=dict(os.environ),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        give_up = time.monotonic() + WITHIN
        while progress(url)["counts"]["delivered"] != 3:  # type: ignore[index]
            assert time.monotonic() < give_up, "the worker did not deliver the numbers in time"
            assert worker.poll() is None, "the worker stopped on its own"
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0
        err = worker.stderr.read().decode() if worker.stderr else ""
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        if worker.stderr:
            worker.stderr.close()
    assert err.startswith("track-worker: queue 'carriergate-tracking' on redis://127.0.0.1:")
    assert "kuaidi100" in err.splitlines()[0]
    assert progress(url)["done"] == 3
