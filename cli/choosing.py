"""``rates --sort price|time`` and ``rates --cheapest``: which quotes the command shows, in what order.

The choosing is core.selection's; this module only maps the options onto it. ``--cheapest`` picks
among the quotes a label can be bought for (``shippable_only``): a table-rate quote is an estimate,
never the one picked.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from carriergate.cli import parsing
from carriergate.core import selection
from carriergate.core.quotes import Quote
from carriergate.core.results import RateResult


class SortOrder(StrEnum):
    price = "price"
    time = "time"


Sort = Annotated[SortOrder, typer.Option(
    "--sort", case_sensitive=False,
    help="price: cheapest first (the default); time: fewest transit days first, then cheapest")]
Cheapest = Annotated[bool, typer.Option(
    "--cheapest", help="Show only the cheapest quote a label can be bought for (never a table-rate estimate)")]


def by_time(quotes: list[Quote]) -> list[Quote]:
    """Fewest transit days first (quotes without a transit time last), then by price."""
    return sorted(quotes, key=lambda q: (q.transit_days is None, q.transit_days or 0, q.sort_key))


def chosen_quotes(result: RateResult, sort: SortOrder | str, cheapest: bool) -> tuple[list[Quote], str]:
    """The quotes to show and the table's title. ``--cheapest`` over several currencies is bad input
    (prices in different currencies do not compare: narrow with --carriers)."""
    order = SortOrder(sort)
    if cheapest:
        try:
            pick = selection.cheapest(result.quotes, shippable_only=True)
        except selection.MixedCurrencies as exc:
            raise parsing.bad("cheapest", f"{exc}; narrow the carriers with --carriers") from None
        return ([pick] if pick is not None else []), "Cheapest quote a label can be bought for"
    if order is SortOrder.time:
        return by_time(result.quotes), "Quotes (fastest first)"
    return list(result.quotes), "Quotes (cheapest first)"
