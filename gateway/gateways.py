"""The gateway: every configured carrier account behind one interface, sync and async.

``Gateway`` and ``AsyncGateway`` share all configuration and bookkeeping in ``BaseGateway``; they
differ only in how they drive the executor. Carrier adapters are resolved lazily, so configuring
UPS imports the UPS adapter and nothing else (resolution and the request pipeline: :mod:`.resolution`;
where state lives, this process or Redis: :mod:`.backends`).

The public surface that rate shopping, checkout and the command line build on (and nothing more):
``accounts``, ``carrier_kind``, ``rating_accounts`` (who can rate), ``deadline`` (the one validated
Deadline of a run, on the gateway's clock), ``attachment`` (a helper kept per gateway), ``carrier``
(one account's operations), ``rate`` / ``rate_each`` (the one fan-out, see :mod:`.fanout`) and
``rate_cache`` (a rate cache kept where the gateway keeps its state; ``shared_state`` says where).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx

from carriergate.adapters.breaker import BreakerSettings
from carriergate.adapters.clients import aclients, clients
from carriergate.adapters.events import Hook
from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.contract import AnyCarrier, Capability
from carriergate.core.deadline import Deadline
from carriergate.core.errors import ConfigurationError, FieldError, NotSupported, ValidationError
from carriergate.core.results import Label, Pickup, RateResult
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.subscriptions import Subscription
from carriergate.core.tracking import TrackingInfo, TrackingResult
from carriergate.gateway.accounts import AsyncCarrierClient, CarrierClient
from carriergate.gateway.backends import SharedState, shared_state
from carriergate.gateway.config import from_env, load_toml, split_config
from carriergate.gateway.fanout import afan_out, atrack_batches, collect, fan_out, merge, track_batches
from carriergate.gateway.rate_cache import RateCache
from carriergate.gateway.resolution import Accounts, Pipeline, build_pipeline
from carriergate.protocols.limits import DEFAULT_MAX_RESPONSE_BYTES

T = TypeVar("T")
Config = Mapping[str, Mapping[str, Any]]
#: Seconds, a Deadline the caller already has (passed on as it is), or None for the gateway's default.
DeadlineArg = float | Deadline | None


class Closing:
    """``with x: ...`` calls ``x.close()`` at the end: the sync gateway and the sync rate shopper."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def _sandbox(carriers: Iterable[str] | None, faults: Any) -> dict[str, Any]:
    """The one allowed upward import: the sandbox, loaded only when a sandbox gateway is asked for."""
    from carriergate.sandbox.registry import sandbox_gateway_kwargs

    return sandbox_gateway_kwargs(carriers, faults)


class BaseGateway:
    """Configuration and carrier resolution shared by the sync and async gateways.

    State stays in this process unless the configuration's ``gateway`` table (or the environment)
    names a ``redis_url``: then tokens, quotas, breakers and :meth:`rate_cache` are shared by every
    worker process configured with it. ``shared`` gives the stores explicitly instead."""

    def __init__(self, config: Config | None = None, *, default_deadline: float | None = 30.0,
                 retry_policy: RetryPolicy | None = None, breaker: BreakerSettings | None = None,
                 event_hooks: Mapping[str, Sequence[Hook]] | None = None,
                 clock: Callable[[], float] | None = None,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, shared: SharedState | None = None) -> None:
        settings = from_env() if config is None else config
        if not isinstance(settings, Mapping) or not all(isinstance(v, Mapping) for v in settings.values()):
            raise ConfigurationError("configuration must map account names to settings tables")
        accounts, url = split_config(settings)
        if not accounts:
            raise ConfigurationError("no carrier account is configured")
        self._clock = clock or time.monotonic
        self.shared_state = shared if shared is not None else shared_state(url, self._clock)
        self._accounts = Accounts(accounts, tokens=self.shared_state.tokens)
        self._settings = self._accounts.settings
        self._resolve_lock = threading.RLock()  # re-entrant: building an attachment may resolve carriers
        self._attachments: dict[str, Any] = {}
        self.default_deadline = default_deadline
        self._pipeline = build_pipeline(self.shared_state, retry_policy=retry_policy, breaker=breaker,
                                        event_hooks=event_hooks, clock=self._clock,
                                        max_response_bytes=max_response_bytes)

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> Self:
        """A gateway configured by a TOML file: one table per account (see the README)."""
        return cls(load_toml(path), **kwargs)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        """A gateway configured by ``CARRIERGATE_<ACCOUNT>__<FIELD>`` environment variables."""
        return cls(from_env(), **kwargs)

    def __repr__(self) -> str:
        """The accounts and their carriers and environments; never a setting's value (no secret)."""
        accounts = ", ".join(f"{name}={self.carrier_kind(name)}/{self._settings[name].get('environment', 'production')}"
                             for name in self._settings)
        return f"<{type(self).__name__} accounts: {accounts}>"

    @property
    def accounts(self) -> list[str]:
        """Every configured account's name, in configuration order."""
        return list(self._settings)

    def _resolve(self, name: str) -> AnyCarrier:
        """The carrier of account ``name``, built once per gateway (see :class:`.resolution.Accounts`)."""
        return self._accounts.resolve(name)

    def carrier_kind(self, alias: str) -> str:
        """The registered carrier name behind account ``alias`` (``"ups"`` for ``[ups-eu] carrier = "ups"``)."""
        return self._accounts.kind(alias)

    def rate_cache(self, **options: Any) -> RateCache:
        """A :class:`~.rate_cache.RateCache` (``ttl=...``, ``stale_while_revalidate=...``) kept where this
        gateway keeps its state: in Redis, seen by every worker, when a ``redis_url`` is configured."""
        return RateCache(backend=self.shared_state.rate_cache, **options)

    def rating_accounts(self, carriers: Iterable[str] | None = None) -> list[str]:
        """The accounts among ``carriers`` (default: every configured one) whose carrier can rate, in
        order and once each: those a rate round asks. An unknown name raises ConfigurationError."""
        names = self.accounts if carriers is None else list(dict.fromkeys(carriers))
        return [name for name in names if Capability.RATE in self._resolve(name).capabilities]

    def breaker_states(self) -> dict[str, dict[str, str]]:
        """Every account's circuit breakers, by operation class: ``{"ups": {"read": "closed",
        "write": "open"}}`` (``half_open``: the cooldown has passed, the next call is the probe). An
        account or class never called yet is ``closed``."""
        known = self._pipeline.breakers.states(self._settings if self.shared_state.shared else None)
        return {name: {"read": "closed", "write": "closed", **known.get(name, {})} for name in self._settings}

    def deadline(self, seconds: DeadlineArg = None) -> Deadline:
        """The Deadline of one run on the gateway's clock: ``seconds`` from now (None: the gateway's
        ``default_deadline``), or ``seconds`` itself when it already is a Deadline (then it is never
        refused, even spent: its carriers answer DeadlineExceeded). Refuses a deadline that is not
        greater than zero with a ValidationError naming ``deadline``."""
        if isinstance(seconds, Deadline):
            return seconds
        chosen = seconds if seconds is not None else self.default_deadline
        if chosen is not None and not chosen > 0:
            raise ValidationError(FieldError("deadline", "must be greater than zero seconds"))
        return Deadline(chosen, clock=self._clock)

    def attachment(self, key: str, build: Callable[[], T]) -> T:
        """The helper ``build()`` makes, built once per gateway under ``key`` (even when threads race)
        and kept for the gateway's lifetime: closing the gateway calls its ``close()``, if it has one.
        Checkout keeps its rate shopper here (key ``"checkout.shopper"``)."""
        with self._resolve_lock:
            if key not in self._attachments:
                self._attachments[key] = build()
            found: T = self._attachments[key]
        return found

    def _close_attachments(self) -> None:
        for helper in self._attachments.values():
            close = getattr(helper, "close", None)
            if callable(close):
                close()
        self._attachments.clear()

    def _plan(self, carriers: Iterable[str] | None) -> tuple[list[AnyCarrier], dict[str, RateResult]]:
        """The one rating planner: the carriers a round asks, and for each account named in
        ``carriers`` that cannot rate, its NotSupported (unnamed, such an account is not asked)."""
        names = self.accounts if carriers is None else list(dict.fromkeys(carriers))
        resolved = [self._resolve(name) for name in names]
        asked = [c for c in resolved if Capability.RATE in c.capabilities]
        refused = {} if carriers is None else {
            c.alias: RateResult(errors={c.alias: NotSupported(f"{c.name} does not support rate", carrier=c.alias)})
            for c in resolved if c not in asked}
        return asked, refused


class Gateway(BaseGateway, Closing):
    """Synchronous gateway. Use as a context manager (or call :meth:`close`) to release connections.
    Each account has its own HTTP client and pool, sized by ``limits``; a ``transport`` serves them all."""

    def __init__(self, config: Config | None = None, *, transport: httpx.BaseTransport | None = None,
                 default_deadline: float | None = 30.0, max_workers: int = 16,
                 retry_policy: RetryPolicy | None = None, breaker: BreakerSettings | None = None,
                 event_hooks: Mapping[str, Sequence[Hook]] | None = None,
                 clock: Callable[[], float] | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, limits: httpx.Limits | None = None,
                 shared: SharedState | None = None) -> None:
        super().__init__(config, default_deadline=default_deadline, retry_policy=retry_policy, breaker=breaker,
                         event_hooks=event_hooks, clock=clock, max_response_bytes=max_response_bytes, shared=shared)
        self._clients = clients(transport, limits)
        self._executor = Executor(self._clients, sleep=sleep, **self._pipeline.executor_options())
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers,
                                                           thread_name_prefix="carriergate")

    @classmethod
    def sandbox(cls, carriers: Iterable[str] | None = None, *, faults: Any = None, **kwargs: Any) -> Self:
        """Every carrier (or those named) against the built-in emulators, in-process and offline, plus
        the table-rate carrier's sample card. ``faults``: a ``carriergate.sandbox.faults.Faults``."""
        setup = _sandbox(carriers, faults)
        return cls(setup["config"], transport=setup["transport"], **kwargs)

    def carrier(self, name: str) -> CarrierClient:
        """Account ``name``'s operations, one at a time."""
        return CarrierClient(self._resolve(name), self._executor, self.deadline)

    def rate_each(self, request: RateRequest, carriers: Iterable[str] | None = None,
                  deadline: DeadlineArg = None) -> dict[str, RateResult]:
        """One round: every chosen account (default: all that can rate) asked at once on the
        gateway's worker pool, within one Deadline; each account's own RateResult (its quotes, or
        why it has none: an error, no answer in time, NotSupported for a named one that cannot rate).
        Returns by the deadline whatever the carriers do."""
        limit = self.deadline(deadline)
        asked, refused = self._plan(carriers)
        return {**collect(fan_out(self._pool, self._executor, asked, request, limit), limit), **refused}

    def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
             deadline: DeadlineArg = None) -> RateResult:
        """Quotes from every chosen carrier, concurrently; returns by ``deadline`` with what arrived
        and, for every carrier without a quote, the reason: :meth:`rate_each` as one result."""
        return merge(self.rate_each(request, carriers, deadline))

    def ship(self, request: ShipRequest, *, deadline: DeadlineArg = None) -> Label:
        """Buy a label from ``request.carrier``. Bad input is refused before anything is sent; a write
        whose outcome is unknown raises OutcomeUnknown with ``request.reference`` (see :meth:`find_label`)."""
        return self.carrier(request.carrier).ship(request, deadline=deadline)

    def void(self, label: Label, *, deadline: DeadlineArg = None) -> None:
        """Void (cancel) ``label`` at the carrier that made it."""
        self.carrier(label.carrier).void(label, deadline=deadline)

    def schedule_pickup(self, request: PickupRequest, *, carrier: str, deadline: DeadlineArg = None) -> Pickup:
        """Book a courier pickup with account ``carrier``."""
        return self.carrier(carrier).schedule_pickup(request, deadline=deadline)

    def cancel_pickup(self, pickup: Pickup, *, deadline: DeadlineArg = None) -> None:
        """Cancel a booked pickup at the carrier that booked it."""
        self.carrier(pickup.carrier).cancel_pickup(pickup, deadline=deadline)

    def modify_pickup(self, pickup: Pickup, request: PickupRequest, *, deadline: DeadlineArg = None) -> Pickup:
        """Move a booked pickup to ``request``'s window, address and parcels, at the carrier that booked
        it (NotSupported where the carrier offers no change: cancel and book again)."""
        return self.carrier(pickup.carrier).modify_pickup(pickup, request, deadline=deadline)

    def track(self, tracking_number: str, *, carrier: str, deadline: DeadlineArg = None) -> TrackingInfo:
        """Where a parcel is: its status and events (newest first), from account ``carrier``."""
        return self.carrier(carrier).track(tracking_number, deadline=deadline)

    def track_many(self, tracking_numbers: Sequence[str], *, carrier: str,
                   deadline: DeadlineArg = None) -> TrackingResult:
        """Several numbers of one account within one deadline: in batches of the carrier's size
        (FedEx: 30 a call), the batches concurrently on the worker pool. Each number is answered or
        has its reason in ``errors``; every number is checked before anything is sent."""
        limit = self.deadline(deadline)
        return track_batches(self._pool, self._executor, self._resolve(carrier), tracking_numbers, limit)

    def find_label(self, reference: str, *, carrier: str, deadline: DeadlineArg = None) -> Label | None:
        """The shipment account ``carrier`` made under our ``reference``, or None: what to ask after an
        OutcomeUnknown on ship before shipping again (NotSupported where the carrier has no look-up)."""
        return self.carrier(carrier).find_label(reference, deadline=deadline)

    def subscribe(self, tracking_number: str, *, carrier: str, callback_url: str,
                  deadline: DeadlineArg = None) -> Subscription:
        """Ask account ``carrier`` to push ``tracking_number``'s updates to ``callback_url`` (checkout's
        ``POST /webhooks/{account}`` reads them); NotSupported where the carrier has no subscriptions."""
        return self.carrier(carrier).subscribe(tracking_number, callback_url=callback_url, deadline=deadline)

    def close(self) -> None:
        """Release every account's connections and the worker pool; closes attachments too."""
        self._close_attachments()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for client in self._clients.closing():
            client.close()
        self.shared_state.close()


class AsyncGateway(BaseGateway):
    """Asynchronous gateway with the same surface as :class:`Gateway`, awaited (``aclose`` closes it)."""

    def __init__(self, config: Config | None = None, *, transport: httpx.AsyncBaseTransport | None = None,
                 default_deadline: float | None = 30.0,
                 retry_policy: RetryPolicy | None = None, breaker: BreakerSettings | None = None,
                 event_hooks: Mapping[str, Sequence[Hook]] | None = None,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, limits: httpx.Limits | None = None,
                 shared: SharedState | None = None) -> None:
        super().__init__(config, default_deadline=default_deadline, retry_policy=retry_policy, breaker=breaker,
                         event_hooks=event_hooks, clock=clock, max_response_bytes=max_response_bytes, shared=shared)
        self._clients = aclients(transport, limits)
        self._executor = AsyncExecutor(self._clients, sleep=sleep, **self._pipeline.executor_options())

    @classmethod
    def sandbox(cls, carriers: Iterable[str] | None = None, *, faults: Any = None, **kwargs: Any) -> Self:
        """The async twin of :meth:`Gateway.sandbox`."""
        setup = _sandbox(carriers, faults)
        return cls(setup["config"], transport=setup["transport"], **kwargs)

    def carrier(self, name: str) -> AsyncCarrierClient:
        """Account ``name``'s operations, one at a time, awaited."""
        return AsyncCarrierClient(self._resolve(name), self._executor, self.deadline)

    async def rate_each(self, request: RateRequest, carriers: Iterable[str] | None = None,
                        deadline: DeadlineArg = None) -> dict[str, RateResult]:
        """:meth:`Gateway.rate_each`, the carriers asked as tasks; cancelling the caller cancels them."""
        limit = self.deadline(deadline)
        asked, refused = self._plan(carriers)
        return {**collect(await afan_out(self._executor, asked, request, limit), limit), **refused}

    async def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
                   deadline: DeadlineArg = None) -> RateResult:
        """The async twin of :meth:`Gateway.rate`."""
        return merge(await self.rate_each(request, carriers, deadline))

    async def ship(self, request: ShipRequest, *, deadline: DeadlineArg = None) -> Label:
        """The async twin of :meth:`Gateway.ship`."""
        return await self.carrier(request.carrier).ship(request, deadline=deadline)

    async def void(self, label: Label, *, deadline: DeadlineArg = None) -> None:
        """The async twin of :meth:`Gateway.void`."""
        await self.carrier(label.carrier).void(label, deadline=deadline)

    async def schedule_pickup(self, request: PickupRequest, *, carrier: str, deadline: DeadlineArg = None) -> Pickup:
        """The async twin of :meth:`Gateway.schedule_pickup`."""
        return await self.carrier(carrier).schedule_pickup(request, deadline=deadline)

    async def cancel_pickup(self, pickup: Pickup, *, deadline: DeadlineArg = None) -> None:
        """The async twin of :meth:`Gateway.cancel_pickup`."""
        await self.carrier(pickup.carrier).cancel_pickup(pickup, deadline=deadline)

    async def modify_pickup(self, pickup: Pickup, request: PickupRequest, *, deadline: DeadlineArg = None) -> Pickup:
        """The async twin of :meth:`Gateway.modify_pickup`."""
        return await self.carrier(pickup.carrier).modify_pickup(pickup, request, deadline=deadline)

    async def track(self, tracking_number: str, *, carrier: str, deadline: DeadlineArg = None) -> TrackingInfo:
        """The async twin of :meth:`Gateway.track`."""
        return await self.carrier(carrier).track(tracking_number, deadline=deadline)

    async def track_many(self, tracking_numbers: Sequence[str], *, carrier: str,
                         deadline: DeadlineArg = None) -> TrackingResult:
        """The async twin of :meth:`Gateway.track_many`: the batches as tasks."""
        limit = self.deadline(deadline)
        return await atrack_batches(self._executor, self._resolve(carrier), tracking_numbers, limit)

    async def find_label(self, reference: str, *, carrier: str, deadline: DeadlineArg = None) -> Label | None:
        """The async twin of :meth:`Gateway.find_label`."""
        return await self.carrier(carrier).find_label(reference, deadline=deadline)

    async def subscribe(self, tracking_number: str, *, carrier: str, callback_url: str,
                        deadline: DeadlineArg = None) -> Subscription:
        """The async twin of :meth:`Gateway.subscribe`."""
        return await self.carrier(carrier).subscribe(tracking_number, callback_url=callback_url, deadline=deadline)

    async def aclose(self) -> None:
        """Release every account's connections; closes attachments too."""
        self._close_attachments()
        for client in self._clients.closing():
            await client.aclose()
        await self.shared_state.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()


__all__ = ["AsyncGateway", "BaseGateway", "Closing", "DeadlineArg", "Gateway", "Pipeline", "SharedState"]
