"""Domain models: exact money and units, addresses, customs, pickup windows, request reuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

import carriergate as cg
from carriergate.core.money import total

from support.shipments import customs, domestic_request, international_request, shanghai

# ---- money ---------------------------------------------------------------------------------------


def test_money_is_exact_decimal() -> None:
    assert cg.Money("0.10", "USD") + cg.Money("0.20", "USD") == cg.Money("0.30", "USD")
    assert cg.Money(3, "usd").currency == "USD"
    assert cg.Money(Decimal("1.005"), "USD").amount == Decimal("1.005")
    assert cg.Money("12.50", "CNY") * 3 == cg.Money("37.50", "CNY")
    assert total([cg.Money("1.10", "EUR"), cg.Money("2.20", "EUR")], "EUR") == cg.Money("3.30", "EUR")
    assert total([], "JPY") == cg.Money(0, "JPY")


def test_money_refuses_floats() -> None:
    with pytest.raises(cg.ValidationError) as info:
        cg.Money(0.1, "USD")  # type: ignore[arg-type]
    assert info.value.field == "amount"
    assert "float" in info.value.reason
    with pytest.raises(TypeError):
        cg.Money("1", "USD") * 1.5  # type: ignore[operator]


def test_mixed_currency_arithmetic_is_refused() -> None:
    with pytest.raises(ValueError, match="cannot combine USD with EUR"):
        cg.Money("1", "USD") + cg.Money("1", "EUR")
    with pytest.raises(ValueError, match="cannot combine"):
        assert cg.Money("1", "USD") < cg.Money("2", "CNY")


@pytest.mark.parametrize(("amount", "currency", "rounded"), [
    ("1.005", "USD", "1.01"),     # half-up, not banker's rounding
    ("1.004", "USD", "1.00"),
    ("2.675", "EUR", "2.68"),     # a float would make this 2.67
    ("-1.005", "USD", "-1.01"),   # half away from zero
    ("1234.5", "JPY", "1235"),    # no minor unit
    ("99.4", "JPY", "99"),
    ("1.2345", "KWD", "1.235"),   # three decimals
])
def test_rounding_to_the_minor_unit(amount: str, currency: str, rounded: str) -> None:
    result = cg.Money(amount, currency).rounded()
    assert result.amount == Decimal(rounded)
    assert str(result.amount) == rounded  # exponent matches the currency


# ---- units ---------------------------------------------------------------------------------------


def test_weight_conversions_are_exact() -> None:
    assert cg.Weight(1, "lb").to("kg").value == Decimal("0.45359237")
    assert cg.Weight(16, "oz").kg == Decimal("0.45359237")
    assert cg.Weight(2500, "g").to("kg").value == Decimal("2.5")
    assert cg.Weight("2.5", "kg") + cg.Weight(500, "g") == cg.Weight("3.0", "kg")
    assert cg.Weight("2.3", "kg").rounded_up("kg", "0.5") == Decimal("2.5")


def test_dimension_conversions_are_exact() -> None:
    assert cg.Dimensions(10, 10, 10, "in").to("cm") == cg.Dimensions("25.40", "25.40", "25.40", "cm")
    assert cg.Dimensions(1, 1, 1, "in").volume("cm") == Decimal("16.387064")


def test_dimensional_weight() -> None:
    assert cg.Dimensions(30, 20, 10, "cm").dimensional_weight(5000) == cg.Weight("1.2", "kg")
    assert cg.Dimensions(30, 20, 10, "cm").dimensional_weight(6000).value == Decimal(1)
    us = cg.Dimensions(12, 12, 12, "in").dimensional_weight(139, length_unit="in", weight_unit="lb")
    assert us.unit == "lb"
    assert us.value == Decimal(1728) / Decimal(139)


decimals = st.decimals(min_value=Decimal("0.001"), max_value=Decimal("100000"), places=3)


@given(decimals, st.sampled_from(["lb", "oz", "g"]))
def test_weight_round_trip_through_kg_is_exact(value: Decimal, unit: str) -> None:
    weight = cg.Weight(value, unit)  # type: ignore[arg-type]
    assert weight.to("kg").to(unit).value == value  # type: ignore[arg-type]
    assert weight.to("kg").value == weight.kg


@given(decimals, st.sampled_from(["in", "mm", "m"]))
def test_length_round_trip_through_cm_is_exact(value: Decimal, unit: str) -> None:
    dims = cg.Dimensions(value, value, value, unit)  # type: ignore[arg-type]
    assert dims.to("cm").to(unit).length == value  # type: ignore[arg-type]


@given(st.decimals(min_value=Decimal("-10000"), max_value=Decimal("10000"), places=4))
def test_rounding_is_half_up_and_within_half_a_cent(value: Decimal) -> None:
    rounded = cg.Money(value, "USD").rounded().amount
    assert abs(rounded - value) <= Decimal("0.005")
    assert rounded == value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


# ---- addresses -----------------------------------------------------------------------------------


def test_chinese_address_with_district_and_province() -> None:
    address = cg.Address(name="李雷", street=["世纪大道88号", "8楼"], district="浦东新区", city="上海市", state="上海",
                         postal_code="200120", country=" cn ", phone="+86 21 5555 0000")
    assert address.country == "CN"
    assert (address.state, address.district, address.street) == ("上海", "浦东新区", ["世纪大道88号", "8楼"])


def test_country_without_postal_codes() -> None:
    assert cg.Address(name="A", street=["1 Queen's Road"], city="Hong Kong", country="hk").postal_code is None


# ---- customs -------------------------------------------------------------------------------------


def test_customs_totals() -> None:
    declaration = cg.CustomsDeclaration(contents_type="merchandise", signer="Li Lei", items=[
        cg.CustomsItem(description="Shirt", hs_code="6109.10", origin_country="CN", quantity=2,
                       unit_value=cg.Money("60.00", "USD"), unit_weight=cg.Weight("0.4", "kg")),
        cg.CustomsItem(description="Mug", hs_code="691200", origin_country="CN", quantity=1,
                       unit_value=cg.Money("12.50", "USD"), unit_weight=cg.Weight(500, "g")),
    ])
    assert declaration.items[0].hs_code == "610910"
    assert declaration.total_value == cg.Money("132.50", "USD")
    assert declaration.total_weight_kg == Decimal("1.3")
    assert declaration.currency == "USD"


def test_documents_need_no_items() -> None:
    declaration = cg.CustomsDeclaration(contents_type="documents", signer="Li Lei")
    assert declaration.total_value is None
    assert declaration.total_weight_kg == 0


# ---- pickup windows ------------------------------------------------------------------------------


def test_pickup_window_rules() -> None:
    start = datetime.now(UTC) + timedelta(days=1)
    window = cg.PickupWindow(start=start, end=start + timedelta(hours=3))
    assert window.end - window.start == timedelta(hours=3)
    with pytest.raises(cg.ValidationError) as info:
        cg.PickupWindow(start=start.replace(tzinfo=None), end=start + timedelta(hours=3))
    assert info.value.field == "start"
    with pytest.raises(cg.ValidationError) as info:
        cg.PickupWindow(start=start, end=start)
    assert info.value.field == "end"
    with pytest.raises(cg.ValidationError) as info:
        cg.PickupWindow(start=start - timedelta(days=3), end=start - timedelta(days=2))
    assert (info.value.field, info.value.reason) == ("end", "pickup window must be in the future")


# ---- requests ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [domestic_request, international_request])
def test_ship_request_from_a_rate_request_dump(make: object) -> None:
    rate_request: cg.RateRequest = make()  # type: ignore[operator]
    ship = cg.ShipRequest(**rate_request.model_dump(), carrier="ups", service="03", reference="ORDER-1001")
    assert ship.origin == rate_request.origin
    assert ship.parcels == rate_request.parcels
    assert ship.insurance == rate_request.insurance
    assert ship.customs == rate_request.customs
    assert (ship.carrier, ship.service, ship.reference, ship.label_format) == ("ups", "03", "ORDER-1001", "PDF")


def test_total_weight_and_international() -> None:
    req = cg.RateRequest(origin=shanghai(), destination=shanghai(), parcels=[
        cg.Parcel(weight=cg.Weight(1, "lb")), cg.Parcel(weight=cg.Weight(500, "g"))])
    assert req.total_weight.kg == Decimal("0.95359237")
    assert req.international is False
    assert international_request().international is True
    assert customs().total_value == cg.Money("240.00", "USD")


def test_insured_value_has_no_fraction_of_a_cent() -> None:
    from support.shipments import domestic_request

    data = {**domestic_request().model_dump(), "insurance": {"amount": "100.005", "currency": "USD"}}
    with pytest.raises(cg.ValidationError) as info:
        cg.RateRequest.model_validate(data)
    assert (info.value.field, info.value.reason) == ("insurance.amount", "more decimal places than USD has")
    data["insurance"] = {"amount": "100", "currency": "JPY"}
    assert cg.RateRequest.model_validate(data).insurance == cg.Money("100", "JPY")


def test_a_pickup_always_has_a_reference_to_reconcile_by() -> None:
    from support.shipments import future_window, los_angeles

    made = [cg.PickupRequest(address=los_angeles(), window=future_window(), parcel_count=1,
                             total_weight=cg.Weight(1, "kg")) for _ in range(2)]
    assert all(p.reference.startswith("pickup-") for p in made)
    assert made[0].reference != made[1].reference
    given = cg.PickupRequest(address=los_angeles(), window=future_window(), parcel_count=1,
                             total_weight=cg.Weight(1, "kg"), reference="PU-1")
    assert given.reference == "PU-1"
