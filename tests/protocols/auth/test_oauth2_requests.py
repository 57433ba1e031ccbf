"""OAuth2 client credentials: how the token is asked for.

Credentials go in a Basic header or in the form, as the carrier wants; the token request carries the
timeout of the request it is for, and a transport error on it names the token request, so the
executor knows the real request was never sent.
"""

from __future__ import annotations

import base64
from urllib.parse import parse_qs

import httpx
import pytest

from carriergate.core.contract import is_side_request as is_token_request

from support.timing import ManualClock
from support.token_server import API_URL, NOW, SECRET, TOKEN_URL, Server, make_auth


def test_basic_credentials_form_and_bearer_header() -> None:
    server = Server(expires_in="14399")
    clock = ManualClock(NOW)
    auth = make_auth(clock, extra_headers={"x-merchant-id": "A1B2C3"})
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        response = client.post(API_URL, json={}, auth=auth)
    assert response.json() == {"token": "tok-1"}
    (token_request,) = server.token_requests
    assert token_request.method == "POST"
    assert token_request.headers["authorization"] == "Basic " + base64.b64encode(
        f"client-123:{SECRET}".encode()).decode()
    assert token_request.headers["x-merchant-id"] == "A1B2C3"
    assert token_request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    cached = auth.cached_token()
    assert cached is not None
    assert cached.expires_at == clock.now + 14399 - 60


def test_form_credentials_send_id_and_secret_in_body() -> None:
    server = Server(expires_in=3599)
    auth = make_auth(carrier="fedex", credentials_in="form", extra_form={"scope": "ship"})
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        client.get(API_URL, auth=auth)
    (token_request,) = server.token_requests
    assert "authorization" not in token_request.headers
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"], "scope": ["ship"],
        "client_id": ["client-123"], "client_secret": [SECRET]}


def test_token_request_carries_the_timeout_of_the_request() -> None:
    server = Server()
    timeout = httpx.Timeout(4.5, connect=1.5).as_dict()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        request = httpx.Request("GET", API_URL, extensions={"timeout": timeout})
        client.send(request, auth=make_auth())
    assert server.token_requests[0].extensions["timeout"] == timeout
    assert is_token_request(server.token_requests[0])
    assert not is_token_request(server.api_requests[0])


def test_transport_error_on_the_token_request_names_the_token_request() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            raise httpx.ConnectTimeout("token endpoint unreachable")
        raise AssertionError("the real request must not be sent")

    with httpx.Client(transport=httpx.MockTransport(handler)) as client, \
            pytest.raises(httpx.ConnectTimeout) as caught:
        client.post(API_URL, content=b"{}", auth=make_auth())
    assert is_token_request(caught.value.request)
