"""A fake carrier for rate-shopping and checkout tests, and how to register it.

Registered in-process with ``carriergate.core.registry.register("fake", FakeCarrier)`` (see
:func:`register`): every account with ``carrier = "fake"`` gets :class:`FakeCarrier`.

The fake does real exchanges through the executor: each rate call is a POST to
``https://fake.invalid/{alias}/rate`` with the account's behaviour in a header, answered by
:func:`async_handler` / :func:`sync_handler` (for ``httpx.MockTransport``):
``ok`` -> a price, ``fail`` -> HTTP 503, ``hang`` -> never answers (awaits an Event nobody sets).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, ClassVar, Literal

import httpx
import pytest

import carriergate as cg
from carriergate.core import registry
from carriergate.protocols.http import error_for_status

Behaviour = Literal["ok", "fail", "hang"]
CALLS: list[str] = []


class FakeAccount(cg.Account):
    price: str = "10.00"
    currency: str = "CNY"
    transit_days: int = 2
    behaviour: Behaviour = "ok"


class FakeCarrier(cg.Carrier[FakeAccount]):
    name: ClassVar[str] = "fake"
    capabilities: ClassVar[frozenset[cg.Capability]] = frozenset({cg.Capability.RATE})
    account_model: ClassVar[type[cg.Account]] = FakeAccount
    hosts: ClassVar[dict[str, str]] = {"production": "https://fake.invalid"}

    def rate(self, request: cg.RateRequest) -> cg.Flow[list[cg.Quote]]:
        account = self.account
        assert isinstance(account, FakeAccount)
        http = httpx.Request("POST", f"{self.base_url}/{self.alias}/rate",
                             headers={"x-behaviour": account.behaviour},
                             json={"price": account.price, "currency": account.currency})
        body: dict[str, Any] = yield cg.Call(request=http, parse=self._parse, operation="rate",
            kind="read", idempotent=True)
        return [cg.Quote(carrier=self.alias, service_code="std", service_name="Fake Standard",
                         total=cg.Money(body["price"], body["currency"]), transit_days=account.transit_days)]

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code != 200:
            raise error_for_status(response, carrier=self.alias)
        data: dict[str, Any] = response.json()
        return data


def _answer(request: httpx.Request) -> httpx.Response:
    CALLS.append(request.url.path)
    if request.headers["x-behaviour"] == "fail":
        return httpx.Response(503, json={"error": "down"})
    return httpx.Response(200, content=request.content)


async def async_handler(request: httpx.Request) -> httpx.Response:
    if request.headers["x-behaviour"] == "hang":
        await asyncio.Event().wait()  # never set: only the caller's deadline ends this
    return _answer(request)


def sync_handler(request: httpx.Request) -> httpx.Response:
    if request.headers["x-behaviour"] == "hang":
        raise httpx.ReadTimeout("fake carrier hung", request=request)
    return _answer(request)


@pytest.fixture
def fake_carrier() -> Iterator[None]:
    """Registers the fake carrier for one test."""
    registry.register("fake", FakeCarrier)
    CALLS.clear()
    yield
    registry.unregister("fake")


def fake(behaviour: Behaviour = "ok", price: str = "10.00", transit_days: int = 2,
         currency: str = "CNY") -> dict[str, Any]:
    return {"carrier": "fake", "behaviour": behaviour, "price": price, "transit_days": transit_days,
            "currency": currency}


def quote(carrier: str, price: str, days: int | None = None, service: str = "std", currency: str = "CNY",
          **extra: Any) -> cg.Quote:
    return cg.Quote(carrier=carrier, service_code=service, service_name=f"{carrier} {service}",
                    total=cg.Money(price, currency), transit_days=days, **extra)


__all__ = ["CALLS", "FakeCarrier", "async_handler", "fake", "fake_carrier", "quote", "sync_handler"]
