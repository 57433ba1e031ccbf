"""YunExpress parsers under fuzz: YunExpress's own answers (fixtures/yunexpress/) with values replaced
by arbitrary JSON, cut short, or under another status, only ever parse or raise a CarrierError (never
a KeyError or TypeError). Each parser is taken from the flow that uses it."""

from __future__ import annotations

import json
from collections.abc import Callable, Generator
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.yunexpress import YunExpress
from carriergate.core.contract import Call

from support.fuzz_targets import FUZZ, STATUSES, parse_only_carrier_errors
from support.yunexpress_samples import PDF, SETTINGS, answer, fixture, ship_request

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                max_size=3), max_leaves=8)


def carrier() -> YunExpress:
    return YunExpress(YunExpress.account_model(**{**SETTINGS, "base_url": "https://yt.example.test"}))


def first(flow: Generator[Call[Any], Any, Any]) -> Call[Any]:
    return next(flow)


def label_call() -> Call[Any]:
    """The label fetch: the second call of ship, once the create was answered."""
    flow = carrier().ship(ship_request())
    create = next(flow)
    return flow.send(create.parse(answer("create_response.json")))


TARGETS: dict[str, tuple[Callable[[], Call[Any]], list[str]]] = {
    "create": (lambda: first(carrier().ship(ship_request())), ["create_response.json", "error_refused.json"]),
    "label": (label_call, ["label_response.json", "label_url_response.json"]),
    "rate": (lambda: first(carrier().rate(ship_request())), ["price_trial_response.json"]),
    "track": (lambda: first(carrier().track("YT2533700000000001")),
              ["track_response.json", "track_response_local_time.json", "track_not_found.json"]),
    "void": (lambda: first(carrier().void(cg.Label(carrier="yunexpress", tracking_number="YT2533700000000001",
                                                   label=PDF, label_format="PDF"))), ["void_response.json"]),
    "lookup": (lambda: first(carrier().find_label("ORDER-1001")), ["order_info_response.json"]),
}


def mutate(data: Any, draw: st.DataObject) -> Any:
    """``data`` with one value somewhere replaced by arbitrary JSON."""
    if isinstance(data, dict) and data and draw.draw(st.booleans()):
        key = draw.draw(st.sampled_from(sorted(data)))
        return {**data, key: mutate(data[key], draw)}
    if isinstance(data, list) and data and draw.draw(st.booleans()):
        index = draw.draw(st.integers(min_value=0, max_value=len(data) - 1))
        return [*data[:index], mutate(data[index], draw), *data[index + 1:]]
    return draw.draw(JSON)


@pytest.mark.parametrize("target", sorted(TARGETS))
@FUZZ
@given(data=st.data())
def test_parsers_raise_only_carrier_errors(target: str, data: st.DataObject) -> None:
    make, seeds = TARGETS[target]
    body = mutate(fixture(data.draw(st.sampled_from(seeds))), data)
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    if data.draw(st.integers(min_value=0, max_value=5)) == 0:
        raw = raw[: data.draw(st.integers(min_value=0, max_value=len(raw)))]
    parse_only_carrier_errors(make(), raw, data.draw(st.sampled_from([200, 200, *STATUSES])), "yunexpress")
