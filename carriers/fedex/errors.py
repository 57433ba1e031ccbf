"""FedEx answers: the JSON body of a success, or the typed error its ``errors[]`` describes.

FedEx reports failures as ``{"transactionId": ..., "errors": [{"code": "...", "message": "..."}]}``;
the first error's code and message are kept on the raised CarrierError and ``transactionId`` becomes
its request id. Amounts are read as Decimal, never float.
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.core.errors import AuthenticationError, CarrierError, MalformedResponse, NotFound, NotServed
from carriergate.protocols.http import decimal_json, error_for_status

CARRIER = "fedex"
#: FedEx codes that mean "we refuse your credentials or token", whatever the HTTP status.
AUTH_CODES = frozenset({"NOT.AUTHORIZED.ERROR", "FORBIDDEN.ERROR", "LOGIN.REAUTHENTICATE.ERROR",
                        "UNAUTHORIZED.ERROR", "INVALID.CLIENT.ERROR"})
#: FedEx codes that mean "no service between the origin and the destination": the lane is not
#: served, nothing failed (not SERVICE.UNAVAILABLE.ERROR: that is FedEx's own outage).
NOT_SERVED_CODES = frozenset({"RATE.LOCATION.NOSERVICE"})



def first_error(body: Any) -> tuple[str | None, str | None]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code, message = errors[0].get("code"), errors[0].get("message")
        return (str(code) if code else None), (str(message) if message else None)
    return None, None


def transaction_id(body: Any) -> str | None:
    value = body.get("transactionId") if isinstance(body, dict) else None
    return str(value) if value else None


def error_from(response: httpx.Response, body: Any, *, carrier: str = CARRIER) -> CarrierError:
    """The typed error for a FedEx failure body (any status)."""
    code, message = first_error(body)
    if code in AUTH_CODES and response.status_code not in (401, 403):
        error: CarrierError = AuthenticationError(message or code, carrier=carrier, code=code,
                                                  http_status=response.status_code)
    elif code in NOT_SERVED_CODES and response.status_code < 500:
        error = NotServed(message or code, carrier=carrier, code=code, http_status=response.status_code)
    elif code and code.endswith("NOTFOUND") and response.status_code < 500:
        error = NotFound(message or code, carrier=carrier, code=code, http_status=response.status_code)
    else:
        error = error_for_status(response, carrier=carrier, code=code, message=message)
    error.request_id = transaction_id(body) or error.request_id
    return error


def checked(response: httpx.Response, *, carrier: str = CARRIER) -> dict[str, Any]:
    """The body of a successful answer as a dict, or the typed error."""
    body = decimal_json(response, carrier=carrier)
    if response.status_code >= 400 or (isinstance(body, dict) and body.get("errors") and not body.get("output")):
        raise error_from(response, body, carrier=carrier)
    if not isinstance(body, dict):
        raise MalformedResponse("expected a JSON object", carrier=carrier, http_status=response.status_code)
    return body


def output(response: httpx.Response, *, carrier: str = CARRIER) -> tuple[dict[str, Any], str | None]:
    """``(output, transactionId)`` of a successful answer."""
    body = checked(response, carrier=carrier)
    out = body.get("output")
    if not isinstance(out, dict):
        raise MalformedResponse("answer has no 'output' object", carrier=carrier, http_status=response.status_code,
                                request_id=transaction_id(body))
    return out, transaction_id(body)
