"""YunExpress answers: the ``result`` of a success, or the typed error the envelope describes.

Every answer is the envelope ``{"t", "success", "code", "msg", "request_id", "result"}``. A refusal
keeps YunExpress's own ``code`` and ``msg`` on the raised CarrierError and ``request_id`` as its
request id. YunExpress publishes no error-code table that could be confirmed (the integrations seen
only pass ``code``/``msg`` through), so the kind of error follows the HTTP status (401/403 token or
signature refused, 429 too many requests, 5xx down); the few codes below are the only ones given a
kind of their own, each set isolated here so a confirmed table can extend it. Amounts are read as
Decimal, never float.
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.core.errors import AuthenticationError, CarrierError, MalformedResponse, NotFound, RateLimited
from carriergate.protocols.http import decimal_json, error_for_status, retry_after

CARRIER = "yunexpress"
#: Envelope codes meaning "the token or signature was refused" at any HTTP status (unconfirmed: the
#: HTTP 401 is what integrations report; these are the names such refusals carry).
AUTH_CODES = frozenset({"401", "TOKEN_INVALID", "TOKEN_EXPIRED", "SIGN_INVALID"})
#: Envelope codes meaning "slow down" (unconfirmed; HTTP 429 is the documented signal).
RATE_LIMIT_CODES = frozenset({"429"})
#: Envelope codes meaning "no such order or waybill" (unconfirmed).
NOT_FOUND_CODES = frozenset({"404", "ORDER_NOT_FOUND"})



def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


def error_from(response: httpx.Response, body: Any, *, carrier: str = CARRIER) -> CarrierError:
    """The typed error for a YunExpress refusal (any HTTP status), with its own code and message."""
    envelope = body if isinstance(body, dict) else {}
    code, message = _text(envelope.get("code")), _text(envelope.get("msg")) or _text(envelope.get("message"))
    request_id = _text(envelope.get("request_id"))
    status = response.status_code
    kwargs: dict[str, Any] = {"carrier": carrier, "code": code, "http_status": status}
    if status >= 400:
        error = error_for_status(response, carrier=carrier, code=code, message=message)
    elif code in AUTH_CODES:
        error = AuthenticationError(message or "token or signature refused", **kwargs)
    elif code in RATE_LIMIT_CODES:
        error = RateLimited(message or "too many requests", retry_after=retry_after(response), **kwargs)
    elif code in NOT_FOUND_CODES:
        error = NotFound(message or "not found", **kwargs)
    else:
        error = CarrierError(message or "YunExpress refused the request", **{**kwargs, "code": code or "refused"})
    error.request_id = request_id or error.request_id
    return error


def envelope(response: httpx.Response, *, carrier: str = CARRIER) -> dict[str, Any]:
    """The envelope of a successful answer (``success`` true), or the typed error."""
    body = decimal_json(response, carrier=carrier)
    if response.status_code >= 400 or not isinstance(body, dict) or body.get("success") is not True:
        if response.status_code < 400 and not (isinstance(body, dict) and "success" in body):
            raise MalformedResponse("answer is not a YunExpress envelope", carrier=carrier,
                                    http_status=response.status_code)
        raise error_from(response, body, carrier=carrier)
    return body


def request_id(body: dict[str, Any]) -> str | None:
    return _text(body.get("request_id"))
