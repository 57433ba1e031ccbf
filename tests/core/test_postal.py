"""Postal codes are checked against each country's fixed format before anything is sent, naming the
field and the expected format; harmless differences (spaces, case, full-width digits, a missing
separator) are normalised instead of refused."""

from __future__ import annotations

from typing import Any

import pytest

import carriergate as cg
from carriergate.core.postal import normalise_postal_code, postal_format


def address(country: str, postal_code: str | None, **extra: Any) -> dict[str, Any]:
    return {"name": "A Person", "street": ["1 Road"], "city": "Town", "country": country,
            "postal_code": postal_code, **extra}


def rate(destination: dict[str, Any]) -> cg.RateRequest:
    origin = address("CN", "200120")
    customs = None
    if destination["country"] != "CN":
        customs = {"contents_type": "documents", "signer": "A Person"}
    return cg.RateRequest.model_validate({"origin": origin, "destination": destination, "customs": customs,
                                          "parcels": [{"weight": {"value": "1", "unit": "kg"}}]})


@pytest.mark.parametrize(("country", "given", "stored"), [
    ("CN", "200120", "200120"),
    ("CN", " 200 120 ", "200120"),
    ("CN", "２００１２０", "200120"),  # full-width digits, as Chinese input methods type them
    ("US", "90071", "90071"),
    ("US", "90071-1234", "90071-1234"),
    ("US", "900711234", "90071-1234"),
    ("CA", "k1a0b1", "K1A 0B1"),
    ("CA", "K1A  0B1", "K1A 0B1"),
    ("GB", "sw1a1aa", "SW1A 1AA"),
    ("GB", "SW1A 1AA", "SW1A 1AA"),
    ("GB", "m2 5bq", "M2 5BQ"),
    ("DE", "10115", "10115"),
    ("JP", "100-0001", "100-0001"),
    ("JP", "1000001", "1000001"),
    ("JP", "100 0001", "1000001"),
    ("NL", "1234ab", "1234AB"),
    ("PL", "00950", "00-950"),
    ("BR", "40301110", "40301110"),
    ("HK", "000000", "000000"),  # no postal codes in Hong Kong: whatever is given is kept
])  # fmt: skip
def test_valid_codes_are_kept_or_normalised(country: str, given: str, stored: str) -> None:
    assert cg.Address(**address(country, given)).postal_code == stored


@pytest.mark.parametrize(("country", "given", "expected"), [
    ("CN", "20012", "6 digits"),
    ("CN", "2001200", "6 digits"),
    ("CN", "20012A", "6 digits"),
    ("CN", "٢٠٠١٢٠", "6 digits"),  # Arabic-Indic digits are digits to Python, not to a carrier
    ("US", "9007", "5-digit ZIP code or ZIP+4"),
    ("US", "90071-12", "5-digit ZIP code or ZIP+4"),
    ("US", "ABCDE", "5-digit ZIP code or ZIP+4"),
    ("CA", "90071", "K1A 0B1"),
    ("GB", "12345", "UK postcode"),
    ("DE", "1011", "5 digits"),
    ("JP", "100-001", "7 digits"),
    ("PL", "009500", "00-950"),  # no curated description: the examples say it
])  # fmt: skip
def test_codes_out_of_format_are_refused_naming_field_and_format(country: str, given: str, expected: str) -> None:
    with pytest.raises(cg.ValidationError) as info:
        rate(address(country, given))
    assert info.value.field == "destination.postal_code"
    assert expected in info.value.reason
    assert repr(given) in info.value.reason


def test_origin_is_checked_too() -> None:
    with pytest.raises(cg.ValidationError) as info:
        cg.RateRequest.model_validate({"origin": address("CN", "2001"), "destination": address("CN", "100010"),
                                       "parcels": [{"weight": {"value": "1", "unit": "kg"}}]})
    assert info.value.field == "origin.postal_code"


def test_a_missing_code_is_still_refused_where_required_and_allowed_where_not() -> None:
    with pytest.raises(cg.ValidationError) as info:
        cg.Address(**address("US", None))
    assert info.value.field == "postal_code"
    assert cg.Address(**address("AE", None)).postal_code is None


def test_the_format_comes_from_the_metadata_with_examples() -> None:
    cn = postal_format("CN")
    assert cn is not None
    assert cn.pattern.fullmatch("100010")
    assert cn.examples
    assert postal_format("HK") is None
    assert normalise_postal_code("HK", " 999077 ") == "999077"


def test_assignment_is_validated_as_construction_is() -> None:
    la = cg.Address(**address("US", "90071"))
    with pytest.raises(ValueError, match="expected a 5-digit ZIP"):  # pydantic's error on assignment
        la.postal_code = "9007"
