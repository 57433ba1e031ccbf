"""The FedEx operations and fields of issue 12: shipment documents with the label, proof of delivery,
several numbers in one track call, return labels, references by FedEx's types, billing another
account, the duty payer, and finding a shipment by our reference."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.fedex import FedEx, lookup, ship, track

from support.fedex_samples import (
    ACCOUNT,
    BASE_URL,
    TRANSACTION_ID,
    body,
    documented_label,
    domestic_us,
    fixture,
    international_ship,
    response,
    return_ship,
    ship_http,
    ship_request,
)
from support.shipments import international_request


def _codes(notices: list[cg.Notice]) -> list[str | None]:
    return [n.code for n in notices]


# -- shipment documents, proof of delivery ---------------------------------------------------------
def test_shipment_documents_come_with_the_label() -> None:
    documents = documented_label().documents
    assert [(d.kind, d.format, d.carrier_kind) for d in documents] == [
        ("commercial_invoice", "PDF", "COMMERCIAL_INVOICE")]  # the URL-only certificate has no content here
    assert documents[0].content == b"%PDF-1.4\n% commercial invoice\n%%EOF\n"


def test_international_ship_without_uploads_asks_fedex_for_the_invoice() -> None:
    requested = body(ship_http(ship_request(international_request(), service="FEDEX_INTERNATIONAL_PRIORITY")))
    assert requested["requestedShipment"]["shippingDocumentSpecification"] == {
        "shippingDocumentTypes": ["COMMERCIAL_INVOICE"],
        "commercialInvoiceDetail": {"documentFormat": {"docType": "PDF", "stockType": "PAPER_LETTER"}}}
    uploaded = body(ship_http(international_ship(), ("090493e181586308",)))
    assert "shippingDocumentSpecification" not in uploaded["requestedShipment"]  # paperless: FedEx has ours


def test_proof_of_delivery_where_fedex_gives_it() -> None:
    info = track.parse_track(response("track_scans_with_error.json"), carrier="fedex", tracking_number="794612345703")
    proof = info.proof_of_delivery
    assert proof is not None
    assert (proof.signed_by, proof.location) == ("J.ROE", "Receptionist/Front Desk")
    assert proof.received_at == datetime.fromisoformat("2030-03-05T14:31:00-08:00")
    undelivered = track.parse_track(response("track_ready_for_pickup.json"), carrier="fedex",
                                    tracking_number="794612345692")
    assert undelivered.proof_of_delivery is None


# -- several numbers in one call -------------------------------------------------------------------
def test_track_many_is_one_read_of_every_number() -> None:
    flow = FedEx(ACCOUNT).track_many(["794612345670", "123456789012"])
    call = next(flow)
    assert (call.operation, call.kind, call.idempotent, str(call.request.url)) == (
        "track", "read", True, BASE_URL + track.PATH)
    assert body(call.request) == {"includeDetailedScans": True, "trackingInfo": [
        {"trackingNumberInfo": {"trackingNumber": "794612345670"}},
        {"trackingNumberInfo": {"trackingNumber": "123456789012"}}]}
    with pytest.raises(StopIteration) as done:
        flow.send(call.parse(response("track_batch_response.json")))
    result = done.value.value
    assert isinstance(result, cg.TrackingResult)
    assert result.tracked["794612345670"].status is cg.TrackingStatus.IN_TRANSIT
    assert isinstance(result.errors["123456789012"], cg.NotFound)
    assert FedEx.track_batch == 30


def test_track_many_keeps_a_number_the_answer_leaves_out_as_an_error() -> None:
    result = track.parse_track_many(response("track_batch_response.json"), carrier="fedex",
                                    tracking_numbers=["794612345670", "794612345681"])
    assert set(result.tracked) == {"794612345670"}
    assert isinstance(result.errors["794612345681"], cg.MalformedResponse)


def test_track_many_past_the_batch_size_is_one_read_per_thirty() -> None:
    numbers = [f"79461234{i:04d}" for i in range(31)]
    flow = FedEx(ACCOUNT).track_many(numbers)
    first = next(flow)
    assert len(body(first.request)["trackingInfo"]) == 30
    second = flow.send(cg.TrackingResult(tracked={}, errors={}))
    assert [i["trackingNumberInfo"]["trackingNumber"] for i in body(second.request)["trackingInfo"]] == numbers[30:]
    assert second.kind == "read"


def test_track_many_refuses_more_than_fedex_takes() -> None:
    with pytest.raises(ValueError, match="1 to 30"):
        track.build_track_many([f"79461234{i:04d}" for i in range(31)], ACCOUNT, base_url=BASE_URL,
                               transaction_id=TRANSACTION_ID)


# -- return labels, references, billing -------------------------------------------------------------
def test_return_label_is_a_return_shipment() -> None:
    requested = body(ship_http(return_ship()))
    assert requested == fixture("ship_request_return.json")
    shipment = requested["requestedShipment"]
    assert shipment["shipmentSpecialServices"] == {"specialServiceTypes": ["RETURN_SHIPMENT"],
                                                   "returnShipmentDetail": {"returnType": "PRINT_RETURN_LABEL"}}
    assert shipment["shipper"]["address"]["city"] == "Los Angeles"  # the customer sends it back
    assert shipment["requestedPackageLineItems"][0]["customerReferences"] == [
        {"customerReferenceType": "CUSTOMER_REFERENCE", "value": "RMA-77"},
        {"customerReferenceType": "RMA_ASSOCIATION", "value": "RMA-77"},
        {"customerReferenceType": "P_O_NUMBER", "value": "PO-5521"}]
    parsed = ship.parse_ship(response("ship_response.json"), carrier="fedex", request=return_ship(),
                             account_number="740561073")
    assert parsed.is_return
    assert cg.Capability.RETURN_LABEL in FedEx.capabilities


def test_references_take_fedex_types() -> None:
    refs = [cg.ShipmentReference(kind=k, value=v) for k, v in
            (("order", "ORDER-1001"), ("department", "D-12"), ("invoice", "INV-9"))]
    items = body(ship_http(ship_request(domestic_us(), references=refs)))["requestedShipment"][
        "requestedPackageLineItems"]
    assert items[0]["customerReferences"] == [
        {"customerReferenceType": "CUSTOMER_REFERENCE", "value": "ORDER-1001"},
        {"customerReferenceType": "DEPARTMENT_NUMBER", "value": "D-12"},
        {"customerReferenceType": "INVOICE_NUMBER", "value": "INV-9"}]
    assert items[1]["customerReferences"] == items[0]["customerReferences"]


def test_a_second_order_reference_is_refused_naming_the_field() -> None:
    other = [cg.ShipmentReference(kind="order", value="SHOP-99")]
    with pytest.raises(cg.ValidationError) as info:
        ship_http(ship_request(domestic_us(), references=other))
    assert [e.field for e in info.value.errors] == ["references[0].value"]
    with_upload = international_ship().model_copy(update={"references": other})
    with pytest.raises(cg.ValidationError):  # refused before the document upload, the first exchange
        next(FedEx(ACCOUNT).ship(with_upload))


@pytest.mark.parametrize(("payer", "expected"), [
    (cg.Payer(party="third_party", account_number="510087020", country="US", postal_code="38017"),
     {"paymentType": "THIRD_PARTY", "payor": {"responsibleParty": {"accountNumber": {"value": "510087020"}}}}),
    (cg.Payer(party="recipient", account_number="630081440"),
     {"paymentType": "RECIPIENT", "payor": {"responsibleParty": {"accountNumber": {"value": "630081440"}}}}),
])
def test_transport_billed_to_another_account(payer: cg.Payer, expected: dict[str, Any]) -> None:
    shipment = body(ship_http(ship_request(domestic_us(), billing=payer)))["requestedShipment"]
    assert shipment["shippingChargesPayment"] == expected


def test_duty_payer_independent_of_the_incoterm() -> None:
    base = international_request()
    assert base.customs is not None
    assert base.customs.incoterm != "DDP"
    customs = base.customs.model_copy(update={"duty_payer": cg.Payer(party="third_party", account_number="510087020",
                                                                     country="GB")})
    request = ship_request(base.model_copy(update={"customs": customs}), service="FEDEX_INTERNATIONAL_PRIORITY")
    detail = body(ship_http(request))["requestedShipment"]["customsClearanceDetail"]
    assert detail["dutiesPayment"] == {"paymentType": "THIRD_PARTY", "payor": {"responsibleParty": {
        "accountNumber": {"value": "510087020"}, "address": {"countryCode": "GB"}}}}
    sender = customs.model_copy(update={"duty_payer": cg.Payer(party="sender")})
    request = ship_request(base.model_copy(update={"customs": sender}), service="FEDEX_INTERNATIONAL_PRIORITY")
    assert body(ship_http(request))["requestedShipment"]["customsClearanceDetail"]["dutiesPayment"] == {
        "paymentType": "SENDER"}


# -- find_label by our reference ------------------------------------------------------------------
def test_find_label_is_a_read_by_our_customer_reference() -> None:
    call = next(FedEx(ACCOUNT).find_label("ORDER-1001"))
    assert (call.operation, call.kind, call.idempotent, call.reference) == ("find_label", "read", True, "ORDER-1001")
    assert str(call.request.url) == BASE_URL + lookup.PATH
    assert body(call.request) == fixture("find_by_reference_request.json")
    assert cg.Capability.FIND_LABEL in FedEx.capabilities


def test_find_label_gives_the_tracking_number_without_an_image() -> None:
    found = lookup.parse_find(response("find_by_reference_response.json"), carrier="fedex", reference="ORDER-1001")
    assert found is not None
    assert (found.tracking_number, found.reference, found.label) == ("794612345670", "ORDER-1001", b"")
    assert found.carrier_data["service_type"] == "FEDEX_INTERNATIONAL_PRIORITY"
    assert _codes(found.warnings) == ["no_label_image"]
    assert "does not re-issue label images" in found.warnings[0].message


def test_find_label_of_an_unknown_reference_is_none() -> None:
    assert lookup.parse_find(response("track_not_found.json"), carrier="fedex", reference="NOPE") is None
    refused = httpx.Response(404, json={"transactionId": "x", "errors": [
        {"code": "TRACKING.REFERENCENUMBER.NOTFOUND", "message": "Reference number cannot be found."}]})
    assert lookup.parse_find(refused, carrier="fedex", reference="NOPE") is None


def test_label_image_helper_decodes_what_the_fixture_holds() -> None:
    encoded = fixture("ship_response_documents.json")["output"]["transactionShipments"][0]["pieceResponses"][0][
        "packageDocuments"][0]["encodedLabel"]
    assert base64.b64decode(encoded) == documented_label().label
