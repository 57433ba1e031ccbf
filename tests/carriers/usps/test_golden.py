"""USPS golden tests: every build function against a reviewed request under fixtures/usps, every
parse function against a payload authored in USPS's documented format (the shapes and examples of
its v3 OpenAPI files), and the idempotency key's derivation."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.usps import auth, endpoints, pickup, rate, ship, track, void
from carriergate.core.tracking import TrackingStatus

from support.usps_samples import (
    BASE_URL,
    PDF,
    TODAY,
    account,
    body,
    fixture,
    json_label,
    multipart_label,
    response,
    ship_request,
    us_domestic_request,
    us_international_request,
    washington,
)

START = datetime(2026, 12, 7, 9, tzinfo=timezone(timedelta(hours=-5)))


def pickup_request() -> cg.PickupRequest:
    return cg.PickupRequest(address=washington(), window=cg.PickupWindow(start=START, end=START + timedelta(hours=6)),
                            parcel_count=2, total_weight=cg.Weight("5", "kg"), reference="PICKUP-1",
                            instructions="Ring the bell")


def international_ship() -> cg.ShipRequest:
    return ship_request(us_international_request(), service="PRIORITY_MAIL_INTERNATIONAL", reference="ORDER-2002")


# -- builds ---------------------------------------------------------------------------------------

def test_rate_request_is_the_reviewed_total_rates_search() -> None:
    http = rate.build_rate(us_domestic_request(), account(), base_url=BASE_URL, today=TODAY)
    assert (http.method, str(http.url)) == ("POST", f"{BASE_URL}/prices/v3/total-rates/search")
    assert body(http) == fixture("rate_request.json")


def test_an_uninsured_rate_asks_for_no_extra_service() -> None:
    sent = body(rate.build_rate(us_domestic_request(insured=None), account(), base_url=BASE_URL, today=TODAY))
    assert "extraServices" not in sent
    assert "itemValue" not in sent


def test_insurance_above_500_usd_is_extra_service_931() -> None:
    sent = body(rate.build_rate(us_domestic_request(insured="750.00"), account(), base_url=BASE_URL, today=TODAY))
    assert sent["extraServices"] == [931]
    assert sent["itemValue"] == 750


def test_domestic_label_request_is_the_reviewed_one_with_json_accept_and_key() -> None:
    http = ship.build_ship(ship_request(), account(), base_url=BASE_URL, today=TODAY)
    assert (http.method, str(http.url)) == ("POST", f"{BASE_URL}/labels/v3/label")
    assert body(http) == fixture("label_request.json")
    assert http.headers["accept"] == "application/vnd.usps.labels+json"
    assert http.headers["x-idempotency-key"] == endpoints.idempotency_key(account(), "ORDER-1001")
    assert "x-payment-authorization-token" not in http.headers  # added by the label auth flow


def test_international_label_request_is_the_reviewed_one_with_its_customs_form() -> None:
    http = ship.build_ship(international_ship(), account(), base_url=BASE_URL, today=TODAY)
    assert str(http.url) == f"{BASE_URL}/international-labels/v3/international-label"
    assert body(http) == fixture("international_label_request.json")
    assert http.headers["x-idempotency-key"] == endpoints.idempotency_key(account(), "ORDER-2002")


def test_zpl_labels_are_asked_as_zpl203dpi() -> None:
    http = ship.build_ship(ship_request(label_format="ZPL"), account(), base_url=BASE_URL, today=TODAY)
    assert body(http)["imageInfo"]["imageType"] == "ZPL203DPI"


def test_pickup_request_is_the_reviewed_one() -> None:
    http = pickup.build_pickup(pickup_request(), base_url=BASE_URL)
    assert (http.method, str(http.url)) == ("POST", f"{BASE_URL}/pickup/v3/carrier-pickup")
    assert body(http) == fixture("pickup_request.json")


def test_payment_authorization_request_names_the_payer_and_the_label_owner() -> None:
    http = auth.build_payment_authorization(account(), base_url=BASE_URL)
    assert (http.method, str(http.url)) == ("POST", f"{BASE_URL}/payments/v3/payment-authorization")
    assert body(http) == fixture("payment_authorization_request.json")


def test_a_permit_payer_sends_its_permit_number_and_zip() -> None:
    permit = account(account_type="PERMIT", account_number=None, permit_number="123456789", permit_zip="20024")
    [payer, _] = body(auth.build_payment_authorization(permit, base_url=BASE_URL))["roles"]
    assert payer == {"roleName": "PAYER", "CRID": "56982563", "MID": "899744131", "manifestMID": "899744131",
                     "accountType": "PERMIT", "permitNumber": "123456789", "permitZIP": "20024"}


def test_void_track_and_pickup_paths() -> None:
    domestic = ship.parse_ship(response("label_response.json", content_type="application/vnd.usps.labels+json"),
                               carrier="usps", label_format="PDF", reference="R", international=False)
    abroad = ship.parse_ship(response("international_label_response.json"), carrier="usps", label_format="PDF",
                             reference="R", international=True)
    number = domestic.tracking_number
    assert str(void.build_void(domestic, base_url=BASE_URL).url) == f"{BASE_URL}/labels/v3/label/{number}"
    assert str(void.build_void(abroad, base_url=BASE_URL).url) == \
        f"{BASE_URL}/international-labels/v3/international-label/LZ000012162US"
    assert void.build_void(domestic, base_url=BASE_URL).method == "DELETE"
    http = track.build_track("9205590175547700000001", base_url=BASE_URL)
    assert str(http.url) == f"{BASE_URL}/tracking/v3/tracking/9205590175547700000001?expand=DETAIL"
    booked = cg.Pickup(carrier="usps", confirmation_number="WTC123456789")
    cancel = pickup.build_cancel_pickup(booked, '"etag-1"', base_url=BASE_URL)
    assert (cancel.method, str(cancel.url)) == ("DELETE", f"{BASE_URL}/pickup/v3/carrier-pickup/WTC123456789")
    assert cancel.headers["if-match"] == '"etag-1"'
    assert pickup.build_pickup_lookup(booked, base_url=BASE_URL).method == "GET"


# -- the idempotency key --------------------------------------------------------------------------

def test_the_idempotency_key_is_a_uuid_fixed_by_account_and_reference() -> None:
    key = endpoints.idempotency_key(account(), "ORDER-1001")
    assert uuid.UUID(key).version == 5
    assert key == endpoints.idempotency_key(account(), "ORDER-1001")
    assert key != endpoints.idempotency_key(account(), "ORDER-1002")
    assert key != endpoints.idempotency_key(account(crid="11111111"), "ORDER-1001")
    assert key != endpoints.idempotency_key(account(mid="123456"), "ORDER-1001")
    assert key == endpoints.idempotency_key(account(client_secret="another-secret"), "ORDER-1001")  # no secret in it


# -- parses ---------------------------------------------------------------------------------------

def test_rates_keep_the_cheapest_option_of_each_mail_class_with_insurance() -> None:
    quotes = rate.parse_rate(response("rate_response.json"), carrier="usps", insured=True)
    by_class = {q.service_code: q for q in quotes}
    assert set(by_class) == {"USPS_GROUND_ADVANTAGE", "PRIORITY_MAIL"}
    ground = by_class["USPS_GROUND_ADVANTAGE"]
    assert ground.total == cg.Money("16.50", "USD")
    assert [(c.kind, c.amount.amount) for c in ground.charges] == [
        ("base", Decimal("10.25")), ("surcharge", Decimal("0.75")), ("insurance", Decimal("5.50"))]
    assert by_class["PRIORITY_MAIL"].total == cg.Money("22.80", "USD")  # the free 920 tracking adds nothing
    assert by_class["PRIORITY_MAIL"].service_name == "Priority Mail"


def test_uninsured_rates_are_the_base_price() -> None:
    quotes = rate.parse_rate(response("rate_response.json"), carrier="usps", insured=False)
    assert {q.service_code: q.total.amount for q in quotes} == {"USPS_GROUND_ADVANTAGE": Decimal("11.00"),
                                                                "PRIORITY_MAIL": Decimal("17.30")}
    assert all(c.kind != "insurance" for q in quotes for c in q.charges)


def test_the_spec_example_of_total_rates_parses() -> None:
    example = {"rateOptions": [{"totalBasePrice": 9.17, "totalPrice": 9.17, "rates": [
        {"priceType": "COMMERCIAL", "price": 7.17, "mailClass": "USPS_CONNECT_LOCAL",
         "fees": [{"name": "Nonstandard Length > 22", "SKU": "D811XVUXXXX0000", "price": 2.0}]}]}]}
    [quote] = rate.parse_rate(httpx.Response(200, json=example), carrier="usps")
    assert (quote.service_code, quote.total) == ("USPS_CONNECT_LOCAL", cg.Money("9.17", "USD"))


def test_a_json_label_is_read_with_its_image_postage_and_key() -> None:
    label = ship.parse_ship(response("label_response.json", content_type="application/vnd.usps.labels+json"),
                            carrier="usps", label_format="PDF", reference="ORDER-1001", international=False, key="k-1")
    assert label.tracking_number == "9205590175547700000001"
    assert label.label == PDF
    assert label.total == cg.Money("16.50", "USD")
    assert [(c.kind, c.amount.amount) for c in label.charges] == [("base", Decimal("11.00")),
                                                                  ("insurance", Decimal("5.50"))]
    assert label.carrier_data == {"international": "false", "idempotency_key": "k-1", "mailing_date": "2026-12-03"}
    assert label.reference == "ORDER-1001"


def test_the_multipart_default_answer_is_read_too() -> None:
    label = ship.parse_ship(multipart_label(), carrier="usps", label_format="PDF", reference="R", international=False)
    assert label.tracking_number == "9205590175547700000001"
    assert label.label == PDF  # Base64 across lines, its Content-Encoding header ignored as USPS says
    assert label.total == cg.Money("14.85", "USD")
    assert json_label().status_code == 200


def test_an_international_label_is_read_from_its_own_fields() -> None:
    label = ship.parse_ship(response("international_label_response.json"), carrier="usps", label_format="PDF",
                            reference="ORDER-2002", international=True)
    assert label.tracking_number == "LZ000012162US"
    assert label.total == cg.Money("73.45", "USD")
    assert label.carrier_data["international"] == "true"
    assert label.charges[1].kind == "insurance"
    assert label.charges[1].code == "930"


@pytest.mark.parametrize("name", ["cancel_response.json", "refund_response.json"])
def test_a_cancel_or_a_refund_request_is_a_void(name: str) -> None:
    void.parse_void(response(name), carrier="usps")  # no error: the postage comes back


def test_an_unknown_status_of_a_cancel_is_malformed() -> None:
    with pytest.raises(cg.MalformedResponse):
        void.parse_void(httpx.Response(200, json={"status": "PENDING"}), carrier="usps")


def test_a_pickup_confirmation_and_its_etag() -> None:
    booked = pickup.parse_pickup(response("pickup_response.json"), carrier="usps", request=pickup_request())
    assert booked.confirmation_number == "WTC123456789"
    assert booked.ready_at == START
    assert booked.carrier_data == {"pickup_date": "2026-12-07"}
    got = pickup.parse_pickup_etag(response("pickup_response.json", headers={"etag": '"v2"'}), carrier="usps")
    assert got == '"v2"'
    with pytest.raises(cg.MalformedResponse):
        pickup.parse_pickup_etag(response("pickup_response.json"), carrier="usps")
    pickup.parse_cancel_pickup(httpx.Response(200), carrier="usps")  # an empty 200 is success


def test_tracking_maps_codes_keeps_them_orders_newest_first_and_gives_proof() -> None:
    info = track.parse_track(response("track_response.json"), carrier="usps", tracking_number="9205590175547700000001")
    assert info.status is TrackingStatus.DELIVERED
    assert info.raw_status == "Delivered"
    assert [e.code for e in info.events] == ["01", "OF", "10", "03", "GX"]
    assert [e.status for e in info.events] == [TrackingStatus.DELIVERED, TrackingStatus.OUT_FOR_DELIVERY,
                                               TrackingStatus.IN_TRANSIT, TrackingStatus.IN_TRANSIT,
                                               TrackingStatus.PRE_TRANSIT]
    delivered = info.events[0]
    assert delivered.occurred_at == datetime(2026, 12, 5, 18, 1, tzinfo=UTC)
    assert delivered.codes == {"eventCode": "01", "eventType": "Delivered, Front Door/Porch", "actionCode": "01"}
    assert delivered.location == "ST. LOUIS, MO, 63104, US"
    assert info.events[2].occurred_at == datetime(2026, 12, 4, 7, 18, tzinfo=UTC)  # its own offset
    assert info.events[3].occurred_at == datetime(2026, 12, 3, 20, 30, tzinfo=UTC)  # local + GMTOffset
    assert info.events[4].zone_known is False  # a local time with no zone
    assert info.delivered_at == delivered.occurred_at
    assert info.proof_of_delivery is not None
    assert info.proof_of_delivery.signed_by == "N FURY"


def test_an_unknown_code_falls_back_to_its_words_and_stays_raw() -> None:
    payload = {"trackingNumber": "X1", "statusCategory": "Alert", "trackingEvents": [
        {"eventType": "Available for Pickup", "eventCode": "ZZ", "GMTTimestamp": "2026-12-04T10:00:00Z"}]}
    info = track.parse_track(httpx.Response(200, json=payload), carrier="usps", tracking_number="X1")
    assert info.status is TrackingStatus.EXCEPTION
    assert info.events[0].status is TrackingStatus.AVAILABLE_FOR_PICKUP
    assert info.events[0].code == "ZZ"


def test_payment_authorization_answer_gives_the_token() -> None:
    token, lifetime = auth.parse_payment_authorization(response("payment_authorization_response.json"),
                                                       carrier="usps")
    assert (token, lifetime) == ("header.body.signature", None)
    with pytest.raises(cg.MalformedResponse):
        auth.parse_payment_authorization(httpx.Response(200, content=json.dumps({"roles": []}).encode()),
                                         carrier="usps")


@pytest.mark.parametrize(("signature", "code"), [("signature", 921), ("adult_signature", 922)])
def test_a_signature_is_its_extra_service_beside_insurance(signature: str, code: int) -> None:
    http = ship.build_ship(ship_request(signature=signature), account(), base_url=BASE_URL, today=TODAY)
    assert body(http)["packageDescription"]["extraServices"] == [930, code]
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(international_ship().model_copy(update={"signature": signature}), account(),
                        base_url=BASE_URL, today=TODAY)
    assert caught.value.field == "signature"
