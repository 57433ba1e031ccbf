"""UPS conformance against UPS's own OpenAPI files (../shared/specs/ups, test oracles only).

Requests we build, for a domestic US shipment and an international CN->US one, validate STRICTLY
(every constraint, no undeclared field). UPS's answers are read with the tolerant profile: the
examples embedded in the specs, and complete instances of each response schema, parse into
domain objects. The patch layer below lists every vendor defect we correct, with the evidence.
"""

from __future__ import annotations

import base64
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.lookup import build_recovery
from carriergate.carriers.ups.paperless import build_upload, parse_upload
from carriergate.carriers.ups.pickup import build_pickup, parse_cancel_pickup, parse_pickup
from carriergate.carriers.ups.rate import build_rate, parse_rate, request_option
from carriergate.carriers.ups.ship import build_ship, parse_ship
from carriergate.carriers.ups.track import parse_track
from carriergate.carriers.ups.void import parse_void
from carriergate.sandbox.conformance import ups_label_recovery_patch, ups_pickup_patch, ups_rating_patch

from support.openapi_oracle import Spec, assert_strict, assert_tolerant, replace_tabs, response_examples
from support.ups_samples import (
    ACCOUNT,
    BASE_URL,
    INVOICE,
    SHIP_DAY,
    TRANS_ID,
    cn_to_us,
    domestic_us,
    pickup_request,
    sent,
    shipment,
)

PATCHES = {"Rating": (ups_rating_patch,), "Pickup": (ups_pickup_patch,), "Shipping": (ups_label_recovery_patch,)}


@cache
def _load(folder: Path, name: str) -> Spec:
    return Spec.load(folder / f"{name}.yaml", text_patches=(replace_tabs,), document_patches=PATCHES.get(name, ()))


@pytest.fixture
def ups(specs: Path) -> Any:
    return lambda name: _load(specs / "ups", name)


SAMPLES = {"domestic US": domestic_us, "CN to US": cn_to_us}


def rate_body(request: cg.RateRequest, account: UPSAccount = ACCOUNT) -> Any:
    return sent(build_rate(request, account, base_url=BASE_URL, trans_id=TRANS_ID))


def ship_body(request: cg.ShipRequest, document_ids: list[str] | None = None) -> Any:
    return sent(build_ship(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, today=SHIP_DAY,
                           document_ids=document_ids or ()))


def pickup_body(request: cg.PickupRequest) -> Any:
    return sent(build_pickup(request, ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID))


# -- requests, strictly --------------------------------------------------------------------------
@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("option", ["Shop", "Shoptimeintransit", "Rate", "Ratetimeintransit"])
def test_rate_requests_are_strictly_valid(ups: Any, sample: str, option: str) -> None:
    request = SAMPLES[sample](services=["65" if sample == "CN to US" else "03"] if option.startswith("Rate") else None)
    account = ACCOUNT.model_copy(update={"transit_times": option.endswith("timeintransit")})
    assert request_option(request, account) == option
    assert_strict(ups("Rating"), rate_body(request, account), "RATERequestWrapper")


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("signature", ["none", "signature", "adult_signature"])
@pytest.mark.parametrize("label_format", ["GIF", "ZPL", "EPL"])
def test_ship_requests_are_strictly_valid(ups: Any, sample: str, signature: str, label_format: str) -> None:
    request = SAMPLES[sample]()
    documents = [INVOICE] if request.international else []
    body = ship_body(shipment(request, signature=signature, label_format=label_format, documents=documents),
                     ["2099-05-04-00.00.00.000001"] if documents else None)
    assert_strict(ups("Shipping"), body, "SHIPRequestWrapper")


def test_ddp_multi_item_documents_requests_are_strictly_valid(ups: Any) -> None:
    base = cn_to_us()
    assert base.customs is not None
    item = base.customs.items[0]
    customs = base.customs.model_copy(update={"incoterm": "DDP", "items": [item, item.model_copy(update={
        "description": "Silk scarf with a rather long description that needs two lines", "sku": "SCARF-9"})]})
    request = base.model_copy(update={"customs": customs, "parcels": base.parcels * 2})
    assert_strict(ups("Shipping"), ship_body(shipment(request)), "SHIPRequestWrapper")
    documents = cg.CustomsDeclaration(contents_type="documents", signer="Li Lei")
    letter = base.model_copy(update={"customs": documents, "insurance": None})
    assert_strict(ups("Shipping"), ship_body(shipment(letter)), "SHIPRequestWrapper")
    assert_strict(ups("Rating"), rate_body(letter), "RATERequestWrapper")


def test_pickup_and_paperless_requests_are_strictly_valid(ups: Any) -> None:
    assert_strict(ups("Pickup"), pickup_body(pickup_request()), "PICKUPCreationRequestWrapper")
    upload = build_upload([INVOICE], ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID, reference="ORDER-2002")
    assert_strict(ups("Paperless"), sent(upload), "PAPERLESSDOCUMENTUploadRequestWrapper")


def test_issue_12_requests_are_strictly_valid(ups: Any) -> None:
    """Return labels, references with UPS codes, third-party billing and a duty payer; Label Recovery."""
    base = cn_to_us()
    assert base.customs is not None
    customs = base.customs.model_copy(update={"duty_payer": cg.Payer(party="recipient", account_number="R12345")})
    refs = [cg.ShipmentReference(kind="rma", value="RMA-55")]
    billed = shipment(base.model_copy(update={"customs": customs}), references=refs,
                      billing=cg.Payer(party="third_party", account_number="9X8Y7Z", country="US", postal_code="10001"))
    assert_strict(ups("Shipping"), ship_body(billed), "SHIPRequestWrapper")
    back = domestic_us().model_copy(update={"origin": domestic_us().destination, "destination": domestic_us().origin})
    assert_strict(ups("Shipping"), ship_body(shipment(back, return_shipment=True, references=refs * 1 + [
        cg.ShipmentReference(kind="purchase_order", value="PO-1")])), "SHIPRequestWrapper")
    recovery = build_recovery("1ZA1B2C30312345675", ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID,
                              reference="ORDER-2002", label_format="GIF")
    assert_strict(ups("Shipping"), sent(recovery), "LABELRECOVERYRequestWrapper")


def test_the_label_recovery_patch_only_corrects_what_it_says(specs: Path) -> None:
    raw = Spec.load(specs / "ups" / "Shipping.yaml", text_patches=(replace_tabs,))
    recovery = build_recovery("1ZA1B2C30312345675", ACCOUNT, base_url=BASE_URL, trans_id=TRANS_ID,
                              reference="ORDER-2002", label_format="GIF")
    errors = raw.strict_errors(sent(recovery), "LABELRECOVERYRequestWrapper")
    assert sorted(errors) == sorted([
        "LabelRecoveryRequest: 'TrackingNumbers' is a required property",
        "LabelRecoveryRequest: 'ReferenceValues' is a required property",
        "LabelRecoveryRequest/LabelSpecification/LabelImageFormat/Code: 'GIF' is too short"])


def test_the_patches_only_correct_what_they_say(ups: Any, specs: Path) -> None:
    """Without the patch layer the published schema rejects exactly the defects named above."""
    raw = Spec.load(specs / "ups" / "Pickup.yaml", text_patches=(replace_tabs,))
    errors = raw.strict_errors(pickup_body(pickup_request()), "PICKUPCreationRequestWrapper")
    assert sorted(e.split(":")[0] for e in errors) == ["PickupCreationRequest/PickupDateInfo/PickupDate",
                                                       "PickupCreationRequest/TotalWeight/Weight"]


# -- answers, tolerantly ---------------------------------------------------------------------------
def _respond(value: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=value)


@pytest.mark.parametrize("name", ["Rating", "Shipping", "Pickup", "Tracking"])
def test_every_embedded_response_example_parses(ups: Any, name: str) -> None:
    spec = ups(name)
    for example in response_examples(spec):
        response = _respond(example.value, int(example.status))
        if example.path.startswith("/pickupcreation"):
            pickup = parse_pickup(response, carrier="ups")
            assert pickup.confirmation_number in ("stringstrin", "GPD49B1D615")
            assert pickup.total is None  # the example's amounts are placeholders ("stringst", "str")
        elif example.path.startswith("/track"):
            info = parse_track(response, carrier="ups", tracking_number="1Z023E2X0214323462")
            assert info.events
            assert all(e.occurred_at.tzinfo is not None for e in info.events)
        elif example.path.endswith("/ship"):
            # UPS embeds only a fragment ({"ShipmentResults": {"USI": ...}}): no label in it, so the
            # answer is a typed MalformedResponse naming what is missing, never a KeyError.
            with pytest.raises(cg.MalformedResponse, match="no"):
                parse_ship(response, carrier="ups", label_format="GIF")
        else:
            pytest.fail(f"unexpected example {example.method} {example.path}")


PLACEHOLDERS = {
    "MonetaryValue": "12.34", "CurrencyCode": "USD", "Weight": "2.5", "GraphicImage": base64.b64encode(b"img").decode(),
    "TrackingNumber": "1ZA1B2C30312345675", "ShipmentIdentificationNumber": "1ZA1B2C30312345675",
    "DocumentID": "2099-05-04-00.00.00.000001", "PRN": "2929602E9CP", "GrandTotalOfAllCharge": "7.81",
    "date": "20990507", "gmtDate": "20990507", "time": "101500", "gmtTime": "151500", "gmtOffset": "-05:00",
    "type": "I", "BusinessDaysInTransit": "2", "Date": "20990507",
}


def instance(spec: Spec, schema: Any, name: str = "", depth: int = 0) -> Any:
    """A complete instance of a response schema: every property, arrays of one, leaf placeholders."""
    node = spec.resolve(schema)
    for key in ("oneOf", "anyOf", "allOf"):
        if node.get(key):
            return instance(spec, node[key][0], name, depth)
    kind = node.get("type") or ("object" if "properties" in node else "string")
    if kind == "object":
        props = node.get("properties") or {}
        return {} if depth > 14 else {k: instance(spec, v, k, depth + 1) for k, v in props.items()}
    if kind == "array":
        return [instance(spec, node.get("items") or {}, name, depth + 1)]
    if kind == "boolean":
        return False
    if kind in ("integer", "number"):
        return 1
    return PLACEHOLDERS.get(name, "1")


@pytest.mark.parametrize(("file", "schema"), [
    ("Rating", "RATEResponseWrapper"), ("Shipping", "SHIPResponseWrapper"),
    ("Shipping", "VOIDSHIPMENTResponseWrapper"), ("Pickup", "PICKUPCreationResponseWrapper"),
    ("Pickup", "PICKUPCancelResponseWrapper"), ("Tracking", "TrackApiResponse"),
    ("Paperless", "PAPERLESSDOCUMENTUploadResponseWrapper"),
])
def test_complete_schema_instances_parse(ups: Any, file: str, schema: str) -> None:
    spec = ups(file)
    value = instance(spec, {"$ref": f"#/components/schemas/{schema}"})
    assert_tolerant(spec, value, schema)
    response = _respond(value)
    if schema.startswith("RATE"):
        quotes = parse_rate(response, carrier="ups", insured=True)
        assert quotes[0].total == cg.Money("12.34", "USD")
        assert quotes[0].transit_days == 2
        assert sum(c.amount.amount for c in quotes[0].charges) == quotes[0].total.amount
    elif schema.startswith("SHIP"):
        label = parse_ship(response, carrier="ups", label_format="GIF")
        assert label.label == b"img"
        assert label.tracking_number == "1ZA1B2C30312345675"
    elif schema.startswith("VOID"):
        parse_void(response, carrier="ups")  # no error: voided
    elif schema.startswith("PICKUPCreation"):
        assert parse_pickup(response, carrier="ups").confirmation_number == "2929602E9CP"
    elif schema.startswith("PICKUPCancel"):
        parse_cancel_pickup(response, carrier="ups")  # no error: cancelled
    elif schema == "TrackApiResponse":
        info = parse_track(response, carrier="ups", tracking_number="1ZA1B2C30312345675")
        assert info.status is cg.TrackingStatus.IN_TRANSIT
        assert info.events[0].occurred_at.utcoffset() is not None
    else:
        assert parse_upload(response, carrier="ups") == ["2099-05-04-00.00.00.000001"]


def test_error_schema_shapes_map_to_typed_errors(ups: Any) -> None:
    value = instance(ups("Rating"), {"$ref": "#/components/schemas/ErrorResponse"})
    assert_tolerant(ups("Rating"), value, "ErrorResponse")
    with pytest.raises(cg.CarrierError) as caught:
        parse_rate(_respond(value, 400), carrier="ups")
    assert caught.value.code == "1"
    assert caught.value.http_status == 400
