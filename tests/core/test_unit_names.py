"""Weight and length units as Chinese shops write them (公斤, 千克, 克, 磅), and Weight.parse for text."""

from __future__ import annotations

from decimal import Decimal

import pytest

import carriergate as cg
from carriergate.core.units import Dimensions, Weight


@pytest.mark.parametrize(("unit", "stored"), [("公斤", "kg"), ("千克", "kg"), ("克", "g"), ("磅", "lb"), ("盎司", "oz"),
                                              ("KG", "kg"), (" lb ", "lb")])
def test_weight_units_by_other_names(unit: str, stored: str) -> None:
    weight = Weight.model_validate({"value": "2.5", "unit": unit})
    assert weight.unit == stored
    assert weight == Weight.model_validate({"value": "2.5", "unit": stored})


def test_chinese_units_type_check_in_the_constructor() -> None:
    assert Weight("2.5", "公斤").kg == Decimal("2.5")
    assert Weight(800, "克").kg == Decimal("0.800")
    assert Dimensions(30, 20, 10, "厘米") == Dimensions(30, 20, 10, "cm")


@pytest.mark.parametrize("unit", ["kgs", "stone", "斤", ""])
def test_other_names_stay_refused(unit: str) -> None:
    with pytest.raises(cg.ValidationError) as info:
        Weight.model_validate({"value": "1", "unit": unit})
    assert info.value.field == "unit"


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("2.5kg", "2.5", "kg"), ("2.5 公斤", "2.5", "kg"), ("2.5公斤", "2.5", "kg"), ("３千克", "3", "kg"),
    ("800克", "800", "g"), ("3磅", "3", "lb"), ("12 oz", "12", "oz"), ("２.５ＫＧ", "2.5", "kg"),
])  # fmt: skip
def test_parse(text: str, value: str, unit: str) -> None:
    assert Weight.parse(text) == Weight.model_validate({"value": value, "unit": unit})


@pytest.mark.parametrize(("text", "field"), [("abc", "parcels[0].weight.value"), ("2.5", "parcels[0].weight.unit"),
                                             ("2.5 斤", "parcels[0].weight.unit"), ("0kg", "parcels[0].weight.value"),
                                             ("kg", "parcels[0].weight.value")])
def test_parse_refuses_naming_the_field(text: str, field: str) -> None:
    with pytest.raises(cg.ValidationError) as info:
        Weight.parse(text, field="parcels[0].weight")
    assert info.value.field == field
