"""A fake OAuth2 token endpoint with the API behind it, and the client-credentials auth that talks to it.

Shared by the OAuth2 tests (tests/protocols/auth/test_oauth2_*.py): one :class:`Server` plays both
hosts over ``httpx.MockTransport`` and keeps every request it saw, so a test can count token fetches
and see what the API was sent; :func:`make_auth` builds the auth on a clock that stands still.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import httpx
from pydantic import SecretStr

from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials

from support.timing import ManualClock

TOKEN_URL = "https://auth.example.test/security/v1/oauth/token"
API_URL = "https://api.example.test/api/rating/v2403/Rate"
SECRET = "s3cr3t-Client-Secret-value"
#: Where the tests' clocks start (any fixed time: expiry is asserted as an offset from it).
NOW = 1_700_000_000.0


class Server:
    """Token endpoint + API. Tokens are tok-1, tok-2, ...; the API accepts only ``valid`` tokens."""

    def __init__(self, expires_in: object = 3600) -> None:
        self.token_requests: list[httpx.Request] = []
        self.api_requests: list[httpx.Request] = []
        self.api_seen: list[tuple[str, bytes]] = []  # (authorization, body) as sent: requests are replayed
        self.expires_in = expires_in
        self.valid: set[str] | None = None  # None: any issued token is accepted
        self.lock = threading.Lock()

    def token(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.token_requests.append(request)
            value = f"tok-{len(self.token_requests)}"
        return httpx.Response(200, json={"access_token": value, "token_type": "Bearer",
                                         "expires_in": self.expires_in})

    def api(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.api_requests.append(request)
            self.api_seen.append((request.headers.get("authorization", ""), request.content))
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if self.valid is not None and bearer not in self.valid:
            return httpx.Response(401, json={"response": {"errors": [{"code": "250002", "message": "Invalid token"}]}})
        return httpx.Response(200, json={"token": bearer})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        return self.token(request) if str(request.url) == TOKEN_URL else self.api(request)


def make_auth(clock: Callable[[], float] | None = None, **kwargs: object) -> OAuth2ClientCredentials:
    """UPS-style client credentials against :data:`TOKEN_URL`; ``kwargs`` override any option."""
    options: dict[str, object] = {"carrier": "ups", "token_url": TOKEN_URL, "client_id": "client-123",
                                  "client_secret": SecretStr(SECRET), "clock": clock or ManualClock(NOW)}
    options.update(kwargs)
    return OAuth2ClientCredentials(**options)  # type: ignore[arg-type]
