"""USPS error bodies to typed errors (USPS's own code and message kept), and bad input refused
before anything is sent, with a ValidationError naming the field."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.usps import USPS, rate, ship, track
from carriergate.carriers.usps.errors import names_payment_token

from support.usps_samples import (
    BASE_URL,
    TODAY,
    account,
    customs,
    error_response,
    response,
    ship_request,
    toronto,
    us_domestic_request,
    us_international_request,
)


@pytest.mark.parametrize(("status", "kind"), [
    (400, cg.CarrierError), (401, cg.AuthenticationError), (403, cg.AuthenticationError), (404, cg.NotFound),
    (429, cg.RateLimited), (500, cg.CarrierUnavailable), (503, cg.CarrierUnavailable)])
def test_each_status_is_its_typed_error_with_usps_code_and_message(status: int, kind: type[cg.CarrierError]) -> None:
    with pytest.raises(kind) as caught:
        rate.parse_rate(error_response(status, "Something is wrong", code="010042"), carrier="usps")
    assert type(caught.value) is kind
    assert (caught.value.code, caught.value.message) == ("010042", "Something is wrong")
    assert caught.value.http_status == status


def test_the_offending_parameter_is_named_in_the_message() -> None:
    with pytest.raises(cg.CarrierError) as caught:
        ship.parse_ship(response("error_400.json", 400), carrier="usps", label_format="PDF", reference="R",
                        international=False)
    assert caught.value.code == "010001"
    assert caught.value.message == "toAddress.ZIPCode is invalid"


def test_a_cancel_of_an_unknown_label_is_not_found() -> None:
    from carriergate.carriers.usps import void

    with pytest.raises(cg.NotFound) as caught:
        void.parse_void(response("cancel_not_found.json", 400), carrier="usps")
    assert (caught.value.code, caught.value.message) == ("00000XX", "Order not found (trackingNumber)")


def test_error_body_without_subordinate_errors_keeps_the_top_code() -> None:
    with pytest.raises(cg.CarrierUnavailable) as caught:
        track.parse_track(response("error_503.json", 503), carrier="usps", tracking_number="X")
    assert (caught.value.code, caught.value.message) == ("503", "Service Unavailable")


def test_a_body_that_is_not_json_is_malformed_or_the_status_error() -> None:
    with pytest.raises(cg.MalformedResponse):
        rate.parse_rate(httpx.Response(200, content=b"<html>"), carrier="usps")
    with pytest.raises(cg.CarrierUnavailable):
        rate.parse_rate(httpx.Response(502, content=b"<html>bad gateway</html>"), carrier="usps")


def test_a_401_naming_the_payment_token_is_told_apart_from_a_bearer_401() -> None:
    assert names_payment_token(response("error_401_payment.json", 401))
    assert not names_payment_token(error_response(401, "Invalid access token", code="UNAUTHORIZED"))
    assert not names_payment_token(response("error_401_payment.json", 400))


def test_an_answer_with_no_rate_option_is_not_served() -> None:
    with pytest.raises(cg.NotServed):
        rate.parse_rate(httpx.Response(200, json={"rateOptions": []}), carrier="usps")
    with pytest.raises(cg.MalformedResponse):
        rate.parse_rate(httpx.Response(200, json={}), carrier="usps")


def test_a_label_answer_without_number_or_image_is_malformed() -> None:
    payloads = ({"labelImage": "JVBERg=="}, {"trackingNumber": "9205"}, {"trackingNumber": "9", "labelImage": "%%"})
    for payload in payloads:
        with pytest.raises(cg.MalformedResponse):
            ship.parse_ship(httpx.Response(200, json=payload), carrier="usps", label_format="PDF", reference=None,
                            international=False)


# -- refused before sending -------------------------------------------------------------------------

def refused(build: Any) -> cg.ValidationError:
    with pytest.raises(cg.ValidationError) as caught:
        build()
    return caught.value


def test_a_parcel_mailed_outside_the_us_is_not_served() -> None:
    request = us_domestic_request().model_copy(update={"origin": toronto(), "insurance": None})
    with pytest.raises(cg.NotServed) as caught:
        rate.build_rate(request, account(), base_url=BASE_URL, today=TODAY)
    assert caught.value.code == "lane_not_supported"


def test_domestic_prices_refuse_a_destination_abroad_and_name_the_international_api() -> None:
    with pytest.raises(cg.NotServed) as caught:
        rate.build_rate(us_international_request(), account(), base_url=BASE_URL, today=TODAY)
    assert "international-prices" in caught.value.message


@pytest.mark.parametrize(("change", "field"), [
    ({"service": "GROUND"}, "service"),
    ({"label_format": "PNG"}, "label_format"),
    ({"ship_date": TODAY.replace(day=1)}, "ship_date"),
    ({"insurance": cg.Money("100", "EUR")}, "insurance"),
    ({"parcels": [cg.Parcel(weight=cg.Weight("2", "kg"))]}, "parcels[0].dimensions"),
    ({"parcels": [cg.Parcel(weight=cg.Weight("40", "kg"), dimensions=cg.Dimensions(30, 20, 10, "cm"))]},
     "parcels[0].weight"),
    ({"return_shipment": True, "destination": toronto(), "customs": customs(), "insurance": None},
     "destination.country"),
])
def test_bad_domestic_labels_are_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    error = refused(lambda: ship.build_ship(ship_request(**change), account(), base_url=BASE_URL, today=TODAY))
    assert error.field == field


def test_two_parcels_and_a_bad_state_or_zip_are_refused() -> None:
    two = ship_request(parcels=[*us_domestic_request().parcels, *us_domestic_request().parcels])
    assert refused(lambda: ship.build_ship(two, account(), base_url=BASE_URL, today=TODAY)).field == "parcels"
    request = ship_request()
    bad_state = request.model_copy(update={"destination": request.destination.model_copy(update={"state": "Missouri"})})
    assert refused(lambda: ship.build_ship(bad_state, account(), base_url=BASE_URL, today=TODAY)).field == \
        "destination.state"
    long_city = request.model_copy(update={"origin": request.origin.model_copy(update={"city": "X" * 29})})
    assert refused(lambda: ship.build_ship(long_city, account(), base_url=BASE_URL, today=TODAY)).field == "origin.city"


def test_customs_in_another_currency_or_with_a_long_description_is_refused() -> None:
    intl = ship_request(us_international_request(), service="PRIORITY_MAIL_INTERNATIONAL", insurance=None)
    assert intl.customs is not None
    item = intl.customs.items[0]
    long_item = item.model_copy(update={"description": "Organic cotton T-shirt, crew neck, blue"})
    long_request = intl.model_copy(update={"customs": intl.customs.model_copy(update={"items": [long_item]})})
    error = refused(lambda: ship.build_ship(long_request, account(), base_url=BASE_URL, today=TODAY))
    assert error.field == "customs.items[0].description"
    cny = item.model_copy(update={"unit_value": cg.Money("400", "CNY")})
    cny_request = intl.model_copy(update={"customs": intl.customs.model_copy(update={"items": [cny]})})
    error = refused(lambda: ship.build_ship(cny_request, account(), base_url=BASE_URL, today=TODAY))
    assert error.field == "customs.items[0].unit_value"


def test_a_domestic_service_abroad_is_refused() -> None:
    wrong = ship_request(us_international_request(), service="USPS_GROUND_ADVANTAGE")
    assert refused(lambda: ship.build_ship(wrong, account(), base_url=BASE_URL, today=TODAY)).field == "service"


def test_an_account_without_its_payment_account_is_refused() -> None:
    with pytest.raises(ValueError, match="account_number"):
        account(account_number=None)
    with pytest.raises(ValueError, match="permit"):
        account(account_type="PERMIT", account_number=None)
    assert "usps-secret-value" not in repr(account())
    assert "usps-secret-value" not in repr(USPS(account()))


def test_bad_tracking_numbers_are_refused_before_sending() -> None:
    flow = USPS(account()).track("../labels")
    with pytest.raises(cg.ValidationError):
        next(flow)
