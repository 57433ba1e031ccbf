"""USPS golden tests of the operations beyond the classic six: return labels (``/return-label``),
finding a label again by our reference (``/label-reprint`` under its idempotency key) and moving a
booked pickup (``PUT`` with ``If-Match``); each build against its reviewed fixture, each parse on a
payload in USPS's documented shape, and each flow's Calls as the executor's write safety reads them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.usps import USPS, endpoints, lookup, pickup, ship
from carriergate.core.contract import Call

from support.usps_samples import (
    BASE_URL,
    PDF,
    TODAY,
    account,
    body,
    fixture,
    response,
    ship_request,
    st_louis,
    washington,
)


def return_request(**change: Any) -> cg.ShipRequest:
    return ship_request(origin=st_louis(), destination=washington(), return_shipment=True, reference="RETURN-1001",
                        insurance=None, **change)


def moved_request() -> cg.PickupRequest:
    start = datetime(2026, 12, 9, 9, tzinfo=timezone(timedelta(hours=-5)))
    return cg.PickupRequest(address=washington(), window=cg.PickupWindow(start=start, end=start + timedelta(hours=6)),
                            parcel_count=3, total_weight=cg.Weight("7", "kg"), reference="PICKUP-1")


def test_a_return_label_request_is_the_reviewed_one() -> None:
    http = ship.build_ship(return_request(), account(), base_url=BASE_URL, today=TODAY)
    assert (http.method, str(http.url)) == ("POST", f"{BASE_URL}/labels/v3/return-label")
    assert body(http) == fixture("return_label_request.json")
    assert http.headers["x-idempotency-key"] == endpoints.idempotency_key(account(), "RETURN-1001")


def test_a_return_takes_the_return_service_name_too_and_refuses_others() -> None:
    named = ship.build_ship(return_request(service="PRIORITY_MAIL_RETURN_SERVICE"), account(), base_url=BASE_URL,
                            today=TODAY)
    assert body(named)["packageDescription"]["mailClass"] == "PRIORITY_MAIL_RETURN_SERVICE"
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(return_request(service="MEDIA_MAIL"), account(), base_url=BASE_URL, today=TODAY)
    assert caught.value.field == "service"


def test_a_return_label_answer_is_a_return_label() -> None:
    label = ship.parse_ship(response("return_label_response.json"), carrier="usps", label_format="PDF",
                            reference="RETURN-1001", international=False, is_return=True)
    assert label.is_return
    assert (label.tracking_number, label.label) == ("9205590175547700000009", PDF)
    assert label.total == cg.Money("11.00", "USD")


def test_the_multipart_return_answer_uses_the_return_part_names() -> None:
    content = (b"--b\r\nContent-Disposition: form-data; name=\"returnLabelMetadata\"\r\n\r\n"
               b'{"trackingNumber": "9205", "postage": 8.75}\r\n'
               b"--b\r\nContent-Disposition: form-data; name=\"returnLabelImage\"\r\n\r\n"
               b"JVBERi0xLjQgc2FtcGxlIGxhYmVs\r\n"
               b"--b--\r\n")
    answer = httpx.Response(200, content=content, headers={"content-type": "multipart/form-data; boundary=b"})
    label = ship.parse_ship(answer, carrier="usps", label_format="PDF", reference=None, international=False,
                            is_return=True)
    assert (label.tracking_number, label.label, label.is_return) == ("9205", PDF, True)


def test_a_reprint_request_carries_the_key_of_the_reference() -> None:
    http = lookup.build_find("ORDER-1001", account(), base_url=BASE_URL, label_format="PDF", international=False)
    assert (http.method, str(http.url)) == ("POST", f"{BASE_URL}/labels/v3/label-reprint")
    assert body(http) == fixture("reprint_request.json")
    assert http.headers["x-idempotency-key"] == endpoints.idempotency_key(account(), "ORDER-1001")
    abroad = lookup.build_find("ORDER-1001", account(), base_url=BASE_URL, label_format="ZPL", international=True)
    assert str(abroad.url) == f"{BASE_URL}/international-labels/v3/international-label-reprint"
    assert body(abroad)["imageInfo"]["imageType"] == "ZPL203DPI"


def test_a_reprint_answer_with_nested_metadata_is_the_label() -> None:
    label = lookup.parse_find(response("reprint_response.json"), carrier="usps", reference="ORDER-1001",
                              label_format="PDF", international=False, key="k")
    assert (label.tracking_number, label.label, label.reference) == ("9205590175547700000001", PDF, "ORDER-1001")
    assert label.total == cg.Money("16.50", "USD")


def test_find_label_asks_domestic_then_international_and_none_when_neither_knows() -> None:
    carrier = USPS(account())
    flow = carrier.find_label("ORDER-1001")
    first: Call[Any] = next(flow)
    assert first.request.url.path == "/labels/v3/label-reprint"
    assert (first.kind, first.auth) == ("read", carrier.label_auth)  # the reprint needs the payment token
    second: Call[Any] = flow.throw(cg.NotFound("Label not found for the idempotency key", carrier="usps"))
    assert second.request.url.path == "/international-labels/v3/international-label-reprint"
    with pytest.raises(StopIteration) as done:
        flow.throw(cg.NotFound("Label not found for the idempotency key", carrier="usps"))
    assert done.value.value is None


def test_moving_a_pickup_puts_its_confirmation_with_if_match() -> None:
    booked = cg.Pickup(carrier="usps", confirmation_number="WTC123456789")
    http = pickup.build_modify_pickup(booked, moved_request(), "e9", base_url=BASE_URL)
    assert (http.method, str(http.url)) == ("PUT", f"{BASE_URL}/pickup/v3/carrier-pickup/WTC123456789")
    assert http.headers["if-match"] == "e9"
    assert body(http) == fixture("modify_pickup_request.json")


def test_the_calls_of_each_flow_say_what_the_executor_may_repeat() -> None:
    carrier = USPS(account(), today=lambda: TODAY)
    label: Call[Any] = next(carrier.ship(ship_request()))
    assert (label.kind, label.idempotent, label.honours_idempotency_key) == ("write", False, True)
    assert label.reference == "ORDER-1001"
    assert label.auth is carrier.label_auth
    booking: Call[Any] = next(carrier.schedule_pickup(moved_request()))
    assert (booking.kind, booking.idempotent, booking.honours_idempotency_key) == ("write", False, False)
    rate: Call[Any] = next(carrier.rate(ship_request()))
    assert (rate.kind, rate.auth) == ("read", None)  # prices carry the bearer only
    flow = carrier.modify_pickup(cg.Pickup(carrier="usps", confirmation_number="WTC1"), moved_request())
    lookup_call: Call[Any] = next(flow)
    assert (lookup_call.request.method, lookup_call.kind) == ("GET", "read")
    put: Call[Any] = flow.send("etag-2")
    assert (put.request.method, put.idempotent, put.request.headers["if-match"]) == ("PUT", True, "etag-2")
