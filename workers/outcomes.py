"""What one tracking attempt means for its number: its new state, and when (if ever) it is asked again.

Pure: the record kept in Redis, the carrier's answer (a TrackingInfo or the CarrierError of that
number), the time and a random source in, a :class:`Decision` out. The worker does the I/O around it.

States a number can be in (the counts ``progress()`` reports):

- ``pending``: enqueued, not tracked yet;
- each :class:`TrackingStatus` value: its last answer (``delivered``, ``returned_to_sender`` and
  ``cancelled`` are final);
- ``retrying``: its last attempt failed for a reason that may pass (carrier down, rate limited, a
  refused login, an answer we could not read): asked again after a backoff;
- ``not_found``: the carrier does not know it (yet): asked again until ``give_up_not_found_after``;
- ``given_up`` (final): unknown to the carrier for that long;
- ``failed`` (final): a reason that cannot pass (not a valid number, an account not configured or
  that cannot track), or ``max_failures`` failures in a row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from carriergate.core.errors import (
    CarrierError,
    ConfigurationError,
    NotFound,
    NotSupported,
    RateLimited,
    ValidationError,
)
from carriergate.core.tracking import TrackingInfo, TrackingStatus
from carriergate.workers.policy import FINAL_STATUSES, Random, RefreshPolicy

PENDING = "pending"
RETRYING = "retrying"
NOT_FOUND = "not_found"
GIVEN_UP = "given_up"
FAILED = "failed"
#: Every state, in the order progress is printed.
STATES: tuple[str, ...] = (PENDING, *(s.value for s in TrackingStatus), RETRYING, NOT_FOUND, GIVEN_UP, FAILED)
FINAL_STATES = frozenset({*(s.value for s in FINAL_STATUSES), GIVEN_UP, FAILED})
#: Errors no later attempt can cure: the number fails at once.
PERMANENT = (ValidationError, ConfigurationError, NotSupported)
Outcome = TrackingInfo | CarrierError


@dataclass(frozen=True)
class NumberRecord:
    """What Redis keeps per (account, number). ``generation`` counts the jobs of the number's chain:
    job ``g`` may run only while the record's generation is at most ``g`` (a job of an older
    generation, re-run after a crash, sees it is stale and does nothing)."""

    generation: int = 0
    state: str = PENDING
    failures: int = 0  # in a row
    not_found_since: float | None = None  # epoch seconds of the first NotFound in a row
    code: str | None = None  # the last error's code, for the operator

    def dumps(self) -> str:
        return json.dumps({"g": self.generation, "s": self.state, "f": self.failures, "nf": self.not_found_since,
                           "c": self.code}, separators=(",", ":"))

    @classmethod
    def loads(cls, text: str | bytes) -> NumberRecord:
        data = json.loads(text)
        nf = data.get("nf")
        return cls(generation=int(data["g"]), state=str(data["s"]), failures=int(data.get("f") or 0),
                   not_found_since=None if nf is None else float(nf), code=data.get("c"))

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class Decision:
    """The record after the attempt (same generation: the worker advances it) and the seconds until
    the next attempt; None when the number is done."""

    record: NumberRecord
    delay: float | None


def decide(record: NumberRecord, outcome: Outcome, *, now: float, policy: RefreshPolicy, rng: Random) -> Decision:
    """The new state of a number after one attempt that gave ``outcome`` at ``now`` (epoch seconds)."""
    if isinstance(outcome, TrackingInfo):
        fresh = replace(record, state=outcome.status.value, failures=0, not_found_since=None, code=None)
        return Decision(fresh, policy.refresh_delay(outcome.status, rng))
    if isinstance(outcome, NotFound):
        since = record.not_found_since if record.not_found_since is not None else now
        found = replace(record, failures=0, not_found_since=since, code=outcome.code)
        if now - since >= policy.give_up_not_found_after:
            return Decision(replace(found, state=GIVEN_UP), None)
        return Decision(replace(found, state=NOT_FOUND), policy.spread(policy.not_found, rng))
    if isinstance(outcome, PERMANENT):
        return Decision(replace(record, state=FAILED, code=outcome.code), None)
    failures = record.failures + 1
    failing = replace(record, failures=failures, code=outcome.code)
    if failures >= policy.max_failures:
        return Decision(replace(failing, state=FAILED), None)
    retry_after = outcome.retry_after if isinstance(outcome, RateLimited) else None
    return Decision(replace(failing, state=RETRYING), policy.retry_delay(failures, rng, retry_after))


__all__ = ["FAILED", "FINAL_STATES", "GIVEN_UP", "NOT_FOUND", "PENDING", "PERMANENT", "RETRYING", "STATES",
           "Decision", "NumberRecord", "Outcome", "decide"]
