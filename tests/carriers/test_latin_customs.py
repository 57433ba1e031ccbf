"""Customs lines of carriers that need Latin script (UPS, FedEx, DHL Express): an item described only
in another script is refused before anything is sent, naming the field; ``description_latin`` is
sent instead where given."""

from __future__ import annotations

from typing import Any

import pytest

import carriergate as cg
from carriergate.sandbox.registry import sandbox_gateway_kwargs

from support.sandbox_samples import ship_request

LATIN_CARRIERS = ["ups", "fedex", "dhl_express"]


def _with_item(carrier: str, **item: Any) -> cg.ShipRequest:
    request = ship_request(carrier)
    assert request.customs is not None
    items = [request.customs.items[0].model_copy(update=item)]
    customs = request.customs.model_copy(update={"items": items})
    return request.model_copy(update={"customs": customs})


@pytest.mark.parametrize("carrier", LATIN_CARRIERS)
def test_a_chinese_only_item_is_refused_before_sending(carrier: str) -> None:
    kwargs = sandbox_gateway_kwargs([carrier])
    with cg.Gateway(**kwargs) as gw, pytest.raises(cg.ValidationError) as refused:
        gw.ship(_with_item(carrier, description="纯棉T恤"))
    assert refused.value.field == "customs.items[0].description"
    assert "customs.items[0].description_latin" in str(refused.value)
    assert kwargs["transport"].emulators[carrier].requests == []


@pytest.mark.parametrize("carrier", LATIN_CARRIERS)
def test_the_romanised_description_is_sent(carrier: str) -> None:
    kwargs = sandbox_gateway_kwargs([carrier])
    with cg.Gateway(**kwargs) as gw:
        label = gw.ship(_with_item(carrier, description="纯棉T恤", description_latin="Cotton T-shirt (knit)"))
    assert label.tracking_number
    bodies = [r.content for r in kwargs["transport"].emulators[carrier].requests]
    assert any(b"Cotton T-shirt (knit)" in body for body in bodies)
    assert not any("纯棉".encode() in body for body in bodies)
