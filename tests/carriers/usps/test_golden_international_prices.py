"""USPS international prices (``/international-prices/v3/total-rates/search``): the build against the
reviewed request under fixtures/usps, the parse of an answer authored in the format of USPS's
published International Prices examples (``rateOptions`` of ``rates`` and ``extraServices``), the
lanes and inputs refused before sending, and USPS's error bodies as typed errors."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.usps import rate, rate_international

from support.usps_samples import (
    BASE_URL,
    TODAY,
    account,
    body,
    error_response,
    fixture,
    st_louis,
    toronto,
    us_domestic_request,
    us_international_request,
    washington,
)

PATH = "/international-prices/v3/total-rates/search"


def build(request: cg.RateRequest) -> httpx.Request:
    return rate_international.build_international_rate(request, account(), base_url=BASE_URL, today=TODAY)


def parse(payload: Any, *, insured: bool = True, status: int = 200, **kwargs: Any) -> list[cg.Quote]:
    return rate_international.parse_international_rate(httpx.Response(status, json=payload), carrier="usps",
                                                       insured=insured, **kwargs)


def uninsured(**change: Any) -> cg.RateRequest:
    return us_international_request().model_copy(update={"insurance": None, **change})


# -- build ----------------------------------------------------------------------------------------

def test_the_request_is_the_reviewed_international_total_rates_search() -> None:
    http = build(us_international_request())
    assert (http.method, str(http.url)) == ("POST", BASE_URL + PATH)
    assert body(http) == fixture("intl_prices_request.json")


def test_an_uninsured_request_asks_for_no_extra_service_and_sends_no_customs() -> None:
    sent = body(build(uninsured()))
    assert not {"extraServices", "itemValue"} & set(sent)
    assert not any("customs" in key.lower() for key in sent)


def test_one_class_asked_is_sent_as_the_mail_class_several_as_all() -> None:
    one = ["PRIORITY_MAIL_INTERNATIONAL"]
    assert body(build(uninsured(services=one)))["mailClass"] == "PRIORITY_MAIL_INTERNATIONAL"
    both = ["PRIORITY_MAIL_INTERNATIONAL", "GLOBAL_EXPRESS_GUARANTEED"]
    assert body(build(uninsured(services=both)))["mailClass"] == "ALL"


def test_a_destination_without_a_postal_code_sends_none() -> None:
    hong_kong = toronto().model_copy(update={"country": "HK", "postal_code": None, "state": None})
    sent = body(build(uninsured(destination=hong_kong)))
    assert "foreignPostalCode" not in sent
    assert sent["destinationCountryCode"] == "HK"


@pytest.mark.parametrize(("change", "field"), [
    ({"services": ["PRIORITY_MAIL"]}, "services"),
    ({"destination": toronto().model_copy(update={"postal_code": "M5H 2N2 0000 99"})}, "destination.postal_code"),
    ({"ship_date": TODAY.replace(day=20)}, "ship_date"),
    ({"origin": washington().model_copy(update={"postal_code": "2002"})}, "origin.postal_code"),
])
def test_bad_input_is_refused_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        build(uninsured(**change))
    assert field in str(caught.value)


def test_lanes_that_are_not_us_to_abroad_are_not_served() -> None:
    with pytest.raises(cg.NotServed):
        build(uninsured(destination=st_louis()))
    with pytest.raises(cg.NotServed) as caught:
        build(uninsured(origin=toronto(), destination=washington().model_copy(update={"country": "GB"})))
    assert caught.value.code == "lane_not_supported"


# -- parse ----------------------------------------------------------------------------------------

def test_the_answer_is_one_usd_quote_per_class_single_piece_with_the_insurance_asked() -> None:
    quotes = parse(fixture("intl_prices_response.json"))
    assert [(q.service_code, q.total) for q in quotes] == [
        ("PRIORITY_MAIL_INTERNATIONAL", cg.Money("63.40", "USD")),
        ("PRIORITY_MAIL_EXPRESS_INTERNATIONAL", cg.Money("82.17", "USD")),  # not totalPrice: it counts 955
        ("GLOBAL_EXPRESS_GUARANTEED", cg.Money("114.45", "USD")),  # extraServices as a list of lists
    ]
    pmi = quotes[0]
    assert pmi.service_name == "Priority Mail International"
    assert [(c.kind, c.amount.amount, c.code) for c in pmi.charges] == [
        ("base", Decimal("61.35"), "IPXX0XXXXB01060"), ("insurance", Decimal("2.05"), "930")]


def test_flat_rate_containers_are_never_the_parcels_price() -> None:
    quotes = parse(fixture("intl_prices_response.json"), insured=False)
    totals = {q.service_code: q.total.amount for q in quotes}
    assert totals == {"PRIORITY_MAIL_INTERNATIONAL": Decimal("61.35"),  # not the 29.66 envelope
                      "PRIORITY_MAIL_EXPRESS_INTERNATIONAL": Decimal("80.12"),  # not the 55.49 envelope
                      "GLOBAL_EXPRESS_GUARANTEED": Decimal("112.40")}
    assert all(c.kind == "base" for q in quotes for c in q.charges)


def test_only_the_classes_asked_are_quoted() -> None:
    quotes = parse(fixture("intl_prices_response.json"), classes=("GLOBAL_EXPRESS_GUARANTEED",))
    assert [q.service_code for q in quotes] == ["GLOBAL_EXPRESS_GUARANTEED"]
    # priced, but no USPS label API makes it: never the cheapest label one can buy
    assert not quotes[0].can_ship
    assert [w.code for w in quotes[0].warnings] == ["no_label_api"]
    others = [q for q in parse(fixture("intl_prices_response.json")) if q.service_code != "GLOBAL_EXPRESS_GUARANTEED"]
    assert others
    assert all(q.can_ship for q in others)


def test_an_option_that_cannot_be_insured_gives_no_insured_quote() -> None:
    payload = copy.deepcopy(fixture("intl_prices_response.json"))
    for option in payload["rateOptions"]:
        if option["rates"][0]["mailClass"] == "GLOBAL_EXPRESS_GUARANTEED":
            option["extraServices"] = []
    assert "GLOBAL_EXPRESS_GUARANTEED" not in {q.service_code for q in parse(payload)}
    assert "GLOBAL_EXPRESS_GUARANTEED" in {q.service_code for q in parse(payload, insured=False)}


def test_an_answer_with_only_flat_rates_or_nothing_is_not_served_and_one_without_options_malformed() -> None:
    payload = fixture("intl_prices_response.json")
    flat = {"rateOptions": [o for o in payload["rateOptions"] if "Flat Rate" in o["rates"][0]["description"]]}
    nothing: dict[str, Any] = {"rateOptions": []}
    for empty in (flat, nothing):
        with pytest.raises(cg.NotServed):
            parse(empty, insured=False)
    with pytest.raises(cg.MalformedResponse):
        parse({"rates": []})


def test_usps_error_bodies_become_typed_errors_with_usps_code() -> None:
    api = "/international-prices/v3"
    with pytest.raises(cg.CarrierError) as caught:
        rate_international.parse_international_rate(
            error_response(400, "destinationCountryCode is invalid", code="INTL-PRICES-01", api=api), carrier="usps")
    assert (caught.value.code, caught.value.http_status) == ("INTL-PRICES-01", 400)
    assert "destinationCountryCode" in caught.value.message
    with pytest.raises(cg.NotServed):
        rate_international.parse_international_rate(
            error_response(400, "No rates are available for this destination", api=api), carrier="usps")
    with pytest.raises(cg.CarrierUnavailable):
        rate_international.parse_international_rate(error_response(503, "Service Unavailable", api=api),
                                                    carrier="usps")


def test_the_domestic_request_is_unchanged_by_the_shared_helpers() -> None:
    sent = body(rate.build_rate(us_domestic_request(), account(), base_url=BASE_URL, today=TODAY))
    assert sent == fixture("rate_request.json")
