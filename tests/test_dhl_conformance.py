"""Conformance of carriergate's own DHL Express WSDL/XSD with DHL's official service description.

The oracle is ../shared/specs/dhl-express-soap (skipped where absent): the schema embedded in DHL's
WSDL is extracted with lxml, compiled with ``lxml.etree.XMLSchema`` and every body carriergate builds
must validate against it; DHL's own sample replies must parse through carriergate's WSDL into
domain objects.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree
from test_dhl_golden import (
    booked_label,
    domestic_rate,
    domestic_ship,
    first_call,
    international_rate,
    international_ship,
    make_carrier,
)

import carriergate as cg
from carriergate.adapters.sandbox.conformance import wsdl_schemas
from carriergate.carriers.dhl_express.carrier import RATE_BOOK_SERVICE
from carriergate.carriers.dhl_express.shipping import ShipContext, parse_ship

XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
RATE_BOOK = "sndpt-expressRateBook.wsdl"
TRACK = "glDHLExpressTrack.wsdl"
NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/"
TRACK_NS = "http://scxgxtt.phx-dc.dhl.com/glDHLExpressTrack/providers/services/trackShipment"
OWN_WSDL = Path(__file__).resolve().parent.parent / "carriers" / "dhl_express" / "wsdl"


def official_schema(wsdl: Path, namespace: str) -> etree.XMLSchema:
    """The schema for ``namespace`` embedded in DHL's ``wsdl`` (extracted as the sandbox does)."""
    return wsdl_schemas(wsdl)[namespace]


def body_of(request: httpx.Request) -> etree._ElementTree:
    envelope = etree.fromstring(request.content)
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    assert body is not None
    return etree.ElementTree(copy.deepcopy(body[0]))


CASES: list[tuple[str, Callable[[], Any], str, str]] = [
    ("rate international", lambda: make_carrier().rate(international_rate()), RATE_BOOK, NS + "RateMsgRequest"),
    ("rate domestic", lambda: make_carrier().rate(domestic_rate()), RATE_BOOK, NS + "RateMsgRequest"),
    ("ship international, customs, insurance, pickup", lambda: make_carrier().ship(international_ship()), RATE_BOOK,
     NS + "ShipmentMsgRequest"),
    ("ship domestic", lambda: make_carrier().ship(domestic_ship()), RATE_BOOK, NS + "ShipmentMsgRequest"),
    ("delete (void)", lambda: make_carrier().void(booked_label()), RATE_BOOK, NS + "DeleteShipmentRequest"),
    ("track waybill", lambda: make_carrier().track("5551234560"), TRACK, TRACK_NS),
    ("track piece", lambda: make_carrier().track("JD014600005551234561"), TRACK, TRACK_NS),
]


@pytest.mark.parametrize(("case", "flow", "wsdl", "namespace"), CASES, ids=[c[0] for c in CASES])
def test_envelope_validates_against_official_schema(specs: Path, case: str,
                                                    flow: Callable[[], Any], wsdl: str, namespace: str) -> None:
    schema = official_schema(specs / "dhl-express-soap" / wsdl, namespace)
    body = body_of(first_call(flow()).request)
    assert schema.validate(body), f"{case}: {schema.error_log}"


def test_production_wsdl_schema_agrees(specs: Path) -> None:
    schema = official_schema(specs / "dhl-express-soap" / "prod-expressRateBook.wsdl", NS + "ShipmentMsgRequest")
    assert schema.validate(body_of(first_call(make_carrier().ship(international_ship())).request)), schema.error_log


def test_own_schemas_are_valid_xsd() -> None:
    for xsd in sorted(OWN_WSDL.glob("*.xsd")):
        etree.XMLSchema(etree.parse(str(xsd)))  # raises XMLSchemaParseError if not


def test_own_wsdl_soap_actions_match_official(specs: Path) -> None:
    def actions(path: Path) -> dict[str, str]:
        root = etree.parse(str(path)).getroot()
        ops = root.iterfind(f"{{{WSDL}}}binding/{{{WSDL}}}operation")
        soap = "http://schemas.xmlsoap.org/wsdl/soap/"
        return {op.get("name", ""): op.find(f"{{{soap}}}operation").get("soapAction", "")  # type: ignore[union-attr]
                for op in ops}

    ours = {**actions(OWN_WSDL / "expressRateBook.wsdl"), **actions(OWN_WSDL / "glDHLExpressTrack.wsdl")}
    theirs = {**actions(specs / "dhl-express-soap" / RATE_BOOK), **actions(specs / "dhl-express-soap" / TRACK)}
    assert ours == theirs


def sample(specs: Path, name: str) -> httpx.Response:
    return httpx.Response(200, content=(specs / "dhl-express-soap" / "samples" / name).read_bytes(),
                          headers={"content-type": "text/xml; charset=utf-8"})


def test_official_rate_sample_001_parses(specs: Path) -> None:
    quotes = first_call(make_carrier().rate(international_rate())).parse(sample(specs, "RateResponse-001.xml"))
    assert [(q.service_code, q.service_name, q.total) for q in quotes] == [
        ("Q", "MEDICAL EXPRESS", cg.Money("331.13", "EUR")),
        ("P", "EXPRESS WORLDWIDE", cg.Money("331.13", "EUR"))]
    assert [(c.kind, c.amount.amount) for c in quotes[1].charges] == [("base", Decimal("280.62")),
                                                                       ("fuel", Decimal("50.51"))]
    assert quotes[1].transit_days == 4
    assert quotes[1].estimated_delivery == date(2018, 11, 30)


def test_official_rate_sample_002_parses(specs: Path) -> None:
    quotes = first_call(make_carrier().rate(domestic_rate())).parse(sample(specs, "RateResponse-002.xml"))
    assert len(quotes) >= 4
    assert all(q.total.currency == "EUR" and q.total.amount > 0 for q in quotes)
    assert quotes[0].service_code == "I"
    assert quotes[0].total == cg.Money("30.69", "EUR")
    assert sum((c.amount.amount for c in quotes[0].charges), Decimal(0)) == Decimal("30.69")


def test_official_shipment_sample_parses(specs: Path) -> None:
    context = ShipContext(carrier="dhl_express", label_format="PDF", reference="Piece 1", ship_date=date(2018, 7, 11),
                          pickup_country="SG", requestor_name="Tester 1", created_at=make_carrier().clock())
    label = parse_ship(RATE_BOOK_SERVICE.parse("createShipmentRequest", sample(specs, "ShipmentResponse-001.xml")),
                       context)
    assert label.tracking_number == "1120902495"
    assert label.tracking_numbers == ["1120902495", "JD011100003636319779", "JD011100003636319780"]
    assert label.label.startswith(b"%PDF-")
    assert label.label_format == "PDF"
    assert "dispatch_confirmation_number" not in label.carrier_data
