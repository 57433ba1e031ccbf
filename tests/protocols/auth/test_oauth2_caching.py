"""OAuth2 client credentials: one token for many concurrent callers, kept until it expires, under a
cache key that holds no secret.

A cold cache hit by 16 threads or 50 tasks at once makes one token request (single flight), also when
each call builds its own auth object over one store; the token is reused until its expiry less a
leeway, then refreshed once. The store's key names carrier, endpoint and client with a keyed
fingerprint of the secret, so a leaked key tests no guesses, and reprs show neither secret nor token.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable

import httpx
import pytest
from pydantic import SecretStr

from carriergate.protocols.auth.tokens import MemoryTokenStore, Token, token_cache_key

from support.timing import ManualClock
from support.token_server import API_URL, NOW, SECRET, TOKEN_URL, Server, make_auth


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


def first_token_held(server: Server, store: CountingStore, reads: int,
                     held: list[bool]) -> Callable[[httpx.Request], httpx.Response]:
    """``server``, but its first token answer waits until ``store`` has been read ``reads`` times
    (``held`` gets whether that happened in time), so every caller is past the optimistic read of the
    cold cache and committed to the locked path before any token exists."""
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL and not held:
            with store.changed:
                held.append(store.changed.wait_for(lambda: store.reads >= reads, timeout=10))
        return server(request)
    return handler


def run_together(callers: int, work: Callable[[], None]) -> list[BaseException]:
    """Runs ``work`` in ``callers`` threads released at once by a barrier; returns what they raised."""
    barrier = threading.Barrier(callers)
    errors: list[BaseException] = []

    def released() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # pragma: no cover - reported by the caller
            errors.append(exc)

    threads = [threading.Thread(target=released) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


# -- reuse and expiry ---------------------------------------------------------------------------------------

def test_cached_token_reused_then_refreshed_once_after_expiry() -> None:
    server = Server(expires_in=3600)
    clock = ManualClock(NOW)
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
    clock = ManualClock(NOW)
    auth = make_auth(clock)
    with httpx.Client(transport=httpx.MockTransport(server)) as client:
        client.get(API_URL, auth=auth)
    cached = auth.cached_token()
    assert cached is not None
    assert cached.expires_at == clock.now + 45


def test_async_expired_token_refreshed_once() -> None:
    server = Server(expires_in=3600)
    clock = ManualClock(NOW)
    auth = make_auth(clock)

    async def main() -> list[str]:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
            first = (await client.get(API_URL, auth=auth)).json()["token"]
            clock.now += 3600
            rest = await asyncio.gather(*(client.get(API_URL, auth=auth) for _ in range(10)))
            return [first, *(r.json()["token"] for r in rest)]

    assert asyncio.run(main()) == ["tok-1"] + ["tok-2"] * 10
    assert len(server.token_requests) == 2


# -- single flight on a cold cache ----------------------------------------------------------------------------

def test_cold_cache_with_16_threads_makes_one_token_request() -> None:
    server = Server()
    store = CountingStore()
    auth = make_auth(store=store)
    callers = 16
    overlapped: list[bool] = []
    results: list[str] = []
    with httpx.Client(transport=httpx.MockTransport(first_token_held(server, store, callers, overlapped))) as client:
        errors = run_together(callers, lambda: results.append(client.get(API_URL, auth=auth).json()["token"]))
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
    with httpx.Client(transport=httpx.MockTransport(first_token_held(server, store, callers, gate))) as client:
        def work() -> None:
            client.get(API_URL, auth=make_auth(store=store))  # a fresh auth object per call

        assert not run_together(callers, work)
    assert gate == [True]
    assert len(server.token_requests) == 1
    assert len(server.api_requests) == callers


# -- cache keys and reprs hold no secret ----------------------------------------------------------------------

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
