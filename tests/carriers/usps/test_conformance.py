"""USPS conformance against USPS's own OpenAPI files (../shared/specs/usps; skipped where absent).

Every request we build validates STRICTLY (every constraint, no undeclared property) against its
operation's request schema, its headers and parameters against the operation's declared ones
(``X-Idempotency-Key`` a UUID, ``mailingDate`` a date, ``expand`` one of its values); the vendor
examples of the answers we read parse into domain objects or the typed error they describe.

The vendor files' measured defects are patched by the same patch layer the sandbox's runtime check
uses (carriergate.sandbox.usps_conformance: closed allOf branches, a oneOf of overlapping formats).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.usps import auth, pickup, rate, ship, track, void
from carriergate.sandbox.usps_conformance import (
    usps_closed_branches_patch,
    usps_mailing_date_patch,
    usps_pickup_contact_patch,
)

from support.openapi_oracle import Spec, assert_strict
from support.usps_samples import (
    BASE_URL,
    TODAY,
    account,
    ship_request,
    us_domestic_request,
    us_international_request,
    washington,
)

PATCHES: dict[str, tuple[Callable[[dict[str, Any]], None], ...]] = {
    "domestic-prices": (usps_closed_branches_patch,), "domestic-labels": (usps_mailing_date_patch,),
    "international-labels": (usps_mailing_date_patch, usps_closed_branches_patch),
    "carrier-pickup": (usps_closed_branches_patch, usps_pickup_contact_patch), "payments": (), "tracking": (),
}


@cache
def _load(path: Path, name: str) -> Spec:
    return Spec.load(path, document_patches=PATCHES[name])


@pytest.fixture
def usps(specs: Path) -> Callable[[str], Spec]:
    return lambda name: _load(specs / "usps" / f"{name}.yaml", name)


def base_path(spec: Spec) -> str:
    return httpx.URL(spec.document["servers"][0]["url"]).path


def operation_of(spec: Spec, request: httpx.Request) -> tuple[str, dict[str, Any]]:
    """The spec path template matching ``request`` (method and path, servers' base path included)."""
    path = request.url.path.removeprefix(base_path(spec))
    for template, ops in spec.document["paths"].items():
        pattern = "^" + "/".join("[^/]+" if p.startswith("{") else p for p in template.split("/")) + "$"
        if re.match(pattern, path) and request.method.lower() in ops:
            return template, ops[request.method.lower()]
    raise AssertionError(f"{request.method} {request.url.path}: no operation in {spec.source}")


def check_parameters(spec: Spec, request: httpx.Request, op: dict[str, Any], *,
                     added: frozenset[str] = frozenset()) -> None:
    """Every required header/query parameter is sent (``added``: headers an auth flow adds), and the
    values we send obey their schema (enum, format uuid)."""
    for raw in op.get("parameters") or []:
        param = spec.resolve(raw) if "$ref" in raw else raw
        name, where, schema = param["name"], param["in"], spec.resolve(param.get("schema") or {})
        value = request.headers.get(name) if where == "header" else request.url.params.get(name)
        if value is None:
            assert not param.get("required") or where == "path" or name in added, f"{name} ({where}) missing"
            continue
        if "enum" in schema:
            assert value in schema["enum"], f"{name}={value!r} not in {schema['enum']}"
        if schema.get("format") == "uuid":
            uuid.UUID(value)


def test_rate_request_validates(usps: Callable[[str], Spec]) -> None:
    spec = usps("domestic-prices")
    for request in (us_domestic_request(), us_domestic_request(insured=None), us_domestic_request(insured="900")):
        http = rate.build_rate(request, account(), base_url=BASE_URL, today=TODAY)
        template, _ = operation_of(spec, http)
        assert_strict(spec, json.loads(http.content), spec.request_schema("post", template))


@pytest.mark.parametrize("label_format", ["PDF", "ZPL"])
def test_domestic_label_request_validates(usps: Callable[[str], Spec], label_format: str) -> None:
    spec = usps("domestic-labels")
    for insured, signature in (("200.00", "none"), ("600.00", "adult_signature"), (None, "signature")):
        request = ship_request(us_domestic_request(insured=insured), label_format=label_format, signature=signature)
        http = ship.build_ship(request, account(), base_url=BASE_URL, today=TODAY)
        template, op = operation_of(spec, http)
        payload = json.loads(http.content)
        assert_strict(spec, payload, spec.request_schema("post", template))
        date.fromisoformat(payload["packageDescription"]["mailingDate"])  # format: date
        check_parameters(spec, http, op, added=frozenset({"X-Payment-Authorization-Token"}))
        assert http.headers["accept"] in spec.operation("post", template)["responses"]["200"]["content"]


@pytest.mark.parametrize("service", ["PRIORITY_MAIL_INTERNATIONAL", "PRIORITY_MAIL_EXPRESS_INTERNATIONAL",
                                     "FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE"])
def test_international_label_request_validates(usps: Callable[[str], Spec], service: str) -> None:
    spec = usps("international-labels")
    http = ship.build_ship(ship_request(us_international_request(), service=service), account(), base_url=BASE_URL,
                           today=TODAY)
    template, op = operation_of(spec, http)
    assert_strict(spec, json.loads(http.content), spec.request_schema("post", template))
    check_parameters(spec, http, op, added=frozenset({"X-Payment-Authorization-Token"}))
    assert http.headers["accept"] in spec.operation("post", template)["responses"]["201"]["content"]


def test_void_requests_match_their_operations(usps: Callable[[str], Spec]) -> None:
    domestic = cg.Label(carrier="usps", tracking_number="9205590175547700000001", label=b"x", label_format="PDF",
                        carrier_data={"international": "false"})
    abroad = domestic.model_copy(update={"tracking_number": "LZ000012162US", "carrier_data": {"international": "true"}})
    for label, name in ((domestic, "domestic-labels"), (abroad, "international-labels")):
        spec = usps(name)
        http = void.build_void(label, base_url=BASE_URL)
        template, op = operation_of(spec, http)
        assert template.endswith("{trackingNumber}")
        check_parameters(spec, http, op, added=frozenset({"X-Payment-Authorization-Token"}))


def test_pickup_requests_validate(usps: Callable[[str], Spec]) -> None:
    spec = usps("carrier-pickup")
    start = datetime(2026, 12, 7, 9, tzinfo=timezone(timedelta(hours=-5)))
    window = cg.PickupWindow(start=start, end=start + timedelta(hours=4))
    request = cg.PickupRequest(address=washington(), window=window, parcel_count=3, total_weight=cg.Weight("9", "kg"),
                               instructions="Side gate")
    http = pickup.build_pickup(request, base_url=BASE_URL)
    template, _ = operation_of(spec, http)
    assert_strict(spec, json.loads(http.content), spec.request_schema("post", template))
    phone_only = request.model_copy(update={"address": washington().model_copy(update={"email": None})})
    assert_strict(spec, json.loads(pickup.build_pickup(phone_only, base_url=BASE_URL).content),
                  spec.request_schema("post", template))
    booked = cg.Pickup(carrier="usps", confirmation_number="WTC123456789")
    lookup = pickup.build_pickup_lookup(booked, base_url=BASE_URL)
    operation_of(spec, lookup)
    cancel = pickup.build_cancel_pickup(booked, "etag", base_url=BASE_URL)
    _, op = operation_of(spec, cancel)
    check_parameters(spec, cancel, op)  # If-Match is required on DELETE


def test_payment_authorization_request_validates(usps: Callable[[str], Spec]) -> None:
    spec = usps("payments")
    http = auth.build_payment_authorization(account(), base_url=BASE_URL)
    template, _ = operation_of(spec, http)
    assert_strict(spec, json.loads(http.content), spec.request_schema("post", template))


def test_tracking_request_matches_its_operation(usps: Callable[[str], Spec]) -> None:
    spec = usps("tracking")
    http = track.build_track("9205590175547700000001", base_url=BASE_URL)
    _, op = operation_of(spec, http)
    check_parameters(spec, http, op)


# -- the vendor's own examples of the answers we read -----------------------------------------------

def examples(spec: Spec, method: str, template: str, status: str) -> list[Any]:
    return [e.value for e in spec.examples(method, template) if e.status == status]


def test_label_examples_parse(usps: Callable[[str], Spec]) -> None:
    domestic = usps("domestic-labels")
    found = [v for v in examples(domestic, "post", "/label", "200") if isinstance(v, dict) and "trackingNumber" in v]
    assert found
    for value in found:
        answer = httpx.Response(200, json=value, headers={"content-type": "application/vnd.usps.labels+json"})
        label = ship.parse_ship(answer, carrier="usps", label_format="PDF", reference="R", international=False)
        assert label.tracking_number == value["trackingNumber"]
        assert label.label
        assert label.total is not None
        assert label.total.currency == "USD"
    abroad = usps("international-labels")
    found = [v for v in examples(abroad, "post", "/international-label", "201") if "internationalTrackingNumber" in v]
    assert found
    for value in found:
        if "labelImage" not in value:  # a Label Broker answer: no image, which we never ask for
            with pytest.raises(cg.MalformedResponse):
                ship.parse_ship(httpx.Response(201, json=value), carrier="usps", label_format="PDF", reference="R",
                                international=True)
            continue
        label = ship.parse_ship(httpx.Response(201, json=value), carrier="usps", label_format="PDF", reference="R",
                                international=True)
        assert label.tracking_number == value["internationalTrackingNumber"]


def test_cancel_examples_parse_or_raise_their_typed_error(usps: Callable[[str], Spec]) -> None:
    for name, path in (("domestic-labels", "/label/{trackingNumber}"),
                       ("international-labels", "/international-label/{trackingNumber}")):
        spec = usps(name)
        for value in examples(spec, "delete", path, "200"):
            void.parse_void(httpx.Response(200, json=value), carrier="usps")
        for value in examples(spec, "delete", path, "400"):
            with pytest.raises(cg.CarrierError) as caught:
                void.parse_void(httpx.Response(400, json=value), carrier="usps")
            assert caught.value.code == value["error"]["errors"][0]["code"]


def test_price_and_payment_examples_parse(usps: Callable[[str], Spec]) -> None:
    prices = usps("domestic-prices")
    total = next(v for v in examples(prices, "post", "/total-rates/search", "200") if "rateOptions" in v)
    quotes = rate.parse_rate(httpx.Response(200, json=total), carrier="usps", insured=False)
    assert quotes
    assert all(q.total.currency == "USD" for q in quotes)
    payments = usps("payments")
    answer = next(v for v in examples(payments, "post", "/payment-authorization", "200")
                  if "paymentAuthorizationToken" in v)
    assert auth.parse_payment_authorization(httpx.Response(200, json=answer), carrier="usps")[0] == \
        answer["paymentAuthorizationToken"]


def test_return_label_and_reprint_requests_validate(usps: Callable[[str], Spec]) -> None:
    from carriergate.carriers.usps import lookup

    spec = usps("domestic-labels")
    for service in ("USPS_GROUND_ADVANTAGE", "PRIORITY_MAIL", "PRIORITY_MAIL_EXPRESS"):
        request = ship_request(origin=us_domestic_request().destination, destination=washington(),
                               return_shipment=True, service=service)
        http = ship.build_ship(request, account(), base_url=BASE_URL, today=TODAY)
        template, op = operation_of(spec, http)
        assert template == "/return-label"
        assert_strict(spec, json.loads(http.content), spec.request_schema("post", template))
        check_parameters(spec, http, op, added=frozenset({"X-Payment-Authorization-Token"}))
    for international, name in ((False, "domestic-labels"), (True, "international-labels")):
        spec = usps(name)
        for label_format in ("PDF", "ZPL"):
            http = lookup.build_find("ORDER-1001", account(), base_url=BASE_URL, label_format=label_format,
                                     international=international)
            template, op = operation_of(spec, http)
            assert not template.endswith("}")  # by idempotency key, not by tracking number
            assert_strict(spec, json.loads(http.content), spec.request_schema("post", template))
            check_parameters(spec, http, op, added=frozenset({"X-Payment-Authorization-Token"}))


def test_a_moved_pickup_validates(usps: Callable[[str], Spec]) -> None:
    spec = usps("carrier-pickup")
    start = datetime(2026, 12, 9, 9, tzinfo=timezone(timedelta(hours=-5)))
    window = cg.PickupWindow(start=start, end=start + timedelta(hours=2))
    request = cg.PickupRequest(address=washington(), window=window, parcel_count=4, total_weight=cg.Weight("12", "kg"))
    http = pickup.build_modify_pickup(cg.Pickup(carrier="usps", confirmation_number="WTC1"), request, "e1",
                                      base_url=BASE_URL)
    template, op = operation_of(spec, http)
    assert_strict(spec, json.loads(http.content), spec.request_schema("put", template))
    check_parameters(spec, http, op)


def test_reprint_examples_parse(usps: Callable[[str], Spec]) -> None:
    from carriergate.carriers.usps import lookup

    for name, path in (("domestic-labels", "/label-reprint"), ("international-labels", "/international-label-reprint")):
        spec = usps(name)
        found = [e.value for e in spec.examples("post", path)  # USPS's own examples, not synthesised ones
                 if e.status == "200" and e.name.startswith("examples.") and "labelMetadata" in e.value]
        assert found
        for value in found:
            label = lookup.parse_find(httpx.Response(200, json=value), carrier="usps", reference="R",
                                      label_format="PDF", international=name.startswith("international"), key="k")
            assert label.tracking_number
            assert label.label
