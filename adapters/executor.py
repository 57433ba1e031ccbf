"""The one request pipeline, driven synchronously (:class:`Executor`) or asynchronously
(:class:`AsyncExecutor`).

The decisions live elsewhere, shared by both: one attempt in :class:`.attempts.BaseExecutor` (fresh
request, clamped timeouts, auth hand-over, reading the answer, classifying failures, breaker, log),
retries in :class:`.retry.RetryPolicy`, driving a flow in :class:`.flows.FlowRun`. The two classes
here only send, read, sleep (for a slot under the account's quota, for a retry), call hooks and
await: ``send`` makes one call with retries, ``run`` drives a carrier's flow, one ``send`` per call
it yields.

Write safety: a write (label, pickup: not idempotent, no idempotency key) whose request may have
reached the carrier never comes back as a plain failure a caller would retry. A lost, cut-off,
truncated, garbled or oversized answer to it is OutcomeUnknown carrying the write's reference.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

from carriergate.adapters.attempts import BaseExecutor, _Outcome
from carriergate.adapters.breaker import CircuitBreaker
from carriergate.adapters.clients import AccountClients
from carriergate.adapters.flows import FlowRun
from carriergate.adapters.inflight import RunContext
from carriergate.adapters.retry import AttemptFailed
from carriergate.adapters.verdicts import deadline_error
from carriergate.core.contract import AnyCarrier, Call, Flow
from carriergate.core.deadline import Deadline
from carriergate.core.errors import CarrierError

T = TypeVar("T")


class Executor(BaseExecutor[httpx.Client]):
    """Drives flows with a synchronous ``httpx.Client``, or one per account (:class:`.AccountClients`)."""

    def __init__(self, client: httpx.Client | AccountClients[httpx.Client], *,
                 sleep: Callable[[float], None] = time.sleep, **options: Any) -> None:
        super().__init__(client, **options)
        self._sleep = sleep

    def _admit(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline) -> tuple[CircuitBreaker | None, bool]:
        """Wait for a slot under the account's quota, then ask the breaker: (breaker, probe)."""
        self._check(carrier, deadline)
        quota = self._quota(carrier)
        wait = self._slot(carrier, call, quota, self.limiter.reserve(carrier.alias, quota, deadline.remaining()))
        if wait > 0:
            self._sleep(wait)
        breaker = self._breaker(carrier, call)
        try:
            deadline.check(carrier.alias)
            return breaker, breaker.acquire(carrier.alias) if breaker else False
        except CarrierError as err:
            raise AttemptFailed(err) from None

    def _settle(self, carrier: AnyCarrier, breaker: CircuitBreaker | None, outcome: _Outcome[Any]) -> None:
        if breaker is not None:
            breaker.record(outcome.error)
        if outcome.pause is not None:
            self.limiter.pause(carrier.alias, self._quota(carrier), outcome.pause)

    def _attempt(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline, number: int, context: RunContext) -> T:
        attempt = self._begin(carrier, call, deadline, number, *self._admit(carrier, call, deadline))
        if attempt.view is not None:
            self.hooks.emit("request", attempt.view)
        response: httpx.Response | None = None
        exc: Exception | None = None
        try:
            client = self.clients.get(carrier.alias)
            auth = self._handover(carrier, call, attempt, context, client.auth, deadline)
            reader = self._reader(carrier, call, deadline, client.send(attempt.request, auth=auth, stream=True))
            reader.read()
            response = reader.as_response()
        except (httpx.HTTPError, CarrierError) as err:
            exc = err
        except BaseException:
            self._abandon(attempt)
            raise
        outcome = self._finish(carrier, call, deadline, attempt, response, exc, context)
        self._settle(carrier, attempt.breaker, outcome)
        if outcome.view is not None:
            self.hooks.emit("response", outcome.view)
        return outcome.unwrap()

    def send(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline, context: RunContext | None = None) -> T:
        """One call with retries; raises the last attempt's typed error."""
        context = RunContext() if context is None else context
        try:
            for attempt in self.retry.retrying(call, deadline, sleep=self._sleep, carrier=carrier.alias):
                with attempt:
                    result = self._attempt(carrier, call, deadline, attempt.retry_state.attempt_number, context)
        except AttemptFailed as failed:
            raise failed.error from None
        return result

    def run(self, carrier: AnyCarrier, make_flow: Callable[[], Flow[T]], deadline: Deadline,
            context: RunContext | None = None) -> T:
        """The result of the flow ``make_flow()`` makes, each call it yields sent with :meth:`send`."""
        run = FlowRun(carrier, make_flow, context)
        for call in run:
            with run.answering():
                run.answer(self.send(carrier, call, deadline, run.context))
        return run.result


class AsyncExecutor(BaseExecutor[httpx.AsyncClient]):
    """Drives flows with an ``httpx.AsyncClient``; the same decisions as :class:`Executor`. Async
    hooks get a bounded time (see :meth:`.events.EventHooks.aemit`)."""

    def __init__(self, client: httpx.AsyncClient | AccountClients[httpx.AsyncClient], *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, **options: Any) -> None:
        super().__init__(client, **options)
        self._sleep = sleep

    async def _admit(self, carrier: AnyCarrier, call: Call[Any],
                     deadline: Deadline) -> tuple[CircuitBreaker | None, bool]:
        """:meth:`Executor._admit`, awaited (a shared quota and breaker are asked without blocking the loop)."""
        self._check(carrier, deadline)
        quota = self._quota(carrier)
        slot = await self.limiter.areserve(carrier.alias, quota, deadline.remaining())
        wait = self._slot(carrier, call, quota, slot)
        if wait > 0:
            await self._sleep(wait)
        breaker = self._breaker(carrier, call)
        try:
            deadline.check(carrier.alias)
            return breaker, await breaker.aacquire(carrier.alias) if breaker else False
        except CarrierError as err:
            raise AttemptFailed(err) from None

    async def _settle(self, carrier: AnyCarrier, breaker: CircuitBreaker | None, outcome: _Outcome[Any]) -> None:
        if breaker is not None:
            await breaker.arecord(outcome.error)
        if outcome.pause is not None:
            await self.limiter.apause(carrier.alias, self._quota(carrier), outcome.pause)

    async def _attempt(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline, number: int,
                       context: RunContext) -> T:
        attempt = self._begin(carrier, call, deadline, number, *await self._admit(carrier, call, deadline))
        if attempt.view is not None:
            await self.hooks.aemit("request", attempt.view, remaining=deadline.remaining())
        response: httpx.Response | None = None
        exc: Exception | None = None
        try:
            # Deadline net: catches an attempt whose phases together overrun (httpx times connect, write
            # and read separately) or a transport that ignores timeouts; a cut-off is judged by whether
            # the call's own request was handed over.
            async with asyncio.timeout(deadline.remaining()):
                client = self.clients.get(carrier.alias)
                auth = self._handover(carrier, call, attempt, context, client.auth, deadline)
                reader = self._reader(carrier, call, deadline,
                                      await client.send(attempt.request, stream=True, auth=auth))
                await reader.aread()
                response = reader.as_response()
        except (httpx.HTTPError, CarrierError) as err:
            exc = err
        except TimeoutError:
            exc = deadline_error(carrier, call, deadline, sent=attempt.sent, stage="waiting for the carrier"
                                 if attempt.sent else "before the request was sent")
        except BaseException:  # cancelled: no verdict on the carrier
            self._abandon(attempt)
            raise
        outcome = self._finish(carrier, call, deadline, attempt, response, exc, context)
        await self._settle(carrier, attempt.breaker, outcome)
        if outcome.view is not None:
            await self.hooks.aemit("response", outcome.view, remaining=deadline.remaining())
        return outcome.unwrap()

    async def send(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline,
                   context: RunContext | None = None) -> T:
        """:meth:`Executor.send`, awaited."""
        context = RunContext() if context is None else context
        try:
            async for attempt in self.retry.aretrying(call, deadline, sleep=self._sleep, carrier=carrier.alias):
                with attempt:
                    result = await self._attempt(carrier, call, deadline, attempt.retry_state.attempt_number,
                                                 context)
        except AttemptFailed as failed:
            raise failed.error from None
        return result

    async def run(self, carrier: AnyCarrier, make_flow: Callable[[], Flow[T]], deadline: Deadline,
                  context: RunContext | None = None) -> T:
        """:meth:`Executor.run`, awaited."""
        run = FlowRun(carrier, make_flow, context)
        for call in run:
            with run.answering():
                run.answer(await self.send(carrier, call, deadline, run.context))
        return run.result


__all__ = ["AsyncExecutor", "Executor"]
