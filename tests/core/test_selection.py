"""Rate shopping selection: filters, cheapest, fastest, arriving by a date, best value."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

import carriergate as cg
from carriergate.core.selection import (
    MixedCurrencies,
    arriving_by,
    best_value,
    by_price,
    cheapest,
    cheapest_arriving_by,
    delivery_date,
    fastest,
    filter_quotes,
    shippable,
    value_scores,
)

from support.shop_fakes import quote

QUOTES = [
    quote("ups", "40.00", 1, "01"),
    quote("ups", "20.00", 4, "03"),
    quote("fedex", "25.00", 2, "FEDEX_2_DAY"),
    quote("sf", "18.00", None, "2"),
]


def test_filters_by_carrier_service_and_transit() -> None:
    assert [q.service_code for q in filter_quotes(QUOTES, carriers=["ups"])] == ["01", "03"]
    assert [q.carrier for q in filter_quotes(QUOTES, exclude_carriers=["ups"])] == ["fedex", "sf"]
    assert [q.service_code for q in filter_quotes(QUOTES, services=["ups:03", "2"])] == ["03", "2"]
    assert [q.service_code for q in filter_quotes(QUOTES, max_transit_days=2)] == ["01", "FEDEX_2_DAY"]
    assert filter_quotes(QUOTES, currency="usd") == []


def test_cheapest_and_fastest() -> None:
    assert cheapest(QUOTES) == QUOTES[3]
    assert cheapest([]) is None
    assert fastest(QUOTES) == QUOTES[0]
    assert fastest([quote("x", "5.00")]) is None
    same_speed = [quote("a", "9.00", 2), quote("b", "7.00", 2)]
    assert fastest(same_speed) == same_speed[1]  # the cheaper one on a tie
    assert [q.total.amount for q in by_price(QUOTES)] == [Decimal("18.00"), Decimal(20), Decimal(25), Decimal(40)]


def test_mixed_currencies_are_refused() -> None:
    with pytest.raises(MixedCurrencies, match="CNY, USD"):
        cheapest([quote("a", "10.00"), quote("b", "2.00", currency="USD")])


def test_arriving_by_uses_estimates_or_ship_date_plus_transit() -> None:
    estimated = quote("dhl", "30.00", None, "P", estimated_delivery=date(2025, 3, 5))
    quotes = [*QUOTES, estimated]
    ship = date(2025, 3, 3)
    assert delivery_date(QUOTES[2], ship) == date(2025, 3, 5)
    assert delivery_date(QUOTES[3], ship) is None
    on_time = arriving_by(quotes, date(2025, 3, 5), ship_date=ship)
    assert {(q.carrier, q.service_code) for q in on_time} == {("ups", "01"), ("fedex", "FEDEX_2_DAY"), ("dhl", "P")}
    assert cheapest_arriving_by(quotes, date(2025, 3, 5), ship_date=ship) == QUOTES[2]
    # without a ship date only the carrier's own estimate counts
    assert cheapest_arriving_by(quotes, date(2025, 3, 5)) == estimated
    assert cheapest_arriving_by(quotes, date(2025, 3, 3), ship_date=ship) is None


def test_best_value_score_is_documented_weighting() -> None:
    quotes = [quote("a", "10.00", 4), quote("b", "12.00", 2), quote("c", "30.00", 1)]
    scores = {q.carrier: s for s, q in value_scores(quotes)}
    # 0.5 * price / 10 + 0.5 * days / 1
    assert scores == {"a": Decimal("2.5"), "b": Decimal("1.6"), "c": Decimal("2.0")}
    assert best_value(quotes) == quotes[1]
    assert best_value(quotes, price_weight=Decimal(1)) == quotes[0]
    assert best_value(quotes, price_weight=Decimal(0)) == quotes[2]


def test_best_value_counts_unknown_transit_as_slower_than_the_slowest() -> None:
    quotes = [quote("a", "10.00", 3), quote("b", "10.00", None)]
    scores = {q.carrier: s for s, q in value_scores(quotes)}
    assert scores["b"] == Decimal("0.5") + Decimal("0.5") * (Decimal(4) / Decimal(3))
    assert best_value(quotes) == quotes[0]
    with pytest.raises(ValueError, match="price_weight"):
        best_value(quotes, price_weight=Decimal(2))


def test_rate_result_methods_delegate() -> None:
    result = cg.RateResult(quotes=list(QUOTES), errors={"dhl": cg.CarrierUnavailable("down", carrier="dhl")})
    narrowed = result.filter(carriers=["ups"])
    assert [q.service_code for q in narrowed.quotes] == ["03", "01"]  # still sorted by price
    assert "dhl" in narrowed.errors
    assert result.cheapest_arriving_by(date(2025, 3, 4), ship_date=date(2025, 3, 3)) == QUOTES[0]
    assert result.best_value() is not None


# -- shippable_only: quotes no label can be bought for (table rates, carriers without SHIP) ----------
TABLE = quote("table", "9.00", 5, "standard", source="table")
NO_SHIP = quote("kuaidi", "8.00", 1, "std", shippable=False)
MIXED = [*QUOTES, TABLE, NO_SHIP]


def test_can_ship_is_false_for_table_rates_and_unshippable_quotes() -> None:
    assert [q.can_ship for q in (QUOTES[0], TABLE, NO_SHIP)] == [True, False, False]
    assert quote("ups", "1.00", source="cache").can_ship  # a cached carrier price can still be bought
    assert TABLE.model_copy(update={"source": "live"}).can_ship


def test_every_chooser_can_leave_out_what_cannot_be_shipped() -> None:
    ship = date(2025, 3, 3)
    assert cheapest(MIXED) == NO_SHIP
    assert cheapest(MIXED, shippable_only=True) == QUOTES[3]
    assert fastest(MIXED) == NO_SHIP
    assert fastest(MIXED, shippable_only=True) == QUOTES[0]
    assert by_price(MIXED, shippable_only=True) == by_price(QUOTES)
    assert cheapest_arriving_by(MIXED, date(2025, 3, 4), ship_date=ship) == NO_SHIP
    assert cheapest_arriving_by(MIXED, date(2025, 3, 4), ship_date=ship, shippable_only=True) == QUOTES[0]
    assert TABLE in arriving_by(MIXED, date(2025, 3, 9), ship_date=ship)
    assert TABLE not in arriving_by(MIXED, date(2025, 3, 9), ship_date=ship, shippable_only=True)
    assert {q.carrier for _, q in value_scores(MIXED, shippable_only=True)} == {"ups", "fedex", "sf"}
    assert best_value(MIXED, shippable_only=True) == best_value(QUOTES)
    assert filter_quotes(MIXED, shippable_only=True) == QUOTES
    assert shippable(MIXED) == QUOTES
    assert cheapest([TABLE, NO_SHIP], shippable_only=True) is None


def test_rate_result_choosers_take_shippable_only() -> None:
    result = cg.RateResult(quotes=list(MIXED))
    assert result.cheapest() == NO_SHIP
    assert result.cheapest(shippable_only=True) == QUOTES[3]
    assert result.fastest(shippable_only=True) == QUOTES[0]
    assert result.best_value(shippable_only=True) == best_value(QUOTES)
    assert result.cheapest_arriving_by(date(2025, 3, 4), ship_date=date(2025, 3, 3), shippable_only=True) == QUOTES[0]
    assert result.filter(shippable_only=True).quotes == by_price(QUOTES)
    assert result.shippable() == by_price(QUOTES)
    assert cg.RateResult(quotes=[TABLE]).cheapest(shippable_only=True) is None


def test_shippable_only_is_keyword_only() -> None:
    with pytest.raises(TypeError):
        cheapest(MIXED, True)  # type: ignore[call-arg]
