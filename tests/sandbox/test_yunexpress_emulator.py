"""The YunExpress emulator: its own token and signature checks (driven by requests signed by hand in
the test), and the stateful flows through Gateway and AsyncGateway: ship, track to delivery, void
(refused once the warehouse has the parcel), prices, look-up by reference, label URLs, subscriptions."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox import registry
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.yunexpress import YunExpressEmulator

from support.shipments import domestic_request
from support.timing import ManualClock
from support.yunexpress_samples import by_hand, ship_request

ROOT = f"{SANDBOX_HOST}/yunexpress"
ACCOUNT = YunExpressEmulator.account
NOW = 1764748800.0


def config(**extra: Any) -> dict[str, dict[str, Any]]:
    return {"yunexpress": {**ACCOUNT, "base_url": ROOT, **extra}}


def gateway(emulator: YunExpressEmulator) -> cg.Gateway:
    return cg.Gateway(config(), transport=SandboxTransport({"yunexpress": emulator}))


def token(emulator: YunExpressEmulator, **changes: str) -> httpx.Response:
    body = {"grantType": "client_credentials", "appId": ACCOUNT["app_id"], "appSecret": ACCOUNT["app_secret"],
            "sourceKey": ACCOUNT["source_key"], **changes}
    request = httpx.Request("POST", ROOT + "/openapi/oauth2/token", json=body)
    return emulator.receive(request, "/openapi/oauth2/token")


def signed(emulator: YunExpressEmulator, method: str, path: str, body: bytes = b"", *, date_ms: int | None = None,
           secret: str | None = None, query: str = "") -> httpx.Response:
    access = token(emulator).json()["accessToken"]
    date = str(date_ms if date_ms is not None else int(NOW * 1000))
    full = "/yunexpress" + path
    sign = by_hand(secret or ACCOUNT["app_secret"], method, full, date, body.decode())
    request = httpx.Request(method, ROOT + path + query, content=body,
                            headers={"token": access, "date": date, "sign": sign, "content-type": "application/json"})
    return emulator.receive(request, path)


def test_the_registry_finds_the_emulator() -> None:
    assert registry.emulator_class("yunexpress") is YunExpressEmulator
    assert registry.sandbox_accounts(["yunexpress"])["yunexpress"]["base_url"] == ROOT


def test_the_token_needs_the_app_credentials() -> None:
    emulator = YunExpressEmulator(wall=ManualClock(NOW))
    good = token(emulator)
    assert good.status_code == 200
    assert good.json()["expiresIn"] == 7200
    assert token(emulator, sourcekey=ACCOUNT["source_key"]).status_code == 200  # either spelling
    refused = token(emulator, appSecret="wrong")
    assert (refused.status_code, refused.json()["success"]) == (401, False)


@pytest.mark.parametrize(("changes", "reason"), [
    ({"secret": "another-secret"}, "sign"),
    ({"date_ms": int((NOW - 3600) * 1000)}, "date"),
])
def test_requests_signed_wrong_are_refused(changes: dict[str, Any], reason: str) -> None:
    emulator = YunExpressEmulator(wall=ManualClock(NOW))
    answer = signed(emulator, "GET", "/v1/price-trial/get", query="?country_code=US&weight=1", **changes)
    assert answer.status_code == 401
    assert reason in answer.json()["msg"]


def test_a_request_signed_by_the_recipe_is_answered() -> None:
    emulator = YunExpressEmulator(wall=ManualClock(NOW))
    answer = signed(emulator, "GET", "/v1/price-trial/get", query="?country_code=US&weight=1.2")
    assert answer.status_code == 200
    assert {line["product_code"] for line in answer.json()["result"]} == {"THZXR", "BKZXR"}
    cancel = signed(emulator, "POST", "/v1/order/cancel", json.dumps({"waybill_number": "YT1"}).encode())
    assert (cancel.status_code, cancel.json()["code"]) == (200, "ORDER_NOT_FOUND")


def test_an_unsigned_request_is_refused() -> None:
    emulator = YunExpressEmulator()
    answer = emulator.receive(httpx.Request("GET", ROOT + "/v1/order/info/get?order_number=X"), "/v1/order/info/get")
    assert answer.status_code == 401


def test_ship_track_to_delivery() -> None:
    emulator = YunExpressEmulator()
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(reference="E2E-TRACK-1"))
        assert label.label.startswith(b"%PDF")
        assert label.tracking_number in emulator.orders
        statuses = []
        for _ in range(7):
            info = gw.track(label.tracking_number, carrier="yunexpress")
            statuses.append(info.status)
    assert statuses[0] is cg.TrackingStatus.PRE_TRANSIT
    assert statuses[-1] is cg.TrackingStatus.DELIVERED
    assert cg.TrackingStatus.OUT_FOR_DELIVERY in statuses
    assert [e.code for e in info.events][:2] == ["DELIVERED", "LAST_MILE_DELIVERY"]
    assert info.delivered_at is not None


def test_void_cancels_until_the_warehouse_has_the_parcel() -> None:
    emulator = YunExpressEmulator()
    with gateway(emulator) as gw:
        early = gw.ship(ship_request(reference="E2E-VOID-1"))
        gw.void(early)
        assert emulator.orders[early.tracking_number].cancelled
        with pytest.raises(cg.CarrierError) as twice:
            gw.void(early)
        assert twice.value.code == "ORDER_CANCELLED"
        assert gw.track(early.tracking_number, carrier="yunexpress").status is cg.TrackingStatus.CANCELLED
        late = gw.ship(ship_request(reference="E2E-VOID-2"))
        for _ in range(2):
            gw.track(late.tracking_number, carrier="yunexpress")
        with pytest.raises(cg.CarrierError) as received:
            gw.void(late)
    assert received.value.code == "ORDER_RECEIVED"
    assert not emulator.orders[late.tracking_number].cancelled


def test_a_reference_is_used_once_and_finds_its_order() -> None:
    emulator = YunExpressEmulator()
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(reference="E2E-REF-1"))
        with pytest.raises(cg.CarrierError) as again:
            gw.ship(ship_request(reference="E2E-REF-1"))
        found = gw.find_label("E2E-REF-1", carrier="yunexpress")
        missing = gw.find_label("E2E-REF-NONE", carrier="yunexpress")
    assert again.value.code == "ORDER_EXISTS"
    assert found is not None
    assert found.tracking_number == label.tracking_number
    assert missing is None
    assert len(emulator.orders) == 1


def test_labels_given_as_urls_are_downloaded() -> None:
    emulator = YunExpressEmulator()
    emulator.label_urls = True
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(reference="E2E-URL-1"))
    assert label.label.startswith(b"%PDF")
    download = emulator.requests[-1]
    assert download.url.path == f"/yunexpress/labels/{label.tracking_number}.pdf"
    assert "token" not in download.headers


def test_prices_follow_weight_and_china_is_not_served() -> None:
    emulator = YunExpressEmulator()
    with gateway(emulator) as gw:
        light = gw.rate(ship_request(), carriers=["yunexpress"])
        heavy_request = ship_request(parcels=[cg.Parcel(weight=cg.Weight("5", "kg"))])
        heavy = gw.rate(heavy_request, carriers=["yunexpress"])
        domestic = gw.rate(domestic_request(), carriers=["yunexpress"])
    cheap = {q.service_code: q.total for q in light.quotes}
    dear = {q.service_code: q.total for q in heavy.quotes}
    assert set(cheap) == {"THZXR", "BKZXR"}
    assert all(q.total.currency == "CNY" for q in light.quotes)
    assert all(dear[code] > cheap[code] for code in cheap)
    assert isinstance(domestic.errors["yunexpress"], cg.NotServed)


def test_subscriptions_are_kept_for_known_waybills() -> None:
    emulator = YunExpressEmulator()
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(reference="E2E-SUB-1"))
        made = gw.subscribe(label.tracking_number, carrier="yunexpress", callback_url=ACCOUNT["push_url"])
        with pytest.raises(cg.CarrierError) as unknown:
            gw.subscribe("YT0000000000000000", carrier="yunexpress", callback_url=ACCOUNT["push_url"])
    assert made.tracking_number == label.tracking_number
    assert emulator.subscriptions == {label.tracking_number: "L"}
    assert unknown.value.code == "ORDER_NOT_FOUND"


def test_the_async_gateway_ships_and_tracks_the_same_way() -> None:
    emulator = YunExpressEmulator()

    async def run() -> cg.TrackingInfo:
        async with cg.AsyncGateway(config(), transport=SandboxTransport({"yunexpress": emulator})) as agw:
            label = await agw.ship(ship_request(reference="E2E-ASYNC-1"))
            return await agw.track(label.tracking_number, carrier="yunexpress")

    info = asyncio.run(run())
    assert info.status is cg.TrackingStatus.PRE_TRANSIT
    assert [e.code for e in info.events] == ["ORDER_CREATION"]
