"""What a gateway's state lives in: this process's memory (the default) or Redis, shared by every
worker process configured with the same ``redis_url``.

:class:`SharedState` bundles the four stores a gateway uses: the token store (handed to each carrier's
auth flow), the quota limiter and the breaker backend (the request pipeline's), and the rate cache
backend (:meth:`~carriergate.gateway.gateways.BaseGateway.rate_cache`). :func:`shared_state` makes it
from a URL; only then are ``carriergate.stores`` and redis-py imported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from carriergate.adapters.breaker import BreakerBackend, MemoryBreakerBackend
from carriergate.adapters.quota import MemoryRateLimiter, RateLimiter
from carriergate.gateway.rate_cache import RateCacheBackend
from carriergate.protocols.auth.tokens import TokenStore
from carriergate.stores.settings import redacted


@dataclass(frozen=True)
class SharedState:
    """The stores of one gateway. ``tokens`` None: each carrier's auth flow keeps its own tokens (in
    memory); ``rate_cache`` None: a rate cache keeps its entries in memory. ``connection`` is the Redis
    connection the stores share (None in memory); ``redis_url`` is shown redacted only."""

    limiter: RateLimiter
    breakers: BreakerBackend
    tokens: TokenStore | None = None
    rate_cache: RateCacheBackend | None = None
    redis_url: str | None = field(default=None, repr=False)
    connection: Any = field(default=None, repr=False)

    def __repr__(self) -> str:
        where = redacted(self.redis_url) if self.redis_url else "memory"
        return f"SharedState({where!r})"

    @property
    def shared(self) -> bool:
        """Whether other processes see this state (a Redis URL is configured)."""
        return self.connection is not None

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()

    async def aclose(self) -> None:
        if self.connection is not None:
            await self.connection.aclose()
            self.connection.close()


def in_memory(clock: Callable[[], float]) -> SharedState:
    """This process's own state, on the gateway's ``clock``: today's behaviour."""
    return SharedState(limiter=MemoryRateLimiter(clock=clock), breakers=MemoryBreakerBackend(clock))


def shared_state(url: str | None, clock: Callable[[], float]) -> SharedState:
    """The stores of a gateway configured with ``url`` (None: :func:`in_memory`). Redis keeps its own
    time for quotas and breakers (every worker shares it), so ``clock`` only serves the in-memory
    case. A missing redis-py is a ConfigurationError naming the ``redis`` extra."""
    if url is None:
        return in_memory(clock)
    from carriergate.stores.breaker import RedisBreakerBackend
    from carriergate.stores.connection import RedisConnection
    from carriergate.stores.quota import RedisRateLimiter
    from carriergate.stores.rate_cache import RedisRateCacheBackend
    from carriergate.stores.tokens import RedisTokenStore

    connection = RedisConnection(url)
    return SharedState(limiter=RedisRateLimiter(connection), breakers=RedisBreakerBackend(connection),
                       tokens=RedisTokenStore(connection), rate_cache=RedisRateCacheBackend(connection),
                       redis_url=connection.url, connection=connection)


__all__ = ["SharedState", "in_memory", "shared_state"]
