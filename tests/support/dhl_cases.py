"""Sample requests, accounts and helpers for DHL Express conformance tests, shared by several test modules."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from lxml import etree

from carriergate.sandbox.conformance import wsdl_schemas

from support.dhl_samples import (
    billed_ship,
    booked_label,
    domestic_rate,
    domestic_ship,
    international_rate,
    international_ship,
    make_carrier,
)
from support.paths import ROOT

XS = "http://www.w3.org/2001/XMLSchema"


WSDL = "http://schemas.xmlsoap.org/wsdl/"


SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


RATE_BOOK = "sndpt-expressRateBook.wsdl"


TRACK = "glDHLExpressTrack.wsdl"


NS = "http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/"


TRACK_NS = "http://scxgxtt.phx-dc.dhl.com/glDHLExpressTrack/providers/services/trackShipment"


OWN_WSDL = ROOT / "carriers" / "dhl_express" / "wsdl"


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
    ("ship billed to a third party, duty payer, references, DHL customs invoice",
     lambda: make_carrier().ship(billed_ship()), RATE_BOOK, NS + "ShipmentMsgRequest"),
    ("track several waybills", lambda: make_carrier().track_many(["5551234560", "5551234571"]), TRACK, TRACK_NS),
]


def sample(specs: Path, name: str) -> httpx.Response:
    return httpx.Response(200, content=(specs / "dhl-express-soap" / "samples" / name).read_bytes(),
                          headers={"content-type": "text/xml; charset=utf-8"})
