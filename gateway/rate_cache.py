"""A cache of carrier quotes with a time to live and stale-while-revalidate.

Keys are a SHA-256 of a canonical JSON of the :class:`~carriergate.RateRequest` and the carrier
account's alias, and nothing else: no credential can ever reach a key. An entry is

- *fresh* for ``ttl`` seconds after it was stored: served as it is, no carrier is asked;
- *stale* for ``stale_while_revalidate`` seconds more: still served (``source="cache"`` with its
  age), and the caller is told to refresh it;
- *expired* after that: a miss, except that with ``stale_if_error`` an entry is kept that many
  seconds past ``ttl`` as a last resort for when the carrier fails (``get(..., on_error=True)``).

The cache is thread-safe, bounded (least recently used entries go first) and takes its clock
as an argument so tests never sleep.
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
from typing import Literal

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


@dataclass(frozen=True)
class _Entry:
    quotes: tuple[Quote, ...]
    stored_at: float


class RateCache:
    """``RateCache(ttl=300, stale_while_revalidate=900, max_entries=2048)``."""

    def __init__(self, *, ttl: float = 300.0, stale_while_revalidate: float = 0.0, stale_if_error: float = 0.0,
                 max_entries: int = 2048, clock: Clock = time.monotonic) -> None:
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
        self._clock = clock
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._refreshing: set[str] = set()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def put(self, request: RateRequest, carrier: str, quotes: Sequence[Quote]) -> None:
        """Remember live quotes. Empty answers, cached or table quotes are not stored."""
        live = tuple(q for q in quotes if q.source == "live")
        if not live:
            return
        key = cache_key(request, carrier)
        with self._lock:
            self._entries[key] = _Entry(live, self._clock())
            self._entries.move_to_end(key)
            self._refreshing.discard(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def get(self, request: RateRequest, carrier: str, *, on_error: bool = False) -> CachedRates | None:
        """The cached quotes for ``request`` at ``carrier``, fresh or stale; None if absent or expired.
        ``on_error=True`` (the carrier just failed) also accepts entries within ``stale_if_error``."""
        key = cache_key(request, carrier)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            age = max(0.0, self._clock() - entry.stored_at)
            if age >= self.ttl + max(self.stale_while_revalidate, self.stale_if_error):
                del self._entries[key]
                return None
            limit = self.stale_while_revalidate
            if on_error:
                limit = max(limit, self.stale_if_error)
            if age >= self.ttl + limit:
                return None
            self._entries.move_to_end(key)
        freshness: Freshness = "fresh" if age < self.ttl else "stale"
        age_seconds = Decimal(repr(age)).quantize(Decimal("0.001"))
        quotes = [q.model_copy(update={"source": "cache", "age_seconds": age_seconds}) for q in entry.quotes]
        return CachedRates(key=key, quotes=quotes, age_seconds=age_seconds, freshness=freshness)

    def claim_refresh(self, key: str) -> bool:
        """True for the one caller that should refresh ``key`` now; False while a refresh is under way."""
        with self._lock:
            if key in self._refreshing:
                return False
            self._refreshing.add(key)
            return True

    def release_refresh(self, key: str) -> None:
        with self._lock:
            self._refreshing.discard(key)

    def invalidate(self, request: RateRequest | None = None, carrier: str | None = None) -> None:
        """Forget one entry, or everything when called without arguments."""
        with self._lock:
            if request is None:
                self._entries.clear()
            elif carrier is not None:
                self._entries.pop(cache_key(request, carrier), None)


__all__ = ["CachedRates", "RateCache", "cache_key"]
