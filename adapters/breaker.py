"""Circuit breakers per carrier account and operation class: a call's kind, "read" (rate, track, look-ups)
or "write" (labels, pickups, voids).

A breaker opens after ``failure_threshold`` consecutive carrier-down failures (timeouts, connection
errors, 5xx: :class:`CarrierUnavailable` and :class:`OutcomeUnknown`); an answer of any other kind
(4xx, auth, not found, rate limited) proves the carrier is up and resets the count. While open,
calls fail fast with ``CarrierUnavailable(code="breaker_open")`` without sending. After ``cooldown``
seconds one probe is let through (half-open): success closes the breaker, failure re-opens it.

Breakers only take a lock for a few assignments and never block, so the same registry serves the
sync executor's threads and the async executor's event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from carriergate.adapters.retry import BREAKER_OPEN
from carriergate.core.contract import Call
from carriergate.core.errors import CarrierError, CarrierUnavailable, OutcomeUnknown

logger = logging.getLogger("carriergate.breaker")
Clock = Callable[[], float]


def operation_class(call: Call[Any]) -> str:
    """The breaker class of ``call``: its kind, ``"read"`` or ``"write"``, as the carrier declared it."""
    return call.kind


class State(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerSettings:
    """``failure_threshold`` consecutive carrier-down failures open a breaker for ``cooldown`` s."""

    failure_threshold: int = 5
    cooldown: float = 30.0
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.failure_threshold < 1 or self.cooldown < 0:
            raise ValueError("failure_threshold must be >= 1 and cooldown >= 0")


def is_carrier_down(error: CarrierError) -> bool:
    """Whether ``error`` says the carrier is down (and so counts towards opening the breaker)."""
    return isinstance(error, CarrierUnavailable | OutcomeUnknown) and error.code != BREAKER_OPEN


class CircuitBreaker:
    """One breaker. :meth:`acquire` before sending, then exactly one of :meth:`success`,
    :meth:`failure` or :meth:`release` (attempt abandoned, e.g. cancelled)."""

    def __init__(self, name: str, settings: BreakerSettings, *, clock: Clock = time.monotonic) -> None:
        self.name = name
        self.settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._state = State.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._probe_started: float | None = None

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    @property
    def cooled_down(self) -> bool:
        """An open breaker whose cooldown has passed: its next attempt is the half-open probe."""
        with self._lock:
            return self._state is State.OPEN and self._clock() - self._opened_at >= self.settings.cooldown

    def acquire(self, carrier: str) -> bool:
        """Allow one attempt or raise ``CarrierUnavailable(code="breaker_open")``. Returns True when
        the attempt is the half-open probe."""
        with self._lock:
            if self._state is State.CLOSED:
                return False
            now = self._clock()
            probe_stale = self._probe_started is not None and now - self._probe_started >= self.settings.cooldown
            if (self._state is State.OPEN and now - self._opened_at >= self.settings.cooldown) or (
                    self._state is State.HALF_OPEN and (self._probe_started is None or probe_stale)):
                self._state = State.HALF_OPEN
                self._probe_started = now
                logger.debug("breaker %s half-open: probing", self.name)
                return True
            wait = max(0.0, self.settings.cooldown - (now - self._opened_at))
        raise CarrierUnavailable(f"circuit breaker open after repeated failures; next probe in {wait:.1f}s",
                                 carrier=carrier, code=BREAKER_OPEN)

    def success(self) -> None:
        with self._lock:
            if self._state is not State.CLOSED:
                logger.debug("breaker %s closed", self.name)
            self._state = State.CLOSED
            self._failures = 0
            self._probe_started = None

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._state is State.HALF_OPEN or self._failures >= self.settings.failure_threshold:
                if self._state is not State.OPEN:
                    logger.debug("breaker %s open after %d failure(s)", self.name, self._failures)
                self._state = State.OPEN
                self._opened_at = self._clock()
                self._probe_started = None

    def release(self) -> None:
        """The attempt ended without a verdict (cancelled): free the probe slot, change nothing else."""
        with self._lock:
            self._probe_started = None

    def record(self, error: CarrierError | None) -> None:
        """Settle an attempt: None or a carrier-is-up error is a success; a carrier-down one a failure.
        A deadline that ran out is a failure too: the carrier did not answer in the time we had."""
        if error is None or not is_carrier_down(error):
            self.success()
        else:
            self.failure()


class BreakerRegistry:
    """All breakers of one gateway, created on first use, keyed by (account alias, operation class)."""

    def __init__(self, settings: BreakerSettings | None = None, *, clock: Clock = time.monotonic,
                 classify: Callable[[Call[Any]], str] = operation_class) -> None:
        self.settings = settings or BreakerSettings()
        self._clock = clock
        self._classify = classify
        self._lock = threading.Lock()
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}

    def get(self, carrier: str, operation_class: str) -> CircuitBreaker:
        key = (carrier, operation_class)
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = self._breakers[key] = CircuitBreaker(f"{carrier}/{operation_class}", self.settings,
                                                               clock=self._clock)
            return breaker

    def states(self) -> dict[str, dict[str, str]]:
        """The state of every breaker made so far: ``{account: {"read": "closed", "write": "open"}}``
        (``half_open`` once an open breaker's cooldown has passed and its probe may go)."""
        with self._lock:
            breakers = dict(self._breakers)
        out: dict[str, dict[str, str]] = {}
        for (carrier, kind), breaker in breakers.items():
            state = breaker.state
            if state is State.OPEN and breaker.cooled_down:
                state = State.HALF_OPEN
            out.setdefault(carrier, {})[kind] = state.value
        return out

    def for_call(self, carrier: str, call: Call[Any]) -> CircuitBreaker | None:
        if not self.settings.enabled:
            return None
        return self.get(carrier, self._classify(call))
