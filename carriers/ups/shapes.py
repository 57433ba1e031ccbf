"""Reading UPS JSON tolerantly. UPS sends a single object where its schema says array (Package,
RatedShipment, ShipmentCharge, ItemizedCharges, Activity, ...), numbers as strings or numbers,
and empty strings for absent values: these helpers read every shape without raising KeyError."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ...core.errors import MalformedResponse
from ...core.money import Money, is_currency

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
    found = records(value)
    return found[0] if found else {}


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
    raw = text(value)
    if raw is None:
        return None
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def money(node: Any, currency: str | None = None) -> Money | None:
    """``{"CurrencyCode": "USD", "MonetaryValue": "12.50"}`` as Money; None when unreadable."""
    data = obj(node)
    amount = decimal(data.get("MonetaryValue"))
    code = (text(data.get("CurrencyCode")) or currency or "").upper()
    if amount is None or len(code) != 3 or not is_currency(code):
        return None
    return Money(amount, code)


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
