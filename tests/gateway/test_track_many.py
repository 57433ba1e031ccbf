"""Gateway.track_many / AsyncGateway.track_many: several numbers of one account within one deadline.

The fake carriers here track over HTTP (``GET /track?numbers=A,B``), so what reaches the carrier is
seen at the transport: numbers are checked before anything is sent, each is asked once, a list is
cut into the carrier's ``track_batch`` and the batches go concurrently; a batch that fails as a
whole, or does not answer by the deadline, gives its reason to each of its numbers.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import carriergate as cg

from support.fake_carrier import Exchange, Turn, checked, fake_carrier, registered

MODES = ["sync", "async"]


def _numbers(request: httpx.Request) -> list[str]:
    return request.url.params["numbers"].split(",")


def _info(alias: str, number: str) -> cg.TrackingInfo:
    event = cg.TrackingEvent(occurred_at=datetime(2030, 1, 2, tzinfo=UTC), status=cg.TrackingStatus.IN_TRANSIT)
    return cg.TrackingInfo(carrier=alias, tracking_number=number, status=cg.TrackingStatus.IN_TRANSIT, events=[event])


def _batch_request(turn: Turn) -> httpx.Request:
    return httpx.Request("GET", turn.url("/track"), params={"numbers": ",".join(turn.argument)})


def _batch_result(turn: Turn, response: httpx.Response) -> cg.TrackingResult:
    """``{"found": [...], "missing": [...]}``: the carrier's own per-number answer within one reply."""
    body = response.json()
    return cg.TrackingResult(
        tracked={n: _info(turn.alias, n) for n in body["found"]},
        errors={n: cg.NotFound(f"no such parcel {n}", carrier=turn.alias) for n in body["missing"]})


def _single_request(turn: Turn) -> httpx.Request:
    return httpx.Request("GET", turn.url("/track"), params={"numbers": turn.argument})


#: Up to two numbers in one call, read by one reply.
Pairs = fake_carrier("pairs", capabilities={cg.Capability.TRACK}, track_batch=2,
                     track=Exchange(_single_request, checked(lambda turn, r: _info(turn.alias, turn.argument))),
                     track_many=Exchange(_batch_request, checked(_batch_result)))
#: Three numbers a batch but no batch API: the base class tracks them one after another.
Singles = fake_carrier("singles", capabilities={cg.Capability.TRACK}, track_batch=3,
                       track=Exchange(_single_request, checked(lambda turn, r: _info(turn.alias, turn.argument))))
#: Tracks nothing at all.
Mute = fake_carrier("mute", capabilities=set())


@pytest.fixture(autouse=True)
def fakes() -> Iterator[None]:
    with registered(Pairs, Singles, Mute):
        yield


CONFIG: dict[str, dict[str, Any]] = {"pairs": {}, "singles": {}, "mute": {}}
MISSING = "MISSING1"  # the carrier knows every number but this one
FAILING = "FAILS1"    # the whole call carrying it is refused


def answer(request: httpx.Request) -> httpx.Response:
    numbers = _numbers(request)
    if FAILING in numbers:
        return httpx.Response(400, json={"message": "batch refused"})
    if request.url.host == "singles.invalid" and numbers == [MISSING]:
        return httpx.Response(404, json={"code": "404", "message": "not found"})
    return httpx.Response(200, json={"found": [n for n in numbers if n != MISSING],
                                     "missing": [n for n in numbers if n == MISSING]})


class Recorder:
    """A transport answering with ``handle`` (default :func:`answer`) and keeping every request."""

    def __init__(self, handle: Callable[[httpx.Request], httpx.Response] = answer) -> None:
        self.sent: list[httpx.Request] = []
        self.handle = handle
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.sent.append(request)
        return self.handle(request)

    @property
    def batches(self) -> list[list[str]]:
        return sorted(_numbers(r) for r in self.sent)


def track_many(mode: str, recorder: Recorder, numbers: list[str], carrier: str = "pairs",
               deadline: float | None = None) -> cg.TrackingResult:
    transport = httpx.MockTransport(recorder)
    if mode == "sync":
        with cg.Gateway(CONFIG, transport=transport) as gw:
            return gw.track_many(numbers, carrier=carrier, deadline=deadline)

    async def main() -> cg.TrackingResult:
        async with cg.AsyncGateway(CONFIG, transport=transport) as agw:
            return await agw.track_many(numbers, carrier=carrier, deadline=deadline)

    return asyncio.run(main())


# -- checked before anything is sent ------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("numbers", "field"), [
    (["A1", "B2/../x"], "tracking_numbers[1]"),
    (["  ", "A1"], "tracking_numbers[0]"),
    (["A1", "B2", "C" * 41], "tracking_numbers[2]"),
    ([], "tracking_numbers"),
])
def test_numbers_are_checked_before_anything_is_sent(mode: str, numbers: list[str], field: str) -> None:
    recorder = Recorder()
    with pytest.raises(cg.ValidationError) as caught:
        track_many(mode, recorder, numbers)
    assert caught.value.field == field
    assert recorder.sent == []


@pytest.mark.parametrize("mode", MODES)
def test_each_number_is_asked_once_as_stripped(mode: str) -> None:
    recorder = Recorder()
    result = track_many(mode, recorder, ["A1", " A1 ", "B2", "A1"])
    assert recorder.batches == [["A1", "B2"]]
    assert set(result.tracked) == {"A1", "B2"}
    assert result.errors == {}
    assert result.complete


# -- batches ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_numbers_go_in_batches_of_the_carriers_size(mode: str) -> None:
    recorder = Recorder()
    result = track_many(mode, recorder, ["A1", "B2", "C3", "D4", MISSING])
    assert recorder.batches == [["A1", "B2"], ["C3", "D4"], [MISSING]]
    assert set(result.tracked) == {"A1", "B2", "C3", "D4"}
    assert all(info.tracking_number == number for number, info in result.tracked.items())
    assert set(result.errors) == {MISSING}
    assert isinstance(result.errors[MISSING], cg.NotFound)
    assert not result.complete


def test_sync_batches_run_concurrently() -> None:
    together = threading.Barrier(3, timeout=5)  # breaks (and the batch fails) unless all three are in flight

    def handle(request: httpx.Request) -> httpx.Response:
        together.wait()
        return answer(request)

    recorder = Recorder(handle)
    result = track_many("sync", recorder, ["A1", "B2", "C3", "D4", "E5"], deadline=10)
    assert result.errors == {}
    assert len(result.tracked) == 5


def test_async_batches_run_concurrently() -> None:
    async def main() -> tuple[cg.TrackingResult, int]:
        in_flight, most = 0, 0
        all_in = asyncio.Event()

        async def handle(request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, most
            in_flight += 1
            most = max(most, in_flight)
            if most == 3:
                all_in.set()
            await asyncio.wait_for(all_in.wait(), 5)
            in_flight -= 1
            return answer(request)

        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(handle)) as agw:
            return await agw.track_many(["A1", "B2", "C3", "D4", "E5"], carrier="pairs", deadline=10), most

    result, most = asyncio.run(main())
    assert most == 3
    assert result.errors == {}
    assert len(result.tracked) == 5


@pytest.mark.parametrize("mode", MODES)
def test_a_batch_that_fails_as_a_whole_gives_each_number_its_error(mode: str) -> None:
    recorder = Recorder()
    result = track_many(mode, recorder, ["A1", FAILING, "C3", "D4"])
    assert set(result.tracked) == {"C3", "D4"}
    assert set(result.errors) == {"A1", FAILING}
    error = result.errors["A1"]
    assert result.errors[FAILING] is error
    assert (type(error), error.carrier, error.http_status) == (cg.CarrierError, "pairs", 400)


# -- the deadline -------------------------------------------------------------------------------------

HUNG = "HANGS1"


def test_sync_hung_batch_costs_the_deadline_and_its_numbers_get_deadline_exceeded() -> None:
    release = threading.Event()

    def handle(request: httpx.Request) -> httpx.Response:
        if HUNG in _numbers(request):
            release.wait(10)
        return answer(request)

    started = time.monotonic()
    try:
        result = track_many("sync", Recorder(handle), ["A1", "B2", HUNG, "D4"], deadline=0.3)
    finally:
        elapsed = time.monotonic() - started
        release.set()
    assert 0.3 <= elapsed < 2.0
    assert set(result.tracked) == {"A1", "B2"}
    assert set(result.errors) == {HUNG, "D4"}
    assert all(isinstance(e, cg.DeadlineExceeded) for e in result.errors.values())
    assert result.errors[HUNG].carrier == "pairs"


def test_async_hung_batch_costs_the_deadline_and_its_numbers_get_deadline_exceeded() -> None:
    async def main() -> cg.TrackingResult:
        never = asyncio.Event()

        async def handle(request: httpx.Request) -> httpx.Response:
            if HUNG in _numbers(request):
                await never.wait()
            return answer(request)

        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(handle)) as agw:
            return await agw.track_many(["A1", "B2", HUNG, "D4"], carrier="pairs", deadline=0.3)

    started = time.monotonic()
    result = asyncio.run(main())
    assert 0.3 <= time.monotonic() - started < 2.0
    assert set(result.tracked) == {"A1", "B2"}
    assert set(result.errors) == {HUNG, "D4"}
    assert all(isinstance(e, cg.DeadlineExceeded) for e in result.errors.values())


# -- the base class's default: one track after another ------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
def test_default_track_many_keeps_each_numbers_own_error(mode: str) -> None:
    recorder = Recorder()
    result = track_many(mode, recorder, ["A1", MISSING, "B2", "C3"], carrier="singles")
    # batches of three, each number its own track call
    assert recorder.batches == [["A1"], ["B2"], ["C3"], [MISSING]]
    assert set(result.tracked) == {"A1", "B2", "C3"}
    assert set(result.errors) == {MISSING}
    assert isinstance(result.errors[MISSING], cg.NotFound)
    assert result.errors[MISSING].carrier == "singles"


@pytest.mark.parametrize("mode", MODES)
def test_a_carrier_that_cannot_track_answers_not_supported_for_each_number(mode: str) -> None:
    recorder = Recorder()
    result = track_many(mode, recorder, ["A1", "B2"], carrier="mute")
    assert recorder.sent == []
    assert result.tracked == {}
    assert set(result.errors) == {"A1", "B2"}
    assert all(isinstance(e, cg.NotSupported) and e.carrier == "mute" for e in result.errors.values())
