"""Fake carriers that buy labels (writes), and a runner that drives them through either gateway.

The write-safety tests (tests/adapters/test_write_*.py) share them: a label bought once, a label
followed by an idempotent document fetch, and a label behind an OAuth2 token endpoint, all on the
one configurable fake carrier. The gateways :func:`run_sync_or_async` builds may not back off at all
(:func:`support.timing.never_sleep`): a retried write fails the test, so "sent once" needs no counting.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials

from support.fake_carrier import Exchange, FakeCarrier, Operation, Turn, fake_carrier, quote, registered
from support.shipments import domestic_request
from support.timing import never_asleep, never_sleep

TOKEN_URL = "https://auth.writes.test/oauth/token"


def _quotes(turn: Turn, response: httpx.Response) -> list[cg.Quote]:
    return [quote(turn, response.json()["price"])]


def _label(turn: Turn, response: httpx.Response) -> cg.Label:
    if response.status_code >= 400:
        raise cg.CarrierError("refused", carrier=turn.alias, code="refused", http_status=response.status_code)
    return cg.Label(carrier=turn.alias, tracking_number=response.json()["tn"], label=b"%PDF", label_format="PDF")


def _document(turn: Turn, response: httpx.Response) -> cg.Label:
    """The label bought by the previous call, with the document fetched for it."""
    if response.status_code == 503:
        raise cg.CarrierUnavailable("busy", code="busy", http_status=503)
    label: cg.Label = turn.previous
    return label.model_copy(update={"label": response.content})


RATE = Exchange(lambda turn: httpx.Request("POST", turn.url("/rate")), _quotes)
SHIP = Exchange(lambda turn: httpx.Request("POST", turn.url("/labels")), _label)
DOCUMENT = Exchange(lambda turn: httpx.Request("GET", turn.url(f"/documents/{turn.previous.tracking_number}")),
                    _document, kind="read", operation="label_document")


def write_carrier(name: str, *, ship: Operation = SHIP,
                  auth: Callable[[FakeCarrier], httpx.Auth | None] | None = None) -> type[FakeCarrier]:
    """Rates with one POST (a read); buys a label with ``ship`` (a write, then whatever follows it)."""
    return fake_carrier(name, account={"api_key": SecretStr("write-key-0000")},
                        hosts={"production": "https://writes.test"}, auth=auth, rate=RATE, ship=ship)


WriteCarrier = write_carrier("writes")
#: Buys the label, then fetches its document with a second (idempotent) call.
DocumentCarrier = write_carrier("documents", ship=[SHIP, DOCUMENT])
#: The write carrier behind an OAuth2 token endpoint.
TokenCarrier = write_carrier("tokens", auth=lambda carrier: OAuth2ClientCredentials(
    carrier=carrier.alias, token_url=TOKEN_URL, client_id="client", client_secret=SecretStr("write-secret-0000")))


@pytest.fixture(autouse=True)
def carriers_registered() -> Iterator[None]:
    """Registers the three write carriers for each test of a module that imports this fixture."""
    with registered(WriteCarrier, DocumentCarrier, TokenCarrier):
        yield


def a_label(carrier: str = "writes") -> cg.ShipRequest:
    return cg.ShipRequest(**domestic_request().model_dump(), carrier=carrier, service="std", reference="ORDER-77")


def run_sync_or_async(mode: str, handler: Callable[[httpx.Request], Any], go: Callable[[Any], Any],
                      **options: Any) -> Any:
    """``go(gateway)`` through a sync Gateway, or awaited through an AsyncGateway, over MockTransport."""
    if mode == "sync":
        with cg.Gateway({"writes": {}, "documents": {}}, transport=httpx.MockTransport(handler),
                        sleep=never_sleep, **options) as gw:
            return go(gw)

    async def main() -> Any:
        async with cg.AsyncGateway({"writes": {}, "documents": {}}, transport=httpx.MockTransport(handler),
                                   sleep=never_asleep, **options) as agw:
            return await go(agw)
    return asyncio.run(main())
