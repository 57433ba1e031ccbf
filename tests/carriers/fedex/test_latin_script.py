"""FedEx prints labels in Latin script only: a shipment whose party has a printed field in another
script is refused before sending, naming the field, unless a romanised field (Address.latin) is
given; with one, the request is exactly the golden one built from the Latin address."""

from __future__ import annotations

from typing import Any

import pytest

import carriergate as cg

from support.fedex_samples import body, fixture, international_ship, rate_http, ship_http
from support.shipments import ROMANISED, chinese_shanghai, international_request

DOCUMENT = ("090493e181586308",)




def ship_with(**parties: dict[str, Any]) -> cg.ShipRequest:
    return cg.ShipRequest.model_validate({**international_ship().model_dump(), **parties})


def test_romanised_fields_give_the_golden_label_request() -> None:
    assert body(ship_http(ship_with(origin=chinese_shanghai()), DOCUMENT)) == fixture("ship_request_international.json")


@pytest.mark.parametrize(("missing", "field"), [
    ("name", "origin.name"), ("company", "origin.company"), ("street", "origin.street[0]"), ("city", "origin.city"),
])  # fmt: skip
def test_each_printed_field_without_a_romanised_one_is_refused(missing: str, field: str) -> None:
    latin = {k: v for k, v in ROMANISED.items() if k != missing}
    with pytest.raises(cg.ValidationError) as info:
        ship_http(ship_with(origin=chinese_shanghai(latin)), DOCUMENT)
    assert info.value.carrier == "fedex"
    assert [e.field for e in info.value.errors] == [field]
    assert "FedEx prints labels" in info.value.reason


def test_fields_fedex_does_not_send_need_no_romanising() -> None:
    """FedEx sends no district, and a state only as a short code: Chinese there is never printed."""
    latin = {k: v for k, v in ROMANISED.items() if k not in ("district", "state")}
    sent = body(ship_http(ship_with(origin=chinese_shanghai(latin)), DOCUMENT))
    assert sent == fixture("ship_request_international.json")


def test_the_recipient_is_checked_too() -> None:
    destination = {**international_ship().destination.model_dump(), "name": "Иван Петров"}
    with pytest.raises(cg.ValidationError) as info:
        ship_http(ship_with(destination=destination), DOCUMENT)
    assert info.value.field == "destination.name"
    assert "destination.latin.name" in info.value.reason


def test_rating_uses_romanised_fields_and_refuses_nothing() -> None:
    golden = body(rate_http(international_request()))
    data = {**international_request().model_dump(), "origin": chinese_shanghai()}
    assert body(rate_http(cg.RateRequest.model_validate(data))) == golden
    data["origin"] = chinese_shanghai(None)
    rate_http(cg.RateRequest.model_validate(data))  # nothing is printed when rating: no refusal
