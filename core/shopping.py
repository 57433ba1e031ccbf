"""Rate shopping with a cache and backup rates, wrapped around a gateway (opt-in).

``RateShopper(gateway, cache=RateCache(...), fallback_table="table")`` asks the gateway's carriers
for quotes concurrently, through ``gateway.carrier(alias).rate`` so every answer is attributed to its
account (each call bounded by the deadline), and then climbs the ladder of
:mod:`carriergate.core.fallback`:

1. a *fresh* cache entry is served without asking the carrier;
2. a *stale* entry (within stale-while-revalidate) is served at once and refreshed in the background;
3. otherwise the carrier is asked live; if it fails, a cached answer (stale-if-error) stands in;
4. if some carrier still has no quote, the table-rate account ``fallback_table`` gives backup rates.

The table account is asked together with the live carriers (it does no I/O, so it costs nothing)
and its quotes are shown only when needed. ``AsyncRateShopper`` is the same over an AsyncGateway.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterable
from types import TracebackType
from typing import Self

from ..adapters.deadline import Deadline
from .contract import Capability
from .errors import CarrierError, DeadlineExceeded, NotSupported
from .fallback import resolve
from .gateway import AsyncCarrierClient, AsyncGateway, BaseGateway, CarrierClient, Gateway, no_quote
from .rate_cache import RateCache
from .results import Quote, RateResult
from .shipment import RateRequest

#: The deadline of a background refresh of a stale cache entry.
REFRESH_DEADLINE = 10.0
#: Extra time the shopper waits beyond the deadline so each carrier's own deadline fires first.
GRACE = 0.05


def table_account(gateway: BaseGateway) -> str | None:
    """The first configured account of the table-rate carrier, if any."""
    for alias in gateway.accounts:
        if str(gateway._settings[alias].get("carrier") or alias) == "table":
            return alias
    return None


class _Plan:
    """Which accounts are served from the cache, refreshed behind the scenes, or asked live."""

    def __init__(self, request: RateRequest, asked: list[str], cache: RateCache | None) -> None:
        self.served: dict[str, list[Quote]] = {}
        self.refresh: list[tuple[str, str]] = []  # (alias, cache key)
        self.live: list[str] = []
        for alias in asked:
            hit = cache.get(request, alias) if cache is not None else None
            if hit is None:
                self.live.append(alias)
                continue
            self.served[alias] = hit.quotes
            if hit.needs_refresh and cache is not None and cache.claim_refresh(hit.key):
                self.refresh.append((alias, hit.key))


def _timed_out(alias: str, deadline: Deadline) -> RateResult:
    err = DeadlineExceeded(f"no answer within the deadline of {deadline.seconds}s", carrier=alias, code="deadline")
    return RateResult(errors={alias: err})


def _unsupported(client: CarrierClient | AsyncCarrierClient) -> RateResult | None:
    if Capability.RATE in client.carrier.capabilities:
        return None
    err = NotSupported(f"{client.carrier.name} does not support rate", carrier=client.name, code="not_supported")
    return RateResult(errors={client.name: err})


def _answer(alias: str, quotes: list[Quote]) -> RateResult:
    return RateResult(quotes=quotes) if quotes else RateResult(errors={alias: no_quote(alias)})


def rate_one(client: CarrierClient, request: RateRequest, deadline: float | None) -> RateResult:
    """One account's answer as a RateResult (quotes, or the reason there are none)."""
    refused = _unsupported(client)
    if refused is not None:
        return refused
    try:
        return _answer(client.name, client.rate(request, deadline=deadline))
    except CarrierError as err:
        return RateResult(errors={client.name: err})


async def arate_one(client: AsyncCarrierClient, request: RateRequest, deadline: float | None) -> RateResult:
    refused = _unsupported(client)
    if refused is not None:
        return refused
    try:
        return _answer(client.name, await client.rate(request, deadline=deadline))
    except CarrierError as err:
        return RateResult(errors={client.name: err})


def _consume(task: asyncio.Task[RateResult]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: never logged as "never retrieved"


def _grace(limit: Deadline) -> float | None:
    remaining = limit.remaining()
    return None if remaining is None else remaining + GRACE


class _BaseShopper:
    def __init__(self, gateway: BaseGateway, *, cache: RateCache | None = None, fallback_table: str | None = None,
                 refresh_deadline: float = REFRESH_DEADLINE) -> None:
        if fallback_table is not None and fallback_table not in gateway.accounts:
            raise ValueError(f"fallback_table {fallback_table!r} is not a configured account")
        self.gateway = gateway
        self.cache = cache
        self.fallback_table = fallback_table
        self.refresh_deadline = refresh_deadline

    def _asked(self, carriers: Iterable[str] | None) -> list[str]:
        if carriers is None:
            return [a for a in self.gateway.accounts if a != self.fallback_table]
        return list(dict.fromkeys(carriers))

    def _deadline(self, seconds: float | None) -> Deadline:
        return Deadline(seconds if seconds is not None else self.gateway.default_deadline)

    def _store(self, request: RateRequest, alias: str, key: str, result: RateResult) -> None:
        assert self.cache is not None
        try:
            if result.quotes:
                self.cache.put(request, alias, result.quotes)
        finally:
            self.cache.release_refresh(key)


class RateShopper(_BaseShopper):
    """Rate shopping over a synchronous :class:`~carriergate.Gateway`. Close it (or use ``with``)."""

    def __init__(self, gateway: Gateway, *, cache: RateCache | None = None, fallback_table: str | None = None,
                 refresh_deadline: float = REFRESH_DEADLINE, max_workers: int = 8) -> None:
        super().__init__(gateway, cache=cache, fallback_table=fallback_table, refresh_deadline=refresh_deadline)
        self.gateway: Gateway = gateway
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=max_workers,
                                                           thread_name_prefix="carriergate-shop")
        self._refreshes: set[concurrent.futures.Future[None]] = set()

    def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
             deadline: float | None = None) -> RateResult:
        limit = self._deadline(deadline)
        plan = _Plan(request, self._asked(carriers), self.cache)
        for alias, key in plan.refresh:
            future = self._pool.submit(self._refresh, request, alias, key)
            self._refreshes.add(future)
            future.add_done_callback(self._refreshes.discard)
        targets = plan.live + ([self.fallback_table] if plan.live and self.fallback_table else [])
        clients = [self.gateway.carrier(alias) for alias in targets]  # unknown accounts raise here
        futures = {self._pool.submit(rate_one, client, request, limit.remaining()): client.name for client in clients}
        done: set[concurrent.futures.Future[RateResult]] = set()
        if futures:
            done, _ = concurrent.futures.wait(futures, timeout=_grace(limit))
        results = {alias: (f.result() if f in done else _timed_out(alias, limit)) for f, alias in futures.items()}
        table = results.pop(self.fallback_table) if self.fallback_table in results else None
        return resolve(request, results, cache=self.cache, served=plan.served, table=table)

    def _refresh(self, request: RateRequest, alias: str, key: str) -> None:
        result = RateResult()
        try:
            result = rate_one(self.gateway.carrier(alias), request, self.refresh_deadline)
        finally:
            self._store(request, alias, key, result)

    def wait_refreshes(self, timeout: float | None = None) -> None:
        """Wait for background refreshes of stale entries (tests, orderly shutdown)."""
        concurrent.futures.wait(list(self._refreshes), timeout=timeout)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


class AsyncRateShopper(_BaseShopper):
    """Rate shopping over an :class:`~carriergate.AsyncGateway`, awaited."""

    def __init__(self, gateway: AsyncGateway, *, cache: RateCache | None = None, fallback_table: str | None = None,
                 refresh_deadline: float = REFRESH_DEADLINE) -> None:
        super().__init__(gateway, cache=cache, fallback_table=fallback_table, refresh_deadline=refresh_deadline)
        self.gateway: AsyncGateway = gateway
        self._refreshes: set[asyncio.Task[None]] = set()

    async def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
                   deadline: float | None = None) -> RateResult:
        limit = self._deadline(deadline)
        plan = _Plan(request, self._asked(carriers), self.cache)
        for alias, key in plan.refresh:
            task = asyncio.create_task(self._refresh(request, alias, key))
            self._refreshes.add(task)
            task.add_done_callback(self._refreshes.discard)
        targets = plan.live + ([self.fallback_table] if plan.live and self.fallback_table else [])
        clients = [self.gateway.carrier(alias) for alias in targets]  # unknown accounts raise here
        tasks = {asyncio.create_task(arate_one(client, request, limit.remaining())): client.name for client in clients}
        done: set[asyncio.Task[RateResult]] = set()
        if tasks:
            done, pending = await asyncio.wait(tasks, timeout=_grace(limit))
            for waiting in pending:
                waiting.add_done_callback(_consume)
                waiting.cancel()
        results = {alias: (t.result() if t in done else _timed_out(alias, limit)) for t, alias in tasks.items()}
        table = results.pop(self.fallback_table) if self.fallback_table in results else None
        return resolve(request, results, cache=self.cache, served=plan.served, table=table)

    async def _refresh(self, request: RateRequest, alias: str, key: str) -> None:
        result = RateResult()
        try:
            result = await arate_one(self.gateway.carrier(alias), request, self.refresh_deadline)
        finally:
            self._store(request, alias, key, result)

    async def wait_refreshes(self) -> None:
        """Wait for background refreshes of stale entries (tests, orderly shutdown)."""
        if self._refreshes:
            await asyncio.gather(*self._refreshes, return_exceptions=True)


__all__ = ["AsyncRateShopper", "RateShopper", "arate_one", "rate_one", "table_account"]
