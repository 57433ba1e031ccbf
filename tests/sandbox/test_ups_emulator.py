"""The UPS emulator's issue-12 operations, through the gateway and raw: return labels are labels,
international forms come back as a PDF, taxes when TaxInformationIndicator is sent, proof of
delivery on delivered packages, reference tracking and Label Recovery (find_label), and the
conformance check waiving only Label Recovery's measured schema defects."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.conformance import Conformance
from carriergate.sandbox.ups import UPSEmulator

from support.paths import ROOT
from support.shipments import international_request, los_angeles
from support.ups_samples import domestic_us, new_york

CONFIG: dict[str, dict[str, Any]] = {"ups": {**UPSEmulator.account, "base_url": SANDBOX_HOST + "/ups"}}
NOW = datetime(2099, 5, 4, 15, 0, tzinfo=UTC)
SPECS = ROOT.parent / "shared" / "specs"


def gateway(emulator: UPSEmulator, **account: Any) -> cg.Gateway:
    return cg.Gateway({"ups": {**CONFIG["ups"], **account}}, transport=SandboxTransport({"ups": emulator}))


def outbound(**extra: Any) -> cg.ShipRequest:
    settings: dict[str, Any] = {"carrier": "ups", "service": "65", "reference": "ORDER-7001", "label_format": "GIF",
                                **extra}
    return cg.ShipRequest(**international_request().model_dump(), **settings)


def test_return_label_is_a_label_from_the_customer() -> None:
    emulator = UPSEmulator(clock=lambda: NOW)
    back = cg.RateRequest(**{**domestic_us().model_dump(), "origin": los_angeles(), "destination": new_york()})
    request = cg.ShipRequest(**back.model_dump(), carrier="ups", service="03", reference="RMA-1", label_format="GIF",
                             return_shipment=True, references=[cg.ShipmentReference(kind="rma", value="RMA-1")])
    with gateway(emulator) as gw:
        label = gw.ship(request)
        assert label.is_return
        assert label.tracking_number.startswith("1Z")
        assert label.label
        sent = json.loads(emulator.requests[-1].content)["ShipmentRequest"]["Shipment"]
        assert sent["ReturnService"]["Code"] == "9"
        assert gw.track(label.tracking_number, carrier="ups").status is cg.TrackingStatus.PRE_TRANSIT


def test_international_forms_and_taxes() -> None:
    emulator = UPSEmulator(clock=lambda: NOW)
    with gateway(emulator) as gw:
        label = gw.ship(outbound())
        assert [(d.kind, d.format) for d in label.documents] == [("commercial_invoice", "PDF")]
        assert label.documents[0].content.startswith(b"%PDF")
    # a Canadian account: HST on the negotiated rate, in the total
    canada = cg.Address(name="Anne Shirley", street=["100 King St W"], city="Toronto", state="ON",
                        postal_code="M5X 1A9", country="CA", phone="+1 416 555 0100")
    ottawa = canada.model_copy(update={"city": "Ottawa", "postal_code": "K1A 0A6"})
    with gateway(UPSEmulator(clock=lambda: NOW)) as gw:
        quotes = gw.rate(cg.RateRequest(origin=canada, destination=ottawa,
                                        parcels=[cg.Parcel(weight=cg.Weight(2, "kg"))]), carriers=["ups"]).quotes
        assert quotes
        for quote in quotes:
            taxes = [c for c in quote.charges if c.kind == "tax"]
            assert [c.code for c in taxes] == ["HST"]
            assert sum((c.amount.amount for c in quote.charges), Decimal(0)) == quote.total.amount


def test_proof_of_delivery_on_delivered_packages() -> None:
    emulator = UPSEmulator(clock=lambda: NOW)
    with gateway(emulator, proof_of_delivery=True) as gw:
        label = gw.ship(outbound())
        infos = [gw.track(label.tracking_number, carrier="ups") for _ in range(5)]
        assert [i.proof_of_delivery is None for i in infos] == [True, True, True, True, False]
        proof = infos[-1].proof_of_delivery
        assert proof is not None
        assert (proof.signed_by, proof.location, proof.signature_format) == ("SANDBOX", "Front Door", "GIF")
        assert proof.received_at == infos[-1].delivered_at
    with gateway(UPSEmulator(clock=lambda: NOW)) as gw:  # no signature image unless asked for
        label = gw.ship(outbound())
        for _ in range(4):
            gw.track(label.tracking_number, carrier="ups")
        plain = gw.track(label.tracking_number, carrier="ups").proof_of_delivery
        assert plain is not None
        assert (plain.signature, plain.signed_by) == (None, "SANDBOX")


def test_find_label_finds_what_ship_made_under_the_reference() -> None:
    emulator = UPSEmulator(clock=lambda: NOW)
    with gateway(emulator) as gw:
        label = gw.ship(outbound(label_format="ZPL"))
        found = gw.find_label("ORDER-7001", carrier="ups")
        assert found is not None
        assert (found.tracking_number, found.reference, found.label_format) == (
            label.tracking_number, "ORDER-7001", "GIF")
        assert found.label
        assert [d.kind for d in found.documents] == ["commercial_invoice"]
        assert gw.find_label("ORDER-0000", carrier="ups") is None
    # reference tracking is narrowed to the shipper number asking
    assert emulator.by_reference("ORDER-7001", "ZZZ999").status_code == 404
    assert emulator.by_reference("ORDER-7001", "SBX123").status_code == 200


@pytest.mark.skipif(not (SPECS / "ups" / "Shipping.yaml").exists(), reason="../shared/specs/ups is absent")
def test_conformance_waives_only_label_recoverys_measured_defects() -> None:
    emulator = UPSEmulator(clock=lambda: NOW)
    emulator.conformance = Conformance(SPECS, ["ups"])
    with gateway(emulator) as gw:
        gw.ship(outbound())
        assert gw.find_label("ORDER-7001", carrier="ups") is not None
        assert emulator.violations == []
        token = next(iter(emulator.state.tokens))
    bad = httpx.Request("POST", SANDBOX_HOST + "/ups/api/labels/v1/recovery",
                        headers={"authorization": f"Bearer {token}", "content-type": "application/json"},
                        json={"LabelRecoveryRequest": {"Request": {}, "TrackingNumber": "1Z", "Unknown": "x"}})
    response = SandboxTransport({"ups": emulator}).handle_request(bad)
    assert response.status_code == 400
    assert len(emulator.violations) == 1

