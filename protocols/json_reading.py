"""Reading carriers' JSON tolerantly, without a KeyError ever escaping.

Carriers send a single object where their schema says array (UPS ``Package``, FedEx ``alerts``),
numbers as strings or numbers, and empty strings for absent values. These readers take every such
shape; a parser then decides what is required and raises ``MalformedResponse`` when it is missing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

JSON = dict[str, Any]


def as_list(value: Any) -> list[Any]:
    """A list from an array, a single value, or nothing (None or an empty string)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    return [value]


def records(value: Any) -> list[JSON]:
    """The objects of an object-or-array value (anything that is not an object is skipped)."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return [value] if isinstance(value, dict) else []


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
    """A stripped string from a string or number; None for absent, empty, boolean or structured values."""
    if type(value) is str:  # the usual case, first
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float | Decimal):
        return str(value).strip() or None
    return None


def decimal(value: Any) -> Decimal | None:
    """A finite Decimal from a number or a numeric string ("1,234.50" included); None otherwise."""
    if type(value) is Decimal:  # a JSON number decoded with parse_float=Decimal: used as it is
        return value if value.is_finite() else None
    raw = value.strip() if type(value) is str else text(value)
    if not raw:
        return None
    try:
        number = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


__all__ = ["JSON", "as_list", "decimal", "dig", "obj", "records", "text"]
