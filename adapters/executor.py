"""The one request pipeline, driven synchronously (:class:`Executor`) or asynchronously
(:class:`AsyncExecutor`). All decisions live in :class:`BaseExecutor` and the pure policy objects
(:class:`~.retry.RetryPolicy`, :class:`~.breaker.CircuitBreaker`); the two subclasses only send,
read, sleep, call hooks and await. Per attempt: deadline check -> breaker -> a fresh copy of the
request with timeouts clamped to the deadline -> send with the auth flow (``call.auth or
carrier.auth``, so every attempt is signed afresh), noting when the call's own request is handed over
(:mod:`.inflight`) -> read the answer under ``max_response_bytes`` (:mod:`.limits`) and the deadline
-> parse (pure) -> classify any failure into a typed CarrierError (:mod:`.verdicts`) -> breaker
verdict -> DEBUG log line and response hook -> the retry policy decides what happens next.

Write safety: a write (label, pickup: not idempotent, no idempotency key) whose request may have
reached the carrier never comes back as a plain failure a caller would retry. A lost, cut-off,
truncated, garbled or oversized answer to it is OutcomeUnknown carrying the write's reference.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from carriergate.adapters.breaker import BreakerRegistry, CircuitBreaker
from carriergate.adapters.clients import AccountClients
from carriergate.adapters.events import EventHooks, Exchange, request_view, response_view
from carriergate.adapters.inflight import Handover, RunContext
from carriergate.adapters.redaction import redact_body, redact_url
from carriergate.adapters.retry import AttemptFailed, RetryPolicy
from carriergate.adapters.verdicts import deadline_error, doubtful, parse_answer, transport_error
from carriergate.core.contract import AnyCarrier, Call, Flow
from carriergate.core.deadline import Deadline
from carriergate.core.errors import CarrierError, DeadlineExceeded, MalformedResponse
from carriergate.protocols.limits import DEFAULT_MAX_RESPONSE_BYTES, BodyLimit, BodyReader

T = TypeVar("T")
logger = logging.getLogger("carriergate.executor")


@dataclass(eq=False)
class _Attempt:
    number: int
    request: httpx.Request
    breaker: CircuitBreaker | None
    started: float
    secrets: list[str] | None  # computed only when someone observes (DEBUG log or hooks)
    view: Exchange | None
    sent: bool = False  # the call's own request was handed to httpx to send


@dataclass
class _Outcome(Generic[T]):
    value: T | None
    failure: AttemptFailed | None
    view: Exchange | None

    def unwrap(self) -> T:
        if self.failure is not None:
            raise self.failure
        return self.value  # type: ignore[return-value]


@dataclass(frozen=True)
class _Done(Generic[T]):
    """The flow returned ``value``."""

    value: T


class BaseExecutor:
    """Shared logic: timeouts, classification of failures, breakers, logging and driving a flow."""

    def __init__(self, *, retry: RetryPolicy | None = None, breakers: BreakerRegistry | None = None,
                 hooks: EventHooks | None = None, clock: Callable[[], float] = time.monotonic,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES) -> None:
        self.retry = retry or RetryPolicy()
        self.breakers = breakers
        self.hooks = hooks or EventHooks()
        self._clock = clock
        self.body_limit = BodyLimit(max_response_bytes)

    # -- building an attempt ----------------------------------------------------------------------

    def _timeouts(self, carrier: AnyCarrier, deadline: Deadline) -> httpx.Timeout:
        read = deadline.clamp(carrier.account.timeout)
        connect = min(carrier.account.connect_timeout, read)
        return httpx.Timeout(read, connect=connect, pool=connect)

    def _fresh_request(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline) -> httpx.Request:
        """A new request from the call's original (never the one a previous attempt sent), so auth
        flows that add headers or sign the body start from the unsigned original every time."""
        src = call.request
        extensions = {**src.extensions, "timeout": self._timeouts(carrier, deadline).as_dict()}
        return httpx.Request(src.method, src.url, headers=src.headers.copy(), content=src.read(),
                             extensions=extensions)

    def _observed(self) -> bool:
        return bool(self.hooks) or logger.isEnabledFor(logging.DEBUG)

    @staticmethod
    def _auth(carrier: AnyCarrier, call: Call[Any]) -> httpx.Auth | None:
        return call.auth or carrier.auth

    def _handover(self, carrier: AnyCarrier, call: Call[Any], attempt: _Attempt, context: RunContext,
                  default: httpx.Auth | None, deadline: Deadline) -> httpx.Auth:
        """The call's auth flow (else the client's, else none), noting on ``attempt`` and ``context``
        when the call's own request, not a token fetch, is handed over to be sent. Every request the
        flow sends (a token fetch, the call, a replay after 401) gets timeouts clamped afresh to what
        is left of the deadline, and none is sent once it has run out."""
        def handed_over() -> None:
            attempt.sent = True
            context.handed_over(attempt, call)

        def prepare(request: httpx.Request) -> None:
            deadline.check(carrier.alias)
            request.extensions["timeout"] = self._timeouts(carrier, deadline).as_dict()
        return Handover(self._auth(carrier, call) or default or httpx.Auth(), handed_over, prepare)

    def _secrets(self, carrier: AnyCarrier, call: Call[Any]) -> list[str]:
        """The account's secrets plus any an auth flow exposes through a ``secrets()`` method."""
        found = list(carrier.secrets())
        exposed = getattr(self._auth(carrier, call), "secrets", None)
        if callable(exposed):
            found.extend(s for s in exposed() if isinstance(s, str))
        return found

    def _begin(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline, number: int) -> _Attempt:
        try:
            deadline.check(carrier.alias)
            breaker = self.breakers.for_call(carrier.alias, call) if self.breakers else None
            probe = breaker.acquire(carrier.alias) if breaker else False
        except CarrierError as err:
            raise AttemptFailed(err) from None
        if probe:
            logger.debug("%s %s: half-open probe", carrier.alias, call.operation)
        try:
            request = self._fresh_request(carrier, call, deadline)
        except BaseException:
            if breaker:
                breaker.release()
            raise
        secrets = self._secrets(carrier, call) if self._observed() else None
        view = (request_view(carrier.alias, call.operation, number, request, secrets)
                if secrets is not None and self.hooks.wants("request") else None)
        return _Attempt(number, request, breaker, self._clock(), secrets, view)

    # -- reading an answer (the subclasses only loop over the chunks) ------------------------------

    def _open(self, carrier: AnyCarrier, call: Call[Any], response: httpx.Response) -> tuple[BodyReader, bool]:
        """A reader for ``response``, and True when the body was already in memory (and is taken)."""
        try:
            reader = self.body_limit.reader(response, operation=call.operation, carrier=carrier.alias)
            if response.is_stream_consumed:  # read into memory already (by a transport or a hook)
                reader.take(response.content)
                return reader, True
        except MalformedResponse as err:
            raise doubtful(call, err, response.status_code) from None
        return reader, False

    def _feed(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline, reader: BodyReader,
              chunk: bytes) -> None:
        """One received chunk into ``reader``, then the deadline: httpx times a read per chunk, so a
        carrier trickling bytes would otherwise hold the call open for ever."""
        try:
            reader.feed(chunk)
        except MalformedResponse as err:
            raise doubtful(call, err, reader.response.status_code) from None
        if deadline.expired:
            raise deadline_error(carrier, call, deadline, sent=True, stage="while reading the answer")

    # -- judging an attempt -----------------------------------------------------------------------

    @staticmethod
    def _transport_error(carrier: AnyCarrier, call: Call[Any], exc: Exception, deadline: Deadline,
                         sent: bool = True) -> CarrierError:
        """A transport failure as a typed error (see :func:`.verdicts.transport_error`)."""
        return transport_error(carrier, call, exc, deadline, sent)

    def _finish(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline, attempt: _Attempt,
                response: httpx.Response | None, exc: Exception | None, context: RunContext) -> _Outcome[T]:
        """Classify, tell the breaker and the run context, log, and build the response view."""
        elapsed = self._clock() - attempt.started
        value: T | None = None
        failure: AttemptFailed | None = None
        if isinstance(exc, CarrierError):  # raised by an auth flow or while reading the answer
            if exc.carrier is None:
                exc.carrier = carrier.alias
            failure = AttemptFailed(exc, sent=attempt.sent)
        elif exc is not None:
            failure = AttemptFailed(self._transport_error(carrier, call, exc, deadline, attempt.sent))
        elif response is not None:
            try:
                value = parse_answer(carrier, call, response)
            except CarrierError as err:
                failure = AttemptFailed(err, retry_after=self.retry.retry_after(response, err))
        if attempt.breaker is not None:
            attempt.breaker.record(failure.error if failure else None)
        context.settled(attempt, failure.error if failure else None)
        error_code = (failure.error.code or type(failure.error).__name__) if failure else None
        view = None
        if attempt.secrets is not None:
            self._log(carrier, call, attempt, response, elapsed, error_code)
            if self.hooks.wants("response"):
                base = attempt.view or request_view(carrier.alias, call.operation, attempt.number,
                                                    attempt.request, attempt.secrets)
                view = response_view(base, response, elapsed, error_code, attempt.secrets)
        return _Outcome(value, failure, view)

    @staticmethod
    def _abandon(attempt: _Attempt) -> None:
        if attempt.breaker is not None:
            attempt.breaker.release()

    def _log(self, carrier: AnyCarrier, call: Call[Any], attempt: _Attempt, response: httpx.Response | None,
             elapsed: float, error_code: str | None) -> None:
        if not logger.isEnabledFor(logging.DEBUG):
            return
        secrets = attempt.secrets or []
        sent = response.request if response is not None else attempt.request
        logger.debug(
            "%s %s attempt %d: %s %s -> %s in %.3fs; request: %s; response: %s",
            carrier.alias, call.operation, attempt.number, sent.method, redact_url(sent.url, secrets),
            response.status_code if response is not None else error_code, elapsed,
            redact_body(sent.content, sent.headers.get("content-type"), secrets),
            redact_body(response.content, response.headers.get("content-type"), secrets)
            if response is not None else "-")

    # -- driving a flow ---------------------------------------------------------------------------

    @staticmethod
    def _start(carrier: AnyCarrier, make_flow: Callable[[], Flow[T]]) -> Flow[T]:
        try:
            return make_flow()
        except CarrierError as err:
            if err.carrier is None:
                err.carrier = carrier.alias
            raise

    @staticmethod
    def _step(flow: Flow[T], outcome: Any, error: CarrierError | None, context: RunContext) -> Call[Any] | _Done[T]:
        """The flow's next call, or :class:`_Done` with its result. A deadline error escaping a flow
        after one of its writes may have been performed is OutcomeUnknown with that write's reference."""
        try:
            return flow.throw(error) if error is not None else flow.send(outcome)
        except StopIteration as stop:
            return _Done(stop.value)
        except DeadlineExceeded as err:
            judged = context.judge(err)
            if judged is err:
                raise
            raise judged from err


class Executor(BaseExecutor):
    """Drives flows with a synchronous ``httpx.Client``, or one per account (:class:`.AccountClients`)."""

    def __init__(self, client: httpx.Client | AccountClients[httpx.Client], *,
                 sleep: Callable[[float], None] = time.sleep, **options: Any) -> None:
        super().__init__(**options)
        self.clients = client if isinstance(client, AccountClients) else AccountClients(shared=client)
        self._sleep = sleep

    def _attempt(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline, number: int, context: RunContext) -> T:
        attempt = self._begin(carrier, call, deadline, number)
        if attempt.view is not None:
            self.hooks.emit("request", attempt.view)
        response: httpx.Response | None = None
        exc: Exception | None = None
        try:
            client = self.clients.get(carrier.alias)
            auth = self._handover(carrier, call, attempt, context, client.auth, deadline)
            response = self._read(carrier, call, deadline, client.send(attempt.request, auth=auth, stream=True))
        except (httpx.HTTPError, CarrierError) as err:
            exc = err
        except BaseException:
            self._abandon(attempt)
            raise
        outcome = self._finish(carrier, call, deadline, attempt, response, exc, context)
        if outcome.view is not None:
            self.hooks.emit("response", outcome.view)
        return outcome.unwrap()

    def _read(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline,
              response: httpx.Response) -> httpx.Response:
        try:
            reader, done = self._open(carrier, call, response)
            if not done:
                for chunk in response.iter_raw():
                    self._feed(carrier, call, deadline, reader, chunk)
        finally:
            response.close()
        return reader.finish()

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
        context = RunContext() if context is None else context
        flow = self._start(carrier, make_flow)
        outcome: Any = None
        error: CarrierError | None = None
        while True:
            step = self._step(flow, outcome, error, context)
            if isinstance(step, _Done):
                return step.value
            outcome, error = None, None
            try:
                outcome = self.send(carrier, step, deadline, context)
            except CarrierError as err:
                error = err


class AsyncExecutor(BaseExecutor):
    """Drives flows with an ``httpx.AsyncClient``; the same decisions as :class:`Executor`. Async
    hooks get a bounded time (see :meth:`.events.EventHooks.aemit`)."""

    def __init__(self, client: httpx.AsyncClient | AccountClients[httpx.AsyncClient], *,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep, **options: Any) -> None:
        super().__init__(**options)
        self.clients = client if isinstance(client, AccountClients) else AccountClients(shared=client)
        self._sleep = sleep

    async def _attempt(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline, number: int,
                       context: RunContext) -> T:
        attempt = self._begin(carrier, call, deadline, number)
        if attempt.view is not None:
            await self.hooks.aemit("request", attempt.view, remaining=deadline.remaining())
        response: httpx.Response | None = None
        exc: Exception | None = None
        try:
            # httpx times each phase (connect, write, read) separately; this bounds the whole attempt
            # by the deadline. A cut-off is judged by whether the call's own request was handed over.
            async with asyncio.timeout(deadline.remaining()):
                client = self.clients.get(carrier.alias)
                auth = self._handover(carrier, call, attempt, context, client.auth, deadline)
                streamed = await client.send(attempt.request, stream=True, auth=auth)
                response = await self._read(carrier, call, deadline, streamed)
        except (httpx.HTTPError, CarrierError) as err:
            exc = err
        except TimeoutError:
            exc = deadline_error(carrier, call, deadline, sent=attempt.sent, stage="waiting for the carrier"
                                       if attempt.sent else "before the request was sent")
        except BaseException:  # cancelled: no verdict on the carrier
            self._abandon(attempt)
            raise
        outcome = self._finish(carrier, call, deadline, attempt, response, exc, context)
        if outcome.view is not None:
            await self.hooks.aemit("response", outcome.view, remaining=deadline.remaining())
        return outcome.unwrap()

    async def _read(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline,
                    response: httpx.Response) -> httpx.Response:
        try:
            reader, done = self._open(carrier, call, response)
            if not done:
                async for chunk in response.aiter_raw():
                    self._feed(carrier, call, deadline, reader, chunk)
        finally:
            await response.aclose()
        return reader.finish()

    async def send(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline,
                   context: RunContext | None = None) -> T:
        context = RunContext() if context is None else context
        try:
            async for attempt in self.retry.async_retrying(call, deadline, sleep=self._sleep,
                                                          carrier=carrier.alias):
                with attempt:
                    result = await self._attempt(carrier, call, deadline, attempt.retry_state.attempt_number,
                                                 context)
        except AttemptFailed as failed:
            raise failed.error from None
        return result

    async def run(self, carrier: AnyCarrier, make_flow: Callable[[], Flow[T]], deadline: Deadline,
                  context: RunContext | None = None) -> T:
        context = RunContext() if context is None else context
        flow = self._start(carrier, make_flow)
        outcome: Any = None
        error: CarrierError | None = None
        while True:
            step = self._step(flow, outcome, error, context)
            if isinstance(step, _Done):
                return step.value
            outcome, error = None, None
            try:
                outcome = await self.send(carrier, step, deadline, context)
            except CarrierError as err:
                error = err
