"""Deadlines bound every stage of a write, hooks included (code-review findings).

A write the carrier may have performed and that then runs out of deadline (its document fetch, a
trickling answer, the async gateway's safety net) is OutcomeUnknown carrying the write's reference,
never a timeout a caller would simply retry; a write that certainly was not sent stays
DeadlineExceeded. Hooks that hang or raise are bounded and ignored. No real sleeps: clocks and
sleeps are injected; the few waits on asyncio timeouts are fractions of a second, hang guards generous.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.events import EventHooks
from carriergate.adapters.events import Exchange as View
from carriergate.adapters.executor import AsyncExecutor
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.deadline import HOOK_GRACE, Deadline

from support.shipments import domestic_request
from support.timing import never_asleep, never_sleep
from support.write_carriers import WriteCarrier, a_label, carriers_registered, run_sync_or_async

__all__ = ["carriers_registered"]  # the autouse fixture, imported for pytest

HANG_GUARD = 10_000  # chunks: a trickle that is not cut off fails instead of running for ever
FAST_RETRY = RetryPolicy(initial_backoff=0.01, jitter=None)


async def hang_asleep(seconds: float) -> None:
    """A post-write stage that the executor does not bound itself: only the gateway's net can end it."""
    await asyncio.Event().wait()


# -- the async safety net and hooks --------------------------------------------------------------------------

def document_handler(posts: list[httpx.Request], document: int = 503) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
            return httpx.Response(200, json={"tn": "1Z0001"})
        return httpx.Response(document, content=b"%PDF-document")
    return handle


def test_safety_net_after_a_performed_write_is_outcome_unknown_with_the_reference() -> None:
    posts: list[httpx.Request] = []

    async def main() -> cg.Label:
        async with cg.AsyncGateway({"documents": {}}, transport=httpx.MockTransport(document_handler(posts)),
                                   sleep=hang_asleep, retry_policy=FAST_RETRY) as agw:
            return await agw.carrier("documents").ship(a_label("documents"), deadline=0.1)

    with pytest.raises(cg.OutcomeUnknown) as caught:
        asyncio.run(main())
    assert (len(posts), caught.value.reference, caught.value.carrier) == (1, "ORDER-77", "documents")


def test_safety_net_when_no_write_was_performed_stays_deadline_exceeded() -> None:
    posts: list[httpx.Request] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        posts.append(request)
        raise httpx.ConnectError("refused")  # never reached the carrier

    async def main() -> cg.Label:
        async with cg.AsyncGateway({"writes": {}}, transport=httpx.MockTransport(refuse), sleep=hang_asleep,
                                   retry_policy=FAST_RETRY) as agw:
            return await agw.ship(a_label(), deadline=0.1)

    with pytest.raises(cg.DeadlineExceeded) as caught:
        asyncio.run(main())
    assert len(posts) == 1
    assert caught.value.code == "deadline"


def test_deadline_after_a_performed_write_is_outcome_unknown() -> None:
    """Sync: the label was bought, then its document fetch ran out of deadline: not a retryable timeout."""
    now = [0.0]
    posts: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
            return httpx.Response(200, json={"tn": "1Z0001"})
        now[0] += 60.0
        raise httpx.ReadTimeout("slow document")

    with cg.Gateway({"documents": {}}, transport=httpx.MockTransport(handle), clock=lambda: now[0],
                    sleep=never_sleep) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.carrier("documents").ship(a_label("documents"), deadline=5.0)
    assert (len(posts), caught.value.reference) == (1, "ORDER-77")
    assert isinstance(caught.value.__cause__, cg.DeadlineExceeded)


def test_async_hooks_that_hang_or_raise_are_bounded_and_ignored(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    async def hang(view: View) -> None:
        seen.append(f"hang {view.operation}")
        await asyncio.Event().wait()

    def boom(view: View) -> None:
        raise RuntimeError("observer bug")

    hooks = EventHooks({"request": [boom, hang], "response": [hang, boom]}, timeout=0.05)
    posts: list[httpx.Request] = []

    async def main() -> cg.Label:
        async with httpx.AsyncClient(transport=httpx.MockTransport(document_handler(posts, 200))) as client:
            carrier = WriteCarrier.with_account()
            return await AsyncExecutor(client, sleep=never_asleep, hooks=hooks).run(
                carrier, lambda: carrier.ship(a_label()), Deadline(None))

    with caplog.at_level(logging.WARNING, logger="carriergate.events"):
        label = asyncio.run(main())
    assert label.tracking_number == "1Z0001"
    assert seen == ["hang ship", "hang ship"]
    assert sum("overran" in r.getMessage() for r in caplog.records) == 2
    assert sum("RuntimeError" in r.getMessage() for r in caplog.records) == 2


def test_a_hanging_response_hook_never_turns_a_label_into_an_error() -> None:
    """Hooks end by the deadline plus a grace below the safety margin: the gateway's net never fires."""
    async def hang(view: View) -> None:
        await asyncio.Event().wait()

    async def main() -> cg.Label:
        async with cg.AsyncGateway({"writes": {}}, transport=httpx.MockTransport(document_handler([], 200)),
                                   sleep=never_asleep, event_hooks={"response": [hang]}) as agw:
            return await agw.ship(a_label(), deadline=0.1)

    assert asyncio.run(main()).tracking_number == "1Z0001"


def test_hook_budget_is_bounded_by_the_deadline() -> None:
    hooks = EventHooks(timeout=1.0)
    assert hooks.budget(None) == 1.0
    assert hooks.budget(0.0) == pytest.approx(HOOK_GRACE)
    assert hooks.budget(30.0) == 1.0
    with pytest.raises(cg.ConfigurationError):
        EventHooks(timeout=0)


# -- a carrier trickling its answer --------------------------------------------------------------------------

class Trickle(httpx.SyncByteStream, httpx.AsyncByteStream):
    """One byte per chunk, each arriving a second later on the injected clock, for ever."""

    def __init__(self, now: list[float]) -> None:
        self.now = now
        self.pulled = 0

    def _next(self) -> bytes:
        self.pulled += 1
        assert self.pulled < HANG_GUARD, "the trickle was never cut off"
        self.now[0] += 1.0
        return b" "

    def __iter__(self) -> Iterator[bytes]:
        while True:
            yield self._next()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while True:
            yield self._next()


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize(("operation", "expected"), [("rate", cg.DeadlineExceeded), ("ship", cg.OutcomeUnknown)])
def test_a_trickling_answer_is_cut_at_the_deadline(operation: str, expected: type[cg.CarrierError],
                                                   mode: str) -> None:
    now = [0.0]
    streams: list[Trickle] = []

    def handle(request: httpx.Request) -> httpx.Response:
        streams.append(Trickle(now))
        return httpx.Response(200, stream=streams[-1])

    def go(gw: Any) -> Any:
        client = gw.carrier("writes")
        return client.ship(a_label(), deadline=5.0) if operation == "ship" else client.rate(domestic_request(),
                                                                                            deadline=5.0)

    with pytest.raises(expected) as caught:
        run_sync_or_async(mode, handle, go, clock=lambda: now[0])
    assert len(streams) == 1  # never retried
    assert streams[0].pulled == 5  # stopped at the first chunk past the deadline
    assert caught.value.carrier == "writes"
    if isinstance(caught.value, cg.OutcomeUnknown):
        assert caught.value.reference == "ORDER-77"
