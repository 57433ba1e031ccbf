"""RedisTokenStore: tokens shared through Redis, sync and async, with a fenced lease, and no secret in
any key or value but the token itself.

Two stores over one Redis stand for two worker processes (each has its own connection and its own
in-process locks); the multi-process proof is tests/stores/test_workers_tokens.py. A lease's expiry
is shown by removing the lock key, which is what Redis does when the lease's PX runs out.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from carriergate.protocols.auth.tokens import AsyncTokenStore, Token, TokenLease, TokenStore
from carriergate.stores.connection import RedisConnection
from carriergate.stores.tokens import RedisTokenStore

from support.timing import ManualClock
from support.token_server import API_URL, NOW, SECRET, Server, make_auth

Connect = Callable[[], RedisConnection]


def store(connect: Connect) -> RedisTokenStore:
    return RedisTokenStore(connect(), clock=ManualClock(NOW))


def everything(connection: RedisConnection) -> list[tuple[bytes, bytes]]:
    """Every key in Redis with its value (strings only), to look for secrets."""
    client = connection.sync
    return [(key, client.get(key) or b"") for key in client.scan_iter() if client.type(key) == b"string"]


def test_it_is_a_token_store_with_awaitable_io_and_a_lease(connect: Connect) -> None:
    shared = store(connect)
    assert isinstance(shared, TokenStore)
    assert isinstance(shared, AsyncTokenStore)
    assert isinstance(shared, TokenLease)


def test_a_token_set_by_one_worker_is_read_by_another_sync_and_async(connect: Connect) -> None:
    one, two = store(connect), store(connect)
    one.set("k", Token(access_token="tok-1", expires_at=NOW + 3600))
    assert two.get("k") == Token(access_token="tok-1", expires_at=NOW + 3600)

    async def scenario() -> Token | None:
        found = await two.aget("k")
        await two.adelete("k")
        assert one.get("k") is None
        await two.aset("k", Token(access_token="tok-2", expires_at=NOW + 60, token_type="MAC"))
        await two.connection.aclose()
        return found

    assert asyncio.run(scenario()) == Token(access_token="tok-1", expires_at=NOW + 3600)
    assert one.get("k") == Token(access_token="tok-2", expires_at=NOW + 60, token_type="MAC")


def test_workers_share_one_fingerprint_key_so_their_cache_keys_agree(connect: Connect) -> None:
    one, two = store(connect), store(connect)
    assert one.fingerprint_key == two.fingerprint_key
    assert len(one.fingerprint_key) == 32
    assert make_auth(store=one).cache_key == make_auth(store=two).cache_key


def test_the_lease_goes_to_one_worker_and_its_fence_grows(connect: Connect) -> None:
    one, two = store(connect), store(connect)
    first = one.try_lock("k")
    assert first is not None
    assert first > 0
    assert two.try_lock("k") is None  # held
    two.unlock("k", first + 1)  # a wrong fence frees nothing
    assert two.try_lock("k") is None
    one.unlock("k", first)
    second = two.try_lock("k")
    assert second is not None
    assert second > first


def test_a_holder_whose_lease_expired_cannot_overwrite_the_newer_token(connect: Connect) -> None:
    one, two = store(connect), store(connect)
    stale = one.try_lock("k")
    assert stale is not None
    one.connection.sync.delete("carriergate:token-lock:k")  # the lease ran out
    fresh = two.try_lock("k")
    assert fresh is not None
    assert two.set_fenced("k", Token(access_token="new", expires_at=NOW + 3600), fresh) is True
    assert one.set_fenced("k", Token(access_token="old", expires_at=NOW + 3600), stale) is False

    async def late_async_write() -> bool:
        try:
            return await one.aset_fenced("k", Token(access_token="old", expires_at=NOW + 3600), stale)
        finally:
            await one.connection.aclose()

    assert asyncio.run(late_async_write()) is False
    assert one.get("k") == Token(access_token="new", expires_at=NOW + 3600)


def test_the_async_lease_behaves_as_the_sync_one(connect: Connect) -> None:
    one, two = store(connect), store(connect)

    async def scenario() -> tuple[int | None, int | None, int | None]:
        first = await one.atry_lock("k")
        blocked = await two.atry_lock("k")
        assert first is not None
        await one.aunlock("k", first)
        second = await two.atry_lock("k")
        await one.connection.aclose()
        await two.connection.aclose()
        return first, blocked, second

    first, blocked, second = asyncio.run(scenario())
    assert blocked is None
    assert first is not None
    assert second is not None
    assert second > first


def test_two_workers_over_one_redis_make_one_token_request_and_keep_no_secret(connect: Connect) -> None:
    server = Server()
    one, two = store(connect), store(connect)
    for shared in (one, two):
        with httpx.Client(transport=httpx.MockTransport(server)) as client:
            assert client.get(API_URL, auth=make_auth(store=shared)).json() == {"token": "tok-1"}
    assert len(server.token_requests) == 1
    stored = everything(one.connection)
    assert any(value and b"tok-1" in value for _, value in stored)  # the token itself is shared
    for key, value in stored:
        assert SECRET.encode() not in key
        assert SECRET.encode() not in value
        assert b"tok-1" not in key


def test_the_async_flow_awaits_the_store_and_shares_the_token(connect: Connect) -> None:
    server = Server()
    one, two = store(connect), store(connect)

    async def worker(shared: RedisTokenStore, callers: int) -> list[dict[str, str]]:
        auth = make_auth(store=shared)
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
            answers = await asyncio.gather(*(client.get(API_URL, auth=auth) for _ in range(callers)))
        await shared.connection.aclose()
        return [answer.json() for answer in answers]

    assert asyncio.run(worker(one, 20)) == [{"token": "tok-1"}] * 20
    assert asyncio.run(worker(two, 5)) == [{"token": "tok-1"}] * 5
    assert len(server.token_requests) == 1


def test_a_401_refresh_by_one_worker_is_seen_by_the_other(connect: Connect) -> None:
    server = Server()
    one, two = store(connect), store(connect)
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        assert client.get(API_URL, auth=make_auth(store=one)).json() == {"token": "tok-1"}
        server.valid = {"tok-2"}  # the carrier revoked tok-1
        assert client.get(API_URL, auth=make_auth(store=two)).json() == {"token": "tok-2"}
        assert client.get(API_URL, auth=make_auth(store=one)).json() == {"token": "tok-2"}
    assert len(server.token_requests) == 2


def test_with_redis_down_each_worker_fetches_its_own_token_and_no_call_fails(caplog: pytest.LogCaptureFixture) -> None:
    server = Server()
    down = RedisTokenStore(RedisConnection("redis://127.0.0.1:1/0", timeout=0.2), clock=ManualClock(NOW))
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        assert client.get(API_URL, auth=make_auth(store=down)).json() == {"token": "tok-1"}
    down.connection.close()
    assert len(server.token_requests) == 1
    assert "Redis unavailable" in caplog.text
    assert SECRET not in caplog.text


def test_repr_shows_no_password() -> None:
    shared = RedisTokenStore(RedisConnection("redis://:hunter2-pw@127.0.0.1:1/0", timeout=0.2),
                             fingerprint_key=b"k" * 32)
    assert "hunter2-pw" not in repr(shared)
    assert "***" in repr(shared)
    auth = make_auth(store=shared, client_secret=SecretStr(SECRET))
    assert "hunter2-pw" not in repr(auth)
    assert SECRET not in repr(auth)
    shared.connection.close()
