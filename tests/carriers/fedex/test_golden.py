"""FedEx golden tests: every build function against a reviewed request (fixtures/fedex holds the
bodies), every parse function against a payload authored in FedEx's documented format, and every
operation's Calls with the kind, idempotency and reference the executor's write safety reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.fedex import FedEx, etd, lookup, pickup, rate, ship, track, void
from carriergate.carriers.fedex.payload import split

from support.fedex_samples import (
    ACCOUNT,
    BASE_URL,
    DOCUMENTS_URL,
    GOLDEN_REQUESTS,
    WINDOW_START,
    _first_call,
    _json,
    body,
    cancel_pickup_http,
    domestic_us,
    fixture,
    form_parts,
    golden_body,
    international_ship,
    label,
    memphis,
    parsed_pickup,
    pickup_http,
    pickup_request,
    rate_http,
    response,
    return_ship,
    ship_http,
    ship_request,
    upload_http,
)
from support.shipments import international_request


# -- builds ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(GOLDEN_REQUESTS))
def test_build_matches_golden_body(name: str) -> None:
    assert golden_body(name) == fixture(name)


@pytest.mark.parametrize("name", sorted(GOLDEN_REQUESTS))
def test_build_is_a_finished_request(name: str) -> None:
    method, url, build, transaction_id = GOLDEN_REQUESTS[name]
    http = build()
    assert (http.method, str(http.url)) == (method, url)
    assert http.headers["x-customer-transaction-id"] == transaction_id
    assert http.headers["x-locale"] == "en_US"
    assert http.headers["accept"] == "application/json"
    if name == "etd_document.json":
        assert http.headers["content-type"].startswith("multipart/form-data; boundary=")
    else:
        assert http.headers["content-type"] == "application/json"


def test_etd_upload_carries_the_file_as_its_attachment() -> None:
    attachment = form_parts(upload_http(international_ship()))["attachment"]
    assert attachment.get_filename() == "ci-1001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == b"%PDF-1.4 invoice"


def test_rate_asks_one_service_only_when_exactly_one_is_named() -> None:
    one = domestic_us().model_copy(update={"services": ["FEDEX_2_DAY"]})
    two = domestic_us().model_copy(update={"services": ["FEDEX_2_DAY", "FEDEX_GROUND"]})
    assert body(rate_http(one))["requestedShipment"]["serviceType"] == "FEDEX_2_DAY"
    assert "serviceType" not in body(rate_http(two))["requestedShipment"]


def test_declared_value_split_sums_exactly() -> None:
    shares = split(cg.Money("100.00", "USD"), 3)
    assert [s.amount for s in shares] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(s.amount for s in shares) == Decimal("100.00")


def test_ship_international_carries_customs_paperless_and_reference() -> None:
    shipment = body(ship_http(international_ship(), ("DOC-9",)))["requestedShipment"]
    customs = shipment["customsClearanceDetail"]
    assert customs["commodities"][0]["harmonizedCode"] == "610910"
    assert customs["totalCustomsValue"] == {"amount": 240, "currency": "USD"}
    assert shipment["shipmentSpecialServices"]["etdDetail"]["attachedDocuments"][0]["documentId"] == "DOC-9"
    assert shipment["labelSpecification"]["imageType"] == "ZPLII"
    package = shipment["requestedPackageLineItems"][0]
    assert package["customerReferences"] == [{"customerReferenceType": "CUSTOMER_REFERENCE", "value": "ORDER-1001"}]
    assert package["packageSpecialServices"]["signatureOptionType"] == "ADULT"


def test_us_export_under_eei_threshold_gets_the_exemption_statement() -> None:
    export = cg.RateRequest(origin=memphis(), destination=international_request().origin,
                            parcels=[cg.Parcel(weight=cg.Weight("2", "kg"))],
                            customs=international_request().customs)
    shipment = body(ship_http(ship_request(export, service="INTERNATIONAL_ECONOMY")))["requestedShipment"]
    assert shipment["customsClearanceDetail"]["exportDetail"] == {
        "exportComplianceStatement": "NO EEI 30.37(a)"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"label_format": "GIF"}, "label_format"),
    ({"origin": {"phone": None}}, "origin.phone"),
])
def test_ship_refuses_before_sending(changes: dict[str, Any], field: str) -> None:
    data = international_ship().model_dump()
    for key, value in changes.items():
        data[key] = {**data[key], **value} if isinstance(value, dict) else value
    carrier = FedEx(ACCOUNT)
    with pytest.raises(cg.ValidationError) as info:  # the flow refuses before its first call (an upload)
        _first_call(carrier.ship(cg.ShipRequest(**data)))
    assert info.value.field == field
    for build in (ship_http, upload_http):  # and so does each of its builds
        with pytest.raises(cg.ValidationError) as info:
            build(cg.ShipRequest(**data))
        assert info.value.field == field


def test_ship_names_the_account_alias_on_its_refusal() -> None:
    data = ship_request(domestic_us(), label_format="GIF")
    with pytest.raises(cg.ValidationError) as info:
        _first_call(FedEx(ACCOUNT, alias="fedex-eu").ship(data))
    assert info.value.carrier == "fedex-eu"


def test_paperless_documents_are_refused_on_a_domestic_shipment() -> None:
    domestic = ship_request(domestic_us(), documents=international_ship().documents)
    for build in (ship_http, upload_http):
        with pytest.raises(cg.ValidationError) as info:
            build(domestic)
        assert info.value.field == "documents"


@pytest.mark.parametrize(("changes", "field"), [
    ({"state": None}, "address.state"),
    ({"postal_code": None}, "address.postal_code"),
    ({"phone": None}, "address.phone"),
])
def test_pickup_refuses_before_sending(changes: dict[str, Any], field: str) -> None:
    request = pickup_request().model_copy(update={"address": memphis().model_copy(update=changes)})
    with pytest.raises(cg.ValidationError) as info:
        pickup_http(request)
    assert info.value.field == field
    with pytest.raises(cg.ValidationError):
        _first_call(FedEx(ACCOUNT).schedule_pickup(request))


def test_cancel_pickup_needs_the_scheduled_date() -> None:
    undated = parsed_pickup().model_copy(update={"carrier_data": {"carrier_code": "FDXE"}, "ready_at": None})
    with pytest.raises(cg.ValidationError) as info:
        cancel_pickup_http(undated)
    assert info.value.field == "carrier_data.scheduled_date"
    with pytest.raises(cg.ValidationError):
        _first_call(FedEx(ACCOUNT).cancel_pickup(undated))
    # the window's start stands in for a date FedEx did not echo back
    dated = parsed_pickup().model_copy(update={"carrier_data": {"carrier_code": "FDXE"}})
    assert body(cancel_pickup_http(dated))["scheduledDate"] == "2099-03-02"


def test_ship_flow_uploads_documents_before_the_shipment() -> None:
    carrier = FedEx(ACCOUNT)
    flow = carrier.ship(international_ship())
    upload = _first_call(flow)
    assert upload.request.url == DOCUMENTS_URL + "/documents/v1/etds/upload"
    assert b'name="attachment"' in upload.request.read()
    assert b"%PDF-1.4 invoice" in upload.request.content
    shipment = flow.send("090493e181586308")
    assert shipment.request.url == BASE_URL + "/ship/v1/shipments"
    assert shipment.idempotent is False
    assert shipment.reference == "ORDER-1001"
    assert shipment.request.headers["x-customer-transaction-id"] == "ORDER-1001"
    assert json.loads(shipment.request.content) == fixture("ship_request_international.json")


# -- the calls: what the executor's retry policy and breaker read ------------------------------------
#: operation -> (the flow, then per Call: operation, kind, idempotent, reference, method, URL)
CallShape = tuple[str, str, bool, str | None, str, str]
CALLS: dict[str, tuple[Callable[[FedEx], cg.Flow[Any]], list[CallShape]]] = {
    "rate": (lambda c: c.rate(domestic_us()), [("rate", "read", True, None, "POST", BASE_URL + rate.PATH)]),
    "ship": (lambda c: c.ship(international_ship()), [
        ("etd_upload", "write", True, "ORDER-1001", "POST", DOCUMENTS_URL + etd.PATH),  # an upload creates no charge
        ("ship", "write", False, "ORDER-1001", "POST", BASE_URL + ship.PATH)]),  # a label: never blindly repeated
    "void": (lambda c: c.void(label()), [("void", "write", True, "ORDER-1001", "PUT", BASE_URL + void.PATH)]),
    "schedule_pickup": (lambda c: c.schedule_pickup(pickup_request()), [
        ("schedule_pickup", "write", False, "PICKUP-7", "POST", BASE_URL + pickup.PATH)]),
    "cancel_pickup": (lambda c: c.cancel_pickup(parsed_pickup()), [
        ("cancel_pickup", "write", True, None, "PUT", BASE_URL + pickup.CANCEL_PATH)]),
    "track": (lambda c: c.track("794612345670"), [("track", "read", True, None, "POST", BASE_URL + track.PATH)]),
    "return_label": (lambda c: c.ship(return_ship()), [
        ("ship", "write", False, "RMA-77", "POST", BASE_URL + ship.PATH)]),  # a return label is a label
    "find_label": (lambda c: c.find_label("ORDER-1001"), [
        ("find_label", "read", True, "ORDER-1001", "POST", BASE_URL + lookup.PATH)]),
}
#: What each call's parse would hand back to the flow (only the upload's answer is read on).
ANSWERS: dict[str, Any] = {"etd_upload": "090493e181586308"}


def _calls(flow: cg.Flow[Any]) -> list[cg.Call[Any]]:
    calls = [next(flow)]
    while True:
        try:
            calls.append(flow.send(ANSWERS.get(calls[-1].operation)))
        except StopIteration:
            return calls


@pytest.mark.parametrize("operation", sorted(CALLS))
def test_each_operation_makes_calls_of_the_right_kind(operation: str) -> None:
    make_flow, expected = CALLS[operation]
    calls = _calls(make_flow(FedEx(ACCOUNT)))
    assert [(c.operation, c.kind, c.idempotent, c.reference, c.request.method, str(c.request.url))
            for c in calls] == expected
    assert not any(c.honours_idempotency_key for c in calls)  # FedEx keys nothing: writes rely on idempotent


def test_every_capability_has_its_calls_checked() -> None:
    assert {op.value for op in FedEx.capabilities} == set(CALLS)


def test_writes_correlate_by_our_reference_and_void_by_the_labels() -> None:
    carrier = FedEx(ACCOUNT)
    assert _first_call(carrier.void(label())).request.headers["x-customer-transaction-id"] == "ORDER-1001"
    unreferenced = label().model_copy(update={"reference": None})
    call = _first_call(carrier.void(unreferenced))
    assert call.reference is None
    assert call.request.headers["x-customer-transaction-id"]  # a fresh id stands in
    assert _first_call(carrier.schedule_pickup(pickup_request())).request.headers[
        "x-customer-transaction-id"] == "PICKUP-7"


def test_reads_get_a_fresh_correlation_id() -> None:
    carrier = FedEx(ACCOUNT)
    first, second = (_first_call(carrier.track("794612345670")) for _ in range(2))
    assert first.request.headers["x-customer-transaction-id"] != second.request.headers["x-customer-transaction-id"]


def test_documents_follow_a_base_url_override() -> None:
    account = ACCOUNT.model_copy(update={"base_url": "http://proxy.invalid/fedex"})
    assert account.documents_url() == "http://proxy.invalid/fedex"
    production = ACCOUNT.model_copy(update={"environment": "production"})
    assert production.documents_url() == "https://documentapi.prod.fedex.com"


# -- parses ----------------------------------------------------------------------------------------
def test_parse_rate_bills_the_account_rate_with_taxes() -> None:
    quotes = rate.parse_rate(response("rate_response.json"), carrier="fedex")
    assert [q.service_code for q in quotes] == ["FEDEX_INTERNATIONAL_PRIORITY", "FEDEX_FUTURE_SERVICE"]
    priority, future = quotes
    assert priority.total == cg.Money("170.67", "USD")
    assert priority.service_name == "FedEx International Priority®"  # FedEx's own serviceName, not our table
    assert priority.transit_days == 3
    assert priority.estimated_delivery == datetime.fromisoformat("2030-03-05T10:30:00-08:00")
    kinds = [(c.kind, c.name, c.amount.amount) for c in priority.charges]
    assert kinds == [("base", "Base charge", Decimal("128.52")), ("fuel", "Fuel Surcharge", Decimal("22.75")),
                     ("insurance", "Insured value", Decimal("4.50")),
                     ("surcharge", "Residential delivery", Decimal("2.50")), ("tax", "Import VAT", Decimal("12.40"))]
    assert priority.billed_weight == "3.0 KG"
    # An unknown service keeps FedEx's own name; LIST is used when no ACCOUNT rate is given.
    assert future.service_name == "FedEx Future Service"
    assert future.total == cg.Money("66.00", "USD")
    assert future.transit_days == 6
    assert future.estimated_delivery is None


def test_parse_rate_keeps_only_requested_services() -> None:
    quotes = rate.parse_rate(response("rate_response.json"), carrier="fedex", services=["FEDEX_FUTURE_SERVICE"])
    assert [q.service_code for q in quotes] == ["FEDEX_FUTURE_SERVICE"]


def test_parse_ship_multi_piece() -> None:
    parsed = label()
    assert parsed.tracking_number == "794612345670"
    assert parsed.tracking_numbers == ["794612345670", "794612345681"]
    assert parsed.label == b"%PDF-1.4\n% piece 1\n%%EOF\n"
    assert parsed.package_labels[1] == b"%PDF-1.4\n% piece 2\n%%EOF\n"
    assert parsed.total == cg.Money("170.67", "USD")
    assert {c.code for c in parsed.charges} >= {"FUEL", "INSURED_VALUE", "VAT"}
    assert parsed.carrier_data == {"account_number": "740561073", "tracking_number": "794612345670",
                                   "service_type": "FEDEX_INTERNATIONAL_PRIORITY", "ship_date": "2030-03-02"}
    assert parsed.reference == "ORDER-1001"
    # The request asked for ZPL, but FedEx states (docType) and sends PDF: the reply's format wins.
    assert parsed.label_format == "PDF"


def test_parse_etd_upload() -> None:
    assert etd.parse_upload(response("etd_upload_response.json", 201), carrier="fedex") == "090493e181586308"


def test_parse_void() -> None:
    void.parse_void(response("cancel_response.json"), carrier="fedex")  # no error: cancelled
    with pytest.raises(cg.CarrierError) as info:
        void.parse_void(response("cancel_refused.json"), carrier="fedex")
    assert info.value.code == "SHIPMENT.CANCEL.NOTALLOWED"
    assert info.value.request_id == "a1b2c3d4-0000-4000-8000-000000000002"


def test_parse_pickup_and_cancel() -> None:
    booked = parsed_pickup()
    assert booked.confirmation_number == "7"
    assert booked.carrier_data == {"scheduled_date": "2099-03-02", "carrier_code": "FDXE", "country": "US",
                                   "location": "LAXA"}
    assert booked.ready_at == WINDOW_START
    pickup.parse_cancel_pickup(response("cancel_pickup_response.json"), carrier="fedex")  # no error: cancelled


def test_parse_track_delivered() -> None:
    info = track.parse_track(response("track_response.json"), carrier="fedex", tracking_number="794612345670")
    assert info.status is cg.TrackingStatus.DELIVERED
    assert info.raw_status == "DL"
    assert info.delivered_at == datetime.fromisoformat("2030-03-05T10:12:00-08:00")
    assert info.estimated_delivery == datetime.fromisoformat("2030-03-05T12:00:00-08:00")
    assert [(e.code, e.status.value) for e in info.events] == [
        ("DL", "delivered"), ("OD", "out_for_delivery"),  # OD (derivedStatusCode IT): the event type wins
        ("CD", "exception"), ("PU", "in_transit"), ("OC", "pre_transit")]
    assert info.events[1].codes == {"eventType": "OD", "derivedStatusCode": "IT"}
    assert all(e.occurred_at.tzinfo is not None for e in info.events)
    assert info.events[0].location == "LOS ANGELES, CA, US"
    assert info.events[2].description == "Clearance delay: Import documentation review"


def test_parse_track_unknown_number_is_not_found() -> None:
    with pytest.raises(cg.NotFound) as info:
        track.parse_track(response("track_not_found.json"), carrier="fedex", tracking_number="123456789012")
    assert info.value.code == "TRACKING.TRACKINGNUMBER.NOTFOUND"
    assert info.value.request_id == "d0d0d0d0-3333-4444-8555-666677778888"


@pytest.mark.parametrize(("name", "status", "kind", "code"), [
    ("error_400.json", 400, cg.CarrierError, "SERVICE.PACKAGECOMBINATION.INVALID"),
    ("error_401.json", 401, cg.AuthenticationError, "NOT.AUTHORIZED.ERROR"),
    ("error_401.json", 400, cg.AuthenticationError, "NOT.AUTHORIZED.ERROR"),
    ("error_400.json", 503, cg.CarrierUnavailable, "SERVICE.PACKAGECOMBINATION.INVALID"),
])
def test_errors_are_typed_with_fedex_code_and_message(name: str, status: int, kind: type[cg.CarrierError],
                                                      code: str) -> None:
    with pytest.raises(kind) as info:
        rate.parse_rate(response(name, status), carrier="fedex")
    assert info.value.code == code
    assert info.value.http_status == status
    assert info.value.message == fixture(name)["errors"][0]["message"]
    assert info.value.request_id == fixture(name)["transactionId"]


@pytest.mark.parametrize("body", [b"<html>bad gateway</html>", b'{"output": []}', b"[]", b'{"output": {}}'])
def test_unexpected_bodies_become_malformed_response(body: bytes) -> None:
    for parse in (lambda r: track.parse_track(r, carrier="fedex", tracking_number="1"),
                  lambda r: ship.parse_ship(r, carrier="fedex", request=international_ship(), account_number="1"),
                  lambda r: pickup.parse_pickup(r, carrier="fedex", request=pickup_request(), carrier_code="FDXE")):
        with pytest.raises(cg.MalformedResponse):
            parse(httpx.Response(200, content=body))
    if body == b'{"output": {}}':
        assert rate.parse_rate(httpx.Response(200, content=body), carrier="fedex") == []
    else:
        with pytest.raises(cg.MalformedResponse):
            rate.parse_rate(httpx.Response(200, content=body), carrier="fedex")


@settings(max_examples=150, deadline=None)
@given(body=_json, status=st.sampled_from([200, 400, 401, 500]))
def test_parsers_never_crash_on_arbitrary_json(body: Any, status: int) -> None:
    raw = httpx.Response(status, content=json.dumps(body).encode())
    for parse in (lambda r: rate.parse_rate(r, carrier="fedex"),
                  lambda r: track.parse_track(r, carrier="fedex", tracking_number="1"),
                  lambda r: track.parse_track_many(r, carrier="fedex", tracking_numbers=["1", "2"]),
                  lambda r: lookup.parse_find(r, carrier="fedex", reference="R"),
                  lambda r: ship.parse_ship(r, carrier="fedex", request=international_ship(),
                                            account_number="740561073"),
                  lambda r: void.parse_void(r, carrier="fedex")):
        carrier = None
        try:
            parse(raw)
        except cg.CarrierError as err:  # the only kind of failure a parser may raise
            carrier = err.carrier
        assert carrier in (None, "fedex")
