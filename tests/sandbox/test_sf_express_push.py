"""The SF emulator's route pushes (sandbox/sf_express_push.py): the signed request envelope, one
node per push in SF's ``Body.WaybillRoute`` shape, scans revealed in order as route queries reveal
them, a repeat re-signed with the same nodes, a forged digest; and what the SF carrier reads of each."""

from __future__ import annotations

import json
from typing import Any

import pytest

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress, SFExpressAccount
from carriergate.protocols.auth.sf_digest import decode_form, verify_push
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.sf_express import SCANS, SFExpressEmulator
from carriergate.sandbox.sf_express_push import SERVICE_CODE, RoutePusher

from support.sf_samples import ship_request

URL = "https://shop.test/webhooks/sf_express"
CHECKWORD = SFExpressEmulator.account["checkword"]


def shipped(emulator: SFExpressEmulator, reference: str = "CG-PUSH-1") -> str:
    config = {"sf_express": {**SFExpressEmulator.account, "base_url": f"{SANDBOX_HOST}/sf_express"}}
    with cg.Gateway(config, transport=SandboxTransport({"sf_express": emulator})) as gw:
        return gw.ship(ship_request(reference=reference)).tracking_number


def form_of(pusher: RoutePusher, waybill: str, **options: Any) -> dict[str, str]:
    request = pusher.push_request(waybill, **options)
    assert (request.method, str(request.url)) == ("POST", URL)
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    return decode_form(request.content)


def test_a_push_is_the_signed_envelope_with_one_route_node() -> None:
    emulator = SFExpressEmulator()
    waybill = shipped(emulator)
    form = form_of(RoutePusher(emulator, URL), waybill)
    assert set(form) == {"partnerID", "requestID", "serviceCode", "timestamp", "msgData", "msgDigest"}
    assert (form["partnerID"], form["serviceCode"]) == (SFExpressEmulator.account["partner_id"], SERVICE_CODE)
    assert form["timestamp"].isdigit()
    assert verify_push(form, CHECKWORD)
    (node,) = json.loads(form["msgData"])["Body"]["WaybillRoute"]
    assert set(node) == {"id", "mailno", "orderid", "acceptTime", "acceptAddress", "remark", "opCode"}
    assert (node["mailno"], node["orderid"], node["opCode"], node["remark"]) == (waybill, "CG-PUSH-1", *SCANS[0])


def test_pushes_follow_the_journey_and_repeat_or_forge_on_request() -> None:
    emulator = SFExpressEmulator()
    waybill = shipped(emulator)
    pusher = RoutePusher(emulator, URL)
    first = form_of(pusher, waybill)
    again = form_of(pusher, waybill, advance=False)
    assert again["msgData"] == first["msgData"]
    assert (again["timestamp"], again["requestID"]) != (first["timestamp"], first["requestID"])
    assert verify_push(again, CHECKWORD)
    forged = form_of(pusher, waybill, forged=True)
    assert not verify_push(forged, CHECKWORD)
    codes = [json.loads(f["msgData"])["Body"]["WaybillRoute"][0]["opCode"] for f in (first, forged)]
    codes += [json.loads(form_of(pusher, waybill)["msgData"])["Body"]["WaybillRoute"][0]["opCode"]
              for _ in SCANS[2:]]
    assert codes == [code for code, _ in SCANS]
    ids = {json.loads(m)["Body"]["WaybillRoute"][0]["id"] for m in pusher.pushed[waybill]}
    assert len(ids) == len(SCANS)  # a new id for every node
    assert emulator.by_waybill[waybill].scans_seen == len(SCANS)


def test_the_sf_carrier_reads_every_push_of_the_journey() -> None:
    emulator = SFExpressEmulator()
    waybill = shipped(emulator)
    pusher = RoutePusher(emulator, URL)
    carrier = SFExpress(SFExpressAccount(**SFExpressEmulator.account), alias="sf_express")
    statuses = []
    for _ in SCANS:
        request = pusher.push_request(waybill)
        (update,) = carrier.read_push(request.content, request.headers["content-type"])
        assert update.info.tracking_number == waybill
        statuses.append(update.info.status)
    S = cg.TrackingStatus
    assert statuses == [S.IN_TRANSIT] * 4 + [S.OUT_FOR_DELIVERY, S.DELIVERED]
    forged = pusher.push_request(waybill, advance=False, forged=True)
    with pytest.raises(cg.AuthenticationError):
        carrier.read_push(forged.content, forged.headers["content-type"])


def test_a_cancelled_waybill_has_nothing_to_push() -> None:
    emulator = SFExpressEmulator()
    waybill = shipped(emulator)
    emulator.by_waybill[waybill].cancelled = True
    with pytest.raises(ValueError, match="no scan"):
        RoutePusher(emulator, URL).push_request(waybill)
