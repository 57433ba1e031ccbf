"""Who pays and which references travel, in SF's create order (EXP_RECE_CREATE_ORDER).

``payMethod`` 1 寄方付 (sender), 2 收方付 (recipient), 3 第三方付 (third party, with its monthly card
in ``monthlyCard``); for an international order ``customsInfo.taxPayMethod`` 1 寄付 / 2 到付 and the
duty payer's account as ``taxSettleAccounts``; our order reference as ``custReferenceNo``. What SF
has no field for is refused before sending, naming the field.
"""

from __future__ import annotations

from typing import Any

import pytest

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress, SFExpressAccount, ship

from support.sf_samples import ACCOUNT, URL, fixture, msg_data, ship_request

SF = "sf_express"


def create_msg(request: cg.ShipRequest, account: SFExpressAccount = ACCOUNT) -> Any:
    return msg_data(ship.build_ship(request, account, base_url=URL, carrier=SF), "EXP_RECE_CREATE_ORDER",
                    partner_id=account.partner_id)


def abroad(**customs: Any) -> cg.ShipRequest:
    los_angeles = cg.Address(name="Jane Roe", street=["350 S Grand Ave"], city="Los Angeles", state="CA",
                             postal_code="90071", country="US", phone="+1 213 555 0100")
    declaration = cg.CustomsDeclaration(contents_type="merchandise", signer="张三", items=[
        cg.CustomsItem(description="Silk scarf 丝巾", hs_code="621410", origin_country="CN", quantity=2,
                       unit_value=cg.Money("45.50", "USD"), unit_weight=cg.Weight("0.2", "kg"))], **customs)
    return ship_request(destination=los_angeles, customs=declaration, insurance=None)


def test_the_configured_account_pays_by_default() -> None:
    msg = create_msg(ship_request())
    assert (msg["payMethod"], msg["monthlyCard"]) == (1, "7551234567")
    assert create_msg(ship_request(billing=cg.Payer(party="sender"))) == fixture("create_order_request.json")


def test_a_third_party_pays_with_its_monthly_card() -> None:
    payer = cg.Payer(party="third_party", account_number="0208765432", country="CN")
    msg = create_msg(ship_request(billing=payer))
    assert (msg["payMethod"], msg["monthlyCard"]) == (3, "0208765432")


def test_the_recipient_pays_at_delivery_and_our_card_is_not_billed() -> None:
    msg = create_msg(ship_request(billing=cg.Payer(party="recipient", account_number="0105551234")))
    assert msg["payMethod"] == 2
    assert "monthlyCard" not in msg


@pytest.mark.parametrize(("customs", "expected"), [
    ({"incoterm": "DDP"}, {"taxPayMethod": 1}),
    ({"incoterm": "DAP"}, {"taxPayMethod": 2}),
    ({"incoterm": "DDP", "duty_payer": cg.Payer(party="recipient")}, {"taxPayMethod": 2}),
    ({"incoterm": "DAP", "duty_payer": cg.Payer(party="sender")}, {"taxPayMethod": 1}),
    ({"duty_payer": cg.Payer(party="recipient", account_number="US12345", country="US")},
     {"taxPayMethod": 2, "taxSettleAccounts": "US12345"}),
])
def test_the_duty_payer_is_independent_of_the_incoterm(customs: dict[str, Any], expected: dict[str, Any]) -> None:
    info = create_msg(abroad(**customs))["customsInfo"]
    assert info == {**expected, "declaredValue": 91, "declaredValueCurrency": "USD"}


def test_a_third_party_duty_payer_is_refused_before_sending() -> None:
    third = cg.Payer(party="third_party", account_number="HK998877", country="HK")
    with pytest.raises(cg.ValidationError) as info:
        next(SFExpress(ACCOUNT).ship(abroad(duty_payer=third)))
    assert (info.value.field, info.value.carrier) == ("customs.duty_payer", SF)


def test_our_order_reference_travels_as_cust_reference_no() -> None:
    msg = create_msg(ship_request(references=[cg.ShipmentReference(kind="order", value="SHOP-10042")]))
    assert msg["custReferenceNo"] == "SHOP-10042"
    assert msg["orderId"] == "CG-SH-0001"


@pytest.mark.parametrize("kind", ["purchase_order", "rma", "department", "invoice", "customer"])
def test_references_sf_has_no_field_for_are_refused_not_dropped(kind: str) -> None:
    refs = [cg.ShipmentReference(kind="order", value="SHOP-10042"), cg.ShipmentReference(kind=kind, value="X-1")]
    with pytest.raises(cg.ValidationError) as info:
        next(SFExpress(ACCOUNT).ship(ship_request(references=refs)))
    assert (info.value.field, info.value.carrier) == ("references[1].kind", SF)
