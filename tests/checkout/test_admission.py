"""Checkout's load shedding (adapters/checkout/admission.py): the AIMD controller and the app using it."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import AdmissionSettings, create_app
from carriergate.checkout.admission import BUSY, Admission
from carriergate.checkout.fees import FeePolicy

from support.shipments import domestic_request
from support.shop_fakes import CALLS, ahandler, fake, fake_carrier

__all__ = ["fake_carrier"]


def test_a_lagging_loop_cuts_the_limit_once_per_period_down_to_the_minimum() -> None:
    admission = Admission(AdmissionSettings(initial=10, minimum=2, max_lag=0.05, decrease=0.5, cut_every=0.25))
    admission.observe(0.06, now=100.0)
    assert admission.limit == 5
    admission.observe(0.2, now=100.1)  # too soon after the last cut: it has not had time to show
    assert admission.limit == 5
    admission.observe(0.2, now=100.35)
    admission.observe(0.2, now=100.6)
    assert admission.limit == 2


def test_the_limit_grows_only_while_it_holds_checkouts_back() -> None:
    admission = Admission(AdmissionSettings(initial=2, minimum=1, maximum=3, increase=1))
    admission.observe(0.0, now=1.0)
    assert admission.limit == 2  # idle: nothing held back, no growth
    assert admission.try_enter()
    assert admission.try_enter()
    assert not admission.try_enter()  # the third is shed
    assert admission.shed == 1
    admission.observe(0.0, now=1.0)
    assert admission.limit == 3
    admission.observe(0.0, now=1.0)  # two in flight under a limit of 3, none shed since: no growth
    assert admission.limit == 3
    assert admission.try_enter()
    admission.observe(0.0, now=1.0)  # at the limit, but the maximum caps it
    assert admission.limit == 3
    for _ in range(3):
        admission.leave()
    assert admission.in_flight == 0


def test_the_lag_tolerated_is_a_tenth_of_the_deadline_unless_given() -> None:
    assert Admission(deadline=2.0).max_lag == pytest.approx(0.2)
    assert Admission(AdmissionSettings(max_lag=0.03), deadline=2.0).max_lag == 0.03
    admission = Admission(AdmissionSettings(initial=10, decrease=0.5), deadline=0.5)
    admission.observe(0.04, now=1.0)  # under 0.05: no cut
    assert admission.limit == 10
    admission.observe(0.06, now=2.0)
    assert admission.limit == 5


def test_by_default_the_limit_grows_by_four_live_rounds_a_second() -> None:
    admission = Admission(AdmissionSettings(initial=2, minimum=2))
    admission.in_flight = 100  # the limit binds all along
    for tick in range(40):  # one second of 25 ms wake-ups, on time
        admission.observe(0.0, now=tick * 0.025)
    assert admission.limit == pytest.approx(6.0)


def test_disabled_admission_never_sheds() -> None:
    admission = Admission(AdmissionSettings(initial=1, minimum=1, enabled=False))
    assert all(admission.try_enter() for _ in range(50))
    assert admission.shed == 0


@pytest.mark.parametrize("options", [{"minimum": 0}, {"initial": 5, "maximum": 4}, {"max_lag": 0},
                                     {"decrease": 1.0}, {"interval": -1}, {"cut_every": 0}, {"increase": 0}])
def test_settings_are_checked(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"minimum|must be positive"):
        AdmissionSettings(**options)


def test_the_monitor_measures_how_late_the_loop_wakes_it() -> None:
    """Scripted lags through an injected clock and sleep: 0.3 s late twice, then on time."""
    now = [0.0]
    lags = [0.3, 0.3, 0.0]

    class Done(Exception):
        pass

    async def sleep(seconds: float) -> None:
        if not lags:
            raise Done
        now[0] += seconds + lags.pop(0)

    admission = Admission(AdmissionSettings(initial=16, minimum=2, max_lag=0.05, decrease=0.5, cut_every=0.25,
                                            increase=1))
    admission.in_flight = 16  # busy: growth allowed when the loop keeps up
    with pytest.raises(Done):
        asyncio.run(admission.monitor(clock=lambda: now[0], sleep=sleep))
    assert admission.limit == 5  # 16 -> 8 -> 4, then on time and at the limit: +1


@pytest.mark.usefixtures("fake_carrier")
def test_past_capacity_the_app_answers_from_backup_rates_without_asking_carriers() -> None:
    """One live round may run ("slow" hangs until the deadline); a checkout arriving meanwhile is
    answered at once from the table rates, its carrier errors saying why, and no carrier is asked."""
    config = {"fast": fake(), "slow": fake("hang"), "table": {}}
    body = domestic_request().model_dump(mode="json", exclude_none=True)

    async def main() -> tuple[dict[str, Any], dict[str, Any], int, int]:
        answered = asyncio.Event()  # "fast" answered: the live round is on, "slow" hangs
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(ahandler),
                                   event_hooks={"response": [lambda exchange: answered.set()]}) as gw:
            app = create_app(gw, FeePolicy(), deadline=0.5, admission=AdmissionSettings(initial=1, minimum=1))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                first = asyncio.create_task(client.post("/v1/quotes", json=body))
                await answered.wait()
                assert app.admission.in_flight == 1
                asked = len(CALLS)
                second = await client.post("/v1/quotes", json=body)
                asked_meanwhile = len(CALLS) - asked
                return (await first).json(), second.json(), asked_meanwhile, app.admission.shed

    first, second, asked_meanwhile, shed = asyncio.run(asyncio.wait_for(main(), timeout=5))
    assert first["errors"]["slow"]["code"] == "deadline"  # the live round ran
    assert "fast" in {q["carrier"] for q in first["quotes"]}
    assert {name: e["code"] for name, e in second["errors"].items()} == {"fast": BUSY, "slow": BUSY}
    assert [q["source"] for q in second["quotes"]] == ["table"] * len(second["quotes"])
    assert second["quotes"]
    assert asked_meanwhile == 0
    assert shed == 1
