"""The FedEx emulator's issue-12 operations, through Gateway and AsyncGateway and straight at its
API: several numbers in one track request (30 at most), return labels, Track by References finding
what ship made, the commercial invoice FedEx makes, proof of delivery, and payments it refuses."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.fedex import FedExEmulator

from support.fedex_samples import domestic_us, return_ship, ship_request
from support.shipments import international_request

NOW = datetime(2030, 3, 2, 15, 0, tzinfo=UTC)


def config() -> dict[str, dict[str, Any]]:
    return {"fedex": {**FedExEmulator.account, "base_url": f"{SANDBOX_HOST}/fedex"}}


def gateway(emulator: FedExEmulator) -> cg.Gateway:
    return cg.Gateway(config(), transport=SandboxTransport({"fedex": emulator}))


def post(emulator: FedExEmulator, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    """One authorised JSON POST straight to the emulator: (status, decoded body)."""
    form = (f"grant_type=client_credentials&client_id={FedExEmulator.account['client_id']}"
            f"&client_secret={FedExEmulator.account['client_secret']}")
    token = json.loads(emulator.handle(httpx.Request("POST", "http://x/oauth/token", content=form.encode()),
                                       "/oauth/token").content)["access_token"]
    answer = emulator.receive(httpx.Request("POST", "http://x" + path, json=body,
                                            headers={"authorization": f"Bearer {token}"}), path)
    return answer.status_code, json.loads(answer.content)


def test_several_numbers_are_tracked_in_one_request() -> None:
    emulator = FedExEmulator(now=NOW)
    with gateway(emulator) as gw:
        first, second = (gw.ship(ship_request(domestic_us(), reference=f"ORDER-{i}")) for i in (1, 2))
        before = len(emulator.requests)
        result = gw.track_many([first.tracking_number, second.tracking_number, "794699999999"], carrier="fedex")
    tracks = [r for r in emulator.requests[before:] if r.url.path.endswith("/track/v1/trackingnumbers")]
    assert len(tracks) == 1  # FedEx takes up to 30 numbers at once
    assert set(result.tracked) == {first.tracking_number, second.tracking_number}
    assert isinstance(result.errors["794699999999"], cg.NotFound)


def test_more_than_thirty_numbers_are_refused() -> None:
    numbers = [{"trackingNumberInfo": {"trackingNumber": f"7946{i:08d}"}} for i in range(31)]
    status, answer = post(FedExEmulator(now=NOW), "/track/v1/trackingnumbers", {"trackingInfo": numbers})
    assert status == 400
    assert answer["errors"][0]["code"] == "TRACKING.TRACKINGNUMBER.INVALID"


def test_the_vehicle_scan_rolls_up_to_in_transit_but_says_out_for_delivery() -> None:
    emulator = FedExEmulator(now=NOW)
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(domestic_us()))
        infos = [gw.track(label.tracking_number, carrier="fedex") for _ in range(6)]
    out_for_delivery, delivered = infos[4], infos[5]
    assert out_for_delivery.status is cg.TrackingStatus.OUT_FOR_DELIVERY
    assert out_for_delivery.events[0].codes == {"eventType": "OD", "derivedStatusCode": "IT"}
    assert out_for_delivery.proof_of_delivery is None
    assert delivered.status is cg.TrackingStatus.DELIVERED
    assert delivered.proof_of_delivery is not None
    assert delivered.proof_of_delivery.signed_by == "ROE"
    assert delivered.proof_of_delivery.received_at == delivered.delivered_at


def test_return_label_is_a_label_that_tracks() -> None:
    emulator = FedExEmulator(now=NOW)
    with gateway(emulator) as gw:
        label = gw.ship(return_ship())
        info = gw.track(label.tracking_number, carrier="fedex")
    assert label.is_return
    assert label.label.startswith(b"%PDF")
    assert emulator.shipments[label.tracking_number].is_return
    assert info.status is cg.TrackingStatus.PRE_TRANSIT


def test_a_return_without_its_return_type_is_refused() -> None:
    emulator = FedExEmulator(now=NOW)
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(domestic_us()))
    sent = json.loads(emulator.requests[-1].content)
    sent["requestedShipment"]["shipmentSpecialServices"] = {"specialServiceTypes": ["RETURN_SHIPMENT"]}
    status, answer = post(emulator, "/ship/v1/shipments", sent)
    assert status == 400
    assert answer["errors"][0]["code"] == "RETURN.TYPE.REQUIRED"
    assert label.tracking_number in emulator.shipments


def test_find_label_finds_what_ship_made_under_the_reference() -> None:
    emulator = FedExEmulator(now=NOW)
    with gateway(emulator) as gw:
        made = gw.ship(ship_request(domestic_us(), reference="ORDER-7"))
        gw.ship(ship_request(domestic_us(), reference="ORDER-8"))
        found = gw.find_label("ORDER-7", carrier="fedex")
        missing = gw.find_label("ORDER-NEVER", carrier="fedex")
    assert found is not None
    assert (found.tracking_number, found.reference, found.label) == (made.tracking_number, "ORDER-7", b"")
    assert [n.code for n in found.warnings] == ["no_label_image"]
    assert missing is None
    assert emulator.shipments[made.tracking_number].revealed == []  # a look-up reveals no scan


def test_find_label_async() -> None:
    async def scenario() -> tuple[cg.Label, cg.Label | None]:
        async with cg.AsyncGateway(config(), transport=SandboxTransport({"fedex": emulator})) as agw:
            made = await agw.ship(ship_request(domestic_us(), reference="ORDER-9"))
            return made, await agw.find_label("ORDER-9", carrier="fedex")

    emulator = FedExEmulator(now=NOW)
    made, found = asyncio.run(scenario())
    assert found is not None
    assert found.tracking_number == made.tracking_number


def test_reference_look_up_needs_the_shippers_account() -> None:
    status, answer = post(FedExEmulator(now=NOW), "/track/v1/referencenumbers", {"referencesInformation": {
        "type": "CUSTOMER_REFERENCE", "value": "ORDER-1", "accountNumber": "000000000"}})
    assert status == 400
    assert answer["errors"][0]["code"] == "TRACKING.ACCOUNTNUMBER.MISMATCH"


def test_international_label_comes_with_fedex_commercial_invoice() -> None:
    emulator = FedExEmulator(now=NOW)
    with gateway(emulator) as gw:
        label = gw.ship(ship_request(international_request(), service="FEDEX_INTERNATIONAL_PRIORITY"))
    assert [(d.kind, d.format, d.carrier_kind) for d in label.documents] == [
        ("commercial_invoice", "PDF", "COMMERCIAL_INVOICE")]
    assert label.documents[0].content.startswith(b"%PDF")


@pytest.mark.parametrize("payment", [{"paymentType": "THIRD_PARTY"}, {"paymentType": "RECIPIENT"}])
def test_billing_another_party_needs_its_account(payment: dict[str, Any]) -> None:
    emulator = FedExEmulator(now=NOW)
    with gateway(emulator) as gw:
        gw.ship(ship_request(domestic_us()))
    sent = json.loads(emulator.requests[-1].content)
    sent["requestedShipment"]["shippingChargesPayment"] = payment
    status, answer = post(emulator, "/ship/v1/shipments", sent)
    assert status == 400
    assert answer["errors"][0]["code"] == "PAYOR.ACCOUNTNUMBER.REQUIRED"
    sent["requestedShipment"]["shippingChargesPayment"] = {
        **payment, "payor": {"responsibleParty": {"accountNumber": {"value": "510087020"}}}}
    assert post(emulator, "/ship/v1/shipments", sent)[0] == 200


def test_third_party_billing_through_the_gateway() -> None:
    payer = cg.Payer(party="third_party", account_number="510087020", country="US")
    with gateway(FedExEmulator(now=NOW)) as gw:
        label = gw.ship(ship_request(domestic_us(), billing=payer))
    assert label.tracking_number
