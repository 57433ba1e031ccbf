"""The one request pipeline, driven synchronously (:class:`Executor`) or asynchronously
(:class:`AsyncExecutor`). All decisions live in :class:`BaseExecutor` and the pure policy objects
(:class:`~.retry.RetryPolicy`, :class:`~.breaker.CircuitBreaker`); the two subclasses only send,
sleep and call hooks. Per attempt: deadline check -> breaker -> a fresh copy of the request with
timeouts clamped to the deadline -> send with the auth flow (``call.auth or carrier.auth``, so every
attempt is signed afresh) -> parse (pure) -> classify any failure into a typed CarrierError ->
breaker verdict -> DEBUG log line and response hook -> the retry policy decides what happens next.
Answers are read by streaming and refused past ``max_response_bytes`` (see :mod:`.limits`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx

from ..core.contract import Call, Carrier, Flow, is_side_request
from ..core.errors import (
    CarrierError,
    CarrierUnavailable,
    DeadlineExceeded,
    MalformedResponse,
    OutcomeUnknown,
)
from .breaker import BreakerRegistry, CircuitBreaker
from .deadline import Deadline
from .events import EventHooks, Exchange, request_view, response_view
from .limits import DEFAULT_MAX_RESPONSE_BYTES, BodyLimit, BodyReader
from .redaction import redact_body, redact_url
from .retry import CONNECT, AttemptFailed, RetryPolicy

T = TypeVar("T")
logger = logging.getLogger("carriergate.executor")

#: Failures before a single byte of the request left: safe to repeat, whatever the operation.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def _failed_on_side_request(exc: Exception) -> bool:
    """The failure hit an auth flow's own request (a token fetch): the call itself was never sent."""
    try:
        request = exc.request if isinstance(exc, httpx.RequestError) else None
    except RuntimeError:  # httpx raises when the exception carries no request
        return False
    return request is not None and is_side_request(request)
#: Failures that say our request is unusable: repeating cannot help.
INVALID = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


@dataclass
class _Attempt:
    number: int
    request: httpx.Request
    breaker: CircuitBreaker | None
    started: float
    secrets: list[str] | None  # computed only when someone observes (DEBUG log or hooks)
    view: Exchange | None


@dataclass
class _Outcome(Generic[T]):
    value: T | None
    failure: AttemptFailed | None
    view: Exchange | None

    def unwrap(self) -> T:
        if self.failure is not None:
            raise self.failure
        return self.value  # type: ignore[return-value]


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

    def _timeouts(self, carrier: Carrier, deadline: Deadline) -> httpx.Timeout:
        read = deadline.clamp(carrier.account.timeout)
        connect = min(carrier.account.connect_timeout, read)
        return httpx.Timeout(read, connect=connect, pool=connect)

    def _fresh_request(self, carrier: Carrier, call: Call[Any], deadline: Deadline) -> httpx.Request:
        """A new request from the call's original (never the one a previous attempt sent), so auth
        flows that add headers or sign the body start from the unsigned original every time."""
        src = call.request
        extensions = {**src.extensions, "timeout": self._timeouts(carrier, deadline).as_dict()}
        return httpx.Request(src.method, src.url, headers=src.headers.copy(), content=src.read(),
                             extensions=extensions)

    def _observed(self) -> bool:
        return bool(self.hooks) or logger.isEnabledFor(logging.DEBUG)

    @staticmethod
    def _auth(carrier: Carrier, call: Call[Any]) -> httpx.Auth | None:
        return call.auth or carrier.auth

    def _secrets(self, carrier: Carrier, call: Call[Any]) -> list[str]:
        """The account's secrets plus any an auth flow exposes through a ``secrets()`` method."""
        found = list(carrier.secrets())
        exposed = getattr(self._auth(carrier, call), "secrets", None)
        if callable(exposed):
            found.extend(s for s in exposed() if isinstance(s, str))
        return found

    def _begin(self, carrier: Carrier, call: Call[Any], deadline: Deadline, number: int) -> _Attempt:
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

    # -- reading an answer (the subclasses only feed the chunks) ----------------------------------

    def _reader(self, carrier: Carrier, call: Call[Any], response: httpx.Response) -> BodyReader:
        return self.body_limit.reader(response, operation=call.operation, carrier=carrier.alias)

    # -- judging an attempt -----------------------------------------------------------------------

    def _transport_error(self, carrier: Carrier, call: Call[Any], exc: Exception, deadline: Deadline) -> CarrierError:
        """A transport failure as a typed error. A write that may have reached the carrier becomes
        OutcomeUnknown; one that certainly did not (connect failed) stays CarrierUnavailable."""
        name = type(exc).__name__
        alias = carrier.alias
        if isinstance(exc, INVALID):
            return CarrierError(f"{call.operation}: request refused before sending ({name})", carrier=alias,
                                code="invalid_request")
        timed_out = isinstance(exc, httpx.TimeoutException)
        side = _failed_on_side_request(exc)
        if side or isinstance(exc, NOT_SENT):
            where = "on the token request" if side else "before connecting"
            if timed_out and deadline.expired:
                return DeadlineExceeded(f"{call.operation}: deadline of {deadline.seconds}s exceeded "
                                        f"{where} ({name})", carrier=alias, code="deadline")
            return CarrierUnavailable(f"{call.operation}: not sent, failed {where} ({name})", carrier=alias,
                                      code=CONNECT)
        if not call.idempotent and not call.honours_idempotency_key:
            return OutcomeUnknown(f"{call.operation} may have been performed: {name}",
                                  reference=call.reference, carrier=alias, code="outcome_unknown")
        if timed_out and deadline.expired:
            return DeadlineExceeded(f"{call.operation}: deadline of {deadline.seconds}s exceeded ({name})",
                                    carrier=alias, code="deadline")
        return CarrierUnavailable(f"{call.operation}: {name}", carrier=alias,
                                  code="timeout" if timed_out else "transport")

    def _parse(self, carrier: Carrier, call: Call[T], response: httpx.Response) -> T:
        try:
            return call.parse(response)
        except CarrierError as err:
            if err.carrier is None:
                err.carrier = carrier.alias
            status = err.http_status or response.status_code
            if (isinstance(err, CarrierUnavailable) and status >= 500 and status != 503
                    and not call.idempotent and not call.honours_idempotency_key):
                raise OutcomeUnknown(f"{call.operation} may have been performed: {err.message}",
                                     reference=call.reference, carrier=carrier.alias, code=err.code,
                                     http_status=err.http_status, request_id=err.request_id) from err
            raise
        except Exception as exc:  # a parser bug must never escape as a raw KeyError
            logger.debug("parse of %s failed: %s", call.operation, type(exc).__name__)
            raise MalformedResponse(f"{call.operation}: could not read the carrier's answer "
                                    f"({type(exc).__name__})", carrier=carrier.alias, code="malformed",
                                    http_status=response.status_code) from exc

    def _finish(self, carrier: Carrier, call: Call[T], deadline: Deadline, attempt: _Attempt,
                response: httpx.Response | None, exc: Exception | None) -> _Outcome[T]:
        """Classify, tell the breaker, log, and build the response view: everything after sending."""
        elapsed = self._clock() - attempt.started
        value: T | None = None
        failure: AttemptFailed | None = None
        if isinstance(exc, CarrierError):  # raised by an auth flow (token endpoint refused, say)
            if exc.carrier is None:
                exc.carrier = carrier.alias
            failure = AttemptFailed(exc)
        elif exc is not None:
            failure = AttemptFailed(self._transport_error(carrier, call, exc, deadline))
        elif response is not None:
            try:
                value = self._parse(carrier, call, response)
            except CarrierError as err:
                failure = AttemptFailed(err, retry_after=self.retry.retry_after(response, err))
        if attempt.breaker is not None:
            attempt.breaker.record(failure.error if failure else None)
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

    def _log(self, carrier: Carrier, call: Call[Any], attempt: _Attempt, response: httpx.Response | None,
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
            if response is not None else "-",
        )

    # -- driving a flow ---------------------------------------------------------------------------

    @staticmethod
    def _start(carrier: Carrier, make_flow: Callable[[], Flow[T]]) -> Flow[T]:
        try:
            return make_flow()
        except CarrierError as err:
            if err.carrier is None:
                err.carrier = carrier.alias
            raise


class Executor(BaseExecutor):
    """Drives flows with a synchronous ``httpx.Client``."""

    def __init__(self, client: httpx.Client, *, sleep: Callable[[float], None] = time.sleep,
                 **options: Any) -> None:
        super().__init__(**options)
        self.client = client
        self._sleep = sleep

    def _attempt(self, carrier: Carrier, call: Call[T], deadline: Deadline, number: int) -> T:
        attempt = self._begin(carrier, call, deadline, number)
        if attempt.view is not None:
            self.hooks.emit("request", attempt.view)
        response: httpx.Response | None = None
        exc: Exception | None = None
        try:
            streamed = self.client.send(attempt.request, auth=self._auth(carrier, call) or httpx.USE_CLIENT_DEFAULT,
                                        stream=True)
            response = self._read(carrier, call, streamed)
        except (httpx.HTTPError, CarrierError) as err:
            exc = err
        except BaseException:
            self._abandon(attempt)
            raise
        outcome = self._finish(carrier, call, deadline, attempt, response, exc)
        if outcome.view is not None:
            self.hooks.emit("response", outcome.view)
        return outcome.unwrap()

    def _read(self, carrier: Carrier, call: Call[Any], response: httpx.Response) -> httpx.Response:
        """The streamed ``response`` read into memory, refused (and closed) once over the limit."""
        try:
            reader = self._reader(carrier, call, response)
            if response.is_stream_consumed:  # already read into memory (by a transport or a hook)
                reader.take(response.content)
            else:
                for chunk in response.iter_raw():
                    reader.feed(chunk)
        finally:
            response.close()
        return reader.finish()

    def send(self, carrier: Carrier, call: Call[T], deadline: Deadline) -> T:
        """One call with retries; raises the last attempt's typed error."""
        try:
            for attempt in self.retry.retrying(call, deadline, sleep=self._sleep, carrier=carrier.alias):
                with attempt:
                    result = self._attempt(carrier, call, deadline, attempt.retry_state.attempt_number)
        except AttemptFailed as failed:
            raise failed.error from None
        return result

    def run(self, carrier: Carrier, make_flow: Callable[[], Flow[T]], deadline: Deadline) -> T:
        flow = self._start(carrier, make_flow)
        outcome: Any = None
        error: CarrierError | None = None
        while True:
            try:
                call = flow.throw(error) if error is not None else flow.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            error = None
            try:
                outcome = self.send(carrier, call, deadline)
            except CarrierError as err:
                error = err


class AsyncExecutor(BaseExecutor):
    """Drives flows with an ``httpx.AsyncClient``; the same decisions as :class:`Executor`."""

    def __init__(self, client: httpx.AsyncClient, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 **options: Any) -> None:
        super().__init__(**options)
        self.client = client
        self._sleep = sleep

    async def _attempt(self, carrier: Carrier, call: Call[T], deadline: Deadline, number: int) -> T:
        attempt = self._begin(carrier, call, deadline, number)
        if attempt.view is not None:
            await self.hooks.aemit("request", attempt.view)
        response: httpx.Response | None = None
        exc: Exception | None = None
        try:
            # httpx times each phase (connect, write, read) separately; this bounds the whole attempt
            # by the deadline, and a cut-off attempt is classified like a read timeout (maybe sent).
            async with asyncio.timeout(deadline.remaining()):
                streamed = await self.client.send(attempt.request, stream=True,
                                                  auth=self._auth(carrier, call) or httpx.USE_CLIENT_DEFAULT)
                response = await self._read(carrier, call, streamed)
        except (httpx.HTTPError, CarrierError) as err:
            exc = err
        except TimeoutError:
            exc = httpx.ReadTimeout("deadline reached while waiting for the carrier", request=attempt.request)
        except BaseException:  # cancelled: no verdict on the carrier
            self._abandon(attempt)
            raise
        outcome = self._finish(carrier, call, deadline, attempt, response, exc)
        if outcome.view is not None:
            await self.hooks.aemit("response", outcome.view)
        return outcome.unwrap()

    async def _read(self, carrier: Carrier, call: Call[Any], response: httpx.Response) -> httpx.Response:
        try:
            reader = self._reader(carrier, call, response)
            if response.is_stream_consumed:
                reader.take(response.content)
            else:
                async for chunk in response.aiter_raw():
                    reader.feed(chunk)
        finally:
            await response.aclose()
        return reader.finish()

    async def send(self, carrier: Carrier, call: Call[T], deadline: Deadline) -> T:
        try:
            async for attempt in self.retry.async_retrying(call, deadline, sleep=self._sleep,
                                                          carrier=carrier.alias):
                with attempt:
                    result = await self._attempt(carrier, call, deadline, attempt.retry_state.attempt_number)
        except AttemptFailed as failed:
            raise failed.error from None
        return result

    async def run(self, carrier: Carrier, make_flow: Callable[[], Flow[T]], deadline: Deadline) -> T:
        flow = self._start(carrier, make_flow)
        outcome: Any = None
        error: CarrierError | None = None
        while True:
            try:
                call = flow.throw(error) if error is not None else flow.send(outcome)
            except StopIteration as stop:
                return stop.value  # type: ignore[no-any-return]
            error = None
            try:
                outcome = await self.send(carrier, call, deadline)
            except CarrierError as err:
                error = err
