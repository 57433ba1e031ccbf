"""A ShipRequest that names no label format gets the carrier's usual one; an explicit choice the
carrier cannot make is refused before anything is sent."""

from __future__ import annotations

import pytest

import carriergate as cg
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.shipments import international_request


def ship(carrier: str, service: str, **extra: str) -> cg.ShipRequest:
    return cg.ShipRequest(**international_request().model_dump(), carrier=carrier, service=service,
                          reference="ORDER-42", **extra)


@pytest.mark.parametrize(("carrier", "service", "expected"), [
    ("ups", "08", "GIF"),                       # UPS makes no PDF
    ("fedex", "INTERNATIONAL_ECONOMY", "PDF"),
    ("dhl_express", "P", "PDF"),
])
def test_unset_label_format_is_the_carriers_usual_one(carrier: str, service: str, expected: str) -> None:
    with cg.Gateway.sandbox([carrier]) as gw:
        label = gw.ship(ship(carrier, service))
    assert label.label_format == expected
    assert label.label


def test_an_explicit_format_the_carrier_cannot_make_is_refused_before_sending() -> None:
    sandbox = sandbox_gateway_kwargs(["ups"])  # what Gateway.sandbox(["ups"]) is made of, kept to look inside
    with cg.Gateway(sandbox["config"], transport=sandbox["transport"]) as gw, \
            pytest.raises(cg.ValidationError) as info:
        gw.ship(ship("ups", "08", label_format="PDF"))
    assert info.value.field == "label_format"
    assert sandbox["transport"].emulators["ups"].requests == []


def test_prepare_ship_keeps_explicit_choices() -> None:
    from carriergate.carriers.ups import UPS, UPSAccount

    carrier = UPS(UPSAccount(client_id="i", client_secret="s", account_number="A1B2C3"))
    assert carrier.prepare_ship(ship("ups", "08")).label_format == "GIF"
    assert carrier.prepare_ship(ship("ups", "08", label_format="ZPL")).label_format == "ZPL"
    assert carrier.prepare_ship(ship("ups", "08", label_format="PDF")).label_format == "PDF"
