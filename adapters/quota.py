"""Carrier quotas: how many requests a second one carrier account may send, honoured before each attempt.

The executor asks the :class:`RateLimiter` for a slot before every attempt of every call
(:meth:`RateLimiter.reserve`) and waits for it, within the call's deadline: a slot that would come
after the deadline is not taken, and the attempt fails at once with ``RateLimited(code="quota")``.
A 429 from the carrier pauses the account (:meth:`RateLimiter.pause`, for its Retry-After or
:data:`DEFAULT_429_PAUSE`): no slot is given before the pause ends, to any caller of the limiter.

The algorithm is GCRA (the generic cell rate algorithm, a leaky bucket kept as one timestamp per
account, the "theoretical arrival time"): with ``burst`` 1 requests go out at least ``1/rate``
apart, so any window of ``w`` seconds sees at most ``rate * w + 1`` of them. An account without a
quota has an infinite rate: it waits only for a pause. :class:`MemoryRateLimiter` (the default)
counts within one process; ``carriergate.stores.quota`` runs the same algorithm in Redis, so every
worker process shares one budget per account.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

#: Seconds an account is paused after a 429 that names no Retry-After.
DEFAULT_429_PAUSE = 1.0
#: The error code of an attempt that found no slot within its deadline.
QUOTA = "quota"


@dataclass(frozen=True)
class Quota:
    """``rate`` requests a second (None: no limit), up to ``burst`` at once."""

    rate: float | None
    burst: int = 1

    def __post_init__(self) -> None:
        if self.rate is not None and not self.rate > 0:
            raise ValueError("a quota's rate must be greater than zero")
        if self.burst < 1:
            raise ValueError("a quota's burst must be at least 1")

    @property
    def interval(self) -> float:
        """Seconds between two requests at the steady rate (0 without a limit)."""
        return 0.0 if self.rate is None else 1.0 / self.rate

    @property
    def tolerance(self) -> float:
        """How far ahead of the steady rate a burst may run."""
        return self.interval * (self.burst - 1)


#: The quota of an account that has none: it only ever waits for a 429's pause.
UNLIMITED = Quota(None)


@dataclass(frozen=True)
class Slot:
    """A limiter's answer: ``granted`` with ``wait`` seconds to wait before sending, or not granted
    (nothing reserved) because the first free slot is ``wait`` seconds away, past the caller's limit."""

    granted: bool
    wait: float


@runtime_checkable
class RateLimiter(Protocol):
    """Request slots per carrier account (``key``: the account's alias), shared by every caller of
    one limiter. ``reserve`` takes the next slot if it comes within ``max_wait`` seconds (None: any);
    ``pause`` gives no slot for ``seconds``; the ``a``-prefixed twins await a limiter's I/O."""

    def reserve(self, key: str, quota: Quota, max_wait: float | None) -> Slot: ...

    def pause(self, key: str, quota: Quota, seconds: float) -> None: ...

    async def areserve(self, key: str, quota: Quota, max_wait: float | None) -> Slot: ...

    async def apause(self, key: str, quota: Quota, seconds: float) -> None: ...


class MemoryRateLimiter:
    """GCRA in this process: one timestamp per account under a lock held for a few arithmetic steps
    (never while waiting), so one limiter serves threads and event loops alike."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tat: dict[str, float] = {}  # theoretical arrival time of the next request, per account

    def reserve(self, key: str, quota: Quota, max_wait: float | None) -> Slot:
        with self._lock:
            now = self._clock()
            tat = max(self._tat.get(key, now), now)
            wait = max(0.0, tat - quota.tolerance - now)
            if max_wait is not None and wait > max_wait:
                return Slot(False, wait)
            if quota.interval or key in self._tat:
                self._tat[key] = tat + quota.interval
            return Slot(True, wait)

    def pause(self, key: str, quota: Quota, seconds: float) -> None:
        with self._lock:
            resume = self._clock() + max(0.0, seconds) + quota.tolerance
            self._tat[key] = max(self._tat.get(key, resume), resume)

    async def areserve(self, key: str, quota: Quota, max_wait: float | None) -> Slot:
        return self.reserve(key, quota, max_wait)

    async def apause(self, key: str, quota: Quota, seconds: float) -> None:
        self.pause(key, quota, seconds)

    def __repr__(self) -> str:
        with self._lock:
            return f"MemoryRateLimiter(accounts={len(self._tat)})"


__all__ = ["DEFAULT_429_PAUSE", "QUOTA", "UNLIMITED", "MemoryRateLimiter", "Quota", "RateLimiter", "Slot"]
