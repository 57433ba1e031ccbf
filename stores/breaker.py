"""Circuit-breaker state in Redis, so one worker's open breaker is every worker's.

A :class:`~carriergate.adapters.breaker.BreakerBackend`: each breaker (``account/read``,
``account/write``) is one hash ``<prefix>:breaker:<name>`` with its state, consecutive failures, when
it opened and when its half-open probe started; an absent hash is a closed breaker with no failures.
Each step is one Lua script, so the rules of :class:`~carriergate.adapters.breaker.MemoryBreakerBackend`
hold across processes: the half-open probe is granted to one caller of one worker only (a stale probe,
older than the cooldown, is granted again). Time is the Redis server's (``TIME``), or a test's clock.

When Redis cannot be asked, the breaker lets the attempt go and records nothing (one WARNING each):
a breaker that cannot be read must not stop a healthy carrier.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from carriergate.adapters.breaker import Admission, BreakerSettings, State
from carriergate.stores.connection import RedisConnection
from carriergate.stores.quota import _NOW

#: How long a breaker's hash outlives its last change (a closed breaker's failure count included).
KEEP_SECONDS = 86_400
_ADMIT = _NOW + """
local h = redis.call('hmget', KEYS[1], 'state', 'opened_at', 'probe_started')
local state = h[1] or 'closed'
if state == 'closed' then return {0, ''} end
local cooldown = tonumber(ARGV[2])
local opened = tonumber(h[2] or '0')
local probe = nil
if h[3] then probe = tonumber(h[3]) end
local stale = probe ~= nil and now - probe >= cooldown
if (state == 'open' and now - opened >= cooldown) or (state == 'half_open' and (probe == nil or stale)) then
  redis.call('hset', KEYS[1], 'state', 'half_open', 'probe_started', string.format('%.6f', now))
  return {1, ''}
end
return {0, string.format('%.6f', math.max(0, cooldown - (now - opened)))}
"""
_SETTLE = _NOW + """
local state = redis.call('hget', KEYS[1], 'state') or 'closed'
if ARGV[2] == '0' then
  redis.call('del', KEYS[1])
  return state
end
local failures = redis.call('hincrby', KEYS[1], 'failures', 1)
if state == 'half_open' or failures >= tonumber(ARGV[3]) then
  redis.call('hset', KEYS[1], 'state', 'open', 'opened_at', string.format('%.6f', now))
  redis.call('hdel', KEYS[1], 'probe_started')
end
redis.call('expire', KEYS[1], tonumber(ARGV[4]))
return state
"""
_SNAPSHOT = _NOW + """
local h = redis.call('hmget', KEYS[1], 'state', 'opened_at')
local state = h[1] or 'closed'
local cooled = 0
if state == 'open' and now - tonumber(h[2] or '0') >= tonumber(ARGV[2]) then cooled = 1 end
return {state, cooled}
"""


class RedisBreakerBackend:
    """Breaker state shared through Redis. ``clock`` (optional, epoch seconds) replaces the server's
    time: for tests only."""

    def __init__(self, connection: RedisConnection | str, *, clock: Callable[[], float] | None = None) -> None:
        self.connection = connection if isinstance(connection, RedisConnection) else RedisConnection(connection)
        self._clock = clock

    def __repr__(self) -> str:
        return f"RedisBreakerBackend({self.connection!r})"

    def _now(self) -> str:
        return "" if self._clock is None else repr(self._clock())

    def _key(self, name: str) -> str:
        return self.connection.key("breaker", name)

    @staticmethod
    def _admission(answer: Any) -> Admission:
        probe, wait = answer
        text = wait.decode() if isinstance(wait, bytes) else str(wait)
        return Admission(probe=bool(int(probe)), wait=float(text) if text else None)

    def admit(self, name: str, settings: BreakerSettings) -> Admission:
        try:
            return self._admission(self.connection.script(_ADMIT)(
                keys=[self._key(name)], args=[self._now(), repr(settings.cooldown)]))
        except self.connection.errors as exc:
            self.connection.failed("breaker", exc)
            return Admission()

    async def aadmit(self, name: str, settings: BreakerSettings) -> Admission:
        try:
            return self._admission(await self.connection.ascript(_ADMIT)(
                keys=[self._key(name)], args=[self._now(), repr(settings.cooldown)]))
        except self.connection.errors as exc:
            self.connection.failed("breaker", exc)
            return Admission()

    def _settle_args(self, settings: BreakerSettings, failed: bool) -> list[Any]:
        return [self._now(), "1" if failed else "0", settings.failure_threshold, KEEP_SECONDS]

    def settle(self, name: str, settings: BreakerSettings, failed: bool) -> None:
        try:
            self.connection.script(_SETTLE)(keys=[self._key(name)], args=self._settle_args(settings, failed))
        except self.connection.errors as exc:
            self.connection.failed("breaker", exc)

    async def asettle(self, name: str, settings: BreakerSettings, failed: bool) -> None:
        try:
            await self.connection.ascript(_SETTLE)(keys=[self._key(name)], args=self._settle_args(settings, failed))
        except self.connection.errors as exc:
            self.connection.failed("breaker", exc)

    def release(self, name: str) -> None:
        try:
            self.connection.sync.hdel(self._key(name), "probe_started")
        except self.connection.errors as exc:
            self.connection.failed("breaker", exc)

    def snapshot(self, name: str, settings: BreakerSettings) -> tuple[State, bool]:
        try:
            state, cooled = self.connection.script(_SNAPSHOT)(keys=[self._key(name)],
                                                              args=[self._now(), repr(settings.cooldown)])
        except self.connection.errors as exc:
            self.connection.failed("breaker", exc)
            return State.CLOSED, False
        text = state.decode() if isinstance(state, bytes) else str(state)
        return State(text), bool(int(cooled))


__all__ = ["KEEP_SECONDS", "RedisBreakerBackend"]
