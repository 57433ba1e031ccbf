"""The gateway's public surface that rate shopping, checkout and the command line build on: who can
rate, one validated Deadline per run, per-gateway attachments, the one fan-out (``rate_each`` /
``rate``) and its nets. And that those callers use nothing else of the gateway."""

from __future__ import annotations

import ast
import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.retry import RetryPolicy
from carriergate.core.deadline import SAFETY_MARGIN, Deadline

from support.echo_carrier import EchoCarrier
from support.fake_carrier import fake_carrier, registered
from support.shipments import domestic_request

ROOT = Path(__file__).resolve().parents[2]
HANG_GUARD = 10.0  # seconds: proves a call returned, never a timing assertion
CONFIG = {"echo-a": {"carrier": "echo", "base_url": "https://a.invalid"},
          "echo-b": {"carrier": "echo", "base_url": "https://b.invalid"},
          "tracks": {"carrier": "tracker"}}


#: A carrier that tracks (declares it, without performing it) but does not rate.
Tracker = fake_carrier("tracker", capabilities={cg.Capability.TRACK}, hosts={"production": "https://tracker.invalid"})


@pytest.fixture(autouse=True)
def carriers_registered() -> Iterator[None]:
    with registered(EchoCarrier, Tracker):
        yield


class ManualClock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def priced(request: httpx.Request) -> httpx.Response:
    price = {"a.invalid": "12.00", "b.invalid": "9.50"}[request.url.host]
    return httpx.Response(200, json={"services": [{"code": "std", "price": price, "days": 2}]})


# -- who can rate -----------------------------------------------------------------------------------------------

def test_rating_accounts_are_the_configured_accounts_that_can_rate() -> None:
    with cg.Gateway(CONFIG) as gw:
        assert gw.rating_accounts() == ["echo-a", "echo-b"]
        assert gw.rating_accounts(["tracks", "echo-b", "echo-b"]) == ["echo-b"]  # in order, once each
        with pytest.raises(cg.ConfigurationError, match="not configured"):
            gw.rating_accounts(["echo-a", "ups-eu"])


# -- one Deadline per run ---------------------------------------------------------------------------------------

def test_deadline_is_validated_and_on_the_gateways_clock() -> None:
    clock = ManualClock()
    with cg.Gateway(CONFIG, clock=clock, default_deadline=7.0) as gw:
        limit = gw.deadline(2.0)
        assert limit.seconds == 2.0
        clock.now += 1.5
        assert limit.remaining() == pytest.approx(0.5)
        assert gw.deadline().seconds == 7.0  # None: the gateway's default
        assert gw.deadline(limit) is limit  # a Deadline the caller has is passed on as it is
        for bad in (0, -1.0):
            with pytest.raises(cg.ValidationError) as err:
                gw.deadline(bad)
            assert err.value.field == "deadline"
    with cg.Gateway(CONFIG, default_deadline=None) as gw:
        assert gw.deadline().remaining() is None


def test_a_share_of_a_deadline_never_outlives_it() -> None:
    clock = ManualClock()
    whole = Deadline(1.0, clock=clock)
    clock.now += 0.25
    part = whole.share(0.5)
    assert part.seconds == 0.5
    assert part.remaining() == pytest.approx(0.25)  # counted from when the whole started, not from now
    assert whole.share(1.0).remaining() == whole.remaining()
    assert Deadline(None).share(0.5).remaining() is None
    for bad in (0.0, 1.5, -0.1):
        with pytest.raises(ValueError, match="fraction"):
            whole.share(bad)


def test_a_spent_deadline_given_as_a_deadline_reaches_every_operation_as_deadline_exceeded() -> None:
    clock = ManualClock()
    with cg.Gateway(CONFIG, clock=clock, transport=httpx.MockTransport(priced)) as gw:
        spent = gw.deadline(1.0)
        clock.now += 5
        result = gw.rate(domestic_request(), deadline=spent)
        assert set(result.errors) == {"echo-a", "echo-b"}
        assert all(isinstance(e, cg.DeadlineExceeded) for e in result.errors.values())
        with pytest.raises(cg.DeadlineExceeded):
            gw.carrier("echo-a").rate(domestic_request(), deadline=spent)


# -- attachments ------------------------------------------------------------------------------------------------

def test_an_attachment_is_built_once_per_gateway_even_when_threads_race_and_closes_with_it() -> None:
    built: list[object] = []
    closed: list[object] = []
    barrier = threading.Barrier(8)

    class Helper:
        def __init__(self) -> None:
            built.append(self)

        def close(self) -> None:
            closed.append(self)

    gw, other = cg.Gateway(CONFIG), cg.Gateway(CONFIG)
    found: list[Helper] = []

    def first_use() -> None:
        barrier.wait(timeout=HANG_GUARD)
        found.append(gw.attachment("helper", Helper))

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=HANG_GUARD)
    assert len(built) == 1
    assert all(helper is built[0] for helper in found)
    assert other.attachment("helper", Helper) is not built[0]  # one per gateway
    gw.close()
    other.close()
    assert closed == built


def test_an_async_gateway_closes_its_attachments_too() -> None:
    closed: list[str] = []

    class Helper:
        def close(self) -> None:
            closed.append("helper")

    async def main() -> None:
        async with cg.AsyncGateway(CONFIG) as gw:
            gw.attachment("helper", Helper)

    asyncio.run(main())
    assert closed == ["helper"]


# -- the one fan-out --------------------------------------------------------------------------------------------

def test_rate_each_gives_each_account_its_own_result_and_rate_is_them_as_one() -> None:
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(priced)) as gw:
        each = gw.rate_each(domestic_request(), ["echo-a", "tracks", "echo-b"], deadline=2.0)
        merged = gw.rate(domestic_request(), ["echo-a", "tracks", "echo-b"], deadline=gw.deadline(2.0))
    assert set(each) == {"echo-a", "echo-b", "tracks"}
    assert [q.carrier for q in each["echo-a"].quotes] == ["echo-a"]
    assert each["echo-a"].errors == {}
    assert isinstance(each["tracks"].errors["tracks"], cg.NotSupported)
    assert [q.carrier for q in merged.quotes] == ["echo-b", "echo-a"]  # cheapest first
    assert set(merged.errors) == {"tracks"}

    async def main() -> dict[str, cg.RateResult]:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(priced)) as agw:
            return await agw.rate_each(domestic_request(), deadline=agw.deadline(2.0))

    assert {name: [q.carrier for q in r.quotes] for name, r in asyncio.run(main()).items()} == {
        "echo-a": ["echo-a"], "echo-b": ["echo-b"]}  # unnamed, an account that cannot rate is not asked


def test_cancelling_the_caller_of_an_async_round_cancels_the_carriers() -> None:
    cancelled: list[str] = []

    async def main() -> None:
        arrived = asyncio.Semaphore(0)

        async def handle(request: httpx.Request) -> httpx.Response:
            arrived.release()
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.append(request.url.host)
                raise
            raise AssertionError("unreachable")

        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(handle)) as gw:
            task = asyncio.create_task(gw.rate(domestic_request(), deadline=HANG_GUARD * 3))
            for _ in range(2):
                await asyncio.wait_for(arrived.acquire(), timeout=HANG_GUARD)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=HANG_GUARD)

    asyncio.run(main())
    assert sorted(cancelled) == ["a.invalid", "b.invalid"]


async def hang_asleep(seconds: float) -> None:
    """A retry sleep that never ends: no executor net covers it, only the async run's."""
    await asyncio.Event().wait()


def test_a_hang_between_attempts_in_an_async_round_ends_at_the_run_net() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.host == "b.invalid":
            return httpx.Response(503, json={"code": "busy", "message": "try again"})  # retried: a sleep first
        return priced(request)

    async def main() -> tuple[cg.RateResult, float]:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(handle), sleep=hang_asleep,
                                   retry_policy=RetryPolicy(initial_backoff=0.01, jitter=None)) as gw:
            loop = asyncio.get_running_loop()
            started = loop.time()
            result = await asyncio.wait_for(gw.rate(domestic_request(), deadline=0.1), timeout=HANG_GUARD)
            return result, loop.time() - started

    result, elapsed = asyncio.run(main())
    assert [q.carrier for q in result.quotes] == ["echo-a"]
    assert isinstance(result.errors["echo-b"], cg.DeadlineExceeded)
    assert elapsed >= 0.1 + SAFETY_MARGIN * 0.9  # it was the run's net, not a net of the round, that ended it


# -- the callers use nothing else ---------------------------------------------------------------------------------

CALLERS = ["gateway/shopping.py", *(f"checkout/{p.name}" for p in sorted((ROOT / "checkout").glob("*.py"))),
           *(f"cli/{p.name}" for p in sorted((ROOT / "cli").glob("*.py")))]


def _private_uses(path: Path) -> list[str]:
    """``x._name`` where ``x`` is not the object's own ``self``/``cls``: someone else's private member."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})):
            found.append(f"{path.name}:{node.lineno} {ast.unparse(node)}")
    return found


@pytest.mark.parametrize("module", CALLERS)
def test_rate_shopping_checkout_and_the_cli_use_only_public_members_of_others(module: str) -> None:
    assert _private_uses(ROOT / module) == []


def test_the_gateway_never_imports_rate_shopping() -> None:
    for module in ("gateways.py", "accounts.py", "fanout.py"):
        imported: list[Any] = [n for n in ast.walk(ast.parse((ROOT / "gateway" / module).read_text()))
                               if isinstance(n, ast.ImportFrom) and "shopping" in (n.module or "")]
        assert imported == [], module
