"""Pure helpers that adapters use to read carrier answers: JSON bodies, status-to-error mapping,
Retry-After. No I/O happens here."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

import httpx

from carriergate.core.errors import (
    AuthenticationError,
    CarrierError,
    CarrierUnavailable,
    MalformedResponse,
    NotFound,
    RateLimited,
)

#: The longest Retry-After we honour, in seconds; a carrier asking for more is capped.
MAX_RETRY_AFTER = 60.0


def retry_after(response: httpx.Response, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped; None if absent
    or unreadable."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def request_id(response: httpx.Response, *headers: str) -> str | None:
    for name in (*headers, "x-request-id", "transid", "x-customer-transaction-id"):
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


def error_for_status(
    response: httpx.Response,
    *,
    carrier: str,
    code: str | None = None,
    message: str | None = None,
    request_id_header: str | None = None,
) -> CarrierError:
    """The typed error for a failed HTTP exchange, keeping the carrier's own code and message."""
    status = response.status_code
    text = message or response.reason_phrase or f"HTTP {status}"
    kwargs: dict[str, Any] = {
        "carrier": carrier,
        "code": code or str(status),
        "http_status": status,
        "request_id": request_id(response, *(h for h in [request_id_header] if h)),
    }
    if status in (401, 403):
        return AuthenticationError(text, **kwargs)
    if status == 429:
        return RateLimited(text, retry_after=retry_after(response), **kwargs)
    if status == 404:
        return NotFound(text, **kwargs)
    if status >= 500:
        return CarrierUnavailable(text, **kwargs)
    return CarrierError(text, **kwargs)


def json_body(response: httpx.Response, *, carrier: str) -> Any:
    """The decoded JSON body, or a MalformedResponse naming the problem (never a raw exception)."""
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        if response.status_code >= 500:
            raise error_for_status(response, carrier=carrier) from None
        raise MalformedResponse(f"response is not JSON ({type(exc).__name__}) at HTTP {response.status_code}",
                                carrier=carrier, http_status=response.status_code) from None


def json_number(value: Decimal) -> int | float:
    """A Decimal for a carrier that wants a JSON number: an int when whole, else the float whose
    shortest text is exactly the decimal (checked: a value that would change raises ValueError)."""
    if value == value.to_integral_value():
        return int(value)
    as_float = float(value)
    if Decimal(repr(as_float)) != value.normalize():
        raise ValueError(f"{value} cannot be sent as an exact JSON number")
    return as_float


@lru_cache(maxsize=256)
def _parsed_url(url: str) -> httpx.URL:
    return httpx.URL(url)


def parsed_url(url: str) -> httpx.URL | str:
    """The ``httpx.URL`` of an endpoint, parsed once: a carrier builds the same few URLs on every
    call. URLs with a query or user info (which might hold a credential) are never cached."""
    if "?" in url or "@" in url:
        return url
    return _parsed_url(url)


def json_request(method: str, url: str, body: Any, *, headers: dict[str, str] | None = None) -> httpx.Request:
    """A JSON request with a compact, deterministic body (UTF-8, non-ASCII kept as is)."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return httpx.Request(method, parsed_url(url), content=content,
                         headers={"content-type": "application/json", "accept": "application/json",
                                  **(headers or {})})


def decimal_json(response: httpx.Response, *, carrier: str) -> Any:
    """The JSON body with every number that has a fraction as Decimal (money never passes through a
    float). A body that is not JSON is the typed error of a failed exchange, else MalformedResponse."""
    try:
        return json.loads(response.content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        if response.status_code >= 400:
            raise error_for_status(response, carrier=carrier) from None
        raise MalformedResponse(f"response is not JSON at HTTP {response.status_code}", carrier=carrier,
                                http_status=response.status_code) from None
