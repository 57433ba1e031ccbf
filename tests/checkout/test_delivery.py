"""Delivery dates: the earliest and latest day, in the shop's time zone, in both answers."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import CheckoutOption, CheckoutQuote, ShopifyOptions, create_app
from carriergate.checkout.delivery import delivery_window, shop_today
from carriergate.checkout.fees import FeePolicy, PricedQuote
from carriergate.checkout.shopify import rates_response

from support.shop_fakes import ahandler, fake, fake_carrier

__all__ = ["fake_carrier"]
pytestmark = pytest.mark.usefixtures("fake_carrier")

SHANGHAI = ZoneInfo("Asia/Shanghai")
TORONTO = ZoneInfo("America/Toronto")
MAY_1 = date(2025, 5, 1)


def q(**extra: Any) -> cg.Quote:
    return cg.Quote(carrier="sf", service_code="std", service_name="SF Standard", total=cg.Money("20.00", "CNY"),
                    **extra)


def test_a_transit_range_gives_min_and_max_from_the_shops_today() -> None:
    window = delivery_window(q(transit_days_min=2, transit_days=4), SHANGHAI, MAY_1)
    assert window is not None
    assert window.earliest == datetime(2025, 5, 3, tzinfo=SHANGHAI)
    assert window.latest == datetime(2025, 5, 5, tzinfo=SHANGHAI)
    assert window.as_json() == {"min": "2025-05-03T00:00:00+08:00", "max": "2025-05-05T00:00:00+08:00"}
    single = delivery_window(q(transit_days=3), SHANGHAI, MAY_1)
    assert single is not None
    assert single.earliest == single.latest == datetime(2025, 5, 4, tzinfo=SHANGHAI)
    assert delivery_window(q(), SHANGHAI, MAY_1) is None


def test_a_carrier_date_or_moment_is_shown_in_the_shop_zone() -> None:
    day = delivery_window(q(estimated_delivery=date(2025, 5, 6), transit_days_min=3, transit_days=5), TORONTO, MAY_1)
    assert day is not None
    assert (day.earliest, day.latest) == (datetime(2025, 5, 4, tzinfo=TORONTO), datetime(2025, 5, 6, tzinfo=TORONTO))
    moment = datetime(2025, 5, 6, 2, 30, tzinfo=UTC)  # 22:30 the day before in Toronto
    aware = delivery_window(q(estimated_delivery=moment), TORONTO, MAY_1)
    assert aware is not None
    assert aware.latest == moment
    assert aware.latest.tzinfo is TORONTO
    assert aware.latest.date() == date(2025, 5, 5)
    naive = delivery_window(q(estimated_delivery=datetime(2025, 5, 6, 18, 0)), TORONTO, MAY_1)
    assert naive is not None
    assert naive.latest.utcoffset() == timedelta(hours=-4)


def test_shopify_dates_are_min_and_max_in_the_shop_zone_not_midnight_utc() -> None:
    option = CheckoutOption(PricedQuote(q(transit_days_min=1, transit_days=3), cg.Money("20.00", "CNY")))
    answer = rates_response(CheckoutQuote(options=[option], time_zone=SHANGHAI), today=MAY_1)
    rate = answer["rates"][0]
    assert rate["min_delivery_date"] == "2025-05-02 00:00:00 +0800"
    assert rate["max_delivery_date"] == "2025-05-04 00:00:00 +0800"
    assert rate["description"] == "1-3 day(s) in transit"


def test_checkout_answer_carries_the_window() -> None:
    option = CheckoutOption(PricedQuote(q(transit_days_min=2, transit_days=4), cg.Money("20.00", "CNY")))
    entry = CheckoutQuote(options=[option], time_zone=SHANGHAI).as_json()["quotes"][0]
    today = shop_today(SHANGHAI)
    assert entry["transit_days_min"] == 2
    assert entry["transit_days"] == 4
    assert entry["delivery"] == {"min": f"{today + timedelta(days=2)}T00:00:00+08:00",
                                 "max": f"{today + timedelta(days=4)}T00:00:00+08:00"}


def shopify_body() -> dict[str, Any]:
    return {"rate": {
        "origin": {"country": "CN", "postal_code": "200120", "province": "Shanghai", "city": "Shanghai",
                   "name": None, "address1": "88 Century Avenue", "company_name": "Lei Trading"},
        "destination": {"country": "CN", "postal_code": "100010", "province": "Beijing", "city": "Beijing",
                        "name": "Han Meimei", "address1": "1 Chang'an Avenue"},
        "items": [{"name": "Tea", "sku": "T-1", "quantity": 1, "grams": 500, "price": 8800, "properties": {}}],
        "currency": "CNY", "locale": "zh-CN"}}


def serve(check: Callable[[httpx.AsyncClient], Awaitable[None]], policy: FeePolicy, **options: Any) -> None:
    async def main() -> None:
        config = {"sf": fake(transit_days=2), "table": {}}
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(ahandler)) as gw:
            app = create_app(gw, policy, deadline=1.0, **options)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                await asyncio.wait_for(check(client), timeout=5)

    asyncio.run(main())


def offset_of(shopify_date: str) -> str:
    return shopify_date.rsplit(" ", 1)[1]


def test_the_app_dates_shopify_rates_in_the_policy_zone_and_per_shop() -> None:
    shopify = ShopifyOptions.model_validate({"shops": {"west.myshopify.com": {"time_zone": "America/Los_Angeles"}}})

    async def check(client: httpx.AsyncClient) -> None:
        rates = (await client.post("/shopify/rates", json=shopify_body())).json()["rates"]
        sf = next(r for r in rates if r["service_code"] == "sf:std")
        assert offset_of(sf["min_delivery_date"]) == "+0800"
        today = datetime.now(SHANGHAI).date()
        assert sf["max_delivery_date"] == f"{today + timedelta(days=2)} 00:00:00 +0800"
        west = (await client.post("/shopify/rates", json=shopify_body(),
                                  headers={"X-Shopify-Shop-Domain": "west.myshopify.com"})).json()["rates"]
        assert {offset_of(r["max_delivery_date"]) for r in west} <= {"-0700", "-0800"}

    serve(check, FeePolicy(), time_zone="Asia/Shanghai", shopify=shopify)


def test_the_time_zone_setting_is_checked_at_start_up() -> None:
    async def main() -> None:
        async with cg.AsyncGateway({"sf": fake()}, transport=httpx.MockTransport(ahandler)) as gw:
            with pytest.raises(cg.ConfigurationError, match="time zone"):
                create_app(gw, FeePolicy(), time_zone="Shanghai")

    asyncio.run(main())
