"""Sample requests, accounts and helpers for UPS tests, shared by several test modules."""

from __future__ import annotations

import copy
import json
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx

import carriergate as cg
from carriergate.carriers.ups import UPSAccount

from support.paths import ROOT
from support.shipments import customs, los_angeles, shanghai

FIXTURES = ROOT / "fixtures" / "ups"


ACCOUNT = UPSAccount(client_id="golden-id", client_secret="golden-secret", account_number="A1B2C3")
#: Where the golden requests go (ACCOUNT is a production account) and the transId they carry.
BASE_URL = "https://onlinetools.ups.com"
TRANS_ID = "0123456789abcdef0123456789abcdef"


SHIP_DAY = date(2099, 5, 4)


PDT = timezone(timedelta(hours=-7))


INVOICE = cg.TradeDocument(kind="commercial_invoice", filename="invoice-ORDER-2002.pdf", content=b"%PDF-1.4 invoice")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def sent(request: httpx.Request) -> Any:
    """The JSON body a built request carries."""
    return json.loads(request.content)


def answer(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json"})


def new_york() -> cg.Address:
    return cg.Address(name="John Doe", company="Acme Widgets", street=["1 Main St", "Suite 400"], city="New York",
                      state="NY", postal_code="10001", country="US", phone="+1 212 555 0100",
                      email="shipping@acme.example")


def domestic_us(**extra: Any) -> cg.RateRequest:
    return cg.RateRequest(origin=new_york(), destination=los_angeles(),
                          parcels=[cg.Parcel(weight=cg.Weight("5.25", "lb"),
                                             dimensions=cg.Dimensions(12, 10, "6.5", "in")),
                                   cg.Parcel(weight=cg.Weight("1", "kg"))],
                          insurance=cg.Money("150.00", "USD"), ship_date=SHIP_DAY, **extra)


def cn_to_us(**extra: Any) -> cg.RateRequest:
    return cg.RateRequest(origin=shanghai(), destination=los_angeles(),
                          parcels=[cg.Parcel(weight=cg.Weight("2.5", "kg"),
                                             dimensions=cg.Dimensions(30, 20, 10, "cm"))],
                          insurance=cg.Money("200.00", "USD"), customs=customs(), ship_date=SHIP_DAY, **extra)


def shipment(request: cg.RateRequest, **extra: Any) -> cg.ShipRequest:
    settings: dict[str, Any] = {"carrier": "ups", "service": "03" if not request.international else "65",
                                "reference": "ORDER-2002", "label_format": "GIF", **extra}
    return cg.ShipRequest(**request.model_dump(), **settings)


def pickup_request() -> cg.PickupRequest:
    start = datetime(2099, 5, 5, 9, 30, tzinfo=PDT)
    return cg.PickupRequest(address=los_angeles(), window=cg.PickupWindow(start=start, end=start + timedelta(hours=8)),
                            parcel_count=2, total_weight=cg.Weight("3.5", "kg"), reference="PU-77",
                            instructions="Ring at the loading dock", tracking_numbers=["1ZA1B2C30312345675"])


def usd(amount: str) -> cg.Money:
    return cg.Money(amount, "USD")


def with_tax_indicator(body: Any) -> Any:
    """A reviewed rate or ship request as it is sent since issue 12: the same JSON with
    ``Shipment.TaxInformationIndicator`` (empty: a presence indicator) asking UPS for taxes."""
    body = copy.deepcopy(body)
    root = body.get("RateRequest") or body["ShipmentRequest"]
    root["Shipment"]["TaxInformationIndicator"] = ""
    return body


def toronto() -> cg.Address:
    return cg.Address(name="Anne Shirley", company="Maple Goods", street=["100 King St W"], city="Toronto", state="ON",
                      postal_code="M5X 1A9", country="CA", phone="+1 416 555 0100")


def montreal() -> cg.Address:
    return cg.Address(name="Jean Tremblay", street=["1000 Rue Sherbrooke O"], city="Montreal", state="QC",
                      postal_code="H3A 3G4", country="CA", phone="+1 514 555 0100", residential=True)


def paris() -> cg.Address:
    return cg.Address(name="Marie Curie", company="Atelier Curie", street=["10 Rue de Rivoli"], city="Paris",
                      postal_code="75004", country="FR", phone="+33 1 42 00 00 00")


def berlin() -> cg.Address:
    return cg.Address(name="Max Mustermann", street=["Unter den Linden 1"], city="Berlin", postal_code="10117",
                      country="DE", phone="+49 30 000000")
