"""The USPS emulator's international prices, spoken to in USPS's wire format (never through the
adapter): deterministic by weight and destination, the classes that serve the lane, insurance, and
USPS-shaped refusals; then the whole path through ``Gateway.sandbox``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox import usps_pricing as pricing
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.usps import USPSEmulator

from support.usps_samples import customs, fixture, parcel, washington

ROOT = f"{SANDBOX_HOST}/usps"
PATH = "/international-prices/v3/total-rates/search"


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    usps = USPSEmulator(now=datetime(2026, 12, 3, 15, tzinfo=UTC))
    with httpx.Client(transport=SandboxTransport({"usps": usps}), base_url=ROOT) as http:
        answer = http.post("/oauth2/v3/token", data={"grant_type": "client_credentials",
                                                     "client_id": USPSEmulator.account["client_id"],
                                                     "client_secret": USPSEmulator.account["client_secret"]})
        http.headers["authorization"] = f"Bearer {answer.json()['access_token']}"
        yield http


def query(**change: Any) -> dict[str, Any]:
    base: dict[str, Any] = fixture("intl_prices_request.json")
    base.pop("extraServices")
    base.pop("itemValue")
    return {**base, **change}


def prices(client: httpx.Client, **change: Any) -> dict[str, Decimal]:
    """Each class's single-piece price (the flat-rate options left out)."""
    answer = client.post(PATH, json=query(**change))
    assert answer.status_code == 200, answer.text
    return {o["rates"][0]["mailClass"]: Decimal(str(o["totalBasePrice"])) for o in answer.json()["rateOptions"]
            if "Single-piece" in o["rates"][0]["description"]}


def test_the_answer_is_usps_rate_options_and_repeats_exactly(client: httpx.Client) -> None:
    first = client.post(PATH, json=query()).json()
    assert client.post(PATH, json=query()).json() == first
    option = first["rateOptions"][0]
    assert set(option) == {"totalBasePrice", "rates"}
    assert {"SKU", "description", "price", "mailClass", "priceType", "weight", "zone"} <= set(option["rates"][0])
    flat = [o for o in first["rateOptions"] if "Flat Rate" in o["rates"][0]["description"]]
    assert [o["rates"][0]["mailClass"] for o in flat] == ["PRIORITY_MAIL_INTERNATIONAL"]


def test_prices_follow_the_weight_and_the_destination(client: httpx.Client) -> None:
    canada, britain = prices(client), prices(client, destinationCountryCode="GB", foreignPostalCode="SW1A 2AA")
    heavier = prices(client, weight=9.5)
    for code in canada:
        step = pricing.GROUP_STEP[code] * (pricing.price_group("GB") - pricing.price_group("CA"))
        assert britain[code] - canada[code] == step
        assert heavier[code] - canada[code] == pricing.INTERNATIONAL_PRICED[code].per_lb * 4  # 6 -> 10 lb billed


def test_classes_serve_only_where_and_up_to_what_they_serve(client: httpx.Client) -> None:
    light = prices(client, weight=1.5, length=6, width=4, height=2)
    assert set(light) == set(pricing.INTERNATIONAL_PRICED)
    assert "FIRST-CLASS_PACKAGE_INTERNATIONAL_SERVICE" not in prices(client)  # 5.52 lb: over 4 lb
    assert "GLOBAL_EXPRESS_GUARANTEED" not in prices(client, destinationCountryCode="BR", weight=1.5)
    assert set(prices(client, mailClass="PRIORITY_MAIL_INTERNATIONAL")) == {"PRIORITY_MAIL_INTERNATIONAL"}


def test_insurance_is_priced_on_the_item_value(client: httpx.Client) -> None:
    answer = client.post(PATH, json=query(extraServices=[930], itemValue=250)).json()
    for option in answer["rateOptions"]:
        [extra] = option["extraServices"]
        assert (extra["extraService"], Decimal(str(extra["price"]))) == ("930", pricing.insurance(Decimal(250)))
        assert Decimal(str(option["totalPrice"])) == Decimal(str(option["totalBasePrice"])) + Decimal("8.25")


@pytest.mark.parametrize(("change", "parameter"), [
    ({"destinationCountryCode": "US"}, "destinationCountryCode"), ({"destinationCountryCode": None},
                                                                   "destinationCountryCode"),
    ({"originZIPCode": "2002"}, "originZIPCode"), ({"mailClass": "PRIORITY_MAIL"}, "mailClass"),
    ({"weight": 0}, "weight"),
])
def test_bad_queries_get_usps_400_naming_the_parameter(client: httpx.Client, change: dict[str, Any],
                                                       parameter: str) -> None:
    answer = client.post(PATH, json=query(**change))
    assert answer.status_code == 400
    [error] = answer.json()["error"]["errors"]
    assert error["source"]["parameter"] == parameter


def test_the_bearer_is_required(client: httpx.Client) -> None:
    answer = client.post(PATH, json=query(), headers={"authorization": "Bearer nope"})
    assert answer.status_code == 401


# -- through the gateway ----------------------------------------------------------------------------

def london() -> cg.Address:
    return cg.Address(name="Ann Lee", street=["10 Downing St"], city="London", postal_code="SW1A 2AA", country="GB")


def test_the_sandbox_gateway_quotes_us_to_gb_with_customs_in_usd() -> None:
    request = cg.RateRequest(origin=washington(), destination=london(), parcels=[parcel()], customs=customs(),
                             insurance=cg.Money("120.00", "USD"))
    with cg.Gateway.sandbox(["usps"]) as gw:
        result = gw.rate(request, carriers=["usps"])
    assert result.errors == {}
    codes = [q.service_code for q in result.quotes]
    # 5.52 lb: no First-Class Package; Global Express Guaranteed only when asked for (no label API makes it)
    assert sorted(codes) == sorted(["PRIORITY_MAIL_INTERNATIONAL", "PRIORITY_MAIL_EXPRESS_INTERNATIONAL"])
    pounds, group = Decimal(6), pricing.price_group("GB")
    for quote in result.quotes:
        assert quote.carrier == "usps"
        assert quote.total.currency == "USD"
        base = pricing.international_postage(pricing.INTERNATIONAL_PRICED[quote.service_code], pounds, group)
        assert quote.total.amount == base + pricing.insurance(Decimal(120))
        assert json.dumps([c.kind for c in quote.charges]) == '["base", "insurance"]'
        assert quote.can_ship


def test_global_express_guaranteed_is_priced_when_asked_for_and_says_it_cannot_be_labelled() -> None:
    request = cg.RateRequest(origin=washington(), destination=london(), parcels=[parcel()], customs=customs(),
                             services=["GLOBAL_EXPRESS_GUARANTEED"])
    with cg.Gateway.sandbox(["usps"]) as gw:
        (quote,) = gw.rate(request, carriers=["usps"]).quotes
    assert (quote.service_code, quote.can_ship) == ("GLOBAL_EXPRESS_GUARANTEED", False)
    assert [w.code for w in quote.warnings] == ["no_label_api"]
