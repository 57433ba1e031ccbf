"""Property-based fuzzing of every carrier parser: the only exception that ever escapes is a CarrierError.

Every parse function is taken from the flow that uses it (drive the flow with ``next()`` and the
real reply fixtures to reach each Call), then fed mutated versions of the carriers' real answers
(fixtures/<carrier>/): keys deleted, values swapped to another JSON type, lists replaced by one
object and objects by lists, random unicode, bytes truncated, HTTP status changed. JSON documents
nested in strings (SF's ``apiResultData``) are mutated inside too. DHL's SOAP replies are mutated
as XML (elements dropped, duplicated, emptied, renamed, text swapped) and go through zeep.

The parsers are called directly, not through the executor (whose safety net would turn a stray
KeyError into MalformedResponse and hide it). Runs are derandomized: the same examples every time.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express import DHLExpress
from carriergate.carriers.fedex import FedEx
from carriergate.carriers.sf_express import SFExpress
from carriergate.carriers.ups import UPS
from carriergate.core.contract import Call

import support.dhl_samples as dhl_g
import support.fedex_samples as fedex_g
import support.sf_samples as sf_g
import support.ups_samples as ups_g
from support.paths import ROOT

FIXTURES = ROOT / "fixtures"
#: Bounded and derandomized in CI; CARRIERGATE_FUZZ_EXAMPLES=600 runs a longer, random exploration.
_EXPLORE = os.environ.get("CARRIERGATE_FUZZ_EXAMPLES")
FUZZ = settings(max_examples=int(_EXPLORE or 80), deadline=None, derandomize=_EXPLORE is None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])


@dataclass(frozen=True)
class Seed:
    carrier: str
    name: str
    status: int = 200

    @property
    def data(self) -> bytes:
        return (FIXTURES / self.carrier / self.name).read_bytes()

    def response(self) -> httpx.Response:
        return answer(self.data, self.status, self.carrier)


def answer(data: bytes, status: int, carrier: str) -> httpx.Response:
    kind = "text/xml; charset=utf-8" if carrier == "dhl_express" else "application/json"
    return httpx.Response(status, content=data, headers={"content-type": kind})


def nth_call(flow: Generator[Call[Any], Any, Any], *before: Seed) -> Call[Any]:
    """The Call a flow yields after the calls answered by ``before`` (in order)."""
    call = next(flow)
    for seed in before:
        call = flow.send(call.parse(seed.response()))
    return call


def finish(flow: Generator[Call[Any], Any, Any], *answers: Seed) -> Any:
    call = next(flow)
    for seed in answers:
        try:
            call = flow.send(call.parse(seed.response()))
        except StopIteration as stop:
            return stop.value
    raise AssertionError("the flow wanted more answers")


# -- the carriers, as the golden tests build them ---------------------------------------------------

def ups() -> UPS:
    return UPS(ups_g.ACCOUNT, today=lambda: ups_g.SHIP_DAY)


def fedex() -> FedEx:
    return FedEx(fedex_g.ACCOUNT)


def sf() -> SFExpress:
    return SFExpress(sf_g.ACCOUNT)


def dhl() -> DHLExpress:
    return dhl_g.make_carrier()


def U(name: str, status: int = 200) -> Seed:
    return Seed("ups", name, status)


def F(name: str, status: int = 200) -> Seed:
    return Seed("fedex", name, status)


def S(name: str, status: int = 200) -> Seed:
    return Seed("sf_express", name, status)


def D(name: str, status: int = 200) -> Seed:
    return Seed("dhl_express", name, status)


def ups_label() -> cg.Label:
    label: cg.Label = finish(ups().ship(ups_g.shipment(ups_g.domestic_us())), U("ship_response_domestic.json"))
    return label


def ups_pickup() -> cg.Pickup:
    pickup: cg.Pickup = finish(ups().schedule_pickup(ups_g.pickup_request()), U("pickup_response.json"))
    return pickup


def sf_label() -> cg.Label:
    label: cg.Label = finish(sf().ship(sf_g.ship_request()), S("create_order_response.json"),
                             S("cloud_print_response.json"))
    return label


#: parser name -> (the Call holding it, the real answers it is fuzzed from)
TARGETS: dict[str, tuple[Callable[[], Call[Any]], list[Seed]]] = {
    "ups.rate": (lambda: nth_call(ups().rate(ups_g.domestic_us())),
                 [U("rate_response_domestic.json"), U("rate_response_single.json"), U("error_ship.json", 400),
                  U("error_auth.json", 401)]),
    "ups.paperless_upload": (lambda: nth_call(ups().ship(ups_g.shipment(ups_g.cn_to_us(), documents=[ups_g.INVOICE]))),
                             [U("paperless_response.json"), U("error_ship.json", 400)]),
    "ups.ship": (lambda: nth_call(ups().ship(ups_g.shipment(ups_g.domestic_us()))),
                 [U("ship_response_domestic.json"), U("ship_response_cn_us.json"), U("error_ship.json", 400)]),
    "ups.void": (lambda: nth_call(ups().void(ups_label())), [U("void_response.json"), U("error_ship.json", 400)]),
    "ups.schedule_pickup": (lambda: nth_call(ups().schedule_pickup(ups_g.pickup_request())),
                            [U("pickup_response.json"), U("error_ship.json", 400)]),
    "ups.cancel_pickup": (lambda: nth_call(ups().cancel_pickup(ups_pickup())), [U("pickup_cancel_response.json")]),
    "ups.track": (lambda: nth_call(ups().track("1Z12345E0205271688")),
                  [U("track_response_delivered.json"), U("track_not_found_error.json", 404),
                   U("track_not_found_warning.json")]),
    "fedex.rate": (lambda: nth_call(fedex().rate(fedex_g.domestic_us())),
                   [F("rate_response.json"), F("error_400.json", 400), F("error_401.json", 401)]),
    "fedex.etd_upload": (lambda: nth_call(fedex().ship(fedex_g.international_ship())),
                         [F("etd_upload_response.json"), F("error_400.json", 400)]),
    "fedex.ship": (lambda: nth_call(fedex().ship(fedex_g.ship_request(fedex_g.domestic_us()))),
                   [F("ship_response.json"), F("error_400.json", 400)]),
    "fedex.void": (lambda: nth_call(fedex().void(fedex_g.label())),
                   [F("cancel_response.json"), F("cancel_refused.json")]),
    "fedex.schedule_pickup": (lambda: nth_call(fedex().schedule_pickup(fedex_g.pickup_request())),
                              [F("pickup_response.json"), F("error_400.json", 400)]),
    "fedex.cancel_pickup": (lambda: nth_call(fedex().cancel_pickup(fedex_g.parsed_pickup())),
                            [F("cancel_pickup_response.json")]),
    "fedex.track": (lambda: nth_call(fedex().track("794612345670")),
                    [F("track_response.json"), F("track_not_found.json")]),
    "sf.rate": (lambda: nth_call(sf().rate(sf_g.rate_request())),
                [S("deliver_tm_response.json"), S("business_error.json"), S("gateway_error_a1005.json")]),
    "sf.create_order": (lambda: nth_call(sf().ship(sf_g.ship_request())),
                        [S("create_order_response.json"), S("create_order_multi_piece_response.json"),
                         S("create_order_duplicate.json"), S("create_order_not_serviceable.json")]),
    "sf.order_query": (lambda: nth_call(sf()._find_order("CG-SH-0001")), [S("search_order_response.json")]),
    "sf.cloud_print": (lambda: nth_call(sf().ship(sf_g.ship_request()), S("create_order_response.json")),
                       [S("cloud_print_response.json"), S("cloud_print_url_only.json")]),
    "sf.void": (lambda: nth_call(sf().void(sf_label())), [S("cancel_order_response.json")]),
    "sf.track": (lambda: nth_call(sf().track("SF1360000000017")),
                 [S("routes_response.json"), S("routes_empty.json"), S("routes_exception.json")]),
    "dhl.rate": (lambda: nth_call(dhl().rate(dhl_g.international_rate())),
                 [D("rate-reply.xml"), D("rate-reply-error.xml"), D("fault-authentication.xml", 500),
                  D("fault-server.xml", 500)]),
    "dhl.ship": (lambda: nth_call(dhl().ship(dhl_g.international_ship())),
                 [D("ship-reply.xml"), D("ship-reply-1003.xml")]),
    "dhl.cancel_pickup": (lambda: nth_call(dhl().void(dhl_g.booked_label())),
                          [D("delete-reply.xml"), D("delete-reply-error.xml")]),
    "dhl.track": (lambda: nth_call(dhl().track("5551234560")),
                  [D("track-reply.xml"), D("track-reply-not-found.xml")]),
}

#: The seeds that are the carrier saying no (each parses to a typed CarrierError).
ERROR_ANSWERS = frozenset({
    "error_ship.json", "error_auth.json", "track_not_found_error.json", "track_not_found_warning.json",
    "error_400.json", "error_401.json", "cancel_refused.json", "track_not_found.json", "business_error.json",
    "gateway_error_a1005.json", "create_order_duplicate.json", "create_order_not_serviceable.json",
    "cloud_print_url_only.json", "routes_empty.json", "rate-reply-error.xml", "fault-authentication.xml",
    "fault-server.xml", "ship-reply-1003.xml", "delete-reply-error.xml", "track-reply-not-found.xml",
})
STATUSES = [200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503]


# -- JSON mutations -------------------------------------------------------------------------------

class Embedded:
    """A JSON document carried as a string inside another (SF's ``apiResultData``)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict[int, Any]) -> Embedded:
        return Embedded(copy.deepcopy(self.value, memo))


def unwrap_embedded(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: unwrap_embedded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [unwrap_embedded(v) for v in node]
    if isinstance(node, str) and node[:1] in "{[":
        try:
            return Embedded(unwrap_embedded(json.loads(node)))
        except ValueError:
            return node
    return node


def dump(node: Any) -> Any:
    if isinstance(node, Embedded):
        return json.dumps(dump(node.value), ensure_ascii=False)
    if isinstance(node, dict):
        return {k: dump(v) for k, v in node.items()}
    if isinstance(node, list):
        return [dump(v) for v in node]
    return node


Path_ = tuple[Any, ...]


def paths(node: Any, here: Path_ = ()) -> Iterator[Path_]:
    if isinstance(node, Embedded):
        yield from paths(node.value, (*here, Embedded))
        return
    if here:
        yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*here, index))


def container(root: Any, path: Path_) -> Any:
    node = root
    for step in path:
        node = node.value if step is Embedded else node[step]
    return node


_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
            | st.sampled_from(["", " ", "0", "-1", "1e999", "NaN", "null", "true", "2099-13-45T25:61:00",
                               "USD", "XXX", "١٢٣", "😀", "\x00", "A" * 300]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


@st.composite
def mutated_json(draw: st.DrawFn, original: Any) -> Any:
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        candidates = list(paths(doc))
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, key = container(doc, path[:-1]), path[-1]
        if key is Embedded:
            continue
        current = parent[key]
        op = draw(st.sampled_from(["delete", "swap", "swap", "to_list", "from_list", "duplicate", "empty"]))
        if op == "delete":
            del parent[key]
        elif op == "swap":
            parent[key] = draw(_values)
        elif op == "to_list":
            parent[key] = [current]
        elif op == "from_list":
            parent[key] = current[0] if isinstance(current, list) and current else {"x": current}
        elif op == "duplicate" and isinstance(current, list):
            current.extend(copy.deepcopy(current))
        else:
            parent[key] = type(current)() if isinstance(current, dict | list | str) else None
    return doc


@st.composite
def json_answers(draw: st.DrawFn, seeds: list[Seed]) -> tuple[bytes, int]:
    seed = draw(st.sampled_from(seeds))
    doc = draw(mutated_json(unwrap_embedded(json.loads(seed.data))))
    data = json.dumps(dump(doc), ensure_ascii=draw(st.booleans())).encode("utf-8")
    return finishing_touches(draw, data, seed)


def finishing_touches(draw: st.DrawFn, data: bytes, seed: Seed) -> tuple[bytes, int]:
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    status = draw(st.sampled_from([seed.status] * 4 + STATUSES))
    return data, status


# -- XML mutations --------------------------------------------------------------------------------

@st.composite
def xml_answers(draw: st.DrawFn, seeds: list[Seed]) -> tuple[bytes, int]:
    seed = draw(st.sampled_from(seeds))
    root = etree.fromstring(seed.data, etree.XMLParser(remove_blank_text=True))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
        if not elements:
            break
        node = draw(st.sampled_from(elements))
        op = draw(st.sampled_from(["drop", "text", "text", "duplicate", "clear", "rename", "child"]))
        parent = node.getparent()
        if op == "drop" and parent is not None:
            parent.remove(node)
        elif op == "text":
            node.text = draw(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20)
                             | st.sampled_from(["", "-1", "NaN", "9" * 40, "2099-13-45", "ÄÖÜ😀"]))
        elif op == "duplicate" and parent is not None:
            parent.insert(parent.index(node), copy.deepcopy(node))
        elif op == "clear":
            for child in list(node):
                node.remove(child)
        elif op == "rename":
            namespace = etree.QName(node).namespace
            local = draw(st.sampled_from(["Unknown", "Charge", "Notification", "Service", "Code", "x"]))
            node.tag = f"{{{namespace}}}{local}" if namespace else local
        else:
            etree.SubElement(node, draw(st.sampled_from(["Extra", "Notification", "Message"]))).text = "?"
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return finishing_touches(draw, data, seed)


# -- the properties ---------------------------------------------------------------------------------

def parse_only_carrier_errors(call: Call[Any], data: bytes, status: int, carrier: str) -> None:
    try:
        call.parse(answer(data, status, carrier))
    except cg.CarrierError as err:
        message = err.message
    else:
        return
    assert isinstance(message, str)  # a usable message, whatever went wrong


def test_every_seed_is_understood_unmutated() -> None:
    """The seeds are the carriers' real answers: each parses or gives the typed error it stands for."""
    for name, (make_call, seeds) in TARGETS.items():
        call = make_call()
        for seed in seeds:
            error: cg.CarrierError | None = None
            try:
                call.parse(seed.response())
            except cg.CarrierError as err:
                error = err
            assert (error is not None) == (seed.name in ERROR_ANSWERS), f"{name}: {seed.name} gave {error!r}"


#: Every operation each carrier's flows send (DHL's void is its cancel_pickup; SF books pickups with
#: the order). A new Call added to a flow must be added to TARGETS, and here.
OPERATIONS = {
    "ups": {"rate", "paperless_upload", "ship", "void", "schedule_pickup", "cancel_pickup", "track"},
    "fedex": {"rate", "etd_upload", "ship", "void", "schedule_pickup", "cancel_pickup", "track"},
    "sf": {"rate", "ship", "order_query", "label", "void", "track"},
    "dhl": {"rate", "ship", "cancel_pickup", "track"},
}


def test_every_carrier_parser_is_fuzzed() -> None:
    found: dict[str, set[str]] = {}
    for name, (make_call, _) in TARGETS.items():
        found.setdefault(name.split(".")[0], set()).add(make_call().operation)
    assert found == OPERATIONS


JSON_TARGETS = [name for name in TARGETS if not name.startswith("dhl.")]
XML_TARGETS = [name for name in TARGETS if name.startswith("dhl.")]


@pytest.mark.parametrize("name", JSON_TARGETS)
def test_json_parsers_raise_only_carrier_errors(name: str) -> None:
    make_call, seeds = TARGETS[name]
    call = make_call()
    carrier = seeds[0].carrier

    @FUZZ
    @given(json_answers(seeds))
    def fuzz(example: tuple[bytes, int]) -> None:
        parse_only_carrier_errors(call, *example, carrier)

    fuzz()


@pytest.mark.parametrize("name", XML_TARGETS)
def test_soap_parsers_raise_only_carrier_errors(name: str) -> None:
    make_call, seeds = TARGETS[name]
    call = make_call()

    @FUZZ
    @given(xml_answers(seeds))
    def fuzz(example: tuple[bytes, int]) -> None:
        parse_only_carrier_errors(call, *example, "dhl_express")

    fuzz()


_garbage = st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", list(TARGETS))
def test_parsers_survive_arbitrary_bytes(name: str) -> None:
    make_call, seeds = TARGETS[name]
    call = make_call()
    carrier = seeds[0].carrier

    @settings(FUZZ, max_examples=30)
    @given(_garbage, st.sampled_from(STATUSES))
    def fuzz(data: bytes, status: int) -> None:
        parse_only_carrier_errors(call, data, status, carrier)

    fuzz()


def test_the_fuzzers_really_mutate() -> None:
    """Guard against a fuzzer that silently returns the seed: mutated documents differ."""
    seed = U("rate_response_domestic.json")
    original = json.loads(seed.data)
    changed: list[bool] = []

    @settings(FUZZ, max_examples=20)
    @given(mutated_json(original))
    def check(doc: Any) -> None:
        changed.append(doc != original)

    check()
    assert sum(changed) >= 15
