"""Sample requests, accounts and helpers for FedEx tests, shared by several test modules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import httpx
from hypothesis import strategies as st

import carriergate as cg
from carriergate.carriers.fedex import FedExAccount, cancel, etd, pickup, rate, ship, track

from support.paths import ROOT
from support.shipments import international_request, los_angeles

FIXTURES = ROOT / "fixtures" / "fedex"


ACCOUNT = FedExAccount(client_id="golden-id", client_secret="golden-secret", account_number="740561073",
                       environment="sandbox")


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


def pickup_request() -> cg.PickupRequest:
    return cg.PickupRequest(address=memphis(), window=cg.PickupWindow(start=WINDOW_START,
                                                                      end=WINDOW_START.replace(hour=17)),
                            parcel_count=3, total_weight=cg.Weight("12.5", "kg"), reference="PICKUP-7",
                            instructions="Ring the bell at the loading dock", destination_country="US")


GOLDEN_BUILDS = {
    "rate_request_domestic.json": lambda: rate.build_rate(ACCOUNT, domestic_us()),
    "rate_request_international.json": lambda: rate.build_rate(ACCOUNT, international_request()),
    "ship_request_domestic.json": lambda: ship.build_ship(ACCOUNT, ship_request(domestic_us())),
    "ship_request_international.json": lambda: ship.build_ship(ACCOUNT, international_ship(), ["090493e181586308"]),
    "etd_document.json": lambda: etd.build_document(international_ship(), international_ship().documents[0]),
    "cancel_request.json": lambda: cancel.build_cancel(ACCOUNT, label()),
    "pickup_request.json": lambda: pickup.build_pickup(ACCOUNT, pickup_request()),
    "cancel_pickup_request.json": lambda: pickup.build_cancel_pickup(ACCOUNT, parsed_pickup()),
    "track_request.json": lambda: track.build_track("794612345670"),
}


def label() -> cg.Label:
    return ship.parse_ship(response("ship_response.json"), carrier="fedex", request=international_ship(),
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
                                          "scanEvents", "date", "errors", "code", "transactionShipments"]),
                         inner, max_size=4), max_leaves=20)
