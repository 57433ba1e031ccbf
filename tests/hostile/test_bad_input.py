"""Bad input at the gateway and carrier level: refused naming the field, with zero HTTP requests.

tests/core/test_bad_input.py covers the models and the command line; these cases go through the public
Gateway with every sandbox carrier configured, behind a transport that counts what reaches it.
Rating never raises for one carrier's refusal (it is reported in ``RateResult.errors``), so a rate
case is judged by that error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox.registry import sandbox_gateway_kwargs

import support.dhl_samples as dhl_g
import support.fedex_samples as fedex_g
import support.sf_samples as sf_g
import support.ups_samples as ups_g
from support.shipments import domestic_request, international_request, los_angeles


class Counting(httpx.BaseTransport):
    """The sandbox transport, counting every request that reaches it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        return self.inner.handle_request(request)


@pytest.fixture
def counted() -> Iterator[tuple[cg.Gateway, Counting]]:
    kwargs = sandbox_gateway_kwargs()
    transport = Counting(kwargs["transport"])
    with cg.Gateway(kwargs["config"], transport=transport) as gw:
        yield gw, transport


def ship(carrier: str, base: cg.RateRequest, **changes: Any) -> cg.ShipRequest:
    return cg.ShipRequest(**{**base.model_dump(), "carrier": carrier, "reference": "BAD-1", **changes})


def changed(address: cg.Address, **changes: Any) -> dict[str, Any]:
    return {**address.model_dump(), **changes}


def ups_ship(**changes: Any) -> cg.ShipRequest:
    return ship("ups", ups_g.domestic_us(), **{"service": "03", "label_format": "GIF", **changes})


def fedex_ship(**changes: Any) -> cg.ShipRequest:
    return ship("fedex", fedex_g.domestic_us(), **{"service": "FEDEX_GROUND", **changes})


def dhl_ship(**changes: Any) -> cg.ShipRequest:
    return ship("dhl_express", dhl_g.international_rate(), **{"service": "P", **changes})


def sf_ship(**changes: Any) -> cg.ShipRequest:
    return ship("sf_express", sf_g.rate_request(), **{"service": "2", **changes})


def no_dimensions(request: cg.RateRequest) -> cg.RateRequest:
    return cg.RateRequest(**{**request.model_dump(), "parcels": [{"weight": {"value": "2.5", "unit": "kg"}}]})


Action = Callable[[cg.Gateway], object]

#: (name, action, field named by a ValidationError)
FIELD_CASES: list[tuple[str, Action, str]] = [
    ("UPS PDF label", lambda gw: gw.ship(ups_ship(label_format="PDF")), "label_format"),
    ("UPS PNG label", lambda gw: gw.ship(ups_ship(label_format="PNG")), "label_format"),
    ("FedEx GIF label", lambda gw: gw.ship(fedex_ship(label_format="GIF")), "label_format"),
    ("DHL PNG label", lambda gw: gw.ship(dhl_ship(label_format="PNG")), "label_format"),
    ("DHL GIF label", lambda gw: gw.ship(dhl_ship(label_format="GIF")), "label_format"),
    ("SF USD insurance", lambda gw: gw.ship(sf_ship(insurance=cg.Money("10", "USD"))), "insurance.currency"),
    ("SF HKD insurance", lambda gw: gw.ship(sf_ship(insurance=cg.Money("10", "HKD"))), "insurance.currency"),
    ("SF recipient without province",
     lambda gw: gw.ship(sf_ship(destination=changed(sf_g.beijing(), state=None))), "destination.state"),
    ("SF sender without province",
     lambda gw: gw.ship(sf_ship(origin=changed(sf_g.shanghai(), state=None))), "origin.state"),
    ("SF recipient without phone",
     lambda gw: gw.ship(sf_ship(destination=changed(sf_g.beijing(), phone=None))), "destination.phone"),
    ("DHL ship without dimensions",
     lambda gw: gw.ship(ship("dhl_express", no_dimensions(dhl_g.international_rate()), service="P")),
     "parcels[0].dimensions"),
    ("DHL rate without dimensions",
     lambda gw: gw.rate(no_dimensions(dhl_g.international_rate()), carriers=["dhl_express"]), "parcels[0].dimensions"),
    ("DHL recipient without phone",
     lambda gw: gw.ship(dhl_ship(destination=changed(los_angeles(), phone=None))), "destination.phone"),
    ("FedEx sender without phone",
     lambda gw: gw.ship(fedex_ship(origin=changed(fedex_g.memphis(), phone=None))), "origin.phone"),
    ("FedEx empty tracking number", lambda gw: gw.track("", carrier="fedex"), "tracking_number"),
    ("FedEx whitespace tracking number", lambda gw: gw.track(" \t ", carrier="fedex"), "tracking_number"),
    ("SF empty tracking number", lambda gw: gw.track("", carrier="sf_express"), "tracking_number"),
    ("SF whitespace tracking number", lambda gw: gw.track("   ", carrier="sf_express"), "tracking_number"),
    ("DHL empty tracking number", lambda gw: gw.track("", carrier="dhl_express"), "tracking_number"),
    ("DHL tracking number too long", lambda gw: gw.track("1" * 40, carrier="dhl_express"), "tracking_number"),
    ("DHL tracking number with a newline", lambda gw: gw.track("55512\n34560", carrier="dhl_express"),
     "tracking_number"),
]

#: (name, action, exception type, text the message must contain to name the culprit)
NAMED_CASES: list[tuple[str, Action, type[Exception], str]] = [
    ("rate with an unknown carrier", lambda gw: gw.rate(domestic_request(), carriers=["unknown"]),
     cg.ConfigurationError, "'unknown'"),
    ("ship on an unknown account", lambda gw: gw.ship(ship("nope", domestic_request(), service="x")),
     cg.ConfigurationError, "'nope'"),
    ("track on an unknown account", lambda gw: gw.track("1Z", carrier="nope"), cg.ConfigurationError, "'nope'"),
    ("zero deadline", lambda gw: gw.rate(domestic_request(), carriers=["table"], deadline=0), cg.ValidationError,
     "deadline"),
    ("negative deadline", lambda gw: gw.track("1Z", carrier="ups", deadline=-1), cg.ValidationError, "deadline"),
    ("pickup where none is offered (SF)", lambda gw: gw.schedule_pickup(fedex_g.pickup_request(),
                                                                        carrier="sf_express"),
     cg.NotSupported, "schedule_pickup"),
    # DHL Express books stand-alone pickups through MyDHL since issue 12; without its credentials that
    # is a ConfigurationError before sending (tests/carriers/dhl_express/test_errors.py).
    ("pickup where none is offered (table)", lambda gw: gw.schedule_pickup(fedex_g.pickup_request(), carrier="table"),
     cg.NotSupported, "schedule_pickup"),
    ("ship with the table-rate carrier", lambda gw: gw.ship(ship("table", domestic_request(), service="std")),
     cg.NotSupported, "ship"),
]


def refusal(gw: cg.Gateway, action: Action) -> Exception:
    """The error ``action`` ends with: raised, or a rate's single per-carrier error."""
    try:
        result = action(gw)
    except Exception as exc:
        return exc
    assert isinstance(result, cg.RateResult), f"accepted: {result!r}"
    assert result.quotes == []
    (error,) = result.errors.values()
    return error


@pytest.mark.parametrize(("action", "field"), [(a, f) for _, a, f in FIELD_CASES], ids=[n for n, _, _ in FIELD_CASES])
def test_carrier_rules_name_the_field_and_send_nothing(counted: tuple[cg.Gateway, Counting], action: Action,
                                                       field: str) -> None:
    gw, transport = counted
    error = refusal(gw, action)
    assert isinstance(error, cg.ValidationError), repr(error)
    assert error.field == field
    assert field in str(error)
    assert error.carrier is not None
    assert transport.sent == []


@pytest.mark.parametrize(("action", "kind", "named"), [(a, k, n) for _, a, k, n in NAMED_CASES],
                         ids=[n for n, _, _, _ in NAMED_CASES])
def test_gateway_refusals_name_the_culprit_and_send_nothing(counted: tuple[cg.Gateway, Counting], action: Action,
                                                            kind: type[Exception], named: str) -> None:
    gw, transport = counted
    error = refusal(gw, action)
    assert isinstance(error, kind), repr(error)
    assert named in str(error)
    assert transport.sent == []


def test_the_counting_sandbox_gateway_does_send_good_input(counted: tuple[cg.Gateway, Counting]) -> None:
    gw, transport = counted
    assert gw.rate(international_request(), carriers=["fedex"]).quotes
    assert transport.sent


#: A tracking number is refused before sending when empty, blank, over-long or holding control
#: characters, for every carrier (core.contract.tracking_number, applied by the gateway).
TRACKING_NUMBER_RULES: list[tuple[str, Action]] = [
    ("UPS empty tracking number", lambda gw: gw.track("  ", carrier="ups")),
    ("UPS tracking number with a newline", lambda gw: gw.track("1Z\n123", carrier="ups")),
    ("UPS tracking number 200 characters", lambda gw: gw.track("1Z" * 100, carrier="ups")),
    ("FedEx tracking number with NUL", lambda gw: gw.track("7946\x00", carrier="fedex")),
    ("UPS void of a label without tracking number",
     lambda gw: gw.void(cg.Label(carrier="ups", tracking_number="", label=b"x", label_format="GIF"))),
]


@pytest.mark.parametrize("action", [a for _, a in TRACKING_NUMBER_RULES], ids=[n for n, _ in TRACKING_NUMBER_RULES])
def test_tracking_number_rules(counted: tuple[cg.Gateway, Counting], action: Action) -> None:
    gw, transport = counted
    error = refusal(gw, action)
    assert isinstance(error, cg.ValidationError), repr(error)
    assert error.field == "tracking_number"
    assert transport.sent == []


@pytest.mark.parametrize("number", ["../../../security/v1/oauth/token?x=1#", "1Z/../x", "1Z?a=b", "1Z#frag", "1Z 2",
                                    "..", "%2e%2e"])
def test_a_tracking_number_can_never_steer_the_url(counted: tuple[cg.Gateway, Counting], number: str) -> None:
    gw, transport = counted
    error = refusal(gw, lambda g: g.track(number, carrier="ups"))
    assert isinstance(error, cg.ValidationError)
    assert error.field == "tracking_number"
    assert transport.sent == []


def test_the_ups_adapter_checks_path_segments_itself() -> None:
    """Even called directly, past the gateway, the adapter refuses to put a path into its URL."""
    from carriergate.carriers.ups import UPS, UPSAccount

    carrier = UPS(UPSAccount(client_id="i", client_secret="s", account_number="A1B2C3"))
    with pytest.raises(cg.ValidationError):
        next(carrier.track("../../oauth"))
    label = cg.Label(carrier="ups", tracking_number="1Z1", label=b"x", label_format="GIF",
                     carrier_data={"shipment_id": "../x"})
    with pytest.raises(cg.ValidationError):
        next(carrier.void(label))
