"""The fallback ladder for rate shopping: live quotes, else cached quotes, else table rates.

:func:`resolve` is pure bookkeeping (no I/O): given what the live carriers answered, it decides,
carrier by carrier, which quotes to show and marks where each came from (``Quote.source``:
``live``, ``cache`` or ``table``; cached quotes carry ``age_seconds``).

- A carrier that answered live: its quotes, which are also stored in the cache.
- A carrier that failed (error, timeout, breaker open): its cached quotes if the cache still holds
  some (within stale-while-revalidate or stale-if-error); its error stays in ``RateResult.errors``
  so callers know the answer is not live.
- If, after that, any asked carrier still has no quote, the table-rate carrier's quotes are added
  as backup rates (``source="table"``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from carriergate.core.errors import CarrierError
from carriergate.core.quotes import Quote
from carriergate.core.results import RateResult
from carriergate.core.shipment import RateRequest
from carriergate.gateway.rate_cache import RateCache


def as_table(quotes: Sequence[Quote]) -> list[Quote]:
    return [q if q.source == "table" else q.model_copy(update={"source": "table"}) for q in quotes]


def resolve(request: RateRequest, live: Mapping[str, RateResult], *, cache: RateCache | None = None,
            served: Mapping[str, list[Quote]] | None = None, table: RateResult | None = None) -> RateResult:
    """Combine per-carrier live results (``alias -> RateResult`` of that one carrier), quotes already
    served from the cache (``served``: fresh or stale hits, not asked live) and an optional table
    carrier's result into the final :class:`RateResult`."""
    quotes: list[Quote] = []
    errors: dict[str, CarrierError] = {}
    missing: list[str] = []
    for quoted in (served or {}).values():
        quotes.extend(quoted)
    for alias, result in live.items():
        if result.quotes:
            quotes.extend(result.quotes)
            if cache is not None:
                cache.put(request, alias, result.quotes)
            continue
        errors.update(result.errors)
        hit = cache.get(request, alias, on_error=True) if cache is not None else None
        if hit is not None:
            quotes.extend(hit.quotes)
        else:
            missing.append(alias)
    if missing and table is not None:
        quotes.extend(as_table(table.quotes))
        errors.update(table.errors)
    return RateResult(quotes=quotes, errors=errors)


__all__ = ["as_table", "resolve"]
