"""Golden tests of the DHL Express defects of issue 12, each on a reply in DHL's documented format
(fixtures/dhl_express, laid out as DHL's RateResponse / ShipmentResponse samples): each failed on the
code before the fix.

a. an optional service listed without an amount (priced on request) sank the whole rate reply;
b. a label's format is the one DHL states in ``LabelImage/LabelImageFormat``, and a stated format
   carriergate has no name for is said, not silently replaced by the requested one;
c. DHL's remarks beside a successful answer (non-zero Notifications, Warnings) are carried as
   warnings: they were raised as errors (a second Notification) or dropped (a Warning).
"""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

import carriergate as cg

from support.dhl_samples import domestic_ship, first_call, international_rate, international_ship, make_carrier, reply


# -- a. charges priced on request -----------------------------------------------------------------
def test_rate_service_priced_on_request_is_skipped_and_said_not_fatal() -> None:
    quotes = first_call(make_carrier().rate(international_rate())).parse(reply("rate-reply-priced-on-request.xml"))
    assert [q.service_code for q in quotes] == ["P"]
    quote = quotes[0]
    assert quote.total == cg.Money("84.96", "USD")
    assert [(c.kind, c.name, c.amount.amount) for c in quote.charges] == [
        ("base", "EXPRESS WORLDWIDE", Decimal("72.00")), ("fuel", "FUEL SURCHARGE", Decimal("12.96"))]
    assert [w.message for w in quote.warnings] == [
        "DHL Express listed 'SATURDAY PICKUP' without an amount (priced on request): not included in the charges",
        "DHL Express listed 'SATURDAY DELIVERY' without an amount (priced on request): not included in the charges"]


def test_ship_charge_priced_on_request_is_skipped_and_said() -> None:
    label = first_call(make_carrier().ship(international_ship())).parse(reply("ship-reply-warnings.xml"))
    assert label.total == cg.Money("84.96", "USD")
    assert [c.name for c in label.charges] == ["EXPRESS WORLDWIDE", "FUEL SURCHARGE"]
    assert any("'SATURDAY PICKUP' without an amount" in w.message for w in label.warnings)


def test_a_charge_that_is_not_a_number_is_still_malformed() -> None:
    text = (reply("rate-reply-priced-on-request.xml").content.decode()
            .replace("<ChargeAmount>12.96</ChargeAmount>", "<ChargeAmount>twelve</ChargeAmount>"))
    with pytest.raises(cg.MalformedResponse):
        first_call(make_carrier().rate(international_rate())).parse(httpx.Response(200, content=text.encode()))


# -- b. the label format DHL states ---------------------------------------------------------------
def test_label_format_is_the_one_dhl_states() -> None:
    request = international_ship().model_copy(update={"label_format": "PDF"})
    label = first_call(make_carrier().ship(request)).parse(reply("ship-reply-documents.xml"))
    assert label.label_format == "ZPL"  # DHL answered in ZPL: the reply, not the request, says so
    assert label.label.startswith(b"^XA")
    assert label.warnings == []


def test_a_stated_format_carriergate_does_not_know_is_said() -> None:
    label = first_call(make_carrier().ship(domestic_ship())).parse(reply("ship-reply-label-lp2.xml"))
    assert label.label_format == "ZPL"  # the requested one, and a warning that DHL said LP2
    assert [(w.code, w.message) for w in label.warnings] == [
        ("label_format", "DHL Express states the label format 'LP2', which carriergate does not know; "
                         "reported as the requested ZPL")]


# -- c. warnings beside a success -----------------------------------------------------------------
def test_rate_notifications_beside_success_are_warnings() -> None:
    quotes = first_call(make_carrier().rate(international_rate())).parse(reply("rate-reply-warnings.xml"))
    assert [q.total for q in quotes] == [cg.Money("84.96", "USD")]
    assert [(w.code, w.message) for w in quotes[0].warnings] == [
        ("1001", "The requested ship date is not a working day: rated for the next working day"),
        ("2001", "Declared value exceeds the recommended insured value")]


def test_ship_notifications_beside_success_are_warnings() -> None:
    label = first_call(make_carrier().ship(international_ship())).parse(reply("ship-reply-warnings.xml"))
    assert label.tracking_number == "5551234560"
    assert [(w.code, w.message) for w in label.warnings[:2]] == [
        ("1019", "Pickup booked for the next working day"), ("6060", "Recipient phone number looks incomplete")]


def test_a_refusal_is_still_an_error() -> None:
    with pytest.raises(cg.CarrierError) as caught:
        first_call(make_carrier().ship(international_ship())).parse(reply("ship-reply-1003.xml"))
    assert caught.value.code == "1003"
    with pytest.raises(cg.CarrierError):
        first_call(make_carrier().rate(international_rate())).parse(reply("rate-reply-error.xml"))
