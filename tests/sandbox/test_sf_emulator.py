"""The SF emulator's issue-12 operations, through Gateway and AsyncGateway: find_label (order query by
our reference, then cloud print), several waybills in one route query, and what it refuses as SF
does (8018 for an order never made, 9083 beyond ten numbers)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

import carriergate as cg
from carriergate.protocols.auth.sf_digest import decode_form, encode_form, msg_digest
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.sf_express import SFExpressEmulator

from support.sf_samples import ship_request


def config() -> dict[str, dict[str, Any]]:
    return {"sf_express": {**SFExpressEmulator.account, "base_url": f"{SANDBOX_HOST}/sf_express"}}


def gateway(emulator: SFExpressEmulator) -> cg.Gateway:
    return cg.Gateway(config(), transport=SandboxTransport({"sf_express": emulator}))


def call(emulator: SFExpressEmulator, service: str, msg: Any) -> dict[str, Any]:
    """One signed form POST straight to the emulator; its decoded apiResultData."""
    data = json.dumps(msg, ensure_ascii=False)
    form = {"partnerID": "SBX_PARTNER", "requestID": "r-1", "serviceCode": service, "timestamp": "1772415672000",
            "msgData": data, "msgDigest": msg_digest(data, "1772415672000", "sandbox-checkword")}
    answer = emulator.handle(httpx.Request("POST", "http://x", content=encode_form(form)), "/")
    result: dict[str, Any] = json.loads(json.loads(answer.content)["apiResultData"])
    return result


def test_find_label_finds_what_ship_made_under_the_reference() -> None:
    emulator = SFExpressEmulator()
    with gateway(emulator) as gw:
        made = gw.ship(ship_request(reference="CG-FIND-1", pickup=None))
        found = gw.find_label("CG-FIND-1", carrier="sf_express")
        assert gw.find_label("CG-NEVER-SHIPPED", carrier="sf_express") is None
    assert found is not None
    assert (found.tracking_number, found.reference, found.carrier_data) == \
        (made.tracking_number, "CG-FIND-1", {"order_id": "CG-FIND-1"})
    assert found.label.startswith(b"%PDF")
    assert emulator.calls[-3:] == ["EXP_RECE_SEARCH_ORDER_RESP", "COM_RECE_CLOUD_PRINT_WAYBILLS",
                                   "EXP_RECE_SEARCH_ORDER_RESP"]
    assert len(emulator.orders) == 1  # a look-up never creates


def test_an_order_never_made_is_8018() -> None:
    answer = call(SFExpressEmulator(), "EXP_RECE_SEARCH_ORDER_RESP", {"searchType": "1", "orderId": "NOPE"})
    assert (answer["success"], answer["errorCode"]) == (False, "8018")


def test_several_waybills_in_one_route_query() -> None:
    emulator = SFExpressEmulator()
    with gateway(emulator) as gw:
        labels = [gw.ship(ship_request(reference=f"CG-MANY-{i}", pickup=None)) for i in range(3)]
        numbers = [label.tracking_number for label in labels] + ["SF000000000000"]
        before = len(emulator.calls)
        result = gw.track_many(numbers, carrier="sf_express")
    assert emulator.calls[before:] == ["EXP_RECE_SEARCH_ROUTES"]
    sent = json.loads(decode_form(emulator.requests[-1].content)["msgData"])
    assert sent["trackingNumber"] == numbers
    assert set(result.tracked) == set(numbers[:3])
    assert all(info.status is cg.TrackingStatus.IN_TRANSIT for info in result.tracked.values())
    assert isinstance(result.errors["SF000000000000"], cg.NotFound)


def test_more_than_ten_numbers_is_9083() -> None:
    answer = call(SFExpressEmulator(), "EXP_RECE_SEARCH_ROUTES",
                  {"trackingType": "1", "trackingNumber": [f"SF13600000000{i:02d}" for i in range(11)]})
    assert (answer["success"], answer["errorCode"]) == (False, "9083")


def test_delivered_waybill_carries_its_proof_of_delivery() -> None:
    emulator = SFExpressEmulator()
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(reference="CG-POD", pickup=None))
        infos = [gw.track(label.tracking_number, carrier="sf_express") for _ in range(6)]
    pod = infos[-1].proof_of_delivery
    assert infos[-1].status is cg.TrackingStatus.DELIVERED
    assert pod is not None
    assert pod.signed_by == "本人"
    assert infos[-2].proof_of_delivery is None


async def _async_find_and_track() -> tuple[cg.Label | None, cg.TrackingResult]:
    emulator = SFExpressEmulator()
    async with cg.AsyncGateway(config(), transport=SandboxTransport({"sf_express": emulator})) as gw:
        label = await gw.ship(ship_request(reference="CG-ASYNC-FIND", pickup=None))
        found = await gw.find_label("CG-ASYNC-FIND", carrier="sf_express")
        tracked = await gw.track_many([label.tracking_number], carrier="sf_express")
    return found, tracked


def test_async_find_label_and_track_many() -> None:
    found, tracked = asyncio.run(_async_find_and_track())
    assert found is not None
    assert found.reference == "CG-ASYNC-FIND"
    assert tracked.complete
    assert list(tracked.tracked) == [found.tracking_number]
