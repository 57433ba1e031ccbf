"""Money: an exact ``Decimal`` amount with an ISO 4217 currency. Never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pydantic import ConfigDict, field_validator

from carriergate.core.validation import StrictModel

# ISO 4217 minor units that differ from the usual two decimals.
_MINOR_UNITS = {
    "BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0, "PYG": 0,
    "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
    "BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
}  # fmt: skip


@lru_cache(maxsize=512)
def is_currency(code: str) -> bool:
    import pycountry  # loaded on first use: it costs tens of milliseconds at import

    return pycountry.currencies.get(alpha_3=code) is not None


#: Codes that passed ``Money._iso_4217`` exactly as given (upper case, no spaces): the fast path of
#: ``Money.__init__`` accepts these without running the validator again. Bounded: ISO 4217 has ~180.
_CHECKED_CODES: set[str] = set()
_MAX_CHECKED_CODES = 512
_FIELDS_SET = frozenset({"amount", "currency"})


_object_setattr = object.__setattr__  # bypasses the frozen model's own __setattr__, as pydantic does


def _set_fields(money: Money, values: dict[str, Any]) -> None:
    """What ``BaseModel.model_construct`` stores for a model without extras, private attributes or
    post-init hook; only ever called with values ``Money``'s validators would return unchanged."""
    _object_setattr(money, "__dict__", values)
    _object_setattr(money, "__pydantic_fields_set__", set(_FIELDS_SET))
    _object_setattr(money, "__pydantic_extra__", None)
    _object_setattr(money, "__pydantic_private__", None)


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def to_decimal(value: Any, *, allow_float: bool = False) -> Decimal:
    """Convert str, int or Decimal exactly. Floats are refused unless ``allow_float``."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, float):
        if not allow_float:
            raise ValueError("must be a str, int or Decimal, not float (floats are inexact)")
        value = repr(value)
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise ValueError(f"must be a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("must be a finite number")
    return result


class Money(StrictModel):
    """An amount of one currency. ``Money("12.50", "USD")``; arithmetic refuses mixed currencies."""

    model_config = ConfigDict(frozen=True)

    amount: Decimal
    currency: str

    def __init__(self, amount: Decimal | str | int, currency: str) -> None:
        # Fast path, same checks: a finite Decimal and a code that already passed ``_iso_4217``
        # unchanged (so validation would return both as they are). Anything else is validated fully.
        if (type(amount) is Decimal and type(currency) is str and currency in _CHECKED_CODES
                and amount.is_finite() and type(self) is Money):
            _set_fields(self, {"amount": amount, "currency": currency})
            return
        super().__init__(amount=amount, currency=currency)

    @field_validator("amount", mode="before")
    @classmethod
    def _exact(cls, value: Any) -> Decimal:
        return to_decimal(value)

    @field_validator("currency", mode="before")
    @classmethod
    def _iso_4217(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be an ISO 4217 code such as 'USD'")
        code = value.strip().upper()
        if len(code) != 3 or not is_currency(code):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        if code == value and len(_CHECKED_CODES) < _MAX_CHECKED_CODES:
            _CHECKED_CODES.add(code)
        return code

    # -- arithmetic -----------------------------------------------------------------------------
    def _same(self, other: object) -> Money:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")
        return other

    def __add__(self, other: object) -> Money:
        return Money(self.amount + self._same(other).amount, self.currency)

    def __sub__(self, other: object) -> Money:
        return Money(self.amount - self._same(other).amount, self.currency)

    def __mul__(self, factor: Decimal | int) -> Money:
        if isinstance(factor, float | Money):
            raise TypeError("multiply Money by an int or Decimal")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: object) -> bool:
        return self.amount < self._same(other).amount

    def __le__(self, other: object) -> bool:
        return self.amount <= self._same(other).amount

    def __gt__(self, other: object) -> bool:
        return self.amount > self._same(other).amount

    def __ge__(self, other: object) -> bool:
        return self.amount >= self._same(other).amount

    def rounded(self) -> Money:
        """Rounded half-up to the currency's minor unit (cents for USD, yen for JPY)."""
        exp = Decimal(1).scaleb(-minor_units(self.currency))
        return Money(self.amount.quantize(exp, rounding=ROUND_HALF_UP), self.currency)

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"


def total(amounts: list[Money], currency: str) -> Money:
    """Sum a list of Money of one currency (an empty list sums to zero)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


__all__ = ["Money", "is_currency", "minor_units", "to_decimal", "total"]
