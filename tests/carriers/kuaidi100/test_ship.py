"""Golden tests of the electronic waybill (label/order ``order``), its label image and its cancel
(``cancel``): requests against reviewed params under fixtures/kuaidi100, answers in the documented
shape, every label/order error code to its typed error, and the ship/void flows on a fixed clock."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import ship, void

from support.kuaidi100_samples import (
    ACCOUNT,
    K100,
    LABEL_URL,
    NOW,
    PARTNER_KEY,
    PARTNER_SECRET,
    answer,
    carrier,
    fixture,
    form_of,
    param_of,
    recipient,
    run_flow,
    ship_request,
)
from support.sandbox_samples import china_window
from support.shipments import customs

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def test_order_request_golden() -> None:
    request = ship.build_ship(ship_request(), ACCOUNT, base_url=LABEL_URL, carrier=K100)
    assert (request.method, str(request.url)) == ("POST", "https://api.kuaidi100.com/label/order")
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    form = form_of(request)
    assert set(form) == {"method", "param"}  # key, t and sign are the auth flow's, added on every attempt
    assert form["method"] == "order"
    assert param_of(request) == fixture("label_order_param.json")


def test_order_without_options_sends_only_what_is_set() -> None:
    bare = ACCOUNT.model_copy(update={"waybill_accounts": {}, "temp_id": None})
    request = ship_request(service="zhongtong", insurance=None, description=None,
                           billing=cg.Payer(party="sender"))
    param = param_of(ship.build_ship(request, bare, base_url=LABEL_URL, carrier=K100))
    assert not {"partnerId", "partnerKey", "tempId", "valinsPay", "cargo"} & set(param)
    assert (param["kuaidicom"], param["expType"], param["payType"]) == ("zhongtong", "标准快递", "SHIPPER")


@pytest.mark.parametrize(("change", "field"), [
    ({"label_format": "PDF"}, "label_format"),
    ({"insurance": cg.Money("40", "USD")}, "insurance.currency"),
    ({"service": "Yuan Tong"}, "service"),
    ({"pickup": china_window(1)}, "pickup"),
    ({"destination": recipient().model_copy(update={"phone": None})}, "destination.phone"),
])
def test_bad_input_is_refused_before_sending(change: dict[str, Any], field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(ship_request(**change), ACCOUNT, base_url=LABEL_URL, carrier=K100)
    assert caught.value.field == field


def test_an_address_abroad_is_refused() -> None:
    abroad = cg.Address(name="Jane Roe", street=["350 S Grand Ave"], city="Los Angeles", state="CA",
                        postal_code="90071", country="US", phone="+1 213 555 0100")
    request = ship_request(destination=abroad, customs=customs(), insurance=None)
    with pytest.raises(cg.ValidationError) as caught:
        ship.build_ship(request, ACCOUNT, base_url=LABEL_URL, carrier=K100)
    assert [e.field for e in caught.value.errors] == ["destination.country"]


def test_order_answer_golden() -> None:
    made = ship.parse_ship(answer(fixture("label_order_response.json")), carrier=K100)
    assert made == ship.Waybill(tracking_number="YT7712345678901",
                                more_numbers=["YT7712345678902", "YT7712345678903"],
                                label_url="https://s.kuaidi100.com/l/7dGm2x",
                                task_id="0E3A5C2B9D8F4A6B8C1D2E3F4A5B6C7D", courier_order="YTOK20260302000117")


@pytest.mark.parametrize(("name", "error", "code"), [
    ("label_bad_params.json", cg.CarrierError, "30001"), ("label_bad_sign.json", cg.AuthenticationError, "30002"),
    ("label_bad_account.json", cg.AuthenticationError, "30003"), ("label_no_credit.json", cg.CarrierError, "30004"),
    ("label_not_found.json", cg.NotFound, "30009"), ("label_server_error.json", cg.CarrierUnavailable, "-1"),
])
def test_label_errors_are_typed(name: str, error: type[cg.CarrierError], code: str) -> None:
    for parse in (lambda r: ship.parse_ship(r, carrier=K100), lambda r: void.parse_void(r, carrier=K100)):
        with pytest.raises(error) as caught:
            parse(answer(fixture(name)))
        assert (caught.value.code, caught.value.message) == (code, fixture(name)["message"])
        assert caught.value.retryable is (error is cg.CarrierUnavailable)


@pytest.mark.parametrize("body", [{"code": 200, "success": True}, {"code": 200, "data": {"taskId": "x"}},
                                  [], {"code": 200, "data": []}])
def test_order_answers_without_a_number_are_malformed(body: Any) -> None:
    with pytest.raises(cg.MalformedResponse):
        ship.parse_ship(answer(body), carrier=K100)


@pytest.mark.parametrize(("link", "expected"), [
    ("https://s.kuaidi100.com/l/7dGm2x", "https://s.kuaidi100.com/l/7dGm2x"),
    ("label/image/abc.png", "https://api.kuaidi100.com/label/image/abc.png"),
    ("http://api.kuaidi100.com/x.png", "http://api.kuaidi100.com/x.png"),
])
def test_label_links_fetched(link: str, expected: str) -> None:
    base = "http://api.kuaidi100.com" if link.startswith("http:") else LABEL_URL
    assert str(ship.build_label_image(link, base_url=base, carrier=K100).url) == expected


@pytest.mark.parametrize("link", ["http://evil.example/x.png", "ftp://s.kuaidi100.com/x", "file:///etc/passwd"])
def test_label_links_refused(link: str) -> None:
    with pytest.raises(cg.MalformedResponse):
        ship.label_link(link, base_url=LABEL_URL, carrier=K100)


def test_label_image_format_is_read_from_its_bytes() -> None:
    assert ship.parse_label_image(httpx.Response(200, content=PNG), carrier=K100) == (PNG, "PNG")
    assert ship.parse_label_image(httpx.Response(200, content=b"GIF89a..."), carrier=K100)[1] == "GIF"
    for bad in (httpx.Response(200, content=b"<html>expired</html>"), httpx.Response(404, content=PNG)):
        with pytest.raises(cg.MalformedResponse):
            ship.parse_label_image(bad, carrier=K100)


def _label() -> cg.Label:
    return cg.Label(carrier=K100, tracking_number="YT7712345678901", label=PNG, label_format="PNG",
                    carrier_data={"company": "yuantong", "courier_order": "YTOK20260302000117"})


def test_cancel_request_and_answer_golden() -> None:
    request = void.build_void(_label(), ACCOUNT, base_url=LABEL_URL, carrier=K100)
    assert (str(request.url), form_of(request)["method"]) == ("https://api.kuaidi100.com/label/order", "cancel")
    assert param_of(request) == fixture("label_cancel_param.json")
    void.parse_void(answer(fixture("label_cancel_response.json")), carrier=K100)  # accepted: no error
    with pytest.raises(cg.ValidationError) as caught:
        void.build_void(_label().model_copy(update={"carrier_data": {}}), ACCOUNT, base_url=LABEL_URL, carrier=K100)
    assert caught.value.field == "carrier_data.company"


def _answers(*bodies: Any) -> Any:
    """A flow answerer: each Call gets the next response (bytes as they are, else JSON)."""
    queue = list(bodies)
    seen: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = queue.pop(0)
        return httpx.Response(200, content=body) if isinstance(body, bytes) else answer(body)

    return respond, seen


def test_ship_flow_orders_then_fetches_the_image() -> None:
    respond, seen = _answers(fixture("label_order_response.json"), PNG)
    label = run_flow(carrier().ship(ship_request()), respond)
    assert [(r.method, str(r.url)) for r in seen] == [("POST", "https://api.kuaidi100.com/label/order"),
                                                      ("GET", "https://s.kuaidi100.com/l/7dGm2x")]
    assert (label.tracking_number, label.label, label.label_format, label.reference) == \
        ("YT7712345678901", PNG, "PNG", "ORDER-1001")
    assert label.tracking_numbers == ["YT7712345678901", "YT7712345678902", "YT7712345678903"]
    assert label.created_at == NOW
    assert label.carrier_data == {"company": "yuantong", "service": "标准快递",
                                  "task_id": "0E3A5C2B9D8F4A6B8C1D2E3F4A5B6C7D",
                                  "courier_order": "YTOK20260302000117", "label_url": "https://s.kuaidi100.com/l/7dGm2x"}
    assert label.warnings == []


def test_a_label_whose_image_cannot_be_fetched_is_still_returned() -> None:
    respond, _ = _answers(fixture("label_order_response.json"), b"<html>gone</html>")
    label = run_flow(carrier().ship(ship_request()), respond)
    assert (label.tracking_number, label.label) == ("YT7712345678901", b"")
    assert [w.code for w in label.warnings] == ["label_not_fetched"]
    assert label.carrier_data["label_url"] == "https://s.kuaidi100.com/l/7dGm2x"
    respond, seen = _answers(fixture("label_order_no_link.json"))
    bare = run_flow(carrier().ship(ship_request()), respond)
    assert (len(seen), [w.code for w in bare.warnings]) == (1, ["no_label"])


def test_calls_are_writes_and_reads_as_they_should_be() -> None:
    flow = carrier().ship(ship_request())
    order = next(flow)
    assert (order.kind, order.idempotent, order.reference, order.operation) == ("write", False, "ORDER-1001", "ship")
    image = flow.send(ship.parse_ship(answer(fixture("label_order_response.json")), carrier=K100))
    assert (image.kind, image.operation, image.auth) == ("read", "label_image", None)
    cancel = next(carrier().void(_label()))
    assert (cancel.kind, cancel.idempotent) == ("write", True)


def test_no_waybill_secret_in_reprs_and_the_redaction_list() -> None:
    k100 = carrier()
    shown = " ".join([repr(k100), repr(k100.account), repr(k100.account.waybill("yuantong"))])
    assert PARTNER_KEY not in shown
    assert PARTNER_SECRET not in shown
    assert {PARTNER_KEY, PARTNER_SECRET} <= set(k100.secrets())
