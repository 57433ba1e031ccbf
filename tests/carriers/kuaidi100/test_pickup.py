"""Courier pickup through 商家寄件: the bOrder booking and its cancel against reviewed params, the
window turned into dayType/pickupStartTime/pickupEndTime on the injected clock (China time), answers
in the documented shape and refusals to their typed errors (a cancel's 500, documented for repeated
cancels, is final, never retried)."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import pickup

from support.kuaidi100_samples import (
    ACCOUNT,
    K100,
    LATER,
    URL,
    answer,
    carrier,
    fixture,
    form_of,
    param_of,
    pickup_request,
    run_flow,
)

TOMORROW_2PM = (LATER + timedelta(days=1)).replace(hour=14)


def test_booking_request_golden() -> None:
    request = pickup.build_pickup(pickup_request(TOMORROW_2PM), ACCOUNT, base_url=URL, now=LATER, carrier=K100)
    assert (str(request.url), form_of(request)["method"]) == ("https://poll.kuaidi100.com/order/borderapi.do",
                                                              "bOrder")
    assert param_of(request) == fixture("border_order_param.json")


@pytest.mark.parametrize(("days", "day_type"), [(0, "今天"), (1, "明天"), (2, "后天")])
def test_the_window_day_in_china_time(days: int, day_type: str) -> None:
    start = (LATER + timedelta(days=days)).replace(hour=15)
    fields = pickup.day_fields(pickup_request(start, hours=3), LATER, carrier=K100)
    assert fields == {"dayType": day_type, "pickupStartTime": "15:00", "pickupEndTime": "18:00"}


def test_a_window_given_in_another_zone_is_read_in_china_time() -> None:
    utc_start = TOMORROW_2PM.replace(hour=10).astimezone(UTC)  # 02:00 UTC
    assert utc_start.hour == 2
    fields = pickup.day_fields(pickup_request(utc_start), LATER, carrier=K100)
    assert (fields["dayType"], fields["pickupStartTime"]) == ("明天", "10:00")


@pytest.mark.parametrize(("start", "hours", "field"), [
    ((LATER + timedelta(days=3)).replace(hour=10), 2, "window.start"),
    ((LATER + timedelta(days=1)).replace(hour=22), 4, "window.end"),
])
def test_windows_kuaidi100_cannot_book_are_refused(start: Any, hours: int, field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        pickup.build_pickup(pickup_request(start, hours=hours), ACCOUNT, base_url=URL, now=LATER, carrier=K100)
    assert caught.value.field == field


def test_a_booking_needs_the_accounts_recipient_and_callback() -> None:
    bare = ACCOUNT.model_copy(update={"pickup_to_name": None, "order_callback_url": None, "pickup_cargo": None})
    with pytest.raises(cg.ConfigurationError) as caught:
        pickup.build_pickup(pickup_request(TOMORROW_2PM), bare, base_url=URL, now=LATER, carrier=K100)
    assert caught.value.message.endswith("pickup_to_name, order_callback_url, pickup_cargo")
    abroad = cg.Address(name="Jane Roe", street=["350 S Grand Ave"], city="Los Angeles", state="CA",
                        postal_code="90071", country="US")
    with pytest.raises(cg.ValidationError) as refused:
        pickup.build_pickup(pickup_request(TOMORROW_2PM, address=abroad), ACCOUNT, base_url=URL, now=LATER,
                            carrier=K100)
    assert [e.field for e in refused.value.errors] == ["address.country", "address.phone"]


def test_booking_answer_golden() -> None:
    request = pickup_request(TOMORROW_2PM)
    booked = pickup.parse_pickup(answer(fixture("border_order_response.json")), request=request, carrier=K100)
    assert (booked.carrier, booked.confirmation_number, booked.ready_at, booked.close_at) == \
        (K100, "20066771", request.window.start, request.window.end)
    assert booked.carrier_data == {"task_id": "9FC293CA417E431F33046E64F4C4EC20", "reference": "PICKUP-0001",
                                   "tracking_number": "YT2213099035201"}
    with pytest.raises(cg.MalformedResponse):
        pickup.parse_pickup(answer({"result": True, "returnCode": "200", "data": {"orderId": "1"}}), request=request,
                            carrier=K100)


@pytest.mark.parametrize(("name", "error", "code"), [
    ("border_bad_params.json", cg.CarrierError, "400"), ("border_bad_sign.json", cg.AuthenticationError, "503"),
    ("subscribe_bad_key.json", cg.AuthenticationError, "600"),
    ("border_server_error.json", cg.CarrierUnavailable, "500"),
])
def test_booking_refusals_are_typed(name: str, error: type[cg.CarrierError], code: str) -> None:
    with pytest.raises(error) as caught:
        pickup.parse_pickup(answer(fixture(name)), request=pickup_request(TOMORROW_2PM), carrier=K100)
    assert (caught.value.code, caught.value.message) == (code, fixture(name)["message"])


def _booked() -> cg.Pickup:
    return cg.Pickup(carrier=K100, confirmation_number="20066771",
                     carrier_data={"task_id": "9FC293CA417E431F33046E64F4C4EC20"})


def test_cancel_request_and_answers_golden() -> None:
    request = pickup.build_cancel_pickup(_booked(), base_url=URL, carrier=K100)
    assert form_of(request)["method"] == "cancel"
    assert param_of(request) == fixture("border_cancel_param.json")
    pickup.parse_cancel_pickup(answer(fixture("border_cancel_response.json")), carrier=K100)  # accepted
    with pytest.raises(cg.CarrierError) as again:
        pickup.parse_cancel_pickup(answer(fixture("border_cancel_again.json")), carrier=K100)
    assert (type(again.value), again.value.code, again.value.retryable) == (cg.CarrierError, "500", False)
    with pytest.raises(cg.ValidationError) as caught:
        pickup.build_cancel_pickup(cg.Pickup(carrier=K100, confirmation_number="1"), base_url=URL, carrier=K100)
    assert caught.value.field == "carrier_data.task_id"


def test_pickup_flows_on_the_injected_clock() -> None:
    k100 = carrier(at=LATER)
    flow = k100.schedule_pickup(pickup_request(TOMORROW_2PM))
    call = next(flow)
    assert (call.kind, call.idempotent, call.reference, call.auth) == ("write", False, "PICKUP-0001", k100._business)
    booked = run_flow(k100.schedule_pickup(pickup_request(TOMORROW_2PM)),
                      lambda _: answer(fixture("border_order_response.json")))
    assert booked.confirmation_number == "20066771"
    cancel = next(k100.cancel_pickup(booked))
    assert (cancel.kind, cancel.idempotent) == ("write", True)
    run_flow(k100.cancel_pickup(booked), lambda _: answer(fixture("border_cancel_response.json")))
