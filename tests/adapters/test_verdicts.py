"""The outcome-unknown error has one constructor (inflight.maybe_performed), and every verdict that
may say "this write may have been performed" goes through it with the same text, code and reference."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters import inflight, verdicts
from carriergate.adapters.inflight import RunContext, maybe_performed
from carriergate.adapters.verdicts import deadline_error, doubtful, transport_error
from carriergate.core.contract import Call
from carriergate.core.deadline import Deadline

from support.fake_carrier import fake_carrier

Writes = fake_carrier("writes")
SHIP = Call(request=httpx.Request("POST", "https://writes.test/labels"), parse=lambda r: None, operation="ship",
            kind="write", idempotent=False, reference="ORDER-9")
RATE = Call(request=httpx.Request("POST", "https://writes.test/rate"), parse=lambda r: None, operation="rate",
            kind="read", idempotent=True)


def test_maybe_performed_carries_the_reference_and_keeps_a_given_code() -> None:
    plain = maybe_performed(SHIP, "ReadTimeout", carrier="writes")
    assert (type(plain), plain.code, plain.reference, plain.carrier) == (cg.OutcomeUnknown, "outcome_unknown",
                                                                        "ORDER-9", "writes")
    assert plain.message == "ship may have been performed: ReadTimeout (reference 'ORDER-9')"
    kept = maybe_performed(SHIP, "garbled", carrier="writes", code="malformed", http_status=200, request_id="r-1")
    assert (kept.code, kept.http_status, kept.request_id) == ("malformed", 200, "r-1")


def judged_by_the_run() -> cg.CarrierError:
    context = RunContext()
    context.handed_over(object(), SHIP)
    return context.judge(cg.DeadlineExceeded("deadline of 2.0s exceeded", carrier="writes"))


def test_every_verdict_that_doubts_a_write_uses_the_one_constructor(monkeypatch: pytest.MonkeyPatch) -> None:
    made: list[str] = []

    def spy(call: Call[Any], reason: str, **details: Any) -> cg.OutcomeUnknown:
        made.append(reason)
        return maybe_performed(call, reason, **details)

    monkeypatch.setattr(verdicts, "maybe_performed", spy)
    monkeypatch.setattr(inflight, "maybe_performed", spy)
    carrier = Writes.with_account()
    garbled = cg.MalformedResponse("ship: garbled", carrier="writes", http_status=200)
    errors = [
        doubtful(SHIP, garbled, 200),
        deadline_error(carrier, SHIP, Deadline(5.0), sent=True, stage="while reading the answer"),
        transport_error(carrier, SHIP, httpx.ReadTimeout("slow"), Deadline(5.0)),
        judged_by_the_run(),
    ]
    assert made == ["ship: garbled", "deadline of 5.0s exceeded while reading the answer", "ReadTimeout",
                    "deadline of 2.0s exceeded"]
    assert [(type(e), e.code) for e in errors] == [(cg.OutcomeUnknown, "malformed")] + [
        (cg.OutcomeUnknown, "outcome_unknown")] * 3
    assert all(isinstance(e, cg.OutcomeUnknown) and e.reference == "ORDER-9" and e.carrier == "writes"
               and e.message.startswith("ship may have been performed: ") for e in errors)


def test_a_read_or_a_write_that_was_not_sent_is_never_in_doubt() -> None:
    carrier = Writes.with_account()
    assert type(deadline_error(carrier, RATE, Deadline(5.0), sent=True, stage="x")) is cg.DeadlineExceeded
    assert type(deadline_error(carrier, SHIP, Deadline(5.0), sent=False, stage="x")) is cg.DeadlineExceeded
    garbled = cg.MalformedResponse("rate: garbled", http_status=200)
    assert doubtful(RATE, garbled, 200) is garbled
    assert RunContext().judge(late := cg.DeadlineExceeded("late")) is late
