"""Golden tests of every 4PX build/parse pair, against payloads under fixtures/fourpx written in
4PX's documented shapes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.fourpx import FourPXAccount, lookup, rate, ship, track, void
from carriergate.carriers.fourpx.ship import Order

from support.fourpx_samples import (
    ACCOUNT,
    BASE,
    FOURPX,
    answer,
    body_of,
    failed,
    fixture,
    ok,
    rate_request,
    ship_request,
    to_berlin,
)

ORDER = Order(tracking_number="300900010807", reference="ORDER-4PX-1001", consignment_no="DS300900010807",
              channel_number="9400111202555842761523")


def _query(request: httpx.Request) -> dict[str, str]:
    return dict(request.url.params)


# -- order create ----------------------------------------------------------------------------------
def test_order_create_golden() -> None:
    request = ship.build_ship(ship_request(), ACCOUNT, base_url=BASE, carrier=FOURPX)
    assert (request.method, request.url.path) == ("POST", "/router/api/service")
    assert _query(request) == {"method": "ds.xms.order.create", "v": "1.1.0"}
    assert request.headers["content-type"] == "application/json"
    assert body_of(request) == fixture("order_create_request.json")


def test_order_to_the_eu_carries_ioss_vat_and_eori_from_the_account() -> None:
    account = ACCOUNT.model_copy(update={"ioss_number": "IM2760000001", "vat_number": "DE123456789",
                                         "eori_number": "DE987654321000"})
    body = body_of(ship.build_ship(to_berlin(), account, base_url=BASE, carrier=FOURPX))
    assert (body["ioss_no"], body["vat_no"], body["eori_no"]) == ("IM2760000001", "DE123456789", "DE987654321000")
    assert body["parcel_list"][0]["currency"] == "EUR"
    assert body["is_insure"] == "N"
    assert "insurance_info" not in body
    to_us = body_of(ship.build_ship(ship_request(), account, base_url=BASE, carrier=FOURPX))
    assert not {"ioss_no", "vat_no", "eori_no"} & set(to_us)  # US imports use none of them


def test_the_uk_takes_the_vat_number_only() -> None:
    london = cg.Address(name="Ann Smith", street=["10 Downing St"], city="London", postal_code="SW1A 2AA",
                        country="GB", phone="+44 20 7946 0000")
    account = ACCOUNT.model_copy(update={"ioss_number": "IM1", "vat_number": "GB123456789", "eori_number": "GB1"})
    body = body_of(ship.build_ship(to_berlin(destination=london), account, base_url=BASE, carrier=FOURPX))
    assert body.get("vat_no") == "GB123456789"
    assert "ioss_no" not in body
    assert "eori_no" not in body


@pytest.mark.parametrize(("incoterm", "duty"), [("DDP", "P"), ("DAP", "U")])
def test_duty_type_follows_who_pays_duties(incoterm: str, duty: str) -> None:
    request = ship_request()
    assert request.customs is not None
    changed = request.model_copy(update={"customs": request.customs.model_copy(update={"incoterm": incoterm})})
    assert body_of(ship.build_ship(changed, ACCOUNT, base_url=BASE, carrier=FOURPX))["duty_type"] == duty


def test_a_chinese_description_goes_in_the_chinese_name_with_its_romanised_english() -> None:
    request = ship_request()
    assert request.customs is not None
    item = request.customs.items[0].model_copy(update={"description": "纯棉T恤", "description_latin": "Cotton T-shirt"})
    customs = request.customs.model_copy(update={"items": [item]})
    line = body_of(ship.build_ship(request.model_copy(update={"customs": customs}), ACCOUNT, base_url=BASE,
                                   carrier=FOURPX))["parcel_list"][0]["declare_product_info"][0]
    assert (line["declare_product_name_cn"], line["declare_product_name_en"]) == ("纯棉T恤", "Cotton T-shirt")


def test_bad_input_is_refused_naming_every_field() -> None:
    request = to_berlin(service="P Y", label_format="ZPL", insurance=cg.Money("100.00", "EUR"))
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(request, ACCOUNT, base_url=BASE, carrier=FOURPX)
    assert {e.field for e in caught.value.errors} >= {"service", "label_format", "insurance.currency"}


def test_an_address_in_chinese_script_needs_its_romanised_form() -> None:
    request = ship_request(origin=cg.Address(name="李雷", street=["世纪大道88号"], city="上海", state="上海",
                                             postal_code="200120", country="CN", phone="13800138000"))
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(request, ACCOUNT, base_url=BASE, carrier=FOURPX)
    assert {"origin.name", "origin.street[0]", "origin.city"} <= {e.field for e in caught.value.errors}


def test_a_domestic_shipment_is_no_4px_lane() -> None:
    domestic = ship_request(destination=cg.Address(name="Han", street=["1 Chang'an Ave"], city="Beijing",
                                                   state="Beijing", postal_code="100010", country="CN"), customs=None,
                            insurance=None)
    with pytest.raises(cg.NotServed):
        ship.build_ship(domestic, ACCOUNT, base_url=BASE, carrier=FOURPX)


def test_weights_are_whole_grams_rounded_up() -> None:
    assert ship.grams(cg.Weight("0.1234", "kg")) == 124
    assert ship.grams(cg.Weight("1", "lb")) == 454


def test_order_create_answer() -> None:
    order = ship.parse_ship(answer(fixture("order_create_response.json")), carrier=FOURPX, reference="ORDER-4PX-1001")
    assert order == Order(tracking_number="300900010807", reference="ORDER-4PX-1001", consignment_no="DS300900010807",
                          channel_number="9400111202555842761523", channel_name="USPS",
                          extra={"oda_result_sign": "N"})


def test_order_create_refusal_keeps_4pxs_code_and_message() -> None:
    with pytest.raises(cg.CarrierError) as caught:
        ship.parse_ship(answer(fixture("order_create_failed.json")), carrier=FOURPX, reference="R")
    assert (caught.value.code, caught.value.message) == ("DS000007", "Ref_no: ORDER-4PX-1001 in processing")


def test_an_order_answer_without_4pxs_number_is_malformed() -> None:
    with pytest.raises(cg.MalformedResponse):
        ship.parse_ship(answer(ok({"ref_no": "R"})), carrier=FOURPX, reference="R")


# -- label ---------------------------------------------------------------------------------------
def test_label_request_golden() -> None:
    request = ship.build_label(ORDER, ACCOUNT, base_url=BASE)
    assert _query(request) == {"method": "ds.xms.label.get", "v": "1.1.0"}
    assert body_of(request) == fixture("label_request.json")


def test_label_answer_is_its_link_and_a_path_is_taken_on_4pxs_host() -> None:
    link = ship.parse_label(answer(fixture("label_response.json")), carrier=FOURPX, base_url=BASE)
    assert link == "https://label.4px.example.test/labels/300900010807.pdf"
    relative = ok({"label_url_info": {"logistics_label": "/files/1.pdf"}})
    assert ship.parse_label(answer(relative), carrier=FOURPX, base_url=BASE) == f"{BASE}/files/1.pdf"
    with pytest.raises(cg.MalformedResponse):
        ship.parse_label(answer(ok({"label_url_info": {"logistics_label": "ftp://x/1.pdf"}})), carrier=FOURPX,
                         base_url=BASE)
    with pytest.raises(cg.NotFound):
        ship.parse_label(answer(ok({"label_barcode": "1"})), carrier=FOURPX, base_url=BASE)


def test_the_downloaded_pdf_is_the_label_with_4pxs_numbers() -> None:
    pdf = httpx.Response(200, content=b"%PDF-1.4 label")
    label = ship.parse_download(pdf, carrier=FOURPX, order=ORDER, link="https://l/1.pdf")
    assert isinstance(label, cg.Label)
    assert (label.tracking_number, label.tracking_numbers, label.label, label.label_format, label.reference) == (
        "300900010807", ["300900010807", "9400111202555842761523"], b"%PDF-1.4 label", "PDF", "ORDER-4PX-1001")
    assert label.carrier_data["ds_consignment_no"] == "DS300900010807"
    assert label.carrier_data["label_url"] == "https://l/1.pdf"
    with pytest.raises(cg.MalformedResponse):
        ship.parse_download(httpx.Response(200, content=b"<html>"), carrier=FOURPX, order=ORDER, link="x")


def test_a_redirecting_link_names_where_to_download_from() -> None:
    moved = httpx.Response(302, headers={"location": "/files/2.pdf"})
    assert ship.parse_download(moved, carrier=FOURPX, order=ORDER, link="https://l.test/a/1.pdf") == \
        "https://l.test/files/2.pdf"
    odd = httpx.Response(302, headers={"location": "file:///etc/passwd"})
    with pytest.raises(cg.MalformedResponse):
        ship.parse_download(odd, carrier=FOURPX, order=ORDER, link="https://l.test/a/1.pdf")


# -- void --------------------------------------------------------------------------------------------
def test_cancel_golden_and_answers() -> None:
    request = void.build_void("300900010807", base_url=BASE)
    assert _query(request) == {"method": "ds.xms.order.cancel", "v": "1.0.0"}
    assert body_of(request) == fixture("cancel_request.json")
    void.parse_void(answer(fixture("cancel_response.json")), carrier=FOURPX)  # accepted: no error
    with pytest.raises(cg.CarrierError) as caught:
        void.parse_void(answer(fixture("cancel_failed.json")), carrier=FOURPX)
    assert (caught.value.code, caught.value.message) == ("0", "Can not find this order")


def test_a_label_is_cancelled_by_4pxs_number() -> None:
    label = cg.Label(carrier=FOURPX, tracking_number="9400", label=b"%PDF", label_format="PDF",
                     carrier_data={"4px_tracking_no": "300900010807"})
    assert void.request_no_of(label, carrier=FOURPX) == "300900010807"


# -- tracking ----------------------------------------------------------------------------------------
def test_tracking_golden() -> None:
    request = track.build_track("300900010807", base_url=BASE)
    assert _query(request) == {"method": "tr.order.tracking.get", "v": "1.0.0"}
    assert body_of(request) == fixture("tracking_request.json")
    info = track.parse_track(answer(fixture("tracking_response.json")), number="300900010807", carrier=FOURPX)
    assert info.status is cg.TrackingStatus.DELIVERED
    assert info.raw_status == "FPX_S_OK"
    assert [e.code for e in info.events] == ["FPX_S_OK", "FPX_D_SD", "FPX_M_HA", "FPX_C_ADFF", "FPX_C_SPLS",
                                             "FPX_L_RPIF"]
    assert [e.status.value for e in info.events] == ["delivered", "out_for_delivery", "in_transit", "in_transit",
                                                     "in_transit", "pre_transit"]
    assert info.events[0].occurred_at == datetime(2026, 3, 12, 20, 20, 12, tzinfo=UTC)
    assert info.events[0].codes == {"businessLinkCode": "FPX_S_OK"}
    assert info.events[-1].occurred_at.utcoffset() == timedelta(hours=8)
    assert info.delivered_at == info.events[0].occurred_at
    assert info.events[3].location == "ShaTian,DongGuan"


def test_data_sent_as_a_json_string_and_a_time_without_zone() -> None:
    info = track.parse_track(answer(fixture("tracking_string_data.json")), number="300900010807", carrier=FOURPX)
    (event,) = info.events
    assert info.status is cg.TrackingStatus.DELIVERY_ATTEMPTED
    assert event.zone_known is False
    assert event.occurred_at == datetime(2026, 3, 12, 9, tzinfo=UTC)


@pytest.mark.parametrize(("code", "status"), [
    ("FPX_S_OKPO", "delivered"), ("FPX_D_FD07", "delivery_attempted"), ("FPX_I_HC01", "exception"),
    ("FPX_D_AP", "available_for_pickup"), ("FPX_M_NEW", "in_transit"), ("FPX_Y_DS", "exception"),
    ("FPX_L_NEW", "pre_transit"), ("XYZ", "unknown"), (None, "unknown"),
])
def test_status_codes_to_our_closed_set(code: str | None, status: str) -> None:
    assert track.status_for(code).value == status


@pytest.mark.parametrize(("text", "hours"), [("UTC+08:00", 8), ("GMT+7", 7), ("UTC-05:00", -5), ("+0530", 5.5)])
def test_zones(text: str, hours: float) -> None:
    assert track.zone_of(text) == timezone(timedelta(hours=hours))


@pytest.mark.parametrize("data", [None, {"deliveryOrderNo": "1", "trackingList": []}])
def test_a_number_without_events_is_not_found(data: object) -> None:
    with pytest.raises(cg.NotFound):
        track.parse_track(answer(ok(data)), number="1", carrier=FOURPX)


# -- price estimate ----------------------------------------------------------------------------------
def test_estimate_golden() -> None:
    request = rate.build_rate(rate_request(), base_url=BASE, carrier=FOURPX)
    assert _query(request) == {"method": "ds.xms.estimated_cost.get", "v": "1.0.0"}
    assert body_of(request) == fixture("estimated_cost_request.json")
    narrowed = body_of(rate.build_rate(rate_request(services=["PY", "F3"]), base_url=BASE, carrier=FOURPX))
    assert narrowed["logistics_product_code"] == ["PY", "F3"]


def test_estimate_answer_is_one_cny_quote_per_priced_product() -> None:
    quotes = rate.parse_rate(answer(fixture("estimated_cost_response.json")), carrier=FOURPX)
    assert [(q.service_code, q.total, q.transit_days_min, q.transit_days) for q in quotes] == [
        ("PY", cg.Money("221.80", "CNY"), 7, 12), ("F3", cg.Money("348.00", "CNY"), None, 5)]
    assert [str(w) for w in quotes[1].warnings] == ["remarks: Remote area surcharge may apply"]
    assert quotes[0].charges[0].amount == quotes[0].total
    only = rate.parse_rate(answer(fixture("estimated_cost_response.json")), carrier=FOURPX, services=["F3"])
    assert [q.service_code for q in only] == ["F3"]


def test_estimate_refuses_domestic_lanes_and_bad_codes() -> None:
    with pytest.raises(cg.NotServed):
        rate.build_rate(rate_request(destination=rate_request().origin, customs=None, insurance=None), base_url=BASE,
                        carrier=FOURPX)
    with pytest.raises(cg.ValidationError) as caught:
        rate.build_rate(rate_request(services=["ok", "no good"]), base_url=BASE, carrier=FOURPX)
    assert caught.value.field == "services[1]"


def test_transit_days() -> None:
    assert rate.transit_days("5-8") == (5, 8)
    assert rate.transit_days("7") == (7, 7)
    assert rate.transit_days("") == (None, None)


def test_account_secrets_stay_out_of_its_repr() -> None:
    account = FourPXAccount(app_key="k", app_secret="very-secret", access_token="tok-secret")
    assert "very-secret" not in repr(account)
    assert "tok-secret" not in repr(account)


# -- order query (find_label, reconciling a lost create) --------------------------------------------
def test_order_query_golden_and_answer() -> None:
    request = lookup.build_lookup("ORDER-4PX-1001", base_url=BASE)
    assert _query(request) == {"method": "ds.xms.order.get", "v": "1.1.0"}
    assert body_of(request) == fixture("order_get_request.json")
    found = lookup.parse_found(answer(fixture("order_get_response.json")), carrier=FOURPX, reference="ORDER-4PX-1001")
    assert found == Order(tracking_number="300900010807", reference="ORDER-4PX-1001", consignment_no="DS300900010807",
                          channel_number="9400111202555842761523")


@pytest.mark.parametrize("reply", [ok([]), ok(None), failed("DS000017", "Order not found")])
def test_no_order_under_the_reference_is_none(reply: dict[str, object]) -> None:
    assert lookup.parse_found(answer(reply), carrier=FOURPX, reference="R") is None


def test_a_closed_order_or_anothers_reference_is_none() -> None:
    data = fixture("order_get_response.json")
    info = data["data"][0]["consignment_info"]
    closed = {**data, "data": [{"consignment_info": {**info, "consignment_status": "X"}}]}
    assert lookup.parse_found(answer(closed), carrier=FOURPX, reference="ORDER-4PX-1001") is None
    assert lookup.parse_found(answer(data), carrier=FOURPX, reference="ORDER-OTHER") is None
    with pytest.raises(cg.AuthenticationError):
        lookup.parse_found(answer(failed("000012", "Signature verification error")), carrier=FOURPX, reference="R")


def test_a_reference_is_checked_before_the_query() -> None:
    with pytest.raises(cg.ValidationError):
        lookup.reference_of("  ", carrier=FOURPX)


def test_a_pickup_window_asks_for_collection_and_a_signature_for_4pxs_service() -> None:
    start = datetime(2030, 5, 6, 10, tzinfo=timezone(timedelta(hours=8)))
    window = cg.PickupWindow(start=start, end=start + timedelta(hours=6))
    body = body_of(ship.build_ship(ship_request(pickup=window, signature="signature"),
                                   ACCOUNT.model_copy(update={"deliver_type": "3"}), base_url=BASE, carrier=FOURPX))
    assert body["logistics_service_info"] == {"logistics_product_code": "PY", "signature_service": "Y"}
    info = body["deliver_type_info"]
    assert info["deliver_type"] == "1"
    assert info["pick_up_info"]["expect_pick_up_earliest_time"] == str(int(start.timestamp() * 1000))
    assert info["pick_up_info"]["expect_pick_up_latest_time"] == "1904284800000"  # 2030-05-06 08:00 UTC
    assert info["pick_up_info"]["pick_up_address_info"] == body["sender"]
    plain = body_of(ship.build_ship(ship_request(), ACCOUNT.model_copy(update={"deliver_type": "3"}), base_url=BASE,
                                    carrier=FOURPX))
    assert plain["deliver_type_info"] == {"deliver_type": "3"}


def test_references_and_billing_without_a_4px_field_are_refused() -> None:
    request = ship_request(references=[cg.ShipmentReference(kind="purchase_order", value="PO-1")],
                           billing=cg.Payer(party="third_party", account_number="X1", country="CN"))
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(request, ACCOUNT, base_url=BASE, carrier=FOURPX)
    assert {e.field for e in caught.value.errors} == {"references", "billing"}
