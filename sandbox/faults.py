"""Fault injection for the sandbox: slow, hung, failing, rate-limited, lossy or garbled carriers.

Faults are configuration, per carrier::

    faults = Faults(seed=7, carriers={
        "ups": CarrierFaults(latency=0.2, hang=FaultRule(first=1)),
        "fedex": CarrierFaults(server_error=ServerErrorRule(probability=0.3)),
    })

Each rule fires for the carrier's first ``first`` requests and, after those, with ``probability``
(a seeded random generator per carrier: the same seed gives the same faults). ``paths`` narrows a
rule to request paths below the carrier prefix that start with one of them. At most one fault fires
per request, checked in this order: hang, server error, rate limited, malformed, truncated, lost
response. ``latency`` is added to every request that is answered.

- hang: never answers. In-process the transport sleeps for the request's read timeout (counted from
  sending, so the latency is not added to it), then raises ``httpx.ReadTimeout``; the loopback server
  holds the connection open.
- server_error: an HTTP 5xx (``status``, default 503) without reaching the emulator.
- rate_limited: HTTP 429 with ``Retry-After: retry_after``.
- malformed: the emulator answers, its body is replaced by bytes that are not JSON or XML.
- truncated: the emulator answers, its body is cut in half.
- lost_response: the emulator performs the request (a label is created), then the answer is lost:
  ``httpx.ReadTimeout`` (``error="read_timeout"``) or ``httpx.RemoteProtocolError`` (``"disconnect"``).
"""

from __future__ import annotations

import asyncio
import contextvars
import random
import threading
import time
import tomllib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import httpx
import pydantic
from pydantic import BaseModel, ConfigDict, Field

from carriergate.core.errors import ConfigurationError
from carriergate.sandbox.base import Emulator, SandboxTransport, json_response

#: How long a hang lasts when the request carries no timeout (seconds).
MAX_HANG = 300.0

FaultKind = Literal["hang", "server_error", "rate_limited", "malformed", "truncated", "lost_response"]
ORDER: tuple[FaultKind, ...] = ("hang", "server_error", "rate_limited", "malformed", "truncated", "lost_response")
MALFORMED_BODY = b"\x00<<not the carrier's format>>"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FaultRule(_Strict):
    first: int = Field(default=0, ge=0)
    probability: float = Field(default=0.0, ge=0.0, le=1.0)
    paths: list[str] | None = None


class ServerErrorRule(FaultRule):
    status: int = Field(default=503, ge=500, le=599)


class RateLimitRule(FaultRule):
    retry_after: int = Field(default=1, ge=0)


class LostResponseRule(FaultRule):
    error: Literal["read_timeout", "disconnect"] = "read_timeout"


class CarrierFaults(_Strict):
    latency: float = Field(default=0.0, ge=0.0, le=60.0)
    hang: FaultRule | None = None
    server_error: ServerErrorRule | None = None
    rate_limited: RateLimitRule | None = None
    malformed: FaultRule | None = None
    truncated: FaultRule | None = None
    lost_response: LostResponseRule | None = None


class Faults(_Strict):
    """``seed`` and one :class:`CarrierFaults` per carrier. In TOML: ``seed = 7`` then
    ``[carriers.ups]`` tables (``latency = 0.2``, ``hang = { first = 1 }``, ...)."""

    seed: int = 0
    carriers: dict[str, CarrierFaults] = Field(default_factory=dict)

    @classmethod
    def from_toml(cls, path: str | Path) -> Faults:
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
            return cls.model_validate(data.get("faults", data))
        except (OSError, tomllib.TOMLDecodeError, pydantic.ValidationError) as exc:
            raise ConfigurationError(f"faults {str(file)!r}: {exc}", code="configuration") from None


@dataclass(frozen=True)
class Decision:
    """What to do to one request: wait ``latency`` seconds, then the fault (None: answer normally)."""

    latency: float
    fault: FaultKind | None
    rule: FaultRule | None = None


class FaultInjector:
    """Decides, request by request and deterministically, which fault each carrier suffers."""

    def __init__(self, faults: Faults | None = None) -> None:
        self.faults = faults or Faults()
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}
        self._random = {name: random.Random(f"{self.faults.seed}:{name}")  # noqa: S311 - not security
                        for name in self.faults.carriers}

    def decide(self, carrier: str, path: str) -> Decision:
        config = self.faults.carriers.get(carrier)
        if config is None:
            return Decision(0.0, None)
        with self._lock:
            for kind in ORDER:
                rule: FaultRule | None = getattr(config, kind)
                if rule is None or (rule.paths is not None and not path.startswith(tuple(rule.paths))):
                    continue
                count = self._counts[(carrier, kind)] = self._counts.get((carrier, kind), 0) + 1
                if count <= rule.first or (rule.probability and self._random[carrier].random() < rule.probability):
                    return Decision(config.latency, kind, rule)
        return Decision(config.latency, None)


def hang_seconds(request: httpx.Request) -> float:
    """How long a hung request waits: its read timeout, else :data:`MAX_HANG`."""
    timeout = request.extensions.get("timeout") or {}
    read = timeout.get("read") if isinstance(timeout, Mapping) else None
    return float(read) if isinstance(read, int | float) else MAX_HANG


def error_response(decision: Decision) -> httpx.Response | None:
    """The answer of a fault that never reaches the emulator (5xx, 429), else None."""
    rule = decision.rule
    if decision.fault == "server_error" and isinstance(rule, ServerErrorRule):
        return json_response(rule.status, {"error": "sandbox fault: server error"})
    if decision.fault == "rate_limited" and isinstance(rule, RateLimitRule):
        return json_response(429, {"error": "sandbox fault: rate limited"}, {"retry-after": str(rule.retry_after)})
    return None


def garble(decision: Decision, response: httpx.Response) -> httpx.Response:
    """The emulator's answer, malformed or truncated if the decision says so."""
    if decision.fault not in ("malformed", "truncated"):
        return response
    content = response.read()
    body = MALFORMED_BODY if decision.fault == "malformed" else content[: len(content) // 2]
    headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")]
    return httpx.Response(response.status_code, headers=headers, content=body)


def lost(decision: Decision, request: httpx.Request) -> httpx.TransportError:
    rule = decision.rule
    if isinstance(rule, LostResponseRule) and rule.error == "disconnect":
        return httpx.RemoteProtocolError("sandbox fault: server disconnected without a response", request=request)
    return httpx.ReadTimeout("sandbox fault: the response was lost", request=request)


class SimulatedTime:
    """Waiting without waiting, for the in-process transport: give :meth:`sleep` / :meth:`asleep` to
    :class:`FaultySandboxTransport` (and to the gateway), and :meth:`clock` to the gateway::

        sim = SimulatedTime()
        transport = FaultySandboxTransport(emulators, faults, sleep=sim.sleep, async_sleep=sim.asleep)
        gw = cg.Gateway(config, transport=transport, clock=sim.clock, sleep=sim.sleep)

    A sleep returns at once and moves the clock forward by its length instead, so a hang "lasts"
    its read timeout and the deadline of the flow that hung expires. The advance is local to the
    thread or asyncio task that slept (a context variable): concurrent flows keep real time. A pool
    thread keeps its advance for the next work it runs, so queue nothing behind a flow that waits
    (the sync gateway submits carriers in the order asked: ask that one last). Every sleep is
    recorded in :attr:`slept`. The defaults of the transport stay real sleeps.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._real = clock
        self._offset: contextvars.ContextVar[float] = contextvars.ContextVar(f"simulated-{id(self)}", default=0.0)
        self._lock = threading.Lock()
        self.slept: list[float] = []

    def clock(self) -> float:
        """The real clock plus every sleep simulated so far in this thread or task."""
        return self._real() + self._offset.get()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
        self._offset.set(self._offset.get() + max(0.0, seconds))

    async def asleep(self, seconds: float) -> None:
        self.sleep(seconds)


class FaultySandboxTransport(SandboxTransport):
    """The in-process sandbox transport with faults. ``sleep``/``async_sleep`` are injectable so
    tests never wait for real (see :class:`SimulatedTime`); by default they really sleep."""

    def __init__(self, emulators: Mapping[str, Emulator], faults: Faults | None = None, *,
                 sleep: Callable[[float], None] = time.sleep,
                 async_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        super().__init__(emulators)
        self.injector = FaultInjector(faults)
        self._sleep = sleep
        self._async_sleep = async_sleep

    def _decide(self, request: httpx.Request) -> Decision:
        _, _, rest = request.url.path.partition("/")
        prefix, _, path = rest.partition("/")
        return self.injector.decide(prefix, "/" + path)

    def _finish(self, decision: Decision, request: httpx.Request) -> httpx.Response:
        early = error_response(decision)
        if early is not None:
            return early
        response = self._dispatch(request)
        if decision.fault == "lost_response":
            raise lost(decision, request)
        return garble(decision, response)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        decision = self._decide(request)
        if decision.fault == "hang":  # the client's read timeout, counted from sending, ends it: latency included
            self._sleep(hang_seconds(request))
            raise httpx.ReadTimeout("sandbox fault: the carrier did not answer", request=request)
        if decision.latency:
            self._sleep(decision.latency)
        return self._finish(decision, request)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        decision = self._decide(request)
        if decision.fault == "hang":  # the client's read timeout, counted from sending, ends it: latency included
            await self._async_sleep(hang_seconds(request))
            raise httpx.ReadTimeout("sandbox fault: the carrier did not answer", request=request)
        if decision.latency:
            await self._async_sleep(decision.latency)
        return self._finish(decision, request)


__all__ = [
    "CarrierFaults",
    "Decision",
    "FaultInjector",
    "FaultRule",
    "Faults",
    "FaultySandboxTransport",
    "LostResponseRule",
    "RateLimitRule",
    "ServerErrorRule",
    "SimulatedTime",
]
