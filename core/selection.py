"""Choosing among quotes: filters, cheapest, fastest, cheapest arriving by a date, best value.

Every function takes a list of :class:`~carriergate.Quote` and leaves it unchanged. Prices are only
compared within one currency: a list holding several currencies is refused with
:class:`MixedCurrencies` (convert first with a :class:`~carriergate.checkout.fees.FeePolicy`, or filter
with ``currency=``).

Best value is a documented score, lower is better::

    score = price_weight * (total / cheapest_total) + (1 - price_weight) * (days / fastest_days)

``days`` is the quote's transit days (at least 1); a quote without a transit time counts as one
day slower than the slowest quote that has one. With ``price_weight=1`` best value is the cheapest,
with ``price_weight=0`` the fastest; the default weighs both equally.

Every chooser takes ``shippable_only``: with ``True`` it ignores quotes no label can be bought for
(:attr:`Quote.can_ship` is False: table rates, carriers without SHIP), so the quote it picks can be
handed to ``Gateway.ship``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from carriergate.core.quotes import Quote

DEFAULT_PRICE_WEIGHT = Decimal("0.5")


class MixedCurrencies(ValueError):
    """Prices in several currencies cannot be compared without a conversion."""


def shippable(quotes: Iterable[Quote]) -> list[Quote]:
    """The quotes a label can be bought for (:attr:`Quote.can_ship`), in their order."""
    return [q for q in quotes if q.can_ship]


def _pool(quotes: Iterable[Quote], shippable_only: bool) -> list[Quote]:
    return shippable(quotes) if shippable_only else list(quotes)


def filter_quotes(quotes: Iterable[Quote], *, carriers: Iterable[str] | None = None,
                  services: Iterable[str] | None = None, exclude_carriers: Iterable[str] = (),
                  currency: str | None = None, max_transit_days: int | None = None,
                  shippable_only: bool = False) -> list[Quote]:
    """The quotes of the given carriers (aliases) and service codes, in their order.

    ``services`` matches a bare service code (``"03"``) or ``carrier:code`` (``"ups:03"``)."""
    keep = None if carriers is None else set(carriers)
    drop = set(exclude_carriers)
    wanted = None if services is None else set(services)
    out: list[Quote] = []
    for q in quotes:
        if shippable_only and not q.can_ship:
            continue
        if (keep is not None and q.carrier not in keep) or q.carrier in drop:
            continue
        if wanted is not None and q.service_code not in wanted and f"{q.carrier}:{q.service_code}" not in wanted:
            continue
        if currency is not None and q.total.currency != currency.upper():
            continue
        if max_transit_days is not None and (q.transit_days is None or q.transit_days > max_transit_days):
            continue
        out.append(q)
    return out


def _one_currency(quotes: Sequence[Quote]) -> None:
    currencies = sorted({q.total.currency for q in quotes})
    if len(currencies) > 1:
        raise MixedCurrencies(f"quotes are in several currencies ({', '.join(currencies)}): "
                              "convert them to one currency or filter by currency first")


def by_price(quotes: Iterable[Quote], *, shippable_only: bool = False) -> list[Quote]:
    """Cheapest first; ties go to the faster quote, then carrier and service code."""
    items = _pool(quotes, shippable_only)
    _one_currency(items)
    return sorted(items, key=lambda q: q.sort_key)


def cheapest(quotes: Iterable[Quote], *, shippable_only: bool = False) -> Quote | None:
    """The cheapest quote (the faster on a tie); None when there is none."""
    ordered = by_price(quotes, shippable_only=shippable_only)
    return ordered[0] if ordered else None


def fastest(quotes: Iterable[Quote], *, shippable_only: bool = False) -> Quote | None:
    """The quote with the fewest transit days (the cheaper one on a tie); None when no quote says."""
    timed = [q for q in _pool(quotes, shippable_only) if q.transit_days is not None]
    _one_currency(timed)
    return min(timed, key=lambda q: (q.transit_days, q.sort_key)) if timed else None


def delivery_date(quote: Quote, ship_date: date | None = None) -> date | None:
    """When the quote arrives: the carrier's estimate, else ``ship_date`` plus the transit days
    (calendar days), else None."""
    estimate = quote.estimated_delivery
    if isinstance(estimate, datetime):
        return estimate.date()
    if isinstance(estimate, date):
        return estimate
    if quote.transit_days is not None and ship_date is not None:
        return ship_date + timedelta(days=quote.transit_days)
    return None


def arriving_by(quotes: Iterable[Quote], by: date, *, ship_date: date | None = None,
                shippable_only: bool = False) -> list[Quote]:
    """Quotes known to arrive on or before ``by`` (unknown arrival dates are left out)."""
    out = []
    for q in _pool(quotes, shippable_only):
        arrives = delivery_date(q, ship_date)
        if arrives is not None and arrives <= by:
            out.append(q)
    return out


def cheapest_arriving_by(quotes: Iterable[Quote], by: date, *, ship_date: date | None = None,
                         shippable_only: bool = False) -> Quote | None:
    return cheapest(arriving_by(quotes, by, ship_date=ship_date, shippable_only=shippable_only))


def value_scores(quotes: Iterable[Quote], *, price_weight: Decimal = DEFAULT_PRICE_WEIGHT,
                 shippable_only: bool = False) -> list[tuple[Decimal, Quote]]:
    """Each quote with its best-value score (see the module doc), best first."""
    items = _pool(quotes, shippable_only)
    if not items:
        return []
    if not Decimal(0) <= price_weight <= 1:
        raise ValueError("price_weight must be between 0 and 1")
    _one_currency(items)
    known = [q.transit_days for q in items if q.transit_days is not None]
    slowest = max(known) + 1 if known else 1
    days = {id(q): Decimal(max(q.transit_days if q.transit_days is not None else slowest, 1)) for q in items}
    cheapest_total = min(q.total.amount for q in items)
    fastest_days = min(days.values())
    scored = []
    for q in items:
        if cheapest_total > 0:
            price_ratio = q.total.amount / cheapest_total
        else:  # a free quote: free ones score 1, paid ones 2
            price_ratio = Decimal(1 if q.total.amount == 0 else 2)
        score = price_weight * price_ratio + (1 - price_weight) * (days[id(q)] / fastest_days)
        scored.append((score, q))
    scored.sort(key=lambda pair: (pair[0], pair[1].sort_key))
    return scored


def best_value(quotes: Iterable[Quote], *, price_weight: Decimal = DEFAULT_PRICE_WEIGHT,
               shippable_only: bool = False) -> Quote | None:
    scored = value_scores(quotes, price_weight=price_weight, shippable_only=shippable_only)
    return scored[0][1] if scored else None


__all__ = [
    "MixedCurrencies",
    "arriving_by",
    "best_value",
    "by_price",
    "cheapest",
    "cheapest_arriving_by",
    "delivery_date",
    "fastest",
    "filter_quotes",
    "shippable",
    "value_scores",
]
