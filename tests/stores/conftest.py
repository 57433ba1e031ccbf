"""Every test here runs against a private Redis server (support.redis_server: skips with a reason
where no redis-server is installed, fails under CI), emptied before each test."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from carriergate.stores.connection import RedisConnection

from support.redis_server import RedisServer, redis_server  # noqa: F401 - the module-scoped fixture


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:  # noqa: F811 - the fixture imported above
    """The URL of this module's Redis server, with no key left from an earlier test."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture
def connect(redis_url: str) -> Iterator[Callable[[], RedisConnection]]:
    """Makes connections to this test's Redis (one per pretend worker), each closed after the test.
    Async work closes its own loop's client (``await connection.aclose()``) before its loop ends."""
    made: list[RedisConnection] = []

    def make() -> RedisConnection:
        made.append(RedisConnection(redis_url))
        return made[-1]

    yield make
    for connection in made:
        connection.close()
