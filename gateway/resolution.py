"""From configuration to carriers and a request pipeline: what both gateways build before any call.

:class:`Accounts` holds the configured account tables and builds each account's carrier once, on first
use (even when threads race), handing it the gateway's shared token store when one is configured.
:class:`Pipeline` is the one retry policy, breaker registry, quota limiter, set of hooks, clock and
response cap every account's calls go through; :func:`build_pipeline` makes it over a
:class:`~.backends.SharedState`, and :meth:`Pipeline.executor_options` gives the executors' arguments.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from carriergate.adapters.breaker import BreakerRegistry, BreakerSettings
from carriergate.adapters.events import EventHooks, Hook
from carriergate.adapters.quota import RateLimiter
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.contract import AnyCarrier
from carriergate.core.errors import ConfigurationError
from carriergate.gateway.backends import SharedState
from carriergate.gateway.config import build_carrier
from carriergate.protocols.auth.tokens import TokenStore, default_store


@dataclass(frozen=True)
class Pipeline:
    """The request pipeline of one gateway: one retry policy, one breaker registry, one quota limiter,
    one set of hooks, one clock and one response size cap, shared by every account."""

    retry: RetryPolicy
    breakers: BreakerRegistry
    hooks: EventHooks
    clock: Callable[[], float]
    max_response_bytes: int
    limiter: RateLimiter | None = None

    def executor_options(self) -> dict[str, Any]:
        """The keyword arguments both executors take from the pipeline."""
        return {"retry": self.retry, "breakers": self.breakers, "hooks": self.hooks, "clock": self.clock,
                "max_response_bytes": self.max_response_bytes, "limiter": self.limiter}


def build_pipeline(state: SharedState, *, retry_policy: RetryPolicy | None, breaker: BreakerSettings | None,
                   event_hooks: Mapping[str, Sequence[Hook]] | None, clock: Callable[[], float],
                   max_response_bytes: int) -> Pipeline:
    """The pipeline over ``state``'s quota limiter and breaker backend."""
    return Pipeline(retry=retry_policy or RetryPolicy(),
                    breakers=BreakerRegistry(breaker, clock=clock, backend=state.breakers),
                    hooks=EventHooks(event_hooks), clock=clock, max_response_bytes=max_response_bytes,
                    limiter=state.limiter)


class Accounts:
    """The configured accounts (name -> settings table) and their carriers, each built once.

    With ``tokens`` (a store shared between processes), each carrier's auth flow is built as soon as
    the carrier is, inside :func:`~carriergate.protocols.auth.tokens.default_store`: carriers build
    their own auth flows, and every flow built without a store of its own then uses the shared one."""

    def __init__(self, settings: Mapping[str, Mapping[str, Any]], *, tokens: TokenStore | None = None) -> None:
        self.settings: dict[str, Mapping[str, Any]] = dict(settings)
        self.tokens = tokens
        self._carriers: dict[str, AnyCarrier] = {}
        self._lock = threading.Lock()

    @property
    def names(self) -> list[str]:
        return list(self.settings)

    def unknown(self, name: str) -> ConfigurationError:
        return ConfigurationError(f"carrier account {name!r} is not configured "
                                  f"(configured: {', '.join(self.settings)})")

    def kind(self, alias: str) -> str:
        """The registered carrier name behind account ``alias``."""
        settings = self.settings.get(alias)
        if settings is None:
            raise self.unknown(alias)
        return str(settings.get("carrier") or alias)

    def resolve(self, name: str) -> AnyCarrier:
        """The carrier of account ``name``, built once even when threads race on first use (one
        instance, so one auth flow and one token cache per account)."""
        carrier = self._carriers.get(name)
        if carrier is not None:
            return carrier
        if name not in self.settings:
            raise self.unknown(name)
        with self._lock:
            carrier = self._carriers.get(name)
            if carrier is None:
                carrier = build_carrier(name, self.settings[name])
                if self.tokens is not None:
                    with default_store(self.tokens):
                        _ = carrier.auth  # built now, over the shared store
                self._carriers[name] = carrier
        return carrier


__all__ = ["Accounts", "Pipeline", "build_pipeline"]
