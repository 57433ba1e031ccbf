"""The one request pipeline, driven synchronously (:class:`Executor`) or asynchronously
(:class:`AsyncExecutor`). All decisions live in :class:`BaseExecutor`; the two subclasses only
send and sleep. Pipeline per call: prepare (timeouts clamped to the deadline) -> send with the
carrier's auth flow -> parse (pure) -> classify any failure into a typed CarrierError.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import httpx

from ..core.contract import Call, Carrier, Flow
from ..core.errors import (
    CarrierError,
    CarrierUnavailable,
    DeadlineExceeded,
    MalformedResponse,
    OutcomeUnknown,
)

T = TypeVar("T")
logger = logging.getLogger("carriergate.executor")


class BaseExecutor:
    """Shared logic: timeouts, classification of failures and driving a carrier's flow."""

    def _timeouts(self, carrier: Carrier, deadline: Any) -> httpx.Timeout:
        read = deadline.clamp(carrier.account.timeout)
        connect = min(carrier.account.connect_timeout, read)
        return httpx.Timeout(read, connect=connect, pool=connect)

    def _prepare(self, carrier: Carrier, call: Call[Any], deadline: Any) -> httpx.Request:
        deadline.check(carrier.alias)
        request = call.request
        request.extensions["timeout"] = self._timeouts(carrier, deadline).as_dict()
        return request

    def _transport_error(self, carrier: Carrier, call: Call[Any], exc: Exception, deadline: Any) -> CarrierError:
        """A transport failure as a typed error. A write that may have reached the carrier becomes
        OutcomeUnknown; one that certainly did not (connect failed) stays CarrierUnavailable."""
        sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
        name = type(exc).__name__
        if sent and not call.idempotent and not call.honours_idempotency_key:
            return OutcomeUnknown(f"{call.operation} may have been performed: {name}",
                                  reference=call.reference, carrier=carrier.alias, code="outcome_unknown")
        if isinstance(exc, httpx.TimeoutException) and deadline.expired:
            return DeadlineExceeded(f"{call.operation}: deadline of {deadline.seconds}s exceeded ({name})",
                                    carrier=carrier.alias, code="deadline")
        return CarrierUnavailable(f"{call.operation}: {name}", carrier=carrier.alias, code="transport")

    def _parse(self, carrier: Carrier, call: Call[T], response: httpx.Response) -> T:
        try:
            return call.parse(response)
        except CarrierError as err:
            if err.carrier is None:
                err.carrier = carrier.alias
            if (isinstance(err, CarrierUnavailable) and err.http_status not in (None, 503)
                    and not call.idempotent and not call.honours_idempotency_key):
                raise OutcomeUnknown(f"{call.operation} may have been performed: {err.message}",
                                     reference=call.reference, carrier=carrier.alias, code=err.code,
                                     http_status=err.http_status, request_id=err.request_id) from err
            raise
        except Exception as exc:  # a parser bug must never escape as a raw KeyError
            logger.debug("parse of %s failed: %r", call.operation, exc)
            raise MalformedResponse(f"{call.operation}: could not read the carrier's answer "
                                    f"({type(exc).__name__})", carrier=carrier.alias, code="malformed",
                                    http_status=response.status_code) from exc

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

    def __init__(self, client: httpx.Client) -> None:
        self.client = client

    def send(self, carrier: Carrier, call: Call[T], deadline: Any) -> T:
        request = self._prepare(carrier, call, deadline)
        try:
            response = self.client.send(request, auth=call.auth or carrier.auth or httpx.USE_CLIENT_DEFAULT)
            response.read()
        except httpx.HTTPError as exc:
            raise self._transport_error(carrier, call, exc, deadline) from None
        return self._parse(carrier, call, response)

    def run(self, carrier: Carrier, make_flow: Callable[[], Flow[T]], deadline: Any) -> T:
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

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def send(self, carrier: Carrier, call: Call[T], deadline: Any) -> T:
        request = self._prepare(carrier, call, deadline)
        try:
            response = await self.client.send(request, auth=call.auth or carrier.auth or httpx.USE_CLIENT_DEFAULT)
            await response.aread()
        except httpx.HTTPError as exc:
            raise self._transport_error(carrier, call, exc, deadline) from None
        return self._parse(carrier, call, response)

    async def run(self, carrier: Carrier, make_flow: Callable[[], Flow[T]], deadline: Any) -> T:
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
