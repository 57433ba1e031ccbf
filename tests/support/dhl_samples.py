"""Sample requests, accounts and helpers for DHL Express tests, shared by several test modules."""

from __future__ import annotations

import json
import os
from collections.abc import Generator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import httpx
from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express import DHLExpress, DHLExpressAccount

from support.paths import ROOT
from support.shipments import beijing, customs, los_angeles, shanghai

FIXTURES = ROOT / "fixtures" / "dhl_express"


SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"


NOW = datetime(2030, 6, 1, 8, 30, tzinfo=UTC)


SHANGHAI_TZ = timezone(timedelta(hours=8))


REFERENCE = "5f2b0c1d9e8a47b3a6c4d2e1f0a9b8c7"


def make_carrier(**settings: Any) -> DHLExpress:
    account = DHLExpressAccount(**{"username": "shop-api", "password": "s3cret-pass", "account_number": "950000002",
                                   "environment": "sandbox", **settings})
    return DHLExpress(account, clock=lambda: NOW, message_reference=lambda: REFERENCE)


def canonical(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True, resolve_entities=False)
    return etree.tostring(etree.fromstring(data, parser), method="c14n")


def pretty(data: bytes) -> bytes:
    parser = etree.XMLParser(remove_blank_text=True)
    return etree.tostring(etree.fromstring(data, parser), pretty_print=True, xml_declaration=True, encoding="utf-8")


def first_call(flow: Generator[cg.Call[Any], Any, Any]) -> cg.Call[Any]:
    return next(flow)


def assert_golden(request: httpx.Request, name: str) -> None:
    path = FIXTURES / name
    if os.environ.get("CARRIERGATE_REGEN_GOLDEN") == "1":
        path.write_bytes(pretty(request.content))
    assert canonical(request.content) == canonical(path.read_bytes()), f"envelope differs from {name}"


def reply(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(),
                          headers={"content-type": "text/xml; charset=utf-8"})


def pickup_window() -> cg.PickupWindow:
    return cg.PickupWindow(start=datetime(2030, 6, 3, 9, 0, tzinfo=SHANGHAI_TZ),
                           end=datetime(2030, 6, 3, 17, 30, tzinfo=SHANGHAI_TZ))


def international_rate() -> cg.RateRequest:
    return cg.RateRequest(origin=shanghai(), destination=los_angeles(),
                          parcels=[cg.Parcel(weight=cg.Weight("2.5", "kg"),
                                             dimensions=cg.Dimensions(30, 20, 10, "cm"))],
                          insurance=cg.Money("200.00", "USD"), customs=customs(), ship_date=date(2030, 6, 3))


def domestic_rate() -> cg.RateRequest:
    return cg.RateRequest(origin=shanghai(), destination=beijing(),
                          parcels=[cg.Parcel(weight=cg.Weight("5.5", "lb"),
                                             dimensions=cg.Dimensions(12, 9, "4.5", "in")),
                                   cg.Parcel(weight=cg.Weight(800, "g"), dimensions=cg.Dimensions(20, 15, 10, "cm"))])


def international_ship() -> cg.ShipRequest:
    return cg.ShipRequest(**international_rate().model_dump(), carrier="dhl_express", service="P",
                          reference="ORDER-1001", pickup=pickup_window(),
                          documents=[cg.TradeDocument(kind="commercial_invoice", filename="invoice.pdf",
                                                      content=b"%PDF-1.4 invoice ORDER-1001")])


def domestic_ship() -> cg.ShipRequest:
    fields = {**domestic_rate().model_dump(), "ship_date": date(2030, 6, 3)}
    return cg.ShipRequest(**fields, carrier="dhl_express", service="N", reference="ORDER-1002", label_format="ZPL")


def booked_label() -> cg.Label:
    return cg.Label(carrier="dhl_express", tracking_number="5551234560", label=b"%PDF", label_format="PDF",
                    carrier_data={"shipment_id": "5551234560", "ship_date": "2030-06-03", "pickup_country": "CN",
                                  "requestor_name": "Li Lei", "dispatch_confirmation_number": "CBJ300603000042"})


MYDHL = {"mydhl_username": "shop-mydhl", "mydhl_password": "mydhl-secret"}


def assert_json_golden(request: httpx.Request, name: str) -> None:
    """A JSON request body against the golden ``name`` (compared as data, not text)."""
    path = FIXTURES / name
    if os.environ.get("CARRIERGATE_REGEN_GOLDEN") == "1":
        path.write_text(json.dumps(json.loads(request.content), indent=2, ensure_ascii=False) + "\n")
    assert json.loads(request.content) == json.loads(path.read_text()), f"body differs from {name}"


def json_reply(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json"})


def pickup_request() -> cg.PickupRequest:
    return cg.PickupRequest(address=shanghai(), window=pickup_window(), parcel_count=2,
                            total_weight=cg.Weight("5.5", "kg"), reference="PICKUP-1001",
                            instructions="Please ring the front desk; parcels are at reception",
                            destination_country="US")


def billed_ship() -> cg.ShipRequest:
    """International, billed to a third party, duties to the recipient's DHL account, three extra
    references, and no invoice of the shop's own (so DHL is asked for its customs invoice)."""
    declaration = customs().model_copy(update={"duty_payer": cg.Payer(party="recipient", account_number="960000003")})
    return cg.ShipRequest(**{**international_rate().model_dump(), "customs": declaration}, carrier="dhl_express",
                          service="P", reference="ORDER-1003",
                          billing=cg.Payer(party="third_party", account_number="970000004", country="DE"),
                          references=[cg.ShipmentReference(kind="purchase_order", value="PO-77"),
                                      cg.ShipmentReference(kind="rma", value="RMA-5"),
                                      cg.ShipmentReference(kind="customer", value="CUST-9")])
