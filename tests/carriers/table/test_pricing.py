"""Table rates: hand-computed prices from small cards written for each test (independent of the sample)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import carriergate as cg

from support.shipments import los_angeles, shanghai

BASE = """
currency = "CNY"
weight_step = "0.5"

[zones.cn]
countries = ["CN"]

[services.std]
name = "Standard"
transit_days = [2, 4]

[services.std.zones.cn]
first_weight = "1"
first_price = "10.00"
additional_weight = "0.5"
additional_price = "3.00"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rates.toml"
    path.write_text(text, encoding="utf-8")
    return path


def dest(postal: str = "510000", state: str | None = "Guangdong", city: str = "Guangzhou") -> cg.Address:
    return cg.Address(name="Wang Fang", street=["1 Tianhe Road"], city=city, state=state, postal_code=postal,
                      country="CN")


def request(*weights: str, dims: cg.Dimensions | None = None, to: cg.Address | None = None,
            insurance: cg.Money | None = None, services: list[str] | None = None) -> cg.RateRequest:
    parcels = [cg.Parcel(weight=cg.Weight(w, "kg"), dimensions=dims) for w in weights or ("2.3",)]
    return cg.RateRequest(origin=shanghai(), destination=to or dest(), parcels=parcels, insurance=insurance,
                          services=services)


def quotes(card: Path, req: cg.RateRequest) -> list[cg.Quote]:
    with cg.Gateway({"table": {"rate_card": str(card)}}) as gw:
        return gw.carrier("table").rate(req)


def only(card: Path, req: cg.RateRequest) -> cg.Quote:
    got = quotes(card, req)
    assert len(got) == 1
    return got[0]


def charges(quote: cg.Quote) -> dict[str, Decimal]:
    return {c.code or c.kind: c.amount.amount for c in quote.charges}


def test_first_and_additional_weight_with_half_kilo_step(tmp_path: Path) -> None:
    # 2.3 kg -> 2.5 kg chargeable; 首重 1 kg 10.00 + 3 steps of 0.5 kg at 3.00 = 19.00
    q = only(write(tmp_path, BASE), request("2.3"))
    assert q.total == cg.Money("19.00", "CNY")
    assert q.billed_weight == "2.5 kg"
    assert q.source == "table"
    assert (q.transit_days_min, q.transit_days) == (2, 4)
    assert [c.kind for c in q.charges] == ["base"]


def test_first_and_additional_weight_with_whole_kilo_step(tmp_path: Path) -> None:
    card = BASE.replace('weight_step = "0.5"', 'weight_step = "1"').replace(
        'additional_weight = "0.5"\nadditional_price = "3.00"', 'additional_weight = "1"\nadditional_price = "5.00"')
    # 2.3 kg -> 3 kg; 10.00 + 2 x 5.00 = 20.00
    q = only(write(tmp_path, card), request("2.3"))
    assert q.billed_weight == "3 kg"
    assert q.total.amount == Decimal("20.00")


def test_weight_within_first_weight_costs_first_price(tmp_path: Path) -> None:
    assert only(write(tmp_path, BASE), request("0.2")).total.amount == Decimal("10.00")


def test_dimensional_weight_beats_actual_weight(tmp_path: Path) -> None:
    card = BASE.replace('weight_step = "0.5"', 'weight_step = "0.5"\ndim_divisor = 6000')
    # 40 x 30 x 20 cm = 24000 cm3 / 6000 = 4 kg > 1 kg actual; 10.00 + 6 x 3.00 = 28.00
    q = only(write(tmp_path, card), request("1", dims=cg.Dimensions(40, 30, 20, "cm")))
    assert q.billed_weight == "4 kg"
    assert q.total.amount == Decimal("28.00")
    # 10 x 10 x 10 in = 16387.064 cm3 / 6000 = 2.731... kg -> 3 kg; 10.00 + 4 x 3.00 = 22.00
    q = only(write(tmp_path, card), request("1", dims=cg.Dimensions(10, 10, 10, "in")))
    assert q.billed_weight == "3 kg"
    assert q.total.amount == Decimal("22.00")


def test_actual_weight_beats_small_dimensional_weight(tmp_path: Path) -> None:
    card = BASE.replace('weight_step = "0.5"', 'weight_step = "0.5"\ndim_divisor = 6000')
    q = only(write(tmp_path, card), request("2.3", dims=cg.Dimensions(10, 10, 10, "cm")))
    assert q.total.amount == Decimal("19.00")


def test_card_in_pounds_converts_parcel_weight_exactly(tmp_path: Path) -> None:
    card = BASE.replace('currency = "CNY"', 'currency = "USD"\nweight_unit = "lb"').replace(
        'weight_step = "0.5"', 'weight_step = "1"')
    # 1 kg = 2.2046... lb -> 3 lb; first 1 lb 10.00 + ceil(2 / 0.5) = 4 x 3.00 = 22.00 USD
    q = only(write(tmp_path, card), request("1"))
    assert q.billed_weight == "3 lb"
    assert q.total == cg.Money("22.00", "USD")


REMOTE = """
[zones.remote]
countries = ["CN"]
postal_prefixes = ["83", "85"]

[services.std.zones.remote]
first_weight = "1"
first_price = "20.00"
additional_weight = "0.5"
additional_price = "5.00"

[surcharges.remote]
name = "Remote area"
countries = ["CN"]
states = ["Xinjiang", "新疆"]
postal_prefixes = ["83", "85"]
amount = "15.00"
"""


def test_remote_area_surcharge_fixed_per_shipment(tmp_path: Path) -> None:
    card = write(tmp_path, BASE + REMOTE)
    q = only(card, request("2.3", to=dest("830000", "Xinjiang", "Urumqi")))
    # remote zone: 20.00 + 3 x 5.00 = 35.00 base; + 15.00 surcharge = 50.00
    assert charges(q) == {"base": Decimal("35.00"), "remote": Decimal("15.00")}
    assert q.total.amount == Decimal("50.00")
    assert [c.kind for c in q.charges] == ["base", "surcharge"]
    # Beijing is not remote: no surcharge
    assert charges(only(card, request("2.3", to=dest("100010", "Beijing", "Beijing")))) == {"base": Decimal("19.00")}


def test_remote_surcharge_matched_by_province_name(tmp_path: Path) -> None:
    card = write(tmp_path, BASE + REMOTE)
    # Postal code 999999 is in no remote prefix, but the province 新疆 is listed for the surcharge
    q = only(card, request("0.5", to=dest("999999", "新疆", "Kashgar")))
    assert charges(q) == {"base": Decimal("10.00"), "remote": Decimal("15.00")}


@pytest.mark.parametrize(("how", "expected"), [
    ('percent = "20"', Decimal("3.80")),          # 20 % of 19.00
    ('amount = "2.00"\nper = "kg"', Decimal("5.00")),   # 2.00 x 2.5 chargeable kg
    ('amount = "1.50"\nper = "parcel"', Decimal("1.50")),
])
def test_surcharge_kinds(tmp_path: Path, how: str, expected: Decimal) -> None:
    card = BASE + f'\n[surcharges.extra]\nname = "Extra"\ncountries = ["CN"]\n{how}\n'
    q = only(write(tmp_path, card), request("2.3"))
    assert charges(q) == {"base": Decimal("19.00"), "extra": expected}
    assert q.total.amount == Decimal("19.00") + expected


def test_surcharge_restricted_to_other_service_does_not_apply(tmp_path: Path) -> None:
    card = BASE + '\n[services.exp]\nname = "Express"\n[services.exp.zones.cn]\nfirst_weight = "30"\n' \
                  'first_price = "50.00"\n[surcharges.x]\nname = "X"\ncountries = ["CN"]\namount = "1.00"\n' \
                  'services = ["exp"]\n'
    got = {q.service_code: charges(q) for q in quotes(write(tmp_path, card), request("2.3"))}
    assert got == {"std": {"base": Decimal("19.00")}, "exp": {"base": Decimal("50.00"), "x": Decimal("1.00")}}


INSURANCE = '\n[insurance]\npercent = "0.5"\nminimum = "3.00"\nexchange_rates = { USD = "7.10" }\n'


@pytest.mark.parametrize(("value", "premium"), [
    (cg.Money("1000.00", "CNY"), Decimal("5.00")),    # 0.5 % of 1000.00
    (cg.Money("1001.00", "CNY"), Decimal("5.01")),    # 5.005 rounds half-up, not to even
    (cg.Money("100.00", "CNY"), Decimal("3.00")),     # 0.50 is below the minimum of 3.00
    (cg.Money("123.45", "USD"), Decimal("4.38")),     # 123.45 x 7.10 = 876.495 CNY; 0.5 % = 4.382475
])
def test_insurance_premium(tmp_path: Path, value: cg.Money, premium: Decimal) -> None:
    q = only(write(tmp_path, BASE + INSURANCE), request("2.3", insurance=value))
    assert charges(q) == {"base": Decimal("19.00"), "insurance": premium}
    assert q.charges[-1].kind == "insurance"
    assert q.total == cg.Money(Decimal("19.00") + premium, "CNY")


def test_insurance_in_a_currency_without_exchange_rate_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(cg.ValidationError) as info:
        quotes(write(tmp_path, BASE + INSURANCE), request("2.3", insurance=cg.Money("10", "EUR")))
    assert info.value.field == "insurance.currency"


def test_insurance_on_a_card_without_insurance_is_not_supported(tmp_path: Path) -> None:
    with pytest.raises(cg.NotSupported) as info:
        quotes(write(tmp_path, BASE), request("2.3", insurance=cg.Money("10", "CNY")))
    assert info.value.code == "insurance_not_offered"


def test_minimum_charge_raises_the_base(tmp_path: Path) -> None:
    card = BASE.replace('weight_step = "0.5"', 'weight_step = "0.5"\nminimum_charge = "12.50"')
    q = only(write(tmp_path, card), request("0.5"))
    assert q.charges[0].name == "Base charge (minimum charge)"
    assert q.total.amount == Decimal("12.50")
    # Above the minimum the base is the computed price
    assert only(write(tmp_path, card), request("2.3")).total.amount == Decimal("19.00")


def test_service_minimum_overrides_card_minimum(tmp_path: Path) -> None:
    card = BASE.replace('weight_step = "0.5"', 'weight_step = "0.5"\nminimum_charge = "12.50"').replace(
        'transit_days = [2, 4]', 'transit_days = [2, 4]\nminimum_charge = "25"')
    assert only(write(tmp_path, card), request("2.3")).total.amount == Decimal("25.00")


PRECEDENCE = BASE + """
[zones.north]
countries = ["CN"]
states = ["Beijing"]

[zones.bj-1]
countries = ["CN"]
postal_prefixes = ["10"]

[zones.bj-2]
countries = ["CN"]
postal_prefixes = ["1000"]

[services.std.zones.north]
first_weight = "5"
first_price = "11.00"

[services.std.zones.bj-1]
first_weight = "5"
first_price = "12.00"

[services.std.zones.bj-2]
first_weight = "5"
first_price = "13.00"
"""


@pytest.mark.parametrize(("postal", "state", "price"), [
    ("100010", "Beijing", "13.00"),   # longest postal prefix 1000 beats prefix 10 and the state
    ("101100", "Beijing", "12.00"),   # prefix 10 beats the state
    ("999999", "beijing ", "11.00"),  # state (case-insensitive) beats country
    ("999999", "Hebei", "19.00"),     # country only: the cn zone, 10.00 + 3 x 3.00
])
def test_zone_precedence(tmp_path: Path, postal: str, state: str, price: str) -> None:
    q = only(write(tmp_path, PRECEDENCE), request("2.3", to=dest(postal, state)))
    assert q.total.amount == Decimal(price)


def test_origin_rule_breaks_a_tie(tmp_path: Path) -> None:
    card = PRECEDENCE + """
[zones.bj-from-sh]
countries = ["CN"]
postal_prefixes = ["1000"]
origin = { countries = ["CN"], postal_prefixes = ["20"] }

[services.std.zones.bj-from-sh]
first_weight = "5"
first_price = "7.00"
"""
    assert only(write(tmp_path, card), request("2.3", to=dest("100010", "Beijing"))).total.amount == Decimal("7.00")


def test_multi_parcel_prices_each_parcel(tmp_path: Path) -> None:
    card = BASE + '\n[surcharges.handling]\nname = "Handling"\ncountries = ["CN"]\namount = "2.00"\nper = "parcel"\n'
    # 2.3 -> 2.5 kg: 19.00; 0.4 -> 0.5 kg: 10.00; 1.1 -> 1.5 kg: 13.00; handling 3 x 2.00
    q = only(write(tmp_path, card), request("2.3", "0.4", "1.1"))
    assert charges(q) == {"base": Decimal("42.00"), "handling": Decimal("6.00")}
    assert q.billed_weight == "4.5 kg"
    assert q.total.amount == Decimal("48.00")


BRACKETS = """
currency = "USD"
weight_step = "0.5"

[zones.us]
countries = ["US"]

[services.eco]
name = "Economy"
transit_days = 6

[services.eco.zones.us]
brackets = [{ max_weight = "0.5", price = "9.90" }, { max_weight = "2", price = "14.90" }]
additional_weight = "1"
additional_price = "4.00"

[services.capped]
name = "Capped"
max_weight = "3"

[services.capped.zones.us]
brackets = [{ max_weight = "1", price = "5.00" }, { max_weight = "5", price = "8.00" }]
"""


def _us_request(weight: str) -> cg.RateRequest:
    return cg.RateRequest(origin=shanghai(), destination=los_angeles(),
                          parcels=[cg.Parcel(weight=cg.Weight(weight, "kg"))],
                          customs=cg.CustomsDeclaration(contents_type="documents", signer="Li Lei"))


@pytest.mark.parametrize(("weight", "eco", "capped"), [
    ("0.3", "9.90", "5.00"),
    ("0.6", "14.90", "5.00"),
    ("2.0", "14.90", "8.00"),
    ("3.2", "22.90", None),    # 3.5 kg: 14.90 + 2 started kg x 4.00; over capped's max_weight 3
    ("6.0", "30.90", None),    # beyond the last bracket, no continuation for capped
])
def test_weight_brackets(tmp_path: Path, weight: str, eco: str, capped: str | None) -> None:
    got = {q.service_code: q for q in quotes(write(tmp_path, BRACKETS), _us_request(weight))}
    assert got["eco"].total == cg.Money(eco, "USD")
    assert got["eco"].transit_days == got["eco"].transit_days_min == 6
    assert (got["capped"].total.amount if "capped" in got else None) == (Decimal(capped) if capped else None)


def test_services_filter(tmp_path: Path) -> None:
    req = _us_request("1").model_copy(update={"services": ["capped"]})
    assert [q.service_code for q in quotes(write(tmp_path, BRACKETS), req)] == ["capped"]


def test_destination_no_zone_covers_is_a_no_zone_error(tmp_path: Path) -> None:
    with cg.Gateway({"table": {"rate_card": str(write(tmp_path, BRACKETS))}}) as gw:
        result = gw.rate(request("1"))
    assert result.quotes == []
    err = result.errors["table"]
    assert err.code == "no_zone"
    assert "CN" in err.message


def test_zone_without_a_rate_for_any_service_is_no_quote(tmp_path: Path) -> None:
    card = BASE + '\n[zones.far]\ncountries = ["CN"]\npostal_prefixes = ["85"]\n'
    with cg.Gateway({"table": {"rate_card": str(write(tmp_path, card))}}) as gw:
        result = gw.rate(request("1", to=dest("850000", "Tibet", "Lhasa")))
    assert result.errors["table"].code == "no_quote"


def test_amounts_are_exact_decimals_in_cents(tmp_path: Path) -> None:
    q = only(write(tmp_path, BASE + INSURANCE), request("2.3", insurance=cg.Money("1001", "CNY")))
    assert all(c.amount.amount.as_tuple().exponent == -2 for c in q.charges)
    assert q.total.amount == sum((c.amount.amount for c in q.charges), Decimal(0))
