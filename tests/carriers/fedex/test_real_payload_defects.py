"""Defects that payloads in FedEx's documented format show (issue 12): several shipments under one
number, specific scan event types, scans that come with an error, FedEx's own service names, the
label format FedEx states, and the alerts on successful answers. Each test failed before its fix."""

from __future__ import annotations

from datetime import datetime

import pytest

import carriergate as cg
from carriergate.carriers.fedex import pickup, rate, track

from support.fedex_samples import documented_label, pickup_request, response


def _codes(notices: list[cg.Notice]) -> list[str | None]:
    return [n.code for n in notices]


# -- defects -------------------------------------------------------------------------------------
def test_several_shipments_under_one_number_take_the_most_recent_and_say_so() -> None:
    info = track.parse_track(response("track_several_shipments.json"), carrier="fedex",
                             tracking_number="449044304137821")
    # The second result is the 2030 shipment (the first, delivered, is from 2029): never silently the first.
    assert info.status is cg.TrackingStatus.IN_TRANSIT
    assert info.events[0].description == "Arrived at FedEx location"
    assert info.delivered_at is None
    assert info.estimated_delivery == datetime.fromisoformat("2030-03-06T20:00:00-05:00")
    assert _codes(info.warnings) == ["several_shipments"]
    assert "2 shipments" in info.warnings[0].message
    assert "2030-03-02" in info.warnings[0].message


def test_specific_event_types_win_over_the_derived_status() -> None:
    info = track.parse_track(response("track_ready_for_pickup.json"), carrier="fedex", tracking_number="794612345692")
    assert [(e.code, e.status) for e in info.events] == [
        ("HP", cg.TrackingStatus.AVAILABLE_FOR_PICKUP), ("OD", cg.TrackingStatus.OUT_FOR_DELIVERY),
        ("AR", cg.TrackingStatus.IN_TRANSIT)]
    assert [e.codes for e in info.events] == [{"eventType": "HP", "derivedStatusCode": "IT"},
                                              {"eventType": "OD", "derivedStatusCode": "IT"},
                                              {"eventType": "AR", "derivedStatusCode": "IT"}]
    # The rolled-up latest status says only IT; the newest scan says more.
    assert info.status is cg.TrackingStatus.AVAILABLE_FOR_PICKUP
    assert info.raw_status == "IT"


def test_scans_with_an_error_are_kept_and_the_error_is_a_warning() -> None:
    info = track.parse_track(response("track_scans_with_error.json"), carrier="fedex", tracking_number="794612345703")
    assert info.status is cg.TrackingStatus.DELIVERED
    assert [e.code for e in info.events] == ["DL", "OD"]
    assert _codes(info.warnings) == ["TRACKING.DATA.PARTIAL", "TRACKING.SIGNATUREPROOF.UNAVAILABLE"]
    assert info.warnings[1].message == "Signature proof of delivery is not yet available for this shipment."


def test_an_error_without_scans_still_raises() -> None:
    with pytest.raises(cg.NotFound):
        track.parse_track(response("track_not_found.json"), carrier="fedex", tracking_number="123456789012")


def test_quotes_take_fedex_service_name_and_alerts() -> None:
    priority, future = rate.parse_rate(response("rate_response.json"), carrier="fedex")
    assert priority.service_name == "FedEx International Priority®"  # FedEx's serviceName, not our table
    assert future.service_name == "FedEx Future Service"
    assert [(n.code, n.message) for n in priority.warnings] == [("VIRTUAL.RESPONSE", "This is a virtual response.")]
    assert future.warnings == priority.warnings


def test_label_format_is_the_one_fedex_states() -> None:
    parsed = documented_label()  # asked for PDF (the default); FedEx states ZPLII and sends ZPL
    assert parsed.label_format == "ZPL"
    assert parsed.label.startswith(b"^XA")


def test_shipment_alerts_are_carried_on_the_label() -> None:
    assert _codes(documented_label().warnings) == ["SHIPMENT.VALIDATION.SUCCESS",
                                                    "RECIPIENTCONTACT.PHONENUMBER.INVALID"]


def test_pickup_alerts_are_carried_on_the_pickup() -> None:
    booked = pickup.parse_pickup(response("pickup_response.json"), carrier="fedex", request=pickup_request(),
                                 carrier_code="FDXE")
    assert [(n.code, n.message) for n in booked.warnings] == [("PICKUP.SCHEDULED", "Pickup scheduled.")]
