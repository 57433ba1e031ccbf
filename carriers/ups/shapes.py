"""What UPS's JSON needs beyond the shared tolerant readers (``protocols.json_reading``): UPS's money
nodes, its ``YYYYMMDD`` dates, its alerts, and the MalformedResponse for a missing part of an answer."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from carriergate.core.errors import MalformedResponse
from carriergate.core.money import Money, is_currency
from carriergate.core.notices import Notice
from carriergate.protocols.json_reading import decimal, obj, records, text


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
        raise MalformedResponse(f"UPS answer has no {what}", carrier=carrier, http_status=status)
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


def alerts(*nodes: Any, key: str = "Alert") -> list[Notice]:
    """The ``Alert`` entries (object or array, ``Code``/``Description``) of each node, in order and
    without repeats: the warnings UPS puts on a successful answer."""
    found: list[Notice] = []
    for node in nodes:
        for alert in records(obj(node).get(key)):
            message = text(alert.get("Description"))
            if message:
                notice = Notice(message=message, code=text(alert.get("Code")))
                if notice not in found:
                    found.append(notice)
    return found
