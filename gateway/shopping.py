"""Rate shopping: ``Gateway.rate`` plus an optional cache and backup rates.

``RateShopper(gateway, cache=RateCache(...), fallback_table="table")`` asks the gateway's carriers
for quotes in one round and then climbs the ladder of :mod:`carriergate.gateway.fallback`:

1. a *fresh* cache entry is served without asking the carrier;
2. a *stale* entry (within stale-while-revalidate) is served at once and refreshed in the background;
3. otherwise the carrier is asked live; if it fails, a cached answer (stale-if-error) stands in;
4. if some carrier still has no quote, the table-rate account ``fallback_table`` gives backup rates.

Without a cache or a table this is exactly ``Gateway.rate`` / ``AsyncGateway.rate``. The shopper
uses the gateway's public surface only: ``rating_accounts`` (who can rate), ``deadline`` (one
Deadline per round, the gateway's validation and clock) and ``rate_each`` (the one fan-out, each
account's own result). The table account is asked in the same round as the live carriers (it does
no I/O, so it costs nothing) and its quotes are shown only when needed. ``AsyncRateShopper`` is the
same over an AsyncGateway.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Iterable, Mapping

from carriergate.core.errors import CarrierUnavailable
from carriergate.core.quotes import Quote
from carriergate.core.results import RateResult
from carriergate.core.shipment import RateRequest
from carriergate.gateway.fallback import resolve
from carriergate.gateway.fanout import no_answer
from carriergate.gateway.gateways import AsyncGateway, BaseGateway, Closing, DeadlineArg, Gateway
from carriergate.gateway.rate_cache import RateCache

#: The deadline of a background refresh of a stale cache entry.
REFRESH_DEADLINE = 10.0


def table_account(gateway: BaseGateway) -> str | None:
    """The first configured account of the table-rate carrier, if any."""
    return next((alias for alias in gateway.accounts if gateway.carrier_kind(alias) == "table"), None)


class _Plan:
    """One round: its deadline, the quotes the cache serves, the stale entries to refresh, the
    accounts to ask live, the named ones that cannot rate, and the table account to ask alongside."""

    def __init__(self, shopper: _BaseShopper, request: RateRequest, carriers: Iterable[str] | None,
                 deadline: DeadlineArg, *, refresh: bool = True) -> None:
        gateway, cache, table = shopper.gateway, shopper.cache, shopper.fallback_table
        self.limit = gateway.deadline(deadline)
        named = None if carriers is None else list(dict.fromkeys(carriers))
        rating = gateway.rating_accounts(named)
        self.refused = [] if named is None else [name for name in named if name not in rating]
        self.served: dict[str, list[Quote]] = {}
        self.refresh: list[tuple[str, str]] = []  # (account, cache key)
        self.live: list[str] = []
        unnamed_table = [] if named is not None or table is None else [table]  # asked as backup only
        for alias in (a for a in rating if a not in unnamed_table):
            hit = cache.get(request, alias) if cache is not None else None
            if hit is None:
                self.live.append(alias)
                continue
            self.served[alias] = hit.quotes
            if refresh and hit.needs_refresh and cache is not None and cache.claim_refresh(hit.key):
                self.refresh.append((alias, hit.key))
        self.table = (table if table is not None and self.live and table not in self.live
                      and gateway.rating_accounts([table]) else None)

    @property
    def backup(self) -> list[str]:
        """The accounts asked even when the live carriers are not: the named ones that cannot rate
        (they answer NotSupported without any I/O) and the table account."""
        return self.refused + ([self.table] if self.table is not None else [])

    @property
    def asked(self) -> list[str]:
        """The accounts a live round asks: the live ones and :attr:`backup`."""
        return self.live + self.backup


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

    def _settle(self, request: RateRequest, plan: _Plan, results: Mapping[str, RateResult]) -> RateResult:
        """Each account's result of the round through the fallback ladder."""
        live = {alias: results[alias] for alias in plan.live}
        backup = results.get(plan.table) if plan.table is not None else None
        found = resolve(request, live, cache=self.cache, served=plan.served, table=backup)
        refused = {name: err for alias in plan.refused for name, err in results[alias].errors.items()}
        return RateResult(quotes=found.quotes, errors={**refused, **found.errors})

    def _overrun(self, request: RateRequest, carriers: Iterable[str] | None, deadline: DeadlineArg,
                 unasked: str | None) -> tuple[_Plan, dict[str, RateResult]]:
        """The plan of a round that ran out of time (every live account: no answer in time) or was
        never run (``unasked`` given: every live account a CarrierUnavailable with that code)."""
        plan = _Plan(self, request, carriers, deadline, refresh=False)
        if unasked is None:
            return plan, {a: RateResult(errors={a: no_answer(a, plan.limit)}) for a in plan.live}
        return plan, {a: RateResult(errors={a: CarrierUnavailable("not asked: backup rates answered instead",
                                                                   carrier=a, code=unasked)}) for a in plan.live}

    def _store(self, request: RateRequest, alias: str, key: str, result: RateResult | None) -> None:
        assert self.cache is not None
        try:
            if result is not None and result.quotes:
                self.cache.put(request, alias, result.quotes)
        finally:
            self.cache.release_refresh(key)


class RateShopper(_BaseShopper, Closing):
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
             deadline: DeadlineArg = None) -> RateResult:
        """One round within ``deadline`` (seconds or a Deadline), through the fallback ladder."""
        plan = _Plan(self, request, carriers, deadline)
        for alias, key in plan.refresh:
            future = self._workers().submit(self._refresh, request, alias, key)
            self._refreshes.add(future)
            future.add_done_callback(self._refreshes.discard)
        return self._settle(request, plan, self.gateway.rate_each(request, plan.asked, plan.limit))

    def rate_in_background(self, request: RateRequest, carriers: Iterable[str] | None = None,
                           deadline: DeadlineArg = None) -> concurrent.futures.Future[RateResult]:
        """:meth:`rate` started on the shopper's own threads, for a caller that must answer by a
        deadline whatever happens (checkout's ``quote`` abandons it for :meth:`backup`)."""
        return self._workers().submit(self.rate, request, carriers, deadline)

    def backup(self, request: RateRequest, carriers: Iterable[str] | None = None,
               deadline: DeadlineArg = None, *, unasked: str | None = None) -> RateResult:
        """The answer when a live round overran: cached quotes where the cache has them, DeadlineExceeded
        for the other carriers, and table rates asked within (what is left of) ``deadline``. With
        ``unasked`` (an error code), the round was never run: the carriers' errors carry that code."""
        plan, results = self._overrun(request, carriers, deadline, unasked)
        if plan.backup:
            results.update(self.gateway.rate_each(request, plan.backup, plan.limit))
        return self._settle(request, plan, results)

    def _refresh(self, request: RateRequest, alias: str, key: str) -> None:
        result: RateResult | None = None
        try:
            result = self.gateway.rate_each(request, [alias], self.refresh_deadline)[alias]
        finally:
            self._store(request, alias, key, result)

    def wait_refreshes(self, timeout: float | None = None) -> None:
        """Wait for background refreshes of stale entries (tests, orderly shutdown)."""
        concurrent.futures.wait(list(self._refreshes), timeout=timeout)

    def close(self) -> None:
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


class AsyncRateShopper(_BaseShopper):
    """Rate shopping over an :class:`~carriergate.AsyncGateway`, awaited."""

    def __init__(self, gateway: AsyncGateway, *, cache: RateCache | None = None, fallback_table: str | None = None,
                 refresh_deadline: float = REFRESH_DEADLINE) -> None:
        super().__init__(gateway, cache=cache, fallback_table=fallback_table, refresh_deadline=refresh_deadline)
        self.gateway: AsyncGateway = gateway
        self._refreshes: set[asyncio.Task[None]] = set()

    async def rate(self, request: RateRequest, carriers: Iterable[str] | None = None,
                   deadline: DeadlineArg = None) -> RateResult:
        """The async twin of :meth:`RateShopper.rate`; cancelling it cancels the carriers asked."""
        plan = _Plan(self, request, carriers, deadline)
        for alias, key in plan.refresh:
            task = asyncio.create_task(self._refresh(request, alias, key))
            self._refreshes.add(task)
            task.add_done_callback(self._refreshes.discard)
        return self._settle(request, plan, await self.gateway.rate_each(request, plan.asked, plan.limit))

    async def backup(self, request: RateRequest, carriers: Iterable[str] | None = None,
                     deadline: DeadlineArg = None, *, unasked: str | None = None) -> RateResult:
        """The async twin of :meth:`RateShopper.backup`."""
        plan, results = self._overrun(request, carriers, deadline, unasked)
        if plan.backup:
            results.update(await self.gateway.rate_each(request, plan.backup, plan.limit))
        return self._settle(request, plan, results)

    async def _refresh(self, request: RateRequest, alias: str, key: str) -> None:
        result: RateResult | None = None
        try:
            result = (await self.gateway.rate_each(request, [alias], self.refresh_deadline))[alias]
        finally:
            self._store(request, alias, key, result)

    async def wait_refreshes(self) -> None:
        """Wait for background refreshes of stale entries (tests, orderly shutdown)."""
        if self._refreshes:
            await asyncio.gather(*self._refreshes, return_exceptions=True)


__all__ = ["REFRESH_DEADLINE", "AsyncRateShopper", "RateShopper", "table_account"]
