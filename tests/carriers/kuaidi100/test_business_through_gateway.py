"""The business flows through the real executor over httpx.MockTransport: every attempt signed
afresh with key, t and sign; a label or pickup never repeated after an ambiguous failure (an
outcome-unknown error carrying our reference), reads and cancels retried; no secret in the logs."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100

from support.fake_carrier import registered
from support.kuaidi100_samples import (
    KEY,
    PARTNER_KEY,
    PARTNER_SECRET,
    SECRET,
    SETTINGS,
    Recorder,
    fixture,
    form_of,
    pickup_request,
    rate_request,
    ship_request,
)
from support.sandbox_samples import china_window

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 8


@pytest.fixture(autouse=True)
def kuaidi100() -> Iterator[None]:
    with registered(Kuaidi100):
        yield


def gateway(api: Recorder) -> cg.Gateway:
    return cg.Gateway({"kuaidi100": {**SETTINGS, "base_url": "https://k100.example.test"}},
                      transport=httpx.MockTransport(api), sleep=lambda _: None)


def business_sign_ok(request: httpx.Request) -> bool:
    fields = form_of(request)
    expected = hashlib.md5((fields["param"] + fields["t"] + KEY + SECRET).encode()).hexdigest().upper()  # noqa: S324
    return fields["key"] == KEY and fields["sign"] == expected


def test_ship_signs_orders_and_fetches_the_label_on_the_accounts_host() -> None:
    order = fixture("label_order_response.json")
    order["data"]["label"] = "label/image/abc.png"
    api = Recorder({"/label/order": [order], "/label/image/abc.png": [PNG]})
    with gateway(api) as gw:
        label = gw.ship(ship_request())
    assert api.paths() == ["/label/order", "/label/image/abc.png"]
    assert business_sign_ok(api.seen[0])
    assert (label.label, label.label_format) == (PNG, "PNG")


def test_a_label_is_never_ordered_twice_after_an_ambiguous_failure() -> None:
    api = Recorder({"/label/order": [httpx.Response(502, content=b"bad gateway")]})
    with gateway(api) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.ship(ship_request())
    assert caught.value.reference == "ORDER-1001"
    assert api.paths() == ["/label/order"]


def test_a_pickup_is_never_booked_twice_after_an_ambiguous_failure() -> None:
    api = Recorder({"/order/borderapi.do": [httpx.Response(502, content=b"bad gateway")]})
    request = pickup_request(china_window(1).start)
    with gateway(api) as gw, pytest.raises(cg.OutcomeUnknown) as caught:
        gw.schedule_pickup(request, carrier="kuaidi100")
    assert caught.value.reference == "PICKUP-0001"
    assert len(api.seen) == 1


def test_reads_and_cancels_are_retried_each_attempt_signed_afresh() -> None:
    price = {"result": True, "returnCode": "200", "data": {"kuaidiCom": "yuantong", "price": "12.0"}}
    api = Recorder({"/order/borderapi.do": [httpx.Response(502, content=b"x"), price],
               "/label/order": [httpx.Response(502, content=b"x"), fixture("time_response.json")]})
    with gateway(api) as gw:
        result = gw.rate(rate_request(services=["yuantong"]), carriers=["kuaidi100"])
    assert [q.service_code for q in result.quotes] == ["yuantong:标准快递"]
    assert api.paths() == ["/order/borderapi.do"] * 2 + ["/label/order"] * 2
    assert all(business_sign_ok(r) for r in api.seen)
    cancelled = Recorder({"/label/order": [httpx.Response(502, content=b"x"), fixture("label_cancel_response.json")]})
    label = cg.Label(carrier="kuaidi100", tracking_number="YT7712345678901", label=PNG, label_format="PNG",
                     carrier_data={"company": "yuantong"})
    with gateway(cancelled) as gw:
        gw.void(label)
    assert len(cancelled.seen) == 2


def test_the_business_secrets_never_reach_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    api = Recorder({"/label/order": [fixture("label_bad_sign.json")]})
    with caplog.at_level("DEBUG", logger="carriergate"), gateway(api) as gw, \
            pytest.raises(cg.AuthenticationError) as caught:
        gw.ship(ship_request())
    assert caplog.records
    shown = caplog.text + str(caught.value) + repr(caught.value)
    for secret in (KEY, SECRET, PARTNER_KEY, PARTNER_SECRET):
        assert secret not in shown
    assert PARTNER_KEY in form_of(api.seen[0])["param"]  # it did travel, as Kuaidi100 requires


def test_a_window_beyond_the_day_after_tomorrow_is_refused_before_sending() -> None:
    api = Recorder({"/order/borderapi.do": [fixture("border_order_response.json")]})
    far = pickup_request(china_window(1).start + timedelta(days=5))
    with gateway(api) as gw, pytest.raises(cg.ValidationError) as caught:
        gw.schedule_pickup(far, carrier="kuaidi100")
    assert caught.value.field == "window.start"
    assert api.seen == []
