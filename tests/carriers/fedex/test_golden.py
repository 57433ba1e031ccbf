"""FedEx golden tests: every build function against a reviewed request body, every parse function
against a payload authored in FedEx's documented format (fixtures/fedex)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.fedex import FedEx, cancel, etd, pickup, rate, ship, track
from carriergate.carriers.fedex.payload import split

from support.fedex_samples import (
    ACCOUNT,
    GOLDEN_BUILDS,
    WINDOW_START,
    _first_call,
    _json,
    domestic_us,
    fixture,
    international_ship,
    label,
    memphis,
    parsed_pickup,
    pickup_request,
    response,
    ship_request,
)
from support.shipments import international_request


# -- builds ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(GOLDEN_BUILDS))
def test_build_matches_golden_body(name: str) -> None:
    assert GOLDEN_BUILDS[name]() == fixture(name)


def test_rate_asks_one_service_only_when_exactly_one_is_named() -> None:
    one = domestic_us().model_copy(update={"services": ["FEDEX_2_DAY"]})
    two = domestic_us().model_copy(update={"services": ["FEDEX_2_DAY", "FEDEX_GROUND"]})
    assert rate.build_rate(ACCOUNT, one)["requestedShipment"]["serviceType"] == "FEDEX_2_DAY"
    assert "serviceType" not in rate.build_rate(ACCOUNT, two)["requestedShipment"]


def test_declared_value_split_sums_exactly() -> None:
    shares = split(cg.Money("100.00", "USD"), 3)
    assert [s.amount for s in shares] == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]
    assert sum(s.amount for s in shares) == Decimal("100.00")


def test_ship_international_carries_customs_paperless_and_reference() -> None:
    body = ship.build_ship(ACCOUNT, international_ship(), ["DOC-9"])["requestedShipment"]
    customs = body["customsClearanceDetail"]
    assert customs["commodities"][0]["harmonizedCode"] == "610910"
    assert customs["totalCustomsValue"] == {"amount": 240, "currency": "USD"}
    assert body["shipmentSpecialServices"]["etdDetail"]["attachedDocuments"][0]["documentId"] == "DOC-9"
    assert body["labelSpecification"]["imageType"] == "ZPLII"
    package = body["requestedPackageLineItems"][0]
    assert package["customerReferences"] == [{"customerReferenceType": "CUSTOMER_REFERENCE", "value": "ORDER-1001"}]
    assert package["packageSpecialServices"]["signatureOptionType"] == "ADULT"


def test_us_export_under_eei_threshold_gets_the_exemption_statement() -> None:
    export = cg.RateRequest(origin=memphis(), destination=international_request().origin,
                            parcels=[cg.Parcel(weight=cg.Weight("2", "kg"))],
                            customs=international_request().customs)
    body = ship.build_ship(ACCOUNT, ship_request(export, service="INTERNATIONAL_ECONOMY"))
    assert body["requestedShipment"]["customsClearanceDetail"]["exportDetail"] == {
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
    with pytest.raises(cg.ValidationError) as info:
        _first_call(carrier.ship(cg.ShipRequest(**data)))
    assert info.value.field == field


def test_ship_flow_uploads_documents_before_the_shipment() -> None:
    carrier = FedEx(ACCOUNT)
    flow = carrier.ship(international_ship())
    upload = _first_call(flow)
    assert upload.request.url == "https://documentapitest.prod.fedex.com/sandbox/documents/v1/etds/upload"
    assert b'name="attachment"' in upload.request.read()
    assert b"%PDF-1.4 invoice" in upload.request.content
    shipment = flow.send("090493e181586308")
    assert shipment.request.url == "https://apis-sandbox.fedex.com/ship/v1/shipments"
    assert shipment.idempotent is False
    assert shipment.reference == "ORDER-1001"
    assert shipment.request.headers["x-customer-transaction-id"] == "ORDER-1001"
    assert json.loads(shipment.request.content) == fixture("ship_request_international.json")


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
    assert priority.service_name == "FedEx International Priority"
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
    assert parsed.label_format == "ZPL"


def test_parse_etd_upload() -> None:
    assert etd.parse_upload(response("etd_upload_response.json", 201), carrier="fedex") == "090493e181586308"


def test_parse_cancel() -> None:
    cancel.parse_cancel(response("cancel_response.json"), carrier="fedex")  # no error: cancelled
    with pytest.raises(cg.CarrierError) as info:
        cancel.parse_cancel(response("cancel_refused.json"), carrier="fedex")
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
        ("DL", "delivered"), ("OD", "in_transit"), ("CD", "exception"), ("PU", "in_transit"), ("OC", "pre_transit")]
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
                  lambda r: cancel.parse_cancel(r, carrier="fedex")):
        carrier = None
        try:
            parse(raw)
        except cg.CarrierError as err:  # the only kind of failure a parser may raise
            carrier = err.carrier
        assert carrier in (None, "fedex")
