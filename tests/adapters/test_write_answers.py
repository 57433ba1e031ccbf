"""What the answer to a write becomes (code-review findings).

A label whose request may have reached the carrier must never come back as an error a caller would
simply retry (that ships twice): a garbled, truncated or oversized answer is OutcomeUnknown carrying
the write's reference, at any status; the same answer to a read stays MalformedResponse. Both
executors read answers through one flow driver and one body reader, so they decide alike. Nothing
here may be retried: the gateways' sleeps fail the test if called.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.adapters.flows import FlowRun
from carriergate.core.contract import Call
from carriergate.core.deadline import Deadline
from carriergate.protocols.limits import TOO_LARGE, BodyReader
from carriergate.sandbox.faults import CarrierFaults, FaultRule, Faults
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.sandbox_samples import ship_request
from support.shipments import domestic_request
from support.timing import never_asleep, never_sleep
from support.write_carriers import WriteCarrier, a_label, carriers_registered, run_sync_or_async

__all__ = ["carriers_registered"]  # the autouse fixture, imported for pytest


# -- a garbled, truncated or oversized answer to a write -------------------------------------------------------

@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("fault", ["truncated", "malformed"])
def test_garbled_label_answer_is_outcome_unknown_with_the_reference(fault: str, mode: str) -> None:
    rule = FaultRule(first=1, paths=["/api/shipments"])
    faults = CarrierFaults(truncated=rule) if fault == "truncated" else CarrierFaults(malformed=rule)
    kwargs = sandbox_gateway_kwargs(["ups"], Faults(carriers={"ups": faults}))
    request = ship_request("ups")

    def ship() -> None:
        if mode == "sync":
            with cg.Gateway(**kwargs, sleep=never_sleep) as gw:
                gw.ship(request)
            return

        async def main() -> None:
            async with cg.AsyncGateway(**kwargs, sleep=never_asleep) as agw:
                await agw.ship(request)
        asyncio.run(main())

    with pytest.raises(cg.OutcomeUnknown) as caught:
        ship()
    error = caught.value
    assert (error.reference, error.http_status, error.code, error.carrier) == (request.reference, 200, "malformed",
                                                                               "ups")
    assert kwargs["transport"].emulators["ups"].labels_created() == 1  # the carrier made it; nobody asked twice


def oversized(status: int, declared: bool) -> Callable[[httpx.Request], httpx.Response]:
    body = b'{"tn": "' + b"9" * 4000 + b'"}'

    def handle(request: httpx.Request) -> httpx.Response:
        if declared:
            return httpx.Response(status, content=body)
        return httpx.Response(status, stream=httpx.ByteStream(body))  # no Content-Length: counted as read
    return handle


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "streamed"])
@pytest.mark.parametrize("status", [200, 422])
def test_oversized_label_answer_is_outcome_unknown_at_any_status(status: int, declared: bool, mode: str) -> None:
    def go(gw: Any) -> Any:
        return gw.ship(a_label())

    with pytest.raises(cg.OutcomeUnknown) as caught:
        run_sync_or_async(mode, oversized(status, declared), go, max_response_bytes=1000)
    assert (caught.value.reference, caught.value.code, caught.value.http_status) == ("ORDER-77", TOO_LARGE, status)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_oversized_answer_to_a_read_stays_malformed(mode: str) -> None:
    def go(gw: Any) -> Any:
        return gw.carrier("writes").rate(domestic_request())

    with pytest.raises(cg.MalformedResponse) as caught:
        run_sync_or_async(mode, oversized(200, False), go, max_response_bytes=1000)
    assert not isinstance(caught.value, cg.OutcomeUnknown)
    assert caught.value.code == TOO_LARGE


# -- one flow driver, one body reader -----------------------------------------------------------------------

def test_both_executors_take_the_same_decisions_through_shared_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[tuple[str, str]] = []
    real_next, real_feed = FlowRun.__next__, BodyReader.feed

    def step(self: FlowRun[Any]) -> Call[Any]:
        try:
            call = real_next(self)
        except StopIteration:
            steps.append(("step", "done"))
            raise
        steps.append(("step", type(call).__name__))
        return call

    def feed(self: BodyReader, chunk: bytes) -> None:
        steps.append(("feed", self.operation))
        real_feed(self, chunk)

    monkeypatch.setattr(FlowRun, "__next__", step)
    monkeypatch.setattr(BodyReader, "feed", feed)

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(b'{"tn": "1Z0001"}'))

    carrier = WriteCarrier.with_account()
    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        sync_label = Executor(client, sleep=never_sleep).run(carrier, lambda: carrier.ship(a_label()), Deadline(5.0))
    sync_steps, steps[:] = list(steps), []

    async def main() -> cg.Label:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handle)) as client:
            return await AsyncExecutor(client, sleep=never_asleep).run(carrier, lambda: carrier.ship(a_label()),
                                                                      Deadline(5.0))

    assert asyncio.run(main()) == sync_label
    assert steps == sync_steps == [("step", "Call"), ("feed", "ship"), ("step", "done")]
