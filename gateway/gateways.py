"""The gateway: every configured carrier account behind one interface, sync and async.

``Gateway`` and ``AsyncGateway`` share all configuration and bookkeeping in ``BaseGateway``; they
differ only in how they drive the executor. Carrier adapters are resolved lazily, so configuring
UPS imports the UPS adapter and nothing else.
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

from carriergate.adapters.breaker import BreakerRegistry, BreakerSettings
from carriergate.adapters.clients import async_clients, sync_clients
from carriergate.adapters.events import EventHooks, Hook
from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.inflight import RunContext
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.contract import AnyCarrier, Capability, Flow
from carriergate.core.contract import tracking_number as check_tracking_number
from carriergate.core.deadline import SAFETY_MARGIN, Deadline
from carriergate.core.errors import (
    CarrierError,
    ConfigurationError,
    DeadlineExceeded,
    FieldError,
    NotSupported,
    ValidationError,
)
from carriergate.core.quotes import Quote
from carriergate.core.results import Label, Pickup, RateResult
from carriergate.core.shipment import PickupRequest, RateRequest, ShipRequest
from carriergate.core.tracking import TrackingInfo
from carriergate.gateway.config import build_carrier, from_env, load_toml
from carriergate.protocols.limits import DEFAULT_MAX_RESPONSE_BYTES

T = TypeVar("T")
Config = Mapping[str, Mapping[str, Any]]

def _checked_label(label: Label) -> Label:
    check_tracking_number(label.tracking_number)
    return label


def no_quote(carrier: str) -> CarrierError:
    return CarrierError("no service quoted for this shipment", carrier=carrier, code="no_quote")


class BaseGateway:
    """Configuration and carrier resolution shared by the sync and async gateways."""

    def __init__(self, config: Config | None = None, *, default_deadline: float | None = 30.0,
                 retry_policy: RetryPolicy | None = None, breaker: BreakerSettings | None = None,
                 event_hooks: Mapping[str, Sequence[Hook]] | None = None,
                 clock: Callable[[], float] | None = None,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        settings = from_env() if config is None else config
        if not isinstance(settings, Mapping) or not all(isinstance(v, Mapping) for v in settings.values()):
            raise ConfigurationError("configuration must map account names to settings tables",
                                     code="configuration")
        if not settings:
            raise ConfigurationError("no carrier account is configured", code="configuration")
        self._settings: dict[str, Mapping[str, Any]] = dict(settings)
        self._carriers: dict[str, AnyCarrier] = {}
        self._resolve_lock = threading.RLock()  # re-entrant: building an attachment may resolve carriers
        self._attachments: dict[str, Any] = {}  # helpers kept for the gateway's lifetime (closed with it)
        self.default_deadline = default_deadline
        # The request pipeline: one retry policy, one breaker registry and one set of hooks per gateway.
        self._clock = clock or time.monotonic
        self._pipeline: dict[str, Any] = {
            "retry": retry_policy or RetryPolicy(),
            "breakers": BreakerRegistry(breaker, clock=self._clock),
            "hooks": EventHooks(event_hooks),
            "clock": self._clock,
            "max_response_bytes": max_response_bytes,
        }

    @classmethod
    def from_file(cls, path: str | Path, **kwargs: Any) -> Self:
        return cls(load_toml(path), **kwargs)

    @classmethod
    def from_env(cls, **kwargs: Any) -> Self:
        return cls(from_env(), **kwargs)

    @staticmethod
    def _sandbox(carriers: Iterable[str] | None, faults: Any) -> dict[str, Any]:
        from carriergate.sandbox.registry import sandbox_gateway_kwargs

        return sandbox_gateway_kwargs(carriers, faults)

    @property
    def accounts(self) -> list[str]:
        return list(self._settings)

    def _resolve(self, name: str) -> AnyCarrier:
        """The carrier of account ``name``, built once per gateway even when threads race on first use
        (one instance, so one auth flow and one token cache per account)."""
        carrier = self._carriers.get(name)
        if carrier is not None:
            return carrier
        if name not in self._settings:
            raise ConfigurationError(f"carrier account {name!r} is not configured "
                                     f"(configured: {', '.join(self._settings)})", code="configuration")
        with self._resolve_lock:
            carrier = self._carriers.get(name)
            if carrier is None:
                carrier = self._carriers[name] = build_carrier(name, self._settings[name])
        return carrier

    def carrier_kind(self, alias: str) -> str:
        """The registered carrier name behind account ``alias`` (``"ups"`` for ``[ups-eu] carrier = "ups"``)."""
        settings = self._settings.get(alias)
        if settings is None:
            raise ConfigurationError(f"carrier account {alias!r} is not configured "
                                     f"(configured: {', '.join(self._settings)})", code="configuration")
        return str(settings.get("carrier") or alias)

    def _attached(self, key: str, build: Callable[[], T]) -> T:
        """An object built once per gateway and kept for its lifetime (e.g. checkout's rate shopper);
        closing the gateway closes it too."""
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

    def _rating_carriers(self, names: Iterable[str] | None, *,
                         skip: str | None = None) -> tuple[list[AnyCarrier], dict[str, CarrierError]]:
        """The one rating planner: the carriers to ask and the errors known up front. ``names=None``
        means every account that can rate (except ``skip``); a named account that cannot rate gets
        NotSupported; an unknown one raises ConfigurationError."""
        chosen = [a for a in self._settings if a != skip] if names is None else list(dict.fromkeys(names))
        carriers: list[AnyCarrier] = []
        errors: dict[str, CarrierError] = {}
        for name in chosen:
            carrier = self._resolve(name)
            if Capability.RATE in carrier.capabilities:
                carriers.append(carrier)
            elif names is not None:
                errors[name] = NotSupported(f"{carrier.name} does not support rate", carrier=name,
                                            code="not_supported")
        return carriers, errors

    def _deadline(self, seconds: float | None) -> Deadline:
        chosen = seconds if seconds is not None else self.default_deadline
        if chosen is not None and not chosen > 0:
            raise ValidationError(FieldError("deadline", "must be greater than zero seconds"))
        return Deadline(chosen, clock=self._clock)

    @staticmethod
    def _result(outcomes: Mapping[str, list[Quote] | BaseException | None], errors: dict[str, CarrierError],
                limit: Deadline) -> RateResult:
        """The one rating collector: a RateResult from each carrier's outcome (its quotes, its error, or
        None/cancelled for no answer in time) added to the ``errors`` known up front."""
        quotes: list[Quote] = []
        for name, outcome in outcomes.items():
            if isinstance(outcome, list):
                quotes.extend(outcome)
                if not outcome:
                    errors[name] = no_quote(name)
            elif isinstance(outcome, CarrierError):
                errors[name] = outcome
            elif outcome is None or isinstance(outcome, asyncio.CancelledError):
                errors[name] = DeadlineExceeded(f"no answer within the deadline of {limit.seconds}s",
                                                carrier=name, code="deadline")
            else:  # a bug, not a carrier failure: never hide it
                raise outcome
        return RateResult(quotes=quotes, errors=errors)


class CarrierClient:
    """One carrier account's operations, synchronous, with no fan-out."""

    def __init__(self, carrier: AnyCarrier, executor: Executor, deadline: Callable[[float | None], Deadline]) -> None:
        self.carrier = carrier
        self._executor = executor
        self._deadline = deadline

    @property
    def name(self) -> str:
        return self.carrier.alias

    def _run(self, make_flow: Callable[[], Flow[T]], deadline: float | None) -> T:
        return self._executor.run(self.carrier, make_flow, self._deadline(deadline))

    def rate(self, request: RateRequest, *, deadline: float | None = None) -> list[Quote]:
        return self._run(lambda: self.carrier.rate(request), deadline)

    def ship(self, request: ShipRequest, *, deadline: float | None = None) -> Label:
        return self._run(lambda: self.carrier.ship(self.carrier.prepare_ship(request)), deadline)

    def void(self, label: Label, *, deadline: float | None = None) -> None:
        self._run(lambda: self.carrier.void(_checked_label(label)), deadline)

    def schedule_pickup(self, request: PickupRequest, *, deadline: float | None = None) -> Pickup:
        return self._run(lambda: self.carrier.schedule_pickup(request), deadline)

    def cancel_pickup(self, pickup: Pickup, *, deadline: float | None = None) -> None:
        self._run(lambda: self.carrier.cancel_pickup(pickup), deadline)

    def track(self, tracking_number: str, *, deadline: float | None = None) -> TrackingInfo:
        return self._run(lambda: self.carrier.track(check_tracking_number(tracking_number)), deadline)


class AsyncCarrierClient:
    """One carrier account's operations, awaited."""

    def __init__(self, carrier: AnyCarrier, executor: AsyncExecutor,
                 deadline: Callable[[float | None], Deadline]) -> None:
        self.carrier = carrier
        self._executor = executor
        self._deadline = deadline

    @property
    def name(self) -> str:
        return self.carrier.alias

    async def _run(self, make_flow: Callable[[], Flow[T]], deadline: float | None) -> T:
        limit = self._deadline(deadline)
        remaining = limit.remaining()
        # The executor bounds every attempt and sleep by the deadline and classifies what it cuts off
        # (a write cut off after sending is OutcomeUnknown). This outer bound is a safety net only,
        # so it leaves the executor a moment to do that classification first. When the net does fire
        # (a slow hook or parse after the write), ``context`` says whether a write may have been
        # performed: then OutcomeUnknown with its reference, never a DeadlineExceeded to retry.
        context = RunContext()
        try:
            async with asyncio.timeout(None if remaining is None else remaining + SAFETY_MARGIN):
                return await self._executor.run(self.carrier, make_flow, limit, context)
        except TimeoutError:
            raise context.judge(DeadlineExceeded(f"deadline of {limit.seconds}s exceeded", carrier=self.name,
                                                 code="deadline")) from None

    async def rate(self, request: RateRequest, *, deadline: float | None = None) -> list[Quote]:
        return await self._run(lambda: self.carrier.rate(request), deadline)

    async def ship(self, request: ShipRequest, *, deadline: float | None = None) -> Label:
        return await self._run(lambda: self.carrier.ship(self.carrier.prepare_ship(request)), deadline)

    async def void(self, label: Label, *, deadline: float | None = None) -> None:
        await self._run(lambda: self.carrier.void(_checked_label(label)), deadline)

    async def schedule_pickup(self, request: PickupRequest, *, deadline: float | None = None) -> Pickup:
        return await self._run(lambda: self.carrier.schedule_pickup(request), deadline)

    async def cancel_pickup(self, pickup: Pickup, *, deadline: float | None = None) -> None:
        await self._run(lambda: self.carrier.cancel_pickup(pickup), deadline)

    async def track(self, tracking_number: str, *, deadline: float | None = None) -> TrackingInfo:
        return await self._run(lambda: self.carrier.track(check_tracking_number(tracking_number)),
                               deadline)


class Gateway(BaseGateway):
    """Synchronous gateway. Use as a context manager (or call :meth:`close`) to release connections.
    Each account has its own HTTP client and pool, sized by ``limits``; a ``transport`` serves them all."""

    def __init__(self, config: Config | None = None, *, transport: httpx.BaseTransport | None = None,
                 default_deadline: float | None = 30.0, max_workers: int = 16,
                 retry_policy: RetryPolicy | None = None, breaker: BreakerSettings | None = None,
                 event_hooks: Mapping[str, Sequence[Hook]] | None = None,
                 clock: Callable[[], float] | None = None, sleep: Callable[[float], None] = time.sleep,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, limits: httpx.Limits | None = None) -> None:
        super().__init__(config, default_deadline=default_deadline, retry_policy=retry_policy, breaker=breaker,
                         event_hooks=event_hooks, clock=clock, max_response_bytes=max_response_bytes)
        self._clients = sync_clients(transport, limits)
        self._executor = Executor(self._clients, sleep=sleep, **self._pipeline)
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers,
                                                           thread_name_prefix="carriergate")

    @classmethod
    def sandbox(cls, carriers: Iterable[str] | None = None, *, faults: Any = None, **kwargs: Any) -> Self:
        """Every carrier (or those named) against the built-in emulators, in-process and offline, plus
        the table-rate carrier's sample card. ``faults``: a ``carriergate.sandbox.faults.Faults``."""
        setup = cls._sandbox(carriers, faults)
        return cls(setup["config"], transport=setup["transport"], **kwargs)

    def carrier(self, name: str) -> CarrierClient:
        return CarrierClient(self._resolve(name), self._executor, self._deadline)

    def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
             deadline: float | None = None) -> RateResult:
        """Quotes from every chosen carrier, concurrently; returns by ``deadline`` with what arrived
        and, for every carrier without a quote, the reason. This is the rate shopper without a cache."""
        from carriergate.gateway.shopping import RateShopper  # the one fan-out; shopping builds on this module

        return RateShopper(self).rate(request, carriers, deadline)

    def ship(self, request: ShipRequest, *, deadline: float | None = None) -> Label:
        return self.carrier(request.carrier).ship(request, deadline=deadline)

    def void(self, label: Label, *, deadline: float | None = None) -> None:
        self.carrier(label.carrier).void(label, deadline=deadline)

    def schedule_pickup(self, request: PickupRequest, *, carrier: str,
                        deadline: float | None = None) -> Pickup:
        return self.carrier(carrier).schedule_pickup(request, deadline=deadline)

    def cancel_pickup(self, pickup: Pickup, *, deadline: float | None = None) -> None:
        self.carrier(pickup.carrier).cancel_pickup(pickup, deadline=deadline)

    def track(self, tracking_number: str, *, carrier: str, deadline: float | None = None) -> TrackingInfo:
        return self.carrier(carrier).track(tracking_number, deadline=deadline)

    def close(self) -> None:
        self._close_attachments()
        self._pool.shutdown(wait=False, cancel_futures=True)
        for client in self._clients.closing():
            client.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncGateway(BaseGateway):
    """Asynchronous gateway with the same surface as :class:`Gateway`, awaited."""

    def __init__(self, config: Config | None = None, *, transport: httpx.AsyncBaseTransport | None = None,
                 default_deadline: float | None = 30.0,
                 retry_policy: RetryPolicy | None = None, breaker: BreakerSettings | None = None,
                 event_hooks: Mapping[str, Sequence[Hook]] | None = None,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, limits: httpx.Limits | None = None) -> None:
        super().__init__(config, default_deadline=default_deadline, retry_policy=retry_policy, breaker=breaker,
                         event_hooks=event_hooks, clock=clock, max_response_bytes=max_response_bytes)
        self._clients = async_clients(transport, limits)
        self._executor = AsyncExecutor(self._clients, sleep=sleep, **self._pipeline)

    @classmethod
    def sandbox(cls, carriers: Iterable[str] | None = None, *, faults: Any = None, **kwargs: Any) -> Self:
        """The async twin of :meth:`Gateway.sandbox`."""
        setup = cls._sandbox(carriers, faults)
        return cls(setup["config"], transport=setup["transport"], **kwargs)

    def carrier(self, name: str) -> AsyncCarrierClient:
        return AsyncCarrierClient(self._resolve(name), self._executor, self._deadline)

    async def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
                   deadline: float | None = None) -> RateResult:
        """The async twin of :meth:`Gateway.rate`: the async rate shopper without a cache."""
        from carriergate.gateway.shopping import AsyncRateShopper  # the one fan-out; shopping builds on this module

        return await AsyncRateShopper(self).rate(request, carriers, deadline)

    async def ship(self, request: ShipRequest, *, deadline: float | None = None) -> Label:
        return await self.carrier(request.carrier).ship(request, deadline=deadline)

    async def void(self, label: Label, *, deadline: float | None = None) -> None:
        await self.carrier(label.carrier).void(label, deadline=deadline)

    async def schedule_pickup(self, request: PickupRequest, *, carrier: str,
                              deadline: float | None = None) -> Pickup:
        return await self.carrier(carrier).schedule_pickup(request, deadline=deadline)

    async def cancel_pickup(self, pickup: Pickup, *, deadline: float | None = None) -> None:
        await self.carrier(pickup.carrier).cancel_pickup(pickup, deadline=deadline)

    async def track(self, tracking_number: str, *, carrier: str, deadline: float | None = None) -> TrackingInfo:
        return await self.carrier(carrier).track(tracking_number, deadline=deadline)

    async def aclose(self) -> None:
        self._close_attachments()
        for client in self._clients.closing():
            await client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()
