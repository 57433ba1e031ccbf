"""The shortcuts taken for speed give exactly what the full path gives, and never let unchecked
input through: Money's fast constructor path and the cached endpoint URLs of core/http.py."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import httpx
import pydantic
import pytest

import carriergate as cg
from carriergate.core import money as money_module
from carriergate.core.money import Money
from carriergate.protocols.http import json_request, parsed_url


class _Code(str):
    """A str subclass: the fast path must not take it (only exact ``str`` is trusted)."""


class _Amount(Decimal):
    pass


def _validated(amount: Any, currency: str) -> Money:
    """What pydantic's own validation produces, bypassing Money.__init__ entirely."""
    return Money.model_validate({"amount": amount, "currency": currency})


def test_fast_path_builds_the_same_money_as_full_validation() -> None:
    Money("1", "USD")  # "USD" has now passed the validator as given
    assert "USD" in money_module._CHECKED_CODES
    fast = Money(Decimal("12.50"), "USD")
    full = _validated("12.50", "USD")
    assert fast == full
    assert hash(fast) == hash(full)
    assert fast.model_dump() == full.model_dump() == {"amount": Decimal("12.50"), "currency": "USD"}
    assert fast.model_fields_set == full.model_fields_set
    assert fast.model_dump_json() == full.model_dump_json()
    assert copy.deepcopy(fast) == fast
    assert fast.model_copy(update={"amount": Decimal(3)}).amount == Decimal(3)
    with pytest.raises(pydantic.ValidationError):
        fast.amount = Decimal(1)  # type: ignore[misc]  # still frozen


@pytest.mark.parametrize("amount", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"), Decimal("-Infinity")])
def test_non_finite_decimals_are_refused_even_for_a_checked_currency(amount: Decimal) -> None:
    Money("1", "EUR")
    assert "EUR" in money_module._CHECKED_CODES
    with pytest.raises(cg.ValidationError) as info:
        Money(amount, "EUR")
    assert info.value.errors[0].field == "amount"


@pytest.mark.parametrize("amount", [1.5, True, None, [1]])
def test_other_amount_types_still_go_through_the_validator(amount: Any) -> None:
    Money("1", "USD")
    with pytest.raises(cg.ValidationError):
        Money(amount, "USD")


def test_unchecked_or_unnormalised_codes_are_validated_and_normalised() -> None:
    Money("1", "GBP")
    assert Money(Decimal(1), " gbp ").currency == "GBP"
    assert " gbp " not in money_module._CHECKED_CODES
    assert "gbp" not in money_module._CHECKED_CODES
    with pytest.raises(cg.ValidationError) as info:
        Money(Decimal(1), "XQZ")
    assert info.value.errors[0].field == "currency"
    assert "XQZ" not in money_module._CHECKED_CODES
    with pytest.raises(cg.ValidationError):
        Money(Decimal(1), "US")


def test_subclasses_of_str_and_decimal_take_the_full_path() -> None:
    Money("1", "USD")
    code = Money(Decimal(1), _Code("USD")).currency
    assert type(code) is str
    assert code == "USD"
    assert Money(_Amount("2.5"), "USD").amount == Decimal("2.5")


def test_arithmetic_results_match_the_validated_model() -> None:
    a, b = Money("10.10", "USD"), Money("0.05", "USD")
    assert a + b == _validated("10.15", "USD")
    assert (a - b).rounded() == _validated("10.05", "USD")
    with pytest.raises(ValueError, match="cannot combine USD with EUR"):
        a + Money("1", "EUR")


def test_endpoint_urls_are_parsed_once_but_never_cached_with_a_query_or_user_info() -> None:
    first = parsed_url("https://example.test/api/rating/v2409/Shop")
    assert isinstance(first, httpx.URL)
    assert parsed_url("https://example.test/api/rating/v2409/Shop") is first
    assert parsed_url("https://example.test/x?key=secret") == "https://example.test/x?key=secret"
    assert parsed_url("https://user:pw@example.test/x") == "https://user:pw@example.test/x"
    request = json_request("POST", "https://example.test/api/rating/v2409/Shop", {"a": 1})
    assert str(request.url) == "https://example.test/api/rating/v2409/Shop"
    assert request.headers["host"] == "example.test"
    assert request.content == b'{"a":1}'
