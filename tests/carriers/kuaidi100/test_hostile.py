"""Hostile answers and pushes: whatever bytes or JSON arrive (queries, subscriptions, prices, time
estimates, waybills, label images, cancels, pickups), parsing raises a CarrierError (or returns),
never a KeyError or TypeError; a push is never read before its signature verifies."""

from __future__ import annotations

import contextlib
import json
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.kuaidi100 import autonumber, pickup, price, push, rate, ship, subscribe, track, void

from support.kuaidi100_samples import LATER, NOW, pickup_request

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
                        st.sampled_from(["data", "state", "nu", "ftime", "time", "context", "statusCode", "status",
                                         "result", "returnCode", "message", "comCode", "lastResult", "x", "code",
                                         "success", "kuaidinum", "label", "taskId", "orderId", "price",
                                         "arrivalTime", "deliveryExpendTime", "childNum"]),
                        inner, max_size=6), max_leaves=20)
SALT = "salt"
REQUEST = pickup_request(LATER + timedelta(days=1))


def parse_all(response: httpx.Response) -> None:
    for parse in (lambda: track.parse_track(response, number="YT7700000000001", carrier="kuaidi100"),
                  lambda: autonumber.parse_autonumber(response, number="YT7700000000001", carrier="kuaidi100"),
                  lambda: subscribe.parse_subscribe(response, number="YT7700000000001", company="yuantong",
                                                    url="https://x.example/h", carrier="kuaidi100"),
                  lambda: price.parse_price(response, company="yuantong", carrier="kuaidi100"),
                  lambda: rate.parse_time_estimate(response, ordered=NOW, carrier="kuaidi100"),
                  lambda: ship.parse_ship(response, carrier="kuaidi100"),
                  lambda: ship.parse_label_image(response, carrier="kuaidi100"),
                  lambda: void.parse_void(response, carrier="kuaidi100"),
                  lambda: pickup.parse_pickup(response, request=REQUEST, carrier="kuaidi100"),
                  lambda: pickup.parse_cancel_pickup(response, carrier="kuaidi100")):
        with contextlib.suppress(cg.CarrierError):
            parse()


@settings(max_examples=200, deadline=None)
@given(JSON, st.sampled_from([200, 400, 500]))
def test_any_json_answer(doc: Any, status: int) -> None:
    parse_all(httpx.Response(status, content=json.dumps(doc).encode()))


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=64))
def test_any_bytes_answer(body: bytes) -> None:
    parse_all(httpx.Response(200, content=body))


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_any_signed_push(doc: Any) -> None:
    param = json.dumps(doc)
    body = urlencode({"param": param, "sign": push.push_sign(param, SALT)}).encode()
    try:
        updates = push.parse_push(body, SALT, carrier="kuaidi100")
    except (cg.MalformedResponse, cg.ValidationError):
        return
    assert len(updates) == 1


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=128))
def test_any_bytes_push_is_refused(body: bytes) -> None:
    try:
        push.parse_push(body, SALT, carrier="kuaidi100")
    except cg.AuthenticationError:
        return
    except cg.MalformedResponse:
        return
    raise AssertionError("an unsigned push was accepted")
