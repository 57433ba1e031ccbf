"""4PX's refusals as typed errors, with 4PX's own code and message.

Gateway codes (4PX's "generic error codes" table):

=======  ==========================================  ==============================
code     4PX's meaning                               ours
=======  ==========================================  ==============================
000004   JSON parsing failed                         CarrierError
000011   API interface does not exist                NotSupported
000012   signature verification error                AuthenticationError
000013   app_key validation failed                   AuthenticationError
000014   invalid authentication parameters           AuthenticationError
000015   API interface unavailable                   CarrierUnavailable
000016   API interface not authorized                AuthenticationError
000017   too many requests, try again in one minute  RateLimited (retry after 60 s)
000018   APP does not exist                          AuthenticationError
000019   rate limiting policy not configured         ConfigurationError
000020   request timeout or exception                CarrierUnavailable
000021   user does not match the APP                 AuthenticationError
000022   user not authorized                         AuthenticationError
000023   user unavailable                            AuthenticationError
000024   service provider API returned 404           CarrierUnavailable
000025   user type does not match the API            AuthenticationError
=======  ==========================================  ==============================

Direct-shipment business codes (the ds.xms.* table): DS000006 "too many operations, please try
again later" is RateLimited (no wait given); DS000017 "order not found" and DS000046 "label for this
ticket does not exist" are NotFound; every other DS code (DS000004 parameter error, DS000007 the
ref_no is being processed, DS000014 the order cannot be cancelled, ...) is a CarrierError with its
code. 4PX also answers error code "0" with a message ("Can not find this order") on a cancel.
"""

from __future__ import annotations

from typing import Any

from carriergate.core.errors import (
    AuthenticationError,
    CarrierError,
    CarrierUnavailable,
    ConfigurationError,
    NotFound,
    NotSupported,
    RateLimited,
)
from carriergate.protocols.json_reading import records, text

#: 000017: 4PX asks for "one minute" before trying again.
RETRY_AFTER_SECONDS = 60.0
TOO_MANY_REQUESTS = "000017"
BAD_SIGNATURE = "000012"

ERRORS: dict[str, type[CarrierError]] = {
    "000011": NotSupported,
    **dict.fromkeys(("000012", "000013", "000014", "000016", "000018", "000021", "000022", "000023", "000025"),
                    AuthenticationError),
    **dict.fromkeys(("000015", "000020", "000024"), CarrierUnavailable),
    "000019": ConfigurationError,
    **dict.fromkeys(("000017", "DS000006"), RateLimited),
    **dict.fromkeys(("DS000017", "DS000046"), NotFound),
}


def _first_error(body: dict[str, Any]) -> tuple[str | None, str | None]:
    """The code and message of the first entry of ``errors`` (snake or camel case, as 4PX sends both)."""
    for entry in records(body.get("errors")):
        code = text(entry.get("error_code")) or text(entry.get("errorCode"))
        message = text(entry.get("error_msg")) or text(entry.get("errorMsg"))
        if code or message:
            return code, message
    return None, None


def refusal(body: dict[str, Any], *, http_status: int, carrier: str) -> CarrierError | None:
    """The error a failed answer (``result`` "0" or an ``errors`` entry) carries; None when there is none."""
    code, message = _first_error(body)
    result = text(body.get("result"))
    if code is None and message is None and result != "0":
        return None
    code = code or "unknown"
    words = message or text(body.get("msg")) or f"4PX refused the call ({code})"
    return error_for(code, words, http_status=http_status, carrier=carrier)


def error_for(code: str, message: str, *, http_status: int | None = None, carrier: str) -> CarrierError:
    """The typed error of 4PX code ``code``."""
    cls = ERRORS.get(code, CarrierError)
    if cls is RateLimited:
        wait = RETRY_AFTER_SECONDS if code == TOO_MANY_REQUESTS else None
        return RateLimited(message, retry_after=wait, carrier=carrier, code=code, http_status=http_status)
    return cls(message, carrier=carrier, code=code, http_status=http_status)


__all__ = ["BAD_SIGNATURE", "ERRORS", "RETRY_AFTER_SECONDS", "TOO_MANY_REQUESTS", "error_for", "refusal"]
