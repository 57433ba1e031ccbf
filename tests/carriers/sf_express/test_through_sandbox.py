"""End to end through the SF emulator with Gateway and AsyncGateway: rate, ship, void, track."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.protocols.auth.sf_digest import decode_form, verify_push
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.sf_express import SFExpressEmulator


def config(**changes: str) -> dict[str, dict[str, Any]]:
    return {"sf_express": {**SFExpressEmulator.account, "base_url": f"{SANDBOX_HOST}/sf_express", **changes}}


def request(reference: str = "CG-E2E-0001") -> cg.ShipRequest:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    return cg.ShipRequest(
        origin=cg.Address(name="王小明", company="明前茶庄", street=["南京西路1266号"], district="静安区",
                          city="上海市", state="上海市", postal_code="200040", country="CN", phone="13912345678"),
        destination=cg.Address(name="赵丽", street=["建国门外大街1号 国贸大厦"], district="朝阳区", city="北京市",
                               state="北京市", postal_code="100004", country="CN", phone="13698765432"),
        parcels=[cg.Parcel(weight=cg.Weight("2.5", "kg"), dimensions=cg.Dimensions(30, 20, 10, "cm"))],
        insurance=cg.Money("1500", "CNY"), carrier="sf_express", service="1", reference=reference,
        description="碧螺春茶叶 (礼盒) ~*!'", pickup=cg.PickupWindow(start=start, end=start + timedelta(hours=3)))


def msg_data(emulator: SFExpressEmulator, service: str) -> dict[str, Any]:
    for sent in emulator.requests:
        form = decode_form(sent.content)
        if form.get("serviceCode") == service:
            doc: dict[str, Any] = json.loads(form["msgData"])
            return doc
    raise AssertionError(f"{service} was not sent")


def test_sync_rate_ship_track_void() -> None:
    emulator = SFExpressEmulator()
    with cg.Gateway(config(), transport=SandboxTransport({"sf_express": emulator})) as gw:
        result = gw.rate(request(), carriers=["sf_express"])
        assert result.complete
        assert [q.service_code for q in result.quotes] == ["2", "1"]
        assert all(q.total.currency == "CNY" and q.total.amount > 0 for q in result.quotes)

        label = gw.ship(request())
        assert label.tracking_number.startswith("SF")
        assert len(label.tracking_number) == 14
        assert label.label.startswith(b"%PDF")
        assert label.carrier_data == {"order_id": "CG-E2E-0001"}
        assert emulator.calls == ["EXP_RECE_QUERY_DELIVERTM", "EXP_RECE_CREATE_ORDER", "COM_RECE_CLOUD_PRINT_WAYBILLS"]

        sent = msg_data(emulator, "EXP_RECE_CREATE_ORDER")
        sender, receiver = sent["contactInfoList"]
        assert (sender["contact"], sender["company"], sender["county"], sender["address"]) == \
            ("王小明", "明前茶庄", "静安区", "南京西路1266号")
        assert (receiver["contact"], receiver["mobile"], receiver["address"]) == \
            ("赵丽", "13698765432", "建国门外大街1号 国贸大厦")
        assert sent["cargoDetails"][0]["name"] == "碧螺春茶叶 (礼盒) ~*!'"
        assert sent["serviceList"] == [{"name": "INSURE", "value": "1500.00"}]
        assert sent["isDocall"] == 1
        assert sent["monthlyCard"] == "7551234567"
        assert all(verify_push(decode_form(r.content), "sandbox-checkword") for r in emulator.requests)

        statuses = [gw.track(label.tracking_number, carrier="sf_express").status for _ in range(6)]
        assert statuses[0] is cg.TrackingStatus.IN_TRANSIT
        assert statuses[4] is cg.TrackingStatus.OUT_FOR_DELIVERY
        assert statuses[-1] is cg.TrackingStatus.DELIVERED
        by_order = gw.track("CG-E2E-0001", carrier="sf_express")
        assert by_order.tracking_number == label.tracking_number
        assert len(by_order.events) == 6

        gw.void(label)
        assert emulator.orders["CG-E2E-0001"].cancelled
        with pytest.raises(cg.NotFound):
            gw.track(label.tracking_number, carrier="sf_express")


def test_shipping_twice_returns_the_same_waybill() -> None:
    emulator = SFExpressEmulator()
    with cg.Gateway(config(), transport=SandboxTransport({"sf_express": emulator})) as gw:
        first = gw.ship(request("CG-TWICE"))
        second = gw.ship(request("CG-TWICE"))
    assert second.tracking_number == first.tracking_number
    assert len(emulator.orders) == 1
    assert emulator.calls.count("EXP_RECE_CREATE_ORDER") == 2  # the second was refused with 8016
    assert emulator.calls[-2:] == ["EXP_RECE_SEARCH_ORDER_RESP", "COM_RECE_CLOUD_PRINT_WAYBILLS"]


def test_unknown_tracking_number_is_not_found() -> None:
    with cg.Gateway(config(), transport=SandboxTransport({"sf_express": SFExpressEmulator()})) as gw, \
            pytest.raises(cg.NotFound):
        gw.track("SF000000000000", carrier="sf_express")


def test_wrong_checkword_is_refused() -> None:
    emulator = SFExpressEmulator()
    with cg.Gateway(config(checkword="not-the-checkword"), transport=SandboxTransport({"sf_express": emulator})) as gw:
        with pytest.raises(cg.AuthenticationError) as info:
            gw.ship(request())
        result = gw.rate(request())
    assert info.value.code == "A1006"
    assert "not-the-checkword" not in str(info.value)
    assert isinstance(result.errors["sf_express"], cg.AuthenticationError)
    assert emulator.orders == {}
    assert emulator.calls == []


def test_wrong_partner_is_refused() -> None:
    with cg.Gateway(config(partner_id="SOMEONE"), transport=SandboxTransport({"sf_express": SFExpressEmulator()})) \
            as gw, pytest.raises(cg.AuthenticationError) as info:
        gw.track("SF136000000001", carrier="sf_express")
    assert info.value.code == "A1004"


def test_emulator_refuses_an_unsigned_form() -> None:
    emulator = SFExpressEmulator()
    body = httpx.Request("POST", "http://x", data={"partnerID": "SBX_PARTNER", "serviceCode": "X",
                                                   "msgData": "{}"}).content
    answer = emulator.handle(httpx.Request("POST", "http://x", content=body), "/")
    assert json.loads(answer.content)["apiResultCode"] == "A1001"


async def _async_flow() -> tuple[list[cg.Quote], cg.Label, cg.TrackingInfo, SFExpressEmulator]:
    emulator = SFExpressEmulator()
    async with cg.AsyncGateway(config(), transport=SandboxTransport({"sf_express": emulator})) as gw:
        quotes = (await gw.rate(request(), carriers=["sf_express"])).quotes
        label = await gw.ship(request("CG-ASYNC-1"))
        info = await gw.track(label.tracking_number, carrier="sf_express")
        await gw.void(label)
    return quotes, label, info, emulator


def test_async_rate_ship_track_void() -> None:
    quotes, label, info, emulator = asyncio.run(_async_flow())
    assert {q.service_code for q in quotes} == {"1", "2"}
    assert label.label.startswith(b"%PDF")
    assert label.reference == "CG-ASYNC-1"
    assert info.status is cg.TrackingStatus.IN_TRANSIT
    assert info.events[0].code == "50"
    assert info.events[0].location == "上海市"
    assert emulator.orders["CG-ASYNC-1"].cancelled
