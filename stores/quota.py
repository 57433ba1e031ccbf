"""Carrier quotas in Redis: one GCRA budget per carrier account, shared by every worker process.

The same algorithm as :class:`carriergate.adapters.quota.MemoryRateLimiter`, as a Lua script, so
taking a slot is one atomic round trip: the account's key holds its theoretical arrival time (TAT);
a slot is granted when it comes within the caller's wait limit and moves the TAT on by one interval;
a 429's pause moves the TAT past the pause. Time is the Redis server's (``TIME``), so workers on
machines whose clocks differ still share one schedule; tests may pass a clock instead.

Keys: ``<prefix>:quota:<account alias>``, expiring once the account has been idle past its TAT.
When Redis cannot be asked, calls go out unlimited (one WARNING each): a carrier call is not failed
for want of a shared counter, and a carrier that minds answers 429.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carriergate.adapters.quota import Quota, Slot
from carriergate.stores.connection import RedisConnection

_NOW = """
local now
if ARGV[1] ~= '' then now = tonumber(ARGV[1]) else
  local t = redis.call('TIME'); now = tonumber(t[1]) + tonumber(t[2]) / 1000000 end
"""
_RESERVE = _NOW + """
local interval, tolerance, max_wait = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local stored = redis.call('get', KEYS[1])
local tat = now
if stored then tat = math.max(tonumber(stored), now) end
local wait = math.max(0, tat - tolerance - now)
if max_wait >= 0 and wait > max_wait then return {0, string.format('%.6f', wait)} end
if interval > 0 or stored then
  local nxt = tat + interval
  redis.call('set', KEYS[1], string.format('%.6f', nxt), 'PX', math.ceil((nxt - now) * 1000) + 1000)
end
return {1, string.format('%.6f', wait)}
"""
_PAUSE = _NOW + """
local resume = now + tonumber(ARGV[2]) + tonumber(ARGV[3])
local stored = redis.call('get', KEYS[1])
if not stored or tonumber(stored) < resume then
  redis.call('set', KEYS[1], string.format('%.6f', resume), 'PX', math.ceil((resume - now) * 1000) + 1000)
end
return 1
"""


class RedisRateLimiter:
    """A :class:`~carriergate.adapters.quota.RateLimiter` over Redis. ``clock`` (optional, epoch
    seconds) replaces the server's time: for tests only, every process must then share it."""

    def __init__(self, connection: RedisConnection | str, *, clock: Callable[[], float] | None = None) -> None:
        self.connection = connection if isinstance(connection, RedisConnection) else RedisConnection(connection)
        self._clock = clock

    def __repr__(self) -> str:
        return f"RedisRateLimiter({self.connection!r})"

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock())

    def _reserve_args(self, quota: Quota, max_wait: float | None) -> list[Any]:
        return [self._now(), repr(quota.interval), repr(quota.tolerance), -1 if max_wait is None else repr(max_wait)]

    @staticmethod
    def _slot(answer: Any) -> Slot:
        granted, wait = answer
        return Slot(bool(int(granted)), float(wait))

    def reserve(self, key: str, quota: Quota, max_wait: float | None) -> Slot:
        try:
            answer = self.connection.script(_RESERVE)(keys=[self.connection.key("quota", key)],
                                                      args=self._reserve_args(quota, max_wait))
        except self.connection.errors as exc:
            self.connection.failed("quota", exc)
            return Slot(True, 0.0)
        return self._slot(answer)

    async def areserve(self, key: str, quota: Quota, max_wait: float | None) -> Slot:
        try:
            answer = await self.connection.ascript(_RESERVE)(keys=[self.connection.key("quota", key)],
                                                             args=self._reserve_args(quota, max_wait))
        except self.connection.errors as exc:
            self.connection.failed("quota", exc)
            return Slot(True, 0.0)
        return self._slot(answer)

    def pause(self, key: str, quota: Quota, seconds: float) -> None:
        try:
            self.connection.script(_PAUSE)(keys=[self.connection.key("quota", key)],
                                           args=[self._now(), repr(max(0.0, seconds)), repr(quota.tolerance)])
        except self.connection.errors as exc:
            self.connection.failed("quota", exc)

    async def apause(self, key: str, quota: Quota, seconds: float) -> None:
        try:
            await self.connection.ascript(_PAUSE)(keys=[self.connection.key("quota", key)],
                                                  args=[self._now(), repr(max(0.0, seconds)), repr(quota.tolerance)])
        except self.connection.errors as exc:
            self.connection.failed("quota", exc)


__all__ = ["RedisRateLimiter"]
