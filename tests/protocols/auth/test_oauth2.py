"""OAuth2 client credentials: one token for many concurrent callers, expiry, 401 refresh, errors."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import threading
from collections.abc import Callable
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from carriergate.core.contract import is_side_request as is_token_request
from carriergate.core.errors import (
    AuthenticationError,
    CarrierError,
    CarrierUnavailable,
    MalformedResponse,
    RateLimited,
)
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.auth.tokens import MemoryTokenStore, Token, token_cache_key

TOKEN_URL = "https://auth.example.test/security/v1/oauth/token"
API_URL = "https://api.example.test/api/rating/v2403/Rate"
SECRET = "s3cr3t-Client-Secret-value"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class CountingStore(MemoryTokenStore):
    """A memory store that tells waiters how many reads have happened (to force overlap)."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.changed = threading.Condition()
        self.on_read: Callable[[int], None] | None = None

    def get(self, key: str) -> Token | None:
        with self.changed:
            self.reads += 1
            self.changed.notify_all()
        if self.on_read is not None:
            self.on_read(self.reads)
        return super().get(key)


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
    options: dict[str, object] = {"carrier": "ups", "token_url": TOKEN_URL, "client_id": "client-123",
                                  "client_secret": SecretStr(SECRET), "clock": clock or Clock()}
    options.update(kwargs)
    return OAuth2ClientCredentials(**options)  # type: ignore[arg-type]


def test_basic_credentials_form_and_bearer_header() -> None:
    server = Server(expires_in="14399")
    clock = Clock()
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


def test_cached_token_reused_then_refreshed_once_after_expiry() -> None:
    server = Server(expires_in=3600)
    clock = Clock()
    auth = make_auth(clock)
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        assert client.get(API_URL, auth=auth).json() == {"token": "tok-1"}
        clock.now += 3539  # still inside expires_in - leeway
        assert client.get(API_URL, auth=auth).json() == {"token": "tok-1"}
        assert len(server.token_requests) == 1
        clock.now += 2  # past expires_in - leeway
        assert client.get(API_URL, auth=auth).json() == {"token": "tok-2"}
        assert client.get(API_URL, auth=auth).json() == {"token": "tok-2"}
    assert len(server.token_requests) == 2


def test_short_lived_token_keeps_half_its_life() -> None:
    server = Server(expires_in=90)
    clock = Clock()
    auth = make_auth(clock)
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        client.get(API_URL, auth=auth)
    cached = auth.cached_token()
    assert cached is not None
    assert cached.expires_at == clock.now + 45


def test_cold_cache_with_16_threads_makes_one_token_request() -> None:
    server = Server()
    store = CountingStore()
    auth = make_auth(store=store)
    callers = 16
    overlapped: list[bool] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL and not overlapped:
            # Hold the first token answer until every thread has read the cold cache, so all of
            # them are past the optimistic read and committed to the locked path.
            with store.changed:
                overlapped.append(store.changed.wait_for(lambda: store.reads >= callers, timeout=10))
        return server(request)

    barrier = threading.Barrier(callers)
    results: list[str] = []
    errors: list[BaseException] = []
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        def work() -> None:
            try:
                barrier.wait()
                results.append(client.get(API_URL, auth=auth).json()["token"])
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors
    assert overlapped == [True]
    assert len(server.token_requests) == 1
    assert results == ["tok-1"] * callers


def test_cold_cache_with_50_async_tasks_makes_one_token_request() -> None:
    server = Server()
    store = CountingStore()
    auth = make_auth(store=store)
    callers = 50

    async def main() -> list[str]:
        all_read = asyncio.Event()
        store.on_read = lambda reads: all_read.set() if reads >= callers else None

        async def handler(request: httpx.Request) -> httpx.Response:
            if str(request.url) == TOKEN_URL:
                # Answer only once every task has read the cold cache.
                await asyncio.wait_for(all_read.wait(), timeout=10)
            else:
                await asyncio.sleep(0)
            return server(request)

        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            async def one() -> str:
                response = await client.get(API_URL, auth=auth)
                return str(response.json()["token"])

            return await asyncio.wait_for(asyncio.gather(*(one() for _ in range(callers))), timeout=10)

    results = asyncio.run(main())
    assert len(server.token_requests) == 1
    assert results == ["tok-1"] * callers
    assert len(server.api_requests) == callers


def test_auth_objects_built_per_call_over_one_store_share_the_fetch() -> None:
    server = Server()
    store = CountingStore()
    callers = 16
    gate: list[bool] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL and not gate:
            with store.changed:
                gate.append(store.changed.wait_for(lambda: store.reads >= callers, timeout=10))
        return server(request)

    barrier = threading.Barrier(callers)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        def work() -> None:
            barrier.wait()
            client.get(API_URL, auth=make_auth(store=store))  # a fresh auth object per call

        threads = [threading.Thread(target=work) for _ in range(callers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert gate == [True]
    assert len(server.token_requests) == 1
    assert len(server.api_requests) == callers


def test_async_expired_token_refreshed_once() -> None:
    server = Server(expires_in=3600)
    clock = Clock()
    auth = make_auth(clock)

    async def main() -> list[str]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
            first = (await client.get(API_URL, auth=auth)).json()["token"]
            clock.now += 3600
            rest = await asyncio.gather(*(client.get(API_URL, auth=auth) for _ in range(10)))
            return [first, *(r.json()["token"] for r in rest)]

    assert asyncio.run(main()) == ["tok-1"] + ["tok-2"] * 10
    assert len(server.token_requests) == 2


def test_401_refreshes_once_and_replays_once() -> None:
    server = Server()
    store = MemoryTokenStore()
    auth = make_auth(store=store)
    store.set(auth.cache_key, Token("revoked", expires_at=float("inf")))
    server.valid = {"tok-1"}
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        response = client.post(API_URL, content=b'{"a":1}', auth=auth)
    assert response.status_code == 200
    assert response.json() == {"token": "tok-1"}
    assert len(server.token_requests) == 1
    assert server.api_seen == [("Bearer revoked", b'{"a":1}'), ("Bearer tok-1", b'{"a":1}')]


def test_second_401_is_returned_not_looped() -> None:
    server = Server()
    server.valid = set()
    auth = make_auth()
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        response = client.get(API_URL, auth=auth)
    assert response.status_code == 401
    assert len(server.token_requests) == 2  # the first token, then one refresh
    assert len(server.api_requests) == 2


def test_async_second_401_is_returned_not_looped() -> None:
    server = Server()
    server.valid = set()
    auth = make_auth()

    async def main() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
            return await client.get(API_URL, auth=auth)

    assert asyncio.run(main()).status_code == 401
    assert len(server.token_requests) == 2
    assert len(server.api_requests) == 2


def test_401_refresh_keeps_a_token_another_caller_already_renewed() -> None:
    store = MemoryTokenStore()
    auth = make_auth(store=store)
    stale = Token("old", expires_at=float("inf"))
    store.set(auth.cache_key, Token("new", expires_at=float("inf")))
    auth.invalidate(stale)
    cached = store.get(auth.cache_key)
    assert cached is not None
    assert cached.access_token == "new"


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


def test_cache_key_and_repr_hold_no_secret() -> None:
    store = MemoryTokenStore()
    auth = make_auth(store=store)
    rotated = make_auth(client_secret=SecretStr("another-secret"), store=store)
    assert SECRET not in auth.cache_key
    assert auth.cache_key.startswith(f"ups:{TOKEN_URL}:client-123:")
    assert auth.cache_key != rotated.cache_key
    assert auth.cache_key == make_auth(store=store).cache_key  # stable for one store
    assert auth.cache_key == token_cache_key("ups", TOKEN_URL, "client-123", SECRET, key=store.fingerprint_key)
    assert SECRET not in repr(auth)
    assert SECRET not in str(auth)
    token = Token("the-access-token", expires_at=1.0)
    assert "the-access-token" not in repr(token)
    assert "MemoryTokenStore" in repr(MemoryTokenStore())
    assert store.fingerprint_key.hex() not in repr(store)


def test_the_secret_fingerprint_is_keyed_so_a_cache_key_cannot_test_guesses() -> None:
    """The same secret fingerprints differently under two keys, and neither fingerprint is the
    plain SHA-256 an attacker holding a cache key could compute from a guess."""
    first, second = make_auth(store=MemoryTokenStore()), make_auth(store=MemoryTokenStore())
    assert first.cache_key != second.cache_key
    unkeyed = hashlib.sha256(b"carriergate-token-key\x00" + SECRET.encode()).hexdigest()[:16]
    assert not first.cache_key.endswith(unkeyed)
    assert not second.cache_key.endswith(unkeyed)


class SharedStore(MemoryTokenStore):
    """A store shared between processes sets the same fingerprint key in each."""

    def __init__(self, key: bytes) -> None:
        super().__init__()
        self.fingerprint_key = key


def test_stores_with_the_same_fingerprint_key_share_cache_keys() -> None:
    key = bytes(range(32))
    assert make_auth(store=SharedStore(key)).cache_key == make_auth(store=SharedStore(key)).cache_key
    with pytest.raises(ValueError, match="16 bytes"):
        make_auth(store=SharedStore(b"short"))
