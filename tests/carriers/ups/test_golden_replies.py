"""Issue 12's UPS defects, each on a payload in UPS's documented format (fixtures/ups): taxes asked
for and read, service names by origin, every raw tracking code kept, the label format UPS states,
and UPS's alerts on successful answers carried on the results."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import carriergate as cg
from carriergate.carriers.ups.rate import build_rate, parse_rate
from carriergate.carriers.ups.ship import build_ship, parse_ship
from carriergate.carriers.ups.track import parse_track

from support.ups_samples import (
    ACCOUNT,
    BASE_URL,
    SHIP_DAY,
    TRANS_ID,
    answer,
    berlin,
    domestic_us,
    montreal,
    paris,
    sent,
    shipment,
    toronto,
)

PDT = timezone(timedelta(hours=-7))


def cad(amount: str) -> cg.Money:
    return cg.Money(amount, "CAD")


def canadian() -> cg.RateRequest:
    return cg.RateRequest(origin=toronto(), destination=montreal(), parcels=[cg.Parcel(weight=cg.Weight(3, "kg"))],
                          ship_date=SHIP_DAY)


# -- a. taxes -----------------------------------------------------------------------------------------
def test_rate_and_ship_requests_ask_for_taxes() -> None:
    rate = sent(build_rate(canadian(), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))
    assert rate["RateRequest"]["Shipment"]["TaxInformationIndicator"] == ""
    ship = sent(build_ship(shipment(domestic_us()), ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY))
    assert ship["ShipmentRequest"]["Shipment"]["TaxInformationIndicator"] == ""


def test_rate_negotiated_total_with_taxes_and_tax_charges() -> None:
    early, standard = parse_rate(answer("rate_response_ca_taxes.json"), carrier="ups-ca")
    assert early.total == cad("91.48")  # NegotiatedRateCharges.TotalChargesWithTaxes
    assert [(c.kind, c.code, c.amount) for c in early.charges] == [
        ("base", None, cad("76.87")), ("fuel", "375", cad("11.53")), ("tax", "GST", cad("3.98")),
        ("tax", "QST", cad("7.94")), ("discount", None, cad("-8.84"))]
    assert sum((c.amount.amount for c in early.charges), Decimal(0)) == Decimal("91.48")
    # no negotiated rate for this one: the published total with taxes and its TaxCharges
    assert standard.total == cad("27.23")
    assert [(c.kind, c.name, c.amount) for c in standard.charges if c.kind == "tax"] == [
        ("tax", "Tax HST", cad("3.13"))]


def test_ship_negotiated_total_with_taxes() -> None:
    label = parse_ship(answer("ship_response_ca_taxes_forms.json"), carrier="ups-ca", label_format="GIF")
    assert label.total == cad("52.63")
    assert [(c.kind, c.code, c.amount) for c in label.charges] == [
        ("base", None, cad("45.00")), ("fuel", "375", cad("6.75")), ("tax", "HST", cad("6.05")),
        ("discount", None, cad("-5.17"))]


# -- b. service names by origin ---------------------------------------------------------------------
def test_service_names_follow_the_origins_table() -> None:
    early, standard = parse_rate(answer("rate_response_ca_taxes.json"), carrier="ups-ca", origin="CA")
    assert (early.service_code, early.service_name) == ("14", "UPS Express Early")
    assert standard.service_name == "UPS Standard"
    express, saver, eu_standard = parse_rate(answer("rate_response_fr.json"), carrier="ups-eu", origin="FR")
    assert (express.service_code, express.service_name) == ("07", "UPS Express")
    assert (saver.service_code, saver.service_name) == ("65", "UPS Saver")  # the name UPS returned wins
    assert eu_standard.service_name == "UPS Standard"


def test_carrier_rates_with_the_requests_origin() -> None:
    from carriergate.carriers.ups import UPS

    request = cg.RateRequest(origin=paris(), destination=berlin(), parcels=[cg.Parcel(weight=cg.Weight(2, "kg"))],
                             customs=cg.CustomsDeclaration(contents_type="documents", signer="Marie Curie"))
    call = next(UPS(ACCOUNT, alias="ups-eu").rate(request))
    assert [q.service_name for q in call.parse(answer("rate_response_fr.json"))] == [
        "UPS Express", "UPS Saver", "UPS Standard"]
    one = cg.RateRequest(**request.model_dump(exclude={"services"}), services=["07"])
    assert sent(build_rate(one, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))["RateRequest"]["Shipment"][
        "Service"] == {"Code": "07", "Description": "UPS Express"}


# -- c. every raw tracking code ---------------------------------------------------------------------
def test_tracking_keeps_status_code_activity_code_and_type() -> None:
    info = parse_track(answer("track_response_pod.json"), carrier="ups", tracking_number="1ZA1B2C30312345684")
    assert [e.code for e in info.events] == ["011", "021", "005", "003"]  # as before
    assert [e.codes for e in info.events] == [
        {"statusCode": "011", "code": "FS", "type": "D"}, {"statusCode": "021", "code": "OT", "type": "I"},
        {"statusCode": "005", "code": "DP", "type": "I"}, {"statusCode": "003", "code": "OR", "type": "P"}]
    old = parse_track(answer("track_response_delivered.json"), carrier="ups", tracking_number="1ZA1B2C30312345675")
    assert old.events[0].codes == {"statusCode": "011", "code": "KB", "type": "D"}


# -- d. the label format UPS states -----------------------------------------------------------------
def test_label_format_is_read_from_the_reply() -> None:
    label = parse_ship(answer("ship_response_ca_taxes_forms.json"), carrier="ups", label_format="GIF")
    assert (label.label_format, label.label) == ("ZPL", b"^XA^FDCA label^XZ")
    gif = parse_ship(answer("ship_response_cn_us.json"), carrier="ups", label_format="EPL")
    assert gif.label_format == "GIF"


# -- e. alerts on successful answers ----------------------------------------------------------------
def test_alerts_are_carried_on_quotes_labels_and_tracking() -> None:
    early, standard = parse_rate(answer("rate_response_ca_taxes.json"), carrier="ups-ca")
    invoice = cg.Notice(message="Your invoice may vary from the displayed reference rates", code="110971")
    residential = cg.Notice(message="Ship To Address Classification is changed from Commercial to Residential",
                            code="110920")
    assert early.warnings == [invoice, residential,
                              cg.Notice(message="Early delivery is not guaranteed to this postal code", code="111500")]
    assert standard.warnings == [invoice, residential]
    label = parse_ship(answer("ship_response_ca_taxes_forms.json"), carrier="ups", label_format="GIF")
    assert label.warnings == [cg.Notice(
        message="User Id and Shipper Number combination is not qualified to receive negotiated rates", code="120900")]
    info = parse_track(answer("track_response_pod.json"), carrier="ups", tracking_number="1ZA1B2C30312345684")
    assert info.warnings == [cg.Notice(message="Some tracking details are not yet available", code="TW0003")]
    assert info.delivered_at == datetime(2099, 5, 7, 10, 15, tzinfo=PDT)
    assert info.delivered_at.astimezone(UTC).hour == 17
