"""The retry policy: one frozen object deciding whether, and how long after, an attempt is retried.

It builds both ``tenacity.Retrying`` (sync) and ``tenacity.AsyncRetrying`` from the same decision
functions, so the two executors cannot drift apart. The rules (see :meth:`RetryPolicy.should_retry`):

===============================================  =====================  ==========================
failure (already classified by the executor)     read / idempotent      write (ship, pickup)
===============================================  =====================  ==========================
connect error (request never sent)               retry                  retry
429 RateLimited                                  retry (Retry-After)    retry (Retry-After)
503 CarrierUnavailable                           retry (Retry-After)    retry (Retry-After)
other 5xx, read timeout, connection reset        retry                  OutcomeUnknown, never
  ... with ``call.honours_idempotency_key``      retry                  retry
4xx, auth, validation, malformed, breaker open   never                  never
deadline exceeded                                never                  never
===============================================  =====================  ==========================

Read or write is what the carrier declared on the Call (``idempotent``, ``honours_idempotency_key``:
:func:`.inflight.is_write`), never guessed from the operation's name.

Waits grow exponentially with (injectable) jitter; a Retry-After is honoured (we never wait less);
no sleep may cross the deadline (if it would, we give up at once with the last error).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import tenacity

from carriergate.adapters.inflight import is_write
from carriergate.core.contract import Call
from carriergate.core.deadline import Deadline
from carriergate.core.errors import CarrierError, CarrierUnavailable, DeadlineExceeded, OutcomeUnknown, RateLimited
from carriergate.protocols.http import retry_after as parse_retry_after

logger = logging.getLogger("carriergate.retry")

#: Error codes the executor gives transport failures.
CONNECT = "connect"  # the request never left: always safe to retry
BREAKER_OPEN = "breaker_open"


class AttemptFailed(Exception):
    """One attempt's typed error plus what the policy needs to decide (internal to the executor)."""

    def __init__(self, error: CarrierError, *, retry_after: float | None = None, sent: bool = True) -> None:
        super().__init__(error.message)
        self.sent = sent  # False: the call's own request never left (a token fetch failed first)
        self.error = error
        self.retry_after = retry_after


def equal_jitter(delay: float) -> float:
    """Half the delay fixed, half random: spreads callers apart but never waits near zero."""
    return delay / 2 + random.uniform(0, delay / 2)  # noqa: S311 - jitter, not cryptography


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RetryPolicy:
    """``RetryPolicy(max_attempts=3, initial_backoff=0.25, max_backoff=8, jitter=None)``.

    ``jitter`` maps the exponential delay to the delay actually waited (None: no jitter);
    ``now`` is the wall clock used to read Retry-After HTTP dates.
    """

    max_attempts: int = 3
    initial_backoff: float = 0.25
    max_backoff: float = 8.0
    multiplier: float = 2.0
    jitter: Callable[[float], float] | None = equal_jitter
    now: Callable[[], datetime] = _utc_now

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.initial_backoff < 0 or self.max_backoff < 0 or self.multiplier < 1:
            raise ValueError("backoff must be non-negative and multiplier at least 1")

    # -- pure decisions -------------------------------------------------------------------------

    @staticmethod
    def should_retry(call: Call[Any], error: CarrierError, *, sent: bool = True) -> bool:
        """Whether trying ``call`` again after ``error`` is safe and may help. ``sent`` False: the
        call's own request never left (its token fetch failed), so even a write may be repeated."""
        if isinstance(error, OutcomeUnknown | DeadlineExceeded) or error.code == BREAKER_OPEN:
            return False
        if isinstance(error, RateLimited):
            return True
        if isinstance(error, CarrierUnavailable):
            if not sent or error.code == CONNECT or error.http_status == 503:
                return True  # the carrier did not perform it
            return not is_write(call)  # the Call's own flags say whether repeating it is safe
        return False

    def backoff(self, attempt_number: int) -> float:
        """The delay after attempt ``attempt_number`` (1-based), before jitter."""
        return min(self.max_backoff, self.initial_backoff * self.multiplier ** (attempt_number - 1))

    def wait_for(self, attempt_number: int, retry_after: float | None) -> float:
        delay = self.backoff(attempt_number)
        if self.jitter is not None:
            delay = self.jitter(delay)
        return delay if retry_after is None else max(retry_after, delay)

    def retry_after(self, response: httpx.Response, error: CarrierError) -> float | None:
        """Seconds the carrier asked us to wait: its Retry-After header (read against ``now``), else
        what a RateLimited error carries."""
        seconds = parse_retry_after(response, now=self.now())
        if seconds is None and isinstance(error, RateLimited):
            seconds = error.retry_after
        return seconds

    @staticmethod
    def crosses_deadline(delay: float, deadline: Deadline) -> bool:
        remaining = deadline.remaining()
        return remaining is not None and delay >= remaining

    # -- tenacity -------------------------------------------------------------------------------

    def _arguments(self, call: Call[Any], deadline: Deadline, carrier: str) -> dict[str, object]:
        what = f"{carrier} {call.operation}".strip()

        def retry(state: tenacity.RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome is not None else None
            return isinstance(exc, AttemptFailed) and self.should_retry(call, exc.error, sent=exc.sent)

        def wait(state: tenacity.RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome is not None else None
            hint = exc.retry_after if isinstance(exc, AttemptFailed) else None
            return self.wait_for(state.attempt_number, hint)

        def stop(state: tenacity.RetryCallState) -> bool:
            if state.attempt_number >= self.max_attempts:
                return True
            if self.crosses_deadline(state.upcoming_sleep, deadline):
                logger.debug("%s: giving up, a wait of %.3fs would cross the deadline", what,
                             state.upcoming_sleep)
                return True
            return False

        def before_sleep(state: tenacity.RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome is not None else None
            code = exc.error.code if isinstance(exc, AttemptFailed) else type(exc).__name__
            logger.debug("%s: attempt %d failed (%s); retrying in %.3fs", what, state.attempt_number,
                         code, state.upcoming_sleep)

        return {"retry": retry, "wait": wait, "stop": stop, "before_sleep": before_sleep, "reraise": True}

    def retrying(self, call: Call[Any], deadline: Deadline, *, sleep: Callable[[float], None],
                 carrier: str = "") -> tenacity.Retrying:
        """The attempts of ``call`` for the sync executor, decided by :meth:`should_retry` and :meth:`wait_for`."""
        return tenacity.Retrying(sleep=sleep, **self._arguments(call, deadline, carrier))  # type: ignore[arg-type]

    def aretrying(self, call: Call[Any], deadline: Deadline, *, sleep: Callable[[float], Awaitable[None]],
                  carrier: str = "") -> tenacity.AsyncRetrying:
        """:meth:`retrying` for the async executor (same decisions, awaited sleeps)."""
        return tenacity.AsyncRetrying(sleep=sleep, **self._arguments(call, deadline, carrier))  # type: ignore[arg-type]
