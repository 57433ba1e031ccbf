"""Weights and dimensions. A unit is always explicit. Conversions are Decimal arithmetic on the exact
definitions (1 lb = 0.45359237 kg, 1 in = 2.54 cm): exact into kg, g, cm, mm and m; into lb, oz
and in they divide, carried to Decimal's 28 significant digits. Carriers' billing rounds up anyway
(:meth:`Weight.rounded_up`)."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_CEILING, Decimal
from typing import Any, Literal

from pydantic import ConfigDict, field_validator

from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.money import to_decimal
from carriergate.core.validation import StrictModel

WeightUnit = Literal["kg", "g", "lb", "oz"]
LengthUnit = Literal["cm", "mm", "m", "in"]
#: Other names accepted for a weight unit (any case), stored as the unit they name.
#: The Chinese names are the units as Chinese shops write them; upper case ("KG") is accepted too.
#: English spellings ("kgs", "lbs") stay refused: the unit is meant to be exactly one of the codes.
WeightUnitAlias = Literal["公斤", "千克", "克", "磅", "盎司"]
#: Other names accepted for a length unit, stored as the unit they name.
LengthUnitAlias = Literal["厘米", "毫米", "米", "英寸"]

WEIGHT_UNIT_ALIASES: dict[str, WeightUnit] = {"公斤": "kg", "千克": "kg", "克": "g", "磅": "lb", "盎司": "oz"}
LENGTH_UNIT_ALIASES: dict[str, LengthUnit] = {"厘米": "cm", "毫米": "mm", "米": "m", "英寸": "in"}

# Exact definitions: 1 lb = 0.45359237 kg (international pound), 1 in = 2.54 cm.
_KG_PER = {"kg": Decimal(1), "g": Decimal("0.001"), "lb": Decimal("0.45359237"),
           "oz": Decimal("0.45359237") / 16}  # fmt: skip
_CM_PER = {"cm": Decimal(1), "mm": Decimal("0.1"), "m": Decimal(100), "in": Decimal("2.54")}


_NUMBER_UNIT = re.compile(r"^([-+]?[0-9]*\.?[0-9]+)\s*(\S*)$")


def _number_and_unit(text: str, field: str, example: str) -> tuple[str, str]:
    spec = unicodedata.normalize("NFKC", text).strip()
    match = _NUMBER_UNIT.match(spec)
    if not match:
        raise ValidationError(FieldError(f"{field}.value", f"expected a number and {example} (got {text!r})"))
    value, unit = match.groups()
    if not unit:
        raise ValidationError(FieldError(f"{field}.unit", f"a unit is required, e.g. {value}kg (got {text!r})"))
    return value, unit


def _positive(value: Any) -> Decimal:
    number = to_decimal(value, allow_float=True)
    if number <= 0:
        raise ValueError("must be greater than zero")
    return number


def _unit_name(value: Any, aliases: dict[str, Any]) -> Any:
    """A unit as written by people (``" KG "``, ``"公斤"``) as the unit it names; anything else is
    left for the Literal check to refuse, listing the units."""
    if not isinstance(value, str):
        return value
    name = unicodedata.normalize("NFKC", value).strip().lower()
    return aliases.get(name, name)


class Weight(StrictModel):
    """``Weight(2.5, "kg")``. Value must be positive. The unit may also be written ``"KG"``,
    ``"公斤"``, ``"千克"`` (kg), ``"克"`` (g), ``"磅"`` (lb), ``"盎司"`` (oz): see ``WEIGHT_UNIT_ALIASES``."""

    model_config = ConfigDict(frozen=True)

    value: Decimal
    unit: WeightUnit

    def __init__(self, value: Decimal | str | int | float, unit: WeightUnit | WeightUnitAlias) -> None:
        super().__init__(value=value, unit=unit)

    _positive = field_validator("value", mode="before")(_positive)
    _unit = field_validator("unit", mode="before")(lambda v: _unit_name(v, WEIGHT_UNIT_ALIASES))

    @classmethod
    def parse(cls, text: str, *, field: str = "weight") -> Weight:
        """``"2.5kg"``, ``"800 g"``, ``"3LB"``, ``"2.5公斤"``, ``"２.５ 千克"``: a number then a unit.
        Refused as a ``ValidationError`` naming ``{field}.value`` or ``{field}.unit``."""
        value, unit = _number_and_unit(text, field, "a unit such as 2.5kg")
        try:
            return cls.model_validate({"value": value, "unit": unit})
        except ValidationError as exc:
            raise ValidationError([FieldError(f"{field}.{e.field}", e.reason) for e in exc.errors]) from None

    def to(self, unit: WeightUnit) -> Weight:
        if unit == self.unit:  # frozen: the same weight, exactly, with no arithmetic
            return self
        return Weight(self.value * _KG_PER[self.unit] / _KG_PER[unit], unit)

    @property
    def kg(self) -> Decimal:
        return self.value * _KG_PER[self.unit]

    def __add__(self, other: Weight) -> Weight:
        return Weight(self.value + other.to(self.unit).value, self.unit)

    def rounded_up(self, unit: WeightUnit, step: Decimal | str = "0.1") -> Decimal:
        """The weight in ``unit`` rounded up to a multiple of ``step`` (carriers bill up, never down)."""
        step_d = Decimal(step)
        return (self.to(unit).value / step_d).to_integral_value(rounding=ROUND_CEILING) * step_d

    def __str__(self) -> str:
        return f"{self.value.normalize():f} {self.unit}"


class Dimensions(StrictModel):
    """``Dimensions(30, 20, 10, "cm")``: length, width, height, all positive."""

    model_config = ConfigDict(frozen=True)

    length: Decimal
    width: Decimal
    height: Decimal
    unit: LengthUnit

    def __init__(
        self,
        length: Decimal | str | int | float,
        width: Decimal | str | int | float,
        height: Decimal | str | int | float,
        unit: LengthUnit | LengthUnitAlias,
    ) -> None:
        super().__init__(length=length, width=width, height=height, unit=unit)

    _positive = field_validator("length", "width", "height", mode="before")(_positive)
    _unit = field_validator("unit", mode="before")(lambda v: _unit_name(v, LENGTH_UNIT_ALIASES))

    def to(self, unit: LengthUnit) -> Dimensions:
        if unit == self.unit:  # frozen: the same dimensions, exactly, with no arithmetic
            return self
        f = _CM_PER[self.unit] / _CM_PER[unit]
        return Dimensions(self.length * f, self.width * f, self.height * f, unit)

    def volume(self, unit: LengthUnit) -> Decimal:
        d = self.to(unit)
        return d.length * d.width * d.height

    def dimensional_weight(self, divisor: Decimal | int, *, length_unit: LengthUnit = "cm",
                           weight_unit: WeightUnit = "kg") -> Weight:
        """Volumetric weight: volume in ``length_unit``³ divided by the carrier's divisor.

        Common divisors: 5000 (cm/kg, express), 6000 (cm/kg, economy), 139 (in/lb, US domestic).
        """
        return Weight(self.volume(length_unit) / Decimal(divisor), weight_unit)

    def __str__(self) -> str:
        dims = "x".join(f"{v.normalize():f}" for v in (self.length, self.width, self.height))
        return f"{dims} {self.unit}"
