"""One attempt of one call, as both executors make it: :class:`BaseExecutor` takes every decision,
:class:`~.executor.Executor` and :class:`~.executor.AsyncExecutor` only send, read, call hooks and await.

Per attempt: deadline check -> a slot under the account's quota (:mod:`.quota`; the subclass waits for
it, never past the deadline) -> breaker -> a fresh copy of the request with timeouts clamped to the
deadline (:meth:`BaseExecutor._begin`) -> send with the auth flow (``call.auth or carrier.auth``, so
every attempt is signed afresh), noting when the call's own request is handed over (:meth:`._handover`,
:mod:`.inflight`) -> read the answer under ``max_response_bytes`` and the deadline (:class:`AnswerReader`)
-> parse (pure) -> classify any failure into a typed CarrierError (:mod:`.verdicts`) -> breaker verdict
-> DEBUG log line and response view (:meth:`._finish`) -> the breaker's verdict and, after a 429, a
pause of the account's quota (the subclass settles both, awaiting a shared store on the async path);
what happens next is the retry policy's call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from carriergate.adapters.breaker import BreakerRegistry, CircuitBreaker
from carriergate.adapters.clients import AccountClients, ClientT
from carriergate.adapters.events import EventHooks, Exchange, request_view, response_view
from carriergate.adapters.inflight import Handover, RunContext
from carriergate.adapters.quota import DEFAULT_429_PAUSE, QUOTA, UNLIMITED, MemoryRateLimiter, Quota, RateLimiter, Slot
from carriergate.adapters.redaction import redact_body, redact_url
from carriergate.adapters.retry import AttemptFailed, RetryPolicy
from carriergate.adapters.verdicts import deadline_error, doubtful, parse_answer, transport_error
from carriergate.core.contract import AnyCarrier, Call
from carriergate.core.deadline import Deadline
from carriergate.core.errors import CarrierError, MalformedResponse, RateLimited
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
    pause: float | None = None  # the carrier said 429: pause the account's quota this long

    @property
    def error(self) -> CarrierError | None:
        return self.failure.error if self.failure is not None else None

    def unwrap(self) -> T:
        if self.failure is not None:
            raise self.failure
        return self.value  # type: ignore[return-value]


class AnswerReader(BodyReader):
    """The carrier's answer to one attempt of ``call``, read under the executor's body limit with the
    pipeline's two rules on top: the deadline is checked after every chunk (httpx times each read on
    its own, so a carrier trickling bytes would otherwise hold the call open for ever), and an answer
    refused unread (too large, corrupt) is judged for write safety (:func:`.verdicts.doubtful`)."""

    def __init__(self, limit: BodyLimit, response: httpx.Response, carrier: AnyCarrier, call: Call[Any],
                 deadline: Deadline) -> None:
        super().__init__(limit, response, operation=call.operation, carrier=carrier.alias)
        self._adapter = carrier
        self._call = call
        self._deadline = deadline

    def after_chunk(self) -> None:
        # Deadline net: the only one that catches a carrier trickling its answer (httpx times each read).
        if self._deadline.expired:
            raise deadline_error(self._adapter, self._call, self._deadline, sent=True,
                                 stage="while reading the answer")

    def refused(self, error: MalformedResponse) -> CarrierError:
        return doubtful(self._call, error, self.response.status_code)


class BaseExecutor(Generic[ClientT]):
    """Shared logic: timeouts, reading and classifying answers, breakers, logging. ``client`` is one
    httpx client for every account, or :class:`.AccountClients` (one per account). ``limiter`` holds
    every account to its quota (default: in this process, on ``clock``)."""

    def __init__(self, client: ClientT | AccountClients[ClientT], *, retry: RetryPolicy | None = None,
                 breakers: BreakerRegistry | None = None, hooks: EventHooks | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES, limiter: RateLimiter | None = None) -> None:
        self.clients: AccountClients[ClientT] = (client if isinstance(client, AccountClients)
                                                 else AccountClients(shared=client))
        self.retry = retry or RetryPolicy()
        self.breakers = breakers
        self.hooks = hooks or EventHooks()
        self._clock = clock
        self.body_limit = BodyLimit(max_response_bytes)
        self.limiter: RateLimiter = limiter if limiter is not None else MemoryRateLimiter(clock=clock)

    # -- before an attempt: the deadline, the quota, the breaker ------------------------------------

    @staticmethod
    def _quota(carrier: AnyCarrier) -> Quota:
        """The account's quota (its ``requests_per_second``, else the carrier's published one)."""
        rate = carrier.requests_per_second
        return UNLIMITED if rate is None else Quota(rate)

    @staticmethod
    def _check(carrier: AnyCarrier, deadline: Deadline) -> None:
        try:
            deadline.check(carrier.alias)
        except CarrierError as err:
            raise AttemptFailed(err) from None

    @staticmethod
    def _slot(carrier: AnyCarrier, call: Call[Any], quota: Quota, slot: Slot) -> float:
        """Seconds to wait for the slot the limiter granted; a slot past the deadline was not taken:
        ``RateLimited(code="quota")`` at once, nothing sent."""
        if slot.granted:
            return slot.wait
        limit = f"{quota.rate:g} requests/s" if quota.rate is not None else "paused after a 429"
        error = RateLimited(f"{call.operation}: no request slot before the deadline under the account's quota "
                            f"({limit}; the next is {slot.wait:.3f}s away)", carrier=carrier.alias, code=QUOTA,
                            retry_after=slot.wait)
        raise AttemptFailed(error, retry_after=slot.wait, sent=False)

    def _breaker(self, carrier: AnyCarrier, call: Call[Any]) -> CircuitBreaker | None:
        return self.breakers.for_call(carrier.alias, call) if self.breakers else None

    # -- building an attempt ----------------------------------------------------------------------

    def _timeouts(self, carrier: AnyCarrier, deadline: Deadline) -> httpx.Timeout:
        # Deadline net: the only thing that can end a sync call blocked on a silent socket.
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

    def _begin(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline, number: int,
               breaker: CircuitBreaker | None, probe: bool) -> _Attempt:
        """The attempt the breaker let go (``probe``: as its half-open probe)."""
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

    def _reader(self, carrier: AnyCarrier, call: Call[Any], deadline: Deadline,
                response: httpx.Response) -> AnswerReader:
        """The reader of ``response``, the streamed answer to ``call``: the subclass only pulls."""
        return AnswerReader(self.body_limit, response, carrier, call, deadline)

    # -- judging an attempt -----------------------------------------------------------------------

    def _finish(self, carrier: AnyCarrier, call: Call[T], deadline: Deadline, attempt: _Attempt,
                response: httpx.Response | None, exc: Exception | None, context: RunContext) -> _Outcome[T]:
        """Classify, tell the run context, log, and build the response view; the breaker's verdict and
        a 429's pause are the subclass's to settle (:attr:`_Outcome.error`, :attr:`_Outcome.pause`)."""
        elapsed = self._clock() - attempt.started
        value: T | None = None
        failure: AttemptFailed | None = None
        if isinstance(exc, CarrierError):  # raised by an auth flow or while reading the answer
            if exc.carrier is None:
                exc.carrier = carrier.alias
            failure = AttemptFailed(exc, sent=attempt.sent)
        elif exc is not None:
            failure = AttemptFailed(transport_error(carrier, call, exc, deadline, attempt.sent))
        elif response is not None:
            try:
                value = parse_answer(carrier, call, response)
            except CarrierError as err:
                failure = AttemptFailed(err, retry_after=self.retry.retry_after(response, err))
        context.settled(attempt, failure.error if failure else None)
        error_code = (failure.error.code or type(failure.error).__name__) if failure else None
        view = None
        if attempt.secrets is not None:
            self._log(carrier, call, attempt, response, elapsed, error_code)
            if self.hooks.wants("response"):
                base = attempt.view or request_view(carrier.alias, call.operation, attempt.number,
                                                    attempt.request, attempt.secrets)
                view = response_view(base, response, elapsed, error_code, attempt.secrets)
        pause = None
        if failure is not None and response is not None and isinstance(failure.error, RateLimited):
            pause = failure.retry_after if failure.retry_after is not None else DEFAULT_429_PAUSE
        return _Outcome(value, failure, view, pause)

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


__all__ = ["AnswerReader", "BaseExecutor"]
