"""Request/response event hooks: users observe every attempt through a redacted, frozen view.

``Gateway(..., event_hooks={"request": [fn], "response": [fn]})``. A hook receives an
:class:`Exchange`; it never sees a credential (headers, query strings and bodies are redacted with
the carrier's own secrets). A hook that raises is logged and ignored: an observer must not change
the outcome of a label purchase. Async gateways also accept coroutine functions.

Time: a hook runs inline. Plain functions run on the caller's thread (sync and async gateways alike)
and cannot be interrupted, so they must be quick. Coroutine hooks (async gateways) are bounded: the
hooks of one event share at most :data:`HOOK_TIMEOUT` seconds, and never run more than
:data:`HOOK_GRACE` past the call's deadline; a coroutine hook still running then is cancelled, logged
and ignored. So a slow observer can neither hold a call open nor turn a bought label into a timeout.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import httpx

from carriergate.adapters.redaction import redact_body, redact_headers, redact_url
from carriergate.core.deadline import HOOK_GRACE
from carriergate.core.errors import ConfigurationError

logger = logging.getLogger("carriergate.events")

EVENTS = ("request", "response")
#: Longest the coroutine hooks of one event may run, in seconds (``EventHooks(..., timeout=...)``).
HOOK_TIMEOUT = 1.0
Hook = Callable[["Exchange"], Any]


@dataclass(frozen=True)
class Exchange:
    """One attempt as hooks and logs see it. ``status``/``elapsed`` are None on the request event
    and when no response arrived (then ``error`` names the failure's code)."""

    carrier: str
    operation: str
    attempt: int
    method: str
    url: str
    headers: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    body: str = ""
    status: int | None = None
    elapsed: float | None = None
    error: str | None = None


def request_view(carrier: str, operation: str, attempt: int, request: httpx.Request,
                 secrets: Iterable[str]) -> Exchange:
    secrets = list(secrets)
    return Exchange(carrier=carrier, operation=operation, attempt=attempt, method=request.method,
                    url=redact_url(request.url, secrets),
                    headers=MappingProxyType(redact_headers(request.headers.multi_items(), secrets)),
                    body=redact_body(request.content, request.headers.get("content-type"), secrets))


def response_view(request: Exchange, response: httpx.Response | None, elapsed: float, error: str | None,
                  secrets: Iterable[str]) -> Exchange:
    secrets = list(secrets)
    if response is None:
        return Exchange(carrier=request.carrier, operation=request.operation, attempt=request.attempt,
                        method=request.method, url=request.url, elapsed=elapsed, error=error)
    return Exchange(carrier=request.carrier, operation=request.operation, attempt=request.attempt,
                    method=request.method, url=request.url, status=response.status_code, elapsed=elapsed,
                    headers=MappingProxyType(redact_headers(response.headers.multi_items(), secrets)),
                    body=redact_body(response.content, response.headers.get("content-type"), secrets),
                    error=error)


class EventHooks:
    """Validated hooks by event name. Empty hooks cost nothing (``bool(hooks)`` is False)."""

    def __init__(self, hooks: Mapping[str, Sequence[Hook]] | None = None, *, timeout: float = HOOK_TIMEOUT) -> None:
        if not timeout > 0:
            raise ConfigurationError("event hook timeout must be positive")
        self.timeout = timeout
        hooks = hooks or {}
        unknown = set(hooks) - set(EVENTS)
        if unknown:
            raise ConfigurationError(f"unknown event hook(s) {sorted(unknown)}; use {list(EVENTS)}")
        self._hooks: dict[str, tuple[Hook, ...]] = {name: tuple(hooks.get(name, ())) for name in EVENTS}
        for fns in self._hooks.values():
            if not all(callable(fn) for fn in fns):
                raise ConfigurationError("event hooks must be callables")

    def __bool__(self) -> bool:
        return any(self._hooks.values())

    def wants(self, event: str) -> bool:
        return bool(self._hooks[event])

    def emit(self, event: str, view: Exchange) -> None:
        for fn in self._hooks[event]:
            try:
                result = fn(view)
                if inspect.isawaitable(result):
                    _discard(result)
                    logger.warning("event hook %r is async; use it with AsyncGateway", fn)
            except Exception as exc:
                logger.warning("%s event hook %r failed: %s", event, fn, type(exc).__name__)

    def budget(self, remaining: float | None) -> float:
        """Seconds the coroutine hooks of one event may take, given what is ``remaining`` of the call's
        deadline (None: no deadline)."""
        return self.timeout if remaining is None else min(self.timeout, remaining + HOOK_GRACE)

    async def aemit(self, event: str, view: Exchange, *, remaining: float | None = None) -> None:
        """Call the hooks of ``event``; coroutine hooks share :meth:`budget` seconds between them."""
        hooks = self._hooks[event]
        if not hooks:
            return
        ends = asyncio.get_running_loop().time() + self.budget(remaining)
        for fn in hooks:
            try:
                result = fn(view)
                if inspect.isawaitable(result):
                    async with asyncio.timeout_at(ends):
                        await result
            except TimeoutError:
                logger.warning("%s event hook %r overran its time and was cancelled", event, fn)
            except Exception as exc:
                logger.warning("%s event hook %r failed: %s", event, fn, type(exc).__name__)


def _discard(awaitable: Awaitable[Any]) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()
