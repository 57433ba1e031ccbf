"""End to end through the UPS emulator, in-process: rate, ship international with customs,
insurance and a paperless invoice, track to delivery, void, pickup and cancel; sync and async."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.ups import UPSEmulator

from support.shipments import future_window, international_request, los_angeles
from support.ups_samples import INVOICE, domestic_us

CONFIG = {"ups": {**UPSEmulator.account, "base_url": SANDBOX_HOST + "/ups"}}
NOW = datetime(2099, 5, 4, 15, 0, tzinfo=UTC)


def international_shipment() -> cg.ShipRequest:
    return cg.ShipRequest(**international_request().model_dump(), carrier="ups", service="65",
                          reference="ORDER-9001", label_format="ZPL", signature="signature", documents=[INVOICE])


def pickup() -> cg.PickupRequest:
    return cg.PickupRequest(address=los_angeles(), window=future_window(), parcel_count=1,
                            total_weight=cg.Weight("2.5", "kg"))


def test_sync_end_to_end() -> None:
    emulator = UPSEmulator(clock=lambda: NOW)
    with cg.Gateway(CONFIG, transport=SandboxTransport({"ups": emulator})) as gw:
        result = gw.rate(international_request(), carriers=["ups"])
        assert result.complete
        assert [q.service_code for q in result.quotes] == ["08", "65", "07"]
        saver = next(q for q in result.quotes if q.service_code == "65")
        # 2.5 kg actual vs 30x20x10/5000 = 1.2 kg: 2.5 kg billed; 55.00 + 11.00 x 2.5 = 82.50 USD tariff,
        # billed in CNY (Shanghai account) at the sandbox's 7.10 = 585.75, fuel 15 %; declared value 200 USD:
        # one started 100 above the free 100 = 1.05 USD = 7.46 CNY; negotiated 90 % of 681.07.
        assert saver.total == cg.Money("612.96", "CNY")
        assert saver.transit_days == 3
        assert [(c.kind, str(c.amount)) for c in saver.charges] == [
            ("base", "585.75 CNY"), ("fuel", "87.86 CNY"), ("insurance", "7.46 CNY"), ("discount", "-68.11 CNY")]

        label = gw.ship(international_shipment())
        assert label.tracking_number.startswith("1ZSBX12365")
        assert len(label.tracking_number) == 18
        assert label.label.startswith(b"^XA")
        assert label.total == saver.total
        sent = json.loads(emulator.requests[-1].content)["ShipmentRequest"]["Shipment"]
        assert sent["ShipmentServiceOptions"]["InternationalForms"]["UserCreatedForm"]["DocumentID"]
        assert sent["Package"][0]["PackageServiceOptions"]["DeclaredValue"] == {"CurrencyCode": "USD",
                                                                               "MonetaryValue": "200.00"}

        statuses = [gw.track(label.tracking_number, carrier="ups").status for _ in range(5)]
        S = cg.TrackingStatus
        assert statuses == [S.PRE_TRANSIT, S.IN_TRANSIT, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED]
        delivered = gw.track(label.tracking_number, carrier="ups")
        assert delivered.delivered_at == NOW  # the emulator never dates an event after its own clock
        assert len(delivered.events) == 5

        gw.void(label)
        with pytest.raises(cg.CarrierError) as again:
            gw.void(label)
        assert again.value.code == "190117"

        booked = gw.schedule_pickup(pickup(), carrier="ups")
        assert booked.confirmation_number.startswith("2929")
        assert booked.total == cg.Money("6.50", "USD")
        gw.cancel_pickup(booked)
        with pytest.raises(cg.CarrierError):
            gw.cancel_pickup(booked)

        with pytest.raises(cg.NotFound):
            gw.track("1Z9999999999999999", carrier="ups")


def test_async_end_to_end() -> None:
    emulator = UPSEmulator(clock=lambda: NOW)

    async def main() -> None:
        async with cg.AsyncGateway(CONFIG, transport=SandboxTransport({"ups": emulator})) as gw:
            result = await gw.rate(domestic_us(), carriers=["ups"])
            assert [q.service_code for q in result.quotes] == ["03", "12", "02", "01"]  # sorted by price
            label = await gw.ship(international_shipment())
            info = await gw.track(label.tracking_number, carrier="ups")
            assert info.status is cg.TrackingStatus.PRE_TRANSIT
            await gw.void(label)
            booked = await gw.schedule_pickup(pickup(), carrier="ups")
            await gw.cancel_pickup(booked)

    asyncio.run(main())
    tokens = [r for r in emulator.requests if r.url.path.endswith("/oauth/token")]
    assert len(tokens) == 1  # one token for the whole session


def test_wrong_credentials_are_refused_by_the_emulator() -> None:
    config = {"ups": {**CONFIG["ups"], "client_secret": "wrong"}}
    with cg.Gateway(config, transport=SandboxTransport({"ups": UPSEmulator()})) as gw, \
            pytest.raises(cg.AuthenticationError):
        gw.carrier("ups").rate(domestic_us())


def test_emulator_rejects_unknown_bearer_tokens() -> None:
    emulator = UPSEmulator()
    request = httpx.Request("GET", SANDBOX_HOST + "/ups/api/track/v1/details/1Z1",
                            headers={"authorization": "Bearer nope"})
    response = SandboxTransport({"ups": emulator}).handle_request(request)
    assert response.status_code == 401
    assert b"250002" in response.content
