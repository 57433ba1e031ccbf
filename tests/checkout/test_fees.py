"""The fee policy: each rule against hand-computed prices, and every step explained."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import carriergate as cg
from carriergate.checkout.fees import FeePolicy, NoExchangeRate

from support.shipments import beijing, los_angeles
from support.shop_fakes import quote

URUMQI = cg.Address(name="A", street=["1 Road"], city="Urumqi", state="Xinjiang", postal_code="830000", country="CN")


def test_markup_then_rounding_up_explained() -> None:
    policy = FeePolicy.model_validate({"adjustments": [{"kind": "markup", "percent": "10"}],
                                       "rounding": {"step": "0.5", "mode": "up"}})
    priced = policy.apply(quote("ups", "45.20"))
    # 45.20 * 1.10 = 49.72 -> up to 0.5 -> 50.00
    assert priced.price == cg.Money("50.00", "CNY")
    assert priced.explanation == ["markup +10%: 45.20 -> 49.72", "rounded up to 0.5: 49.72 -> 50.00"]


def test_half_up_rounding_to_whole_units() -> None:
    policy = FeePolicy.model_validate({"rounding": {"step": 1, "mode": "half_up"}})
    assert policy.apply(quote("ups", "49.50")).price.amount == Decimal(50)
    assert policy.apply(quote("ups", "49.49")).price.amount == Decimal(49)


def test_fixed_discount_scoped_to_service_and_never_below_zero() -> None:
    policy = FeePolicy.model_validate({"adjustments": [
        {"kind": "discount", "amount": "5.00", "services": ["express"]},
        {"kind": "discount", "amount": "100", "carriers": ["sf"]},
    ]})
    assert policy.apply(quote("ups", "30.00", service="express")).price.amount == Decimal("25.00")
    assert policy.apply(quote("ups", "30.00", service="standard")).price.amount == Decimal("30.00")
    cheap = policy.apply(quote("sf", "30.00"))
    assert cheap.price.amount == Decimal("0.00")
    assert cheap.explanation == ["discount -100.00 CNY: 30.00 -> 0.00"]


def test_region_surcharges_match_country_province_and_postal_prefix() -> None:
    policy = FeePolicy.model_validate({"surcharges": [
        {"name": "remote area", "countries": ["CN"], "provinces": ["xinjiang", "Tibet"], "amount": "15"},
        {"name": "far west", "postal_prefixes": ["83"], "percent": "10"},
        {"name": "overseas", "countries": ["US"], "amount": "50"},
    ]})
    priced = policy.apply(quote("sf", "20.00"), destination=URUMQI)
    # 20 + 15 = 35; +10% = 38.50; US rule does not match
    assert priced.price.amount == Decimal("38.50")
    assert priced.explanation == ["remote area surcharge +15.00 CNY: 20.00 -> 35.00",
                                  "far west surcharge +10%: 35.00 -> 38.50"]
    assert policy.apply(quote("sf", "20.00"), destination=beijing()).price.amount == Decimal("20.00")


def test_member_tier_and_free_shipping_per_service() -> None:
    policy = FeePolicy.model_validate({"member_tiers": {"gold": 10, "silver": "5"},
                                       "free_shipping": [{"over": "199", "services": ["standard"]}]})
    gold = policy.apply(quote("sf", "25.00", service="express"), member_tier="gold",
                        order_total=cg.Money("300", "CNY"))
    assert gold.price.amount == Decimal("22.50")  # express is not free; 25 - 10% = 22.50
    free = policy.apply(quote("sf", "25.00", service="standard"), order_total=cg.Money("199.00", "CNY"))
    assert free.price.amount == Decimal(0)
    assert free.explanation == ["free shipping (order 199.00 >= 199.00): 25.00 -> 0.00"]
    below = policy.apply(quote("sf", "25.00", service="standard"), order_total=cg.Money("198.99", "CNY"))
    assert below.price.amount == Decimal("25.00")
    with pytest.raises(cg.ValidationError) as err:
        policy.apply(quote("sf", "25.00"), member_tier="platinum")
    assert err.value.field == "member_tier"
    assert "gold, silver" in err.value.reason


def test_currency_conversion_and_refusal_without_a_rate() -> None:
    policy = FeePolicy.model_validate({"currency": "cny", "exchange_rates": {"USD": 7.2},
                                       "adjustments": [{"kind": "markup", "amount": "3"}]})
    priced = policy.apply(quote("ups", "45.00", currency="USD"))
    # 45 USD * 7.2 = 324.00 CNY; + 3.00 = 327.00
    assert priced.price == cg.Money("327.00", "CNY")
    assert priced.explanation[0] == "converted at 1 USD = 7.2 CNY: 45.00 USD -> 324.00 CNY"
    # another output currency on request: 72 CNY / 7.2 = 10.00 USD, + 3.00 (in the output currency)
    assert policy.apply(quote("ups", "72.00"), currency="USD").price == cg.Money("13.00", "USD")
    with pytest.raises(NoExchangeRate, match="no exchange rate from EUR to CNY"):
        policy.apply(quote("dhl", "10.00", currency="EUR"))


def test_free_shipping_threshold_in_another_currency_is_converted() -> None:
    policy = FeePolicy.model_validate({"currency": "CNY", "exchange_rates": {"USD": "7"},
                                       "free_shipping": [{"over": "700"}]})
    assert policy.apply(quote("ups", "30.00"), order_total=cg.Money("100", "USD")).price.amount == 0
    assert policy.apply(quote("ups", "30.00"), order_total=cg.Money("99.99", "USD")).price.amount == 30


def test_full_order_of_steps() -> None:
    policy = FeePolicy.model_validate({
        "currency": "CNY", "exchange_rates": {"USD": "7.2"},
        "adjustments": [{"kind": "markup", "percent": 10}],
        "surcharges": [{"name": "remote area", "provinces": ["Xinjiang"], "amount": "15"}],
        "member_tiers": {"gold": 10}, "free_shipping": [{"over": "5000"}],
        "rounding": {"step": "0.5", "mode": "up"}})
    priced = policy.apply(quote("ups", "45.00", currency="USD"), destination=URUMQI, member_tier="gold",
                          order_total=cg.Money("60", "USD"))
    assert priced.explanation == [
        "converted at 1 USD = 7.2 CNY: 45.00 USD -> 324.00 CNY",
        "markup +10%: 324.00 -> 356.40",
        "remote area surcharge +15.00 CNY: 356.40 -> 371.40",
        "member tier gold -10%: 371.40 -> 334.26",
        "rounded up to 0.5: 334.26 -> 334.50",
    ]
    assert priced.price == cg.Money("334.50", "CNY")


def test_sub_cent_results_are_rounded_to_the_minor_unit() -> None:
    priced = FeePolicy.model_validate({"adjustments": [{"kind": "markup", "percent": "7"}]}).apply(
        quote("ups", "10.05", currency="USD"), destination=los_angeles())
    assert priced.price == cg.Money("10.75", "USD")  # 10.7535
    assert priced.explanation[-1] == "rounded to 2 decimals: 10.7535 -> 10.75"


def test_policy_is_strict_and_loads_from_toml(tmp_path: Path) -> None:
    with pytest.raises(cg.ValidationError) as err:
        FeePolicy.model_validate({"adjustments": [{"kind": "markup", "percent": 5, "amount": 1}]})
    assert err.value.field == "adjustments[0].percent"
    with pytest.raises(cg.ValidationError) as err:
        FeePolicy.model_validate({"markup": 5})
    assert err.value.field == "markup"
    with pytest.raises(cg.ValidationError) as err:
        FeePolicy.model_validate({"exchange_rates": {"USD": "-1"}})
    assert err.value.field == "exchange_rates.USD"
    file = tmp_path / "fees.toml"
    file.write_text('currency = "CNY"\n[[adjustments]]\nkind = "markup"\npercent = 12.5\n'
                    '[rounding]\nstep = 1\nmode = "up"\n', encoding="utf-8")
    policy = FeePolicy.from_toml(file)
    assert policy.adjustments[0].percent == Decimal("12.5")
    assert policy.apply(quote("sf", "20.00")).price.amount == Decimal(23)  # 22.50 -> up to 23
    with pytest.raises(cg.ConfigurationError):
        FeePolicy.from_toml(tmp_path / "missing.toml")
