"""DHL Express prints labels in Latin script only: an international shipment whose party has a
printed field in another script is refused before sending, naming the field, unless a romanised
field (Address.latin) is given; with one, the envelope is exactly the golden one."""

from __future__ import annotations

from typing import Any

import pytest
from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.parties import ship_party

from support.dhl_samples import assert_golden, first_call, international_rate, international_ship, make_carrier
from support.shipments import ROMANISED, chinese_shanghai


def ship_with(**parties: dict[str, Any]) -> cg.ShipRequest:
    return cg.ShipRequest.model_validate({**international_ship().model_dump(), **parties})


def test_romanised_fields_give_the_golden_envelope() -> None:
    call = first_call(make_carrier().ship(ship_with(origin=chinese_shanghai())))
    assert_golden(call.request, "ship-request-international.xml")


@pytest.mark.parametrize(("missing", "field"), [
    ("name", "origin.name"), ("company", "origin.company"), ("street", "origin.street[0]"),
    ("district", "origin.district"), ("city", "origin.city"), ("state", "origin.state"),
])  # fmt: skip
def test_each_printed_field_without_a_romanised_one_is_refused(missing: str, field: str) -> None:
    latin = {k: v for k, v in ROMANISED.items() if k != missing}
    with pytest.raises(cg.ValidationError) as info:
        first_call(make_carrier().ship(ship_with(origin=chinese_shanghai(latin))))
    assert info.value.carrier == "dhl_express"
    assert [e.field for e in info.value.errors] == [field]
    assert "DHL Express prints labels" in info.value.reason


def test_every_offending_field_of_both_parties_is_named_at_once() -> None:
    destination = {**international_ship().destination.model_dump(), "street": ["350 S Grand Ave", "スイート 5"]}
    with pytest.raises(cg.ValidationError) as info:
        first_call(make_carrier().ship(ship_with(origin=chinese_shanghai(None), destination=destination)))
    assert [e.field for e in info.value.errors] == [
        "origin.name", "origin.company", "origin.street[0]", "origin.district", "origin.city", "origin.state",
        "destination.street[1]"]


def test_a_party_outside_the_latin_rule_keeps_its_script() -> None:
    """``latin=False`` (a domestic shipment) sends the original fields, or the romanised where given."""
    checks = Checks("dhl_express")
    party = ship_party(checks, "origin", cg.Address.model_validate(chinese_shanghai(None)), latin=False)
    checks.done()
    assert party["Contact"]["PersonName"] == "李雷"
    assert party["Address"]["City"] == "上海市"
    romanised = ship_party(checks, "origin", cg.Address.model_validate(chinese_shanghai()), latin=False)
    assert romanised["Address"]["City"] == "Shanghai"


def test_rating_uses_romanised_fields_and_refuses_nothing() -> None:
    golden = first_call(make_carrier().rate(international_rate())).request.content
    data = {**international_rate().model_dump(), "origin": chinese_shanghai()}
    romanised = first_call(make_carrier().rate(cg.RateRequest.model_validate(data))).request.content
    assert etree.tostring(etree.fromstring(romanised), method="c14n") == etree.tostring(etree.fromstring(golden),
                                                                                        method="c14n")
    data["origin"] = chinese_shanghai(None)
    first_call(make_carrier().rate(cg.RateRequest.model_validate(data)))  # nothing is printed: no refusal
