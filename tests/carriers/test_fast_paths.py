"""The shortcuts the UPS and FedEx rate paths take for speed give exactly what the long way gives:
no unit conversion when a weight or size is already in the unit asked, FedEx amounts decoded as
Decimal used as they are (tests/protocols/test_json_reading.py), UPS currency codes checked once per distinct string."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.fedex import payload
from carriergate.carriers.ups import measures
from carriergate.carriers.ups.rate import parse_rate
from carriergate.carriers.ups.shapes import currency_code, money


def test_a_weight_or_size_already_in_the_unit_asked_is_itself() -> None:
    weight = cg.Weight("33.333333333333333333333333333", "lb")
    assert weight.to("lb") is weight  # exact: no arithmetic, so no digit is lost
    assert weight.rounded_up("lb", "0.1") == Decimal("33.4")
    dims = cg.Dimensions("6.5", 2, 3, "in")
    assert dims.to("in") is dims


@pytest.mark.parametrize(("weight", "units", "expected"), [
    (cg.Weight("5.25", "lb"), measures.IMPERIAL, "5.3"),
    (cg.Weight("5.2", "lb"), measures.IMPERIAL, "5.2"),
    (cg.Weight("1", "kg"), measures.IMPERIAL, "2.3"),  # 2.2046... lb, up
    (cg.Weight("16", "oz"), measures.IMPERIAL, "1.0"),
    (cg.Weight("1", "lb"), measures.METRIC, "0.5"),  # 0.4536 kg, up
])
def test_ups_weights_by_hand(weight: cg.Weight, units: measures.UnitSystem, expected: str) -> None:
    assert measures.weight_text(weight, units) == expected


@pytest.mark.parametrize(("weight", "units", "expected"), [
    (cg.Weight("5.25", "lb"), "LB", 5.25), (cg.Weight("5.251", "lb"), "LB", 5.26),
    (cg.Weight("1", "kg"), "LB", 2.21), (cg.Weight("500", "g"), "KG", 0.5),
])
def test_fedex_weights_by_hand(weight: cg.Weight, units: str, expected: float) -> None:
    assert payload.weight(weight, units) == {"units": units, "value": expected}


def test_ups_currency_codes_are_normalised_and_checked() -> None:
    assert currency_code("usd") == "USD"
    assert currency_code("XQZ") is None
    assert currency_code("US") is None
    assert currency_code("") is None
    amount = money({"CurrencyCode": " eur ", "MonetaryValue": "1,200.50"})
    assert amount == cg.Money("1200.50", "EUR")
    assert money({"MonetaryValue": "3"}, "JPY") == cg.Money("3", "JPY")
    assert money({"CurrencyCode": "XQZ", "MonetaryValue": "3"}, "USD") is None
    assert money(None) is None
    assert money([{"CurrencyCode": "USD", "MonetaryValue": "2"}]) == cg.Money("2", "USD")


def test_ups_transit_days_that_are_digits_but_not_decimal_do_not_crash_the_parse() -> None:
    body = {"RateResponse": {"RatedShipment": {
        "Service": {"Code": "03"}, "TotalCharges": {"CurrencyCode": "USD", "MonetaryValue": "10.00"},
        "GuaranteedDelivery": {"BusinessDaysInTransit": "²"}}}}
    [quote] = parse_rate(httpx.Response(200, json=body), carrier="ups")
    assert quote.transit_days is None
    assert quote.total == cg.Money("10.00", "USD")
