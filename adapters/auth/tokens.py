"""Access tokens and where they are kept between requests.

A :class:`TokenStore` maps a cache key to a :class:`Token`. Keys come from :func:`token_cache_key`:
carrier, token URL, client id and a short SHA-256 fingerprint of the secret, so a rotated secret
gets a fresh token while the raw secret never appears in a key (keys may end up in logs or in a
shared cache such as Redis). The in-memory default is thread-safe.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

#: Hex digits of the secret's SHA-256 kept in a cache key: enough to tell secrets apart, too few to
#: be useful to anyone holding the key.
FINGERPRINT_LENGTH = 16


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


class MemoryTokenStore:
    """A process-local, thread-safe token store (the default)."""

    def __init__(self) -> None:
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


def secret_fingerprint(secret: str) -> str:
    """A short, one-way fingerprint of a secret (domain-separated SHA-256, truncated)."""
    digest = hashlib.sha256(b"carriergate-token-key\x00" + secret.encode("utf-8")).hexdigest()
    return digest[:FINGERPRINT_LENGTH]


def token_cache_key(carrier: str, token_url: str, client_id: str, secret: str) -> str:
    """``carrier:token_url:client_id:fingerprint`` — the secret itself never appears."""
    return f"{carrier}:{token_url}:{client_id}:{secret_fingerprint(secret)}"
