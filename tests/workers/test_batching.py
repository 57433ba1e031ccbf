"""Numbers of one account gathered into carrier batches; the pacer that spaces calls (no Redis)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

import carriergate as cg
from carriergate.core.tracking import TrackingResult, TrackingStatus
from carriergate.workers.batching import Batcher, Pacer


class FakeCarrier:
    """Answers every number, except those in ``unknown`` (NotFound); records each call's numbers."""

    def __init__(self, unknown: frozenset[str] = frozenset(), fail: cg.CarrierError | None = None) -> None:
        self.calls: list[list[str]] = []
        self.unknown = unknown
        self.fail = fail

    async def track_many(self, numbers: Sequence[str]) -> TrackingResult:
        self.calls.append(list(numbers))
        await asyncio.sleep(0)
        if self.fail is not None:
            raise self.fail
        result = TrackingResult()
        for n in numbers:
            if n in self.unknown:
                result.errors[n] = cg.NotFound(f"{n} unknown", carrier="fedex")
            elif not n.startswith("SILENT"):
                event = cg.TrackingEvent(occurred_at=datetime(2027, 1, 1, tzinfo=UTC), status=TrackingStatus.IN_TRANSIT)
                result.tracked[n] = cg.TrackingInfo(carrier="fedex", tracking_number=n,
                                                    status=TrackingStatus.IN_TRANSIT, events=[event])
        return result


def numbers(count: int, prefix: str = "7946") -> list[str]:
    return [f"{prefix}{i:08d}" for i in range(count)]


def test_concurrent_numbers_leave_in_full_batches_of_the_carriers_size() -> None:
    carrier = FakeCarrier(unknown=frozenset({"794600000003"}))

    async def scenario() -> list[object]:
        batcher = Batcher(carrier.track_many, size=30, linger=0.01)
        return list(await asyncio.gather(*(batcher.track(n) for n in numbers(65))))

    outcomes = asyncio.run(scenario())
    assert [len(call) for call in carrier.calls] == [30, 30, 5]
    assert sorted(n for call in carrier.calls for n in call) == numbers(65)
    assert isinstance(outcomes[3], cg.NotFound)
    assert [o.tracking_number for o in outcomes if isinstance(o, cg.TrackingInfo)] == \
        [n for n in numbers(65) if n != "794600000003"]


def test_a_lone_number_leaves_after_the_linger() -> None:
    carrier = FakeCarrier()

    async def scenario() -> object:
        return await Batcher(carrier.track_many, size=10, linger=0.0).track("SF1234567890")

    assert isinstance(asyncio.run(scenario()), cg.TrackingInfo)
    assert carrier.calls == [["SF1234567890"]]


def test_a_batch_that_fails_as_a_whole_gives_each_number_the_error() -> None:
    down = cg.CarrierUnavailable("FedEx answered 503", carrier="fedex")
    carrier = FakeCarrier(fail=down)

    async def scenario() -> list[object]:
        batcher = Batcher(carrier.track_many, size=30, linger=0.0)
        return list(await asyncio.gather(*(batcher.track(n) for n in numbers(3))))

    assert asyncio.run(scenario()) == [down, down, down]


def test_a_number_the_answer_leaves_out_gets_a_malformed_response_not_a_hang() -> None:
    async def scenario() -> object:
        return await Batcher(FakeCarrier().track_many, size=2, linger=0.0).track("SILENT0001")

    outcome = asyncio.run(scenario())
    assert isinstance(outcome, cg.MalformedResponse)
    assert "SILENT0001" in outcome.message


def test_a_bug_in_the_call_reaches_every_waiting_job() -> None:
    async def broken(numbers: Sequence[str]) -> TrackingResult:
        raise RuntimeError("a bug")

    async def scenario() -> list[object]:
        batcher = Batcher(broken, size=5, linger=0.0)
        return list(await asyncio.gather(*(batcher.track(n) for n in numbers(2)), return_exceptions=True))

    assert [type(o) for o in asyncio.run(scenario())] == [RuntimeError, RuntimeError]


def test_the_pacer_spaces_calls_by_its_rate_on_the_clock_it_is_given() -> None:
    now = [100.0]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async def scenario() -> None:
        pacer = Pacer(4.0, clock=lambda: now[0], sleep=sleep)
        for _ in range(3):
            await pacer.wait()
        now[0] += 10.0  # idle for a while: the next call goes at once
        await pacer.wait()

    asyncio.run(scenario())
    assert waits == [0.25, 0.5]


def test_a_pacer_rate_must_be_positive() -> None:
    with pytest.raises(cg.ValidationError) as caught:
        Pacer(0.0)
    assert caught.value.field == "calls_per_second"


def test_a_paced_batch_keeps_filling_while_it_waits_for_its_slot() -> None:
    carrier = FakeCarrier()
    wanted = numbers(16)

    async def settle() -> None:
        for _ in range(10):
            await asyncio.sleep(0)

    async def scenario() -> None:
        slot = asyncio.Event()

        async def until_the_slot(seconds: float) -> None:
            await slot.wait()

        batcher = Batcher(carrier.track_many, size=30, linger=0.0,
                          pacer=Pacer(1.0, clock=lambda: 0.0, sleep=until_the_slot))
        await batcher.track(wanted[0])  # the first call goes at once; the next slot is a second away
        waiting = [asyncio.create_task(batcher.track(n)) for n in wanted[1:6]]
        await settle()  # the sender has taken nothing yet: it waits for the slot
        waiting += [asyncio.create_task(batcher.track(n)) for n in wanted[6:]]
        await settle()
        slot.set()
        await asyncio.gather(*waiting)
        await batcher.aclose()

    asyncio.run(scenario())
    assert carrier.calls == [wanted[:1], wanted[1:]]
