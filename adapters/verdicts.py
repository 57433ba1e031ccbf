"""How the executor judges an attempt that went wrong: every failure becomes one typed CarrierError.

Pure functions, shared by the sync and async executors. The rule that runs through all of them: a
write (label, pickup: not idempotent, no idempotency key, see :func:`.inflight.is_write`) whose
request may have reached the carrier never comes back as a failure a caller would simply retry. A
lost, cut-off, truncated, garbled or oversized answer to it is OutcomeUnknown with the write's
reference (:func:`.inflight.maybe_performed`: look the shipment up by it before trying again); a
write that certainly was not sent stays CarrierUnavailable or DeadlineExceeded.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

import httpx

from carriergate.adapters.inflight import is_write, maybe_performed
from carriergate.adapters.retry import CONNECT
from carriergate.core.contract import AnyCarrier, Call, is_side_request
from carriergate.core.deadline import Deadline
from carriergate.core.errors import CarrierError, CarrierUnavailable, DeadlineExceeded, MalformedResponse
from carriergate.protocols.limits import TOO_LARGE

T = TypeVar("T")
logger = logging.getLogger("carriergate.executor")

#: Failures before a single byte of the request left: safe to repeat, whatever the operation.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Failures that say our request is unusable: repeating cannot help.
INVALID = (httpx.UnsupportedProtocol, httpx.LocalProtocolError)


def failed_on_side_request(exc: Exception) -> bool:
    """The failure hit an auth flow's own request (a token fetch): the call itself was never sent."""
    try:
        request = exc.request if isinstance(exc, httpx.RequestError) else None
    except RuntimeError:  # httpx raises when the exception carries no request
        return False
    return request is not None and is_side_request(request)


def in_doubt(call: Call[Any], err: CarrierError, status: int) -> bool:
    """Whether the carrier may have performed write ``call`` although we got ``err`` at HTTP ``status``:
    a failure on its side after receiving it (a 5xx other than 503 that is an outage or unreadable),
    an answer we refused unread (too large, any status), or a 2xx we could not read (truncated,
    garbled). A 4xx, a 503 and any refusal the carrier explained with its own code (a SOAP fault
    included: DHL reports bad input as Server faults) are definite."""
    if not is_write(call):
        return False
    if err.code == TOO_LARGE:
        return True
    if status >= 500 and status != 503:
        return isinstance(err, CarrierUnavailable | MalformedResponse)
    return isinstance(err, MalformedResponse) and 200 <= status < 300


def doubtful(call: Call[Any], err: CarrierError, status: int) -> CarrierError:
    """``err``, or OutcomeUnknown with the write's reference (original code and HTTP status kept)
    when :func:`in_doubt` says the write may have been performed."""
    if not in_doubt(call, err, status):
        return err
    return maybe_performed(call, err.message, carrier=err.carrier, code=err.code,
                           http_status=err.http_status or status, request_id=err.request_id)


def deadline_error(carrier: AnyCarrier, call: Call[Any], deadline: Deadline, *, sent: bool, stage: str) -> CarrierError:
    """The deadline ran out ``stage``: OutcomeUnknown for a write already handed over, else DeadlineExceeded."""
    message = f"deadline of {deadline.seconds}s exceeded {stage}"
    if sent and is_write(call):
        return maybe_performed(call, message, carrier=carrier.alias)
    return DeadlineExceeded(f"{call.operation}: {message}", carrier=carrier.alias)


def transport_error(carrier: AnyCarrier, call: Call[Any], exc: Exception, deadline: Deadline,
                    sent: bool = True) -> CarrierError:
    """A transport failure as a typed error. A write that may have reached the carrier becomes
    OutcomeUnknown; one that certainly did not (connect failed, failed on a token fetch, never handed
    over: ``sent`` False) stays CarrierUnavailable, or DeadlineExceeded once the deadline is past."""
    name = type(exc).__name__
    alias = carrier.alias
    if isinstance(exc, INVALID):
        return CarrierError(f"{call.operation}: request refused before sending ({name})", carrier=alias,
                            code="invalid_request")
    timed_out = isinstance(exc, httpx.TimeoutException)
    side = failed_on_side_request(exc)
    if side or not sent or isinstance(exc, NOT_SENT):
        where = ("on the token request" if side else "before connecting" if isinstance(exc, NOT_SENT)
                 else "before the request was sent")
        if timed_out and deadline.expired:
            return DeadlineExceeded(f"{call.operation}: deadline of {deadline.seconds}s exceeded {where} ({name})",
                                    carrier=alias)
        return CarrierUnavailable(f"{call.operation}: not sent, failed {where} ({name})", carrier=alias,
                                  code=CONNECT)
    if is_write(call):
        return maybe_performed(call, name, carrier=alias)
    if timed_out and deadline.expired:
        return DeadlineExceeded(f"{call.operation}: deadline of {deadline.seconds}s exceeded ({name})", carrier=alias)
    return CarrierUnavailable(f"{call.operation}: {name}", carrier=alias, code="timeout" if timed_out else "transport")


def parse_answer(carrier: AnyCarrier, call: Call[T], response: httpx.Response) -> T:
    """``call.parse(response)``; its failure typed, carrier-named, and write-safe."""
    try:
        return call.parse(response)
    except CarrierError as err:
        if err.carrier is None:
            err.carrier = carrier.alias
        judged = doubtful(call, err, response.status_code)
        if judged is err:
            raise
        raise judged from err
    except Exception as exc:  # a parser bug must never escape as a raw KeyError
        logger.debug("parse of %s failed: %s", call.operation, type(exc).__name__)
        malformed = MalformedResponse(f"{call.operation}: could not read the carrier's answer "
                                      f"({type(exc).__name__})", carrier=carrier.alias,
                                      http_status=response.status_code)
        raise doubtful(call, malformed, response.status_code) from exc


__all__ = ["INVALID", "NOT_SENT", "deadline_error", "doubtful", "failed_on_side_request", "in_doubt", "parse_answer",
           "transport_error"]
