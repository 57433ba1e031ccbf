"""USPS answers: the JSON body of a success, or the typed error its error body describes.

Every USPS v3 API reports failures in one shape (``ErrorMessage`` in each of its OpenAPI files)::

    {"apiVersion": "/labels/v3", "error": {"code": "400", "message": "Bad Request",
     "errors": [{"status": "400", "code": "00000XX", "title": "Bad Request", "detail": "Order not found",
                 "source": {"parameter": "trackingNumber"}}]}}

The raised CarrierError keeps USPS's own code (the first subordinate ``errors[].code``, else
``error.code``) and message (the first ``detail``, else ``title``, else ``error.message``). The
HTTP status picks the class (401/403 authentication, 404 not found, 429 rate limited, 5xx
unavailable); a 400 whose detail says the thing asked for is unknown ("not found") is NotFound, as
USPS answers an unknown label on cancel with 400 "Order not found" (domestic-labels.yaml examples).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from carriergate.core.errors import CarrierError, MalformedResponse, NotFound, NotServed
from carriergate.protocols.http import decimal_json, error_for_status
from carriergate.protocols.json_reading import obj, records, text

CARRIER = "usps"
#: Details that say the label, pickup or parcel asked about is unknown to USPS.
_NOT_FOUND = re.compile(r"\bnot\s+found\b|\bno\s+record\b|\bdoes\s+not\s+exist\b|\bunknown\b", re.IGNORECASE)
#: Details that say USPS has no service for the lane or parcel (rather than that something failed).
_NOT_SERVED = re.compile(r"\bno\s+(?:rates?|prices?|services?)\b|\bnot\s+(?:available|eligible)\b", re.IGNORECASE)


@contextmanager
def owned(carrier: str) -> Iterator[None]:
    """Errors raised inside (a request refused while it is built) name this account's alias."""
    try:
        yield
    except CarrierError as err:
        err.carrier = carrier
        raise



def code_and_message(body: Any) -> tuple[str | None, str | None]:
    """USPS's own (code, message) from an error body, or (None, None) for another shape."""
    error = obj(body).get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return None, None
    first = next(iter(records(error.get("errors"))), {})
    code = text(first.get("code")) or text(error.get("code"))
    message = text(first.get("detail")) or text(first.get("title")) or text(error.get("message"))
    parameter = text(obj(first.get("source")).get("parameter"))
    if message and parameter and parameter not in message:
        message = f"{message} ({parameter})"
    return code, message


def error_from(response: httpx.Response, body: Any, *, carrier: str = CARRIER) -> CarrierError:
    """The typed error for a USPS failure body at any status."""
    code, message = code_and_message(body)
    status = response.status_code
    if status == 400 and message and _NOT_FOUND.search(message):
        return NotFound(message, carrier=carrier, code=code, http_status=status)
    if status in (400, 422) and message and _NOT_SERVED.search(message):
        return NotServed(message, carrier=carrier, code=code, http_status=status)
    return error_for_status(response, carrier=carrier, code=code, message=message)


def checked(response: httpx.Response, *, carrier: str = CARRIER) -> dict[str, Any]:
    """The body of a successful answer as a dict, or the typed error."""
    body = decimal_json(response, carrier=carrier)
    if response.status_code >= 400:
        raise error_from(response, body, carrier=carrier)
    if not isinstance(body, dict):
        raise MalformedResponse("expected a JSON object", carrier=carrier, http_status=response.status_code)
    return body


def failed(response: httpx.Response, *, carrier: str = CARRIER) -> CarrierError:
    """The typed error of an answer at HTTP 400 or above, whatever its body (JSON or not)."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return error_for_status(response, carrier=carrier)
    return error_from(response, body, carrier=carrier)


def names_payment_token(response: httpx.Response) -> bool:
    """Whether a 401 says the payment authorization token (not the OAuth bearer) was refused.

    USPS does not document a distinct code for it: any 401 whose error body mentions the payment
    authorization token (or its header) counts. Not confirmed against a live answer."""
    if response.status_code != 401:
        return False
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return False
    return "payment" in json.dumps(body).lower()


__all__ = ["CARRIER", "checked", "code_and_message", "error_from", "failed", "names_payment_token",
           "owned"]
