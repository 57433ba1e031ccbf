"""OAuth2 client credentials: a 401 from the API refreshes the token once and replays the request once.

A second 401 is the carrier's answer, returned rather than looped on; a refresh never throws away a
token another caller has renewed meanwhile.
"""

from __future__ import annotations

import asyncio

import httpx

from carriergate.protocols.auth.tokens import MemoryTokenStore, Token

from support.token_server import API_URL, Server, make_auth


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
