"""One Redis server as every store uses it: clients with timeouts, keys under one prefix, Lua scripts.

A sync client (redis-py's pool is thread-safe) serves threads; an asyncio client is made per event
loop (its connections belong to the loop that opened them). Every command has a socket timeout, so a
Redis that hangs costs a bounded wait. redis-py is imported when a connection is made, never when
this module is.

When Redis fails (down, timing out), the stores carry on as if each process were alone rather than
failing carrier calls: a token cache miss, no lock, no quota, a closed breaker, a cache miss. Each such
failure is one WARNING line naming the store and the exception type (never the URL's password).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import weakref
from typing import Any

from carriergate.stores.settings import checked, redacted, require_redis

logger = logging.getLogger("carriergate.stores")

#: Seconds any one Redis command (and connecting) may take.
DEFAULT_TIMEOUT = 2.0
DEFAULT_PREFIX = "carriergate"


class RedisConnection:
    """``RedisConnection("redis://host:6379/0")``: what the Redis stores share (one per gateway)."""

    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX, timeout: float = DEFAULT_TIMEOUT) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.url = checked(url)
        self.prefix = prefix
        self.timeout = timeout
        self._redis = require_redis()
        self.errors: tuple[type[BaseException], ...] = (self._redis.RedisError, OSError)
        self.sync: Any = self._redis.Redis.from_url(self.url, socket_timeout=timeout,
                                                    socket_connect_timeout=timeout)
        self._scripts: dict[str, Any] = {}
        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, dict[str, Any]]] = (
            weakref.WeakKeyDictionary())
        self._guard = threading.Lock()

    def __repr__(self) -> str:
        return f"RedisConnection({redacted(self.url)!r}, prefix={self.prefix!r})"

    def key(self, *parts: str) -> str:
        """``prefix:part:part``: every key the stores write."""
        return ":".join((self.prefix, *parts))

    def _loop_client(self) -> tuple[Any, dict[str, Any]]:
        loop = asyncio.get_running_loop()
        with self._guard:
            found = self._loops.get(loop)
            if found is None:
                client = self._redis.asyncio.Redis.from_url(self.url, socket_timeout=self.timeout,
                                                            socket_connect_timeout=self.timeout)
                found = self._loops[loop] = (client, {})
            return found

    def aclient(self) -> Any:
        """The asyncio client of the running event loop."""
        return self._loop_client()[0]

    def script(self, source: str) -> Any:
        """``source`` as a callable Lua script on the sync client (EVALSHA, loaded on first use)."""
        with self._guard:
            found = self._scripts.get(source)
            if found is None:
                found = self._scripts[source] = self.sync.register_script(source)
            return found

    def ascript(self, source: str) -> Any:
        """:meth:`script` on the running event loop's client (awaited)."""
        client, scripts = self._loop_client()
        found = scripts.get(source)
        if found is None:
            found = scripts[source] = client.register_script(source)
        return found

    def failed(self, store: str, exc: BaseException) -> None:
        """Note a Redis failure a store carries on after (see the module's docstring)."""
        logger.warning("%s: Redis unavailable (%s); carrying on with this process's own state", store,
                       type(exc).__name__)

    def close(self) -> None:
        """Close the sync client's connections (async clients close with :meth:`aclose` on their loop)."""
        self.sync.close()

    async def aclose(self) -> None:
        """Close the running event loop's client, if one was made."""
        loop = asyncio.get_running_loop()
        with self._guard:
            found = self._loops.pop(loop, None)
        if found is not None:
            await found[0].aclose()


__all__ = ["DEFAULT_PREFIX", "DEFAULT_TIMEOUT", "RedisConnection"]
