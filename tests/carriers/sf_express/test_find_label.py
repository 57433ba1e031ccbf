"""find_label: the order by our reference (EXP_RECE_SEARCH_ORDER_RESP), then its cloud-print label.

Golden tests on payloads in SF's documented format (fixtures/sf_express): the look-up's request,
its answers (an order, SF's "no such order" codes, an order without a waybill yet, a cancelled one)
and the Calls the flow makes: both are reads, never a write.
"""

from __future__ import annotations

import pytest

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress, ship

from support.sf_samples import ACCOUNT, URL, answer, drive, fixture, msg_data, service_of

SF = "sf_express"
REF = "CG-SH-0001"
FIND = ("EXP_RECE_SEARCH_ORDER_RESP", "find_label", "read", True, REF)
LABEL = ("COM_RECE_CLOUD_PRINT_WAYBILLS", "label", "read", True, REF)


def test_find_label_is_declared() -> None:
    assert cg.Capability.FIND_LABEL in SFExpress.capabilities


def test_the_look_up_asks_for_the_forward_order_by_our_reference() -> None:
    call = next(SFExpress(ACCOUNT).find_label(f" {REF} "))
    assert msg_data(call.request, "EXP_RECE_SEARCH_ORDER_RESP") == fixture("search_order_request.json")
    assert call.request.url == URL


def test_found_order_then_its_label_both_reads() -> None:
    calls, label = drive(SFExpress(ACCOUNT).find_label(REF), ["search_order_response.json",
                                                               "cloud_print_response.json"])
    assert [service_of(c) for c in calls] == [FIND, LABEL]
    assert (label.tracking_number, label.reference, label.carrier_data) == \
        ("SF1360000000017", REF, {"order_id": REF})
    assert label.label.startswith(b"%PDF")
    assert msg_data(calls[1].request, "COM_RECE_CLOUD_PRINT_WAYBILLS")["documents"] == \
        [{"masterWaybillNo": "SF1360000000017"}]


@pytest.mark.parametrize("name", ["search_order_not_found.json", "search_order_manual_review.json"])
def test_an_order_sf_does_not_hold_is_none_after_one_read(name: str) -> None:
    calls, found = drive(SFExpress(ACCOUNT).find_label(REF), [name])
    assert found is None
    assert [service_of(c) for c in calls] == [FIND]


def test_parse_found() -> None:
    from carriergate.carriers.sf_express.lookup import NOT_FOUND_CODES, parse_found

    assert parse_found(answer("search_order_response.json"), carrier=SF) == \
        ship.Order(order_id=REF, waybills=["SF1360000000017"], filter_result="2")
    assert parse_found(answer("search_order_not_found.json"), carrier=SF) is None
    assert {"6150", "8018", "8024"} == NOT_FOUND_CODES


@pytest.mark.parametrize(("name", "kind", "code"), [
    ("search_order_cancelled.json", cg.CarrierError, "8037"),
    ("gateway_error_a1006.json", cg.AuthenticationError, "A1006"),
    ("gateway_error_a1099.json", cg.CarrierUnavailable, "A1099"),
])
def test_other_answers_stay_errors(name: str, kind: type[cg.CarrierError], code: str) -> None:
    with pytest.raises(kind) as info:
        drive(SFExpress(ACCOUNT).find_label(REF), [name])
    assert info.value.code == code


@pytest.mark.parametrize("reference", ["", "   ", "X" * 65])
def test_a_bad_reference_is_refused_before_sending(reference: str) -> None:
    with pytest.raises(cg.ValidationError) as info:
        next(SFExpress(ACCOUNT).find_label(reference))
    assert (info.value.field, info.value.carrier) == ("reference", SF)
