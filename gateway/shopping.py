"""Rate shopping: the one fan-out behind ``Gateway.rate``, plus an optional cache and backup rates.

``RateShopper(gateway, cache=RateCache(...), fallback_table="table")`` asks the gateway's carriers
for quotes concurrently (on the gateway's executor and, sync, its worker pool) and then climbs the
ladder of :mod:`carriergate.gateway.fallback`:

1. a *fresh* cache entry is served without asking the carrier;
2. a *stale* entry (within stale-while-revalidate) is served at once and refreshed in the background;
3. otherwise the carrier is asked live; if it fails, a cached answer (stale-if-error) stands in;
4. if some carrier still has no quote, the table-rate account ``fallback_table`` gives backup rates.

Without a cache or a table this is exactly ``Gateway.rate``/``AsyncGateway.rate``, which delegate
here. One round has one planner (``BaseGateway._rating_carriers``: which carriers, which errors up
front), one :class:`~carriergate.core.deadline.Deadline` made by the gateway (its validation, its
clock) and one collector (``BaseGateway._result``). Carriers receive that Deadline itself, never
seconds re-derived from it, so a deadline that runs out is a DeadlineExceeded, not a bad argument.
The table account is asked together with the live carriers (it does no I/O, so it costs nothing)
and its quotes are shown only when needed. ``AsyncRateShopper`` is the same over an AsyncGateway.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Callable, Iterable, Mapping
from types import TracebackType
from typing import Self

from carriergate.core.contract import AnyCarrier, Flow
from carriergate.core.deadline import ROUND_GRACE, Deadline
from carriergate.core.errors import CarrierError, CarrierUnavailable
from carriergate.core.quotes import Quote
from carriergate.core.results import RateResult
from carriergate.core.shipment import RateRequest
from carriergate.gateway.fallback import resolve
from carriergate.gateway.gateways import AsyncGateway, BaseGateway, Gateway
from carriergate.gateway.rate_cache import RateCache

#: The deadline of a background refresh of a stale cache entry.
REFRESH_DEADLINE = 10.0

#: One carrier's answer: its quotes, its error, or None (no answer in time).
Outcome = list[Quote] | BaseException | None


def table_account(gateway: BaseGateway) -> str | None:
    """The first configured account of the table-rate carrier, if any."""
    return next((alias for alias in gateway.accounts if gateway.carrier_kind(alias) == "table"), None)


def _flow(carrier: AnyCarrier, request: RateRequest) -> Callable[[], Flow[list[Quote]]]:
    return lambda: carrier.rate(request)


def _grace(limit: Deadline) -> float | None:
    remaining = limit.remaining()
    return None if remaining is None else remaining + ROUND_GRACE


def _consume(task: asyncio.Future[list[Quote]]) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: never logged as "never retrieved"


class _Plan:
    """One round: its deadline, the errors known up front, the quotes the cache serves, the stale
    entries to refresh, the carriers to ask live and the table account to ask alongside them."""

    def __init__(self, shopper: _BaseShopper, request: RateRequest, carriers: Iterable[str] | None,
                 deadline: float | Deadline | None, *, refresh: bool = True) -> None:
        gateway, cache, table = shopper.gateway, shopper.cache, shopper.fallback_table
        chosen, self.errors = gateway._rating_carriers(carriers, skip=table)
        self.limit = deadline if isinstance(deadline, Deadline) else gateway._deadline(deadline)
        self.served: dict[str, list[Quote]] = {}
        self.refresh: list[tuple[AnyCarrier, str]] = []  # (carrier, cache key)
        self.live: list[AnyCarrier] = []
        for carrier in chosen:
            hit = cache.get(request, carrier.alias) if cache is not None else None
            if hit is None:
                self.live.append(carrier)
                continue
            self.served[carrier.alias] = hit.quotes
            if refresh and hit.needs_refresh and cache is not None and cache.claim_refresh(hit.key):
                self.refresh.append((carrier, hit.key))
        self.table: AnyCarrier | None = None
        if table is not None and self.live and table not in {c.alias for c in self.live}:
            backup, _ = gateway._rating_carriers([table])
            self.table = backup[0] if backup else None

    @property
    def targets(self) -> list[AnyCarrier]:
        return self.live + ([self.table] if self.table is not None else [])


class _BaseShopper:
    def __init__(self, gateway: BaseGateway, *, cache: RateCache | None = None, fallback_table: str | None = None,
                 refresh_deadline: float = REFRESH_DEADLINE) -> None:
        if fallback_table is not None and fallback_table not in gateway.accounts:
            raise ValueError(f"fallback_table {fallback_table!r} is not a configured account")
        if not refresh_deadline > 0:
            raise ValueError("refresh_deadline must be greater than zero seconds")
        self.gateway = gateway
        self.cache = cache
        self.fallback_table = fallback_table
        self.refresh_deadline = refresh_deadline

    def _settle(self, request: RateRequest, plan: _Plan, outcomes: Mapping[str, Outcome]) -> RateResult:
        """Every carrier's outcome through the collector, then the fallback ladder."""
        collect = self.gateway._result
        table = plan.table.alias if plan.table is not None else ""
        live = {alias: collect({alias: outcome}, {}, plan.limit) for alias, outcome in outcomes.items()
                if alias != table}
        backup = collect({table: outcomes[table]}, {}, plan.limit) if table in outcomes else None
        found = resolve(request, live, cache=self.cache, served=plan.served, table=backup)
        return RateResult(quotes=found.quotes, errors={**plan.errors, **found.errors})

    def _overrun(self, request: RateRequest, carriers: Iterable[str] | None, deadline: float | Deadline | None,
                 unasked: str | None) -> tuple[_Plan, dict[str, Outcome]]:
        """The plan of a round that ran out of time (every live carrier unanswered: None) or was never
        run (``unasked`` given: every live carrier a CarrierUnavailable with that code)."""
        plan = _Plan(self, request, carriers, deadline, refresh=False)
        if unasked is None:
            return plan, dict.fromkeys((c.alias for c in plan.live), None)
        return plan, {c.alias: CarrierUnavailable("not asked: backup rates answered instead", carrier=c.alias,
                                                  code=unasked) for c in plan.live}

    def _store(self, request: RateRequest, carrier: AnyCarrier, key: str, outcome: Outcome, limit: Deadline) -> None:
        assert self.cache is not None
        try:
            result = self.gateway._result({carrier.alias: outcome}, {}, limit)
            if result.quotes:
                self.cache.put(request, carrier.alias, result.quotes)
        finally:
            self.cache.release_refresh(key)


class RateShopper(_BaseShopper):
    """Rate shopping over a synchronous :class:`~carriergate.Gateway`. Close it (or use ``with``).

    Carriers are asked on the gateway's worker pool; the shopper's own ``max_workers`` threads,
    started on first use, run background refreshes and :meth:`rate_in_background`."""

    def __init__(self, gateway: Gateway, *, cache: RateCache | None = None, fallback_table: str | None = None,
                 refresh_deadline: float = REFRESH_DEADLINE, max_workers: int = 8) -> None:
        super().__init__(gateway, cache=cache, fallback_table=fallback_table, refresh_deadline=refresh_deadline)
        self.gateway: Gateway = gateway
        self._max_workers = max_workers
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._refreshes: set[concurrent.futures.Future[None]] = set()

    def _workers(self) -> concurrent.futures.ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=self._max_workers,
                                                                   thread_name_prefix="carriergate-shop")
            return self._pool

    def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
             deadline: float | None = None) -> RateResult:
        plan = _Plan(self, request, carriers, deadline)
        for carrier, key in plan.refresh:
            future = self._workers().submit(self._refresh, request, carrier, key)
            self._refreshes.add(future)
            future.add_done_callback(self._refreshes.discard)
        return self._settle(request, plan, self._ask(plan.targets, request, plan.limit))

    def rate_in_background(self, request: RateRequest, carriers: Iterable[str] | None = None,
                           deadline: float | None = None) -> concurrent.futures.Future[RateResult]:
        """:meth:`rate` started on the shopper's own threads, for a caller that must answer by a
        deadline whatever happens (checkout's ``quote`` abandons it for :meth:`backup`)."""
        return self._workers().submit(self.rate, request, carriers, deadline)

    def backup(self, request: RateRequest, carriers: Iterable[str] | None = None,
               deadline: float | Deadline | None = None, *, unasked: str | None = None) -> RateResult:
        """The answer when a live round overran: cached quotes where the cache has them, DeadlineExceeded
        for the other carriers, and table rates asked within (what is left of) ``deadline``. With
        ``unasked`` (an error code), the round was never run: the carriers' errors carry that code."""
        plan, outcomes = self._overrun(request, carriers, deadline, unasked)
        if plan.table is not None:
            outcomes[plan.table.alias] = self._run(plan.table, request, plan.limit)
        return self._settle(request, plan, outcomes)

    def _run(self, carrier: AnyCarrier, request: RateRequest, limit: Deadline) -> Outcome:
        try:
            return self.gateway._executor.run(carrier, _flow(carrier, request), limit)
        except CarrierError as err:
            return err

    def _ask(self, carriers: list[AnyCarrier], request: RateRequest, limit: Deadline) -> dict[str, Outcome]:
        """Every carrier at once on the gateway's pool; whoever has not answered by the deadline is None."""
        if not carriers:
            return {}
        pool, run = self.gateway._pool, self.gateway._executor.run
        futures = {pool.submit(run, c, _flow(c, request), limit): c.alias for c in carriers}
        _, pending = concurrent.futures.wait(futures, timeout=_grace(limit))
        outcomes: dict[str, Outcome] = {}
        for future, alias in futures.items():
            if future in pending:
                future.cancel()  # a running attempt ends at its own timeout, clamped to the deadline
                outcomes[alias] = None
            else:
                outcomes[alias] = future.exception() or future.result()
        return outcomes

    def _refresh(self, request: RateRequest, carrier: AnyCarrier, key: str) -> None:
        limit = self.gateway._deadline(self.refresh_deadline)
        outcome: Outcome = None
        try:
            outcome = self._run(carrier, request, limit)
        finally:
            self._store(request, carrier, key, outcome, limit)

    def wait_refreshes(self, timeout: float | None = None) -> None:
        """Wait for background refreshes of stale entries (tests, orderly shutdown)."""
        concurrent.futures.wait(list(self._refreshes), timeout=timeout)

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

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
        plan = _Plan(self, request, carriers, deadline)
        for carrier, key in plan.refresh:
            task = asyncio.create_task(self._refresh(request, carrier, key))
            self._refreshes.add(task)
            task.add_done_callback(self._refreshes.discard)
        return self._settle(request, plan, await self._ask(plan.targets, request, plan.limit))

    async def backup(self, request: RateRequest, carriers: Iterable[str] | None = None,
                     deadline: float | Deadline | None = None, *, unasked: str | None = None) -> RateResult:
        """The async twin of :meth:`RateShopper.backup`."""
        plan, outcomes = self._overrun(request, carriers, deadline, unasked)
        if plan.table is not None:
            outcomes[plan.table.alias] = await self._run(plan.table, request, plan.limit)
        return self._settle(request, plan, outcomes)

    async def _run(self, carrier: AnyCarrier, request: RateRequest, limit: Deadline) -> Outcome:
        try:
            return await self.gateway._executor.run(carrier, _flow(carrier, request), limit)
        except CarrierError as err:
            return err

    async def _ask(self, carriers: list[AnyCarrier], request: RateRequest, limit: Deadline) -> dict[str, Outcome]:
        if not carriers:
            return {}
        run = self.gateway._executor.run
        tasks: dict[asyncio.Future[list[Quote]], str] = {
            asyncio.ensure_future(run(c, _flow(c, request), limit)): c.alias for c in carriers}
        try:
            _, pending = await asyncio.wait(tasks, timeout=_grace(limit))
        except BaseException:  # the caller gave up (cancelled): so do the carriers
            for task in tasks:
                task.add_done_callback(_consume)
                task.cancel()
            raise
        for task in pending:
            task.cancel()
        # Collect every task, the cancelled ones too, so no exception goes unretrieved; a carrier
        # that answered in the instant of cancellation still counts.
        settled = await asyncio.gather(*tasks, return_exceptions=True)
        return dict(zip(tasks.values(), settled, strict=True))

    async def _refresh(self, request: RateRequest, carrier: AnyCarrier, key: str) -> None:
        limit = self.gateway._deadline(self.refresh_deadline)
        outcome: Outcome = None
        try:
            outcome = await self._run(carrier, request, limit)
        finally:
            self._store(request, carrier, key, outcome, limit)

    async def wait_refreshes(self) -> None:
        """Wait for background refreshes of stale entries (tests, orderly shutdown)."""
        if self._refreshes:
            await asyncio.gather(*self._refreshes, return_exceptions=True)


__all__ = ["AsyncRateShopper", "RateShopper", "table_account"]
