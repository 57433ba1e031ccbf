"""Reading UPS JSON tolerantly. UPS sends a single object where its schema says array (Package,
RatedShipment, ShipmentCharge, ItemizedCharges, Activity, ...), numbers as strings or numbers,
and empty strings for absent values: these helpers read every shape without raising KeyError."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from carriergate.core.errors import MalformedResponse
from carriergate.core.money import Money, is_currency

JSON = dict[str, Any]


def as_list(value: Any) -> list[Any]:
    """A list from an array, a single object, or nothing."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def records(value: Any) -> list[JSON]:
    """The objects of an object-or-array value (anything that is not an object is skipped)."""
    return [item for item in as_list(value) if isinstance(item, dict)]


def obj(value: Any) -> JSON:
    """An object from an object, the first object of an array, or an empty object."""
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                return item
    return {}


def dig(data: Any, *keys: str) -> Any:
    """``data[k1][k2]...``, taking the first element where an array stands for an object; None if absent."""
    node = data
    for key in keys:
        node = obj(node).get(key)
        if node is None:
            return None
    return node


def text(value: Any) -> str | None:
    """A stripped string from a string or number; None for absent, empty or structured values."""
    if type(value) is str:  # the usual case, first
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float | Decimal):
        result = str(value).strip()
        return result or None
    return None


def decimal(value: Any) -> Decimal | None:
    raw = value.strip() if type(value) is str else text(value)  # text() of a str, without the call
    if not raw:
        return None
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@lru_cache(maxsize=256)
def currency_code(raw: str) -> str | None:
    """``raw`` as an ISO 4217 code (upper case), or None. Cached: a parse meets the same few codes
    many times, and the answer depends on the string alone."""
    code = raw.upper()
    return code if len(code) == 3 and is_currency(code) else None


def money(node: Any, currency: str | None = None) -> Money | None:
    """``{"CurrencyCode": "USD", "MonetaryValue": "12.50"}`` as Money (``currency`` when the node
    names none); None when unreadable."""
    if node is None:  # the usual absent charge
        return None
    data = node if type(node) is dict else obj(node)
    amount = decimal(data.get("MonetaryValue"))
    if amount is None:
        return None
    code = currency_code(text(data.get("CurrencyCode")) or currency or "")
    return None if code is None else Money(amount, code)


def required(value: Any, what: str, *, carrier: str, status: int | None = None) -> Any:
    """``value``, or a MalformedResponse naming what is missing."""
    if value is None or value == "" or value == []:
        raise MalformedResponse(f"UPS answer has no {what}", carrier=carrier, code="malformed", http_status=status)
    return value


def yyyymmdd(value: Any) -> date | None:
    """A UPS ``YYYYMMDD`` date; None when absent or not a real date."""
    raw = text(value)
    if raw is None or len(raw) != 8 or not raw.isdigit():
        return None
    try:
        return date(int(raw[:4]), int(raw[4:6]), int(raw[6:]))
    except ValueError:
        return None
