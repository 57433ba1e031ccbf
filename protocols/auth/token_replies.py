"""What a token endpoint answers, read: its error shapes as typed errors, and ``expires_in``.

Shared by every OAuth2-style flow (:mod:`.oauth2` and the flows built on it), pure functions.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from carriergate.core.errors import AuthenticationError, CarrierError
from carriergate.protocols.http import error_for_status

#: Lifetime assumed when a token response omits ``expires_in`` (RFC 6749 makes it optional).
DEFAULT_EXPIRES_IN = 300.0
#: OAuth2 error codes that mean "your client credentials are wrong".
CREDENTIAL_ERRORS = frozenset({"invalid_client", "unauthorized_client"})


def _first_error(data: Any) -> tuple[str | None, str | None]:
    """(code, message) from the usual token-endpoint error shapes, or (None, None)."""
    if not isinstance(data, dict):
        return None, None
    if isinstance(data.get("error"), str):
        description = data.get("error_description")
        return data["error"], description if isinstance(description, str) else None
    errors = data.get("errors")
    if errors is None and isinstance(data.get("response"), dict):
        errors = data["response"].get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code, message = errors[0].get("code"), errors[0].get("message")
        return (str(code) if code is not None else None), (str(message) if message is not None else None)
    return None, None


def parse_token_error(response: httpx.Response, *, carrier: str) -> CarrierError:
    """The typed error for a failed token request: AuthenticationError for 401/403 and for
    ``invalid_client``; otherwise the status-mapped error, with the carrier's code and message."""
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        data = None
    code, message = _first_error(data)
    if code in CREDENTIAL_ERRORS:
        return AuthenticationError(message or code or "client authentication failed", carrier=carrier, code=code,
                                   http_status=response.status_code)
    if response.is_success:  # a 200 carrying an error body
        return AuthenticationError(message or "token endpoint returned no access token", carrier=carrier,
                                   code=code or "token_error", http_status=response.status_code)
    return error_for_status(response, carrier=carrier, code=code, message=message)


def _seconds(value: Any) -> float | None:
    """``expires_in`` as seconds: an int, a float or a string of digits; None when unusable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        try:
            seconds = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return seconds if seconds > 0 and seconds == seconds and seconds != float("inf") else None


__all__ = ["CREDENTIAL_ERRORS", "DEFAULT_EXPIRES_IN", "parse_token_error"]
