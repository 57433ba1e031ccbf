"""Issue 12's UPS operations and fields, golden: return labels (ReturnService), references with
UPS's reference codes, third-party / receiver billing and the duty payer, the customs forms UPS
returns with a label, proof of delivery, and find_label (reference tracking, then Label Recovery)
with the kind and idempotency of every Call it makes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.ups import UPS
from carriergate.carriers.ups.lookup import build_find, build_recovery, parse_find, parse_recovery
from carriergate.carriers.ups.ship import build_ship, parse_ship
from carriergate.carriers.ups.track import build_track, parse_track
from carriergate.core.contract import Capability

from support.shipments import los_angeles
from support.ups_samples import (
    ACCOUNT,
    BASE_URL,
    SHIP_DAY,
    TRANS_ID,
    answer,
    cn_to_us,
    domestic_us,
    fixture,
    new_york,
    sent,
    shipment,
)

PDT = timezone(timedelta(hours=-7))


def returned(**extra: Any) -> cg.ShipRequest:
    """The customer in Los Angeles sends the parcel back to the shop in New York."""
    back = cg.RateRequest(**{**domestic_us().model_dump(), "origin": los_angeles(), "destination": new_york()})
    return shipment(back, return_shipment=True, description="Returned shoes", **extra)


def shipment_json(request: cg.ShipRequest) -> Any:
    return sent(build_ship(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY))[
        "ShipmentRequest"]["Shipment"]


# -- return labels --------------------------------------------------------------------------------
def test_return_label_request() -> None:
    request = returned(references=[cg.ShipmentReference(kind="rma", value="RMA-55"),
                                   cg.ShipmentReference(kind="order", value="SO-1001")])
    http = build_ship(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY)
    assert sent(http) == fixture("ship_request_return.json")
    body = sent(http)["ShipmentRequest"]["Shipment"]
    assert body["ReturnService"] == {"Code": "9", "Description": "UPS Print Return Label"}
    assert body["Shipper"]["Address"]["City"] == "New York"  # the account holder: where the parcel goes back
    assert body["ShipFrom"]["Address"]["City"] == "Los Angeles"  # the customer


def test_return_label_through_the_flow_is_a_return() -> None:
    carrier = UPS(ACCOUNT, alias="ups-us", today=lambda: SHIP_DAY)
    assert {Capability.RETURN_LABEL, Capability.FIND_LABEL} <= carrier.capabilities
    call = next(carrier.ship(returned()))
    assert (call.kind, call.idempotent, call.reference) == ("write", False, "ORDER-2002")
    label = call.parse(answer("ship_response_domestic.json"))
    assert label.is_return is True
    assert parse_ship(answer("ship_response_domestic.json"), carrier="ups", label_format="ZPL").is_return is False


def test_receiver_cannot_pay_a_returns_transportation() -> None:
    with pytest.raises(cg.ValidationError) as caught:
        shipment_json(returned(billing=cg.Payer(party="recipient", account_number="R12345")))
    assert caught.value.field == "billing.party"


# -- references -----------------------------------------------------------------------------------
def test_references_with_ups_codes_on_packages_and_on_the_shipment() -> None:
    refs = [cg.ShipmentReference(kind="purchase_order", value="PO-9"), cg.ShipmentReference(kind="department",
                                                                                          value="D12"),
            cg.ShipmentReference(kind="invoice", value="INV-3")]
    domestic = shipment_json(shipment(domestic_us(), references=refs))
    assert "ReferenceNumber" not in domestic
    assert [p["ReferenceNumber"] for p in domestic["Package"]] == [[
        {"Value": "ORDER-2002"}, {"Code": "PO", "Value": "PO-9"}, {"Code": "DP", "Value": "D12"},
        {"Code": "IK", "Value": "INV-3"}]] * 2
    international = shipment_json(shipment(cn_to_us(), references=[cg.ShipmentReference(kind="rma", value="R-1")]))
    assert international["ReferenceNumber"] == [{"Value": "ORDER-2002"}, {"Code": "RZ", "Value": "R-1"}]
    with pytest.raises(cg.ValidationError) as caught:  # UPS takes two at shipment level
        shipment_json(shipment(cn_to_us(), references=refs[:2]))
    assert caught.value.field == "references"


# -- billing --------------------------------------------------------------------------------------
def test_third_party_transport_and_recipient_duties() -> None:
    customs = cn_to_us().customs
    assert customs is not None
    declared = customs.model_copy(update={"incoterm": "DDP", "duty_payer": cg.Payer(
        party="recipient", account_number="R12345", postal_code="90071")})
    request = shipment(cg.RateRequest(**{**cn_to_us().model_dump(), "customs": declared}),
                       billing=cg.Payer(party="third_party", account_number="9X8Y7Z", country="US",
                                        postal_code="10001"))
    assert shipment_json(request)["PaymentInformation"] == {"ShipmentCharge": [
        {"Type": "01", "BillThirdParty": {"AccountNumber": "9X8Y7Z",
                                           "Address": {"PostalCode": "10001", "CountryCode": "US"}}},
        {"Type": "02", "BillReceiver": {"AccountNumber": "R12345", "Address": {"PostalCode": "90071"}}}]}


def test_duties_follow_the_incoterm_unless_a_payer_is_set() -> None:
    dap = shipment_json(shipment(cn_to_us()))["PaymentInformation"]["ShipmentCharge"]
    assert dap == [{"Type": "01", "BillShipper": {"AccountNumber": "A1B2C3"}}]  # UPS bills the receiver
    customs = cn_to_us().customs
    assert customs is not None
    ddp = cg.RateRequest(**{**cn_to_us().model_dump(), "customs": customs.model_copy(update={"incoterm": "DDP"})})
    assert shipment_json(shipment(ddp))["PaymentInformation"]["ShipmentCharge"][1] == {
        "Type": "02", "BillShipper": {"AccountNumber": "A1B2C3"}}
    third = customs.model_copy(update={"duty_payer": cg.Payer(party="third_party", account_number="T0T0T0",
                                                              country="HK")})
    charges = shipment_json(shipment(cg.RateRequest(**{**cn_to_us().model_dump(), "customs": third})))[
        "PaymentInformation"]["ShipmentCharge"]
    assert charges[1] == {"Type": "02", "BillThirdParty": {"AccountNumber": "T0T0T0", "Address": {"CountryCode": "HK"}}}


def test_ups_account_numbers_have_six_characters() -> None:
    with pytest.raises(cg.ValidationError) as caught:
        shipment_json(shipment(domestic_us(), billing=cg.Payer(party="recipient", account_number="1234567")))
    assert caught.value.field == "billing.account_number"


# -- documents made with the label ----------------------------------------------------------------
def test_customs_forms_returned_with_the_label() -> None:
    label = parse_ship(answer("ship_response_ca_taxes_forms.json"), carrier="ups", label_format="GIF")
    assert label.documents == [cg.ShippingDocument(kind="commercial_invoice", content=b"%PDF-1.4 commercial invoice",
                                                   format="PDF", carrier_kind="All Requested International Forms")]
    assert parse_ship(answer("ship_response_cn_us.json"), carrier="ups", label_format="GIF").documents == []


# -- proof of delivery ----------------------------------------------------------------------------
def test_proof_of_delivery() -> None:
    info = parse_track(answer("track_response_pod.json"), carrier="ups", tracking_number="1ZA1B2C30312345684")
    assert info.proof_of_delivery == cg.ProofOfDelivery(
        signed_by="ROE", signature=b"GIF89a-signature", signature_format="GIF", photo=b"\xff\xd8\xff\xe0-photo",
        photo_format="JPEG", received_at=datetime(2099, 5, 7, 10, 15, tzinfo=PDT), location="Front Door")
    plain = parse_track(answer("track_response_delivered.json"), carrier="ups", tracking_number="1ZA1B2C30312345675")
    assert plain.proof_of_delivery is None


def test_proof_of_delivery_is_asked_for_when_the_account_says_so() -> None:
    account = ACCOUNT.model_copy(update={"proof_of_delivery": True})
    http = build_track("1ZA1B2C30312345684", account, base_url=BASE_URL, trans_id=TRANS_ID)
    assert dict(http.url.params) == {"locale": "en_US", "returnSignature": "true", "returnMilestones": "false",
                                     "returnPOD": "true"}


# -- find_label -----------------------------------------------------------------------------------
def test_find_requests() -> None:
    find = build_find("ORDER-2002", ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert (find.method, str(find.url.copy_with(query=None))) == (
        "GET", f"{BASE_URL}/api/track/v1/reference/details/ORDER-2002")
    assert dict(find.url.params) == {"locale": "en_US", "shipperNum": "A1B2C3", "refNumType": "SmallPackage"}
    recovery = build_recovery("1ZA1B2C30312345675", ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID,
                              reference="ORDER-2002", label_format="GIF")
    assert (recovery.method, str(recovery.url)) == ("POST", f"{BASE_URL}/api/labels/v1/recovery")
    assert sent(recovery) == {"LabelRecoveryRequest": {
        "Request": {"SubVersion": "1903", "TransactionReference": {"CustomerContext": "ORDER-2002"}},
        "LabelSpecification": {"LabelImageFormat": {"Code": "GIF"}, "LabelStockSize": {"Height": "6", "Width": "4"}},
        "TrackingNumber": "1ZA1B2C30312345675"}}
    with pytest.raises(cg.ValidationError) as caught:
        build_find("ORDER/../2002", ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert caught.value.field == "reference"


def test_find_answers() -> None:
    assert parse_find(answer("track_reference_response.json"), carrier="ups") == [
        "1ZA1B2C30312345675", "1ZA1B2C30312345684"]
    assert parse_find(answer("track_not_found_error.json", 404), carrier="ups") == []
    label = parse_recovery(answer("label_recovery_response.json"), carrier="ups", reference="ORDER-2002",
                           numbers=["1ZA1B2C30312345675"], label_format="ZPL")
    assert (label.tracking_number, label.tracking_numbers, label.label, label.label_format, label.reference) == (
        "1ZA1B2C30312345675", ["1ZA1B2C30312345675", "1ZA1B2C30312345684"], b"GIF89a-recovered-1", "GIF",
        "ORDER-2002")
    assert label.package_labels == [b"GIF89a-recovered-1", b"GIF89a-recovered-2"]
    assert label.carrier_data == {"shipment_id": "1ZA1B2C30312345675"}


def test_find_label_flow_makes_only_reads() -> None:
    flow = UPS(ACCOUNT, alias="ups-us").find_label("ORDER-2002")
    find = next(flow)
    assert (find.operation, find.kind, find.idempotent, find.reference) == ("find_label", "read", True, "ORDER-2002")
    recovery = flow.send(find.parse(answer("track_reference_response.json")))
    assert (recovery.operation, recovery.kind, recovery.idempotent) == ("label_recovery", "read", True)
    assert sent(recovery.request)["LabelRecoveryRequest"]["TrackingNumber"] == "1ZA1B2C30312345675"
    with pytest.raises(StopIteration) as done:
        flow.send(recovery.parse(answer("label_recovery_response.json")))
    assert done.value.value.label == b"GIF89a-recovered-1"


def test_find_label_none_and_no_image() -> None:
    flow = UPS(ACCOUNT).find_label("ORDER-404")
    with pytest.raises(StopIteration) as none:
        flow.send(next(flow).parse(answer("track_not_found_error.json", 404)))
    assert none.value.value is None
    flow = UPS(ACCOUNT).find_label("ORDER-2002")
    next(flow)
    flow.send(["1ZA1B2C30312345675"])
    gone = cg.NotFound("No label found", carrier="ups", code="151044")
    with pytest.raises(StopIteration) as found:
        flow.throw(gone)
    label = found.value.value
    assert (label.tracking_number, label.label, label.reference) == ("1ZA1B2C30312345675", b"", "ORDER-2002")


def test_recovery_of_an_unreadable_label_is_malformed() -> None:
    body = {"LabelRecoveryResponse": {"Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                                      "LabelResults": [{"TrackingNumber": "1ZA1B2C30312345675",
                                                        "LabelImage": {"GraphicImage": "not base64!"}}]}}
    with pytest.raises(cg.MalformedResponse):
        parse_recovery(httpx.Response(200, json=body), carrier="ups", reference="R", numbers=["1Z"],
                       label_format="GIF")
