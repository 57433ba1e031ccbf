"""The rate cache's entries in Redis, seen by every worker process (checkout web workers at once).

A :class:`~carriergate.gateway.rate_cache.RateCacheBackend`: ``RateCache(backend=RedisRateCacheBackend(url))``
(or ``gateway.rate_cache(...)``, which picks the gateway's configured store). Entries are JSON of the
quotes' own pydantic models (``Quote.model_dump(mode="json")``, read back with ``model_validate``):
never pickle, so whoever can write to the Redis cannot make a worker run code. Keys are the cache's
own (a SHA-256 of the request and the account alias: never a credential) under
``<prefix>:rates:``; an entry expires when it is of no more use (``ttl`` plus the longer of
stale-while-revalidate and stale-if-error), so Redis needs no LRU of ours. A refresh of a stale
entry is claimed with ``SET NX PX``, so one worker refreshes it; a claim its holder never releases
(a crashed worker) expires.

The calls are synchronous (the cache's interface is): on an event loop each costs one loopback round
trip. When Redis cannot be asked, a read is a miss and a write is skipped (one WARNING each): quotes
are then asked live, as without a cache.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import pydantic

from carriergate.core.quotes import Quote
from carriergate.stores.connection import RedisConnection

logger = logging.getLogger("carriergate.stores")


def encode(quotes: tuple[Quote, ...], stored_at: float) -> str:
    """An entry as JSON: the quotes as their models dump them, and when they were stored."""
    return json.dumps({"stored_at": stored_at, "quotes": [q.model_dump(mode="json") for q in quotes]},
                      separators=(",", ":"), ensure_ascii=False)


def decode(raw: Any) -> tuple[tuple[Quote, ...], float] | None:
    """The entry ``raw`` holds, or None when it cannot be read (a miss: the carrier is asked)."""
    try:
        data = json.loads(raw)
        return tuple(Quote.model_validate(q) for q in data["quotes"]), float(data["stored_at"])
    except (ValueError, TypeError, KeyError, pydantic.ValidationError):
        logger.warning("rate cache: an unreadable entry was ignored")
        return None


class RedisRateCacheBackend:
    """Rate cache entries in Redis (see the module's docstring)."""

    shared = True

    def __init__(self, connection: RedisConnection | str) -> None:
        self.connection = connection if isinstance(connection, RedisConnection) else RedisConnection(connection)

    def __repr__(self) -> str:
        return f"RedisRateCacheBackend({self.connection!r})"

    def _key(self, key: str) -> str:
        return self.connection.key("rates", key)

    def _claim_key(self, key: str) -> str:
        return self.connection.key("rates-refresh", key)

    def load(self, key: str) -> tuple[tuple[Quote, ...], float] | None:
        try:
            raw = self.connection.sync.get(self._key(key))
        except self.connection.errors as exc:
            self.connection.failed("rate cache", exc)
            return None
        return None if raw is None else decode(raw)

    def save(self, key: str, quotes: tuple[Quote, ...], stored_at: float, keep_for: float) -> None:
        try:
            self.connection.sync.set(self._key(key), encode(quotes, stored_at), px=max(1, int(keep_for * 1000)))
        except self.connection.errors as exc:
            self.connection.failed("rate cache", exc)

    def drop(self, key: str) -> None:
        try:
            self.connection.sync.delete(self._key(key))
        except self.connection.errors as exc:
            self.connection.failed("rate cache", exc)

    def _all(self) -> list[Any]:
        return list(self.connection.sync.scan_iter(match=self._key("*"), count=500))

    def clear(self) -> None:
        """Forget every entry of this prefix (a scan: for tests and operators, not for a hot path)."""
        try:
            keys = self._all()
            if keys:
                self.connection.sync.delete(*keys)
        except self.connection.errors as exc:
            self.connection.failed("rate cache", exc)

    def claim(self, key: str, hold_for: float) -> bool:
        try:
            return bool(self.connection.sync.set(self._claim_key(key), "1", nx=True, px=max(1, int(hold_for * 1000))))
        except self.connection.errors as exc:
            self.connection.failed("rate cache", exc)
            return True  # refresh it here: without Redis, each worker keeps its own entries fresh

    def release(self, key: str) -> None:
        try:
            self.connection.sync.delete(self._claim_key(key))
        except self.connection.errors as exc:
            self.connection.failed("rate cache", exc)

    def __len__(self) -> int:
        """How many entries are stored (a scan: for tests and operators)."""
        try:
            return len(self._all())
        except self.connection.errors as exc:
            self.connection.failed("rate cache", exc)
            return 0


__all__ = ["RedisRateCacheBackend", "decode", "encode"]
