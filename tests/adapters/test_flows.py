"""FlowRun: driving a carrier's flow by hand, as both executors' ``run`` does (one send per call)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.flows import FlowRun
from carriergate.adapters.inflight import RunContext
from carriergate.core.contract import Call, Flow

from support.fake_carrier import fake_carrier

Flows = fake_carrier("flows")


def carrier() -> Any:
    return Flows.with_account()


def call(operation: str, *, write: bool = False) -> Call[Any]:
    return Call(request=httpx.Request("POST", f"https://flows.test/{operation}"), parse=lambda r: None,
                operation=operation, kind="write" if write else "read", idempotent=not write,
                reference="ORDER-7" if write else None)


def drive(run: FlowRun[Any], answers: dict[str, Any]) -> list[str]:
    """Answer each call from ``answers`` (an exception is raised as the call's error); the calls seen."""
    seen = []
    for step in run:
        seen.append(step.operation)
        with run.answering():
            answer = answers[step.operation]
            if isinstance(answer, BaseException):
                raise answer
            run.answer(answer)
    return seen


def test_each_answer_goes_back_into_the_flow_and_its_return_is_the_result() -> None:
    def flow() -> Flow[int]:
        first: int = yield call("rate")
        second: int = yield call("track")
        return first + second

    run = FlowRun(carrier(), flow, None)
    assert drive(run, {"rate": 2, "track": 40}) == ["rate", "track"]
    assert run.result == 42
    assert isinstance(run.context, RunContext)
    context = RunContext()
    assert FlowRun(carrier(), flow, context).context is context


def test_a_carrier_error_is_thrown_into_the_flow_which_may_handle_it() -> None:
    def flow() -> Flow[str]:
        try:
            yield call("ship", write=True)
        except cg.CarrierError as err:
            found: str = yield call("lookup")  # reconcile, as a carrier does after a duplicate order
            return f"{err.code}: {found}"
        return "shipped"

    run = FlowRun(carrier(), flow, None)
    assert drive(run, {"ship": cg.CarrierError("duplicate", code="dup"), "lookup": "1Z1"}) == ["ship", "lookup"]
    assert run.result == "dup: 1Z1"


def test_an_error_the_flow_does_not_handle_ends_the_run_and_other_exceptions_are_never_answers() -> None:
    def flow() -> Flow[None]:
        yield call("rate")

    with pytest.raises(cg.NotFound):
        drive(FlowRun(carrier(), flow, None), {"rate": cg.NotFound("none")})
    with pytest.raises(KeyboardInterrupt):
        drive(FlowRun(carrier(), flow, None), {"rate": KeyboardInterrupt()})


def test_a_flow_that_refuses_to_start_names_the_carrier() -> None:
    def flow() -> Flow[None]:
        raise cg.ValidationError(cg.FieldError("weight", "too heavy"))

    with pytest.raises(cg.ValidationError) as info:
        FlowRun(carrier(), flow, None)
    assert info.value.carrier == "flows"


def test_a_deadline_escaping_after_a_write_was_handed_over_is_outcome_unknown() -> None:
    ship = call("ship", write=True)

    def flow() -> Flow[None]:
        yield ship
        raise cg.DeadlineExceeded("deadline of 1.0s exceeded", carrier="flows")

    def handing_over(run: FlowRun[None]) -> None:
        for step in run:
            run.context.handed_over(object(), step)  # as the executor notes when the request leaves
            run.answer(None)

    with pytest.raises(cg.OutcomeUnknown) as info:
        handing_over(FlowRun(carrier(), flow, None))
    assert info.value.reference == "ORDER-7"
    assert info.value.message == "ship may have been performed: deadline of 1.0s exceeded (reference 'ORDER-7')"
    assert isinstance(info.value.__cause__, cg.DeadlineExceeded)

    with pytest.raises(cg.DeadlineExceeded):  # nothing handed over: nothing may have been performed
        drive(FlowRun(carrier(), flow, None), {"ship": None})
