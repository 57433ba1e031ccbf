"""Golden tests of every DHL Express build/parse pair, against fixtures authored under fixtures/dhl_express.

Builders: the envelope a flow yields is compared, canonicalised (C14N, blank text dropped), with the
golden envelope. Parsers: each reply fixture is read through the SOAP layer and the carrier's parser
into domain objects.

Regenerating: ``CARRIERGATE_REGEN_GOLDEN=1`` rewrites the request goldens from the code's own output,
so a regenerated golden proves nothing by itself. Regenerate only after checking the diff by hand
(``git diff fixtures/dhl_express``), and only for a deliberate change. The independent checks are
tests/test_dhl_slim_schema.py (every envelope and fixture against our own WSDL/XSDs; never skips)
and tests/test_dhl_conformance.py (against DHL's official WSDL, where ../shared/specs exists).
"""

from __future__ import annotations

import os
from collections.abc import Generator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express import DHLExpress, DHLExpressAccount, pickup_from_label

from conftest import beijing, customs, los_angeles, shanghai

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "dhl_express"
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


# -- builders -------------------------------------------------------------------------------------
def test_rate_international_envelope() -> None:
    call = first_call(make_carrier().rate(international_rate()))
    assert call.request.url == "https://wsbexpress.dhl.com/sndpt/expressRateBook"
    assert call.request.headers["SOAPAction"] == \
        '"euExpressRateBook_providerServices_ShipmentHandlingServices_Binder_getRateRequest"'
    assert call.idempotent
    assert_golden(call.request, "rate-request-international.xml")


def test_rate_domestic_envelope_converts_units_exactly() -> None:
    call = first_call(make_carrier(environment="production").rate(domestic_rate()))
    assert call.request.url == "https://wsbexpress.dhl.com/gbl/expressRateBook"
    body = etree.fromstring(call.request.content)
    pieces = body.findall(".//RequestedPackages")
    # 5.5 lb = 2.49476803 kg -> 2.495 (rounded up, never down); 12 x 9 x 4.5 in = 30.48 x 22.86 x 11.43 cm.
    assert [p.findtext("Weight/Value") for p in pieces] == ["2.495", "0.8"]
    assert [pieces[0].findtext(f"Dimensions/{d}") for d in ("Length", "Width", "Height")] == \
        ["30.48", "22.86", "11.43"]
    assert_golden(call.request, "rate-request-domestic.xml")


def test_ship_international_envelope_with_customs_insurance_and_pickup() -> None:
    call = first_call(make_carrier().ship(international_ship()))
    assert call.operation == "ship"
    assert not call.idempotent
    assert call.reference == "ORDER-1001"
    body = etree.fromstring(call.request.content)
    assert body.findtext(".//DropOffType") == "REQUEST_COURIER"
    assert body.findtext(".//ShipTimestamp") == "2030-06-03T09:00:00GMT+08:00"
    assert body.findtext(".//PickupLocationCloseTime") == "17:30"
    assert [s.findtext("ServiceType") for s in body.iterfind(".//SpecialServices/Service")] == ["II", "WY"]
    assert body.findtext(".//ExportLineItem/CommodityCode") == "610910"
    assert_golden(call.request, "ship-request-international.xml")


def test_ship_domestic_envelope() -> None:
    call = first_call(make_carrier().ship(domestic_ship()))
    body = etree.fromstring(call.request.content)
    assert body.findtext(".//DropOffType") == "REGULAR_PICKUP"
    assert body.findtext(".//LabelType") == "ZPL"
    assert body.find(".//ExportDeclaration") is None
    assert_golden(call.request, "ship-request-domestic.xml")


def test_void_envelope_cancels_the_booked_pickup() -> None:
    call = first_call(make_carrier().void(booked_label()))
    assert call.request.headers["SOAPAction"] == \
        '"euExpressRateBook_providerServices_ShipmentHandlingServices_Binder_deleteShipmentRequest"'
    assert_golden(call.request, "delete-request.xml")


def test_track_envelope() -> None:
    call = first_call(make_carrier().track("5551234560"))
    assert call.request.url == "https://wsbexpress.dhl.com/sndpt/glDHLExpressTrack"
    assert call.request.headers["SOAPAction"] == \
        '"glDHLExpressTrack_providers_services_trackShipment_Binder_trackShipmentRequest"'
    assert_golden(call.request, "track-request.xml")


def test_track_piece_id_uses_lp_number() -> None:
    body = etree.fromstring(first_call(make_carrier().track("JD014600005551234561")).request.content)
    assert body.findtext(".//LPNumber/ArrayOfTrackingPieceIDItem") == "JD014600005551234561"
    assert body.find(".//AWBNumber") is None


def test_base_url_maps_to_both_services() -> None:
    carrier = make_carrier(base_url="http://proxy.example/dhl/")
    assert carrier.rate_book_url == "http://proxy.example/dhl/expressRateBook"
    assert carrier.tracking_url == "http://proxy.example/dhl/glDHLExpressTrack"


# -- parsers --------------------------------------------------------------------------------------
def test_rate_reply_becomes_quotes() -> None:
    call = first_call(make_carrier().rate(international_rate()))
    quotes = call.parse(reply("rate-reply.xml"))
    assert [q.service_code for q in quotes] == ["P", "K"]  # Y has no price: not a quote
    worldwide = quotes[0]
    assert worldwide.carrier == "dhl_express"
    assert worldwide.service_name == "EXPRESS WORLDWIDE"
    assert worldwide.total == cg.Money("93.17", "USD")
    assert [(c.kind, c.name, c.amount.amount, c.code) for c in worldwide.charges] == [
        ("base", "EXPRESS WORLDWIDE", Decimal("72.00"), None),
        ("insurance", "SHIPMENT INSURANCE", Decimal("8.21"), "II"),
        ("fuel", "FUEL SURCHARGE", Decimal("12.96"), "FF"),
    ]
    assert worldwide.transit_days == 3
    assert worldwide.estimated_delivery == date(2025, 3, 6)
    assert worldwide.billed_weight == "3.000 kg"
    nine = quotes[1]
    assert nine.service_name == "EXPRESS 9:00"  # no ServiceName: the product's own charge names it
    assert nine.transit_days == 2  # from cutoff to delivery when TotalTransitDays is absent
    assert [c.kind for c in nine.charges] == ["base", "surcharge", "fuel", "insurance"]


def test_rate_reply_filtered_by_requested_services() -> None:
    request = international_rate().model_copy(update={"services": ["K"]})
    quotes = first_call(make_carrier().rate(request)).parse(reply("rate-reply.xml"))
    assert [q.service_code for q in quotes] == ["K"]


def test_ship_reply_becomes_label() -> None:
    call = first_call(make_carrier().ship(international_ship()))
    label = call.parse(reply("ship-reply.xml"))
    assert label.tracking_number == "5551234560"
    assert label.tracking_numbers == ["5551234560", "JD014600005551234561", "JD014600005551234562"]
    assert label.label.startswith(b"%PDF-1.4\n% carriergate test label")
    assert label.label_format == "PDF"
    assert label.reference == "ORDER-1001"
    assert label.total == cg.Money("93.17", "USD")
    assert [c.kind for c in label.charges] == ["base", "insurance", "fuel"]
    assert label.carrier_data == {"shipment_id": "5551234560", "ship_date": "2030-06-03", "pickup_country": "CN",
                                  "requestor_name": "Li Lei", "dispatch_confirmation_number": "CBJ300603000042"}
    pickup = pickup_from_label(label)
    assert pickup is not None
    assert pickup.confirmation_number == "CBJ300603000042"


def test_delete_reply_is_success() -> None:
    assert first_call(make_carrier().void(booked_label())).parse(reply("delete-reply.xml")) is None


def test_void_without_booked_pickup_is_refused_not_reported_as_voided() -> None:
    label = booked_label().model_copy(update={"carrier_data": {"shipment_id": "5551234560"}})
    flow = make_carrier().void(label)
    with pytest.raises(cg.NotSupported) as info:
        next(flow)  # before any call is built: nothing is sent
    assert info.value.code == "nothing_to_void"


def test_track_reply_becomes_events() -> None:
    info = first_call(make_carrier().track("5551234560")).parse(reply("track-reply.xml"))
    assert info.tracking_number == "5551234560"
    assert info.status is cg.TrackingStatus.UNKNOWN  # newest checkpoint (ZZ) is a code we do not know
    assert [(e.code, e.status) for e in info.events] == [
        ("ZZ", cg.TrackingStatus.UNKNOWN), ("OK", cg.TrackingStatus.DELIVERED),
        ("WC", cg.TrackingStatus.OUT_FOR_DELIVERY), ("NH", cg.TrackingStatus.DELIVERY_ATTEMPTED),
        ("DF", cg.TrackingStatus.IN_TRANSIT), ("PU", cg.TrackingStatus.IN_TRANSIT)]
    picked_up = info.events[-1]
    assert picked_up.occurred_at == datetime(2030, 6, 3, 15, 20, tzinfo=SHANGHAI_TZ)  # its own GMT offset
    assert info.events[1].occurred_at == datetime(2030, 6, 6, 11, 32, tzinfo=UTC)  # no offset: labelled UTC
    assert info.events[1].description == "Delivered (signed by ROE)"
    assert info.events[1].location == "LOS ANGELES, CA - USA"
    assert info.estimated_delivery == date(2030, 6, 6)
    assert info.raw_status == "ZZ"


def test_track_reply_delivered_when_last_checkpoint_is_ok() -> None:
    text = (FIXTURES / "track-reply.xml").read_text()
    start = text.index("<ArrayOfShipmentEventItem>", text.index("<EventCode>OK</EventCode>"))
    end = text.index("</ShipmentEvent>")
    trimmed = text[:start] + text[end:]
    info = first_call(make_carrier().track("5551234560")).parse(httpx.Response(200, content=trimmed.encode()))
    assert info.status is cg.TrackingStatus.DELIVERED
    assert info.delivered_at == datetime(2030, 6, 6, 11, 32, tzinfo=UTC)
