"""Load shedding for the checkout app: how many live carrier rounds may run at once.

Checkout promises an answer by its deadline. A live round costs the app's event loop CPU (building,
sending and parsing every carrier's request); past what the loop can do, each extra live round makes
every answer later, until all of them miss the deadline. So when the app is past its capacity, a new
checkout is answered at once from the backup rates (cache, table) without asking the carriers; its
errors say so (code ``checkout_busy``), like any other backup answer.

The capacity is found, not configured: an AIMD controller (as TCP's congestion window) driven by the
event loop's lag. A monitor task asks to wake every ``interval`` seconds; how late it wakes is the
lag. Each wake-up with a lag under ``max_lag`` raises the limit by ``increase`` (while the limit is
what holds checkouts back); one over it cuts the limit by ``decrease``, at most once per
``cut_every`` seconds, as TCP cuts its window once per round trip. A checkout runs live only while
fewer than ``limit`` live rounds are in flight. A slow or hung carrier costs no CPU and adds no lag,
so it never causes shedding (its breaker deals with it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

BUSY = "checkout_busy"
#: The lag tolerated by default, as a share of the app's deadline.
MAX_LAG_SHARE = 0.1


@dataclass(frozen=True)
class AdmissionSettings:
    """How the live-round limit moves: it starts at ``initial``, stays within ``minimum`` and
    ``maximum``, is cut by ``decrease`` when the lag exceeds ``max_lag`` (seconds; None: a tenth of
    the app's deadline, so the tolerance scales with what the shop waits) (at most once per
    ``cut_every`` seconds: a cut needs time to show) and grows by ``increase`` per ``interval``
    otherwise (0.1 per 25 ms: four live rounds more a second). ``enabled=False`` runs every checkout live."""

    initial: int = 8
    minimum: int = 2
    maximum: int = 1024
    max_lag: float | None = None
    interval: float = 0.025
    cut_every: float = 0.25
    increase: float = 0.1
    decrease: float = 0.7
    enabled: bool = True

    def __post_init__(self) -> None:
        if not 1 <= self.minimum <= self.initial <= self.maximum:
            raise ValueError("need 1 <= minimum <= initial <= maximum")
        lag = 1.0 if self.max_lag is None else self.max_lag
        if min(lag, self.interval, self.cut_every, self.increase) <= 0 or not 0 < self.decrease < 1:
            raise ValueError("max_lag, interval, cut_every and increase must be positive, decrease between 0 and 1")


class Admission:
    """The limit on live rounds and the rounds in flight. One per app, used from its event loop only."""

    def __init__(self, settings: AdmissionSettings | None = None, *, deadline: float = 1.0) -> None:
        self.settings = settings or AdmissionSettings()
        self.max_lag = self.settings.max_lag if self.settings.max_lag is not None else deadline * MAX_LAG_SHARE
        self.limit = float(self.settings.initial)
        self.in_flight = 0
        self.shed = 0  # checkouts answered without asking the carriers, since the start
        self._held_back = False  # a checkout was shed since the last controller step
        self._last_cut: float | None = None

    def try_enter(self) -> bool:
        """Whether a new checkout may run live; if so, call :meth:`leave` when its round ends."""
        if self.settings.enabled and self.in_flight >= int(self.limit):
            self.shed += 1
            self._held_back = True
            return False
        self.in_flight += 1
        return True

    def leave(self) -> None:
        self.in_flight -= 1

    def observe(self, lag: float, now: float) -> None:
        """One controller step for the event-loop lag (seconds) measured at ``now`` (monotonic seconds)."""
        s = self.settings
        if lag > self.max_lag:
            if self._last_cut is None or now - self._last_cut >= s.cut_every:
                self.limit = max(float(s.minimum), self.limit * s.decrease)
                self._last_cut = now
        elif self._held_back or self.in_flight >= int(self.limit):  # grow only when the limit binds
            self.limit = min(float(s.maximum), self.limit + s.increase)
        self._held_back = False

    async def monitor(self, *, clock: Callable[[], float] = time.monotonic,
                      sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        """Measure the loop's lag every ``interval`` seconds, forever (run it as a task; cancel to stop)."""
        interval = self.settings.interval
        while True:
            asked = clock()
            await sleep(interval)
            now = clock()
            self.observe(max(0.0, now - asked - interval), now)


__all__ = ["BUSY", "Admission", "AdmissionSettings"]
