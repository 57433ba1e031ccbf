"""A deadline: the time a whole run may take, shared by every attempt, every sleep and every carrier.

One run has one :class:`Deadline`. It is made where the run enters: ``Gateway.deadline(seconds)``
(validated, on the gateway's clock) for one call or one rate-shopping round, ``checkout.quote`` /
``aquote`` for a checkout, whose live carriers get a :meth:`Deadline.share` of it. Everything below
receives that object, never seconds re-derived from it, and every net below reads it: so a deadline
that runs out is a DeadlineExceeded (or, after a write, OutcomeUnknown), never a bad argument.

The nets, innermost first, and the one failure each alone catches:

- executor, per request: connect/read/pool timeouts clamped to what is left. A sync call blocked on
  a silent socket (a thread cannot be interrupted: this is the only thing that can end it).
- executor, per async attempt: ``asyncio.timeout`` over the whole attempt. An async attempt whose
  phases each stay within their timeouts but together overrun (or a transport that ignores them);
  it judges the cut-off by whether the call was sent (a write then is OutcomeUnknown).
- executor, per chunk read: the deadline checked after each chunk. A carrier trickling its answer,
  each chunk within the read timeout.
- event hooks (``adapters.events``): coroutine hooks end :data:`HOOK_GRACE` past the deadline. A
  coroutine observer that hangs.
- gateway, per async run (``gateway.fanout.arun``, for one call and for each carrier of a round):
  ``asyncio.timeout`` at :data:`SAFETY_MARGIN` past the deadline. A hang between attempts, which no
  executor net covers (a retry sleep that overruns); after a write, OutcomeUnknown with its reference.
- gateway, per sync round (``gateway.fanout.fan_out``): the wait on the worker pool ends at the
  deadline. A carrier thread that does not return in time (a transport or a DNS lookup that ignores
  timeouts, a pool with no free worker).
- checkout, the guard (``checkout.quoting``): a live round not back halfway between its own deadline
  and the checkout's is abandoned for backup rates. A live round that never returns (a stuck shopper).
- checkout app (``checkout.app``): the request answers 504 at the deadline. Quoting that overruns
  after the guard (backup rates or pricing late): an answer in time all the same.

Only one ordering is left between them: :data:`HOOK_GRACE` < :data:`SAFETY_MARGIN`, so a hook that
ends within its own bound never trips the async run's net (which would turn a bought label into
OutcomeUnknown). A rate-shopping round needs no grace of its own: the async round is made of
async runs (each under its net), and the sync round's wait ends at the deadline itself (rating only
reads, so a carrier's own DeadlineExceeded and the round's "no answer in time" say the same).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from carriergate.core.errors import DeadlineExceeded

Clock = Callable[[], float]

#: Coroutine event hooks may run this long past the call's deadline (then they are cancelled).
HOOK_GRACE = 0.02
#: The async run's net waits this long past the deadline for the executor's own verdict.
SAFETY_MARGIN = 0.25


class Deadline:
    """``Deadline(2.0)`` expires two seconds from now; ``Deadline(None)`` never expires."""

    __slots__ = ("_clock", "_expires_at", "seconds")

    def __init__(self, seconds: float | None, *, clock: Clock = time.monotonic) -> None:
        if seconds is not None and seconds <= 0:
            raise ValueError("deadline must be positive")
        self.seconds = seconds
        self._clock = clock
        self._expires_at = None if seconds is None else clock() + seconds

    def remaining(self) -> float | None:
        """Seconds left (never negative), or None for no deadline."""
        if self._expires_at is None:
            return None
        return max(0.0, self._expires_at - self._clock())

    @property
    def expired(self) -> bool:
        remaining = self.remaining()
        return remaining is not None and remaining <= 0

    def share(self, fraction: float) -> Deadline:
        """The deadline of a part of this run: on the same clock, expiring ``fraction`` (0 < f <= 1)
        of this deadline's seconds after this deadline started, so never after it. No deadline
        shares as no deadline."""
        if not 0 < fraction <= 1:
            raise ValueError("a share of a deadline is a fraction greater than 0 and at most 1")
        part = Deadline(None, clock=self._clock)
        if self.seconds is not None and self._expires_at is not None:
            part.seconds = self.seconds * fraction
            part._expires_at = self._expires_at - self.seconds + part.seconds
        return part

    def clamp(self, timeout: float) -> float:
        """``timeout`` shortened to what is left of the deadline."""
        remaining = self.remaining()
        return timeout if remaining is None else min(timeout, remaining)

    def check(self, carrier: str) -> None:
        if self.expired:
            raise DeadlineExceeded(f"deadline of {self.seconds}s exceeded", carrier=carrier)
