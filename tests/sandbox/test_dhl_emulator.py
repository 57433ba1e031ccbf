"""The DHL Express emulator's issue-12 operations, through Gateway and AsyncGateway: stand-alone
pickups on the MyDHL API (HTTP Basic, Sunday refusals, cancellation), several waybills in one
trackShipmentRequest, DHL's customs invoice with the label, billing checks, services priced on
request, and the MyDHL requests checked against DHL's own OpenAPI file when conformance is on."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.conformance import Conformance
from carriergate.sandbox.dhl_express import DHLExpressEmulator

from support.dhl_samples import billed_ship, international_rate, international_ship, pickup_request

SHANGHAI = timezone(timedelta(hours=8))


def config(**changes: str | None) -> dict[str, dict[str, str]]:
    settings = {**DHLExpressEmulator.account, "base_url": f"{SANDBOX_HOST}/dhl_express", **changes}
    return {"dhl_express": {k: v for k, v in settings.items() if v is not None}}


def weekday_pickup(days: int = 3) -> cg.PickupRequest:
    day = datetime.now(SHANGHAI).date() + timedelta(days=days)
    while day.weekday() == 6:
        day += timedelta(days=1)
    start = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    return pickup_request().model_copy(update={"window": cg.PickupWindow(start=start, end=start + timedelta(hours=6))})


@pytest.fixture
def emulator() -> DHLExpressEmulator:
    return DHLExpressEmulator()


def test_pickup_booked_and_cancelled_on_mydhl(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        pickup = gw.schedule_pickup(weekday_pickup(), carrier="dhl_express")
        assert pickup.confirmation_number.startswith("PRG")
        assert pickup.carrier_data["api"] == "mydhl"
        booked = emulator.mydhl.pickups[pickup.confirmation_number]
        assert (booked.country, booked.account, booked.packages) == ("CN", "950000002", 2)
        sent = emulator.requests[-1]
        assert sent.url.path == "/dhl_express/mydhlapi/pickups"
        assert sent.headers["authorization"].startswith("Basic ")
        gw.cancel_pickup(pickup)
        assert booked.cancelled
        with pytest.raises(cg.NotFound):  # cancelled already: DHL's 404
            gw.cancel_pickup(pickup)


def test_pickup_async(emulator: DHLExpressEmulator) -> None:
    async def journey() -> None:
        async with cg.AsyncGateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
            pickup = await gw.schedule_pickup(weekday_pickup(), carrier="dhl_express")
            await gw.cancel_pickup(pickup)

    asyncio.run(journey())
    assert all(p.cancelled for p in emulator.mydhl.pickups.values())
    assert len(emulator.mydhl.pickups) == 1


def test_sunday_pickup_is_refused_with_dhl_code(emulator: DHLExpressEmulator) -> None:
    request = weekday_pickup()
    start = request.window.start
    sunday = start + timedelta(days=(6 - start.weekday()) % 7)
    request = request.model_copy(update={"window": cg.PickupWindow(start=sunday, end=sunday + timedelta(hours=6))})
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw, \
            pytest.raises(cg.CarrierError) as caught:
        gw.schedule_pickup(request, carrier="dhl_express")
    assert type(caught.value) is cg.CarrierError  # a clear refusal, not "outcome unknown"
    assert caught.value.code == "410928"
    assert emulator.mydhl.pickups == {}


def test_wrong_mydhl_secret_is_an_authentication_error(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(mydhl_password="wrong"), transport=SandboxTransport({"dhl_express": emulator})) as gw, \
            pytest.raises(cg.AuthenticationError):
        gw.schedule_pickup(weekday_pickup(), carrier="dhl_express")
    assert emulator.mydhl.pickups == {}


def test_no_mydhl_credentials_sends_nothing(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(mydhl_username=None, mydhl_password=None),
                    transport=SandboxTransport({"dhl_express": emulator})) as gw, \
            pytest.raises(cg.ConfigurationError) as caught:
        gw.schedule_pickup(weekday_pickup(), carrier="dhl_express")
    assert "mydhl_username" in caught.value.message
    assert emulator.requests == []


def test_several_waybills_in_one_call(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        labels = [gw.ship(international_ship()) for _ in range(2)]
        numbers = [label.tracking_number for label in labels]
        before = len(emulator.requests)
        result = gw.track_many([*numbers, "1234567890"], carrier="dhl_express")
        assert len(emulator.requests) == before + 1  # one trackShipmentRequest for the three
        assert set(result.tracked) == set(numbers)
        assert all(info.status is cg.TrackingStatus.IN_TRANSIT for info in result.tracked.values())
        assert isinstance(result.errors["1234567890"], cg.NotFound)
        piece = gw.track(labels[0].tracking_numbers[1], carrier="dhl_express")  # by licence plate
        assert piece.tracking_number == numbers[0]


def test_delivery_gives_proof_of_delivery(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        label = gw.ship(international_ship())
        infos = [gw.track(label.tracking_number, carrier="dhl_express") for _ in range(6)]
    assert infos[-1].status is cg.TrackingStatus.DELIVERED
    pod = infos[-1].proof_of_delivery
    assert pod is not None
    assert pod.signed_by == "Jane"
    assert infos[0].proof_of_delivery is None


def test_customs_invoice_billing_and_priced_on_request(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        quotes = gw.rate(international_rate()).quotes
        assert quotes
        assert all(any("SATURDAY PICKUP" in w.message for w in q.warnings) for q in quotes)
        label = gw.ship(billed_ship())
        sent = emulator.requests[-1].content
        assert b"<ShippingPaymentType>T</ShippingPaymentType>" in sent
        assert b"<BillingAccountNumber>970000004</BillingAccountNumber>" in sent
    assert [(d.kind, d.format) for d in label.documents] == [("commercial_invoice", "PDF")]
    assert label.documents[0].content.startswith(b"%PDF-1.4")


def test_mydhl_requests_are_checked_against_dhl_openapi(specs: Path, emulator: DHLExpressEmulator) -> None:
    if not (specs / "mydhl").is_dir():
        pytest.skip("../shared/specs/mydhl is absent")
    emulator.conformance = Conformance(specs, ["dhl_express"])
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        pickup = gw.schedule_pickup(weekday_pickup(), carrier="dhl_express")
        pickup = gw.modify_pickup(pickup, weekday_pickup(days=4))
        gw.cancel_pickup(pickup)
        gw.ship(billed_ship())
    assert emulator.violations == []
    account = DHLExpressEmulator.account
    with httpx.Client(transport=SandboxTransport({"dhl_express": emulator}),
                      auth=(account["mydhl_username"], account["mydhl_password"])) as client:
        refused = client.post(f"{SANDBOX_HOST}/dhl_express/mydhlapi/pickups", json={"closeTime": "5pm"},
                              headers={"x-version": "2.12.0"})
    assert refused.status_code == 400
    assert len(emulator.violations) == 1
    assert emulator.mydhl.pickups.keys() == {pickup.confirmation_number}


def test_pickup_modified_on_mydhl(emulator: DHLExpressEmulator) -> None:
    """Through the gateway's public modify_pickup, with the executor's timeouts, auth and write safety."""
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        pickup = gw.schedule_pickup(weekday_pickup(), carrier="dhl_express")
        later = weekday_pickup(days=4)
        moved = gw.modify_pickup(pickup, later)
        assert moved.confirmation_number == pickup.confirmation_number
        assert emulator.mydhl.pickups[pickup.confirmation_number].ready_at == later.window.start
