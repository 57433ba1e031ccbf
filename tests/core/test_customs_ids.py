"""Customs registrations on the declaration (IOSS, VAT, EORI): their shapes, and a ship request naming
one its carrier cannot carry is refused before sending, naming the field."""

from __future__ import annotations

from typing import Any, cast

import pytest

import carriergate as cg

from support.fake_carrier import FakeAccount, fake_carrier
from support.shipments import customs, international_request

Plain = fake_carrier("plain", capabilities={cg.Capability.SHIP})


def account() -> FakeAccount:
    return cast(FakeAccount, Plain.account_model())


class WithIOSS(Plain):  # type: ignore[misc, valid-type]
    customs_ids = frozenset({"ioss_number"})


def declaration(**ids: Any) -> cg.CustomsDeclaration:
    return customs().model_copy(update=ids)


@pytest.mark.parametrize(("field", "value"), [("ioss_number", "IM123456789"), ("ioss_number", "im1234567890"),
                                              ("vat_number", "DE"), ("eori_number", "1234567")])
def test_a_malformed_registration_is_refused_naming_its_field(field: str, value: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        cg.CustomsDeclaration.model_validate({**customs().model_dump(), field: value})
    assert [e.field for e in caught.value.errors] == [field]


def ship(**ids: Any) -> cg.ShipRequest:
    fields = international_request().model_dump()
    fields.update(customs=declaration(**ids), carrier="x", service="s", reference="R-1")
    return cg.ShipRequest(**fields)


def test_a_carrier_without_the_field_refuses_it_before_sending() -> None:
    plain = Plain(account(), alias="plain")
    with pytest.raises(cg.ValidationError) as caught:
        plain.prepare_ship(ship(ioss_number="IM1234567890", eori_number="DE12345678901"))
    assert [e.field for e in caught.value.errors] == ["customs.eori_number", "customs.ioss_number"]
    assert plain.prepare_ship(ship()).customs is not None  # none named: nothing to refuse


def test_a_carrier_with_the_field_takes_it() -> None:
    carrier = WithIOSS(account(), alias="ioss")
    assert carrier.prepare_ship(ship(ioss_number="IM1234567890")).customs.ioss_number == "IM1234567890"
    with pytest.raises(cg.ValidationError) as caught:
        carrier.prepare_ship(ship(ioss_number="IM1234567890", vat_number="DE999999999"))
    assert [e.field for e in caught.value.errors] == ["customs.vat_number"]
