"""SF's answer envelope and its errors.

Every answer is JSON: ``apiResultCode`` (``A1000``: the gateway accepted the call), ``apiErrorMsg``,
``apiResponseID`` and ``apiResultData``, a JSON *string* whose ``success``/``errorCode``/``errorMsg``
carry the business result and whose ``msgData`` (``obj`` for cloud print) the payload.

Gateway codes (SF's 统一接入平台返回码): A1001 required parameter missing, A1002 request expired
(timestamp or OAuth token too old), A1003 IP not allowed, A1004 no permission for this service,
A1005 traffic limited, A1006 invalid digest, A1007 duplicate request, A1008 decryption failed,
A1009 target service unreachable, A1011 OAuth2 authentication failed, A1099 system error.
A1002/A1003/A1004/A1006/A1011 mean our credentials or their use were refused:
:class:`AuthenticationError`. A1005 is :class:`RateLimited`, A1009/A1099 :class:`CarrierUnavailable`;
anything else a plain :class:`CarrierError` with SF's code.
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
    NotServed,
    RateLimited,
)
from carriergate.protocols.http import error_for_status

ACCEPTED = "A1000"
AUTH_CODES = frozenset({"A1002", "A1003", "A1004", "A1006", "A1011"})
UNAVAILABLE_CODES = frozenset({"A1009", "A1099"})
RATE_LIMITED_CODES = frozenset({"A1005"})
#: Business code for an orderId SF has seen before (重复下单).
DUPLICATE_ORDER = "8016"
#: Our code for a lane SF's time-and-price query does not cover (outside mainland China).
LANE_NOT_SUPPORTED = "lane_not_supported"


class DuplicateOrder(CarrierError):
    """SF already holds an order with this orderId (business code 8016)."""


def lane_not_served(message: str, *, carrier: str) -> NotServed:
    """SF does not serve this lane (its query covers mainland China only): not a failure, the
    shipment is simply not SF's; code ``lane_not_supported``."""
    return NotServed(message, carrier=carrier, code=LANE_NOT_SUPPORTED)


def _loads(text: str | bytes) -> Any:
    return json.loads(text, parse_float=Decimal)


def _malformed(message: str, response: httpx.Response, carrier: str) -> MalformedResponse:
    return MalformedResponse(message, carrier=carrier, http_status=response.status_code)


def gateway_error(code: str, message: str, *, carrier: str, http_status: int | None,
                  request_id: str | None) -> CarrierError:
    kwargs: dict[str, Any] = {"carrier": carrier, "code": code, "http_status": http_status,
                              "request_id": request_id}
    text = message or f"SF gateway refused the call ({code})"
    if code in AUTH_CODES:
        return AuthenticationError(text, **kwargs)
    if code in RATE_LIMITED_CODES:
        return RateLimited(text, **kwargs)
    if code in UNAVAILABLE_CODES:
        return CarrierUnavailable(text, **kwargs)
    return CarrierError(text, **kwargs)


def business_result(response: httpx.Response, *, carrier: str) -> dict[str, Any]:
    """The decoded ``apiResultData`` of a successful call, or the typed error SF's answer means."""
    try:
        body = _loads(response.content)
    except (ValueError, UnicodeDecodeError):
        if response.status_code >= 400:
            raise error_for_status(response, carrier=carrier) from None
        raise _malformed(f"SF answer is not JSON (HTTP {response.status_code})", response, carrier) from None
    if not isinstance(body, dict) or "apiResultCode" not in body:
        if response.status_code >= 400:
            raise error_for_status(response, carrier=carrier)
        raise _malformed("SF answer has no apiResultCode", response, carrier)
    request_id = str(body["apiResponseID"]) if body.get("apiResponseID") else None
    code = str(body["apiResultCode"])
    if code != ACCEPTED:
        raise gateway_error(code, str(body.get("apiErrorMsg") or ""), carrier=carrier,
                            http_status=response.status_code, request_id=request_id)
    raw = body.get("apiResultData")
    try:
        data = _loads(raw) if isinstance(raw, str | bytes) else raw
    except ValueError:
        raise _malformed("SF apiResultData is not JSON", response, carrier) from None
    if not isinstance(data, dict):
        raise _malformed("SF apiResultData is not an object", response, carrier)
    if data.get("success") not in (True, "true"):
        err_code = str(data.get("errorCode") or "unknown")
        message = str(data.get("errorMsg") or data.get("errorMessage") or "SF refused the request")
        cls = DuplicateOrder if err_code == DUPLICATE_ORDER else CarrierError
        raise cls(message, carrier=carrier, code=err_code, http_status=response.status_code, request_id=request_id)
    return data


def payload(data: dict[str, Any], response: httpx.Response, *, carrier: str, key: str = "msgData") -> dict[str, Any]:
    """The business payload (``msgData``, or ``obj`` for cloud print) as an object."""
    value = data.get(key)
    if isinstance(value, str):
        try:
            value = _loads(value)
        except ValueError:
            raise _malformed(f"SF {key} is not JSON", response, carrier) from None
    if not isinstance(value, dict):
        raise _malformed(f"SF answer has no {key} object", response, carrier)
    return value
