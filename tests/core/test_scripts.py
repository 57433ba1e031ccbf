"""The Latin-script rule (core/latin.py, core/scripts.py): what counts as Latin, the romanised fields
of Address and CustomsItem, and the helpers carriers that print only Latin script build with."""

from __future__ import annotations

from typing import Any

import pytest

import carriergate as cg
from carriergate.core.address import AddressLatin
from carriergate.core.latin import is_latin, latin_text
from carriergate.core.scripts import latin_address, latin_description, preferring_latin

from support.shipments import customs


def chinese(**latin: Any) -> cg.Address:
    return cg.Address.model_validate({
        "name": "李雷", "street": ["世纪大道88号", "Tower 2"], "district": "浦东新区", "city": "上海市",
        "state": "上海", "postal_code": "200120", "country": "CN", "latin": latin or None})


@pytest.mark.parametrize("text", ["88 Century Avenue", "Zoë Müller", "Łódź", "Straße 5", "İstanbul", "Hà Nội",
                                  "O'Brien & Co. — #5", "12 €", "Suite 5/B (rear)"])
def test_latin_text_is_accepted_as_it_is(text: str) -> None:
    assert latin_text(text) == text


@pytest.mark.parametrize(("text", "normal"), [("８８ Century Avenue", "88 Century Avenue"), ("Ａ，Ｂ", "A,B")])
def test_full_width_forms_count_as_ascii(text: str, normal: str) -> None:
    assert latin_text(text) == normal


@pytest.mark.parametrize("text", ["上海市", "世纪大道88号", "Иван", "Αθήνα", "東京都", "서울", "القاهرة", "Tower 2、3"])
def test_other_scripts_are_not_latin(text: str) -> None:
    assert not is_latin(text)


def test_romanised_fields_must_be_latin_themselves() -> None:
    with pytest.raises(cg.ValidationError) as info:
        chinese(city="上海")
    assert info.value.field == "latin.city"
    with pytest.raises(cg.ValidationError) as info:
        chinese(street=["88 Century Avenue", "浦东"])
    assert info.value.field == "latin.street[1]"
    with pytest.raises(cg.ValidationError) as info:
        chinese(street=[])
    assert info.value.field == "latin.street"
    assert AddressLatin(city="Ｓhanghai").city == "Shanghai"


def test_latin_address_uses_romanised_fields_and_names_the_rest() -> None:
    with pytest.raises(cg.ValidationError) as info:
        latin_address(chinese(name="Li Lei", city="Shanghai"), "destination", carrier="UPS", alias="ups")
    assert info.value.carrier == "ups"
    assert [e.field for e in info.value.errors] == ["destination.street[0]", "destination.district",
                                                    "destination.state"]
    assert "UPS prints labels and customs papers in Latin script only" in info.value.reason
    assert "destination.latin.street" in info.value.reason
    done = latin_address(chinese(name="Li Lei", street=["88 Century Avenue"], district="Pudong", city="Shanghai",
                                 state="Shanghai"), "destination", carrier="UPS")
    assert (done.name, done.street, done.district, done.city, done.state) == (
        "Li Lei", ["88 Century Avenue"], "Pudong", "Shanghai", "Shanghai")  # romanised lines replace all lines
    assert done.postal_code == "200120"


def test_latin_address_checks_only_the_fields_sent() -> None:
    only = latin_address(chinese(name="Li Lei", street=["88 Century Avenue"], city="Shanghai"), "origin",
                         carrier="FedEx", sent=("name", "street", "city"))
    assert only.district == "浦东新区"


def test_preferring_latin_never_refuses() -> None:
    assert preferring_latin(chinese()) == chinese()
    assert preferring_latin(chinese(city="Shanghai")).city == "Shanghai"
    assert preferring_latin(chinese(city="Shanghai")).street == ["世纪大道88号", "Tower 2"]


def test_customs_item_description_latin() -> None:
    item = customs().items[0].model_copy(update={"description": "棉质T恤"})
    with pytest.raises(cg.ValidationError) as info:
        latin_description(item, "customs.items[0]", carrier="DHL Express", alias="dhl_express")
    assert info.value.field == "customs.items[0].description"
    assert "customs.items[0].description_latin" in info.value.reason
    romanised = cg.CustomsItem.model_validate({**item.model_dump(), "description_latin": "Cotton T-shirt"})
    assert latin_description(romanised, "customs.items[0]", carrier="DHL Express") == "Cotton T-shirt"
    assert latin_description(customs().items[0], "customs.items[0]", carrier="UPS") == "Cotton T-shirt"
    with pytest.raises(cg.ValidationError) as info:
        cg.CustomsItem.model_validate({**item.model_dump(), "description_latin": "棉质"})
    assert info.value.field == "description_latin"
