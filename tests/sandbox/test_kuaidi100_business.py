"""The Kuaidi100 emulator's business APIs through Gateway and AsyncGateway: rates with delivery
estimates, label -> track -> void, pickup -> cancel -> cancel again, and the refusals Kuaidi100
documents (signatures, missing fields), statefully; the emulator checks every business signature."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.kuaidi100 import Kuaidi100Emulator
from carriergate.sandbox.kuaidi100_business import md5_upper

from support.fake_carrier import registered
from support.kuaidi100_samples import ship_request
from support.sandbox_samples import china_window
from support.shipments import domestic_request, international_request, shanghai


@pytest.fixture(autouse=True)
def kuaidi100() -> Iterator[None]:
    with registered(Kuaidi100):
        yield


def config(**extra: Any) -> dict[str, dict[str, Any]]:
    return {"kuaidi100": {**Kuaidi100Emulator.account, "base_url": f"{SANDBOX_HOST}/kuaidi100", **extra}}


def gateway(emulator: Kuaidi100Emulator, **extra: Any) -> cg.Gateway:
    return cg.Gateway(config(**extra), transport=SandboxTransport({"kuaidi100": emulator}), sleep=lambda _: None)


def test_rates_with_delivery_estimates() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator) as gw:
        result = gw.rate(domestic_request("2.5"), carriers=["kuaidi100"])
        abroad = gw.rate(international_request(), carriers=["kuaidi100"])
    by_code = {q.service_code: q for q in result.quotes}
    assert set(by_code) == {"yuantong:标准快递", "zhongtong:标准快递", "shunfeng:标准快递"}
    assert by_code["yuantong:标准快递"].total == cg.Money("18.0", "CNY")  # 10 first kg, 4 for each of two more
    assert (by_code["shunfeng:标准快递"].transit_days, by_code["zhongtong:标准快递"].transit_days) == (1, 2)
    assert all(q.estimated_delivery is not None for q in result.quotes)
    assert emulator.calls.count("/order/borderapi.do") == emulator.calls.count("/label/order") == 3
    assert isinstance(abroad.errors["kuaidi100"], cg.NotServed)


def test_label_then_track_then_void() -> None:
    emulator = Kuaidi100Emulator()
    request = ship_request(service="yuantong", description="棉T恤")
    with gateway(emulator) as gw:
        label = gw.ship(request)
        seen = [gw.track(label.tracking_number, carrier="kuaidi100") for _ in range(5)]
        gw.void(label)
        with pytest.raises(cg.CarrierError) as again:
            gw.void(label)
    assert label.label.startswith(b"\x89PNG")
    assert (label.label_format, label.reference, label.carrier_data["company"]) == ("PNG", "ORDER-1001", "yuantong")
    assert emulator.calls[:2] == ["/label/order", f"/label/image/{label.carrier_data['task_id']}.png"]
    assert seen[-1].status is cg.TrackingStatus.DELIVERED
    assert (emulator.labels_created(), emulator.is_voided(label.tracking_number)) == (1, True)
    with pytest.raises(KeyError):
        emulator.is_voided("YT7700000000009")
    assert again.value.code == "201"


def test_an_sf_label_is_cancelled_with_the_couriers_order_number() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator, phone="3456") as gw:  # the recipient's landline ends 3456: SF queries need it
        label = gw.ship(ship_request(service="shunfeng"))
        info = gw.track(label.tracking_number, carrier="kuaidi100")
        gw.void(label)
    assert label.tracking_number.startswith("SF")
    assert label.carrier_data["courier_order"] == emulator.desk.waybills[label.tracking_number].courier_order
    assert info.status is cg.TrackingStatus.IN_TRANSIT


def test_pickup_then_cancel_then_cancel_again() -> None:
    emulator = Kuaidi100Emulator()
    request = cg.PickupRequest(address=shanghai(), window=china_window(1), parcel_count=2,
                               total_weight=cg.Weight("3", "kg"))
    with gateway(emulator) as gw:
        booked = gw.schedule_pickup(request, carrier="kuaidi100")
        gw.cancel_pickup(booked)
        with pytest.raises(cg.CarrierError) as again:
            gw.cancel_pickup(booked)
    booking = emulator.desk.bookings[booked.confirmation_number]
    assert (booking.cancelled, booking.param["dayType"], booking.param["pickupStartTime"]) == (True, "明天", "10:00")
    assert booked.carrier_data["task_id"] == booking.task_id
    assert (again.value.code, again.value.retryable) == ("500", False)
    assert emulator.calls.count("/order/borderapi.do") == 3  # booked, cancelled, refused once: not retried


def test_bad_secrets_are_refused_and_writes_are_not_repeated() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator, secret="wrong-secret") as gw:
        with pytest.raises(cg.AuthenticationError) as ship_refused:
            gw.ship(ship_request())
        with pytest.raises(cg.AuthenticationError) as pickup_refused:
            gw.schedule_pickup(cg.PickupRequest(address=shanghai(), window=china_window(1),
                                                parcel_count=1, total_weight=cg.Weight("1", "kg")),
                               carrier="kuaidi100")
    assert (ship_refused.value.code, pickup_refused.value.code) == ("30002", "503")
    assert emulator.desk.waybills == {}
    assert emulator.desk.bookings == {}


def test_async_label_and_pickup() -> None:
    emulator = Kuaidi100Emulator()

    async def main() -> tuple[cg.Label, cg.Pickup]:
        async with cg.AsyncGateway(config(), transport=SandboxTransport({"kuaidi100": emulator})) as agw:
            label = await agw.ship(ship_request())
            booked = await agw.schedule_pickup(cg.PickupRequest(address=shanghai(), window=china_window(2),
                                                                parcel_count=1, total_weight=cg.Weight("1", "kg")),
                                               carrier="kuaidi100")
            await agw.void(label)
            await agw.cancel_pickup(booked)
            return label, booked

    label, booked = asyncio.run(main())
    assert emulator.desk.waybills[label.tracking_number].cancelled
    assert emulator.desk.bookings[booked.confirmation_number].param["dayType"] == "后天"


def _signed(method: str, param: dict[str, Any], *, key: str = "sandbox-key") -> bytes:
    text = json.dumps(param, ensure_ascii=False)
    t = "1772415000000"
    return urlencode({"method": method, "param": text, "key": key, "t": t,
                      "sign": md5_upper(text + t + key + "sandbox-secret")}).encode()


def _call(emulator: Kuaidi100Emulator, path: str, body: bytes) -> Any:
    request = httpx.Request("POST", f"{SANDBOX_HOST}/kuaidi100{path}", content=body)
    return json.loads(emulator.handle(request, path).content)


def test_the_emulator_refuses_as_kuaidi100_documents() -> None:
    emulator = Kuaidi100Emulator()
    assert _call(emulator, "/label/order", _signed("order", {"kuaidicom": "yuantong"}))["code"] == 30001
    assert _call(emulator, "/label/order", _signed("order", {}, key="nope"))["code"] == 30003
    assert _call(emulator, "/label/order", _signed("cancel", {"kuaidicom": "yuantong",
                                                              "kuaidinum": "YT7700000000009"}))["code"] == 30009
    assert _call(emulator, "/label/order", _signed("time", {"kuaidicom": "jd", "from": "a", "to": "b",
                                                            "orderTime": "soon"}))["code"] == 30001
    book = _call(emulator, "/order/borderapi.do", _signed("bOrder", {"kuaidicom": "jd", "recManName": "x"}))
    assert (book["returnCode"], book["result"]) == ("400", False)
    assert _call(emulator, "/order/borderapi.do", _signed("price", {}, key="nope"))["returnCode"] == "600"
    image = emulator.handle(httpx.Request("GET", f"{SANDBOX_HOST}/kuaidi100/label/image/none.png"),
                            "/label/image/none.png")
    assert image.status_code == 404
