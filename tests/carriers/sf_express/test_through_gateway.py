"""The SF flows driven by the real executor over scripted answers (httpx.MockTransport)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.adapters.executor import Executor
from carriergate.carriers.sf_express import SFExpress
from carriergate.core.deadline import Deadline
from carriergate.protocols.auth.sf_digest import decode_form

from support.sf_samples import ACCOUNT, URL, answer

Script = dict[str, list[str | Exception]]


def run(script: Script, make: Callable[[SFExpress], Any]) -> tuple[Any, list[str]]:
    """Drive one flow; ``script`` maps serviceCode to the fixtures (or exceptions) answered in turn."""
    seen: list[str] = []

    def handle(request: httpx.Request) -> httpx.Response:
        form = decode_form(request.content)
        assert form["msgDigest"]
        assert form["timestamp"]
        assert form["requestID"]
        service = form["serviceCode"]
        seen.append(service)
        step = script[service].pop(0)
        if isinstance(step, Exception):
            raise step
        return answer(step)

    carrier = SFExpress(ACCOUNT)
    with httpx.Client(transport=httpx.MockTransport(handle)) as client:
        result = Executor(client).run(carrier, lambda: make(carrier), Deadline(None))
    return result, seen


def ship_request(reference: str = "CG-SH-0001") -> cg.ShipRequest:
    return cg.ShipRequest(
        origin=cg.Address(name="张三", street=["世纪大道88号"], district="浦东新区", city="上海市", state="上海市",
                          postal_code="200120", country="CN", phone="13800138000"),
        destination=cg.Address(name="李四", street=["长安街1号"], district="东城区", city="北京市", state="北京市",
                               postal_code="100010", country="CN", phone="13900139000"),
        parcels=[cg.Parcel(weight=cg.Weight("2", "kg"))], insurance=cg.Money("500", "CNY"),
        carrier="sf_express", service="2", reference=reference)


def test_ship_creates_then_prints() -> None:
    label, seen = run({"EXP_RECE_CREATE_ORDER": ["create_order_response.json"],
                       "COM_RECE_CLOUD_PRINT_WAYBILLS": ["cloud_print_response.json"]},
                      lambda c: c.ship(ship_request()))
    assert seen == ["EXP_RECE_CREATE_ORDER", "COM_RECE_CLOUD_PRINT_WAYBILLS"]
    assert label.tracking_number == "SF1360000000017"
    assert label.tracking_numbers == ["SF1360000000017"]
    assert label.carrier_data == {"order_id": "CG-SH-0001"}
    assert label.label.startswith(b"%PDF")


def test_duplicate_order_resolves_to_the_existing_waybill_with_one_create() -> None:
    label, seen = run({"EXP_RECE_CREATE_ORDER": ["create_order_duplicate.json"],
                       "EXP_RECE_SEARCH_ORDER_RESP": ["search_order_response.json"],
                       "COM_RECE_CLOUD_PRINT_WAYBILLS": ["cloud_print_response.json"]},
                      lambda c: c.ship(ship_request()))
    assert seen == ["EXP_RECE_CREATE_ORDER", "EXP_RECE_SEARCH_ORDER_RESP", "COM_RECE_CLOUD_PRINT_WAYBILLS"]
    assert label.tracking_number == "SF1360000000017"


def test_create_timeout_is_reconciled_by_order_query() -> None:
    label, seen = run({"EXP_RECE_CREATE_ORDER": [httpx.ReadTimeout("slow")],
                       "EXP_RECE_SEARCH_ORDER_RESP": ["search_order_response.json"],
                       "COM_RECE_CLOUD_PRINT_WAYBILLS": ["cloud_print_response.json"]},
                      lambda c: c.ship(ship_request()))
    assert seen.count("EXP_RECE_CREATE_ORDER") == 1
    assert label.tracking_number == "SF1360000000017"


def test_create_timeout_with_nothing_found_is_outcome_unknown() -> None:
    with pytest.raises(cg.OutcomeUnknown) as info:
        run({"EXP_RECE_CREATE_ORDER": [httpx.ReadTimeout("slow")],
             "EXP_RECE_SEARCH_ORDER_RESP": ["business_error.json"]}, lambda c: c.ship(ship_request("CG-LOST-1")))
    assert info.value.reference == "CG-LOST-1"
    assert "same reference is safe" in info.value.message


def test_business_error_on_create_is_typed_and_prints_nothing() -> None:
    with pytest.raises(cg.CarrierError) as info:
        run({"EXP_RECE_CREATE_ORDER": ["business_error.json"]}, lambda c: c.ship(ship_request()))
    assert info.value.code == "1014"
    assert info.value.carrier == "sf_express"


def test_gateway_refusal_is_authentication_error() -> None:
    with pytest.raises(cg.AuthenticationError) as info:
        run({"EXP_RECE_SEARCH_ROUTES": ["gateway_error_a1006.json"]}, lambda c: c.track("SF1360000000017"))
    assert info.value.code == "A1006"


def test_label_only_as_url_is_not_supported_after_the_order_exists() -> None:
    with pytest.raises(cg.NotSupported) as info:
        run({"EXP_RECE_CREATE_ORDER": ["create_order_response.json"],
             "COM_RECE_CLOUD_PRINT_WAYBILLS": ["cloud_print_url_only.json"]}, lambda c: c.ship(ship_request()))
    assert "SF1360000000017" in info.value.message


def test_void_and_track() -> None:
    label = cg.Label(carrier="sf_express", tracking_number="SF1360000000017", label=b"%PDF", label_format="PDF",
                     carrier_data={"order_id": "CG-SH-0001"})
    done, seen = run({"EXP_RECE_UPDATE_ORDER": ["cancel_order_response.json"]}, lambda c: c.void(label))
    assert done is None
    assert seen == ["EXP_RECE_UPDATE_ORDER"]
    info, _ = run({"EXP_RECE_SEARCH_ROUTES": ["routes_response.json"]}, lambda c: c.track(" SF1360000000017 "))
    assert info.status is cg.TrackingStatus.DELIVERED
    assert info.tracking_number == "SF1360000000017"


def test_void_needs_the_order_id() -> None:
    label = cg.Label(carrier="sf_express", tracking_number="SF1", label=b"x", label_format="PDF")
    with pytest.raises(cg.ValidationError) as info:
        next(SFExpress(ACCOUNT).void(label))
    assert info.value.field == "carrier_data.order_id"


def test_pickups_stand_alone_are_not_supported() -> None:
    carrier = SFExpress(ACCOUNT)
    assert cg.Capability.SCHEDULE_PICKUP not in carrier.capabilities
    with pytest.raises(cg.NotSupported):
        carrier.cancel_pickup(cg.Pickup(carrier="sf_express", confirmation_number="1"))


def test_gateway_resolves_the_entry_point() -> None:
    with cg.Gateway({"sf_express": {"partner_id": "P", "checkword": "c", "environment": "sandbox"}}) as gw:
        client = gw.carrier("sf_express")
        assert isinstance(client.carrier, SFExpress)
        assert client.carrier.base_url == URL
