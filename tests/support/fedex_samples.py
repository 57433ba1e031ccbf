"""Sample requests, accounts and helpers for FedEx tests, shared by several test modules."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from email.message import EmailMessage, MIMEPart
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import httpx
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.fedex import FedExAccount, etd, pickup, rate, ship, track, void

from support.paths import ROOT
from support.shipments import international_request, los_angeles

FIXTURES = ROOT / "fixtures" / "fedex"


ACCOUNT = FedExAccount(client_id="golden-id", client_secret="golden-secret", account_number="740561073",
                       environment="sandbox")
#: Where ACCOUNT's requests go (its sandbox hosts).
BASE_URL = "https://apis-sandbox.fedex.com"
DOCUMENTS_URL = "https://documentapitest.prod.fedex.com/sandbox"
#: The correlation id the golden builds are given where the carrier would make a fresh one.
TRANSACTION_ID = "c0ffee00-0000-4000-8000-000000000001"


WINDOW_START = datetime(2099, 3, 2, 9, 30, tzinfo=UTC)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def response(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json"})


def memphis() -> cg.Address:
    return cg.Address(name="Sam Shipper", company="Acme Outfitters", street=["10 Fedex Pkwy", "Suite 200"],
                      city="Collierville", state="TN", postal_code="38017", country="US", phone="+1 (901) 555-0100",
                      email="ship@acme.example")


def domestic_us() -> cg.RateRequest:
    return cg.RateRequest(origin=memphis(), destination=los_angeles(), insurance=cg.Money("100.00", "USD"),
                          parcels=[cg.Parcel(weight=cg.Weight("5", "lb"),
                                             dimensions=cg.Dimensions(12, 10, "8.2", "in")),
                                   cg.Parcel(weight=cg.Weight("20", "oz"))], ship_date=date(2099, 3, 2))


def ship_request(base: cg.RateRequest, **extra: Any) -> cg.ShipRequest:
    fields = {"carrier": "fedex", "service": "FEDEX_GROUND", "reference": "ORDER-1001", **extra}
    return cg.ShipRequest(**base.model_dump(), **fields)


def international_ship() -> cg.ShipRequest:
    invoice = cg.TradeDocument(kind="commercial_invoice", filename="ci-1001.pdf", content=b"%PDF-1.4 invoice")
    return ship_request(international_request(), service="FEDEX_INTERNATIONAL_PRIORITY",
                        signature="adult_signature", label_format="ZPL", documents=[invoice])


def return_ship() -> cg.ShipRequest:
    """A domestic return: the customer in Los Angeles sends the parcel back to the shop in Memphis."""
    return cg.ShipRequest(origin=los_angeles(), destination=memphis(), parcels=[cg.Parcel(weight=cg.Weight("2", "lb"))],
                          carrier="fedex", service="FEDEX_GROUND", reference="RMA-77", return_shipment=True,
                          references=[cg.ShipmentReference(kind="rma", value="RMA-77"),
                                      cg.ShipmentReference(kind="purchase_order", value="PO-5521")])


def pickup_request() -> cg.PickupRequest:
    return cg.PickupRequest(address=memphis(), window=cg.PickupWindow(start=WINDOW_START,
                                                                      end=WINDOW_START.replace(hour=17)),
                            parcel_count=3, total_weight=cg.Weight("12.5", "kg"), reference="PICKUP-7",
                            instructions="Ring the bell at the loading dock", destination_country="US")


# -- the builds, as the carrier makes them ----------------------------------------------------------
def rate_http(request: cg.RateRequest) -> httpx.Request:
    return rate.build_rate(request, ACCOUNT, base_url=BASE_URL, transaction_id=TRANSACTION_ID)


def ship_http(request: cg.ShipRequest, document_ids: tuple[str, ...] = ()) -> httpx.Request:
    return ship.build_ship(request, ACCOUNT, base_url=BASE_URL, document_ids=document_ids, carrier="fedex")


def upload_http(request: cg.ShipRequest) -> httpx.Request:
    return etd.build_upload(request, request.documents[0], ACCOUNT, carrier="fedex")


def void_http(label_: cg.Label) -> httpx.Request:
    return void.build_void(label_, ACCOUNT, base_url=BASE_URL, transaction_id=TRANSACTION_ID)


def pickup_http(request: cg.PickupRequest) -> httpx.Request:
    return pickup.build_pickup(request, ACCOUNT, base_url=BASE_URL, carrier="fedex")


def cancel_pickup_http(booked: cg.Pickup) -> httpx.Request:
    return pickup.build_cancel_pickup(booked, ACCOUNT, base_url=BASE_URL, transaction_id=TRANSACTION_ID,
                                      carrier="fedex")


def track_http(number: str) -> httpx.Request:
    return track.build_track(number, ACCOUNT, base_url=BASE_URL, transaction_id=TRANSACTION_ID)


def body(http: httpx.Request) -> Any:
    """A JSON request's body."""
    return json.loads(http.content)


def form_parts(http: httpx.Request) -> dict[str, MIMEPart]:
    """A multipart request's parts by their form name (read with the standard library's MIME parser)."""
    head = f"content-type: {http.headers['content-type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + http.read())
    assert isinstance(message, EmailMessage)
    return {str(part.get_param("name", header="content-disposition")): part for part in message.iter_parts()}


def document_description(http: httpx.Request) -> Any:
    """The JSON ``document`` part of an ETD upload."""
    return json.loads(form_parts(http)["document"].get_content())


#: fixture -> (method, URL, the build whose body the fixture holds, correlation header)
GOLDEN_REQUESTS: dict[str, tuple[str, str, Callable[[], httpx.Request], str]] = {
    "rate_request_domestic.json": ("POST", BASE_URL + rate.PATH, lambda: rate_http(domestic_us()), TRANSACTION_ID),
    "rate_request_international.json": ("POST", BASE_URL + rate.PATH, lambda: rate_http(international_request()),
                                        TRANSACTION_ID),
    "ship_request_domestic.json": ("POST", BASE_URL + ship.PATH, lambda: ship_http(ship_request(domestic_us())),
                                   "ORDER-1001"),
    "ship_request_international.json": ("POST", BASE_URL + ship.PATH,
                                        lambda: ship_http(international_ship(), ("090493e181586308",)), "ORDER-1001"),
    "etd_document.json": ("POST", DOCUMENTS_URL + etd.PATH, lambda: upload_http(international_ship()), "ORDER-1001"),
    "cancel_request.json": ("PUT", BASE_URL + void.PATH, lambda: void_http(label()), TRANSACTION_ID),
    "pickup_request.json": ("POST", BASE_URL + pickup.PATH, lambda: pickup_http(pickup_request()), "PICKUP-7"),
    "cancel_pickup_request.json": ("PUT", BASE_URL + pickup.CANCEL_PATH, lambda: cancel_pickup_http(parsed_pickup()),
                                   TRANSACTION_ID),
    "track_request.json": ("POST", BASE_URL + track.PATH, lambda: track_http("794612345670"), TRANSACTION_ID),
}


def golden_body(name: str) -> Any:
    """What fixture ``name`` holds of its build: the JSON body, or an ETD upload's document part."""
    http = GOLDEN_REQUESTS[name][2]()
    return document_description(http) if name == "etd_document.json" else body(http)


def label() -> cg.Label:
    return ship.parse_ship(response("ship_response.json"), carrier="fedex", request=international_ship(),
                           account_number="740561073")


def documented_label() -> cg.Label:
    """ship_response_documents.json parsed: a ZPL label, a commercial invoice, alerts."""
    request = ship_request(international_request(), service="FEDEX_INTERNATIONAL_PRIORITY", reference="ORDER-1002")
    return ship.parse_ship(response("ship_response_documents.json"), carrier="fedex", request=request,
                           account_number="740561073")


def parsed_pickup() -> cg.Pickup:
    return pickup.parse_pickup(response("pickup_response.json"), carrier="fedex", request=pickup_request(),
                               carrier_code="FDXE")


def _first_call(flow: Any) -> cg.Call[Any]:
    return next(flow)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                         st.sampled_from(["output", "rateReplyDetails", "ratedShipmentDetails", "serviceType",
                                          "currency", "totalNetCharge", "completeTrackResults", "trackResults",
                                          "scanEvents", "date", "errors", "code", "transactionShipments",
                                          "alerts", "error", "message", "dateAndTimes", "type", "dateTime",
                                          "trackingNumber", "trackingNumberInfo", "pieceResponses",
                                          "shipmentDocuments", "packageDocuments", "encodedLabel", "docType",
                                          "contentType", "deliveryDetails"]),
                         inner, max_size=4), max_leaves=20)
