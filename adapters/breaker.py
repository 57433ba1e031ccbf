"""Circuit breakers per carrier account and operation class: a call's kind, "read" (rate, track, look-ups)
or "write" (labels, pickups, voids).

A breaker opens after ``failure_threshold`` consecutive carrier-down failures (timeouts, connection
errors, 5xx: :class:`CarrierUnavailable` and :class:`OutcomeUnknown`); an answer of any other kind
(4xx, auth, not found, rate limited) proves the carrier is up and resets the count. While open,
calls fail fast with ``CarrierUnavailable(code="breaker_open")`` without sending. After ``cooldown``
seconds one probe is let through (half-open): success closes the breaker, failure re-opens it.

A breaker's state lives in a :class:`BreakerBackend`: in memory by default (it only takes a lock for a
few assignments and never blocks, so one registry serves the sync executor's threads and the async
executor's event loop), or shared between worker processes (``carriergate.stores.breaker``), so one
worker's detection of a dead carrier spares the others and only one worker sends the half-open probe.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

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


@dataclass(frozen=True)
class Admission:
    """A backend's answer to "may this attempt go?": ``wait`` None lets it go (``probe``: as the
    half-open probe); a number says the breaker is open and the next probe goes in ``wait`` s."""

    probe: bool = False
    wait: float | None = None


@runtime_checkable
class BreakerBackend(Protocol):
    """Where breakers keep their state. One backend serves every breaker of a registry; the shared one
    (``carriergate.stores.breaker``, Redis) lets one worker's open breaker spare every other worker.
    ``admit`` lets an attempt go or not (granting the half-open probe to one caller only), ``settle``
    records its verdict (``failed``: the carrier is down), ``release`` frees the probe slot of an
    attempt that ended without a verdict, ``snapshot`` gives (state, cooled down)."""

    def admit(self, name: str, settings: BreakerSettings) -> Admission: ...

    def settle(self, name: str, settings: BreakerSettings, failed: bool) -> None: ...

    def release(self, name: str) -> None: ...

    def snapshot(self, name: str, settings: BreakerSettings) -> tuple[State, bool]: ...

    async def aadmit(self, name: str, settings: BreakerSettings) -> Admission: ...

    async def asettle(self, name: str, settings: BreakerSettings, failed: bool) -> None: ...


@dataclass
class _Cell:
    state: State = State.CLOSED
    failures: int = 0
    opened_at: float = 0.0
    probe_started: float | None = None


class MemoryBreakerBackend:
    """Breaker state in this process (the default). It only takes a lock for a few assignments and
    never blocks, so one backend serves the sync executor's threads and the async executor's loop."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._cells: dict[str, _Cell] = {}

    def _cell(self, name: str) -> _Cell:
        cell = self._cells.get(name)
        if cell is None:
            cell = self._cells[name] = _Cell()
        return cell

    def admit(self, name: str, settings: BreakerSettings) -> Admission:
        with self._lock:
            cell = self._cell(name)
            if cell.state is State.CLOSED:
                return Admission()
            now = self._clock()
            probe_stale = cell.probe_started is not None and now - cell.probe_started >= settings.cooldown
            if (cell.state is State.OPEN and now - cell.opened_at >= settings.cooldown) or (
                    cell.state is State.HALF_OPEN and (cell.probe_started is None or probe_stale)):
                cell.state = State.HALF_OPEN
                cell.probe_started = now
                return Admission(probe=True)
            return Admission(wait=max(0.0, settings.cooldown - (now - cell.opened_at)))

    def settle(self, name: str, settings: BreakerSettings, failed: bool) -> None:
        with self._lock:
            cell = self._cell(name)
            if not failed:
                if cell.state is not State.CLOSED:
                    logger.debug("breaker %s closed", name)
                cell.state, cell.failures, cell.probe_started = State.CLOSED, 0, None
                return
            cell.failures += 1
            if cell.state is State.HALF_OPEN or cell.failures >= settings.failure_threshold:
                if cell.state is not State.OPEN:
                    logger.debug("breaker %s open after %d failure(s)", name, cell.failures)
                cell.state, cell.opened_at, cell.probe_started = State.OPEN, self._clock(), None

    def release(self, name: str) -> None:
        with self._lock:
            self._cell(name).probe_started = None

    def snapshot(self, name: str, settings: BreakerSettings) -> tuple[State, bool]:
        with self._lock:
            cell = self._cell(name)
            cooled = cell.state is State.OPEN and self._clock() - cell.opened_at >= settings.cooldown
            return cell.state, cooled

    async def aadmit(self, name: str, settings: BreakerSettings) -> Admission:
        return self.admit(name, settings)

    async def asettle(self, name: str, settings: BreakerSettings, failed: bool) -> None:
        self.settle(name, settings, failed)


class CircuitBreaker:
    """One breaker. :meth:`acquire` before sending, then exactly one of :meth:`success`,
    :meth:`failure` or :meth:`release` (attempt abandoned, e.g. cancelled). Its state lives in
    ``backend`` (default: its own, in memory); ``a``-prefixed twins await a backend's I/O."""

    def __init__(self, name: str, settings: BreakerSettings, *, clock: Clock = time.monotonic,
                 backend: BreakerBackend | None = None) -> None:
        self.name = name
        self.settings = settings
        self.backend: BreakerBackend = backend if backend is not None else MemoryBreakerBackend(clock)

    @property
    def state(self) -> State:
        return self.backend.snapshot(self.name, self.settings)[0]

    @property
    def cooled_down(self) -> bool:
        """An open breaker whose cooldown has passed: its next attempt is the half-open probe."""
        return self.backend.snapshot(self.name, self.settings)[1]

    def _admitted(self, admission: Admission, carrier: str) -> bool:
        if admission.wait is not None:
            raise CarrierUnavailable(f"circuit breaker open after repeated failures; next probe in "
                                     f"{admission.wait:.1f}s", carrier=carrier, code=BREAKER_OPEN)
        if admission.probe:
            logger.debug("breaker %s half-open: probing", self.name)
        return admission.probe

    def acquire(self, carrier: str) -> bool:
        """Allow one attempt or raise ``CarrierUnavailable(code="breaker_open")``. Returns True when
        the attempt is the half-open probe."""
        return self._admitted(self.backend.admit(self.name, self.settings), carrier)

    async def aacquire(self, carrier: str) -> bool:
        """:meth:`acquire`, awaiting the backend."""
        return self._admitted(await self.backend.aadmit(self.name, self.settings), carrier)

    def success(self) -> None:
        self.backend.settle(self.name, self.settings, False)

    def failure(self) -> None:
        self.backend.settle(self.name, self.settings, True)

    def release(self) -> None:
        """The attempt ended without a verdict (cancelled): free the probe slot, change nothing else."""
        self.backend.release(self.name)

    def record(self, error: CarrierError | None) -> None:
        """Settle an attempt: None or a carrier-is-up error is a success; a carrier-down one a failure.
        A deadline that ran out is a failure too: the carrier did not answer in the time we had."""
        self.backend.settle(self.name, self.settings, error is not None and is_carrier_down(error))

    async def arecord(self, error: CarrierError | None) -> None:
        """:meth:`record`, awaiting the backend."""
        await self.backend.asettle(self.name, self.settings, error is not None and is_carrier_down(error))


class BreakerRegistry:
    """All breakers of one gateway, created on first use, keyed by (account alias, operation class)."""

    def __init__(self, settings: BreakerSettings | None = None, *, clock: Clock = time.monotonic,
                 classify: Callable[[Call[Any]], str] = operation_class,
                 backend: BreakerBackend | None = None) -> None:
        self.settings = settings or BreakerSettings()
        self._clock = clock
        self.backend: BreakerBackend = backend if backend is not None else MemoryBreakerBackend(clock)
        self._classify = classify
        self._lock = threading.Lock()
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}

    def get(self, carrier: str, operation_class: str) -> CircuitBreaker:
        key = (carrier, operation_class)
        with self._lock:
            breaker = self._breakers.get(key)
            if breaker is None:
                breaker = self._breakers[key] = CircuitBreaker(f"{carrier}/{operation_class}", self.settings,
                                                               clock=self._clock, backend=self.backend)
            return breaker

    def states(self, accounts: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
        """The state of every breaker made so far: ``{account: {"read": "closed", "write": "open"}}``
        (``half_open`` once an open breaker's cooldown has passed and its probe may go). With
        ``accounts``, the read and write breakers of each of them, as the backend holds them (with a
        shared backend: what other workers found too)."""
        if accounts is not None:
            for account in accounts:
                for kind in ("read", "write"):
                    self.get(account, kind)
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
