"""UPS golden tests of the Calls each flow yields: the request its ``build_*`` makes, and the kind,
idempotency and reference the executor's retry policy and breaker read. A label or pickup is a
write never repeated after an ambiguous failure (it carries our reference); a void, a cancel and
a paperless upload are writes safe to repeat; rating and tracking are reads."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.ups import UPS
from carriergate.carriers.ups.paperless import build_upload
from carriergate.carriers.ups.pickup import build_cancel_pickup, build_pickup
from carriergate.carriers.ups.rate import build_rate
from carriergate.carriers.ups.ship import build_ship
from carriergate.carriers.ups.track import build_track
from carriergate.carriers.ups.void import build_void
from carriergate.core.contract import Call

from support.ups_samples import (
    ACCOUNT,
    BASE_URL,
    INVOICE,
    SHIP_DAY,
    TRANS_ID,
    answer,
    cn_to_us,
    domestic_us,
    pickup_request,
    shipment,
)

DOCUMENT_ID = "2099-05-04-00.00.00.000001"
LABEL = cg.Label(carrier="ups", tracking_number="1ZA1B2C30312345675", label=b"x", label_format="GIF",
                 reference="ORDER-2002", carrier_data={"shipment_id": "1ZA1B2C30312345675"})
BOOKED = cg.Pickup(carrier="ups", confirmation_number="2929602E9CP", carrier_data={"prn": "2929602E9CP"})


def carrier() -> UPS:
    # ACCOUNT is a production account: its requests go where the golden ones do.
    return UPS(ACCOUNT, alias="ups-us", today=lambda: SHIP_DAY)


def assert_built_as(call: Call[Any], expected: httpx.Request) -> None:
    """The Call's request is what ``build_*`` makes, but for its own fresh transId."""
    assert (call.request.method, call.request.url, call.request.content) == (
        expected.method, expected.url, expected.content)
    own, golden = dict(call.request.headers), dict(expected.headers)
    assert len(own.pop("transid")) == 32
    assert golden.pop("transid") == TRANS_ID
    assert own == golden


def assert_call(call: Call[Any], *, operation: str, kind: str, idempotent: bool, reference: str | None) -> None:
    assert (call.operation, call.kind, call.idempotent, call.reference) == (operation, kind, idempotent, reference)
    assert call.honours_idempotency_key is False  # UPS honours no idempotency key
    assert call.auth is None  # the executor applies the carrier's OAuth flow


def last(flow: Generator[Call[Any], Any, Any], value: Any) -> Any:
    """Send ``value`` into a flow that must then finish; its result."""
    with pytest.raises(StopIteration) as done:
        flow.send(value)
    return done.value.value


def test_rate_is_one_read() -> None:
    flow = carrier().rate(domestic_us())
    call = next(flow)
    assert_call(call, operation="rate", kind="read", idempotent=True, reference=None)
    assert_built_as(call, build_rate(domestic_us(), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))
    quotes = call.parse(answer("rate_response_domestic.json"))
    assert [q.carrier for q in quotes] == ["ups-us"] * 3
    assert last(flow, quotes) is quotes


def test_ship_is_one_write_never_repeated_that_carries_the_reference() -> None:
    request = shipment(domestic_us())
    flow = carrier().ship(request)
    call = next(flow)
    assert_call(call, operation="ship", kind="write", idempotent=False, reference="ORDER-2002")
    assert_built_as(call, build_ship(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY))
    label = call.parse(answer("ship_response_domestic.json"))
    # the answer states its labels are ZPL (ShippingLabel.ImageFormat.Code): that is the label's format
    assert (label.carrier, label.label_format, label.reference) == ("ups-us", "ZPL", "ORDER-2002")
    assert last(flow, label) is label


def test_ship_with_documents_uploads_first_safe_to_repeat_then_writes_the_label_once() -> None:
    request = shipment(cn_to_us(), documents=[INVOICE])
    flow = carrier().ship(request)
    upload = next(flow)
    assert_call(upload, operation="paperless_upload", kind="write", idempotent=True, reference="ORDER-2002")
    assert_built_as(upload, build_upload([INVOICE], ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID,
                                         reference="ORDER-2002"))
    assert upload.parse(answer("paperless_response.json")) == [DOCUMENT_ID]
    ship = flow.send([DOCUMENT_ID])
    assert_call(ship, operation="ship", kind="write", idempotent=False, reference="ORDER-2002")
    assert_built_as(ship, build_ship(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY,
                                     document_ids=[DOCUMENT_ID]))
    label = ship.parse(answer("ship_response_cn_us.json"))
    assert last(flow, label) is label


def test_void_is_a_write_safe_to_repeat() -> None:
    flow = carrier().void(LABEL)
    call = next(flow)
    assert_call(call, operation="void", kind="write", idempotent=True, reference="ORDER-2002")
    assert_built_as(call, build_void(LABEL, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))
    assert call.parse(answer("void_response.json")) is None
    assert last(flow, None) is None


def test_schedule_pickup_is_a_write_never_repeated_that_carries_the_reference() -> None:
    flow = carrier().schedule_pickup(pickup_request())
    call = next(flow)
    assert_call(call, operation="schedule_pickup", kind="write", idempotent=False, reference="PU-77")
    assert_built_as(call, build_pickup(pickup_request(), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))
    booked = call.parse(answer("pickup_response.json"))
    assert (booked.carrier, booked.confirmation_number) == ("ups-us", "2929602E9CP")
    assert last(flow, booked) is booked


def test_cancel_pickup_is_a_write_safe_to_repeat() -> None:
    flow = carrier().cancel_pickup(BOOKED)
    call = next(flow)
    assert_call(call, operation="cancel_pickup", kind="write", idempotent=True, reference=None)
    assert_built_as(call, build_cancel_pickup(BOOKED, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))
    assert call.parse(answer("pickup_cancel_response.json")) is None
    assert last(flow, None) is None


def test_track_is_one_read_of_the_number_as_sent() -> None:
    flow = carrier().track(" 1za1b2c30312345675")
    call = next(flow)
    assert_call(call, operation="track", kind="read", idempotent=True, reference=None)
    assert_built_as(call, build_track("1ZA1B2C30312345675", ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))
    info = call.parse(answer("track_response_delivered.json"))
    assert (info.carrier, info.tracking_number) == ("ups-us", "1ZA1B2C30312345675")
    assert last(flow, info) is info


def test_every_exchange_has_its_own_trans_id() -> None:
    flow = carrier().ship(shipment(cn_to_us(), documents=[INVOICE]))
    upload = next(flow)
    ship = flow.send([DOCUMENT_ID])
    rate = next(carrier().rate(domestic_us()))
    assert len({upload.request.headers["transid"], ship.request.headers["transid"],
                rate.request.headers["transid"]}) == 3


@pytest.mark.parametrize(("change", "field"), [
    ({"reference": "R" * 40}, "reference"),  # refused by the label request
    ({"documents": [INVOICE.model_copy(update={"filename": "f" * 301})]}, "documents[0].filename"),  # by the upload
])
def test_a_ship_with_documents_is_refused_before_the_upload_is_sent(change: dict[str, Any], field: str) -> None:
    flow = carrier().ship(shipment(cn_to_us(), **{"documents": [INVOICE], **change}))
    with pytest.raises(cg.ValidationError) as caught:
        next(flow)
    assert (caught.value.field, caught.value.carrier) == (field, "ups-us")
