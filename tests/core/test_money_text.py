"""Money as text: ``str()`` and JSON to the currency's minor unit, the stored amount unchanged;
common currency names accepted; an amount that is no number refused naming the field."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import carriergate as cg
from carriergate.core.money import CURRENCY_ALIASES, amount_text


@pytest.mark.parametrize(("amount", "currency", "text"), [
    ("44.6", "USD", "44.60"),
    ("44.60", "USD", "44.60"),
    ("44", "USD", "44.00"),
    ("44.6000", "USD", "44.60"),
    ("4460", "JPY", "4460"),
    ("4460.00", "JPY", "4460"),
    ("4.46E+3", "JPY", "4460"),
    ("1.5", "KWD", "1.500"),
    ("-3.5", "EUR", "-3.50"),
    ("0", "CNY", "0.00"),
    ("0.0125", "USD", "0.0125"),  # finer than a cent (a per-gram rate): never rounded away
])  # fmt: skip
def test_str_and_json_write_the_minor_unit(amount: str, currency: str, text: str) -> None:
    money = cg.Money(amount, currency)
    assert str(money) == f"{text} {currency}"
    assert json.loads(money.model_dump_json()) == {"amount": text, "currency": currency}
    assert amount_text(money.amount, currency) == text
    assert money.amount == Decimal(amount)  # stored as given
    assert money.model_dump()["amount"] == Decimal(amount)


def test_json_round_trip_gives_the_same_money() -> None:
    for money in (cg.Money("44.6", "USD"), cg.Money("0.0125", "USD"), cg.Money("4460", "JPY")):
        assert cg.Money.model_validate_json(money.model_dump_json()) == money


def test_nested_json_writes_the_minor_unit() -> None:
    quote = cg.Quote(carrier="ups", service_code="03", service_name="Ground", total=cg.Money("44.6", "USD"))
    assert json.loads(quote.model_dump_json())["total"] == {"amount": "44.60", "currency": "USD"}


@pytest.mark.parametrize(("name", "code"), [("RMB", "CNY"), ("rmb", "CNY"), (" RMB ", "CNY"), ("人民币", "CNY"),
                                            ("NTD", "TWD"), ("NIS", "ILS"), ("美元", "USD"), ("港币", "HKD")])
def test_common_names_are_the_iso_code(name: str, code: str) -> None:
    assert cg.Money("10", name).currency == code
    assert cg.Money("10", name) == cg.Money("10", code)


def test_every_alias_names_a_real_currency_and_ambiguous_signs_are_not_aliases() -> None:
    for code in CURRENCY_ALIASES.values():
        assert cg.Money("1", code).currency == code
    for sign in ("¥", "$", "元"):
        with pytest.raises(cg.ValidationError) as info:
            cg.Money("1", sign)
        assert info.value.field == "currency"


@pytest.mark.parametrize("amount", ["abc", "", "1,5", "12 USD", "1.2.3"])
def test_an_amount_that_is_no_number_says_so(amount: str) -> None:
    with pytest.raises(cg.ValidationError) as info:
        cg.Money(amount, "USD")
    assert info.value.field == "amount"
    assert info.value.reason == f"the amount {amount!r} is not a number"


def test_insurance_that_is_no_number_names_the_field() -> None:
    with pytest.raises(cg.ValidationError) as info:
        cg.RateRequest.model_validate({
            "origin": {"name": "A", "street": ["1 Road"], "city": "Shanghai", "postal_code": "200120", "country": "CN"},
            "destination": {"name": "B", "street": ["2 Road"], "city": "Beijing", "postal_code": "100010",
                            "country": "CN"},
            "parcels": [{"weight": {"value": "1", "unit": "kg"}}], "insurance": {"amount": "abc", "currency": "CNY"}})
    assert info.value.field == "insurance.amount"
    assert "not a number" in info.value.reason


@pytest.mark.parametrize(("text", "money"), [
    ("300 USD", cg.Money("300", "USD")), ("99.50CNY", cg.Money("99.50", "CNY")), ("300 RMB", cg.Money("300", "CNY")),
    ("３００ 人民币", cg.Money("300", "CNY")), (" 12.5 jpy ", cg.Money("12.5", "JPY")),
    ("-1 EUR", cg.Money("-1", "EUR")),
])  # fmt: skip
def test_parse(text: str, money: cg.Money) -> None:
    assert cg.Money.parse(text) == money


@pytest.mark.parametrize(("text", "field", "says"), [
    ("abc USD", "insurance.amount", "the amount 'abc' is not a number"),
    ("abc", "insurance.amount", "the amount is not a number"),
    ("1,000 USD", "insurance.amount", "the amount '1,000' is not a number"),
    ("300", "insurance.currency", "a currency is required"),
    ("300 XYZ", "insurance.currency", "not an ISO 4217 currency code"),
])  # fmt: skip
def test_parse_refuses_naming_the_field(text: str, field: str, says: str) -> None:
    with pytest.raises(cg.ValidationError) as info:
        cg.Money.parse(text, field="insurance")
    assert info.value.field == field
    assert says in info.value.reason
