"""The tolerant JSON readers every JSON carrier shares: each shape a carrier sends, read without a
KeyError; a Decimal decoded from JSON used as it is (the fast path gives what the long way gives)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from carriergate.protocols.json_reading import as_list, decimal, dig, obj, records, text


@pytest.mark.parametrize("raw", ["12.50", "-0.0", "1E+3", "0E-7", "123456789012345678901234567890.123", "-7.000"])
def test_decoded_decimals_are_used_as_they_are(raw: str) -> None:
    value = Decimal(raw)
    read = decimal(value)
    assert read is not None
    assert read.as_tuple() == Decimal(str(value)).as_tuple()  # the long way: through text and back


@pytest.mark.parametrize("raw", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_non_finite_decimals_read_as_absent(raw: str) -> None:
    assert decimal(Decimal(raw)) is None


@pytest.mark.parametrize(("value", "expected"), [
    (" 12 ", "12"), (12, "12"), (1.5, "1.5"), (Decimal("2.50"), "2.50"), ("", None), ("  ", None), (True, None),
    (False, None), (None, None), (["x"], None), ({"a": 1}, None),
])
def test_text_reads_strings_and_numbers_only(value: Any, expected: str | None) -> None:
    assert text(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    ("1,234.50", Decimal("1234.50")), (" 7 ", Decimal("7")), (3, Decimal("3")), ("abc", None), ("", None),
    (None, None), (True, None), ("NaN", None), ([1], None),
])
def test_decimal_reads_numbers_and_numeric_strings(value: Any, expected: Decimal | None) -> None:
    assert decimal(value) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (None, []), ("", []), ([1, 2], [1, 2]), ({"a": 1}, [{"a": 1}]), ("x", ["x"]),
])
def test_as_list_takes_every_shape(value: Any, expected: list[Any]) -> None:
    assert as_list(value) == expected


def test_objects_and_paths_read_an_array_where_an_object_is_documented() -> None:
    data = {"Shipment": [{"Package": {"Weight": "2"}}, {"Package": {"Weight": "3"}}]}
    assert dig(data, "Shipment", "Package", "Weight") == "2"
    assert dig(data, "Shipment", "Missing", "Weight") is None
    assert obj([1, {"k": "v"}]) == {"k": "v"}
    assert obj("x") == {}
    assert records([{"a": 1}, "x", {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert records({"a": 1}) == [{"a": 1}]
