"""OAuth2 client credentials: a token endpoint that says no gives a typed error that holds no secret.

Each refusal maps to the CarrierError subclass a caller acts on (authentication, rate limit,
unavailable, malformed) with the carrier's own code; the real request is never sent without a
token; the client secret is redacted even where the endpoint echoes it back, custom parsers included.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest

from carriergate.core.errors import (
    AuthenticationError,
    CarrierError,
    CarrierUnavailable,
    MalformedResponse,
    RateLimited,
)

from support.token_server import API_URL, SECRET, TOKEN_URL, make_auth


def token_failure(status: int, body: object) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            content = body if isinstance(body, bytes) else json.dumps(body).encode()
            return httpx.Response(status, content=content)
        raise AssertionError("the real request must not be sent without a token")
    return handler


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (401, {"response": {"errors": [{"code": "250003", "message": "Invalid Authentication Information."}]}},
         AuthenticationError, "250003"),
        (401, {"errors": [{"code": "NOT.AUTHORIZED.ERROR", "message": "The given client credentials were not valid"}]},
         AuthenticationError, "NOT.AUTHORIZED.ERROR"),
        (400, {"error": "invalid_client", "error_description": "bad client"}, AuthenticationError, "invalid_client"),
        (403, b"forbidden", AuthenticationError, "403"),
        (400, {"error": "invalid_scope", "error_description": "nope"}, CarrierError, "invalid_scope"),
        (429, {"errors": [{"code": "RATE", "message": "slow down"}]}, RateLimited, "RATE"),
        (503, b"<html>down</html>", CarrierUnavailable, "503"),
        (200, b"not json", MalformedResponse, "malformed"),
        (200, {"token_type": "Bearer"}, MalformedResponse, "malformed"),
        (200, {"access_token": "x", "expires_in": "soon"}, MalformedResponse, "malformed"),
        (200, {"error": "invalid_client"}, AuthenticationError, "invalid_client"),
    ],
)
def test_token_endpoint_failures_are_typed(status: int, body: object, kind: type[CarrierError], code: str) -> None:
    with httpx.Client(transport=httpx.MockTransport(token_failure(status, body))) as client, \
            pytest.raises(kind) as caught:
        client.get(API_URL, auth=make_auth())
    assert type(caught.value) is kind
    assert caught.value.code == code
    assert caught.value.carrier == "ups"
    assert caught.value.http_status == status


def test_errors_never_carry_the_secret_even_when_echoed() -> None:
    basic = base64.b64encode(f"client-123:{SECRET}".encode()).decode()
    body = {"error": "invalid_client", "error_description": f"client_secret {SECRET} / Basic {basic} rejected"}
    with httpx.Client(transport=httpx.MockTransport(token_failure(400, body))) as client, \
            pytest.raises(AuthenticationError) as caught:
        client.get(API_URL, auth=make_auth(credentials_in="form"))
    for text in (str(caught.value), repr(caught.value), *map(str, caught.value.args)):
        assert SECRET not in text
        assert basic not in text
    assert "***" in caught.value.message


def test_custom_error_parser_is_used_and_redacted() -> None:
    def parser(response: httpx.Response) -> CarrierError:
        return CarrierError(f"custom {SECRET}", code="X1", http_status=response.status_code)

    with httpx.Client(transport=httpx.MockTransport(token_failure(400, {}))) as client, \
            pytest.raises(CarrierError) as caught:
        client.get(API_URL, auth=make_auth(error_parser=parser))
    assert caught.value.code == "X1"
    assert caught.value.carrier == "ups"
    assert caught.value.message == "custom ***"
