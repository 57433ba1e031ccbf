"""The checkout app as an operator and an integrator meet it: the body's schema, quoting without a
name or street, one access log line per request, and each account's breaker state on /healthz."""

from __future__ import annotations

import asyncio
import logging
import logging.config
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jsonschema
import pytest

import carriergate as cg
from carriergate.adapters.breaker import BreakerSettings
from carriergate.checkout import create_app
from carriergate.checkout.body import QuoteBody
from carriergate.checkout.fees import FeePolicy
from carriergate.checkout.serving import uvicorn_settings

from support.shipments import domestic_request
from support.shop_fakes import ahandler, fake, fake_carrier

__all__ = ["fake_carrier"]
pytestmark = pytest.mark.usefixtures("fake_carrier")

NO_NAME_OR_STREET: dict[str, Any] = {
    "origin": {"country": "CN", "postal_code": "200120", "city": "Shanghai", "state": "Shanghai"},
    "destination": {"country": "CN", "postal_code": "100010", "city": "Beijing", "state": "Beijing"},
    "parcels": [{"weight": {"value": "2.5", "unit": "kg"}}],
}


def serve(config: dict[str, dict[str, Any]], check: Callable[[httpx.AsyncClient], Awaitable[None]],
          **gateway_options: Any) -> None:
    async def main() -> None:
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(ahandler), **gateway_options) as gw:
            app = create_app(gw, FeePolicy(), deadline=0.5)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                await asyncio.wait_for(check(client), timeout=10)

    asyncio.run(main())


def test_schema_is_served_and_describes_what_the_endpoint_accepts() -> None:
    async def check(client: httpx.AsyncClient) -> None:
        response = await client.get("/v1/schema")
        assert response.status_code == 200
        schema = response.json()
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema == QuoteBody.model_json_schema(mode="validation") | {
            "$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "/v1/schema"}
        assert {"origin", "destination", "parcels"} <= set(schema["required"])
        assert {"order_total", "member_tier", "currency", "carriers"} <= set(schema["properties"])
        validator = jsonschema.Draft202012Validator(schema)
        full = {**domestic_request().model_dump(mode="json", exclude_none=True), "member_tier": "gold"}
        validator.validate(full)
        validator.validate(NO_NAME_OR_STREET)  # name and street are optional in the schema too
        assert not validator.is_valid({"origin": NO_NAME_OR_STREET["origin"]})  # no destination, no parcels
        assert (await client.post("/v1/schema")).status_code == 405

    serve({"fast": fake()}, check)


def test_quotes_without_name_or_street_as_the_cli_does() -> None:
    async def check(client: httpx.AsyncClient) -> None:
        response = await client.post("/v1/quotes", json=NO_NAME_OR_STREET)
        assert response.status_code == 200
        answer = response.json()
        assert [(q["carrier"], q["price"]) for q in answer["quotes"]] == [("fast", {"amount": "20.00",
                                                                                    "currency": "CNY"})]
        assert answer["complete"] is True
        blank = {**NO_NAME_OR_STREET, "origin": {**NO_NAME_OR_STREET["origin"], "street": ["  "]}}
        response = await client.post("/v1/quotes", json=blank)  # given, a street line must still be real
        assert response.status_code == 422
        assert response.json()["field"] == "origin.street[0]"

    serve({"fast": fake(price="20.00")}, check)


def test_one_access_line_per_request_without_body_query_or_secret(caplog: pytest.LogCaptureFixture) -> None:
    async def check(client: httpx.AsyncClient) -> None:
        await client.post("/v1/quotes?token=s3cr3t-query", json=NO_NAME_OR_STREET,
                          headers={"Authorization": "Bearer s3cr3t-header"})
        await client.get("/healthz")
        await client.get("/nowhere")

    with caplog.at_level(logging.INFO, logger="carriergate.checkout.access"):
        serve({"fast": fake()}, check)
    lines = [r for r in caplog.records if r.name == "carriergate.checkout.access"]
    assert [(r.method, r.path, r.status) for r in lines] == [  # type: ignore[attr-defined]
        ("POST", "/v1/quotes", 200), ("GET", "/healthz", 200), ("GET", "/nowhere", 404)]
    first = lines[0].getMessage()
    assert first.startswith("method=POST path=/v1/quotes status=200 duration_ms=")
    assert float(first.rsplit("=", 1)[1]) == lines[0].duration_ms >= 0  # type: ignore[attr-defined]
    text = " ".join(r.getMessage() for r in caplog.records)
    assert "s3cr3t" not in text
    assert "100010" not in text
    assert "Beijing" not in text


def test_healthz_reports_each_breaker_as_checkout_sees_it() -> None:
    async def check(client: httpx.AsyncClient) -> None:
        fresh = (await client.get("/healthz")).json()["breakers"]
        assert {name: s["state"] for name, s in fresh.items()} == {"fast": "closed", "slow": "closed"}
        await client.post("/v1/quotes", json=NO_NAME_OR_STREET)  # "slow" hangs past the deadline: one failure
        failing = (await client.get("/healthz")).json()["breakers"]
        assert failing["slow"] == {"state": "failing", "consecutive_failures": 1, "last_error": "deadline",
                                   "seen": True}
        assert failing["fast"] == {"state": "closed", "consecutive_failures": 0, "last_error": None, "seen": True}
        await client.post("/v1/quotes", json=NO_NAME_OR_STREET)  # the second failure opens its breaker ...
        await client.post("/v1/quotes", json=NO_NAME_OR_STREET)  # ... and the next round is refused by it
        health = (await client.get("/healthz")).json()
        opened = health["breakers"]
        assert health["breaker_states"] == {"fast": {"read": "closed", "write": "closed"},
                                            "slow": {"read": "open", "write": "closed"}}  # the gateway's own
        assert opened["slow"]["state"] == "open"
        assert opened["slow"]["last_error"] == "breaker_open"
        assert opened["fast"]["state"] == "closed"

    serve({"fast": fake(), "slow": fake("hang")}, check, breaker=BreakerSettings(failure_threshold=2, cooldown=60))


def test_serve_settings_show_checkout_lines_and_bind_the_given_host() -> None:
    settings = uvicorn_settings("192.0.2.10", 8123)
    assert (settings["host"], settings["port"], settings["access_log"]) == ("192.0.2.10", 8123, False)
    assert uvicorn_settings()["host"] == "127.0.0.1"
    config = settings["log_config"]
    assert config["loggers"]["carriergate.checkout"]["level"] == "INFO"
    logging.config.dictConfig(config)  # a valid logging configuration
    try:
        assert logging.getLogger("carriergate.checkout.access").isEnabledFor(logging.INFO)
    finally:
        for name in ("carriergate", "carriergate.checkout", "uvicorn"):
            logger = logging.getLogger(name)
            logger.handlers.clear()
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
    with pytest.raises(ValueError, match="host"):
        uvicorn_settings(" ")
