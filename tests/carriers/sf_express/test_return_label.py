"""SF return labels: an ordinary create order from the customer to the shop, billed to the shop's
monthly card (carriers/sf_express/ship.py says why not the reverse-order service)."""

from __future__ import annotations

from typing import Any

import pytest

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress, SFExpressAccount, ship

from support.sf_samples import ACCOUNT, URL, answer, beijing, msg_data, shanghai, ship_request

SF = "sf_express"


def create_msg(request: cg.ShipRequest, account: SFExpressAccount = ACCOUNT) -> Any:
    return msg_data(ship.build_ship(request, account, base_url=URL, carrier=SF), "EXP_RECE_CREATE_ORDER",
                    partner_id=account.partner_id)


def a_return(**changes: Any) -> cg.ShipRequest:
    """The customer in Beijing sends the parcel back to the shop in Shanghai."""
    return ship_request(origin=beijing(), destination=shanghai(), return_shipment=True,
                        reference="CG-RET-0001", **changes)


def test_the_customer_sends_and_the_shop_receives_on_its_monthly_card() -> None:
    msg = create_msg(a_return())
    sender, receiver = msg["contactInfoList"]
    assert (sender["contactType"], sender["city"]) == (1, beijing().city)
    assert (receiver["contactType"], receiver["city"]) == (2, shanghai().city)
    assert (msg["payMethod"], msg["monthlyCard"]) == (1, ACCOUNT.monthly_card)
    assert msg["orderId"] == "CG-RET-0001"


def test_a_return_without_a_card_to_bill_is_refused_before_sending() -> None:
    no_card = ACCOUNT.model_copy(update={"monthly_card": None})
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(a_return(), no_card, base_url=URL, carrier=SF)
    assert [e.field for e in caught.value.errors] == ["billing"]
    assert "monthly_card" in str(caught.value)
    # a named payer is billed instead, so nothing is refused
    payer = cg.Payer(party="third_party", account_number="0208765432", country="CN")
    assert create_msg(a_return(billing=payer), no_card)["monthlyCard"] == "0208765432"


def test_the_label_says_it_is_a_return() -> None:
    assert cg.Capability.RETURN_LABEL in SFExpress.capabilities
    order = ship.Order(order_id="CG-RET-0001", waybills=["SF1360000000017"])
    label = ship.parse_label(answer("cloud_print_response.json"), carrier=SF, order=order, reference="CG-RET-0001",
                             is_return=True)
    assert label.is_return
    assert label.label.startswith(b"%PDF")
    outbound = ship.parse_label(answer("cloud_print_response.json"), carrier=SF, order=order, reference="CG-SH-1")
    assert not outbound.is_return
