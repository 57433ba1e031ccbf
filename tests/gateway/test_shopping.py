"""Review fixes in rate shopping and checkout: deadlines, one fan-out, backup rates, shoppers per gateway."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import Iterable, Iterator
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import CheckoutQuote, aquote, create_app, quoting
from carriergate.checkout import quote as checkout_quote
from carriergate.checkout.fees import FeePolicy
from carriergate.gateway.gateways import DeadlineArg
from carriergate.gateway.rate_cache import RateCache
from carriergate.gateway.shopping import AsyncRateShopper, RateShopper, table_account

from support.fake_carrier import fake_carrier as define_carrier
from support.fake_carrier import registered
from support.shipments import domestic_request
from support.shop_fakes import CALLS, ahandler, fake, fake_carrier, handler, quote
from support.timing import no_asleep, no_sleep

__all__ = ["fake_carrier"]  # the fixture, imported for pytest
pytestmark = pytest.mark.usefixtures("fake_carrier")

SYNC: dict[str, Any] = {"transport": httpx.MockTransport(handler), "sleep": no_sleep}
ASYNC: dict[str, Any] = {"transport": httpx.MockTransport(ahandler), "sleep": no_asleep}
POLICY = FeePolicy()
CONFIG: dict[str, dict[str, Any]] = {"fast": fake(price="20.00"), "down": fake("fail"), "table": {}}


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SteppingClock(ManualClock):
    """Every reading is five seconds after the previous one: any deadline is spent at its next check."""

    def __call__(self) -> float:
        self.now += 5.0
        return self.now


#: A carrier that tracks (declares it, without performing it) but does not rate.
Tracker = define_carrier("tracker", capabilities={cg.Capability.TRACK}, hosts={"production": "https://tracker.invalid"})


@pytest.fixture
def tracker() -> Iterator[None]:
    with registered(Tracker):
        yield


# 1. A bad deadline is a ValidationError naming "deadline" everywhere, never a raw ValueError.

@pytest.mark.parametrize("bad", [0, -1.0])
def test_bad_deadline_is_a_validation_error_in_shopper_and_checkout(bad: float) -> None:
    with cg.Gateway(CONFIG, **SYNC) as gw, RateShopper(gw) as shopper:
        for call in (lambda: checkout_quote(gw, domestic_request(), POLICY, deadline=bad),
                     lambda: shopper.rate(domestic_request(), deadline=bad),
                     lambda: gw.rate(domestic_request(), deadline=bad)):
            with pytest.raises(cg.ValidationError) as err:
                call()
            assert err.value.field == "deadline"
    assert CALLS == []

    async def main() -> None:
        async with cg.AsyncGateway(CONFIG, **ASYNC) as agw:
            with pytest.raises(cg.ValidationError) as err:
                await aquote(agw, domestic_request(), POLICY, deadline=bad)
            assert err.value.field == "deadline"
            with pytest.raises(cg.ValidationError) as err:
                await AsyncRateShopper(agw).rate(domestic_request(), deadline=bad)
            assert err.value.field == "deadline"

    asyncio.run(main())


# 2. A spent deadline reaches the carriers as the Deadline itself: DeadlineExceeded, never ValidationError.

def _spent(result: cg.RateResult) -> None:
    err = result.errors["fast"]
    assert isinstance(err, cg.DeadlineExceeded)
    assert not isinstance(err, cg.ValidationError)
    assert "1.0s" in err.message  # the caller's deadline, not seconds re-derived from what was left
    assert result.quotes == []


def test_spent_deadline_is_deadline_exceeded_in_the_async_gateway_and_shoppers() -> None:
    async def main() -> None:
        async with cg.AsyncGateway({"fast": fake()}, **ASYNC,
                                   clock=SteppingClock()) as gw:
            _spent(await gw.rate(domestic_request(), deadline=1.0))
            _spent(await AsyncRateShopper(gw).rate(domestic_request(), deadline=1.0))

    asyncio.run(main())
    with cg.Gateway({"fast": fake()}, **SYNC, clock=SteppingClock()) as gw, \
            RateShopper(gw) as shopper:
        _spent(shopper.rate(domestic_request(), deadline=1.0))
        _spent(gw.rate(domestic_request(), deadline=1.0))
    assert CALLS == []  # nothing was sent past the deadline


# 3. One planner and one collector: the gateway and the shoppers agree on which carriers and which errors.

@pytest.mark.usefixtures("tracker")
def test_gateway_and_shoppers_plan_the_same_carriers_and_errors() -> None:
    config = {"fast": fake(price="20.00"), "down": fake("fail"), "tracks": {"carrier": "tracker"}}
    with cg.Gateway(config, **SYNC) as gw, RateShopper(gw) as shopper:
        plain, shopped = gw.rate(domestic_request()), shopper.rate(domestic_request())
        named = shopper.rate(domestic_request(), carriers=["tracks", "fast"])
    for result in (plain, shopped):
        assert [q.carrier for q in result.quotes] == ["fast"]
        assert set(result.errors) == {"down"}  # a carrier that cannot rate is skipped unless named
        assert isinstance(result.errors["down"], cg.CarrierUnavailable)
    assert isinstance(named.errors["tracks"], cg.NotSupported)

    async def main() -> tuple[cg.RateResult, cg.RateResult]:
        async with cg.AsyncGateway(config, **ASYNC) as agw:
            return await agw.rate(domestic_request()), await AsyncRateShopper(agw).rate(domestic_request())

    for result in asyncio.run(main()):
        assert [q.carrier for q in result.quotes] == ["fast"]
        assert set(result.errors) == {"down"}


# 4. Unknown carriers in a checkout request are the request's fault (422); configuration is never a 503.

def _post(config: dict[str, dict[str, Any]], body: dict[str, Any]) -> httpx.Response:
    async def main() -> httpx.Response:
        async with cg.AsyncGateway(config, **ASYNC) as gw:
            app = create_app(gw, POLICY, deadline=0.5)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                return await asyncio.wait_for(client.post("/v1/quotes", json=body), timeout=5)

    return asyncio.run(main())


def test_app_refuses_unknown_carriers_with_422_naming_the_field() -> None:
    body = {**domestic_request().model_dump(mode="json", exclude_none=True), "carriers": ["fast", "ups-eu"]}
    response = _post(CONFIG, body)
    assert response.status_code == 422
    data = response.json()
    assert data["field"] == "carriers[1]"
    assert "ups-eu" in data["reason"]
    assert CALLS == []


def test_app_answers_a_configuration_error_with_500_not_503() -> None:
    body = domestic_request().model_dump(mode="json", exclude_none=True)
    response = _post({"fast": fake(), "broken": {"carrier": "no-such-carrier"}}, body)
    assert response.status_code == 500
    assert response.json()["error"] == "configuration"


# 5. Backup rates after an overrun: only the carriers asked, cached quotes kept, what is left of the deadline.

class StuckShopper(AsyncRateShopper):
    """A shopper whose live round never finishes; it may move the gateway's clock first."""

    clock: ManualClock | None = None

    async def rate(self, request: cg.RateRequest, carriers: Iterable[str] | None = None,
                   deadline: DeadlineArg = None) -> cg.RateResult:
        if self.clock is not None:
            self.clock.now += 60  # the whole checkout deadline is spent while the round hangs
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


def _stuck(config: dict[str, dict[str, Any]], *, cache: RateCache | None = None, table: str = "table",
           carriers: list[str] | None = None, clock: ManualClock | None = None) -> CheckoutQuote:
    async def main() -> CheckoutQuote:
        async with cg.AsyncGateway(config, **ASYNC, clock=clock) as gw:
            shopper = StuckShopper(gw, cache=cache, fallback_table=table)
            shopper.clock = clock
            return await asyncio.wait_for(aquote(shopper, domestic_request(), POLICY, deadline=0.2,
                                                 carriers=carriers), timeout=3)

    return asyncio.run(main())


def test_backup_reports_only_the_carriers_asked() -> None:
    result = _stuck(CONFIG, carriers=["down"])
    assert set(result.errors) == {"down"}
    assert isinstance(result.errors["down"], cg.DeadlineExceeded)
    assert {(o.priced.quote.carrier, o.priced.quote.source) for o in result.options} == {("table", "table")}


def test_backup_keeps_quotes_the_cache_serves() -> None:
    cache = RateCache(ttl=60)
    cache.put(domestic_request(), "fast", [quote("fast", "20.00", 1)])
    result = _stuck(CONFIG, cache=cache)
    sources = {(o.priced.quote.carrier, o.priced.quote.source) for o in result.options}
    assert sources == {("fast", "cache"), ("table", "table")}
    assert set(result.errors) == {"down"}


def test_backup_table_gets_only_what_is_left_of_the_deadline() -> None:
    config = {"down": fake("fail"), "backup": fake(price="9.00")}
    result = _stuck(config, table="backup", clock=ManualClock())
    assert result.options == []
    assert isinstance(result.errors["backup"], cg.DeadlineExceeded)
    assert CALLS == []  # the backup account was not asked past the deadline


# 6. Sync checkout: one shopper per gateway, and the same guard and backup as aquote.

def test_sync_quote_reuses_one_shopper_per_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    with cg.Gateway({"fast": fake(price="20.00"), "table": {}}, **SYNC) as gw:
        built: list[int] = []
        real = concurrent.futures.ThreadPoolExecutor

        def counting(*args: Any, **kwargs: Any) -> concurrent.futures.ThreadPoolExecutor:
            built.append(1)
            return real(*args, **kwargs)

        monkeypatch.setattr(concurrent.futures, "ThreadPoolExecutor", counting)
        for _ in range(3):
            result = checkout_quote(gw, domestic_request(), POLICY, deadline=2.0)
            assert [o.priced.quote.carrier for o in result.options] == ["fast"]
    assert len(built) <= 1


class StuckSyncShopper(RateShopper):
    """A synchronous shopper whose live round hangs until released."""

    release: threading.Event

    def rate(self, request: cg.RateRequest, carriers: Iterable[str] | None = None,
             deadline: DeadlineArg = None) -> cg.RateResult:
        self.release.wait(3)
        raise AssertionError("the live round was abandoned")


def test_sync_quote_answers_with_backup_rates_when_the_live_round_overruns() -> None:
    release = threading.Event()
    try:
        with cg.Gateway(CONFIG, **SYNC) as gw, \
                StuckSyncShopper(gw, fallback_table="table") as shopper:
            shopper.release = release
            result = checkout_quote(shopper, domestic_request(), POLICY, deadline=0.2)
    finally:
        release.set()
    assert {(o.priced.quote.carrier, o.priced.quote.source) for o in result.options} == {("table", "table")}
    assert set(result.errors) == {"fast", "down"}
    assert all(isinstance(e, cg.DeadlineExceeded) for e in result.errors.values())


# 7. One member-tier check; the table account found through the public carrier_kind.

def test_member_tier_is_checked_in_one_place() -> None:
    policy = FeePolicy.model_validate({"member_tiers": {"gold": "10"}})
    policy.check_member_tier("gold")
    policy.check_member_tier(None)
    with pytest.raises(cg.ValidationError) as err:
        policy.check_member_tier("bronze")
    assert err.value.field == "member_tier"
    assert not hasattr(quoting, "check_member_tier")


def test_carrier_kind_names_the_registered_carrier_of_an_account() -> None:
    with cg.Gateway({"fast": fake(), "backup-card": {"carrier": "table"}, "table": {}}) as gw:
        assert gw.carrier_kind("fast") == "fake"
        assert gw.carrier_kind("backup-card") == "table"
        assert gw.carrier_kind("table") == "table"
        assert table_account(gw) == "backup-card"
        with pytest.raises(cg.ConfigurationError, match="not configured"):
            gw.carrier_kind("ups-eu")


def test_closing_the_gateway_closes_the_checkout_shopper_it_keeps() -> None:
    gw = cg.Gateway.sandbox(["table"])
    closed: list[str] = []

    class Helper:
        def close(self) -> None:
            closed.append("helper")

    assert gw.attachment("helper", Helper) is gw.attachment("helper", Helper)
    shopper = quoting.checkout_shopper(gw)
    assert gw.attachment(quoting.SHOPPER, lambda: RateShopper(gw)) is shopper
    gw.close()
    assert closed == ["helper"]


def test_each_layer_waits_less_past_the_deadline_than_the_layer_above() -> None:
    from carriergate.core import deadline

    assert deadline.HOOK_GRACE < deadline.SAFETY_MARGIN  # a hook within its bound never trips the run's net
    assert not hasattr(deadline, "ROUND_GRACE")  # a round waits no grace of its own


@pytest.mark.parametrize("seconds", [0.2, 0.3, 0.5, 1.0, 5.0])
def test_checkout_live_round_ends_before_its_guard_even_for_short_deadlines(seconds: float) -> None:
    """A round waits no longer than its deadline, so a live deadline before the guard's is enough; and
    both are shares of the checkout's one Deadline, on the gateway's clock."""
    clock = ManualClock()
    with cg.Gateway.sandbox(["table"], clock=clock) as gw:
        budget = quoting._budget(gw, cg.checkout.FeePolicy(), seconds, None, None)
    live, guard, limit = budget.live.remaining(), budget.guard.remaining(), budget.limit.remaining()
    assert live is not None
    assert guard is not None
    assert limit is not None
    assert limit == pytest.approx(seconds)
    assert live < guard < limit
    assert limit - guard == pytest.approx(guard - live)  # what the round may take to settle is kept for backup too
    clock.now += seconds
    assert budget.live.expired
    assert budget.guard.expired
    assert budget.limit.expired
