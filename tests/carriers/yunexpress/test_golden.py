"""YunExpress golden tests: every build_* against a reviewed request under fixtures/yunexpress/, every
parse_* on payloads in YunExpress's documented envelope, and each refusal to its typed error."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.yunexpress import lookup, rate, ship, subscribe, track, void

from support.yunexpress_samples import BASE, PDF, account, answer, envelope, fixture, ship_request


def query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def test_build_ship_is_the_reviewed_order() -> None:
    request = ship.build_ship(ship_request(), account(), base_url=BASE)
    assert (request.method, str(request.url)) == ("POST", BASE + "/v1/order/package/create")
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == fixture("ship_request.json")


def test_build_ship_sends_ioss_and_tax_numbers_and_a_local_name() -> None:
    customs = ship_request().customs
    assert customs is not None
    items = [customs.items[0].model_copy(update={"description": "纯棉T恤", "description_latin": "Cotton T-shirt",
                                                 "sku": "TS-01"})]
    request = ship_request(customs=customs.model_copy(update={"items": items, "exporter_tax_id": "IM2760000742",
                                                              "importer_tax_id": "DE123456789"}),
                           signature="signature")
    body = json.loads(ship.build_ship(request, account(), base_url=BASE).content)
    assert body["customs_number"] == {"tax_number": "DE123456789", "ioss_code": "IM2760000742"}
    assert body["declaration_info"] == [{"name_en": "Cotton T-shirt", "name_local": "纯棉T恤", "sku_code": "TS-01",
                                         "quantity": 2, "unit_price": 120, "currency": "USD", "unit_weight": 0.4,
                                         "hs_code": "610910"}]
    assert {"extra_code": "Ls0091"} in body["extra_services"]


def test_the_accounts_ioss_is_used_when_the_declaration_has_none() -> None:
    body = json.loads(ship.build_ship(ship_request(), account(ioss_code="IM3720000001"), base_url=BASE).content)
    assert body["customs_number"] == {"ioss_code": "IM3720000001"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"label_format": "ZPL"}, "label_format"),
    ({"reference": "R" * 51}, "reference"),
    ({"service": "no such!"}, "service"),
    ({"customs": None, "destination": ship_request().origin.model_copy(update={"city": "Beijing"})}, "customs.items"),
])
def test_bad_orders_are_refused_before_sending(changes: dict[str, object], field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(ship_request(**changes), account(), base_url=BASE)
    assert caught.value.field == field


def test_a_receiver_without_phone_and_a_chinese_only_item_are_both_named() -> None:
    request = ship_request()
    customs = request.customs
    assert customs is not None
    chinese = customs.model_copy(update={"items": [customs.items[0].model_copy(update={"description": "纯棉T恤"})]})
    bad = ship_request(destination=request.destination.model_copy(update={"phone": None}), customs=chinese)
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(bad, account(), base_url=BASE)
    assert [e.field for e in caught.value.errors] == ["destination.phone", "customs.items[0].description_latin"]


def test_parse_ship_reads_the_waybill_and_last_mile_number() -> None:
    order = ship.parse_ship(answer("create_response.json"))
    assert (order.waybill_number, order.tracking_number, order.reference) == (
        "YT2533700000000001", "LE339614461CN", "ORDER-1001")
    label = ship.label_from(order, PDF, carrier="yunexpress")
    assert label.tracking_numbers == ["YT2533700000000001", "LE339614461CN"]
    assert label.carrier_data["remote_area"] == "N"
    assert label.carrier_data["track_type"] == "Y"


def test_label_answers_give_the_pdf_or_its_url() -> None:
    assert ship.parse_label(answer("label_response.json")) == ship.LabelFile(PDF, None)
    found = ship.parse_label(answer("label_url_response.json"))
    assert found.content is None
    assert found.url == "https://label.yunexpress.cn/label/YT2533700000000001.pdf"
    request = ship.build_label("YT2533700000000001", account(), base_url=BASE)
    assert query(request) == {"order_number": "YT2533700000000001"}
    assert request.url.path == "/v1/order/label/get"


@pytest.mark.parametrize("url", ["https://evil.example.com/label.pdf", "http://label.yunexpress.cn/label.pdf",
                                 "https://yunexpress.cn.evil.com/x.pdf", "file:///etc/passwd"])
def test_label_downloads_only_from_yunexpress_over_https(url: str) -> None:
    with pytest.raises(cg.MalformedResponse):
        ship.build_download(url, base_url=BASE)


def test_a_download_that_is_not_a_pdf_is_malformed() -> None:
    assert ship.parse_download(httpx.Response(200, content=PDF)) == PDF
    with pytest.raises(cg.MalformedResponse):
        ship.parse_download(httpx.Response(200, content=b"<html>login</html>"))


def test_build_rate_asks_the_price_trial() -> None:
    request = rate.build_rate(ship_request(), account(), base_url=BASE)
    assert (request.method, request.url.path) == ("GET", "/v1/price-trial/get")
    assert query(request) == {"country_code": "US", "weight": "2.5", "weight_unit": "KG", "package_type": "C",
                              "pieces": "1", "origin": "YT-SZ", "postal_code": "90071", "length": "30",
                              "width": "20", "height": "10", "size_unit": "CM"}


def test_parse_rate_quotes_each_product_in_cny_cheapest_first() -> None:
    quotes = rate.parse_rate(answer("price_trial_response.json"))
    assert [(q.service_code, q.total, q.transit_days_min, q.transit_days) for q in quotes] == [
        ("THZXR", cg.Money("125.0", "CNY"), 7, 12), ("BKZXR", cg.Money("153.0", "CNY"), 5, 8)]
    assert quotes[0].service_name == "云途全球专线挂号（特惠带电）"
    assert quotes[0].charges[0].code == "E1"
    assert isinstance(quotes[0].total.amount, Decimal)
    only = rate.parse_rate(answer("price_trial_response.json"), services=["bkzxr"])
    assert [q.service_code for q in only] == ["BKZXR"]


def test_no_product_quoted_is_not_served() -> None:
    with pytest.raises(cg.NotServed) as caught:
        rate.parse_rate(httpx.Response(200, content=envelope([])))
    assert caught.value.code == "no_quote"


def test_parse_track_maps_nodes_and_keeps_raw_codes_newest_first() -> None:
    info = track.parse_track(answer("track_response.json"), number="YT2533700000000001")
    assert info.status is cg.TrackingStatus.OUT_FOR_DELIVERY  # T, refined by the latest event
    assert info.raw_status == "T"
    assert [e.code for e in info.events] == ["LAST_MILE_DELIVERY", "FIRST_MILE_ARRIVE", "ORDER_CREATION"]
    assert [e.status for e in info.events] == [cg.TrackingStatus.OUT_FOR_DELIVERY, cg.TrackingStatus.IN_TRANSIT,
                                               cg.TrackingStatus.PRE_TRANSIT]
    assert info.events[-1].occurred_at == datetime(2025, 12, 3, 2, 0, tzinfo=UTC)  # process_utc_time wins
    assert info.events[1].codes == {"track_node_code": "FIRST_MILE_ARRIVE",
                                    "track_node_description": "已抵达始发地设施"}
    assert info.events[1].location == "深圳集货中心"


def test_a_delivered_parcel_has_its_delivery_time() -> None:
    info = track.parse_track(answer("track_response_delivered.json"), number="YT2533700000000001")
    assert info.status is cg.TrackingStatus.DELIVERED
    assert info.delivered_at == datetime(2025, 12, 9, 20, 41, tzinfo=UTC)


def test_local_times_take_the_time_zone_or_say_it_is_unknown() -> None:
    info = track.parse_track(answer("track_response_local_time.json"), number="YT2533700000000001")
    received, unknown = info.events[-1], info.events[0]
    assert received.occurred_at == datetime(2025, 12, 3, 10, 0, tzinfo=UTC)
    assert received.zone_known
    assert not unknown.zone_known
    assert info.status is cg.TrackingStatus.UNKNOWN  # no package_status, no known node


def test_package_status_n_is_not_found() -> None:
    with pytest.raises(cg.NotFound) as caught:
        track.parse_track(answer("track_not_found.json"), number="YT2533700000999999")
    assert caught.value.code == "N"


def test_void_cancels_the_waybill() -> None:
    request = void.build_void(cg.Label(carrier="yunexpress", tracking_number="YT2533700000000001", label=PDF,
                                       label_format="PDF"), account(), base_url=BASE)
    assert (request.method, request.url.path) == ("POST", "/v1/order/cancel")
    assert json.loads(request.content) == {"waybill_number": "YT2533700000000001"}
    void.parse_void(answer("void_response.json"))  # a success: no error raised


def test_lookup_finds_the_order_or_none() -> None:
    request = lookup.build_lookup("ORDER-1001", account(), base_url=BASE)
    assert (request.url.path, query(request)) == ("/v1/order/info/get", {"order_number": "ORDER-1001"})
    found = lookup.parse_lookup(answer("order_info_response.json"))
    assert found is not None
    assert (found.waybill_number, found.reference) == ("YT2533700000000001", "ORDER-1001")
    assert lookup.parse_lookup(answer("order_info_none.json")) is None


def test_subscribe_only_for_the_registered_push_url() -> None:
    request = subscribe.build_subscribe("YT2533700000000001", "https://shop.example.com/webhooks/yunexpress",
                                        account(), base_url=BASE)
    assert json.loads(request.content) == {"waybill_numbers": ["YT2533700000000001"], "subscribe_type": "L"}
    with pytest.raises(cg.ValidationError) as caught:
        subscribe.build_subscribe("YT1", "https://elsewhere.example.com/hook", account(), base_url=BASE)
    assert caught.value.field == "callback_url"
    with pytest.raises(cg.ValidationError) as unset:
        subscribe.build_subscribe("YT1", "https://shop.example.com/hook", account(push_url=None), base_url=BASE)
    assert unset.value.field == "push_url"


@pytest.mark.parametrize(("name", "status", "kind", "code"), [
    ("error_refused.json", 200, cg.CarrierError, "1001"),
    ("error_unauthorized.json", 401, cg.AuthenticationError, "401"),
    ("error_unauthorized.json", 200, cg.AuthenticationError, "401"),
    ("error_refused.json", 429, cg.RateLimited, "1001"),
    ("error_refused.json", 503, cg.CarrierUnavailable, "1001"),
])
def test_refusals_are_typed_with_yunexpress_codes(name: str, status: int, kind: type[cg.CarrierError],
                                                  code: str) -> None:
    with pytest.raises(kind) as caught:
        ship.parse_ship(answer(name, status))
    assert caught.value.code == code
    assert caught.value.request_id is not None
    assert caught.value.request_id.startswith("0a1b2c3d4e")
    assert caught.value.message == fixture(name)["msg"]


@pytest.mark.parametrize("content", [b"<html>502</html>", b"[]", b'{"result": {}}',
                                     envelope({"customer_order_number": "X"})])
def test_unreadable_answers_are_malformed(content: bytes) -> None:
    with pytest.raises(cg.MalformedResponse):
        ship.parse_ship(httpx.Response(200, content=content))
