"""Golden tests of the Calls each SF flow makes: which service, and how the executor may treat it.

``kind`` and ``idempotent`` are what the retry policy and the circuit breaker read, so they are the
write-safety contract: the create order is the one write never repeated after an ambiguous failure
(it carries our reference instead); the cancel is a write that is safe to repeat; everything else
(quotes, routes, the order look-up, the label fetch) is a read. The flows are driven by hand here, as
the executor drives them: each answer is parsed by its Call, and a parse error is thrown back in.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import pytest

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress
from carriergate.core.contract import Call
from carriergate.protocols.auth.sf_digest import decode_form

from support.sf_samples import ACCOUNT, URL, rate_request, ship_request
from support.sf_samples import drive as drive_calls

REF = "CG-SH-0001"


def lost() -> cg.OutcomeUnknown:
    """What the executor throws into the flow when the create timed out after sending."""
    return cg.OutcomeUnknown("the create timed out after sending", reference=REF, carrier="sf_express",
                             code="deadline")


@dataclass(frozen=True)
class Shape:
    """What a golden Call must be: SF service, operation name, kind, idempotent, reference."""

    service: str
    operation: str
    kind: str
    idempotent: bool
    reference: str | None


RATE = Shape("EXP_RECE_QUERY_DELIVERTM", "rate", "read", True, None)
CREATE = Shape("EXP_RECE_CREATE_ORDER", "ship", "write", False, REF)
LOOKUP = Shape("EXP_RECE_SEARCH_ORDER_RESP", "order_query", "read", True, REF)
LABEL = Shape("COM_RECE_CLOUD_PRINT_WAYBILLS", "label", "read", True, REF)
VOID = Shape("EXP_RECE_UPDATE_ORDER", "void", "write", True, REF)
TRACK = Shape("EXP_RECE_SEARCH_ROUTES", "track", "read", True, None)


def shape(call: Call[Any]) -> Shape:
    assert call.request.url == URL
    assert not call.honours_idempotency_key  # SF keys nothing on requestID: the orderId makes repeats safe
    return Shape(decode_form(call.request.content)["serviceCode"], call.operation, call.kind, call.idempotent,
                 call.reference)


def drive(flow: Generator[Call[Any], Any, Any], steps: list[str | cg.CarrierError]) -> tuple[list[Shape], Any]:
    """:func:`support.sf_samples.drive`, each Call reduced to its shape."""
    calls, result = drive_calls(flow, steps)
    return [shape(call) for call in calls], result


def carrier() -> SFExpress:
    return SFExpress(ACCOUNT)


def test_rate_is_one_read() -> None:
    calls, quotes = drive(carrier().rate(rate_request()), ["deliver_tm_response.json"])
    assert calls == [RATE]
    assert [q.service_code for q in quotes] == ["1", "2"]


def test_ship_is_one_unrepeatable_write_then_a_read_for_the_label() -> None:
    calls, label = drive(carrier().ship(ship_request()), ["create_order_response.json", "cloud_print_response.json"])
    assert calls == [CREATE, LABEL]
    assert label.tracking_number == "SF1360000000017"
    assert label.carrier_data == {"order_id": REF}


def test_duplicate_order_is_looked_up_by_a_read_never_created_again() -> None:
    calls, label = drive(carrier().ship(ship_request()), ["create_order_duplicate.json", "search_order_response.json",
                                                          "cloud_print_response.json"])
    assert calls == [CREATE, LOOKUP, LABEL]
    assert label.tracking_number == "SF1360000000017"


def test_outcome_unknown_create_is_looked_up_by_a_read_never_created_again() -> None:
    calls, label = drive(carrier().ship(ship_request()), [lost(), "search_order_response.json",
                                                          "cloud_print_response.json"])
    assert calls == [CREATE, LOOKUP, LABEL]
    assert label.tracking_number == "SF1360000000017"


def test_outcome_unknown_create_that_the_lookup_cannot_find_stays_unknown() -> None:
    timed_out = lost()
    with pytest.raises(cg.OutcomeUnknown) as info:
        drive(carrier().ship(ship_request()), [timed_out, "business_error.json"])
    assert info.value.reference == REF
    assert info.value.code == "deadline"  # the create's own code, kept
    assert info.value.carrier == "sf_express"
    assert info.value.__cause__ is timed_out


def test_other_create_errors_are_not_reconciled() -> None:
    with pytest.raises(cg.CarrierError) as info:
        drive(carrier().ship(ship_request()), ["business_error.json"])
    assert info.value.code == "1014"
    assert not isinstance(info.value, cg.OutcomeUnknown)


def test_void_is_a_repeatable_write_carrying_the_order_id() -> None:
    label = cg.Label(carrier="sf_express", tracking_number="SF1360000000017", label=b"%PDF", label_format="PDF",
                     carrier_data={"order_id": REF})
    calls, done = drive(carrier().void(label), ["cancel_order_response.json"])
    assert calls == [VOID]
    assert done is None


def test_void_without_order_id_cancels_by_the_reference() -> None:
    label = cg.Label(carrier="sf_express", tracking_number="SF1360000000017", label=b"%PDF", label_format="PDF",
                     reference=REF)
    calls, _ = drive(carrier().void(label), ["cancel_order_response.json"])
    assert calls == [VOID]


def test_track_is_one_read() -> None:
    calls, info = drive(carrier().track(" SF1360000000017 "), ["routes_response.json"])
    assert calls == [TRACK]
    assert info.tracking_number == "SF1360000000017"
