"""Shopify's CarrierService callback as Shopify really sends it (its documented request format)."""

from __future__ import annotations

import asyncio
import copy
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import ShopifyOptions, create_app
from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.shopify import rate_request

from support.shop_fakes import CALLS, ahandler, fake, fake_carrier

__all__ = ["fake_carrier"]
pytestmark = pytest.mark.usefixtures("fake_carrier")

DOCUMENTED = Path(__file__).parent / "data" / "shopify_rate_request.json"


def documented() -> dict[str, Any]:
    """Our own request body in the format of Shopify's documented example (a Canadian shop, USD)."""
    body: dict[str, Any] = json.loads(DOCUMENTED.read_text(encoding="utf-8"))
    return body


def abroad(properties: Any = None, sku: str = "") -> dict[str, Any]:
    body = documented()
    body["rate"]["destination"].update({"country": "US", "postal_code": "98101", "province": "WA", "city": "Seattle"})
    item = body["rate"]["items"][0]
    item["sku"] = sku
    if properties is ...:
        del item["properties"]
    else:
        item["properties"] = properties
    return body


def serve(check: Callable[[httpx.AsyncClient], Awaitable[None]], policy: FeePolicy,
          config: dict[str, dict[str, Any]] | None = None, **options: Any) -> None:
    async def main() -> None:
        accounts = config or {"canpost": fake(price="30.00", currency="CAD", transit_days=3)}
        async with cg.AsyncGateway(accounts, transport=httpx.MockTransport(ahandler)) as gw:
            app = create_app(gw, policy, deadline=1.0, **options)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                await asyncio.wait_for(check(client), timeout=5)

    asyncio.run(main())


def test_documented_request_round_trips_to_rates_in_the_store_currency(caplog: pytest.LogCaptureFixture) -> None:
    policy = FeePolicy.model_validate({"exchange_base": "CAD", "exchange_rates": {"USD": "1.25"}})

    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/shopify/rates", json=documented())
        assert response.status_code == 200
        rates = response.json()["rates"]
        assert rates == [{
            "service_name": "Fake Standard", "service_code": "canpost:std", "total_price": "2400",  # 30 CAD / 1.25
            "currency": "USD", "description": "3 day(s) in transit",
            "min_delivery_date": rates[0]["min_delivery_date"], "max_delivery_date": rates[0]["max_delivery_date"]}]
        assert rates[0]["min_delivery_date"].endswith("+0000")  # no time zone set: UTC, said so

    with caplog.at_level(logging.WARNING, logger="carriergate.checkout"):
        serve(check, policy)
    assert CALLS == ["/canpost/rate"]
    assert not [r for r in caplog.records if r.name == "carriergate.checkout"]


def test_documented_request_reads_every_field_we_need() -> None:
    request, order_total, currency = rate_request(documented())
    assert request is not None
    assert currency == "USD"
    assert order_total == cg.Money("52.00", "USD")  # 2 x 24.50 + 3.00
    assert request.origin.name == "Maple Knitwear"
    assert request.origin.company == "Maple Knitwear"
    assert request.destination.name == "Avery Tran"
    assert request.destination.street == ["800 Robson St", "Unit 4"]
    assert request.parcels[0].weight == cg.Weight(700, "g")  # the gift wrap needs no shipping
    assert request.parcels[0].dimensions is None
    assert request.customs is None  # domestic


@pytest.mark.parametrize("properties", [None, [], {}, ...], ids=["null", "list", "object", "absent"])
def test_properties_in_every_shape_shopify_sends_use_the_default_hs_code(properties: Any) -> None:
    request, _, _ = rate_request(abroad(properties), ShopifyOptions(default_hs_code="611710"))
    assert request is not None
    assert request.customs is not None
    assert [item.hs_code for item in request.customs.items] == ["611710"]


def test_hs_code_from_properties_then_sku_mapping_then_default() -> None:
    options = ShopifyOptions(default_hs_code="611710", hs_codes={"SCARF-W": "611720"})
    as_pairs = [{"name": "hs_code", "value": "611790"}, {"name": "_note", "value": "gift"}]
    for body, expected in [(abroad(as_pairs), "611790"), (abroad({"hs_code": "611790"}), "611790"),
                           (abroad(None, sku="SCARF-W"), "611720"), (abroad({}, sku="OTHER"), "611710")]:
        request, _, _ = rate_request(body, options)
        assert request is not None
        assert request.customs is not None
        assert request.customs.items[0].hs_code == expected
        assert request.customs.items[0].unit_value == cg.Money("24.50", "USD")


def test_bad_properties_and_missing_hs_code_name_the_field() -> None:
    with pytest.raises(cg.ValidationError) as err:
        rate_request(abroad([{"value": "x"}]))
    assert err.value.field.startswith("rate.items[0].properties")
    with pytest.raises(cg.ValidationError) as err:
        rate_request(abroad(None))
    assert err.value.field == "rate.items[0].properties.hs_code"
    assert "hs_codes" in err.value.reason


def test_default_hs_code_and_time_zone_from_the_policy_file(tmp_path: Path) -> None:
    file = tmp_path / "fees.toml"
    file.write_text('time_zone = "America/Toronto"\n[shopify]\ndefault_hs_code = "611710"\n'
                    'default_box = { length = "30", width = "20", height = "5", unit = "cm" }\n', encoding="utf-8")
    policy = FeePolicy.from_toml(file)
    assert policy.time_zone == "America/Toronto"
    request, _, _ = rate_request(abroad(None), policy.shopify)
    assert request is not None
    assert request.customs is not None
    assert request.customs.items[0].hs_code == "611710"
    assert request.parcels[0].dimensions == cg.Dimensions(30, 20, 5, "cm")
    file.write_text('time_zone = "Mars/Olympus"\n', encoding="utf-8")
    with pytest.raises(cg.ValidationError) as err:
        FeePolicy.from_toml(file)
    assert err.value.field == "time_zone"


def test_default_box_per_shop_by_shopify_shop_domain() -> None:
    options = ShopifyOptions.model_validate({
        "default_box": {"length": 30, "width": 20, "height": 10, "unit": "cm"},
        "shops": {"maple.myshopify.com": {"default_box": {"length": 40, "width": 30, "height": 20, "unit": "cm"}}}})
    shared = cg.Dimensions(30, 20, 10, "cm")
    for shop, box in [("maple.myshopify.com", cg.Dimensions(40, 30, 20, "cm")), ("other.myshopify.com", shared),
                      (None, shared)]:
        request, _, _ = rate_request(documented(), options, shop)
        assert request is not None
        assert request.parcels[0].dimensions == box


def test_default_hs_code_given_to_the_app_as_serve_passes_it() -> None:
    policy = FeePolicy.model_validate({"exchange_base": "CAD", "exchange_rates": {"USD": "1.25"}})

    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/shopify/rates", json=abroad(None))
        assert response.status_code == 200
        assert [r["currency"] for r in response.json()["rates"]] == ["USD"]

    serve(check, policy, default_hs_code="611710")

    async def refused() -> None:
        async with cg.AsyncGateway({"canpost": fake()}, transport=httpx.MockTransport(ahandler)) as gw:
            with pytest.raises(cg.ConfigurationError):
                create_app(gw, policy, default_hs_code="6")  # too short to be an HS code: refused at start-up

    asyncio.run(refused())


def test_nothing_to_ship_answers_empty_rates_with_a_log_line(caplog: pytest.LogCaptureFixture) -> None:
    body = documented()
    body["rate"]["items"] = [copy.deepcopy(body["rate"]["items"][1])]  # only the gift wrap

    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/shopify/rates", json=body,
                                     headers={"X-Shopify-Shop-Domain": "maple.myshopify.com"})
        assert response.json() == {"rates": []}

    with caplog.at_level(logging.WARNING, logger="carriergate.checkout"):
        serve(check, FeePolicy())
    why = [r.getMessage() for r in caplog.records if r.name == "carriergate.checkout"]
    assert why == ["shopify rates: none offered: no item requires shipping (shop=maple.myshopify.com)"]
    assert CALLS == []
