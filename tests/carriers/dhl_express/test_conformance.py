"""Conformance of carriergate's own DHL Express WSDL/XSD with DHL's official service description.

The oracle is ../shared/specs/dhl-express-soap (skipped where absent): the schema embedded in DHL's
WSDL is extracted with lxml, compiled with ``lxml.etree.XMLSchema`` and every body carriergate builds
must validate against it; DHL's own sample replies must parse through carriergate's WSDL into
domain objects.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express.ship import ShipContext, parse_ship

from support.dhl_cases import CASES, NS, OWN_WSDL, RATE_BOOK, TRACK, WSDL, body_of, official_schema, sample
from support.dhl_samples import (
    MYDHL,
    domestic_rate,
    first_call,
    international_rate,
    international_ship,
    make_carrier,
    pickup_request,
)


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
    label = parse_ship(sample(specs, "ShipmentResponse-001.xml"), context=context)
    assert label.tracking_number == "1120902495"
    assert label.tracking_numbers == ["1120902495", "JD011100003636319779", "JD011100003636319780"]
    assert label.label.startswith(b"%PDF-")
    assert label.label_format == "PDF"
    assert "dispatch_confirmation_number" not in label.carrier_data


def test_pickup_request_validates_against_the_mydhl_openapi(specs: Path) -> None:
    """The MyDHL ``POST /pickups`` body against DHL's MyDHL API 2.12.0 file (the emulator's check)."""
    from carriergate.sandbox.dhl_express_mydhl import SPEC, conformance_problems

    if not (specs / SPEC).is_file():
        pytest.skip(f"{SPEC} is absent")
    call = first_call(make_carrier(**MYDHL).schedule_pickup(pickup_request()))
    assert conformance_problems(specs, call.request, "/mydhlapi/pickups") == []
    broken = call.request.content.replace(b'"closeTime":"17:30"', b'"closeTime":"5:30pm"')
    bad = httpx.Request("POST", "https://x/mydhlapi/pickups", content=broken)
    assert conformance_problems(specs, bad, "/mydhlapi/pickups") != []
