"""OAuth2 over a store with a cross-process lease (TokenLease): the steps another process's fetch
adds, shown with an in-memory lease whose "other process" is the test itself.

A caller that finds the lease held looks at the store after each pause and uses the token the holder
stored; one whose holder never finishes gives up, within its request's timeout, with
CarrierUnavailable(code="token_wait"); a lease that comes free (its holder crashed) is taken and the
token fetched once; a holder whose fence went stale uses its token but does not store it. The real
Redis lease is tests/stores/test_tokens.py; many processes, tests/stores/test_workers_tokens.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from carriergate.core.errors import CarrierUnavailable
from carriergate.protocols.auth.tokens import MemoryTokenStore, Token

from support.token_server import API_URL, NOW, Server, make_auth

PAUSE = 0.1


class LeasedStore(MemoryTokenStore):
    """A memory store with a lease: ``holder`` is the fence of whoever holds it (None: free)."""

    lease_seconds = 5.0
    max_wait = 30.0

    def __init__(self) -> None:
        super().__init__()
        self.holder: int | None = None
        self.fence = 0
        self.pauses = 0
        self.on_pause: Callable[[int], None] | None = None

    def try_lock(self, key: str) -> int | None:
        if self.holder is not None:
            return None
        self.fence += 1
        self.holder = self.fence
        return self.fence

    def unlock(self, key: str, fence: int) -> None:
        if self.holder == fence:
            self.holder = None

    def set_fenced(self, key: str, token: Token, fence: int) -> bool:
        if fence != self.fence:
            return False
        self.set(key, token)
        return True

    def pause(self, attempt: int) -> float:
        self.pauses += 1
        if self.on_pause is not None:
            self.on_pause(self.pauses)
        return PAUSE

    async def atry_lock(self, key: str) -> int | None:
        return self.try_lock(key)

    async def aunlock(self, key: str, fence: int) -> None:
        self.unlock(key, fence)

    async def aset_fenced(self, key: str, token: Token, fence: int) -> bool:
        return self.set_fenced(key, token, fence)

    async def apause(self, attempt: int) -> float:
        return self.pause(attempt)


def call(store: LeasedStore, server: Server, timeout: float = 10.0) -> httpx.Response:
    with httpx.Client(transport=httpx.MockTransport(server), timeout=timeout) as client:
        return client.get(API_URL, auth=make_auth(store=store))


def acall(store: LeasedStore, server: Server) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
            return await client.get(API_URL, auth=make_auth(store=store))
    return asyncio.run(go())


def other_process_holds(store: LeasedStore, *, stores_after: int | None = None, frees_after: int | None = None,
                        key: str) -> None:
    """Another process holds the lease; after some pauses it stores its token, or its lease expires."""
    store.holder = store.fence = 7

    def progress(pauses: int) -> None:
        if pauses == stores_after:
            store.set(key, Token(access_token="theirs", expires_at=NOW + 3600))
            store.holder = None
        if pauses == frees_after:
            store.holder = None  # crashed: its lease ran out

    store.on_pause = progress


@pytest.mark.parametrize("run", [call, acall], ids=["sync", "async"])
def test_a_waiter_uses_the_token_the_lease_holder_stored(run: Callable[[LeasedStore, Server], httpx.Response]) -> None:
    store, server = LeasedStore(), Server()
    other_process_holds(store, stores_after=3, key=make_auth(store=store).cache_key)
    assert run(store, server).json() == {"token": "theirs"}
    assert server.token_requests == []
    assert store.pauses == 3


@pytest.mark.parametrize("run", [call, acall], ids=["sync", "async"])
def test_a_lease_that_comes_free_is_taken_and_the_token_fetched_once(
        run: Callable[[LeasedStore, Server], httpx.Response]) -> None:
    store, server = LeasedStore(), Server()
    other_process_holds(store, frees_after=2, key=make_auth(store=store).cache_key)
    assert run(store, server).json() == {"token": "tok-1"}
    assert len(server.token_requests) == 1
    assert store.get(make_auth(store=store).cache_key) is not None  # stored under the new fence 8
    assert store.holder is None  # and the lease given back


def test_a_waiter_gives_up_within_its_request_timeout() -> None:
    store, server = LeasedStore(), Server()
    other_process_holds(store, key=make_auth(store=store).cache_key)  # never finishes
    with pytest.raises(CarrierUnavailable) as raised:
        call(store, server, timeout=0.5)
    assert raised.value.code == "token_wait"
    assert server.token_requests == []
    assert store.pauses == 5  # 0.5 s of 0.1 s pauses: the request's timeout, not the store's 30 s


@pytest.mark.parametrize("run", [call, acall], ids=["sync", "async"])
def test_a_holder_whose_fence_went_stale_uses_its_token_without_storing_it(
        run: Callable[[LeasedStore, Server], httpx.Response]) -> None:
    store, server = LeasedStore(), Server()
    real = store.set_fenced

    def lease_lost(key: str, token: Token, fence: int) -> bool:
        store.fence += 1  # another process was granted the lease meanwhile
        return real(key, token, fence)

    store.set_fenced = lease_lost  # type: ignore[method-assign]
    assert run(store, server).json() == {"token": "tok-1"}
    assert store.get(make_auth(store=store).cache_key) is None
