"""What one attempt means for a number: new state, next delay, give-up and failure rules (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import carriergate as cg
from carriergate.core.tracking import TrackingStatus
from carriergate.workers.outcomes import (
    FAILED,
    FINAL_STATES,
    GIVEN_UP,
    NOT_FOUND,
    PENDING,
    RETRYING,
    STATES,
    NumberRecord,
    decide,
)
from carriergate.workers.policy import DAY, RefreshPolicy

NOW = 1_800_000_000.0
POLICY = RefreshPolicy(jitter=0.0, retry_base=60.0, retry_cap=3600.0, not_found=600.0,
                       give_up_not_found_after=2 * DAY, max_failures=3)


def middle() -> float:
    return 0.5


def info(status: TrackingStatus) -> cg.TrackingInfo:
    return cg.TrackingInfo(carrier="fedex", tracking_number="794600000001", status=status,
                           events=[cg.TrackingEvent(occurred_at=datetime(2027, 1, 1, tzinfo=UTC), status=status)])


def test_an_answer_sets_the_status_and_clears_past_failures() -> None:
    before = NumberRecord(generation=4, state=RETRYING, failures=2, code="unavailable")
    decision = decide(before, info(TrackingStatus.IN_TRANSIT), now=NOW, policy=POLICY, rng=middle)
    assert decision.record == NumberRecord(generation=4, state="in_transit")
    assert decision.delay == POLICY.in_transit


@pytest.mark.parametrize("status", [TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER])
def test_a_final_status_stops_the_refreshes(status: TrackingStatus) -> None:
    decision = decide(NumberRecord(), info(status), now=NOW, policy=POLICY, rng=middle)
    assert (decision.record.state, decision.delay, decision.record.final) == (status.value, None, True)


def test_not_found_is_asked_again_until_it_has_been_unknown_long_enough() -> None:
    first = decide(NumberRecord(), cg.NotFound("no such number", code="TRACKING.TRACKINGNUMBER.NOTFOUND"),
                   now=NOW, policy=POLICY, rng=middle)
    assert (first.record.state, first.delay, first.record.not_found_since) == (NOT_FOUND, 600.0, NOW)
    assert first.record.code == "TRACKING.TRACKINGNUMBER.NOTFOUND"
    later = decide(first.record, cg.NotFound("still not"), now=NOW + 2 * DAY - 1, policy=POLICY, rng=middle)
    assert (later.record.state, later.record.not_found_since) == (NOT_FOUND, NOW)
    given_up = decide(later.record, cg.NotFound("still not"), now=NOW + 2 * DAY, policy=POLICY, rng=middle)
    assert (given_up.record.state, given_up.delay) == (GIVEN_UP, None)


def test_a_scan_in_between_resets_the_not_found_clock() -> None:
    unknown = decide(NumberRecord(), cg.NotFound("no"), now=NOW, policy=POLICY, rng=middle).record
    seen = decide(unknown, info(TrackingStatus.PRE_TRANSIT), now=NOW + DAY, policy=POLICY, rng=middle).record
    again = decide(seen, cg.NotFound("no"), now=NOW + 3 * DAY, policy=POLICY, rng=middle)
    assert (again.record.state, again.record.not_found_since) == (NOT_FOUND, NOW + 3 * DAY)


def test_transient_failures_back_off_then_fail_after_max_failures() -> None:
    record = NumberRecord(state="in_transit")
    delays = []
    for _ in range(2):
        decision = decide(record, cg.CarrierUnavailable("503 from FedEx"), now=NOW, policy=POLICY, rng=middle)
        record = decision.record
        delays.append(decision.delay)
    assert (record.state, record.failures, record.code, delays) == (RETRYING, 2, "unavailable", [60.0, 120.0])
    last = decide(record, cg.CarrierUnavailable("503 again"), now=NOW, policy=POLICY, rng=middle)
    assert (last.record.state, last.delay, last.record.failures) == (FAILED, None, 3)


def test_rate_limited_waits_at_least_the_carriers_retry_after() -> None:
    decision = decide(NumberRecord(), cg.RateLimited("slow down", retry_after=900.0), now=NOW, policy=POLICY,
                      rng=middle)
    assert (decision.record.state, decision.delay) == (RETRYING, 900.0)


@pytest.mark.parametrize("error", [
    cg.ConfigurationError("carrier account 'fdx' is not configured"),
    cg.NotSupported("table does not support track"),
])
def test_errors_no_retry_can_cure_fail_at_once(error: cg.CarrierError) -> None:
    decision = decide(NumberRecord(), error, now=NOW, policy=POLICY, rng=middle)
    assert (decision.record.state, decision.delay, decision.record.code) == (FAILED, None, error.code)


def test_records_survive_their_json_form() -> None:
    record = NumberRecord(generation=7, state=NOT_FOUND, failures=0, not_found_since=NOW, code="not_found")
    assert NumberRecord.loads(record.dumps()) == record
    assert NumberRecord.loads(NumberRecord().dumps()) == NumberRecord(state=PENDING)


def test_every_state_is_listed_once_and_the_final_ones_are_states() -> None:
    assert len(STATES) == len(set(STATES)) == 15
    assert set(STATES) >= FINAL_STATES
    assert {s.value for s in TrackingStatus} <= set(STATES)
