"""Golden tests of the DHL Express operations and fields of issue 12: billing, duty payer and
references; DHL's customs invoice with the label; several waybills in one trackShipmentRequest;
proof of delivery; stand-alone pickups over the MyDHL API; and what DHL documents no way to do."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest
from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express import pickup_from_label

from support.dhl_samples import (
    MYDHL,
    assert_golden,
    assert_json_golden,
    billed_ship,
    booked_label,
    first_call,
    international_ship,
    json_reply,
    make_carrier,
    pickup_request,
    reply,
)


# -- billing, duty payer, references, DHL's customs invoice -----------------------------------------
def test_billed_ship_envelope() -> None:
    call = first_call(make_carrier().ship(billed_ship()))
    body = etree.fromstring(call.request.content)
    billing = body.find(".//ShipmentInfo/Billing")
    assert billing is not None
    assert [(child.tag, child.text) for child in billing] == [
        ("ShipperAccountNumber", "950000002"), ("ShippingPaymentType", "T"), ("BillingAccountNumber", "970000004"),
        ("DutyAndTaxPayerAccountNumber", "960000003")]
    assert [(r.findtext("ShipmentReference"), r.findtext("ShipmentReferenceType"))
            for r in body.iterfind(".//ShipmentReferences/ShipmentReference")] == [
        ("ORDER-1003", None), ("PO-77", "CO"), ("RMA-5", None), ("CUST-9", "AAO")]
    assert body.findtext(".//LabelOptions/RequestDHLCustomsInvoice") == "Y"
    assert body.findtext(".//LabelOptions/DHLCustomsInvoiceType") == "COMMERCIAL_INVOICE"
    assert_golden(call.request, "ship-request-billed.xml")


@pytest.mark.parametrize(("payer", "duties", "expected"), [
    (None, None, ("S", None, None)),  # DAP, the configured account pays, duties on delivery
    (cg.Payer(party="recipient", account_number="960000003"), None, ("R", "960000003", None)),
    (None, cg.Payer(party="sender"), ("S", None, "950000002")),
    (None, cg.Payer(party="third_party", account_number="980000005", country="HK"), ("S", None, "980000005")),
])
def test_payers(payer: cg.Payer | None, duties: cg.Payer | None, expected: tuple[str | None, ...]) -> None:
    base = billed_ship()
    assert base.customs is not None
    request = base.model_copy(update={"billing": payer,
                                      "customs": base.customs.model_copy(update={"duty_payer": duties})})
    body = etree.fromstring(first_call(make_carrier().ship(request)).request.content)
    assert (body.findtext(".//ShippingPaymentType"), body.findtext(".//BillingAccountNumber"),
            body.findtext(".//DutyAndTaxPayerAccountNumber")) == expected


def test_ddp_still_bills_duties_to_the_shipper() -> None:
    base = billed_ship()
    assert base.customs is not None
    request = base.model_copy(update={"billing": None, "customs": base.customs.model_copy(
        update={"incoterm": "DDP", "duty_payer": None})})
    body = etree.fromstring(first_call(make_carrier().ship(request)).request.content)
    assert body.findtext(".//DutyAndTaxPayerAccountNumber") == "950000002"


def test_bad_billing_account_is_refused_before_sending() -> None:
    request = billed_ship().model_copy(update={"billing": cg.Payer(party="recipient", account_number="AB-1")})
    with pytest.raises(cg.ValidationError) as caught:
        next(make_carrier().ship(request))
    assert {e.field for e in caught.value.errors} == {"billing.account_number"}


def test_no_customs_invoice_when_the_shop_sends_its_own_or_opts_out() -> None:
    own = first_call(make_carrier().ship(international_ship())).request.content  # uploads its invoice
    opted_out = first_call(make_carrier(customs_invoice=False).ship(billed_ship())).request.content
    assert b"LabelOptions" not in own
    assert b"LabelOptions" not in opted_out


def test_customs_invoice_comes_back_as_a_document() -> None:
    label = first_call(make_carrier().ship(billed_ship())).parse(reply("ship-reply-documents.xml"))
    assert [(d.kind, d.format, d.carrier_kind) for d in label.documents] == [
        ("commercial_invoice", "PDF", "CustomsInvoice")]
    assert label.documents[0].content.startswith(b"%PDF-1.4\n% carriergate test commercial invoice")


def test_find_label_is_not_offered() -> None:
    """trackShipmentRequest takes waybills and piece ids only: no look-up by our reference."""
    carrier = make_carrier()
    assert cg.Capability.FIND_LABEL not in carrier.capabilities
    with pytest.raises(cg.NotSupported):
        next(carrier.find_label("ORDER-1001"))


# -- tracking: several waybills, proof of delivery --------------------------------------------------
def test_track_many_envelope_carries_every_waybill() -> None:
    carrier = make_carrier()
    assert carrier.track_batch == 10
    call = first_call(carrier.track_many(["5551234560", "5551234571"]))
    body = etree.fromstring(call.request.content)
    assert [n.text for n in body.iterfind(".//AWBNumber/ArrayOfAWBNumberItem")] == ["5551234560", "5551234571"]
    assert_golden(call.request, "track-request-batch.xml")


def test_track_many_reply_keeps_each_answer_against_its_number() -> None:
    flow = make_carrier().track_many(["5551234560", "5551234571"])
    call = first_call(flow)
    with pytest.raises(StopIteration) as done:
        flow.send(call.parse(reply("track-reply-batch.xml")))
    result: cg.TrackingResult = done.value.value
    assert set(result.tracked) == {"5551234560"}
    assert isinstance(result.errors["5551234571"], cg.NotFound)
    assert result.errors["5551234571"].code == "101"
    info = result.tracked["5551234560"]
    assert info.status is cg.TrackingStatus.DELIVERED
    pod = info.proof_of_delivery
    assert pod is not None
    assert pod.signed_by == "J ROE"
    assert pod.received_at == datetime(2030, 6, 6, 11, 32, tzinfo=timezone(timedelta(hours=-7)))
    assert pod.location == "LOS ANGELES, CA - USA"


def test_track_many_tracks_piece_ids_one_by_one() -> None:
    flow = make_carrier().track_many(["5551234560", "JD014600005551234561"])
    first = first_call(flow)
    assert first.request.content.count(b"<ArrayOfAWBNumberItem>") == 1
    second = flow.send(first.parse(reply("track-reply.xml")))
    assert b"<LPNumber>" in second.request.content


def test_track_many_refuses_a_number_that_is_no_waybill_before_sending() -> None:
    from carriergate.carriers.dhl_express.track import build_track_many

    with pytest.raises(cg.ValidationError):
        build_track_many(["12345"], base_url="https://x", now=datetime(2030, 1, 1, tzinfo=UTC),
                         reference="5f2b0c1d9e8a47b3a6c4d2e1f0a9b8c7", carrier="dhl_express")
    with pytest.raises(cg.ValidationError):
        build_track_many(["5551234560"] * 11, base_url="https://x", now=datetime(2030, 1, 1, tzinfo=UTC),
                         reference="5f2b0c1d9e8a47b3a6c4d2e1f0a9b8c7", carrier="dhl_express")


def test_single_track_gives_proof_of_delivery_and_raw_codes() -> None:
    info = first_call(make_carrier().track("5551234560")).parse(reply("track-reply.xml"))
    assert info.proof_of_delivery is not None
    assert info.proof_of_delivery.signed_by == "ROE"
    assert info.events[-1].codes == {"EventCode": "PU", "ServiceAreaCode": "SHA"}


# -- stand-alone pickups over the MyDHL API -------------------------------------------------------
def test_schedule_pickup_request() -> None:
    call = first_call(make_carrier(**MYDHL).schedule_pickup(pickup_request()))
    request = call.request
    assert (request.method, str(request.url)) == ("POST", "https://express.api.dhl.com/mydhlapi/test/pickups")
    assert request.headers["x-version"] == "2.12.0"
    assert request.headers["Message-Reference"] == "5f2b0c1d9e8a47b3a6c4d2e1f0a9b8c7"
    assert isinstance(call.auth, httpx.BasicAuth)
    signed = next(call.auth.auth_flow(httpx.Request("POST", "https://x")))
    assert signed.headers["authorization"] == "Basic " + base64.b64encode(b"shop-mydhl:mydhl-secret").decode()
    assert b"mydhl-secret" not in request.content
    assert_json_golden(request, "pickup-request.json")


def test_schedule_pickup_base_url_and_production() -> None:
    local = first_call(make_carrier(base_url="http://sandbox.invalid/dhl_express/", **MYDHL)
                       .schedule_pickup(pickup_request()))
    assert str(local.request.url) == "http://sandbox.invalid/dhl_express/mydhlapi/pickups"
    production = first_call(make_carrier(environment="production", **MYDHL).schedule_pickup(pickup_request()))
    assert str(production.request.url) == "https://express.api.dhl.com/mydhlapi/pickups"


def test_pickup_reply_becomes_pickup_that_cancels_through_mydhl() -> None:
    pickup = first_call(make_carrier(**MYDHL).schedule_pickup(pickup_request())).parse(
        json_reply("pickup-reply.json", 201))
    assert pickup.confirmation_number == "CBJ300603000077"
    assert pickup.ready_at == pickup_request().window.start
    assert pickup.carrier_data == {"api": "mydhl", "pickup_date": "2030-06-03", "pickup_country": "CN",
                                   "requestor_name": "Li Lei", "ready_by_time": "09:00",
                                   "next_pickup_date": "2030-06-03"}
    assert [w.message for w in pickup.warnings] == ["Pickup created, but the requested close time was moved to 17:00"]
    cancel = first_call(make_carrier(**MYDHL).cancel_pickup(pickup))
    assert cancel.request.method == "DELETE"
    assert cancel.request.url.path == "/mydhlapi/test/pickups/CBJ300603000077"
    assert dict(cancel.request.url.params) == {"requestorName": "Li Lei", "reason": "cancelled by the shipper"}
    assert cancel.parse(httpx.Response(200)) is None


def test_pickup_error_reply_keeps_dhl_code_and_words() -> None:
    call = first_call(make_carrier(**MYDHL).schedule_pickup(pickup_request()))
    with pytest.raises(cg.CarrierError) as caught:
        call.parse(json_reply("pickup-reply-error.json", 400))
    assert caught.value.code == "8003"
    assert caught.value.message.startswith("Account not allowed for this service")
    with pytest.raises(cg.AuthenticationError):
        call.parse(httpx.Response(401, json={"title": "Unauthorized", "status": "401"}))


def test_pickup_reply_without_a_number_is_malformed() -> None:
    call = first_call(make_carrier(**MYDHL).schedule_pickup(pickup_request()))
    with pytest.raises(cg.MalformedResponse):
        call.parse(httpx.Response(201, json={"dispatchConfirmationNumbers": []}))


def test_cancel_of_a_shipment_pickup_still_uses_the_rate_book() -> None:
    pickup = pickup_from_label(booked_label())
    assert pickup is not None
    call = first_call(make_carrier(**MYDHL).cancel_pickup(pickup))
    assert call.request.url.path.endswith("/expressRateBook")


# -- how each new operation's Call is made ---------------------------------------------------------
def _mydhl_pickup() -> cg.Pickup:
    return cg.Pickup(carrier="dhl_express", confirmation_number="CBJ300603000077",
                     carrier_data={"api": "mydhl", "requestor_name": "Li Lei"})


@pytest.mark.parametrize(("flow", "operation", "kind", "idempotent", "reference"), [
    (lambda: make_carrier(**MYDHL).schedule_pickup(pickup_request()), "schedule_pickup", "write", False,
     "PICKUP-1001"),
    (lambda: make_carrier(**MYDHL).cancel_pickup(_mydhl_pickup()), "cancel_pickup", "write", True, None),
    (lambda: make_carrier().track_many(["5551234560", "5551234571"]), "track", "read", True, None),
    (lambda: make_carrier().ship(billed_ship()), "ship", "write", False, "ORDER-1003"),
], ids=["schedule_pickup", "cancel mydhl pickup", "track_many", "ship billed"])
def test_new_calls_are_the_right_kind(flow: Callable[[], cg.Flow[object]], operation: str, kind: str,
                                      idempotent: bool, reference: str | None) -> None:
    call = first_call(flow())
    assert (call.operation, call.kind, call.idempotent, call.reference) == (operation, kind, idempotent, reference)
    assert not call.honours_idempotency_key


# -- pickup modification (MyDHL PATCH /pickups/{number}) -------------------------------------------
def test_modify_pickup_request() -> None:
    pickup = _mydhl_pickup()
    later = pickup_request().window.model_copy(update={"start": pickup_request().window.start + timedelta(hours=2)})
    request = pickup_request().model_copy(update={"window": later})
    call = first_call(make_carrier(**MYDHL).modify_pickup(pickup, request))
    assert (call.request.method, call.request.url.path) == ("PATCH", "/mydhlapi/test/pickups/CBJ300603000077")
    assert (call.operation, call.kind, call.idempotent, call.reference) == ("modify_pickup", "write", True,
                                                                            "PICKUP-1001")
    assert isinstance(call.auth, httpx.BasicAuth)
    body = json.loads(call.request.content)
    assert (body["dispatchConfirmationNumber"], body["originalShipperAccountNumber"]) == ("CBJ300603000077",
                                                                                          "950000002")
    assert body["plannedPickupDateAndTime"] == "2030-06-03T11:00:00GMT+08:00"
    moved = call.parse(httpx.Response(200, json={"dispatchConfirmationNumber": "CBJ300603000077",
                                                 "readyByTime": "11:00", "nextPickupDate": "2030-06-03"}))
    assert moved.confirmation_number == "CBJ300603000077"
    assert moved.ready_at == later.start


def test_only_a_mydhl_pickup_can_be_modified() -> None:
    shipment_pickup = pickup_from_label(booked_label())
    assert shipment_pickup is not None
    with pytest.raises(cg.ValidationError) as caught:
        next(make_carrier(**MYDHL).modify_pickup(shipment_pickup, pickup_request()))
    assert {e.field for e in caught.value.errors} == {"carrier_data.api"}
