"""Quotes in another currency than the shop's: converted by a rate source, or dropped loudly with backup rates."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.checkout import RateSource, StaticRates, create_app, quote
from carriergate.checkout.exchange import ChainedRates, rate_source
from carriergate.checkout.fees import FeePolicy, NoExchangeRate

from support.shipments import domestic_request
from support.shop_fakes import ahandler, fake, fake_carrier, handler

__all__ = ["fake_carrier"]
pytestmark = pytest.mark.usefixtures("fake_carrier")

USD_CARD = """
name = "USD backup card"
currency = "USD"
[zones.cn]
countries = ["CN"]
[services.economy]
name = "Backup Economy"
transit_days = [3, 5]
[services.economy.zones.cn]
first_weight = "1"
first_price = "4.00"
additional_weight = "1"
additional_price = "1.00"
"""


def chinese_store_body(currency: str = "USD") -> dict[str, Any]:
    """A Shanghai shop whose store currency is USD, shipping within China (Shopify's callback format)."""
    return {"rate": {
        "origin": {"country": "CN", "postal_code": "200120", "province": "Shanghai", "city": "Shanghai",
                   "name": None, "address1": "88 Century Avenue", "address2": "", "address3": None,
                   "phone": None, "fax": None, "email": None, "address_type": None, "company_name": "Lei Trading"},
        "destination": {"country": "CN", "postal_code": "100010", "province": "Beijing", "city": "Beijing",
                        "name": "Han Meimei", "address1": "1 Chang'an Avenue", "address2": None, "address3": None,
                        "phone": None, "fax": None, "email": None, "address_type": None, "company_name": None},
        "items": [{"name": "Silk scarf", "sku": "SS-1", "quantity": 1, "grams": 300, "price": 2500,
                   "vendor": "Lei", "requires_shipping": True, "taxable": True, "fulfillment_service": "manual",
                   "properties": None, "product_id": 11, "variant_id": 12}],
        "currency": currency, "locale": "zh-CN"}}


def serve(config: dict[str, dict[str, Any]], check: Callable[[httpx.AsyncClient], Awaitable[None]],
          policy: FeePolicy, **app_options: Any) -> None:
    async def main() -> None:
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(ahandler)) as gw:
            app = create_app(gw, policy, deadline=1.0, **app_options)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                await asyncio.wait_for(check(client), timeout=5)

    asyncio.run(main())


def test_static_rates_convert_any_listed_pair_through_the_base() -> None:
    rates = StaticRates("CNY", {"USD": "7.20", "EUR": "7.80"})
    assert isinstance(rates, RateSource)
    assert rates.rate("USD", "CNY") == Decimal("7.20")
    assert rates.rate("EUR", "USD") == Decimal("7.80") / Decimal("7.20")
    assert rates.rate("CNY", "CNY") == 1
    assert rates.rate("JPY", "CNY") is None
    with pytest.raises(cg.ConfigurationError, match="greater than zero"):
        StaticRates("CNY", {"USD": "0"})
    with pytest.raises(cg.ConfigurationError, match="ISO 4217"):
        StaticRates("CNY", {"RMBX": "1"})


def test_chinese_store_priced_in_usd_gets_usd_rates_from_cny_quotes() -> None:
    """The issue's case: carriers quote CNY, the store's currency is USD; the policy file gives the rate."""
    policy = FeePolicy.model_validate({"exchange_base": "CNY", "exchange_rates": {"USD": "7.20"}})

    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/shopify/rates", json=chinese_store_body())
        assert response.status_code == 200
        rates = response.json()["rates"]
        assert rates, "a Chinese store priced in USD must get rates"
        assert {r["currency"] for r in rates} == {"USD"}
        by_code = {r["service_code"]: r for r in rates}
        assert by_code["sf:std"]["total_price"] == "500"  # 36.00 CNY at 1 USD = 7.20 CNY = 5.00 USD

    serve({"sf": fake(price="36.00", currency="CNY")}, check, policy)


def test_exchange_rate_file_is_a_serve_setting(tmp_path: Path) -> None:
    """``create_app(exchange_rates=FILE)``: what ``serve --exchange-rates FILE`` passes through."""
    file = tmp_path / "rates.toml"
    file.write_text('base = "CNY"\nrates = { USD = "8" }\n', encoding="utf-8")

    async def check(client: httpx.AsyncClient) -> None:
        rates = (await client.post("/shopify/rates", json=chinese_store_body())).json()["rates"]
        assert [(r["service_code"], r["total_price"], r["currency"]) for r in rates] == [("sf:std", "450", "USD")]

    serve({"sf": fake(price="36.00")}, check, FeePolicy(), exchange_rates=file)
    (tmp_path / "bad.toml").write_text('rates = { USD = "8" }\n', encoding="utf-8")
    with pytest.raises(cg.ConfigurationError, match="base"):
        rate_source(tmp_path / "bad.toml")


class LiveFeed:
    """A pluggable source (the protocol's one method): knows EUR only."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []

    def rate(self, base: str, quote: str) -> Decimal | None:
        self.asked.append((base, quote))
        return Decimal("7.5") if (base, quote) == ("EUR", "CNY") else None


def test_a_pluggable_source_is_asked_before_the_policy_table() -> None:
    feed = LiveFeed()
    policy = FeePolicy.model_validate({"currency": "CNY", "exchange_rates": {"USD": "7"}}).with_rates(feed)
    euro = cg.Quote(carrier="dhl", service_code="P", service_name="DHL", total=cg.Money("10.00", "EUR"))
    priced = policy.apply(euro)
    assert priced.price == cg.Money("75.00", "CNY")
    assert priced.explanation[0] == "converted at 1 EUR = 7.5 CNY: 10.00 EUR -> 75.00 CNY"
    assert ("EUR", "CNY") in feed.asked
    dollars = cg.Quote(carrier="ups", service_code="03", service_name="UPS", total=cg.Money("10.00", "USD"))
    assert policy.apply(dollars).price == cg.Money("70.00", "CNY")  # the feed does not know USD: the table does
    assert isinstance(policy.rates, ChainedRates)


def test_rates_without_a_base_currency_are_refused_naming_the_field() -> None:
    with pytest.raises(cg.ValidationError) as err:
        FeePolicy.model_validate({"exchange_rates": {"USD": "7.2"}})
    assert err.value.field == "exchange_base"


def test_a_quote_without_a_rate_is_logged_listed_and_replaced_by_backup_rates_in_the_shop_currency(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    card = tmp_path / "usd.toml"
    card.write_text(USD_CARD, encoding="utf-8")
    config = {"sf": fake(price="36.00", currency="CNY"), "table": {"rate_card": str(card)}}

    async def check(client: httpx.AsyncClient) -> None:
        rates = (await client.post("/shopify/rates", json=chinese_store_body())).json()["rates"]
        assert [(r["service_code"], r["currency"]) for r in rates] == [("table:economy", "USD")]
        assert rates[0]["total_price"] == "400"  # the USD card's 4.00 for the first kilo
        answer = (await client.post("/v1/quotes", json={
            "origin": {"country": "CN", "postal_code": "200120", "city": "Shanghai", "state": "Shanghai"},
            "destination": {"country": "CN", "postal_code": "100010", "city": "Beijing", "state": "Beijing"},
            "parcels": [{"weight": {"value": "0.3", "unit": "kg"}}], "currency": "USD"})).json()
        assert answer["errors"]["sf"]["code"] == "no_exchange_rate"
        assert "CNY to USD" in answer["errors"]["sf"]["message"]
        assert [q["carrier"] for q in answer["quotes"]] == ["table"]

    with caplog.at_level(logging.WARNING, logger="carriergate.checkout"):
        serve(config, check, FeePolicy())
    dropped = [r for r in caplog.records if r.name == "carriergate.checkout" and "dropped a quote" in r.getMessage()]
    assert dropped
    assert "carrier=sf" in dropped[0].getMessage()
    assert "no_exchange_rate" in dropped[0].getMessage()
    assert any("backup table rates" in r.getMessage() for r in caplog.records)


def test_no_rate_and_no_backup_gives_empty_rates_with_a_log_line_saying_why(caplog: pytest.LogCaptureFixture) -> None:
    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/shopify/rates", json=chinese_store_body())
        assert response.json() == {"rates": []}

    with caplog.at_level(logging.WARNING, logger="carriergate.checkout"):
        serve({"sf": fake(price="36.00")}, check, FeePolicy())
    why = [r.getMessage() for r in caplog.records if "none offered" in r.getMessage()]
    assert why
    assert "sf: no_exchange_rate" in why[0]
    assert "USD" in why[0]


def test_sync_quote_lists_the_dropped_quote_with_its_carrier_named() -> None:
    policy = FeePolicy.model_validate({"currency": "CNY"})
    with cg.Gateway({"usd": fake(currency="USD"), "fast": fake()}, transport=httpx.MockTransport(handler)) as gw:
        result = quote(gw, domestic_request(), policy, deadline=2.0)
    assert isinstance(result.errors["usd"], NoExchangeRate)
    assert result.errors["usd"].carrier == "usd"
    assert not result.complete


def test_sync_quote_falls_back_to_backup_rates_in_the_shop_currency(tmp_path: Path) -> None:
    card = tmp_path / "usd.toml"
    card.write_text(USD_CARD, encoding="utf-8")
    config = {"sf": fake(price="36.00"), "table": {"rate_card": str(card)}}
    with cg.Gateway(config, transport=httpx.MockTransport(handler)) as gw:
        result = quote(gw, domestic_request(), FeePolicy(), deadline=2.0, currency="USD")
    assert [(o.priced.quote.carrier, o.priced.quote.source, o.price.currency) for o in result.options] == [
        ("table", "table", "USD")]
    assert result.errors["sf"].code == "no_exchange_rate"


def test_a_copy_with_other_rates_uses_them() -> None:
    policy = FeePolicy.model_validate({"currency": "CNY", "exchange_rates": {"USD": "7"}})
    dollars = cg.Quote(carrier="ups", service_code="03", service_name="UPS", total=cg.Money("10.00", "USD"))
    assert policy.apply(dollars).price == cg.Money("70.00", "CNY")
    dearer = policy.model_copy(update={"exchange_rates": {"USD": Decimal(8)}})
    assert dearer.apply(dollars).price == cg.Money("80.00", "CNY")
    assert policy.apply(dollars).price == cg.Money("70.00", "CNY")
