"""FedEx conformance against FedEx's own OpenAPI files (../shared/specs/fedex; skipped where absent).

Every request body we build, for a domestic US and an international CN->US shipment, validates
STRICTLY (all constraints, no undeclared property) against the official request schema; every
response example embedded in the RateQuotes, Shipment, Pickup and TrackingNumbers files parses
into domain objects (or the typed error it describes) without any other exception.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.fedex import pickup, rate, ship, track, void

from support.fedex_samples import (
    ACCOUNT,
    BASE_URL,
    TRANSACTION_ID,
    body,
    cancel_pickup_http,
    document_description,
    domestic_us,
    international_ship,
    label,
    parsed_pickup,
    pickup_http,
    pickup_request,
    rate_http,
    return_ship,
    ship_http,
    ship_request,
    track_http,
    upload_http,
    void_http,
)
from support.openapi_oracle import Example, Spec, alias_schema
from support.shipments import international_request

#: FedEx's TrackingNumbers file refers to a ContactVO_1 it never defines; ContactVO1 is meant.
PATCHES = (alias_schema("ContactVO_1", "ContactVO1"),)


@cache
def _load(path: Path) -> Spec:
    return Spec.load(path, document_patches=PATCHES)


@pytest.fixture
def fedex(specs: Path) -> Callable[[str], Spec]:
    return lambda name: _load(specs / "fedex" / f"{name}-Resource.json")


def _third_party() -> cg.ShipRequest:
    payer = cg.Payer(party="third_party", account_number="510087020", country="US", postal_code="38017")
    base = international_request()
    assert base.customs is not None
    customs = base.customs.model_copy(update={"duty_payer": payer})
    refs = [cg.ShipmentReference(kind="department", value="D-12"), cg.ShipmentReference(kind="invoice", value="I-9")]
    return ship_request(base.model_copy(update={"customs": customs}), service="FEDEX_INTERNATIONAL_PRIORITY",
                        billing=payer, references=refs)


def _domestic_ship() -> cg.ShipRequest:
    return ship_request(domestic_us(), signature="signature", label_format="PNG")


REQUESTS: dict[str, tuple[str, str, Callable[[], Any]]] = {
    "rate domestic US": ("RateQuotes", "Full_Schema_Quote_Rate", lambda: body(rate_http(domestic_us()))),
    "rate CN->US": ("RateQuotes", "Full_Schema_Quote_Rate", lambda: body(rate_http(international_request()))),
    "rate one service": ("RateQuotes", "Full_Schema_Quote_Rate", lambda: body(rate_http(
        domestic_us().model_copy(update={"services": ["FEDEX_2_DAY"]})))),
    "ship domestic US": ("Shipment", "Full_Schema_Ship", lambda: body(ship_http(_domestic_ship()))),
    "ship CN->US": ("Shipment", "Full_Schema_Ship",
                    lambda: body(ship_http(international_ship(), ("090493e181586308",)))),
    "ship EPL CN->US no documents": ("Shipment", "Full_Schema_Ship", lambda: body(ship_http(
        ship_request(international_request(), service="INTERNATIONAL_ECONOMY", label_format="EPL")))),
    "void": ("Shipment", "Full_Schema_Cancel_Shipment", lambda: body(void_http(label()))),
    "pickup": ("Pickup", "Full_Schema_Create_Pickup", lambda: body(pickup_http(pickup_request()))),
    "cancel pickup": ("Pickup", "Full_Schema_Cancel_Pickup", lambda: body(cancel_pickup_http(parsed_pickup()))),
    "track": ("TrackingNumbers", "Full_Schema_Tracking_Numbers", lambda: body(track_http("794612345670"))),
    "track many": ("TrackingNumbers", "Full_Schema_Tracking_Numbers", lambda: body(track.build_track_many(
        ["794612345670", "794612345681"], ACCOUNT, base_url=BASE_URL, transaction_id=TRANSACTION_ID))),
    "ship return label": ("Shipment", "Full_Schema_Ship", lambda: body(ship_http(return_ship()))),
    "ship third party pays, duties too": ("Shipment", "Full_Schema_Ship", lambda: body(ship_http(_third_party()))),
    "etd document": ("EDUDocuments", "ETDUploadRequest",
                     lambda: document_description(upload_http(international_ship()))),
}


@pytest.mark.parametrize("case", sorted(REQUESTS))
def test_request_bodies_validate_strictly(fedex: Callable[[str], Spec], case: str) -> None:
    spec_name, schema, build = REQUESTS[case]
    errors = fedex(spec_name).strict_errors(build(), schema)
    assert errors == [], "\n".join(errors)


def test_strict_profile_catches_a_misplaced_field(fedex: Callable[[str], Spec]) -> None:
    sent = body(rate_http(domestic_us()))
    sent["requestedShipment"]["shipper"]["address"]["streetLine"] = ["typo"]
    sent["requestedShipment"]["requestedPackageLineItems"][0]["weight"]["units"] = "KGS"
    errors = fedex("RateQuotes").strict_errors(sent, "Full_Schema_Quote_Rate")
    assert any("streetLine" in e for e in errors)
    assert any("KGS" in e for e in errors)


def test_etd_upload_is_multipart_with_the_documented_parts(fedex: Callable[[str], Spec]) -> None:
    spec = fedex("EDUDocuments")
    schema = spec.resolve(spec.request_schema("post", "/documents/v1/etds/upload", "multipart/form-data"))
    parts = set(spec.resolve(schema["oneOf"][0])["required"])
    upload = upload_http(international_ship())
    sent = upload.read()
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert all(f'name="{part}"'.encode() in sent for part in parts)


def test_token_request_matches_the_authorization_schema(fedex: Callable[[str], Spec]) -> None:
    spec = fedex("APIAuthorization")
    form = {"grant_type": "client_credentials", "client_id": "id", "client_secret": "secret"}
    assert spec.strict_errors(form, spec.request_schema("post", "/oauth/token",
                                                        "application/x-www-form-urlencoded")) == []


# -- response examples -----------------------------------------------------------------------------
PARSERS: dict[tuple[str, str, str], Callable[[httpx.Response], Any]] = {
    ("RateQuotes", "post", "/rate/v1/rates/quotes"): lambda r: rate.parse_rate(r, carrier="fedex"),
    ("Shipment", "post", "/ship/v1/shipments"): lambda r: ship.parse_ship(
        r, carrier="fedex", request=international_ship(), account_number="740561073"),
    ("Shipment", "put", "/ship/v1/shipments/cancel"): lambda r: void.parse_void(r, carrier="fedex"),
    ("Pickup", "post", "/pickup/v1/pickups"): lambda r: pickup.parse_pickup(
        r, carrier="fedex", request=pickup_request(), carrier_code="FDXE"),
    ("Pickup", "put", "/pickup/v1/pickups/cancel"): lambda r: pickup.parse_cancel_pickup(r, carrier="fedex"),
    ("TrackingNumbers", "post", "/track/v1/trackingnumbers"): lambda r: track.parse_track(
        r, carrier="fedex", tracking_number="123456789012"),
}
#: Field examples FedEx documents with the wrong shape (kept visible rather than silently relaxed).
KNOWN_EXAMPLE_DEFECTS = {("TrackingNumbers", "output/alerts")}


def _examples(fedex: Callable[[str], Spec]) -> list[tuple[str, str, str, Example]]:
    return [(name, method, path, example) for (name, method, path) in PARSERS
            for example in fedex(name).examples(method, path)]


ERROR_TYPES: dict[int, type[cg.CarrierError]] = {400: cg.CarrierError, 401: cg.AuthenticationError,
                                                403: cg.AuthenticationError, 404: cg.NotFound,
                                                500: cg.CarrierUnavailable, 503: cg.CarrierUnavailable}
SUCCESS_TYPES: dict[str, type | None] = {"/rate/v1/rates/quotes": list, "/ship/v1/shipments": cg.Label,
                                         "/ship/v1/shipments/cancel": type(None), "/pickup/v1/pickups": cg.Pickup,
                                         "/pickup/v1/pickups/cancel": type(None),
                                         # FedEx's field examples put an error beside the scans (see below)
                                         "/track/v1/trackingnumbers": cg.TrackingInfo}


def _respond(status: str, value: Any) -> httpx.Response:
    return httpx.Response(int(status), content=json.dumps(value).encode(), headers={"content-type": "application/json"})


def test_every_response_example_parses(fedex: Callable[[str], Spec]) -> None:
    checked = 0
    for name, method, path, example in _examples(fedex):
        parse = PARSERS[(name, method, path)]
        status = int(example.status)
        if status >= 400:
            with pytest.raises(cg.CarrierError) as info:
                parse(_respond(example.status, example.value))
            assert type(info.value) is ERROR_TYPES[status], (name, status, info.value)
            assert info.value.code == example.value["errors"][0]["code"]
            assert info.value.request_id == example.value["transactionId"]
        else:
            result = parse(_respond(example.status, example.value))
            assert isinstance(result, SUCCESS_TYPES[path]), (name, path, result)  # type: ignore[arg-type]
            if isinstance(result, cg.TrackingInfo):  # scans and an error: the scans kept, the error a warning
                assert result.events
                assert "TRACKING.TRACKINGNUMBER.EMPTY" in [n.code for n in result.warnings]
        checked += 1
    assert checked >= 40


def test_track_example_without_its_error_yields_events(fedex: Callable[[str], Spec]) -> None:
    example = next(e for e in fedex("TrackingNumbers").examples("post", "/track/v1/trackingnumbers")
                   if e.status == "200")
    value = json.loads(json.dumps(example.value))
    result = value["output"]["completeTrackResults"][0]["trackResults"][0]
    del result["error"]
    info = track.parse_track(_respond("200", value), carrier="fedex", tracking_number="123456789012")
    assert info.tracking_number == result["trackingNumberInfo"]["trackingNumber"]
    assert info.raw_status == result["latestStatusDetail"]["derivedCode"]
    assert [e.code for e in info.events] == [result["scanEvents"][0]["eventType"]]
    assert info.events[0].occurred_at.utcoffset() is not None


def test_rate_example_yields_quotes(fedex: Callable[[str], Spec]) -> None:
    examples = [e for e in fedex("RateQuotes").examples("post", "/rate/v1/rates/quotes") if e.status == "200"]
    assert examples
    quotes = rate.parse_rate(httpx.Response(200, content=json.dumps(examples[0].value).encode()), carrier="fedex")
    assert quotes
    assert all(q.total.amount > 0 for q in quotes)
    first = quotes[0]
    assert first.service_code == "INTERNATIONAL_FIRST"
    assert first.total == cg.Money("445.54", "CAD")
    assert first.transit_days == 3


def test_response_examples_fit_their_schemas_tolerantly(fedex: Callable[[str], Spec]) -> None:
    problems = []
    for name, method, path, example in _examples(fedex):
        spec = fedex(name)
        schema = spec.response_schema(method, path, example.status)
        if schema is None:
            continue
        for error in spec.tolerant_errors(example.value, schema):
            if (name, error.split(":")[0]) not in KNOWN_EXAMPLE_DEFECTS:
                problems.append(f"{name} {method} {path} {example.status}: {error}")
    assert problems == []
