"""Table rates: loading and validating rate cards, the carrier contract, and the packaged sample card."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import carriergate as cg
from carriergate.carriers.table import TableAccount, TableRateCarrier
from carriergate.carriers.table.card import sample_card

from support.shipments import domestic_request, international_request, shanghai

GOOD = """
currency = "CNY"

[zones.cn]
countries = ["CN"]

[services.std]
name = "Standard"

[services.std.zones.cn]
first_weight = "1"
first_price = "10.00"
"""


def load(tmp_path: Path, text: str) -> TableRateCarrier:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with cg.Gateway({"table": {"rate_card": str(path)}}) as gw:
        carrier = gw.carrier("table").carrier
    assert isinstance(carrier, TableRateCarrier)
    return carrier


@pytest.mark.parametrize(("text", "key"), [
    (GOOD.replace('"CNY"', '"XYZ"'), "currency"),
    (GOOD.replace('currency = "CNY"', ""), "currency"),
    (GOOD.replace('first_price = "10.00"', 'first_price = "-1"'), "services.std.zones.cn.first_price"),
    (GOOD.replace('first_price = "10.00"', 'first_price = "ten"'), "services.std.zones.cn.first_price"),
    (GOOD.replace('first_weight = "1"', 'first_weight = 0'), "services.std.zones.cn.first_weight"),
    (GOOD.replace('first_price = "10.00"', ""), "services.std.zones.cn"),
    (GOOD.replace("[services.std.zones.cn]", "[services.std.zones.mars]"), "services.std.zones.mars"),
    (GOOD.replace('countries = ["CN"]', 'countries = ["XX"]'), "zones.cn.countries"),
    (GOOD.replace('name = "Standard"', 'name = "Standard"\ncolour = "blue"'), "services.std.colour"),
    (GOOD.replace('name = "Standard"', 'name = "Standard"\ntransit_days = [5, 2]'), "services.std.transit_days"),
    (GOOD + '[surcharges.r]\nname = "R"\ncountries = ["CN"]\n', "surcharges.r"),
    (GOOD + '[surcharges.r]\nname = "R"\ncountries = ["CN"]\namount = "1"\nservices = ["nope"]\n',
     "surcharges.r.services"),
    (GOOD + '[surcharges.r]\nname = "R"\ncountries = ["CN"]\namount = "1"\nper = "lb"\n', "surcharges.r.per"),
    (GOOD + '[insurance]\npercent = "1"\nexchange_rates = { ZZZ = "2" }\n', "insurance.exchange_rates.ZZZ"),
    (GOOD.replace('first_weight = "1"\nfirst_price = "10.00"',
                  'brackets = [{ max_weight = "2", price = "1" }, { max_weight = "1", price = "2" }]'),
     "services.std.zones.cn"),
    (GOOD.replace('first_weight = "1"\nfirst_price = "10.00"', 'brackets = [{ max_weight = "2" }]'),
     "services.std.zones.cn.brackets[0].price"),
    ('currency = "CNY"\n[services.std]\nname = "S"\n[services.std.zones.cn]\nfirst_weight = 1\nfirst_price = 1\n',
     "zones"),
])
def test_bad_card_names_the_toml_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(cg.ConfigurationError) as info:
        load(tmp_path, text)
    assert f": {key}: " in info.value.message
    assert info.value.code == "rate_card"
    assert info.value.carrier == "table"


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(cg.ConfigurationError, match="line 3"):
        load(tmp_path, 'currency = "CNY"\n\nname = \n')


def test_missing_card_file(tmp_path: Path) -> None:
    with (cg.Gateway({"table": {"rate_card": str(tmp_path / "none.toml")}}) as gw,
          pytest.raises(cg.ConfigurationError, match="not found")):
        gw.carrier("table")


def test_numbers_may_be_written_as_toml_numbers(tmp_path: Path) -> None:
    carrier = load(tmp_path, GOOD.replace('first_price = "10.00"', "first_price = 10.1"))
    assert carrier.card.services["std"].zones["cn"].first_price == Decimal("10.1")


def test_account_currency_guards_against_the_wrong_card() -> None:
    with (cg.Gateway({"table": {"currency": "USD"}}) as gw,
          pytest.raises(cg.ConfigurationError, match="prices in CNY")):
        gw.carrier("table")


def test_relative_card_path_in_a_config_file_is_relative_to_that_file(tmp_path: Path) -> None:
    (tmp_path / "rates.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "carriergate.toml").write_text('[table]\nrate_card = "rates.toml"\n', encoding="utf-8")
    with cg.Gateway.from_file(tmp_path / "carriergate.toml") as gw:
        assert [q.total for q in gw.carrier("table").rate(domestic_request("0.5"))] == [cg.Money("10.00", "CNY")]


def test_only_rate_is_supported() -> None:
    assert TableRateCarrier.capabilities == frozenset({cg.Capability.RATE})
    with cg.Gateway({"table": {}}) as gw:
        with pytest.raises(cg.NotSupported):
            gw.track("123", carrier="table")
        req = cg.ShipRequest(**domestic_request().model_dump(), carrier="table", service="standard",
                             reference="ORDER-1")
        with pytest.raises(cg.NotSupported):
            gw.ship(req)


def test_rate_flow_needs_no_exchange() -> None:
    carrier = TableRateCarrier(TableAccount())
    flow = carrier.rate(domestic_request())
    with pytest.raises(StopIteration) as stop:
        next(flow)
    assert [q.service_code for q in stop.value.value] == ["standard", "express"]


# ---- the packaged sample card -------------------------------------------------------------------

def test_sample_card_loads_from_package_data() -> None:
    card = sample_card()
    assert card.currency == "CNY"
    assert {"standard", "express", "intl_economy", "intl_express"} <= set(card.services)


def test_sample_card_shanghai_to_beijing() -> None:
    with cg.Gateway({"table": {}}) as gw:
        result = gw.rate(domestic_request("2.5"))
    assert result.complete
    got = {q.service_code: q for q in result.quotes}
    # standard: 1 kg steps, divisor 8000 -> 3 kg: 12.00 + 2 x 5.00
    assert got["standard"].total == cg.Money("22.00", "CNY")
    assert got["standard"].service_name == "标准快递 Standard"
    # express: 0.5 kg steps -> 2.5 kg: 23.00 + 3 x 6.50
    assert got["express"].total == cg.Money("42.50", "CNY")
    assert [q.service_code for q in result.quotes] == ["standard", "express"]  # sorted by price
    assert all(q.source == "table" for q in result.quotes)


def test_sample_card_shanghai_to_los_angeles_with_insurance() -> None:
    with cg.Gateway({"table": {}}) as gw:
        result = gw.rate(international_request())  # 2.5 kg, 30x20x10 cm, 200.00 USD insured
    got = {q.service_code: {c.code: c.amount.amount for c in q.charges} for q in result.quotes}
    # insurance: 200 USD x 7.10 = 1420 CNY x 0.5 % = 7.10; fuel: 12 % of base
    assert got == {
        "intl_economy": {"base": Decimal("215.00"), "fuel": Decimal("25.80"), "insurance": Decimal("7.10")},
        "intl_express": {"base": Decimal("355.00"), "fuel": Decimal("42.60"), "insurance": Decimal("7.10")},
    }
    assert result.cheapest() is not None
    assert result.cheapest().total == cg.Money("247.90", "CNY")  # type: ignore[union-attr]


def test_sample_card_remote_area() -> None:
    urumqi = cg.Address(name="A", street=["1 Renmin Road"], city="Urumqi", state="Xinjiang", postal_code="830000",
                        country="CN")
    req = cg.RateRequest(origin=shanghai(), destination=urumqi, parcels=[cg.Parcel(weight=cg.Weight("1", "kg"))],
                         services=["standard"])
    with cg.Gateway({"table": {}}) as gw:
        (q,) = gw.rate(req).quotes
    assert {c.code: c.amount.amount for c in q.charges} == {"base": Decimal("20.00"), "remote": Decimal("10.00")}
    assert (q.transit_days_min, q.transit_days) == (5, 8)


def test_sample_card_has_no_zone_for_brazil() -> None:
    sao_paulo = cg.Address(name="A", street=["Av. Paulista 1"], city="Sao Paulo", postal_code="01310-100",
                           country="BR")
    req = cg.RateRequest(origin=shanghai(), destination=sao_paulo, parcels=[cg.Parcel(weight=cg.Weight(1, "kg"))],
                         customs=cg.CustomsDeclaration(contents_type="documents", signer="Li Lei"))
    with cg.Gateway({"table": {}}) as gw:
        result = gw.rate(req)
    assert result.quotes == []
    assert result.errors["table"].code == "no_zone"
