"""A private Redis server for the tests that need one (stores, workers): started per test module on a
free loopback port with its own data folder, stopped after.

Where no ``redis-server`` binary exists the tests skip, naming the reason, except under CI:
``.ci/run`` installs Redis and sets ``CARRIERGATE_CI=1``, and there a missing server is a failure, so
the Redis tests can never be skipped silently where they are meant to run.

    from support.redis_server import redis_server  # a module-scoped fixture: RedisServer
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

#: Set by .ci/run: Redis must be there.
REQUIRED = os.environ.get("CARRIERGATE_CI") == "1"
#: How long a starting server may take to answer PING (seconds): a wait for a process, not a timing check.
START_WITHIN = 10.0


@dataclass(frozen=True)
class RedisServer:
    url: str
    port: int
    process: subprocess.Popen[bytes]

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


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


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
         "--appendonly", "no", "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    give_up = time.monotonic() + START_WITHIN
    while not _answers(port):
        if process.poll() is not None or time.monotonic() > give_up:
            process.kill()
            pytest.fail(f"redis-server did not start on port {port} (exit code {process.poll()})")
        time.sleep(0.02)
    return RedisServer(f"redis://127.0.0.1:{port}/0", port, process)


def stop(server: RedisServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with tempfile.TemporaryDirectory(prefix="carriergate-redis-") as folder:
        server = start(Path(folder))
        try:
            yield server
        finally:
            stop(server)
