"""Access tokens and where they are kept between requests.

A :class:`TokenStore` maps a cache key to a :class:`Token`. Keys come from :func:`token_cache_key`:
carrier, token URL, client id and a short keyed fingerprint (HMAC-SHA-256) of the secret, so a
rotated secret gets a fresh token while the secret never appears in a key (keys may end up in logs
or in a shared cache such as Redis). The fingerprint is keyed with the store's ``fingerprint_key``:
without that key, a cache key cannot be used to test guesses of the secret offline. The in-memory
default draws a random key; a store shared between processes sets the same secret bytes in each
(:func:`fingerprint_key`). The in-memory default is thread-safe.

A store shared between processes may offer more, each found by a type check (never required):

* :class:`AsyncTokenStore` (``aget``/``aset``/``adelete``): the async auth flow awaits these instead of
  blocking its event loop on the store's I/O;
* :class:`TokenLease`: a cross-process lock with a lease and a fencing token, so N processes on a cold
  cache make one token request (see :mod:`carriergate.protocols.auth.oauth2`).

:func:`default_store` makes a store the default of every auth flow built inside it without one (the
gateway uses it to hand a shared store to carriers, which build their auth flows themselves).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

#: Hex digits of the secret's keyed fingerprint kept in a cache key: enough to tell secrets apart.
FINGERPRINT_LENGTH = 16
#: The fingerprint key of stores that do not set one: random, so never the same in two processes.
_PROCESS_KEY = secrets.token_bytes(32)


@dataclass(frozen=True)
class Token:
    """A bearer token and the epoch second after which we stop using it (already minus leeway)."""

    access_token: str = field(repr=False)
    expires_at: float
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret

    def valid_at(self, now: float) -> bool:
        return bool(self.access_token) and now < self.expires_at


@runtime_checkable
class TokenStore(Protocol):
    """Where tokens live. Implementations must be safe to call from several threads."""

    def get(self, key: str) -> Token | None: ...

    def set(self, key: str, token: Token) -> None: ...

    def delete(self, key: str) -> None: ...


@runtime_checkable
class AsyncTokenStore(Protocol):
    """A store whose I/O can be awaited: what the async auth flow uses when a store offers it."""

    async def aget(self, key: str) -> Token | None: ...

    async def aset(self, key: str, token: Token) -> None: ...

    async def adelete(self, key: str) -> None: ...


@runtime_checkable
class TokenLease(Protocol):
    """A store's cross-process single-flight for one cache key.

    ``try_lock`` takes the key's lease for ``lease_seconds`` and answers its fencing token (a number
    that grows with every lease ever granted for the key), None while another process holds it, or
    ``0`` when the lock itself is unavailable (then the caller fetches without one). ``set_fenced``
    stores a token only while ``fence`` is still the latest lease granted (a holder whose lease
    expired and was granted again elsewhere cannot overwrite the newer token) and says whether it did;
    ``unlock`` frees the lease if it is still ``fence``'s. ``pause(n)`` waits before a waiter's
    ``n``-th look at the store (short, growing) and answers the seconds it waited; a waiter gives
    up after ``max_wait`` seconds of pauses (or its request's timeout, if shorter)."""

    lease_seconds: float
    max_wait: float

    def try_lock(self, key: str) -> int | None: ...

    def unlock(self, key: str, fence: int) -> None: ...

    def set_fenced(self, key: str, token: Token, fence: int) -> bool: ...

    def pause(self, attempt: int) -> float: ...

    async def atry_lock(self, key: str) -> int | None: ...

    async def aunlock(self, key: str, fence: int) -> None: ...

    async def aset_fenced(self, key: str, token: Token, fence: int) -> bool: ...

    async def apause(self, attempt: int) -> float: ...


_DEFAULT_STORE: ContextVar[TokenStore | None] = ContextVar("carriergate_default_token_store", default=None)


@contextmanager
def default_store(store: TokenStore | None) -> Iterator[None]:
    """Within this block, an auth flow built without a ``store`` uses ``store`` (None: its own)."""
    reset = _DEFAULT_STORE.set(store)
    try:
        yield
    finally:
        _DEFAULT_STORE.reset(reset)


def current_default_store() -> TokenStore | None:
    """The store :func:`default_store` set for this context, if any."""
    return _DEFAULT_STORE.get()


class MemoryTokenStore:
    """A process-local, thread-safe token store (the default), with its own random fingerprint key."""

    def __init__(self) -> None:
        self.fingerprint_key = secrets.token_bytes(32)
        self._tokens: dict[str, Token] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Token | None:
        with self._lock:
            return self._tokens.get(key)

    def set(self, key: str, token: Token) -> None:
        with self._lock:
            self._tokens[key] = token

    def delete(self, key: str) -> None:
        with self._lock:
            self._tokens.pop(key, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._tokens)

    def __repr__(self) -> str:
        return f"MemoryTokenStore(tokens={len(self)})"


class CachedTokenSteps:
    """The I/O-free steps every token flow takes around its one cached token (``store`` under
    ``cache_key``, valid by ``clock``): the OAuth2 flows and the side token (USPS payment
    authorization) share them, so "forget only the token that failed" is written once."""

    store: TokenStore
    cache_key: str
    clock: Callable[[], float]

    def cached_token(self) -> Token | None:
        """The stored token if it is still valid now, else None."""
        token = self.store.get(self.cache_key)
        return token if token is not None and token.valid_at(self.clock()) else None

    def invalidate(self, failed: Token | None = None) -> None:
        """Forget the cached token; with ``failed``, only if it is still the cached one."""
        if failed is not None:
            current = self.store.get(self.cache_key)
            if current is None or current.access_token != failed.access_token:
                return
        self.store.delete(self.cache_key)

    def _before_lock(self, failed: Token | None) -> Token | None:
        """Step 1 of a flow: a valid cached token, unless the last one was just refused."""
        return None if failed is not None else self.cached_token()

    def _under_lock(self, failed: Token | None) -> Token | None:
        """Step 2, under the fetch lock: forget the refused token, then look again (someone queued
        ahead may have fetched a new one)."""
        if failed is not None:
            self.invalidate(failed)
        return self.cached_token()


def fingerprint_key(store: object) -> bytes:
    """The key ``store``'s cache keys are fingerprinted with: its ``fingerprint_key`` attribute (bytes,
    at least 16; a store shared between processes must give the same secret value in each), else a
    random key of this process (tokens are then not shared between processes, but still safe)."""
    key = getattr(store, "fingerprint_key", None)
    if key is None:
        return _PROCESS_KEY
    if not isinstance(key, bytes) or len(key) < 16:
        raise ValueError("a token store's fingerprint_key must be at least 16 bytes")
    return key


def secret_fingerprint(secret: str, key: bytes) -> str:
    """A short, one-way fingerprint of a secret, keyed (HMAC-SHA-256, truncated)."""
    digest = hmac.new(key, b"carriergate-token-key\x00" + secret.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:FINGERPRINT_LENGTH]


def token_cache_key(carrier: str, token_url: str, client_id: str, secret: str, *, key: bytes) -> str:
    """``carrier:token_url:client_id:fingerprint`` — the secret itself never appears."""
    return f"{carrier}:{token_url}:{client_id}:{secret_fingerprint(secret, key)}"
