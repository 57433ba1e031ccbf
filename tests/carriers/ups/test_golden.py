"""UPS golden tests: every request body we build is compared with the JSON written out under
fixtures/ups, and every UPS answer there parses into exact domain objects (to the cent)."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.ups import UPS
from carriergate.carriers.ups.paperless import build_upload, parse_upload
from carriergate.carriers.ups.pickup import build_cancel_pickup, build_pickup, parse_cancel_pickup, parse_pickup
from carriergate.carriers.ups.rate import build_rate, parse_rate, request_option
from carriergate.carriers.ups.ship import build_ship, parse_ship
from carriergate.carriers.ups.track import build_track, parse_track
from carriergate.carriers.ups.void import build_void, parse_void

from support.shipments import los_angeles
from support.ups_samples import (
    ACCOUNT,
    BASE_URL,
    INVOICE,
    PDT,
    SHIP_DAY,
    TRANS_ID,
    answer,
    cn_to_us,
    domestic_us,
    fixture,
    new_york,
    pickup_request,
    sent,
    shipment,
    usd,
    with_tax_indicator,
)


# -- requests --------------------------------------------------------------------------------------
def assert_request(http: httpx.Request, method: str, path: str, **extra_headers: str) -> None:
    """Method, URL and the headers every UPS request carries (plus ``extra_headers``)."""
    assert (http.method, str(http.url.copy_with(query=None))) == (method, f"{BASE_URL}/api/{path}")
    assert http.headers["transid"] == TRANS_ID
    assert http.headers["transactionsrc"] == "carriergate"
    assert http.headers["accept"] == "application/json"
    if method == "POST":
        assert http.headers["content-type"] == "application/json"
    for name, value in extra_headers.items():
        assert http.headers[name] == value


def test_rate_request_domestic_shop_with_transit_times() -> None:
    request = domestic_us()
    assert request_option(request, ACCOUNT) == "Shoptimeintransit"
    http = build_rate(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert_request(http, "POST", "rating/v2409/Shoptimeintransit")
    assert sent(http) == with_tax_indicator(fixture("rate_request_domestic.json"))


def test_rate_request_one_service_uses_rate_option() -> None:
    request = cn_to_us(services=["65"])
    assert request_option(request, ACCOUNT) == "Ratetimeintransit"
    http = build_rate(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert_request(http, "POST", "rating/v2409/Ratetimeintransit")
    assert sent(http) == with_tax_indicator(fixture("rate_request_cn_us.json"))


def test_ship_request_international_with_customs_insurance_and_paperless_invoice() -> None:
    http = build_ship(shipment(cn_to_us(), signature="signature", documents=[INVOICE]), ACCOUNT, base_url=BASE_URL,
                      trans_id=TRANS_ID, today=SHIP_DAY, document_ids=["2099-05-04-00.00.00.000001"])
    assert_request(http, "POST", "shipments/v2409/ship")
    assert sent(http) == with_tax_indicator(fixture("ship_request_cn_us.json"))


def test_ship_request_domestic_puts_signature_and_reference_on_packages() -> None:
    http = build_ship(shipment(domestic_us(), signature="adult_signature"), ACCOUNT, base_url=BASE_URL,
                      trans_id=TRANS_ID, today=SHIP_DAY)
    assert_request(http, "POST", "shipments/v2409/ship")
    assert sent(http) == with_tax_indicator(fixture("ship_request_domestic.json"))


def test_paperless_upload_request() -> None:
    http = build_upload([INVOICE], ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, reference="ORDER-2002")
    assert_request(http, "POST", "paperlessdocuments/v2/upload", shippernumber="A1B2C3")
    assert sent(http) == fixture("paperless_request.json")


def test_pickup_request_uses_the_windows_local_time() -> None:
    http = build_pickup(pickup_request(), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert_request(http, "POST", "pickupcreation/v2409/pickup")
    assert sent(http) == fixture("pickup_request.json")


def test_void_cancel_pickup_and_track_requests() -> None:
    label = cg.Label(carrier="ups", tracking_number="1ZA1B2C30312345675", label=b"x", label_format="GIF",
                     carrier_data={"shipment_id": "1ZA1B2C36512345678"})
    void = build_void(label, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert_request(void, "DELETE", "shipments/v2409/void/cancel/1ZA1B2C36512345678")
    without_id = label.model_copy(update={"carrier_data": {}})  # the tracking number stands for the shipment
    assert build_void(without_id, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID).url.path.endswith(
        "/void/cancel/1ZA1B2C30312345675")
    booked = cg.Pickup(carrier="ups", confirmation_number="2929602E9CP", carrier_data={"prn": "2929602E9CP"})
    cancel = build_cancel_pickup(booked, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert_request(cancel, "DELETE", "shipments/v2409/pickup/02", prn="2929602E9CP")
    track = build_track(" 1za1b2c30312345675 ", ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert_request(track, "GET", "track/v1/details/1ZA1B2C30312345675")
    assert dict(track.url.params) == {"locale": "en_US", "returnSignature": "false", "returnMilestones": "false",
                                      "returnPOD": "false"}
    assert (void.content, cancel.content, track.content) == (b"", b"", b"")


# -- answers ---------------------------------------------------------------------------------------
def test_rate_response_negotiated_totals_and_charges() -> None:
    quotes = parse_rate(answer("rate_response_domestic.json"), carrier="ups", insured=True)
    assert [q.service_code for q in quotes] == ["03", "02", "93"]
    ground, second_day, early = quotes
    assert ground == cg.Quote(
        carrier="ups", service_code="03", service_name="UPS Ground", total=usd("19.80"), transit_days=4,
        estimated_delivery=date(2099, 5, 10), billed_weight="8.0 LBS",
        charges=[cg.Charge(kind="base", name="Transportation", amount=usd("15.20")),
                 cg.Charge(kind="fuel", name="Fuel surcharge", amount=usd("2.28"), code="375"),
                 cg.Charge(kind="surcharge", name="Residential surcharge", amount=usd("5.10"), code="270"),
                 cg.Charge(kind="insurance", name="Declared value", amount=usd("2.10")),
                 cg.Charge(kind="discount", name="Negotiated discount", amount=usd("-4.88"))],
        warnings=[cg.Notice(message="Your invoice may vary from the displayed reference rates", code="110971")])
    # published total with taxes when there is no negotiated rate; one ItemizedCharges object, not a list
    assert second_day.total == usd("36.24")
    assert [(c.kind, c.name, c.amount) for c in second_day.charges] == [
        ("base", "Transportation", usd("27.00")), ("fuel", "Fuel surcharge", usd("4.05")),
        ("insurance", "Declared value", usd("2.10")), ("tax", "Tax VAT", usd("3.09"))]
    # unknown service code kept with a readable name; guaranteed days when no TimeInTransit
    assert (early.service_name, early.total, early.transit_days) == ("UPS service 93", usd("88.10"), 1)
    assert sum((c.amount.amount for c in early.charges), Decimal(0)) == Decimal("88.10")


def test_rate_response_single_rated_shipment_object_and_service_filter() -> None:
    quotes = parse_rate(answer("rate_response_single.json"), carrier="ups-eu", services=["65"])
    assert len(quotes) == 1
    assert quotes[0].carrier == "ups-eu"
    assert (quotes[0].service_code, quotes[0].service_name, quotes[0].total) == (
        "65", "UPS Worldwide Saver", cg.Money("512.40", "CNY"))
    assert quotes[0].charges == [cg.Charge(kind="base", name="Transportation", amount=cg.Money("512.40", "CNY"))]
    assert parse_rate(answer("rate_response_single.json"), carrier="ups", services=["07"]) == []


def test_ship_response_single_package_object() -> None:
    label = parse_ship(answer("ship_response_cn_us.json"), carrier="ups", label_format="GIF", reference="ORDER-2002",
                       insured=True)
    assert label.tracking_number == "1ZA1B2C36512345678"
    assert label.tracking_numbers == ["1ZA1B2C36512345678"]
    assert label.label == b"GIF89a-label-1"
    assert label.package_labels == [b"GIF89a-label-1"]
    assert label.carrier_data == {"shipment_id": "1ZA1B2C36512345678"}
    assert label.total == cg.Money("461.16", "CNY")
    assert [(c.kind, c.amount.amount) for c in label.charges] == [
        ("base", Decimal("450.00")), ("fuel", Decimal("57.40")), ("insurance", Decimal("5.00")),
        ("discount", Decimal("-51.24"))]
    assert label.reference == "ORDER-2002"


def test_ship_response_multi_piece() -> None:
    label = parse_ship(answer("ship_response_domestic.json"), carrier="ups", label_format="ZPL")
    assert label.tracking_numbers == ["1ZA1B2C30312345675", "1ZA1B2C30312345684"]
    assert label.package_labels == [b"^XA^FDone^XZ", b"^XA^FDtwo^XZ"]
    assert label.total == usd("24.50")  # published, no negotiated rate
    assert label.carrier_data["shipment_id"] == "1ZA1B2C30312345675"


def test_paperless_void_and_pickup_answers() -> None:
    assert parse_upload(answer("paperless_response.json"), carrier="ups") == ["2099-05-04-00.00.00.000001"]
    parse_void(answer("void_response.json"), carrier="ups")  # no error: voided
    pickup = parse_pickup(answer("pickup_response.json"), carrier="ups", request=pickup_request())
    assert pickup == cg.Pickup(carrier="ups", confirmation_number="2929602E9CP", total=usd("7.81"),
                               ready_at=datetime(2099, 5, 5, 9, 30, tzinfo=PDT),
                               close_at=datetime(2099, 5, 5, 17, 30, tzinfo=PDT),
                               carrier_data={"prn": "2929602E9CP", "pickup_date": "20990505"})
    parse_cancel_pickup(answer("pickup_cancel_response.json"), carrier="ups")  # no error: cancelled


def test_void_not_voided_is_an_error() -> None:
    body = {"VoidShipmentResponse": {"Response": {"ResponseStatus": {"Code": "1"}},
                                     "SummaryResult": {"Status": {"Code": "0", "Description": "Not Voided"}}}}
    with pytest.raises(cg.CarrierError, match="Not Voided"):
        parse_void(httpx.Response(200, json=body), carrier="ups")


def test_track_delivered_package() -> None:
    info = parse_track(answer("track_response_delivered.json"), carrier="ups", tracking_number="1ZA1B2C30312345675")
    S = cg.TrackingStatus
    assert (info.status, info.raw_status) == (S.DELIVERED, "011")
    assert info.delivered_at == datetime(2099, 5, 7, 14, 2, 11, tzinfo=PDT)
    assert info.estimated_delivery == date(2099, 5, 7)
    assert [(e.status, e.code) for e in info.events] == [
        (S.DELIVERED, "011"), (S.OUT_FOR_DELIVERY, "021"), (S.DELIVERY_ATTEMPTED, "048"), (S.IN_TRANSIT, "005"),
        (S.IN_TRANSIT, "I"), (S.PRE_TRANSIT, "003")]
    first, no_offset = info.events[0], info.events[-1]
    assert first.location == "Los Angeles, CA, US"
    assert first.description == "DELIVERED"
    assert info.events[-2].occurred_at == datetime(2099, 5, 5, 23, 4, 0, tzinfo=UTC)  # gmtDate/gmtTime only
    assert no_offset.occurred_at == datetime(2099, 5, 4, 18, 0, 5, tzinfo=UTC)  # no zone given: read as UTC


@pytest.mark.parametrize(("name", "status"), [("track_not_found_warning.json", 200),
                                              ("track_not_found_error.json", 404)])
def test_track_unknown_number_is_not_found(name: str, status: int) -> None:
    with pytest.raises(cg.NotFound) as caught:
        parse_track(answer(name, status), carrier="ups", tracking_number="1Z0000000000000000")
    assert caught.value.code in ("TW0001", "151018")


def test_error_bodies_become_typed_errors() -> None:
    with pytest.raises(cg.AuthenticationError) as auth:
        parse_rate(answer("error_auth.json", 401), carrier="ups")
    assert (auth.value.code, auth.value.message) == ("250002", "Invalid Authentication Information.")
    with pytest.raises(cg.CarrierError) as bad:
        parse_ship(answer("error_ship.json", 400), carrier="ups", label_format="GIF")
    assert type(bad.value) is cg.CarrierError
    assert bad.value.code == "120802"
    assert bad.value.http_status == 400
    with pytest.raises(cg.RateLimited):
        parse_rate(httpx.Response(429, json={"response": {"errors": [{"code": "10429", "message": "Too Many"}]}}),
                   carrier="ups")
    with pytest.raises(cg.MalformedResponse):
        parse_rate(httpx.Response(200, json={"RateResponse": {"RatedShipment": [{"Service": {}}]}}), carrier="ups")


# -- validation before anything is sent ------------------------------------------------------------
@pytest.mark.parametrize(("change", "field"), [
    ({"label_format": "PDF"}, "label_format"),
    ({"reference": "R" * 40}, "reference"),
])
def test_ship_validation(change: dict[str, Any], field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        build_ship(shipment(domestic_us(), **change), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY)
    assert caught.value.field == field
    if field == "label_format":
        assert "GIF, ZPL, EPL" in caught.value.reason


def test_flow_validates_before_the_first_call() -> None:
    carrier = UPS(ACCOUNT, alias="ups-us")
    flow = carrier.ship(shipment(domestic_us(), label_format="PDF"))
    with pytest.raises(cg.ValidationError) as caught:
        next(flow)
    assert caught.value.carrier == "ups-us"
    heavy = cg.RateRequest(origin=new_york(), destination=los_angeles(),
                           parcels=[cg.Parcel(weight=cg.Weight(71, "kg"))])
    with pytest.raises(cg.ValidationError, match="70 kg"):
        next(carrier.rate(heavy))


def test_us_state_names_become_codes_and_are_required() -> None:
    origin = new_york().model_copy(update={"state": "New York"})
    http = build_rate(domestic_us().model_copy(update={"origin": origin}), ACCOUNT, base_url=BASE_URL,
                      trans_id=TRANS_ID)
    assert sent(http)["RateRequest"]["Shipment"]["Shipper"]["Address"]["StateProvinceCode"] == "NY"
    with pytest.raises(cg.ValidationError) as caught:
        build_rate(domestic_us().model_copy(update={"origin": new_york().model_copy(update={"state": None})}),
                   ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert caught.value.field == "origin.state"


def test_insurance_split_across_packages_in_minor_units() -> None:
    request = domestic_us().model_copy(update={"insurance": usd("100.00"), "parcels": [cg.Parcel(
        weight=cg.Weight(1, "kg"))] * 3})
    http = build_rate(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    packages = sent(http)["RateRequest"]["Shipment"]["Package"]
    assert [p["PackageServiceOptions"]["DeclaredValue"]["MonetaryValue"] for p in packages] == [
        "33.34", "33.33", "33.33"]


def test_label_bytes_are_decoded() -> None:
    raw = base64.b64decode(fixture("ship_response_cn_us.json")["ShipmentResponse"]["ShipmentResults"][
        "PackageResults"]["ShippingLabel"]["GraphicImage"])
    assert raw == b"GIF89a-label-1"
