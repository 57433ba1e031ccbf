"""Units UPS accepts (KGS/CM or LBS/IN, by origin) and how we write weights, sizes and money."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from typing import Literal

from carriergate.core.money import Money, minor_units
from carriergate.core.units import Dimensions, Weight

#: Origins whose UPS accounts rate in pounds and inches; everywhere else uses kilograms and centimetres.
IMPERIAL_ORIGINS = frozenset({"US", "PR"})
#: UPS's per-package weight limit.
MAX_PACKAGE_KG = Decimal("70")
#: UPS takes weights to one decimal.
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class UnitSystem:
    weight: Literal["kg", "lb"]
    length: Literal["cm", "in"]
    weight_code: str
    length_code: str
    weight_name: str
    length_name: str


METRIC = UnitSystem("kg", "cm", "KGS", "CM", "Kilograms", "Centimeters")
IMPERIAL = UnitSystem("lb", "in", "LBS", "IN", "Pounds", "Inches")


def units_for(origin_country: str) -> UnitSystem:
    return IMPERIAL if origin_country in IMPERIAL_ORIGINS else METRIC


def weight_text(weight: Weight, units: UnitSystem) -> str:
    """The weight in UPS's unit, rounded UP to one decimal (never under-declared): ``"5.6"``."""
    return f"{weight.rounded_up(units.weight, TENTH):.1f}"


def length_text(value: Decimal) -> str:
    """A dimension rounded up to a whole unit (UPS Shipping takes at most three characters)."""
    return str(max(int(value.to_integral_value(rounding=ROUND_CEILING)), 1))


def dimensions_json(dimensions: Dimensions, units: UnitSystem) -> dict[str, object]:
    converted = dimensions.to(units.length)
    return {
        "UnitOfMeasurement": {"Code": units.length_code, "Description": units.length_name},
        "Length": length_text(converted.length),
        "Width": length_text(converted.width),
        "Height": length_text(converted.height),
    }


def amount_text(money: Money) -> str:
    """An amount with the currency's decimals: ``"200.00"`` (USD), ``"1500"`` (JPY)."""
    return f"{money.rounded().amount:.{minor_units(money.currency)}f}"


def split(money: Money, parts: int) -> list[Money]:
    """``money`` split into ``parts`` shares in minor units; the remainder goes to the first share."""
    exp = Decimal(1).scaleb(-minor_units(money.currency))
    whole = money.rounded().amount
    share = (whole / parts).quantize(exp, rounding=ROUND_DOWN)
    first = whole - share * (parts - 1)
    return [Money(first, money.currency)] + [Money(share, money.currency) for _ in range(parts - 1)]
