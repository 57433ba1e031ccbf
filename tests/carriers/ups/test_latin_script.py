"""UPS prints labels in Latin script only: a shipment whose party has a printed field in another
script is refused before sending, naming the field, unless a romanised field (Address.latin) is
given; with one, the request is exactly the golden one built from the Latin address."""

from __future__ import annotations

from typing import Any

import pytest

import carriergate as cg
from carriergate.carriers.ups.rate import build_rate
from carriergate.carriers.ups.ship import build_ship

from support.shipments import ROMANISED, chinese_shanghai
from support.ups_samples import ACCOUNT, BASE_URL, INVOICE, SHIP_DAY, TRANS_ID, cn_to_us, fixture, sent, shipment
from support.ups_samples import with_tax_indicator as taxed


def ship_body(origin: dict[str, Any]) -> Any:
    request = shipment(cn_to_us(), signature="signature", documents=[INVOICE])
    data = {**request.model_dump(), "origin": origin}
    http = build_ship(cg.ShipRequest.model_validate(data), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID,
                      today=SHIP_DAY, document_ids=["2099-05-04-00.00.00.000001"])
    return sent(http)


def test_romanised_fields_give_the_golden_label_request() -> None:
    assert ship_body(chinese_shanghai()) == taxed(fixture("ship_request_cn_us.json"))


@pytest.mark.parametrize(("missing", "field"), [
    ("name", "origin.name"), ("company", "origin.company"), ("street", "origin.street[0]"),
    ("district", "origin.district"), ("city", "origin.city"), ("state", "origin.state"),
])  # fmt: skip
def test_each_printed_field_without_a_romanised_one_is_refused(missing: str, field: str) -> None:
    latin = {k: v for k, v in ROMANISED.items() if k != missing}
    with pytest.raises(cg.ValidationError) as info:
        ship_body(chinese_shanghai(latin))
    assert info.value.carrier == "ups"
    assert [e.field for e in info.value.errors] == [field]
    assert "Latin script" in info.value.reason
    hint = "origin.latin.street" if missing == "street" else f"origin.latin.{missing}"
    assert hint in info.value.reason


def test_no_romanised_fields_at_all_names_every_field() -> None:
    with pytest.raises(cg.ValidationError) as info:
        ship_body(chinese_shanghai(None))
    assert [e.field for e in info.value.errors] == ["origin.name", "origin.company", "origin.street[0]",
                                                    "origin.district", "origin.city", "origin.state"]


def test_latin_text_in_the_original_fields_needs_nothing_romanised() -> None:
    latin_only = {**chinese_shanghai(None), **ROMANISED}
    assert ship_body(latin_only) == taxed(fixture("ship_request_cn_us.json"))


def test_accents_are_latin_and_full_width_forms_are_sent_as_ascii() -> None:
    body = ship_body({**chinese_shanghai(None), **ROMANISED, "name": "Zoë Müller",
                      "street": ["８８ Century Avenue"]})
    shipper = body["ShipmentRequest"]["Shipment"]["Shipper"]
    assert shipper["AttentionName"] == "Zoë Müller"
    assert shipper["Address"]["AddressLine"][0] == "88 Century Avenue"


def test_the_recipient_is_checked_too() -> None:
    request = shipment(cn_to_us())
    data = request.model_dump()
    data["destination"] = {**data["destination"], "street": ["グランド通り350"]}
    with pytest.raises(cg.ValidationError) as info:
        build_ship(cg.ShipRequest.model_validate(data), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY)
    assert info.value.field == "destination.street[0]"


def test_rating_uses_romanised_fields_and_refuses_nothing() -> None:
    golden = build_rate(cn_to_us(services=["65"]), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    data = {**cn_to_us(services=["65"]).model_dump(), "origin": chinese_shanghai()}
    romanised = build_rate(cg.RateRequest.model_validate(data), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)
    assert sent(romanised) == sent(golden)
    data["origin"] = chinese_shanghai(None)
    build_rate(cg.RateRequest.model_validate(data), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID)  # no refusal


def test_a_state_ups_does_not_send_needs_no_romanising() -> None:
    """UPS sends a state only as a two-character code: a longer name is never printed."""
    latin = {k: v for k, v in ROMANISED.items() if k != "state"}
    assert ship_body(chinese_shanghai(latin, state="上海市")) == taxed(fixture("ship_request_cn_us.json"))
