"""Bad input is refused before anything is sent, naming the field by its dotted path.

Each case builds a request (or runs the command line) against a gateway whose only carrier is an
HTTP carrier on a counting MockTransport: had the request been accepted, rating would have sent one
HTTP request. Every case must fail first, with the expected field, and with zero requests sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import carriergate as cg
from carriergate.cli import app as cli

from support.echo_carrier import EchoCarrier
from support.fake_carrier import registered


class Counter:
    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []

    def transport(self) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            self.sent.append(request)
            return httpx.Response(200, json={"services": [{"code": "std", "price": "1.00"}]})
        return httpx.MockTransport(handle)


@pytest.fixture
def counter() -> Iterator[Counter]:
    with registered(EchoCarrier):
        yield Counter()


def address(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"name": "Li Lei", "street": ["88 Century Avenue"], "city": "Shanghai",
                            "state": "Shanghai", "postal_code": "200120", "country": "CN"}
    return {**base, **changes}


def us(**changes: Any) -> dict[str, Any]:
    return address(**{"name": "Jane Roe", "street": ["350 S Grand Ave"], "city": "Los Angeles", "state": "CA",
                      "postal_code": "90071", "country": "US", **changes})


def item(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"description": "Cotton T-shirt", "hs_code": "610910", "origin_country": "CN",
                            "quantity": 2, "unit_value": {"amount": "60.00", "currency": "USD"},
                            "unit_weight": {"value": "0.4", "unit": "kg"}}
    return {**base, **changes}


def declaration(*items: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {"contents_type": "merchandise", "signer": "Li Lei", "items": list(items) or [item()], **changes}


def parcel(weight: Any = "2.5", unit: str = "kg", **changes: Any) -> dict[str, Any]:
    return {"weight": {"value": weight, "unit": unit}, **changes}


def rate(**changes: Any) -> cg.RateRequest:
    data: dict[str, Any] = {"origin": address(), "destination": address(postal_code="100010", city="Beijing",
                                                                         state="Beijing"),
                            "parcels": [parcel()]}
    return cg.RateRequest(**{**data, **changes})


def intl(**changes: Any) -> cg.RateRequest:
    return rate(**{"destination": us(), "customs": declaration(), **changes})


def window(start: datetime, end: datetime) -> cg.PickupRequest:
    return cg.PickupRequest(address=address(), window={"start": start, "end": end}, parcel_count=1,
                            total_weight={"value": 3, "unit": "kg"})


SOON = datetime.now(UTC) + timedelta(days=1)

MODEL_CASES: list[tuple[str, Callable[[], object], str]] = [
    ("float money", lambda: rate(insurance={"amount": 12.5, "currency": "CNY"}), "insurance.amount"),
    ("money not a number", lambda: rate(insurance={"amount": "12,50", "currency": "CNY"}), "insurance.amount"),
    ("unknown currency", lambda: rate(insurance={"amount": "10", "currency": "XYZ"}), "insurance.currency"),
    ("zero insurance", lambda: rate(insurance={"amount": "0", "currency": "CNY"}), "insurance"),
    ("unknown country", lambda: rate(destination=address(country="XX")), "destination.country"),
    ("missing postal code", lambda: rate(destination=us(postal_code=None)), "destination.postal_code"),
    ("empty street line", lambda: rate(origin=address(street=["  "])), "origin.street[0]"),
    ("no street", lambda: rate(origin=address(street=[])), "origin.street"),
    ("too many street lines", lambda: rate(origin=address(street=["a", "b", "c", "d"])), "origin.street"),
    ("empty name", lambda: rate(origin=address(name="")), "origin.name"),
    ("bad phone", lambda: rate(origin=address(phone="call me")), "origin.phone"),
    ("bad email", lambda: rate(destination=address(email="li.example.cn")), "destination.email"),
    ("unknown address field", lambda: rate(destination=address(colour="red")), "destination.colour"),
    ("unknown request field", lambda: rate(colour="red"), "colour"),
    ("negative weight", lambda: rate(parcels=[parcel("-1")]), "parcels[0].weight.value"),
    ("float-free NaN weight", lambda: rate(parcels=[parcel("NaN")]), "parcels[0].weight.value"),
    ("boolean weight", lambda: rate(parcels=[parcel(True)]), "parcels[0].weight.value"),
    ("bad weight unit", lambda: rate(parcels=[parcel(unit="kgs")]), "parcels[0].weight.unit"),
    ("zero dimension", lambda: rate(parcels=[parcel(dimensions={"length": 30, "width": 20, "height": 0,
                                                                 "unit": "cm"})]), "parcels[0].dimensions.height"),
    ("bad length unit", lambda: rate(parcels=[parcel(), parcel(dimensions={"length": 1, "width": 1, "height": 1,
                                                                         "unit": "ft"})]),
     "parcels[1].dimensions.unit"),
    ("empty parcels", lambda: rate(parcels=[]), "parcels"),
    ("international without customs", lambda: rate(destination=us()), "customs"),
    ("HS code 5 digits", lambda: intl(customs=declaration(item(hs_code="61091"))), "customs.items[0].hs_code"),
    ("HS code letters", lambda: intl(customs=declaration(item(hs_code="61AB10"))), "customs.items[0].hs_code"),
    ("quantity 0", lambda: intl(customs=declaration(item(quantity=0))), "customs.items[0].quantity"),
    ("negative item value", lambda: intl(customs=declaration(item(unit_value={"amount": "-1", "currency": "USD"}))),
     "customs.items[0].unit_value"),
    ("bad item origin", lambda: intl(customs=declaration(item(origin_country="China"))),
     "customs.items[0].origin_country"),
    ("mixed item currencies", lambda: intl(customs=declaration(
        item(), item(unit_value={"amount": "1", "currency": "EUR"}))), "customs.items[1].unit_value.currency"),
    ("merchandise without items", lambda: intl(customs={"contents_type": "merchandise", "signer": "Li Lei"}),
     "customs.items"),
    ("unknown incoterm", lambda: intl(customs=declaration(incoterm="XYZ")), "customs.incoterm"),
    ("items heavier than parcels", lambda: intl(parcels=[parcel("0.5")]), "customs.items"),
    ("insurance currency mismatch", lambda: intl(insurance={"amount": "100", "currency": "EUR"}),
     "insurance.currency"),
    ("insurance above customs value", lambda: intl(insurance={"amount": "120.01", "currency": "USD"}),
     "insurance.amount"),
    ("pickup window naive", lambda: window(SOON.replace(tzinfo=None), SOON + timedelta(hours=2)), "window.start"),
    ("pickup window past", lambda: window(SOON - timedelta(days=3), SOON - timedelta(days=2)), "window.end"),
    ("pickup window reversed", lambda: window(SOON + timedelta(hours=2), SOON), "window.end"),
    ("pickup parcel count 0", lambda: cg.PickupRequest(address=address(), window={"start": SOON, "end": SOON +
                                                       timedelta(hours=2)}, parcel_count=0,
                                                       total_weight={"value": 1, "unit": "kg"}), "parcel_count"),
    ("ship empty reference", lambda: cg.ShipRequest(**rate().model_dump(), carrier="echo", service="std",
                                                    reference=""), "reference"),
    ("ship unknown label format", lambda: cg.ShipRequest(**rate().model_dump(), carrier="echo", service="std",
                                                         reference="R1", label_format="JPEG"), "label_format"),
]


@pytest.mark.parametrize(("build", "field"), [(b, f) for _, b, f in MODEL_CASES], ids=[n for n, _, _ in MODEL_CASES])
def test_model_refuses_bad_input_before_sending(counter: Counter, build: Callable[[], object], field: str) -> None:
    reached: list[object] = []

    def build_then_rate(gw: cg.Gateway) -> None:
        request = build()
        reached.append(request)
        if isinstance(request, cg.RateRequest):
            gw.rate(request)

    with cg.Gateway({"echo": {}}, transport=counter.transport()) as gw, pytest.raises(cg.ValidationError) as info:
        build_then_rate(gw)
    assert info.value.field == field
    assert info.value.code == "validation"
    assert reached == []
    assert counter.sent == []


def test_the_counting_gateway_does_send_for_good_input(counter: Counter) -> None:
    with cg.Gateway({"echo": {}}, transport=counter.transport()) as gw:
        assert gw.rate(intl()).quotes
    assert len(counter.sent) == 1


SH = "CN,200120,Shanghai"
BJ = "CN,100010,Beijing"
LA = "US,90071,Los Angeles,CA"
SENDER = f"{SH};name=Li Lei;street=88 Century Avenue"
RECIPIENT = f"{BJ};name=Han Meimei;street=1 Chang'an Avenue"
ITEM = "Cotton T-shirt,610910,2,60.00 USD"
LATER = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)

CLI_CASES: list[tuple[str, list[str], str]] = [
    ("weight without unit", ["rates", "--from", SH, "--to", BJ, "--weight", "2.5"], "parcels[0].weight.unit"),
    ("negative weight", ["rates", "--from", SH, "--to", BJ, "--weight", "-1kg"], "parcels[0].weight.value"),
    ("unknown weight unit", ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--weight", "2st"],
     "parcels[1].weight.unit"),
    ("weight not a number", ["rates", "--from", SH, "--to", BJ, "--weight", "heavy"], "parcels[0].weight.value"),
    ("size with two sides", ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--size", "30x20cm"],
     "parcels[0].dimensions"),
    ("zero size", ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--size", "30x0x10cm"],
     "parcels[0].dimensions.width"),
    ("unknown country", ["rates", "--from", SH, "--to", "XX,12345", "--weight", "1kg"], "destination.country"),
    ("missing postal code", ["rates", "--from", SH, "--to", "US,", "--weight", "1kg", "--documents"],
     "destination.postal_code"),
    ("address with one part", ["rates", "--from", "CN", "--to", BJ, "--weight", "1kg"], "origin"),
    ("unknown address key", ["rates", "--from", f"{SH};colour=red", "--to", BJ, "--weight", "1kg"], "origin.colour"),
    ("bad email", ["rates", "--from", f"{SH};email=nobody", "--to", BJ, "--weight", "1kg"], "origin.email"),
    ("international without customs", ["rates", "--from", SH, "--to", LA, "--weight", "1kg"], "customs"),
    ("item and documents", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", ITEM, "--documents"],
     "customs"),
    ("item with 3 fields", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", "Shirt,610910,2"],
     "customs.items[0]"),
    ("HS code 5 digits", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", "Shirt,61091,2,6 USD"],
     "customs.items[0].hs_code"),
    ("item quantity 0", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", "Shirt,610910,0,6 USD"],
     "customs.items[0].quantity"),
    ("item without currency", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", "Shirt,610910,1,6"],
     "customs.items[0].unit_value.currency"),
    ("mixed item currencies", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", ITEM,
                               "--item", "Mug,691200,1,9.00 EUR"], "customs.items[1].unit_value.currency"),
    ("insurance without currency", ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--insure", "300"],
     "insurance.currency"),
    ("insurance not a number", ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--insure", "lots CNY"],
     "insurance.amount"),
    ("insurance currency mismatch", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", ITEM,
                                     "--insure", "100 EUR"], "insurance.currency"),
    ("insurance above customs value", ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", ITEM,
                                       "--insure", "500 USD"], "insurance.amount"),
    ("sizes not matching parcels", ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--weight", "2kg",
                                    "--weight", "3kg", "--size", "1x1x1cm", "--size", "2x2x2cm"], "parcels"),
    ("ship without recipient street", ["ship", "--from", SENDER, "--to", f"{BJ};name=Han", "--weight", "1kg",
                                       "--carrier", "echo", "--service", "std", "--reference", "R1"],
     "destination.street"),
    ("ship unknown label format", ["ship", "--from", SENDER, "--to", RECIPIENT, "--weight", "1kg", "--carrier",
                                   "echo", "--service", "std", "--reference", "R1", "--label-format", "jpeg"],
     "label_format"),
    ("pickup naive window", ["pickup", "--carrier", "echo", "--at", SENDER, "--start", "2099-01-01T09:00",
                             "--end", "2099-01-01T12:00", "--weight", "1kg"], "window.start"),
    ("pickup reversed window", ["pickup", "--carrier", "echo", "--at", SENDER, "--start", LATER.isoformat(),
                                "--end", (LATER - timedelta(hours=1)).isoformat(), "--weight", "1kg"], "window.end"),
    ("pickup window not a date", ["pickup", "--carrier", "echo", "--at", SENDER, "--start", "tomorrow",
                                  "--end", LATER.isoformat(), "--weight", "1kg"], "window.start"),
    ("void empty tracking number", ["void", "--carrier", "echo", "--tracking-number", " "], "tracking_number"),
    ("zero deadline", ["rates", "--from", SH, "--to", BJ, "--weight", "1kg", "--deadline", "0"], "deadline"),
]


@pytest.mark.parametrize(("args", "field"), [(a, f) for _, a, f in CLI_CASES], ids=[n for n, _, _ in CLI_CASES])
def test_command_line_refuses_bad_input_before_sending(counter: Counter, monkeypatch: pytest.MonkeyPatch,
                                                       args: list[str], field: str) -> None:
    monkeypatch.setattr(cli, "build_gateway", lambda *_: cg.Gateway({"echo": {}}, transport=counter.transport()))
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {field} (") or result.stderr.startswith(f"error: {field}: ")
    assert result.stderr.count("\n") == 1
    assert counter.sent == []


def test_command_line_sends_for_good_input(counter: Counter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "build_gateway", lambda *_: cg.Gateway({"echo": {}}, transport=counter.transport()))
    result = CliRunner().invoke(cli.app, ["rates", "--from", SH, "--to", LA, "--weight", "1kg", "--item", ITEM])
    assert result.exit_code == 0, result.output
    assert len(counter.sent) == 1
