"""Tolerant, never lossy, SOAP replies: elements a carrier adds are pruned along zeep's own schema
before strict zeep parses, so every known value still arrives and every real break stays loud.

Each DHL Express reply fixture (rate, ship, track) is read once as it is and once with unknown elements
added at the start, in the middle and at the end of sequences, nested with children, in another
namespace, and with unknown attributes: the domain result must be exactly the same.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from lxml import etree

import carriergate as cg
from carriergate.protocols.soap import SoapService, _Pruner, prune_unknown

from support.dhl_samples import FIXTURES, first_call, international_rate, international_ship, make_carrier

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SECRET_TEXT = "carrier-text-that-must-never-be-logged"

Parse = Callable[[httpx.Response], Any]


def parse_rate(response: httpx.Response) -> Any:
    return first_call(make_carrier().rate(international_rate())).parse(response)


def parse_ship(response: httpx.Response) -> Any:
    return first_call(make_carrier().ship(international_ship())).parse(response)


def parse_track(response: httpx.Response) -> Any:
    return first_call(make_carrier().track("5551234560")).parse(response)


PARSERS: dict[str, tuple[str, Parse]] = {
    "rate": ("rate-reply.xml", parse_rate),
    "ship": ("ship-reply.xml", parse_ship),
    "track": ("track-reply.xml", parse_track),
}


def fixture(kind: str) -> str:
    return (FIXTURES / PARSERS[kind][0]).read_text(encoding="utf-8")


def answer(text: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=text.encode("utf-8"), headers={"content-type": "text/xml; charset=utf-8"})


def insert(text: str, anchor: str, snippet: str, *, after: bool = False, every: bool = False) -> str:
    """``snippet`` placed before (or after) the first (or every) occurrence of ``anchor``."""
    assert anchor in text, f"fixture lost its anchor {anchor!r}"
    new = anchor + snippet if after else snippet + anchor
    return text.replace(anchor, new) if every else text.replace(anchor, new, 1)


NESTED = (f'<FutureBlock level="1"><Inner><Leaf code="Z">{SECRET_TEXT}</Leaf><Leaf/></Inner>'
          "<TotalNet><Amount>999.99</Amount></TotalNet></FutureBlock>")
OTHER_NS = f'<x:FutureField xmlns:x="urn:carrier:future"><x:Child>{SECRET_TEXT}</x:Child></x:FutureField>'

Mutation = Callable[[str], str]

MUTATIONS: dict[str, dict[str, Mutation]] = {
    "rate": {
        "start": lambda t: insert(t, '<Provider code="DHL">', f"<FutureFirst>{SECRET_TEXT}</FutureFirst>", after=True),
        "start_of_body": lambda t: insert(t, '<Provider code="DHL">', "<Envelope2>x</Envelope2>"),
        "middle_before_totalnet": lambda t: insert(t, "<TotalNet>", f"<FutureField>{SECRET_TEXT}</FutureField>",
                                                   every=True),
        "middle_between_charges": lambda t: insert(t, "<Charge>", "<ChargeExtra>1</ChargeExtra>", every=True),
        "middle_before_delivery": lambda t: insert(t, "<DeliveryTime>", "<DeliveryWindow>9-17</DeliveryWindow>"),
        "end": lambda t: insert(insert(t, "</Service>", "<Tail/>", every=True), "</Provider>", "<ProviderTail/>"),
        "nested": lambda t: insert(t, "<ChargeAmount>", NESTED, every=True),
        "other_namespace": lambda t: insert(t, "<ServiceName>", OTHER_NS, every=True),
        "body_namespace": lambda t: insert(t, "<Charges>", "<rateresp:Surprise>1</rateresp:Surprise>"),
        # zeep matches an unqualified declaration by local name: a wrongly qualified known element is read
        "qualified_known_name": lambda t: t.replace("<ServiceName>EXPRESS WORLDWIDE</ServiceName>",
                                                    "<rateresp:ServiceName>EXPRESS WORLDWIDE</rateresp:ServiceName>"),
        "attributes": lambda t: t.replace('<Service type="P" account="PAYOR_ACCOUNT">',
                                          '<Service type="P" account="PAYOR_ACCOUNT" future="1" '
                                          'xmlns:z="urn:z" z:flag="y">')
                                 .replace("<TotalNet>", '<TotalNet precision="2">'),
    },
    "ship": {
        "start": lambda t: insert(t, '<Notification code="0">', f"<FutureFirst>{SECRET_TEXT}</FutureFirst>"),
        "middle_before_id": lambda t: insert(t, "<ShipmentIdentificationNumber>", "<FutureField>1</FutureField>"),
        "middle_of_all": lambda t: insert(t, "<GraphicImage>", "<ImageChecksum>abc</ImageChecksum>"),
        "middle_of_pieces": lambda t: insert(t, "<TrackingNumber>", "<PieceKind>box</PieceKind>", every=True),
        "end": lambda t: insert(insert(t, "</shipresp:ShipmentResponse>", "<Tail/>"), "</Charges>", "<Tail/>"),
        "nested": lambda t: insert(t, "</PackageResult>", NESTED, every=True),
        "other_namespace": lambda t: insert(t, "<DispatchConfirmationNumber>", OTHER_NS),
        "attributes": lambda t: t.replace("<LabelImage>", '<LabelImage dpi="300">')
                                 .replace('<PackageResult number="1">', '<PackageResult number="1" kind="box">'),
    },
    "track": {
        "start": lambda t: insert(t, "<AWBNumber>", f"<FutureFirst>{SECRET_TEXT}</FutureFirst>"),
        "start_of_wrapper": lambda t: insert(t, '<ns:TrackingResponse xmlns:ns="http://www.dhl.com">', "<Meta/>"),
        "middle": lambda t: insert(insert(t, "<Signatory>", "<SignatureImage>x</SignatureImage>"),
                                   "<ShipmentDate>", "<ShipperCity>SH</ShipperCity>"),
        "end": lambda t: insert(insert(t, "</ArrayOfShipmentEventItem>", "<GeoPoint/>", every=True),
                                "</ns:TrackingResponse>", "<Trailer/>"),
        "nested": lambda t: insert(t, "<Description>", NESTED, every=True),
        "other_namespace": lambda t: insert(t, "<Pieces>", OTHER_NS),
        "known_namespace_unknown_name": lambda t: insert(t, "<AWBInfo>", "<ns:Pagination>1</ns:Pagination>"),
        "attributes": lambda t: t.replace("<ArrayOfShipmentEventItem>", '<ArrayOfShipmentEventItem seq="1">')
                                 .replace("<AWBInfo>", '<AWBInfo xmlns:q="urn:q" q:v="2">'),
    },
}

CASES = [(kind, name) for kind, mutations in MUTATIONS.items() for name in mutations]


@pytest.fixture(scope="module")
def baseline() -> dict[str, Any]:
    return {kind: parser(answer(fixture(kind))) for kind, (_name, parser) in PARSERS.items()}


def test_baselines_carry_data(baseline: dict[str, Any]) -> None:
    assert [q.service_code for q in baseline["rate"]] == ["P", "K"]
    assert baseline["ship"].tracking_number == "5551234560"
    assert len(baseline["track"].events) == 6


@pytest.mark.parametrize(("kind", "case"), CASES)
def test_unknown_elements_change_nothing(kind: str, case: str, baseline: dict[str, Any]) -> None:
    original = fixture(kind)
    mutated = MUTATIONS[kind][case](original)
    assert mutated != original
    result = PARSERS[kind][1](answer(mutated))
    assert result == baseline[kind]
    assert result  # non-empty: a list of quotes, a label, tracking info


def test_all_mutations_at_once(baseline: dict[str, Any]) -> None:
    for kind, mutations in MUTATIONS.items():
        text = fixture(kind)
        for mutate in mutations.values():
            text = mutate(text)
        assert PARSERS[kind][1](answer(text)) == baseline[kind]


def test_a_late_quote_survives_an_unknown_element_before_its_price(baseline: dict[str, Any]) -> None:
    """The measured failure of zeep's lax mode: an element before TotalNet lost the quote."""
    text = fixture("rate").replace('<Service type="K">', '<Service type="K"><FutureField>1</FutureField>')
    quotes = parse_rate(answer(text))
    assert [(q.service_code, q.total) for q in quotes] == [("P", cg.Money("93.17", "USD")),
                                                            ("K", cg.Money("124.82", "USD"))]
    assert quotes == baseline["rate"]


# -- still loud ------------------------------------------------------------------------------------
LOUD: dict[str, tuple[str, Mutation]] = {
    "rate: required Notification missing": (
        "rate", lambda t: t.replace('<Notification code="0">\n          <Message/>\n        </Notification>', "")),
    "rate: required Notification renamed": (
        "rate", lambda t: t.replace("<Notification ", "<Notice ").replace("</Notification>", "</Notice>")),
    "rate: known elements out of order": (
        "rate", lambda t: t.replace("<NextBusinessDayInd>N</NextBusinessDayInd>", "", 1)
                           .replace("<DeliveryTime>", "<NextBusinessDayInd>N</NextBusinessDayInd><DeliveryTime>", 1)),
    "track: known name in a conflicting namespace": (
        "track", lambda t: t.replace("<ns:TrackingResponse xmlns:ns=\"http://www.dhl.com\">",
                                     "<ns:TrackingResponse xmlns:ns=\"http://www.dhl.com/v2\">")),
    "track: required Time missing": (
        "track", lambda t: t.replace("<Time>02:10:00</Time>", "")),
    "ship: trailing required TrackingNumber renamed": (
        "ship", lambda t: t.replace("<TrackingNumber>JD014600005551234562</TrackingNumber>", "<Renamed>x</Renamed>")),
    "rate: element inside a simple value": (
        "rate", lambda t: t.replace("<Amount>93.17</Amount>", "<Amount>93<Cents>17</Cents></Amount>")),
    "ship: trailing required TrackingNumber missing (zeep alone accepts it)": (
        "ship", lambda t: t.replace("<TrackingNumber>JD014600005551234562</TrackingNumber>", "")),
    "ship: required GraphicImage renamed": (
        "ship", lambda t: t.replace("GraphicImage>", "GraphicImg>")),
    "track: required Date renamed": (
        "track", lambda t: t.replace("<Date>2030-06-04</Date>", "<EventDate>2030-06-04</EventDate>")),
    "track: required ServiceEvent missing": (
        "track", lambda t: t.replace("<ServiceEvent>\n                      <EventCode>DF</EventCode>", "<X>")
                            .replace("Departed Facility in SHANGHAI - CHINA MAINLAND</Description>\n"
                                     "                    </ServiceEvent>", "</X>")),
}


@pytest.mark.parametrize("label", sorted(LOUD))
def test_real_breaks_stay_loud(label: str) -> None:
    kind, mutate = LOUD[label]
    original = fixture(kind)
    mutated = mutate(original)
    assert mutated != original
    with pytest.raises(cg.MalformedResponse) as caught:
        PARSERS[kind][1](answer(mutated))
    assert caught.value.code == "malformed"


def test_soap_faults_still_map_to_typed_errors() -> None:
    with pytest.raises(cg.AuthenticationError) as auth:
        parse_rate(answer(fixture_named("fault-authentication.xml"), status=500))
    assert auth.value.code == "wsse:FailedAuthentication"
    detailed = insert(fixture_named("fault-server.xml"), "</SOAP-ENV:Fault>",
                      "<detail><FutureDetail>1</FutureDetail></detail>")
    with pytest.raises(cg.CarrierError) as server:
        parse_ship(answer(detailed, status=500))
    assert type(server.value) is cg.CarrierError
    assert (server.value.code, server.value.message, server.value.http_status) == \
        ("SOAP-ENV:Server", "Shipment creation failed: Invalid postal code for country US", 500)
    with pytest.raises(cg.CarrierError) as ok_status:  # a fault body with HTTP 200 is still a fault
        parse_ship(answer(fixture_named("fault-server.xml"), status=200))
    assert ok_status.value.code == "SOAP-ENV:Server"


def fixture_named(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# -- logging ---------------------------------------------------------------------------------------
def test_pruned_paths_are_logged_by_tag_without_content(caplog: pytest.LogCaptureFixture) -> None:
    text = insert(fixture("rate"), "<TotalNet>", f'<FutureField note="{SECRET_TEXT}-attr">{SECRET_TEXT}'
                  f"<Child>{SECRET_TEXT}</Child></FutureField>")
    text = insert(text, "<ServiceName>", OTHER_NS)
    with caplog.at_level(logging.DEBUG, logger="carriergate.soap"):
        parse_rate(answer(text))
    messages = [r.getMessage() for r in caplog.records if r.name == "carriergate.soap"]
    assert "pruned element RateResponse/Provider/Service/FutureField not in the service description" in messages
    assert any("RateResponse/Provider/Service/{urn:carrier:future}FutureField" in m for m in messages)
    assert all(r.levelno == logging.DEBUG for r in caplog.records if r.name == "carriergate.soap")
    assert not any("Child" in m for m in messages)  # a pruned subtree is not walked, let alone logged
    assert SECRET_TEXT not in caplog.text


def test_clean_reply_is_passed_through_untouched(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="carriergate.soap"):
        assert parse_track(answer(fixture("track")))
    assert not [r for r in caplog.records if r.name == "carriergate.soap"]


# -- the pruner on zeep's schema objects -------------------------------------------------------------
DHL = "carriergate.carriers.dhl_express"


def test_prune_unknown_counts_and_keeps_tail_text() -> None:
    service = SoapService(DHL, "expressRateBook.wsdl", "expressRateBook", "expressRateBook")
    client, binding = service._client_and_binding()
    envelope = etree.fromstring(insert(fixture("rate"), "<TotalNet>", "<A/><B>x</B>", every=True).encode())
    assert prune_unknown(envelope, client, binding.get("getRateRequest")) == 6
    assert envelope.find(".//A") is None
    assert envelope.find(".//B") is None
    fault = etree.fromstring(fixture_named("fault-server.xml").encode())
    before = etree.tostring(fault)
    assert prune_unknown(fault, client, binding.get("getRateRequest")) == 0
    assert etree.tostring(fault) == before


SCHEMA = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" xmlns:o="urn:o"
  targetNamespace="urn:t" elementFormDefault="qualified">
  <xs:import namespace="urn:o"/>
  <xs:element name="Root">
    <xs:complexType>
      <xs:sequence>
        <xs:choice>
          <xs:element name="A" type="xs:string"/>
          <xs:element name="B" type="xs:string"/>
        </xs:choice>
        <xs:group ref="t:Extra"/>
        <xs:element name="Price" type="t:Money"/>
        <xs:element name="Box" type="t:Base" maxOccurs="unbounded"/>
        <xs:element name="Bag">
          <xs:complexType><xs:sequence><xs:any processContents="lax" minOccurs="0" maxOccurs="unbounded"/>
          </xs:sequence></xs:complexType>
        </xs:element>
        <xs:element name="Free" type="xs:anyType"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:group name="Extra"><xs:sequence><xs:element name="G" type="xs:string"/></xs:sequence></xs:group>
  <xs:complexType name="Money">
    <xs:simpleContent><xs:extension base="xs:decimal"><xs:attribute name="currency" type="xs:string"/>
    </xs:extension></xs:simpleContent>
  </xs:complexType>
  <xs:complexType name="Base"><xs:sequence><xs:element name="Id" type="xs:string"/></xs:sequence></xs:complexType>
  <xs:complexType name="Derived">
    <xs:complexContent><xs:extension base="t:Base">
      <xs:sequence><xs:element name="Size" type="xs:string"/></xs:sequence>
    </xs:extension></xs:complexContent>
  </xs:complexType>
</xs:schema>"""

DOCUMENT = """<t:Root xmlns:t="urn:t" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <u:Lead xmlns:u="urn:u"/><t:B>b</t:B><t:New/><t:G>g</t:G><t:Price currency="USD">1.50</t:Price>
  <t:Box><t:Id>1</t:Id><t:Later/></t:Box>
  <t:Box xsi:type="t:Derived"><t:Id>2</t:Id><t:Size>L</t:Size><t:Later/></t:Box>
  <t:Bag><t:Anything>kept</t:Anything><x:Other xmlns:x="urn:x">kept</x:Other></t:Bag>
  <t:Free><t:Whatever><t:Deep/></t:Whatever></t:Free><t:Tail/>
</t:Root>"""


def schema_and_root() -> tuple[Any, Any]:
    xsd = pytest.importorskip("zeep.xsd")
    schema = xsd.Schema(etree.fromstring(SCHEMA.encode()))
    return schema, schema.get_element("{urn:t}Root")


def test_pruner_handles_choice_group_simple_content_xsi_type_any_and_anytype() -> None:
    schema, root = schema_and_root()
    node = etree.fromstring(DOCUMENT.encode())
    pruner = _Pruner(schema)
    pruner.walk(node, root, "Root")
    kept = [etree.QName(e).localname for e in node.iter() if isinstance(e.tag, str)]
    assert kept == ["Root", "B", "G", "Price", "Box", "Id", "Box", "Id", "Size", "Bag", "Anything", "Other",
                    "Free", "Whatever", "Deep"]
    assert pruner.removed == 5  # Lead, New, Later twice (Size kept: the xsi:type declares it), Tail
    parsed = root.parse(node, schema)  # strict zeep reads the pruned document
    assert (parsed.B, parsed.G, str(parsed.Price._value_1), parsed.Price.currency) == ("b", "g", "1.50", "USD")
    assert [box.Id for box in parsed.Box] == ["1", "2"]


def test_pruner_refuses_elements_inside_simple_content() -> None:
    schema, root = schema_and_root()
    node = etree.fromstring(DOCUMENT.replace("1.50</t:Price>", "1.50<t:Cents>5</t:Cents></t:Price>").encode())
    with pytest.raises(ValueError, match="simple value Root/Price"):
        _Pruner(schema).walk(node, root, "Root")
