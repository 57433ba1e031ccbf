"""UPS error bodies (``{"response": {"errors": [{"code", "message"}]}}``) as typed CarrierErrors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from carriergate.core.errors import AuthenticationError, CarrierError, MalformedResponse, NotFound, NotServed
from carriergate.protocols.http import error_for_status, json_body
from carriergate.protocols.json_reading import JSON, records, text

#: UPS codes that mean our credentials or token were refused, whatever the HTTP status.
AUTH_CODES = frozenset({"250002", "250003", "10401"})
#: UPS codes that mean "no such tracking number / shipment".
NOT_FOUND_CODES = frozenset({"151018", "151044", "TW0001", "TV0001"})
#: UPS codes that mean "no service between these places" (Rating 111210: "The requested service is
#: unavailable between the selected locations."): the lane is not served, nothing failed.
NOT_SERVED_CODES = frozenset({"111210"})


def error_items(data: Any) -> list[tuple[str | None, str | None]]:
    """(code, message) pairs from ``response.errors`` (or a bare ``errors``), object or array."""
    if not isinstance(data, dict):
        return []
    inner = data.get("response")
    container: JSON = inner if isinstance(inner, dict) else data
    return [(text(e.get("code")), text(e.get("message"))) for e in records(container.get("errors"))]


def typed_error(response: httpx.Response, items: list[tuple[str | None, str | None]], *,
                carrier: str) -> CarrierError:
    code = next((c for c, _ in items if c), None)
    message = "; ".join(m for _, m in items if m) or None
    kwargs: dict[str, Any] = {"carrier": carrier, "code": code, "http_status": response.status_code,
                              "request_id": response.headers.get("transid") or response.headers.get("x-request-id")}
    if code in AUTH_CODES:
        return AuthenticationError(message or "UPS refused the credentials", **kwargs)
    if code in NOT_FOUND_CODES:
        return NotFound(message or "UPS does not know this number", **kwargs)
    if code in NOT_SERVED_CODES:
        return NotServed(message or "UPS offers no service between these locations", **kwargs)
    return error_for_status(response, carrier=carrier, code=code, message=message)


def carrier_error(response: httpx.Response, *, carrier: str) -> CarrierError:
    """The typed error for a failed UPS exchange, keeping UPS's code and message."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    return typed_error(response, error_items(data), carrier=carrier)


def read(response: httpx.Response, *, carrier: str, wrapper: str | None = None) -> JSON:
    """The JSON object of a successful answer (or its ``wrapper`` member); typed errors otherwise."""
    if not response.is_success:
        raise carrier_error(response, carrier=carrier)
    data = json_body(response, carrier=carrier)
    items = error_items(data)
    if items:  # a 200 carrying an error body
        raise typed_error(response, items, carrier=carrier)
    if wrapper is not None:
        data = data.get(wrapper) if isinstance(data, dict) else None
    if not isinstance(data, dict):
        what = wrapper or "JSON object"
        raise MalformedResponse(f"UPS answer has no {what}", carrier=carrier, http_status=response.status_code)
    return data


@contextmanager
def owned(carrier: str) -> Iterator[None]:
    """Errors raised inside (a request refused while it is built) name this account's alias, not
    plain "ups": the caller may hold several UPS accounts."""
    try:
        yield
    except CarrierError as err:
        err.carrier = carrier
        raise
