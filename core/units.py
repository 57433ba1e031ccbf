"""Weights and dimensions. A unit is always explicit. Conversions are Decimal arithmetic on the exact
definitions (1 lb = 0.45359237 kg, 1 in = 2.54 cm): exact into kg, g, cm, mm and m; into lb, oz
and in they divide, carried to Decimal's 28 significant digits. Carriers' billing rounds up anyway
(:meth:`Weight.rounded_up`)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal
from typing import Any, Literal

from pydantic import ConfigDict, field_validator

from carriergate.core.money import to_decimal
from carriergate.core.validation import StrictModel

WeightUnit = Literal["kg", "g", "lb", "oz"]
LengthUnit = Literal["cm", "mm", "m", "in"]

# Exact definitions: 1 lb = 0.45359237 kg (international pound), 1 in = 2.54 cm.
_KG_PER = {"kg": Decimal(1), "g": Decimal("0.001"), "lb": Decimal("0.45359237"),
           "oz": Decimal("0.45359237") / 16}  # fmt: skip
_CM_PER = {"cm": Decimal(1), "mm": Decimal("0.1"), "m": Decimal(100), "in": Decimal("2.54")}


def _positive(value: Any) -> Decimal:
    number = to_decimal(value, allow_float=True)
    if number <= 0:
        raise ValueError("must be greater than zero")
    return number


class Weight(StrictModel):
    """``Weight(2.5, "kg")``. Value must be positive."""

    model_config = ConfigDict(frozen=True)

    value: Decimal
    unit: WeightUnit

    def __init__(self, value: Decimal | str | int | float, unit: WeightUnit) -> None:
        super().__init__(value=value, unit=unit)

    _positive = field_validator("value", mode="before")(_positive)

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
        unit: LengthUnit,
    ) -> None:
        super().__init__(length=length, width=width, height=height, unit=unit)

    _positive = field_validator("length", "width", "height", mode="before")(_positive)

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
