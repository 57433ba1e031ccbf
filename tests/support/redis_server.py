"""A private Redis server for the tests that need one (stores, workers): started per test module on a
free loopback port with its own data folder, stopped after.

Where no ``redis-server`` binary exists the tests skip, naming the reason, except under CI:
``.ci/run`` installs Redis and sets ``CARRIERGATE_CI=1``, and there a missing server is a failure, so
the Redis tests can never be skipped silently where they are meant to run.

    from support.redis_server import redis_server  # a module-scoped fixture: RedisServer
"""

from __future__ import annotations

import os
import selectors
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

#: Set by .ci/run: Redis must be there.
REQUIRED = os.environ.get("CARRIERGATE_CI") == "1"
#: How long a starting server may take to say it is ready (seconds): a bound on a wait, not a timing check.
START_WITHIN = 10.0


@dataclass(frozen=True)
class RedisServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    #: Reads (and at the server's exit closes) its log pipe, so a chatty server never blocks on it.
    drain: threading.Thread

    def flush(self) -> None:
        """Forget every key (between tests of one module)."""
        import redis

        client = redis.Redis.from_url(self.url)
        try:
            client.flushall()
        finally:
            client.close()


def binary() -> str | None:
    return shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/local/bin/redis-server") if Path(p).exists()), None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


#: What redis-server logs once it takes connections.
READY = b"Ready to accept connections"


def _await_ready(process: subprocess.Popen[bytes], within: float) -> bool:
    """Read the server's log until it says it is ready: True; False if it exits or ``within`` passes."""
    assert process.stdout is not None
    pipe = process.stdout
    seen = b""
    with selectors.DefaultSelector() as selector:
        selector.register(pipe, selectors.EVENT_READ)
        give_up = time.monotonic() + within
        while READY not in seen:
            left = give_up - time.monotonic()
            if left <= 0 or not selector.select(left):
                return False
            chunk = os.read(pipe.fileno(), 4096)
            if not chunk:  # it exited
                return False
            seen = seen[-len(READY):] + chunk
    return True


def _drain(pipe: IO[bytes]) -> None:
    with pipe:
        while pipe.read(4096):
            pass


def start(folder: Path) -> RedisServer:
    """Start ``redis-server`` on a free port, keeping its files in ``folder``; fail (or skip) clearly."""
    path = binary()
    if path is None:
        if REQUIRED:
            pytest.fail("CARRIERGATE_CI=1 but no redis-server is installed (.ci/run installs it)")
        pytest.skip("no redis-server on this machine (apt-get install redis-server); CI installs it")
    port = _free_port()
    process = subprocess.Popen(
        [path, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "",
         "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "notice"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert process.stdout is not None
    if not _await_ready(process, START_WITHIN):
        process.kill()
        process.wait()
        process.stdout.close()
        pytest.fail(f"redis-server did not start on port {port} (exit code {process.returncode})")
    drain = threading.Thread(target=_drain, args=(process.stdout,), daemon=True)
    drain.start()
    return RedisServer(f"redis://127.0.0.1:{port}/0", port, process, drain)


def stop(server: RedisServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()
    server.drain.join(timeout=10)  # the pipe reaches its end once the server is gone, and is closed


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="carriergate-redis-") as folder:
        server = start(Path(folder))
        try:
            yield server
        finally:
            stop(server)
