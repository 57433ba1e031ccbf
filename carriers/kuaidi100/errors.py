"""Kuaidi100's error answers as typed errors.

A refused call answers HTTP 200 with ``{"result": false, "returnCode": "...", "message": "..."}``; a
successful query has no ``returnCode`` (or ``result`` true). Codes differ by interface:

- real-time query (``poll/query.do``): 400 incomplete data or unknown courier, 408 the phone number
  did not match, 500 no result yet (查询无结果: NotFound), 501 server error and 502 server busy
  (CarrierUnavailable, retried), 503 signature check failed and 601 key expired or out of credit
  (AuthenticationError).
- subscription (``poll``): 200 accepted, 501 already subscribed (not an error: ``Subscription.already``),
  600 not a valid subscriber (bad key) and 601 key expired (AuthenticationError), 700 bad subscription
  data or callback URL, 701 courier refused for subscriptions (NotSupported), 702 the courier of the
  number could not be detected, 500 server error (CarrierUnavailable).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx

from carriergate.core.errors import (
    AuthenticationError,
    CarrierError,
    CarrierUnavailable,
    MalformedResponse,
    NotFound,
    NotSupported,
)
from carriergate.protocols.http import error_for_status
from carriergate.protocols.json_reading import text

QUERY_ERRORS: dict[str, type[CarrierError]] = {
    "500": NotFound, "501": CarrierUnavailable, "502": CarrierUnavailable,
    "503": AuthenticationError, "601": AuthenticationError,
}
SUBSCRIBE_ERRORS: dict[str, type[CarrierError]] = {
    "500": CarrierUnavailable, "600": AuthenticationError, "601": AuthenticationError, "701": NotSupported,
}
#: The subscription answer for a number already subscribed (重复订阅).
ALREADY_SUBSCRIBED = "501"


def body_of(response: httpx.Response, *, carrier: str) -> Any:
    """The decoded JSON answer; an HTTP failure or a body that is not JSON is the typed error it means."""
    try:
        body = json.loads(response.content, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        if response.status_code >= 400:
            raise error_for_status(response, carrier=carrier) from None
        raise MalformedResponse(f"Kuaidi100 answer is not JSON (HTTP {response.status_code})", carrier=carrier,
                                http_status=response.status_code) from None
    if response.status_code >= 400:
        message = text(body.get("message")) if isinstance(body, dict) else None
        raise error_for_status(response, carrier=carrier, message=message)
    return body


def refusal(body: Any, table: dict[str, type[CarrierError]], *, carrier: str, http_status: int,
            accepted: frozenset[str] = frozenset({"200"})) -> CarrierError | None:
    """The error an answer carries (None: it is no refusal). ``result`` false or a ``returnCode``
    outside ``accepted`` is a refusal; its class comes from ``table``, else a plain CarrierError."""
    if not isinstance(body, dict):
        return None
    code = text(body.get("returnCode"))
    refused = body.get("result") is False or (code is not None and code not in accepted)
    if not refused:
        return None
    code = code or "unknown"
    message = text(body.get("message")) or f"Kuaidi100 refused the call ({code})"
    cls = table.get(code, CarrierError)
    return cls(message, carrier=carrier, code=code, http_status=http_status)
