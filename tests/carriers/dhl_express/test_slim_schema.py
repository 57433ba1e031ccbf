"""Every DHL Express envelope carriergate builds, and every DHL reply fixture, against carriergate's own
slim schemas (carriers/dhl_express/wsdl: the WSDLs and the *.xsd files they import), with lxml.

The golden tests (tests/carriers/dhl_express/test_golden.py) compare builders with fixtures the code once wrote, and
the conformance tests against DHL's official WSDL skip where ../shared/specs is absent. This module
needs nothing outside the project and never skips: it is the independent check that the builders and
the fixtures still say what our WSDL says DHL accepts and answers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from support.dhl_cases import CASES, body_of
from support.dhl_samples import FIXTURES, first_call
from support.paths import ROOT

OWN_WSDL = ROOT / "carriers" / "dhl_express" / "wsdl"
XS = "http://www.w3.org/2001/XMLSchema"
WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICES = ("expressRateBook.wsdl", "glDHLExpressTrack.wsdl")
#: Fixtures whose body has no schema of ours: SOAP 1.1 faults (their shape is SOAP's, not DHL's).
NO_SLIM_SCHEMA = {"fault-authentication.xml", "fault-server.xml"}


def standalone(wsdl: Path) -> etree._ElementTree:
    """The xs:schema embedded in ``wsdl``, on its own: with the namespace prefixes it borrows from
    wsdl:definitions declared on it, and its imports pointed at the absolute paths of our XSDs."""
    root = etree.parse(str(wsdl)).getroot()
    schema = root.find(f"{{{WSDL}}}types/{{{XS}}}schema")
    assert schema is not None, f"{wsdl.name} embeds no xs:schema"
    namespaces = {k: v for k, v in [*root.nsmap.items(), *schema.nsmap.items()] if k is not None}
    out = etree.Element(schema.tag, nsmap=namespaces, attrib=dict(schema.attrib))
    out.extend(copy.deepcopy(child) for child in schema)
    for imported in out.iterfind(f"{{{XS}}}import"):
        location = imported.get("schemaLocation")
        assert location is not None, f"{wsdl.name}: an import without a schemaLocation"
        assert (wsdl.parent / location).is_file(), f"{wsdl.name}: {location!r} missing"
        imported.set("schemaLocation", (wsdl.parent / location).as_uri())
    return etree.ElementTree(out)


@cache
def schemas() -> dict[str, etree.XMLSchema]:
    """Service WSDL name -> the compiled schema of every body that service sends or receives."""
    return {name: etree.XMLSchema(standalone(OWN_WSDL / name)) for name in SERVICES}


@cache
def declared_roots() -> dict[str, str]:
    """Clark name of every global element our schemas declare -> the service WSDL whose schema has it."""
    roots: dict[str, str] = {}
    for name in SERVICES:
        tree = standalone(OWN_WSDL / name)
        documents = [tree.getroot()] + [etree.parse(str(OWN_WSDL / Path(i.get("schemaLocation", "")).name)).getroot()
                                        for i in tree.getroot().iterfind(f"{{{XS}}}import")]
        for document in documents:
            namespace = document.get("targetNamespace")
            for element in document.iterfind(f"{{{XS}}}element"):
                roots[f"{{{namespace}}}{element.get('name')}"] = name
    return roots


def validate(body: etree._ElementTree, what: str) -> None:
    service = declared_roots().get(body.getroot().tag)
    assert service is not None, f"{what}: our schemas declare no {body.getroot().tag}"
    schema = schemas()[service]
    assert schema.validate(body), f"{what}: {schema.error_log}"


def fixture_body(path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    envelope = etree.parse(str(path), parser).getroot()
    assert envelope.tag == f"{{{SOAP_ENV}}}Envelope", path.name
    body = envelope.find(f"{{{SOAP_ENV}}}Body")
    assert body is not None, f"{path.name}: no soap:Body"
    assert len(body) == 1, f"{path.name}: one element in soap:Body"
    return etree.ElementTree(copy.deepcopy(body[0]))


def test_our_wsdls_compile_with_every_schema_they_import() -> None:
    assert set(schemas()) == set(SERVICES)
    imported = {Path(i.get("schemaLocation", "")).name for name in SERVICES
                for i in standalone(OWN_WSDL / name).getroot().iterfind(f"{{{XS}}}import")}
    assert imported == {p.name for p in OWN_WSDL.glob("*.xsd")}  # no shipped XSD goes unchecked
    roots = declared_roots()
    assert sum(service == "expressRateBook.wsdl" for service in roots.values()) == 6  # 3 requests, 3 replies
    assert "{http://scxgxtt.phx-dc.dhl.com/glDHLExpressTrack/providers/services/trackShipment}" \
           "trackShipmentRequestResponse" in roots


@pytest.mark.parametrize(("case", "flow"), [(c[0], c[1]) for c in CASES], ids=[c[0] for c in CASES])
def test_every_built_envelope_validates_against_our_slim_schema(case: str, flow: Callable[[], Any]) -> None:
    validate(body_of(first_call(flow()).request), case)


def test_the_slim_schema_is_a_real_check() -> None:
    """A body with a required element removed, or an unknown one added, is refused."""
    built = body_of(first_call(CASES[0][1]()).request)
    missing = copy.deepcopy(built)
    shipment = missing.getroot().find("RequestedShipment")
    assert shipment is not None
    ship = shipment.find("Ship")
    assert ship is not None
    shipment.remove(ship)
    assert not schemas()["expressRateBook.wsdl"].validate(missing)
    extra = copy.deepcopy(built)
    etree.SubElement(extra.getroot(), "NotInOurSchema").text = "x"
    assert not schemas()["expressRateBook.wsdl"].validate(extra)


FIXTURE_FILES = sorted(p.name for p in FIXTURES.glob("*.xml"))


@pytest.mark.parametrize("name", [n for n in FIXTURE_FILES if n not in NO_SLIM_SCHEMA])
def test_every_fixture_validates_against_our_slim_schema(name: str) -> None:
    """Replies (success and error) and the request goldens alike."""
    validate(fixture_body(FIXTURES / name), name)


def test_only_soap_faults_lack_a_slim_schema() -> None:
    assert set(FIXTURE_FILES) >= NO_SLIM_SCHEMA
    for name in NO_SLIM_SCHEMA:
        assert fixture_body(FIXTURES / name).getroot().tag == f"{{{SOAP_ENV}}}Fault", name
    replies = [n for n in FIXTURE_FILES if "-reply" in n]
    assert {"rate-reply.xml", "ship-reply.xml", "delete-reply.xml", "track-reply.xml"} <= set(replies)
    assert all(fixture_body(FIXTURES / n).getroot().tag in declared_roots() for n in replies)
