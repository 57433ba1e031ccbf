"""A cache of carrier quotes with a time to live and stale-while-revalidate.

Keys are a SHA-256 of a canonical JSON of the :class:`~carriergate.RateRequest` and the carrier
account's alias, and nothing else: no credential can ever reach a key. An entry is

- *fresh* for ``ttl`` seconds after it was stored: served as it is, no carrier is asked;
- *stale* for ``stale_while_revalidate`` seconds more: still served (``source="cache"`` with its
  age), and the caller is told to refresh it;
- *expired* after that: a miss, except that with ``stale_if_error`` an entry is kept that many
  seconds past ``ttl`` as a last resort for when the carrier fails (``get(..., on_error=True)``).

The cache is thread-safe and takes its clock as an argument so tests never sleep. Where entries are
kept is its :class:`RateCacheBackend`: by default in this process, bounded (least recently used
entries go first); or shared by every worker process (``carriergate.stores.rate_cache``, Redis), whose
entries expire when they are of no more use and whose clock must then be the wall clock (the
default for a shared backend). The refresh of a stale entry is claimed in the backend too, so one
worker refreshes it, not each.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

from carriergate.core.quotes import Quote
from carriergate.core.shipment import RateRequest

Clock = Callable[[], float]
Freshness = Literal["fresh", "stale"]


def cache_key(request: RateRequest, carrier: str) -> str:
    """The key of ``request`` for one carrier account: built from the request and the alias only."""
    canonical = json.dumps({"carrier": carrier, "request": request.model_dump(mode="json")},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class CachedRates:
    """A cache hit: the quotes (marked ``source="cache"`` with their age) and how fresh they are."""

    key: str
    quotes: list[Quote]
    age_seconds: Decimal
    freshness: Freshness

    @property
    def needs_refresh(self) -> bool:
        return self.freshness == "stale"


#: One entry as a backend keeps it: the live quotes and when (on the cache's clock) they were stored.
StoredRates = tuple[tuple[Quote, ...], float]


@runtime_checkable
class RateCacheBackend(Protocol):
    """Where a :class:`RateCache` keeps its entries and refresh claims. ``shared``: the entries are
    seen by other processes (so stored times must be on the wall clock). ``save`` keeps an entry for at
    least ``keep_for`` seconds (a backend may drop it then); ``claim`` takes the refresh of ``key`` for
    at most ``hold_for`` seconds, True for one caller only, until ``release``."""

    shared: bool

    def load(self, key: str) -> StoredRates | None: ...

    def save(self, key: str, quotes: tuple[Quote, ...], stored_at: float, keep_for: float) -> None: ...

    def drop(self, key: str) -> None: ...

    def clear(self) -> None: ...

    def claim(self, key: str, hold_for: float) -> bool: ...

    def release(self, key: str) -> None: ...

    def __len__(self) -> int: ...


class MemoryRateCacheBackend:
    """Entries in this process (the default), the least recently used dropped past ``max_entries``."""

    shared = False

    def __init__(self, max_entries: int = 2048) -> None:
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.max_entries = max_entries
        self._entries: OrderedDict[str, StoredRates] = OrderedDict()
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def load(self, key: str) -> StoredRates | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def save(self, key: str, quotes: tuple[Quote, ...], stored_at: float, keep_for: float) -> None:
        with self._lock:
            self._entries[key] = (quotes, stored_at)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def drop(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def claim(self, key: str, hold_for: float) -> bool:
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            self._refreshing.discard(key)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


#: The longest a refresh claim is held when its holder never releases it (a crashed worker).
CLAIM_SECONDS = 60.0


class RateCache:
    """``RateCache(ttl=300, stale_while_revalidate=900, max_entries=2048)``; ``backend``: where the
    entries live (default: in memory, ``max_entries`` of them); ``clock``: default the monotonic
    clock, the wall clock for a shared backend."""

    def __init__(self, *, ttl: float = 300.0, stale_while_revalidate: float = 0.0, stale_if_error: float = 0.0,
                 max_entries: int = 2048, clock: Clock | None = None, backend: RateCacheBackend | None = None) -> None:
        if ttl <= 0:
            raise ValueError("ttl must be positive")
        if stale_while_revalidate < 0 or stale_if_error < 0:
            raise ValueError("stale_while_revalidate and stale_if_error must not be negative")
        if max_entries < 1:
            raise ValueError("max_entries must be at least 1")
        self.ttl = ttl
        self.stale_while_revalidate = stale_while_revalidate
        self.stale_if_error = stale_if_error
        self.max_entries = max_entries
        self.backend: RateCacheBackend = backend if backend is not None else MemoryRateCacheBackend(max_entries)
        self._clock: Clock = clock if clock is not None else time.time if self.backend.shared else time.monotonic

    @property
    def keep_for(self) -> float:
        """How long an entry can be of use after it was stored (fresh, stale or as a last resort)."""
        return self.ttl + max(self.stale_while_revalidate, self.stale_if_error)

    def __len__(self) -> int:
        return len(self.backend)

    def put(self, request: RateRequest, carrier: str, quotes: Sequence[Quote]) -> None:
        """Remember live quotes. Empty answers, cached or table quotes are not stored."""
        live = tuple(q for q in quotes if q.source == "live")
        if not live:
            return
        key = cache_key(request, carrier)
        self.backend.save(key, live, self._clock(), self.keep_for)
        self.backend.release(key)

    def get(self, request: RateRequest, carrier: str, *, on_error: bool = False) -> CachedRates | None:
        """The cached quotes for ``request`` at ``carrier``, fresh or stale; None if absent or expired.
        ``on_error=True`` (the carrier just failed) also accepts entries within ``stale_if_error``."""
        key = cache_key(request, carrier)
        entry = self.backend.load(key)
        if entry is None:
            return None
        stored, stored_at = entry
        age = max(0.0, self._clock() - stored_at)
        if age >= self.keep_for:
            self.backend.drop(key)
            return None
        limit = self.stale_while_revalidate
        if on_error:
            limit = max(limit, self.stale_if_error)
        if age >= self.ttl + limit:
            return None
        freshness: Freshness = "fresh" if age < self.ttl else "stale"
        age_seconds = Decimal(repr(age)).quantize(Decimal("0.001"))
        quotes = [q.model_copy(update={"source": "cache", "age_seconds": age_seconds}) for q in stored]
        return CachedRates(key=key, quotes=quotes, age_seconds=age_seconds, freshness=freshness)

    def claim_refresh(self, key: str) -> bool:
        """True for the one caller that should refresh ``key`` now; False while a refresh is under way."""
        return self.backend.claim(key, CLAIM_SECONDS)

    def release_refresh(self, key: str) -> None:
        self.backend.release(key)

    def invalidate(self, request: RateRequest | None = None, carrier: str | None = None) -> None:
        """Forget one entry, or everything when called without arguments."""
        if request is None:
            self.backend.clear()
        elif carrier is not None:
            self.backend.drop(cache_key(request, carrier))


__all__ = ["CLAIM_SECONDS", "CachedRates", "MemoryRateCacheBackend", "RateCache", "RateCacheBackend", "StoredRates",
           "cache_key"]
