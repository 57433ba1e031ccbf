"""How the gateway runs carrier flows within a Deadline: one run, and one round over many carriers.

:func:`run` / :func:`arun` run one carrier's flow; :func:`fan_out` / :func:`afan_out` ask several
carriers for quotes at once (sync on the gateway's worker pool, async as tasks) and :func:`collect`
turns what each answered into a :class:`~carriergate.RateResult`. ``Gateway.rate`` /
``Gateway.rate_each`` are built on these and nothing else asks carriers for rates, so rate shopping
(:mod:`.shopping`) and checkout build on those public methods. Which failure each net here alone
catches is said at the net and in :mod:`carriergate.core.deadline`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.inflight import RunContext
from carriergate.core.contract import AnyCarrier, Flow
from carriergate.core.contract import tracking_number as check_tracking_number
from carriergate.core.deadline import SAFETY_MARGIN, Deadline
from carriergate.core.errors import CarrierError, DeadlineExceeded, FieldError, NotServed, ValidationError
from carriergate.core.quotes import Quote
from carriergate.core.results import RateResult
from carriergate.core.shipment import RateRequest
from carriergate.core.tracking import TrackingResult

T = TypeVar("T")

#: One carrier's answer in a round: its quotes, its error, or None (no answer in time).
Outcome = list[Quote] | BaseException | None


def run(executor: Executor, carrier: AnyCarrier, make_flow: Callable[[], Flow[T]], limit: Deadline) -> T:
    """One flow, synchronously. No net of its own: a thread cannot be interrupted, so the executor's
    clamped timeouts and per-chunk check are what end it (a round adds :func:`fan_out`'s wait)."""
    return executor.run(carrier, make_flow, limit)


async def arun(executor: AsyncExecutor, carrier: AnyCarrier, make_flow: Callable[[], Flow[T]],
               limit: Deadline) -> T:
    """One flow, awaited: every async call of the gateway, alone or in a round, runs through here."""
    remaining = limit.remaining()
    context = RunContext()  # which writes may have been performed, for judging a cut-off
    try:
        # Net: catches a hang between attempts that no executor net covers (a retry sleep that overruns).
        async with asyncio.timeout(None if remaining is None else remaining + SAFETY_MARGIN):
            return await executor.run(carrier, make_flow, limit, context)
    except TimeoutError:
        raise context.judge(DeadlineExceeded(f"deadline of {limit.seconds}s exceeded",
                                             carrier=carrier.alias)) from None


def no_quote(carrier: str) -> NotServed:
    """A carrier that answered with no quote at all serves no service for this shipment."""
    return NotServed("no service quoted for this shipment", carrier=carrier, code="no_quote")


def no_answer(carrier: str, limit: Deadline) -> DeadlineExceeded:
    """The error of a carrier that did not answer within ``limit``."""
    return DeadlineExceeded(f"no answer within the deadline of {limit.seconds}s", carrier=carrier)


def collect(outcomes: Mapping[str, Outcome], limit: Deadline) -> dict[str, RateResult]:
    """The one rating collector: each carrier's own RateResult from its outcome (its quotes, its
    error, or None/cancelled for no answer in time)."""
    results: dict[str, RateResult] = {}
    for name, outcome in outcomes.items():
        if isinstance(outcome, list):
            results[name] = RateResult(quotes=list(outcome), errors={} if outcome else {name: no_quote(name)})
        elif isinstance(outcome, CarrierError):
            results[name] = RateResult(errors={name: outcome})
        elif outcome is None or isinstance(outcome, asyncio.CancelledError):
            results[name] = RateResult(errors={name: no_answer(name, limit)})
        else:  # a bug, not a carrier failure: never hide it
            raise outcome
    return results


def merge(results: Mapping[str, RateResult]) -> RateResult:
    """Every carrier's RateResult as one: all quotes (sorted), every error by account."""
    return RateResult(quotes=[q for r in results.values() for q in r.quotes],
                      errors={name: err for r in results.values() for name, err in r.errors.items()})


def _rating(carrier: AnyCarrier, request: RateRequest) -> Callable[[], Flow[list[Quote]]]:
    return lambda: carrier.rate(request)


def fan_out(pool: concurrent.futures.Executor, executor: Executor, carriers: Sequence[AnyCarrier],
            request: RateRequest, limit: Deadline) -> dict[str, Outcome]:
    """Every carrier at once on ``pool``; whoever has not answered by the deadline is None."""
    if not carriers:
        return {}
    futures = {pool.submit(run, executor, c, _rating(c, request), limit): c.alias for c in carriers}
    # Net: catches a carrier thread that does not return in time (timeouts ignored, no free worker).
    _, pending = concurrent.futures.wait(futures, timeout=limit.remaining())
    outcomes: dict[str, Outcome] = {}
    for future, alias in futures.items():
        if future in pending:
            future.cancel()  # a running attempt ends at its own timeout, clamped to the deadline
            outcomes[alias] = None
        else:
            outcomes[alias] = future.exception() or future.result()
    return outcomes


async def afan_out(executor: AsyncExecutor, carriers: Sequence[AnyCarrier], request: RateRequest,
                   limit: Deadline) -> dict[str, Outcome]:
    """Every carrier at once, one task each, each an :func:`arun` (so bounded by its deadline). A
    caller that gives up (is cancelled) cancels every carrier still running; every task's outcome
    is retrieved, so none is ever logged as "never retrieved"."""
    if not carriers:
        return {}
    settled = await asyncio.gather(*(arun(executor, c, _rating(c, request), limit) for c in carriers),
                                   return_exceptions=True)
    return {c.alias: outcome for c, outcome in zip(carriers, settled, strict=True)}


def batches(carrier: AnyCarrier, numbers: Sequence[str]) -> list[list[str]]:
    """``numbers`` (validated, each once, in order) cut into the carrier's :attr:`track_batch` sizes."""
    unique = list(dict.fromkeys(check_tracking_number(n, field=f"tracking_numbers[{i}]")
                                for i, n in enumerate(numbers)))
    if not unique:
        raise ValidationError(FieldError("tracking_numbers", "must name at least one tracking number"))
    size = max(1, carrier.track_batch)
    return [unique[i:i + size] for i in range(0, len(unique), size)]


def _tracking(carrier: AnyCarrier, batch: list[str]) -> Callable[[], Flow[TrackingResult]]:
    return lambda: carrier.track_many(batch)


def _settle(batches_: list[list[str]], outcomes: Sequence[TrackingResult | BaseException | None],
            limit: Deadline, alias: str) -> TrackingResult:
    """Every batch's answer as one result; a batch that failed as a whole gives its error to each number."""
    result = TrackingResult()
    for batch, outcome in zip(batches_, outcomes, strict=True):
        if isinstance(outcome, TrackingResult):
            result.tracked.update(outcome.tracked)
            result.errors.update(outcome.errors)
            continue
        if outcome is None or isinstance(outcome, asyncio.CancelledError):
            outcome = no_answer(alias, limit)
        if not isinstance(outcome, CarrierError):
            raise outcome  # a bug, not a carrier failure: never hide it
        result.errors.update(dict.fromkeys(batch, outcome))
    return result


def track_batches(pool: concurrent.futures.Executor, executor: Executor, carrier: AnyCarrier,
                  numbers: Sequence[str], limit: Deadline) -> TrackingResult:
    """Every batch of ``numbers`` at once on ``pool``, within ``limit``."""
    cut = batches(carrier, numbers)
    futures = [pool.submit(run, executor, carrier, _tracking(carrier, b), limit) for b in cut]
    # Net: as fan_out's, a batch thread that does not return in time.
    _, pending = concurrent.futures.wait(futures, timeout=limit.remaining())
    outcomes: list[TrackingResult | BaseException | None] = []
    for future in futures:
        if future in pending:
            future.cancel()
            outcomes.append(None)
        else:
            outcomes.append(future.exception() or future.result())
    return _settle(cut, outcomes, limit, carrier.alias)


async def atrack_batches(executor: AsyncExecutor, carrier: AnyCarrier, numbers: Sequence[str],
                         limit: Deadline) -> TrackingResult:
    """:func:`track_batches`, one task per batch, each an :func:`arun`."""
    cut = batches(carrier, numbers)
    settled = await asyncio.gather(*(arun(executor, carrier, _tracking(carrier, b), limit) for b in cut),
                                   return_exceptions=True)
    return _settle(cut, settled, limit, carrier.alias)


__all__ = ["Outcome", "afan_out", "arun", "atrack_batches", "batches", "collect", "fan_out", "merge", "no_answer",
           "no_quote", "run", "track_batches"]
