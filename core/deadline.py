"""A deadline: the time a whole operation may take, shared by every attempt and every sleep."""

from __future__ import annotations

import time
from collections.abc import Callable

from carriergate.core.errors import DeadlineExceeded

Clock = Callable[[], float]

# How far past a deadline each layer waits for the layer below it, in seconds. Inner layers must
# finish first, so each grace is smaller than the next: HOOK_GRACE < ROUND_GRACE < SAFETY_MARGIN.
#: Coroutine event hooks may run this long past the call's deadline (then they are cancelled).
HOOK_GRACE = 0.02
#: A rate-shopping round waits this long past the deadline for each carrier's own verdict.
ROUND_GRACE = 0.05
#: The async gateway's safety-net timeout waits this long past the deadline for the executor.
SAFETY_MARGIN = 0.25


class Deadline:
    """``Deadline(2.0)`` expires two seconds from now; ``Deadline(None)`` never expires."""

    __slots__ = ("_clock", "_expires_at", "seconds")

    def __init__(self, seconds: float | None, *, clock: Clock = time.monotonic) -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError("deadline must be positive")
        self.seconds = seconds
        self._clock = clock
        self._expires_at = None if seconds is None else clock() + seconds

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None for no deadline."""
        if self._expires_at is None:
            return None
        return max(0.0, self._expires_at - self._clock())

    @property
    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def clamp(self, timeout: float) -> float:
        """``timeout`` shortened to what is left of the deadline."""
        remaining = self.remaining()
        return timeout if remaining is None else min(timeout, remaining)

    def check(self, carrier: str) -> None:
        if self.expired:
            raise DeadlineExceeded(f"deadline of {self.seconds}s exceeded", carrier=carrier, code="deadline")
