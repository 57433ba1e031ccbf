"""Conformance with SF's own demo msgData bodies (../shared/specs/sf-express/demo-requests).

Our builders must use SF's field names at every level. Where we deliberately build less or more than
SF's demo, the difference is listed here with the reason.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import carriergate as cg
from carriergate.carriers.sf_express import SFExpressAccount, ship, track, void

from support.sf_samples import URL, msg_data

ACCOUNT = SFExpressAccount(partner_id="P", checkword="c", monthly_card="7551234567")


def create_msg(request: cg.ShipRequest) -> Any:
    """The msgData of the create-order request build_ship finishes."""
    return msg_data(ship.build_ship(request, ACCOUNT, base_url=URL, carrier="sf_express"), "EXP_RECE_CREATE_ORDER",
                    partner_id="P")

# Demo fields we do not build: extraInfoList (free extension fields), isOneselfPickup (self pick-up at
# an SF point: not modelled); customsInfo is built for international shipments only (see below).
NOT_BUILT_TOP = {"extraInfoList", "isOneselfPickup", "customsInfo"}
# Fields we add: insurance (serviceList), courier booking (isDocall, sendStartTm), isReturnRoutelabel,
# and remark (the shipment description).
EXTRA_TOP = {"serviceList", "isDocall", "sendStartTm", "isReturnRoutelabel", "remark"}
# Contacts: we always send the ISO country and the postal code (cross-border needs both); a phone is
# ``mobile`` for Chinese mobiles, else ``tel``.
EXTRA_CONTACT = {"country", "postCode"}
# Cargo: the currency of ``amount``; ``volume`` (unit volume) is not built.
NOT_BUILT_CARGO = {"volume"}
EXTRA_CARGO = {"currency"}


def demo(specs: Path, name: str) -> Any:
    path = specs / "sf-express" / "demo-requests" / name
    if not path.is_file():
        pytest.skip(f"SF demo body {name} not found under {path.parent}")
    return json.loads(path.read_text(encoding="utf-8"))


def _request(**changes: Any) -> cg.ShipRequest:
    fields: dict[str, Any] = {
        "origin": cg.Address(name="张三丰", company="清雅轩保健品专营店", street=["丹江口市公园路155号"],
                             district="武当山风景区", city="十堰市", state="湖北省", postal_code="442700",
                             country="CN", phone="17006805888"),
        "destination": cg.Address(name="郭襄阳", street=["襄城区环城东路122号"], district="襄城区", city="襄阳市",
                                  state="湖北省", postal_code="441000", country="CN", phone="18963828829"),
        "parcels": [cg.Parcel(weight=cg.Weight("6.6", "kg"))], "insurance": cg.Money("308", "CNY"),
        "carrier": "sf_express", "service": "1", "reference": "QIAO-20200728-001", "description": "君宝牌地毯",
    }
    fields.update(changes)
    return cg.ShipRequest(**fields)


def _sender(doc: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in doc["contactInfoList"] if c["contactType"] == 1)


def _receiver(doc: dict[str, Any]) -> dict[str, Any]:
    return next(c for c in doc["contactInfoList"] if c["contactType"] == 2)


def test_create_order_uses_sfs_fields_at_every_level(specs: Path) -> None:
    expected = demo(specs, "01.order.json")
    ours = create_msg(_request())
    assert set(expected) - NOT_BUILT_TOP <= set(ours)
    assert set(ours) - set(expected) <= EXTRA_TOP
    for pick in (_sender, _receiver):
        assert set(pick(expected)) <= set(pick(ours))
        assert set(pick(ours)) - set(pick(expected)) <= EXTRA_CONTACT
    cargo, our_cargo = expected["cargoDetails"][0], ours["cargoDetails"][0]
    assert set(cargo) - NOT_BUILT_CARGO <= set(our_cargo)
    assert set(our_cargo) - set(cargo) <= EXTRA_CARGO


def test_create_order_values_have_sfs_types(specs: Path) -> None:
    expected = demo(specs, "01.order.json")
    ours = create_msg(_request())
    for key in ("expressTypeId", "payMethod", "parcelQty", "orderId", "monthlyCard", "language"):
        assert ours[key] == expected[key], key
    for key in ("contactType", "contact", "company", "mobile", "province", "city", "county"):
        assert _sender(ours)[key] == _sender(expected)[key], key
    assert type(ours["totalWeight"]) in (int, float)
    assert ours["cargoDetails"][0]["name"] == expected["cargoDetails"][0]["name"]


def test_international_order_builds_customs_info(specs: Path) -> None:
    expected = demo(specs, "01.order.json")
    assert isinstance(expected["customsInfo"], dict)
    abroad = cg.Address(name="Jane Roe", street=["350 S Grand Ave"], city="Los Angeles", state="CA",
                        postal_code="90071", country="US", phone="+1 213 555 0100")
    customs = cg.CustomsDeclaration(contents_type="merchandise", signer="张三丰", items=[
        cg.CustomsItem(description="Carpet", hs_code="570242", origin_country="CN", quantity=1,
                       unit_value=cg.Money("308", "USD"), unit_weight=cg.Weight("6.6", "kg"))])
    ours = create_msg(_request(destination=abroad, customs=customs, insurance=None))
    assert isinstance(ours["customsInfo"], dict)
    assert ours["customsInfo"]
    assert set(expected) - (NOT_BUILT_TOP - {"customsInfo"}) <= set(ours)


def test_order_query_matches_the_demo(specs: Path) -> None:
    expected = demo(specs, "02.order.query.json")
    ours = msg_data(ship.build_lookup(expected["orderId"], ACCOUNT, base_url=URL), "EXP_RECE_SEARCH_ORDER_RESP",
                    partner_id="P")
    assert set(ours) == set(expected)
    assert ours["searchType"] == expected["searchType"]
    assert ours["orderId"] == expected["orderId"]
    assert ours["language"].lower() == expected["language"].lower()


def test_cancel_matches_the_demo(specs: Path) -> None:
    expected = demo(specs, "03.order.confirm.json")
    assert msg_data(void.build_void(expected["orderId"], ACCOUNT, base_url=URL), "EXP_RECE_UPDATE_ORDER",
                    partner_id="P") == expected


@pytest.mark.parametrize(("name", "kind"), [("05.route_query_by_MailNo.json", track.BY_WAYBILL),
                                            ("05.route_query_by_OrderNo.json", track.BY_ORDER)])
def test_route_query_matches_the_demo(specs: Path, name: str, kind: str) -> None:
    expected = demo(specs, name)
    number = expected["trackingNumber"][0]
    assert track.tracking_type(number) == kind
    assert ACCOUNT.language == "zh-CN"
    assert msg_data(track.build_track(number, ACCOUNT, base_url=URL, carrier="sf_express"), "EXP_RECE_SEARCH_ROUTES",
                    partner_id="P") == expected
