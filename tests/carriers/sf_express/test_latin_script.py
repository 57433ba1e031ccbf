"""SF Express prints Chinese: a domestic Chinese shipment is sent in Chinese as before, and the
romanised fields other carriers need (Address.latin, CustomsItem.description_latin) change nothing."""

from __future__ import annotations

from typing import Any

import carriergate as cg
from carriergate.carriers.sf_express import ship

from support.sf_samples import ACCOUNT, URL, fixture, msg_data, ship_request

ROMANISED = {"name": "Zhang San", "company": "Shanghai Tea Trading Co., Ltd.",
             "street": ["88 Century Avenue", "12F Jin Mao Tower"], "district": "Pudong", "city": "Shanghai",
             "state": "Shanghai"}


def create_msg(request: cg.ShipRequest) -> Any:
    return msg_data(ship.build_ship(request, ACCOUNT, base_url=URL, carrier="sf_express"), "EXP_RECE_CREATE_ORDER")


def test_chinese_domestic_shipment_is_the_golden_one_with_or_without_romanised_fields() -> None:
    plain = ship_request()
    assert create_msg(plain) == fixture("create_order_request.json")
    origin = cg.Address.model_validate({**plain.origin.model_dump(), "latin": ROMANISED})
    assert create_msg(ship_request(origin=origin)) == fixture("create_order_request.json")
