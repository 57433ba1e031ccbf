"""DHL Express failures as typed errors: SOAP faults, Notification codes (1003 included), unknown
waybills, HTTP-level failures, unreadable replies, and bad input refused before anything is sent."""

from __future__ import annotations

import httpx
import pytest

import carriergate as cg

from support.dhl_samples import (
    booked_label,
    domestic_rate,
    first_call,
    international_rate,
    international_ship,
    make_carrier,
    pickup_window,
    reply,
)
from support.shipments import los_angeles, shanghai


def test_soap_fault_authentication_is_authentication_error() -> None:
    call = first_call(make_carrier().rate(international_rate()))
    with pytest.raises(cg.AuthenticationError) as caught:
        call.parse(reply("fault-authentication.xml", status=500))
    assert caught.value.code == "wsse:FailedAuthentication"
    assert caught.value.message == "The security token could not be authenticated or authorized"
    assert caught.value.http_status == 500


def test_soap_server_fault_keeps_faultcode_and_faultstring() -> None:
    call = first_call(make_carrier().ship(international_ship()))
    with pytest.raises(cg.CarrierError) as caught:
        call.parse(reply("fault-server.xml", status=500))
    assert type(caught.value) is cg.CarrierError  # a definitive refusal: not "unavailable", not "unknown"
    assert caught.value.code == "SOAP-ENV:Server"
    assert caught.value.message == "Shipment creation failed: Invalid postal code for country US"


def test_rate_notification_is_an_error_not_an_empty_result() -> None:
    call = first_call(make_carrier().rate(international_rate()))
    with pytest.raises(cg.CarrierError) as caught:
        call.parse(reply("rate-reply-error.xml"))
    assert caught.value.code == "420504"
    assert "not available" in caught.value.message


def test_pickup_not_offered_on_this_day_is_code_1003() -> None:
    call = first_call(make_carrier().ship(international_ship()))
    with pytest.raises(cg.CarrierError) as caught:
        call.parse(reply("ship-reply-1003.xml"))
    assert type(caught.value) is cg.CarrierError
    assert caught.value.code == "1003"
    assert caught.value.message == "pick-up service is not provided on this day"
    assert not caught.value.retryable


def test_delete_notification_is_an_error() -> None:
    call = first_call(make_carrier().void(booked_label()))
    with pytest.raises(cg.CarrierError) as caught:
        call.parse(reply("delete-reply-error.xml"))
    assert caught.value.code == "1012"


def test_unknown_waybill_is_not_found() -> None:
    call = first_call(make_carrier().track("1234567890"))
    with pytest.raises(cg.NotFound) as caught:
        call.parse(reply("track-reply-not-found.xml"))
    assert caught.value.code == "101"
    assert "No Shipments Found" in caught.value.message


def test_notification_about_credentials_is_authentication_error() -> None:
    text = (reply("rate-reply-error.xml").content.decode()
            .replace("420504", "100").replace("The requested product(s) (P) not available based on your search "
                                              "criteria.", "Authentication failed for user"))
    call = first_call(make_carrier().rate(international_rate()))
    with pytest.raises(cg.AuthenticationError):
        call.parse(httpx.Response(200, content=text.encode()))


@pytest.mark.parametrize(("status", "content", "error"), [
    (503, b"<html><body>Service Unavailable</body></html>", cg.CarrierUnavailable),
    (502, b"", cg.CarrierUnavailable),
    (401, b"", cg.AuthenticationError),
    (403, b"Forbidden", cg.AuthenticationError),
])
def test_http_failures_without_a_soap_body(status: int, content: bytes, error: type[cg.CarrierError]) -> None:
    call = first_call(make_carrier().rate(international_rate()))
    with pytest.raises(error) as caught:
        call.parse(httpx.Response(status, content=content))
    assert caught.value.http_status == status


@pytest.mark.parametrize("content", [
    b"",
    b"not xml at all",
    b"<SOAP-ENV:Envelope xmlns:SOAP-ENV='http://schemas.xmlsoap.org/soap/envelope/'><SOAP-ENV:Body>",
    b"<html><body>maintenance</body></html>",
    # known elements out of order (unknown ones are skipped: tests/protocols/test_soap_tolerance.py)
    b"<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body>"
    b"<r:RateResponse xmlns:r='http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/RateMsgResponse'>"
    b"<Provider><Service type='P'/><Notification code='0'/></Provider></r:RateResponse></e:Body></e:Envelope>",
    # a price that is not a number
    b"<e:Envelope xmlns:e='http://schemas.xmlsoap.org/soap/envelope/'><e:Body>"
    b"<r:RateResponse xmlns:r='http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/RateMsgResponse'>"
    b"<Provider><Notification code='0'/><Service type='P'><TotalNet><Currency>USD</Currency>"
    b"<Amount>lots</Amount></TotalNet></Service></Provider></r:RateResponse></e:Body></e:Envelope>",
])
def test_unreadable_replies_are_malformed(content: bytes) -> None:
    call = first_call(make_carrier().rate(international_rate()))
    with pytest.raises(cg.MalformedResponse):
        call.parse(httpx.Response(200, content=content))


def test_label_reply_without_waybill_is_malformed() -> None:
    text = reply("ship-reply.xml").content.replace(
        b"<ShipmentIdentificationNumber>5551234560</ShipmentIdentificationNumber>", b"")
    with pytest.raises(cg.MalformedResponse):
        first_call(make_carrier().ship(international_ship())).parse(httpx.Response(200, content=text))


# -- bad input: refused before the first exchange -------------------------------------------------
def _ship(**changes: object) -> cg.ShipRequest:
    fields = {**international_ship().model_dump(), **changes}
    return cg.ShipRequest(**fields)


@pytest.mark.parametrize(("request_factory", "field"), [
    (lambda: _ship(label_format="PNG"), "label_format"),
    (lambda: _ship(reference="R" * 40), "reference"),
    (lambda: _ship(signature="adult_signature"), "signature"),
    (lambda: _ship(origin={**shanghai().model_dump(), "phone": None}), "origin.phone"),
    (lambda: _ship(destination={**los_angeles().model_dump(), "street": ["9" * 36]}), "destination.street[0]"),
    (lambda: _ship(parcels=[{"weight": {"value": "2.5", "unit": "kg"}}]), "parcels[0].dimensions"),
])
def test_ship_refuses_bad_input_before_sending(request_factory: object, field: str) -> None:
    request = request_factory()  # type: ignore[operator]
    with pytest.raises(cg.ValidationError) as caught:
        next(make_carrier().ship(request))
    assert field in [e.field for e in caught.value.errors]
    assert caught.value.carrier == "dhl_express"


def test_rate_refuses_incoterm_dhl_does_not_know() -> None:
    request = international_rate()
    assert request.customs is not None
    bad = request.model_copy(update={"customs": request.customs.model_copy(update={"incoterm": "DPU"})})
    with pytest.raises(cg.ValidationError) as caught:
        next(make_carrier().rate(bad))
    assert caught.value.field == "customs.incoterm"


@pytest.mark.parametrize("number", ["12345", "1Z999AA10123456784!", ""])
def test_track_refuses_numbers_that_are_not_dhl(number: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        next(make_carrier().track(number))
    assert caught.value.field == "tracking_number"


def test_cancel_pickup_needs_date_and_country() -> None:
    pickup = cg.Pickup(carrier="dhl_express", confirmation_number="CBJ300603000042")
    with pytest.raises(cg.ValidationError) as caught:
        next(make_carrier().cancel_pickup(pickup))
    assert {e.field for e in caught.value.errors} == {"carrier_data.pickup_country", "carrier_data.ship_date"}


@pytest.mark.parametrize(("settings", "missing"), [
    ({}, "mydhl_username and mydhl_password"),
    ({"mydhl_username": "shop-mydhl"}, "mydhl_password"),
    ({"mydhl_password": "mydhl-secret"}, "mydhl_username"),
])
def test_schedule_pickup_without_mydhl_credentials_is_refused_before_sending(settings: dict[str, str],
                                                                            missing: str) -> None:
    """Issue 12: stand-alone pickups go through the MyDHL API (they were NotSupported); without its
    credentials the flow raises ConfigurationError naming the missing setting, before any Call."""
    request = cg.PickupRequest(address=shanghai(), window=pickup_window(), parcel_count=1,
                               total_weight=cg.Weight(2, "kg"))
    with pytest.raises(cg.ConfigurationError) as caught:
        next(make_carrier(**settings).schedule_pickup(request))
    assert f"set {missing} " in caught.value.message
    assert "mydhl-secret" not in caught.value.message
    assert cg.Capability.SCHEDULE_PICKUP in make_carrier().capabilities


def test_password_never_in_envelope_or_repr() -> None:
    carrier = make_carrier()
    for flow in (carrier.rate(domestic_rate()), carrier.ship(international_ship()), carrier.track("5551234560")):
        assert b"s3cret-pass" not in first_call(flow).request.content
    assert "s3cret-pass" not in repr(carrier) + repr(carrier.account)
    assert carrier.secrets() == ["s3cret-pass"]
