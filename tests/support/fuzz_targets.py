"""Every carrier parser under fuzz, the real answers it is fuzzed from, and what the fuzz tests share.

Every parse function is taken from the flow that uses it (drive the flow with ``next()`` and the
real reply fixtures to reach each Call): :data:`TARGETS` maps a parser's name to a maker of its Call
and its seeds, the carriers' real answers (fixtures/<carrier>/). The tests in tests/hostile/test_fuzz_*.py
mutate the seeds and check :func:`parse_only_carrier_errors`. The parsers are called directly, not
through the executor (whose safety net would turn a stray KeyError into MalformedResponse and hide
it). Runs are derandomized by :data:`FUZZ`: the same examples every time.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

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


def finishing_touches(draw: st.DrawFn, data: bytes, seed: Seed) -> tuple[bytes, int]:
    """The last mutation of every answer, JSON or XML: sometimes cut short, often another status."""
    if draw(st.integers(min_value=0, max_value=5)) == 0:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]
    status = draw(st.sampled_from([seed.status] * 4 + STATUSES))
    return data, status


def parse_only_carrier_errors(call: Call[Any], data: bytes, status: int, carrier: str) -> None:
    """The property every fuzz test checks: parsing the answer returns, or raises a CarrierError."""
    try:
        call.parse(answer(data, status, carrier))
    except cg.CarrierError as err:
        message = err.message
    else:
        return
    assert isinstance(message, str)  # a usable message, whatever went wrong
