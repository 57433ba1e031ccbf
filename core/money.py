"""Money: an exact ``Decimal`` amount with an ISO 4217 currency. Never float."""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from pydantic import ConfigDict, field_serializer, field_validator

from carriergate.core.errors import FieldError, ValidationError
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
#: ``Money.parse``: the amount (anything up to the currency, checked as a number), then the currency.
_AMOUNT_CURRENCY = re.compile(r"^(.*?)\s*([^\W\d_.,+-]+)?$")


_object_setattr = object.__setattr__  # bypasses the frozen model's own __setattr__, as pydantic does


def _set_fields(money: Money, values: dict[str, Any]) -> None:
    """What ``BaseModel.model_construct`` stores for a model without extras, private attributes or
    post-init hook; only ever called with values ``Money``'s validators would return unchanged."""
    _object_setattr(money, "__dict__", values)
    _object_setattr(money, "__pydantic_fields_set__", set(_FIELDS_SET))
    _object_setattr(money, "__pydantic_extra__", None)
    _object_setattr(money, "__pydantic_private__", None)


#: Names in common use that are not ISO 4217 codes, each for exactly one currency. ``¥`` or ``$`` are
#: not here: each stands for several currencies.
CURRENCY_ALIASES = {
    "RMB": "CNY", "人民币": "CNY", "NTD": "TWD", "新台币": "TWD", "NIS": "ILS",
    "美元": "USD", "欧元": "EUR", "英镑": "GBP", "日元": "JPY", "港币": "HKD", "港元": "HKD",
}  # fmt: skip


def minor_units(currency: str) -> int:
    return _MINOR_UNITS.get(currency, 2)


def amount_text(amount: Decimal, currency: str) -> str:
    """``amount`` written to ``currency``'s minor unit: ``44.60`` (USD), ``4460`` (JPY). Never rounds:
    an amount finer than the minor unit (a per-gram rate) keeps its digits, so a JSON round trip gives
    back the stored amount exactly."""
    places = minor_units(currency)
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return f"{amount.normalize():f}"
    return f"{amount.quantize(Decimal(1).scaleb(-places)):f}"


def to_decimal(value: Any, *, allow_float: bool = False, what: str = "") -> Decimal:
    """Convert str, int or Decimal exactly. Floats are refused unless ``allow_float``. ``what`` names
    the value in the message of text that is no number ("the amount 'abc' is not a number")."""
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
            raise ValueError(f"{what} {value!r} is not a number".lstrip()) from None
    else:
        raise ValueError(f"must be a number, got {type(value).__name__}")
    if not result.is_finite():
        raise ValueError("must be a finite number")
    return result


class Money(StrictModel):
    """An amount of one currency. ``Money("12.50", "USD")``; arithmetic refuses mixed currencies.

    ``str()`` and JSON write the amount to the currency's minor unit (``44.60 USD``, ``"4460"`` for
    JPY) without changing the stored Decimal; the currency takes ISO 4217 codes and the unambiguous
    names of :data:`CURRENCY_ALIASES` (``RMB`` is ``CNY``)."""

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
        return to_decimal(value, what="the amount")

    @field_validator("currency", mode="before")
    @classmethod
    def _iso_4217(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("must be an ISO 4217 code such as 'USD'")
        code = value.strip().upper()
        code = CURRENCY_ALIASES.get(code, code)
        if len(code) != 3 or not is_currency(code):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        if code == value and len(_CHECKED_CODES) < _MAX_CHECKED_CODES:
            _CHECKED_CODES.add(code)
        return code

    @field_serializer("amount", when_used="json")
    def _amount_json(self, amount: Decimal) -> str:
        return amount_text(amount, self.currency)

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
    def parse(cls, text: str, *, field: str = "money") -> Money:
        """``"300 USD"``, ``"99.50CNY"``, ``"300 RMB"``, ``"３００ 人民币"``: an amount then a currency.
        Refused as a ``ValidationError`` naming ``{field}.amount`` (``"abc USD"``: the amount is not a
        number) or ``{field}.currency``."""
        match = _AMOUNT_CURRENCY.match(unicodedata.normalize("NFKC", text).strip())
        if match is None or not match.group(1):
            raise ValidationError(FieldError(f"{field}.amount", "the amount is not a number: expected an amount "
                                             f"and a currency such as '300 USD' (got {text!r})"))
        if not match.group(2):
            raise ValidationError(FieldError(f"{field}.currency",
                                             f"a currency is required after the amount, e.g. '300 USD' (got {text!r})"))
        try:
            return cls(match.group(1), match.group(2))
        except ValidationError as exc:
            raise ValidationError([FieldError(f"{field}.{e.field}", e.reason) for e in exc.errors]) from None

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    def __str__(self) -> str:
        return f"{amount_text(self.amount, self.currency)} {self.currency}"

    def __repr__(self) -> str:
        return f"Money('{self.amount}', '{self.currency}')"


def total(amounts: list[Money], currency: str) -> Money:
    """Sum a list of Money of one currency (an empty list sums to zero)."""
    result = Money.zero(currency)
    for amount in amounts:
        result = result + amount
    return result


__all__ = ["CURRENCY_ALIASES", "Money", "amount_text", "is_currency", "minor_units", "to_decimal", "total"]
