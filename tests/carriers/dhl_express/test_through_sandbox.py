"""End to end through the DHL Express emulator, with Gateway and AsyncGateway: rate, ship with
customs, insurance and a courier pickup, track to delivery, void; WS-Security refusals and code 1003."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.carriers.dhl_express import pickup_from_label
from carriergate.protocols.auth.wsse import WSSecurityAuth
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.dhl_express import DHLExpressEmulator
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.dhl_samples import domestic_ship, first_call, international_rate, international_ship, make_carrier

SHANGHAI_TZ = timezone(timedelta(hours=8))


def config(**changes: str) -> dict[str, dict[str, str]]:
    return {"dhl_express": {**DHLExpressEmulator.account, "base_url": f"{SANDBOX_HOST}/dhl_express", **changes}}


@pytest.fixture
def emulator() -> DHLExpressEmulator:
    return DHLExpressEmulator()


def test_full_journey_sync(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        result = gw.rate(international_rate())
        assert result.complete
        assert [q.service_code for q in result.quotes] == ["P", "K"]  # the unpriced product is no quote
        cheapest = result.cheapest()
        assert cheapest is not None
        assert cheapest.total == cg.Money("608.12", "CNY")  # a Shanghai account is billed in CNY
        assert [c.kind for c in cheapest.charges] == ["base", "insurance", "fuel"]

        label = gw.ship(international_ship())
        assert len(label.tracking_number) == 10
        assert label.tracking_number.isdigit()
        assert label.label.startswith(b"%PDF-1.4")
        assert label.carrier_data["dispatch_confirmation_number"].startswith("CBJ300603")
        assert label.reference == "ORDER-1001"
        sent = emulator.requests[-1].content
        assert b"<ExportLineItem>" in sent
        assert b"<ServiceType>II</ServiceType>" in sent
        assert b"REQUEST_COURIER" in sent
        assert b"wsse:Security" in sent
        assert b"#PasswordText" in sent

        statuses = [gw.track(label.tracking_number, carrier="dhl_express").status for _ in range(6)]
        assert statuses == [cg.TrackingStatus.IN_TRANSIT] * 4 + [cg.TrackingStatus.OUT_FOR_DELIVERY,
                                                                 cg.TrackingStatus.DELIVERED]
        info = gw.track(label.tracking_number, carrier="dhl_express")
        assert info.delivered_at is not None
        assert info.delivered_at.tzinfo is not None
        assert [e.code for e in info.events][:2] == ["OK", "WC"]

        gw.void(label)
        assert emulator.shipments[label.tracking_number].pickup_cancelled
        with pytest.raises(cg.CarrierError) as caught:  # the pickup is gone: DHL says so
            gw.cancel_pickup(pickup_from_label(label))  # type: ignore[arg-type]
        assert caught.value.code == "1012"


def test_full_journey_async(emulator: DHLExpressEmulator) -> None:
    async def journey() -> None:
        async with cg.AsyncGateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
            result = await gw.rate(international_rate())
            assert [q.service_code for q in result.quotes] == ["P", "K"]
            label = await gw.ship(international_ship())
            assert "dispatch_confirmation_number" in label.carrier_data
            info = await gw.track(label.tracking_number, carrier="dhl_express")
            assert info.status is cg.TrackingStatus.IN_TRANSIT
            assert info.events[0].code == "PU"
            await gw.void(label)
            with pytest.raises(cg.NotFound):
                await gw.track("1234567890", carrier="dhl_express")

    asyncio.run(journey())
    assert emulator.operations == ["RateRequest", "ShipmentRequest", "trackShipmentRequest", "DeleteRequest",
                                   "trackShipmentRequest"]


def test_domestic_label_without_pickup_cannot_be_voided_and_nothing_is_sent(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        label = gw.ship(domestic_ship())
        assert label.label_format == "ZPL"
        assert "dispatch_confirmation_number" not in label.carrier_data
        before = len(emulator.requests)
        with pytest.raises(cg.NotSupported):
            gw.void(label)
        assert len(emulator.requests) == before


def test_wrong_password_is_a_soap_fault_and_authentication_error(emulator: DHLExpressEmulator) -> None:
    with cg.Gateway(config(password="wrong"), transport=SandboxTransport({"dhl_express": emulator})) as gw:
        result = gw.rate(international_rate())
        error = result.errors["dhl_express"]
        assert isinstance(error, cg.AuthenticationError)
        assert error.code == "wsse:FailedAuthentication"
        with pytest.raises(cg.AuthenticationError):
            gw.ship(international_ship())
    assert emulator.shipments == {}
    assert emulator.operations == []


def test_sunday_pickup_is_refused_with_code_1003(emulator: DHLExpressEmulator) -> None:
    sunday = datetime(2030, 6, 2, 10, 0, tzinfo=SHANGHAI_TZ)
    request = international_ship().model_copy(
        update={"pickup": cg.PickupWindow(start=sunday, end=sunday + timedelta(hours=6))})
    with cg.Gateway(config(), transport=SandboxTransport({"dhl_express": emulator})) as gw, \
            pytest.raises(cg.CarrierError) as caught:
        gw.ship(request)
    assert type(caught.value) is cg.CarrierError  # a clear refusal, not "outcome unknown"
    assert caught.value.code == "1003"
    assert caught.value.message == "pick-up service is not provided on this day"
    assert emulator.shipments == {}


def test_registered_in_the_sandbox_registry() -> None:
    kwargs = sandbox_gateway_kwargs(["dhl_express"])
    with cg.Gateway(**kwargs) as gw:
        assert [q.service_code for q in gw.rate(international_rate()).quotes] == ["P", "K"]


def _post(emulator: DHLExpressEmulator, content: bytes, auth: httpx.Auth | None = None) -> httpx.Response:
    with httpx.Client(transport=SandboxTransport({"dhl_express": emulator}), auth=auth) as client:
        return client.post(f"{SANDBOX_HOST}/dhl_express/expressRateBook", content=content,
                           headers={"content-type": "text/xml; charset=utf-8"})


def test_emulator_accepts_a_password_digest(emulator: DHLExpressEmulator) -> None:
    envelope = first_call(make_carrier().rate(international_rate())).request.content
    account = DHLExpressEmulator.account
    digest = WSSecurityAuth(account["username"], SecretStr(account["password"]), digest=True)
    assert _post(emulator, envelope, digest).status_code == 200
    wrong = WSSecurityAuth(account["username"], SecretStr("nope"), digest=True)
    assert b"FailedAuthentication" in _post(emulator, envelope, wrong).content


def test_emulator_reads_requests_with_the_safe_parser(emulator: DHLExpressEmulator) -> None:
    attack = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
              b'<x>&b;</x>')
    response = _post(emulator, attack)
    assert response.status_code == 500
    assert b"<faultcode>SOAP-ENV:Client</faultcode>" in response.content
    assert b"aaaaaaaaaa" not in response.content
