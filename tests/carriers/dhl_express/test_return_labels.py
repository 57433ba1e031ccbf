"""Golden tests of DHL Express return labels (issue 12).

DHL's rate book has no return product or flag; what it documents is how a return is made: a
createShipmentRequest from the customer (Shipper) to the shop (Recipient), billed to the receiver
(``ShippingPaymentType`` R, "Bill-To Receiver", with the receiver's account in
``BillingAccountNumber``) and, abroad, the goods declared with ``ExportReasonType`` RETURN. The
reply is an ordinary ShipmentResponse, read into a Label marked ``is_return``.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

import carriergate as cg
from carriergate.carriers.dhl_express.ship import ShipContext, parse_ship
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.dhl_express import DHLExpressEmulator

from support.dhl_cases import NS, RATE_BOOK, body_of, official_schema
from support.dhl_samples import (
    NOW,
    assert_golden,
    domestic_ship,
    first_call,
    international_ship,
    make_carrier,
    reply,
)

ACCOUNT = "950000002"  # the sample account's number (support.dhl_samples.make_carrier)


def return_of(outbound: cg.ShipRequest, **extra: object) -> cg.ShipRequest:
    """The return label for ``outbound``: its recipient sends the parcel back to its shipper."""
    return outbound.model_copy(update={"origin": outbound.destination, "destination": outbound.origin,
                                       "return_shipment": True, "reference": "RMA-2001", "pickup": None,
                                       "documents": [], **extra})


def _billing(body: etree._Element) -> list[tuple[str, str | None]]:
    billing = body.find(".//ShipmentInfo/Billing")
    assert billing is not None
    return [(child.tag, child.text) for child in billing]


def test_return_labels_are_offered() -> None:
    carrier = make_carrier()
    assert cg.Capability.RETURN_LABEL in carrier.capabilities
    carrier.prepare_ship(return_of(international_ship()))  # not refused before sending


def test_international_return_envelope() -> None:
    """The customer in Los Angeles is the Shipper, the shop in Shanghai the Recipient and the payer."""
    call = first_call(make_carrier().ship(return_of(international_ship())))
    body = etree.fromstring(call.request.content)
    assert _billing(body) == [("ShipperAccountNumber", ACCOUNT), ("ShippingPaymentType", "R"),
                              ("BillingAccountNumber", ACCOUNT)]
    assert body.findtext(".//Ship/Shipper/Address/CountryCode") == "US"
    assert body.findtext(".//Ship/Recipient/Address/CountryCode") == "CN"
    assert {line.findtext("ExportReasonType") for line in body.iterfind(".//ExportLineItem")} == {"RETURN"}
    assert body.findtext(".//ExportDeclaration/ExportReason") == "RETURN"
    assert_golden(call.request, "ship-request-return.xml")


def test_return_envelopes_validate_against_official_schema(specs: Path) -> None:
    schema = official_schema(specs / "dhl-express-soap" / RATE_BOOK, NS + "ShipmentMsgRequest")
    for outbound in (international_ship(), domestic_ship()):
        body = body_of(first_call(make_carrier().ship(return_of(outbound))).request)
        assert schema.validate(body), schema.error_log


def test_domestic_return_is_billed_to_the_receiver() -> None:
    body = etree.fromstring(first_call(make_carrier().ship(return_of(domestic_ship()))).request.content)
    assert _billing(body) == [("ShipperAccountNumber", ACCOUNT), ("ShippingPaymentType", "R"),
                              ("BillingAccountNumber", ACCOUNT)]
    assert body.find(".//ExportDeclaration") is None


def test_return_billed_to_a_third_party_keeps_its_account() -> None:
    payer = cg.Payer(party="third_party", account_number="970000004", country="DE")
    body = etree.fromstring(first_call(make_carrier().ship(return_of(domestic_ship(), billing=payer))).request.content)
    assert _billing(body) == [("ShipperAccountNumber", ACCOUNT), ("ShippingPaymentType", "T"),
                              ("BillingAccountNumber", "970000004")]


def test_outbound_shipment_is_unchanged() -> None:
    body = etree.fromstring(first_call(make_carrier().ship(domestic_ship())).request.content)
    assert _billing(body) == [("ShipperAccountNumber", ACCOUNT), ("ShippingPaymentType", "S")]


def test_return_label_is_a_write_never_repeated_blindly() -> None:
    request = return_of(international_ship())
    call = first_call(make_carrier().ship(request))
    assert (call.kind, call.idempotent, call.reference, call.operation) == ("write", False, "RMA-2001", "ship")


def test_reply_becomes_a_return_label() -> None:
    request = return_of(international_ship())
    label = first_call(make_carrier().ship(request)).parse(reply("ship-reply-return.xml"))
    assert label.is_return is True
    assert label.reference == "RMA-2001"
    assert label.tracking_number == "9100000417"
    assert label.label.startswith(b"%PDF")
    outbound = parse_ship(reply("ship-reply-return.xml"),
                          context=ShipContext.of(international_ship(), now=NOW, carrier="dhl_express"))
    assert outbound.is_return is False


def test_return_label_through_the_emulator() -> None:
    """The emulator makes the return label like any shipment, billed to the receiver, and tracks it."""
    emulator = DHLExpressEmulator()
    accounts = {"dhl_express": {**DHLExpressEmulator.account, "base_url": f"{SANDBOX_HOST}/dhl_express"}}
    with cg.Gateway(accounts, transport=SandboxTransport({"dhl_express": emulator})) as gw:
        label = gw.ship(return_of(international_ship()))
        assert label.is_return is True
        assert label.reference == "RMA-2001"
        assert label.label.startswith(b"%PDF")
        shipment = emulator.shipments[label.tracking_number]
        assert (shipment.origin, shipment.destination, shipment.payment) == ("US", "CN", "R")
        info = gw.track(label.tracking_number, carrier="dhl_express")
        assert info.tracking_number == label.tracking_number
        assert info.status is not cg.TrackingStatus.UNKNOWN
