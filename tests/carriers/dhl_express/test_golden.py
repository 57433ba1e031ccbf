"""Golden tests of every DHL Express build/parse pair, against fixtures authored under fixtures/dhl_express.

Builders: the envelope a flow yields is compared, canonicalised (C14N, blank text dropped), with the
golden envelope. Parsers: each reply fixture is read through the SOAP layer and the carrier's parser
into domain objects.

Regenerating: ``CARRIERGATE_REGEN_GOLDEN=1`` rewrites the request goldens from the code's own output,
so a regenerated golden proves nothing by itself. Regenerate only after checking the diff by hand
(``git diff fixtures/dhl_express``), and only for a deliberate change. The independent checks are
tests/carriers/dhl_express/test_slim_schema.py (every envelope and fixture against our own WSDL/XSDs; never skips)
and tests/carriers/dhl_express/test_conformance.py (against DHL's official WSDL, where ../shared/specs exists).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest
from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express import pickup_from_label

from support.dhl_samples import (
    FIXTURES,
    SHANGHAI_TZ,
    assert_golden,
    booked_label,
    domestic_rate,
    domestic_ship,
    first_call,
    international_rate,
    international_ship,
    make_carrier,
    reply,
)


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
    for flow in (carrier.rate(international_rate()), carrier.ship(international_ship()), carrier.void(booked_label())):
        assert first_call(flow).request.url == "http://proxy.example/dhl/expressRateBook"
    assert first_call(carrier.track("5551234560")).request.url == "http://proxy.example/dhl/glDHLExpressTrack"


# -- how each operation's Call is made: read or write, retry-safe or not ---------------------------
@pytest.mark.parametrize(("flow", "operation", "kind", "idempotent", "reference"), [
    (lambda: make_carrier().rate(international_rate()), "rate", "read", True, None),
    (lambda: make_carrier().track("5551234560"), "track", "read", True, None),
    # a label (and the courier pickup booked with it) is never repeated after an ambiguous failure:
    # an outcome-unknown error carries our reference instead
    (lambda: make_carrier().ship(international_ship()), "ship", "write", False, "ORDER-1001"),
    (lambda: make_carrier().ship(domestic_ship()), "ship", "write", False, "ORDER-1002"),
    # cancelling a pickup twice cancels nothing more: a write that may be repeated
    (lambda: make_carrier().cancel_pickup(_booked_pickup()), "cancel_pickup", "write", True, None),
    (lambda: make_carrier().void(booked_label()), "cancel_pickup", "write", True, None),
], ids=["rate", "track", "ship international", "ship domestic", "cancel_pickup", "void"])
def test_each_operation_makes_the_right_kind_of_call(flow: Callable[[], cg.Flow[object]], operation: str, kind: str,
                                                     idempotent: bool, reference: str | None) -> None:
    call = first_call(flow())
    assert (call.operation, call.kind, call.idempotent, call.reference) == (operation, kind, idempotent, reference)
    assert not call.honours_idempotency_key  # DHL's rate book knows no idempotency key
    assert call.auth is None  # the carrier's own auth (WS-Security) is applied by the executor


def test_every_flow_yields_exactly_one_call() -> None:
    carrier = make_carrier()
    replies = {"rate": "rate-reply.xml", "ship": "ship-reply.xml", "cancel_pickup": "delete-reply.xml",
               "track": "track-reply.xml"}
    for flow in (carrier.rate(international_rate()), carrier.ship(international_ship()),
                 carrier.void(booked_label()), carrier.track("5551234560")):
        call = first_call(flow)
        with pytest.raises(StopIteration):
            flow.send(call.parse(reply(replies[call.operation])))


def _booked_pickup() -> cg.Pickup:
    pickup = pickup_from_label(booked_label())
    assert pickup is not None
    return pickup


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
