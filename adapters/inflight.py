"""What a flow run has put on the wire: which writes may have been performed, known precisely.

The executor wraps every call's auth flow in :class:`Handover`, which notes the moment the call's own
request (never a side request such as a token fetch, see ``core.contract.SIDE_REQUEST``) is handed to
httpx to send. Before that moment a failure or a deadline cut-off certainly left the carrier untouched;
after it, a write (label, pickup) may have been performed.

:class:`RunContext` collects those hand-overs for one flow run, so whoever judges the run from outside
(the async run's safety net, :func:`carriergate.gateway.fanout.arun`) can tell "a write may have been
performed: OutcomeUnknown with its reference" from "nothing performed: DeadlineExceeded".
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Generator
from typing import Any

import httpx

from carriergate.core.contract import Call, is_side_request
from carriergate.core.errors import CarrierError, DeadlineExceeded, OutcomeUnknown


def is_write(call: Call[Any]) -> bool:
    """A call whose repetition could buy a second label or book a second pickup: neither idempotent
    nor honouring an idempotency key, as the carrier declared it on the Call (never read from a name)."""
    return not call.idempotent and not call.honours_idempotency_key


def maybe_performed(call: Call[Any], reason: str, *, carrier: str | None, code: str | None = None,
                    http_status: int | None = None, request_id: str | None = None) -> OutcomeUnknown:
    """The one outcome-unknown error: write ``call`` may have been performed, for ``reason``. It carries
    the write's reference (look the shipment up by it before trying again); ``code`` defaults to
    ``outcome_unknown``, or keeps the code of the failure it replaces."""
    return OutcomeUnknown(f"{call.operation} may have been performed: {reason}", reference=call.reference,
                          carrier=carrier, code=code, http_status=http_status, request_id=request_id)


class Handover(httpx.Auth):
    """``inner`` (the call's auth flow) unchanged, calling ``handed_over`` each time it passes the call's
    own request on to be sent. Side requests (token fetches) are passed on without a note."""

    def __init__(self, inner: httpx.Auth, handed_over: Callable[[], None],
                 prepare: Callable[[httpx.Request], None] | None = None) -> None:
        self.inner = inner
        self.handed_over = handed_over
        self.prepare = prepare  # called for every outgoing request first (fresh timeouts; may raise)

    def _note(self, request: httpx.Request) -> httpx.Request:
        if self.prepare is not None:
            self.prepare(request)
        if not is_side_request(request):
            self.handed_over()
        return request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        flow = self.inner.sync_auth_flow(request)
        try:
            outgoing = next(flow)
            while True:
                response = yield self._note(outgoing)
                try:
                    outgoing = flow.send(response)
                except StopIteration:
                    return
        finally:
            flow.close()

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        flow = self.inner.async_auth_flow(request)
        try:
            outgoing = await flow.__anext__()
            while True:
                response = yield self._note(outgoing)
                try:
                    outgoing = await flow.asend(response)
                except StopAsyncIteration:
                    return
        finally:
            await flow.aclose()


class RunContext:
    """One flow run's writes that may have been performed. An attempt of a write enters when its request
    is handed over (:meth:`handed_over`) and leaves when its answer proves it was not performed (a
    definite error: refused, 4xx, 503, never sent). A write that succeeded stays: the carrier performed
    it, and until the run returns, the caller does not have the result."""

    def __init__(self) -> None:
        self._in_doubt: list[tuple[object, Call[Any]]] = []

    def handed_over(self, attempt: object, call: Call[Any]) -> None:
        if is_write(call) and all(a is not attempt for a, _ in self._in_doubt):
            self._in_doubt.append((attempt, call))

    def settled(self, attempt: object, error: CarrierError | None) -> None:
        if error is not None and not isinstance(error, OutcomeUnknown):
            self._in_doubt = [(a, c) for a, c in self._in_doubt if a is not attempt]

    @property
    def write_in_doubt(self) -> Call[Any] | None:
        """The latest write that may have been performed, or None."""
        return self._in_doubt[-1][1] if self._in_doubt else None

    def judge(self, error: DeadlineExceeded) -> CarrierError:
        """``error`` as the caller must see it: OutcomeUnknown carrying the write's reference when a write
        may have been performed, else ``error`` itself."""
        call = self.write_in_doubt
        if call is None:
            return error
        return maybe_performed(call, error.message, carrier=error.carrier)


__all__ = ["Handover", "RunContext", "is_write", "maybe_performed"]
