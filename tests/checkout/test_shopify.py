"""Shopify CarrierService callbacks through the ASGI app: request in, Shopify's rates out."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import ShopifyOptions, create_app
from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.shopify import rate_request, rates_response

from support.shop_fakes import ahandler, fake, fake_carrier

__all__ = ["fake_carrier"]
pytestmark = pytest.mark.usefixtures("fake_carrier")


def shopify_body(destination: dict[str, Any] | None = None, currency: str = "CNY",
                 items: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"rate": {
        "origin": {"country": "CN", "postal_code": "200120", "province": "Shanghai", "city": "Shanghai",
                   "name": None, "address1": "88 Century Avenue", "address2": "", "address3": None,
                   "phone": "", "fax": None, "email": None, "address_type": None, "company_name": "Lei Trading"},
        "destination": destination or {"country": "CN", "postal_code": "100010", "province": "Beijing",
                                       "city": "Beijing", "name": "Han Meimei", "address1": "1 Chang'an Avenue",
                                       "address2": None, "phone": "not a phone", "address_type": "residential"},
        "items": items if items is not None else [
            {"name": "T-shirt", "sku": "TS-1", "quantity": 2, "grams": 400, "price": 9900, "vendor": "Lei",
             "requires_shipping": True, "taxable": True, "fulfillment_service": "manual", "properties": None,
             "product_id": 1, "variant_id": 2},
            {"name": "Gift card", "sku": "GC", "quantity": 1, "grams": 0, "price": 5000, "requires_shipping": False},
        ],
        "currency": currency, "locale": "zh-CN"}}


def run(check: Callable[[httpx.AsyncClient], Awaitable[None]], policy: FeePolicy,
        shopify: ShopifyOptions | None = None) -> None:
    async def main() -> None:
        config = {"fast": fake(price="20.00", transit_days=2), "slow": fake("hang"), "table": {}}
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(ahandler)) as gw:
            app = create_app(gw, policy, deadline=0.3, shopify=shopify)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                await asyncio.wait_for(check(client), timeout=5)

    asyncio.run(main())


def test_shopify_round_trip_with_free_shipping_and_backup_rates() -> None:
    policy = FeePolicy.model_validate({"adjustments": [{"kind": "markup", "percent": "10"}],
                                       "free_shipping": [{"over": "248", "carriers": ["table"]}]})

    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/shopify/rates", json=shopify_body())
        assert response.status_code == 200
        rates = response.json()["rates"]
        by_code = {r["service_code"]: r for r in rates}
        fast = by_code["fast:std"]
        assert fast["total_price"] == "2200"  # 20.00 + 10% = 22.00 CNY, in cents
        assert fast["currency"] == "CNY"
        assert fast["service_name"] == "Fake Standard"
        assert fast["min_delivery_date"] == fast["max_delivery_date"]
        assert {k for k in by_code if k.startswith("table:")}  # backup rates while "slow" hangs
        # order total 2 x 99.00 + 50.00 = 248.00: the table's rates are free
        assert all(r["total_price"] == "0" for code, r in by_code.items() if code.startswith("table:"))

    run(check, policy)


def test_shopify_rates_in_the_shop_currency() -> None:
    policy = FeePolicy.model_validate({"currency": "CNY", "exchange_rates": {"USD": "8"}})

    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/shopify/rates", json=shopify_body(currency="USD"))
        rates = {r["service_code"]: r for r in response.json()["rates"]}
        assert rates["fast:std"]["total_price"] == "250"  # 20 CNY / 8 = 2.50 USD
        assert rates["fast:std"]["currency"] == "USD"

    run(check, policy)


def test_shopify_bad_input_names_the_field() -> None:
    async def check(client: httpx.AsyncClient) -> None:
        bad = shopify_body(items=[{"name": "x", "quantity": 0, "grams": 10, "price": 100}])
        response = await client.post("/shopify/rates", json=bad)
        assert response.status_code == 422
        assert response.json()["field"] == "rate.items[0].quantity"
        missing_zip = shopify_body(destination={"country": "CN", "city": "Beijing"})
        response = await client.post("/shopify/rates", json=missing_zip)
        assert response.status_code == 422
        assert response.json()["field"] == "rate.destination.postal_code"
        abroad = shopify_body(destination={"country": "US", "postal_code": "90071", "province": "CA"})
        response = await client.post("/shopify/rates", json=abroad)
        assert response.status_code == 422
        assert response.json()["field"] == "rate.items[0].properties.hs_code"
        nothing = shopify_body(items=[{"name": "e-book", "quantity": 1, "grams": 0, "price": 100,
                                       "requires_shipping": False}])
        response = await client.post("/shopify/rates", json=nothing)
        assert response.status_code == 200
        assert response.json() == {"rates": []}

    run(check, FeePolicy())


def test_international_shopify_request_builds_customs_from_items() -> None:
    body = shopify_body(destination={"country": "US", "postal_code": "90071", "province": "CA", "city": None})
    request, order_total, currency = rate_request(body, ShopifyOptions(default_hs_code="610910"))
    assert request is not None
    assert request.customs is not None
    item = request.customs.items[0]
    assert (item.hs_code, item.quantity, item.unit_value, item.origin_country) == \
        ("610910", 2, cg.Money("99.00", "CNY"), "CN")
    assert request.parcels[0].weight == cg.Weight(800, "g")
    assert request.destination.city == "90071"
    assert request.destination.street == ["(street not given)"]
    assert order_total == cg.Money("248.00", "CNY")
    assert currency == "CNY"


def test_rates_response_dates_from_estimate() -> None:
    from carriergate.checkout.fees import PricedQuote
    from carriergate.checkout.quoting import CheckoutOption, CheckoutQuote

    q = cg.Quote(carrier="ups", service_code="03", service_name="UPS Ground", total=cg.Money("12.345", "USD"),
                 estimated_delivery=date(2025, 5, 2))
    answer = rates_response(CheckoutQuote(options=[CheckoutOption(PricedQuote(q, q.total))]), today=date(2025, 5, 1))
    assert answer["rates"][0]["min_delivery_date"] == "2025-05-02 00:00:00 +0000"
    assert answer["rates"][0]["total_price"] == "1235"
    assert Decimal(answer["rates"][0]["total_price"]) == Decimal(1235)
