"""The 4PX emulator, spoken to directly in 4PX's wire format (signed here by hand): its gateway checks,
its stateful order -> label -> track -> cancel life, and its hand-computable prices."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox.fourpx import FourPXEmulator
from carriergate.sandbox.fourpx_pricing import PRODUCTS, price
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.fourpx_samples import fixture, md5_sign, ship_request

CHINA = timezone(timedelta(hours=8))
START = datetime(2026, 3, 5, 10, 0, tzinfo=CHINA)
KEY, SECRET = FourPXEmulator.account["app_key"], FourPXEmulator.account["app_secret"]


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def call(emulator: FourPXEmulator, method: str, body: Any, *, version: str = "1.0.0", key: str = KEY,
         secret: str = SECRET, drop: str | None = None, raw: bytes | None = None) -> dict[str, Any]:
    content = raw if raw is not None else json.dumps(body, separators=(",", ":"), default=str).encode()
    params = {"method": method, "app_key": key, "v": version, "timestamp": "1764000000000", "format": "json"}
    params["sign"] = md5_sign(key, method, params["timestamp"], version, content.decode(), secret)
    if drop:
        params.pop(drop)
    request = httpx.Request("POST", f"http://sandbox.test/4px/router/api/service?{urlencode(params)}",
                            content=content, headers={"content-type": "application/json"})
    answer = emulator.receive(request, "/router/api/service")
    assert answer.status_code == 200
    result: dict[str, Any] = json.loads(answer.content, parse_float=Decimal)
    return result


def code(answer: dict[str, Any]) -> str:
    assert answer["result"] == "0"
    return str(answer["errors"][0]["error_code"])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def emulator(clock: Clock) -> FourPXEmulator:
    return FourPXEmulator(clock=clock)


def create(emulator: FourPXEmulator, ref_no: str = "ORDER-1") -> dict[str, Any]:
    body = {**fixture("order_create_request.json"), "ref_no": ref_no}
    answer = call(emulator, "ds.xms.order.create", body, version="1.1.0")
    assert answer["result"] == "1", answer
    data: dict[str, Any] = answer["data"]
    return data


def test_the_gateway_refuses_like_4px(emulator: FourPXEmulator) -> None:
    body = {"deliveryOrderNo": "1"}
    assert code(call(emulator, "tr.order.tracking.get", body, secret="wrong")) == "000012"
    assert code(call(emulator, "tr.order.tracking.get", body, key="someone-else")) == "000013"
    assert code(call(emulator, "tr.order.tracking.get", body, drop="timestamp")) == "000014"
    assert code(call(emulator, "ds.xms.no.such", body)) == "000011"
    assert code(call(emulator, "tr.order.tracking.get", None, raw=b"not json")) == "000004"
    assert emulator.calls == []


def test_order_label_and_pdf(emulator: FourPXEmulator) -> None:
    order = create(emulator)
    number = order["4px_tracking_no"]
    assert (order["ref_no"], order["ds_consignment_no"]) == ("ORDER-1", f"DS{number}")
    for request_no in (number, "ORDER-1", order["logistics_channel_no"]):  # any of its numbers finds it
        label = call(emulator, "ds.xms.label.get", {"request_no": request_no, "response_label_format": "PDF"},
                     version="1.1.0")
        assert label["data"]["label_url_info"]["logistics_label"] == f"/4px/labels/{number}.pdf"
    pdf = emulator.receive(httpx.Request("GET", f"http://sandbox.test/4px/labels/{number}.pdf"),
                           f"/labels/{number}.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert number.encode() in pdf.content
    missing = emulator.receive(httpx.Request("GET", "http://sandbox.test/4px/labels/1.pdf"), "/labels/1.pdf")
    assert missing.status_code == 404


def test_a_ref_no_is_ordered_once(emulator: FourPXEmulator) -> None:
    create(emulator)
    again = call(emulator, "ds.xms.order.create", {**fixture("order_create_request.json"), "ref_no": "ORDER-1"},
                 version="1.1.0")
    assert code(again) == "DS000000"
    assert len(emulator.orders) == 1


def test_an_unknown_product_is_refused(emulator: FourPXEmulator) -> None:
    body = {**fixture("order_create_request.json"), "logistics_service_info": {"logistics_product_code": "ZZ"}}
    assert code(call(emulator, "ds.xms.order.create", body, version="1.1.0")) == "DS000004"


def test_tracking_reveals_one_scan_per_query_never_after_now(emulator: FourPXEmulator, clock: Clock) -> None:
    number = create(emulator)["4px_tracking_no"]
    seen = []
    for _ in range(8):
        clock.now += timedelta(hours=10)
        data = call(emulator, "tr.order.tracking.get", {"deliveryOrderNo": number})["data"]
        seen.append([e["businessLinkCode"] for e in data["trackingList"]])
        times = [datetime.strptime(e["occurDatetime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
                 for e in data["trackingList"]]
        assert all(t <= clock.now for t in times)
        assert times == sorted(times, reverse=True)  # newest first, as 4PX's examples
    assert seen[0] == ["FPX_L_RPIF"]
    assert seen[-1][0] == "FPX_S_OK"
    assert len(seen[-1]) == len(seen[-2]) == 6


def test_unknown_and_cancelled_numbers_have_no_events(emulator: FourPXEmulator) -> None:
    assert call(emulator, "tr.order.tracking.get", {"deliveryOrderNo": "300999999999"})["data"] is None
    number = create(emulator)["4px_tracking_no"]
    cancel = {"request_no": number, "cancel_reason": "test"}
    assert call(emulator, "ds.xms.order.cancel", cancel) == {"result": "1", "msg": "System processing succeeded",
                                                             "errors": None, "data": None}
    assert emulator.orders[number].cancelled
    assert call(emulator, "tr.order.tracking.get", {"deliveryOrderNo": number})["data"]["trackingList"] == []
    assert code(call(emulator, "ds.xms.order.cancel", cancel)) == "DS000014"
    assert code(call(emulator, "ds.xms.order.cancel", {"request_no": "nope", "cancel_reason": "x"})) == "0"
    assert code(call(emulator, "ds.xms.order.cancel", {"request_no": number})) == "DS000016"
    assert code(call(emulator, "ds.xms.label.get", {"request_no": number}, version="1.1.0")) == "DS000046"


def test_a_parcel_picked_up_cannot_be_cancelled(emulator: FourPXEmulator, clock: Clock) -> None:
    number = create(emulator)["4px_tracking_no"]
    for _ in range(2):
        clock.now += timedelta(hours=10)
        call(emulator, "tr.order.tracking.get", {"deliveryOrderNo": number})
    assert code(call(emulator, "ds.xms.order.cancel", {"request_no": number, "cancel_reason": "x"})) == "DS000014"


def test_prices_by_hand(emulator: FourPXEmulator) -> None:
    # PY to the US, 2500 g: 25.00 for the first 100 g + 24 further steps of 8.20, zone factor 100 %.
    assert price(PRODUCTS["PY"], "US", 2500) == Decimal("221.80")
    # PX to Brazil (zone "other", 130 %), 150 g: (18.00 + 6.50) x 1.30.
    assert price(PRODUCTS["PX"], "BR", 150) == Decimal("31.85")
    data = call(emulator, "ds.xms.estimated_cost.get", fixture("estimated_cost_request.json"))["data"]
    assert {e["logistics_product_code"]: e["lump_sum_fee"] for e in data} == {
        "PX": "174.00", "PY": "221.80", "F3": "348.00"}
    narrowed = call(emulator, "ds.xms.estimated_cost.get", {"country_code": "US", "weight": "100",
                                                            "logistics_product_code": ["F3", "ZZ"]})["data"]
    assert [(e["logistics_product_code"], e["lump_sum_fee"]) for e in narrowed] == [("F3", "60.00")]
    assert code(call(emulator, "ds.xms.estimated_cost.get", {"country_code": "US"})) == "DS000004"


def test_the_order_query_finds_an_order_by_any_number_and_shows_it_closed(emulator: FourPXEmulator) -> None:
    order = create(emulator, "ORDER-Q")
    number = order["4px_tracking_no"]
    for request_no in ("ORDER-Q", number):
        (found,) = call(emulator, "ds.xms.order.get", {"request_no": request_no}, version="1.1.0")["data"]
        info = found["consignment_info"]
        assert (info["4px_tracking_no"], info["ref_no"], info["consignment_status"]) == (number, "ORDER-Q", "P")
    assert call(emulator, "ds.xms.order.get", {"request_no": "ORDER-NONE"}, version="1.1.0")["data"] == []
    call(emulator, "ds.xms.order.cancel", {"request_no": number, "cancel_reason": "x"})
    (closed,) = call(emulator, "ds.xms.order.get", {"request_no": "ORDER-Q"}, version="1.1.0")["data"]
    assert closed["consignment_info"]["consignment_status"] == "X"


def test_through_the_gateway_ship_track_void_change_the_emulators_state() -> None:
    kwargs = sandbox_gateway_kwargs(["4px"])
    emulator = kwargs["transport"].emulators["4px"]
    assert isinstance(emulator, FourPXEmulator)
    with cg.Gateway(**kwargs) as gw:
        label = gw.ship(ship_request(reference="ORDER-STATE-1"), deadline=10)
        assert emulator.by_ref["ORDER-STATE-1"].number == label.tracking_number
        assert label.label.startswith(b"%PDF")
        assert gw.track(label.tracking_number, carrier="4px", deadline=10).status is cg.TrackingStatus.PRE_TRANSIT
        gw.void(label, deadline=10)
        assert emulator.orders[label.tracking_number].cancelled
        assert gw.find_label("ORDER-STATE-1", carrier="4px", deadline=10) is None  # a closed order holds none
    assert emulator.calls[:3] == ["ds.xms.order.create", "ds.xms.label.get", "tr.order.tracking.get"]


def test_the_emulator_counts_its_labels_and_knows_which_are_voided(emulator: FourPXEmulator) -> None:
    assert emulator.labels_created() == 0
    first, second = create(emulator, "ORDER-A")["4px_tracking_no"], create(emulator, "ORDER-B")["4px_tracking_no"]
    call(emulator, "ds.xms.order.cancel", {"request_no": first, "cancel_reason": "x"})
    assert emulator.labels_created() == 2
    assert (emulator.is_voided(first), emulator.is_voided(second)) == (True, False)
    with pytest.raises(KeyError):
        emulator.is_voided("300999999999")
