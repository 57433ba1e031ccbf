"""OAuth tokens in Redis, shared by every worker process, with a cross-process fetch lock.

:class:`RedisTokenStore` is a :class:`~carriergate.protocols.auth.tokens.TokenStore` (sync), an
:class:`~carriergate.protocols.auth.tokens.AsyncTokenStore` (awaited on the async path) and a
:class:`~carriergate.protocols.auth.tokens.TokenLease`, so ``OAuth2ClientCredentials`` over it makes one
token request per account for any number of processes on a cold cache:

- the lease is ``SET lock NX PX`` done in a Lua script that also ``INCR``\\ s the key's fence counter
  and stores that number as the lock's value (the fencing token);
- a token is written only while the fence counter still equals the writer's fence (a Lua script):
  a holder whose lease expired and was granted again cannot overwrite the newer holder's token;
- unlock deletes the lock only if it still holds the caller's fence;
- a crashed holder's lease simply expires after ``lease_seconds``; a waiter then takes it.

Keys: ``<prefix>:token:<cache key>`` (and ``token-lock:``, ``token-fence:``), where the cache key is
the auth flow's own (carrier, token URL, client id and a keyed fingerprint of the secret: never the
secret). The fingerprint key every process must share is kept in Redis itself (made once, ``SET NX``):
whoever can read it can read the tokens anyway, while a cache key seen in a log stays useless for
testing guesses of the secret. The token itself is stored as JSON and expires with it.
"""

from __future__ import annotations

import asyncio
import json
import random
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from carriergate.protocols.auth.tokens import Token
from carriergate.stores.connection import RedisConnection

_LOCK = """
if redis.call('exists', KEYS[1]) == 1 then return 0 end
local fence = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], fence, 'PX', ARGV[1])
return fence
"""
_SET_FENCED = """
if redis.call('get', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
"""
_UNLOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""
#: try_lock's answer when Redis cannot be asked: fetch without a lease (and store unfenced).
NO_LEASE = 0


def _encode(token: Token) -> str:
    return json.dumps({"access_token": token.access_token, "expires_at": token.expires_at,
                       "token_type": token.token_type})


def _decode(raw: Any) -> Token | None:
    if raw is None:
        return None
    try:
        data = json.loads(raw)
        return Token(access_token=str(data["access_token"]), expires_at=float(data["expires_at"]),
                     token_type=str(data.get("token_type") or "Bearer"))
    except (ValueError, TypeError, KeyError):
        return None  # unreadable: a miss, the flow fetches a fresh one


class RedisTokenStore:
    """``RedisTokenStore(RedisConnection(url))``. ``lease_seconds``: how long a fetch may hold the lock
    (past it another process fetches too); ``max_wait``: the longest a waiter waits for another's
    fetch; pauses between its looks grow from ``first_pause`` to ``max_pause`` (with jitter).
    ``clock`` is the wall clock the tokens' ``expires_at`` is on (the auth flows' clock)."""

    def __init__(self, connection: RedisConnection | str, *, fingerprint_key: bytes | None = None,
                 lease_seconds: float = 5.0, max_wait: float = 30.0, first_pause: float = 0.01,
                 max_pause: float = 0.1, clock: Callable[[], float] = time.time,
                 sleep: Callable[[float], None] = time.sleep,
                 asleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if lease_seconds <= 0 or max_wait <= 0 or first_pause <= 0 or max_pause < first_pause:
            raise ValueError("lease_seconds, max_wait and pauses must be positive (max_pause >= first_pause)")
        self.connection = connection if isinstance(connection, RedisConnection) else RedisConnection(connection)
        self.lease_seconds = lease_seconds
        self.max_wait = max_wait
        self.first_pause = first_pause
        self.max_pause = max_pause
        self.clock = clock
        self._sleep = sleep
        self._asleep = asleep
        self.fingerprint_key = fingerprint_key if fingerprint_key is not None else self._shared_key()

    def __repr__(self) -> str:
        return f"RedisTokenStore({self.connection!r})"

    def _shared_key(self) -> bytes:
        """The fingerprint key every process over this Redis uses: made by the first, read by the rest."""
        key = self.connection.key("token-fingerprint-key")
        unreadable: tuple[type[BaseException], ...] = (*self.connection.errors, AttributeError, ValueError)
        try:
            self.connection.sync.set(key, secrets.token_hex(32), nx=True)
            raw = self.connection.sync.get(key)
            return bytes.fromhex(raw.decode("ascii"))
        except unreadable as exc:
            self.connection.failed("token store", exc)
            return secrets.token_bytes(32)  # tokens then stay per process, still safe

    def _keys(self, key: str) -> tuple[str, str, str]:
        c = self.connection
        return c.key("token", key), c.key("token-lock", key), c.key("token-fence", key)

    def _ttl_ms(self, token: Token) -> int:
        return max(1000, int((token.expires_at - self.clock()) * 1000))

    # -- TokenStore ---------------------------------------------------------------------------

    def get(self, key: str) -> Token | None:
        try:
            return _decode(self.connection.sync.get(self._keys(key)[0]))
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)
            return None

    def set(self, key: str, token: Token) -> None:
        try:
            self.connection.sync.set(self._keys(key)[0], _encode(token), px=self._ttl_ms(token))
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)

    def delete(self, key: str) -> None:
        try:
            self.connection.sync.delete(self._keys(key)[0])
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)

    # -- AsyncTokenStore ----------------------------------------------------------------------

    async def aget(self, key: str) -> Token | None:
        try:
            return _decode(await self.connection.aclient().get(self._keys(key)[0]))
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)
            return None

    async def aset(self, key: str, token: Token) -> None:
        try:
            await self.connection.aclient().set(self._keys(key)[0], _encode(token), px=self._ttl_ms(token))
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)

    async def adelete(self, key: str) -> None:
        try:
            await self.connection.aclient().delete(self._keys(key)[0])
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)

    # -- TokenLease ---------------------------------------------------------------------------

    def try_lock(self, key: str) -> int | None:
        _, lock, fence = self._keys(key)
        try:
            granted = int(self.connection.script(_LOCK)(keys=[lock, fence], args=[int(self.lease_seconds * 1000)]))
        except self.connection.errors as exc:
            self.connection.failed("token lock", exc)
            return NO_LEASE
        return granted or None

    async def atry_lock(self, key: str) -> int | None:
        _, lock, fence = self._keys(key)
        try:
            granted = int(await self.connection.ascript(_LOCK)(keys=[lock, fence],
                                                                args=[int(self.lease_seconds * 1000)]))
        except self.connection.errors as exc:
            self.connection.failed("token lock", exc)
            return NO_LEASE
        return granted or None

    def set_fenced(self, key: str, token: Token, fence: int) -> bool:
        if fence == NO_LEASE:
            self.set(key, token)
            return True
        stored, _, counter = self._keys(key)
        try:
            return bool(self.connection.script(_SET_FENCED)(
                keys=[stored, counter], args=[fence, _encode(token), self._ttl_ms(token)]))
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)
            return False

    async def aset_fenced(self, key: str, token: Token, fence: int) -> bool:
        if fence == NO_LEASE:
            await self.aset(key, token)
            return True
        stored, _, counter = self._keys(key)
        try:
            return bool(await self.connection.ascript(_SET_FENCED)(
                keys=[stored, counter], args=[fence, _encode(token), self._ttl_ms(token)]))
        except self.connection.errors as exc:
            self.connection.failed("token store", exc)
            return False

    def unlock(self, key: str, fence: int) -> None:
        if fence == NO_LEASE:
            return
        try:
            self.connection.script(_UNLOCK)(keys=[self._keys(key)[1]], args=[fence])
        except self.connection.errors as exc:
            self.connection.failed("token lock", exc)  # the lease expires by itself

    async def aunlock(self, key: str, fence: int) -> None:
        if fence == NO_LEASE:
            return
        try:
            await self.connection.ascript(_UNLOCK)(keys=[self._keys(key)[1]], args=[fence])
        except self.connection.errors as exc:
            self.connection.failed("token lock", exc)

    def _pause_for(self, attempt: int) -> float:
        delay = min(self.max_pause, self.first_pause * 1.5 ** max(0, attempt - 1))
        return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not cryptography

    def pause(self, attempt: int) -> float:
        delay = self._pause_for(attempt)
        self._sleep(delay)
        return delay

    async def apause(self, attempt: int) -> float:
        delay = self._pause_for(attempt)
        await self._asleep(delay)
        return delay


__all__ = ["NO_LEASE", "RedisTokenStore"]
