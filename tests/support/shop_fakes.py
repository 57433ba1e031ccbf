"""The fake carrier of rate-shopping and checkout tests (support.fake_carrier's one fake), and its answers.

Every account with ``carrier = "fake"`` gets :data:`ShopCarrier` while the :func:`fake_carrier` fixture
is active. It does real exchanges through the executor: each rate call is a POST to
``https://fake.invalid/{alias}/rate`` with the account's behaviour in a header, answered by
:func:`handler` / :func:`ahandler` (for ``httpx.MockTransport``): ``ok`` -> a price, ``fail`` ->
HTTP 503, ``hang`` -> never answers (awaits an Event nobody sets; sync: a read timeout).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any, Literal

import httpx
import pytest

import carriergate as cg

from support.fake_carrier import Exchange, Turn, checked, registered
from support.fake_carrier import fake_carrier as define_carrier
from support.fake_carrier import quote as carrier_quote

Behaviour = Literal["ok", "fail", "hang"]
CALLS: list[str] = []


def _rate(turn: Turn) -> httpx.Request:
    return httpx.Request("POST", turn.url(f"/{turn.alias}/rate"), headers={"x-behaviour": turn.account.behaviour},
                         json={"price": turn.account.price, "currency": turn.account.currency})


def _quotes(turn: Turn, response: httpx.Response) -> list[cg.Quote]:
    body: dict[str, Any] = response.json()
    return [carrier_quote(turn, body["price"], currency=body["currency"], service_name="Fake Standard",
                          transit_days=turn.account.transit_days)]


ShopCarrier = define_carrier(
    "fake", account={"price": "10.00", "currency": "CNY", "transit_days": 2, "behaviour": (Behaviour, "ok")},
    hosts={"production": "https://fake.invalid"}, rate=Exchange(_rate, checked(_quotes)))


def _answer(request: httpx.Request) -> httpx.Response:
    CALLS.append(request.url.path)
    if request.headers["x-behaviour"] == "fail":
        return httpx.Response(503, json={"error": "down"})
    return httpx.Response(200, content=request.content)


def handler(request: httpx.Request) -> httpx.Response:
    if request.headers["x-behaviour"] == "hang":
        raise httpx.ReadTimeout("fake carrier hung", request=request)
    return _answer(request)


async def ahandler(request: httpx.Request) -> httpx.Response:
    if request.headers["x-behaviour"] == "hang":
        await asyncio.Event().wait()  # never set: only the caller's deadline ends this
    return _answer(request)


@pytest.fixture
def fake_carrier() -> Iterator[None]:
    """Registers the fake carrier for one test, with no calls seen yet."""
    with registered(ShopCarrier):
        CALLS.clear()
        yield


def fake(behaviour: Behaviour = "ok", price: str = "10.00", transit_days: int = 2,
         currency: str = "CNY") -> dict[str, Any]:
    """An account of the fake carrier."""
    return {"carrier": "fake", "behaviour": behaviour, "price": price, "transit_days": transit_days,
            "currency": currency}


def quote(carrier: str, price: str, days: int | None = None, service: str = "std", currency: str = "CNY",
          **extra: Any) -> cg.Quote:
    """A quote as a test expects or seeds one (any carrier's, not only the fake's)."""
    return cg.Quote(carrier=carrier, service_code=service, service_name=f"{carrier} {service}",
                    total=cg.Money(price, currency), transit_days=days, **extra)


__all__ = ["CALLS", "Behaviour", "ShopCarrier", "ahandler", "fake", "fake_carrier", "handler", "quote"]
