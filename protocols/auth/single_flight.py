"""The locks behind "one token request for any number of callers": in-process and across processes.

:class:`_FetchLocks` serialise fetches for one (store, cache key) within a process: one
``threading.Lock`` for threads, one ``asyncio.Lock`` per event loop (see :mod:`.oauth2` for why the
two never wait on each other). A store that offers a lease (:class:`~.tokens.TokenLease`, the Redis
store) adds the cross-process step taken under them; :class:`LeaseWait` bounds how long a process
waits for another one's fetch.
"""

from __future__ import annotations

import asyncio
import threading
import weakref
from typing import Any, ClassVar

import httpx

from carriergate.core.errors import CarrierUnavailable
from carriergate.protocols.auth.tokens import TokenLease, TokenStore

#: Error code of a wait for another process's token fetch that ran out.
TOKEN_WAIT = "token_wait"  # noqa: S105 - an error code, not a secret


class _FetchLocks:
    """The locks that serialise token fetches for one (store, cache key). Every auth object built over
    the same store and credentials shares them, so a carrier that builds its auth per call still makes
    one token request. Stores that cannot be weakly referenced get private locks. A store that offers a
    lease (:class:`TokenLease`) is kept as ``shared``: the cross-process step taken under these locks."""

    _registry: ClassVar[weakref.WeakKeyDictionary[Any, dict[str, _FetchLocks]]] = weakref.WeakKeyDictionary()
    _registry_guard: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, shared: TokenLease | None = None) -> None:
        self.shared = shared
        self.thread_lock = threading.Lock()
        self._loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary())
        self._guard = threading.Lock()

    @classmethod
    def for_store(cls, store: TokenStore, cache_key: str) -> _FetchLocks:
        shared = store if isinstance(store, TokenLease) else None
        with cls._registry_guard:
            try:
                by_key = cls._registry.setdefault(store, {})
            except TypeError:  # not hashable or not weakly referenceable
                return cls(shared)
            return by_key.setdefault(cache_key, cls(shared))

    def loop_lock(self) -> asyncio.Lock:
        """The asyncio.Lock of the running event loop, created on first use."""
        loop = asyncio.get_running_loop()
        with self._guard:
            lock = self._loop_locks.get(loop)
            if lock is None:
                lock = self._loop_locks[loop] = asyncio.Lock()
            return lock


def _read_timeout(request: httpx.Request | None) -> float | None:
    timeout = request.extensions.get("timeout") if request is not None else None
    read = timeout.get("read") if isinstance(timeout, dict) else None
    return float(read) if isinstance(read, int | float) else None


class LeaseWait:
    """How long one caller waits for another process's token fetch: the store's ``max_wait``, or the
    read timeout of the request it authorises if shorter (the executor clamps that to what is left of
    the call's deadline). Waiting is counted in the seconds the store's pauses took, not read off a
    clock, so a test's instant pause cannot make a caller wait for ever."""

    def __init__(self, lease: TokenLease, request: httpx.Request | None = None) -> None:
        read = _read_timeout(request)
        self.lease = lease
        self.limit = lease.max_wait if read is None else min(lease.max_wait, read)
        self.waited = 0.0
        self.pauses = 0

    def _check(self, carrier: str) -> None:
        if self.waited >= self.limit:
            raise CarrierUnavailable(f"another worker's token request did not finish within {self.limit:.1f}s",
                                     carrier=carrier, code=TOKEN_WAIT)
        self.pauses += 1

    def pause(self, carrier: str) -> None:
        """Wait before the next look at the store, or raise ``CarrierUnavailable(code="token_wait")``
        once the wait is spent."""
        self._check(carrier)
        self.waited += max(self.lease.pause(self.pauses), 1e-3)

    async def apause(self, carrier: str) -> None:
        """:meth:`pause`, awaited."""
        self._check(carrier)
        self.waited += max(await self.lease.apause(self.pauses), 1e-3)


__all__ = ["TOKEN_WAIT", "LeaseWait"]
