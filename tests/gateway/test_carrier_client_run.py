"""``CarrierClient.run``: a carrier's own flow (one the contract does not name, such as Kuaidi100's
courier detection) runs as every operation does: through the executor, with its retries for reads,
its write safety, and within a deadline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest

import carriergate as cg
from carriergate.core.contract import Flow
from carriergate.protocols.http import error_for_status

from support.fake_carrier import fake_carrier, registered

Blob = fake_carrier("blob", capabilities={cg.Capability.TRACK})
MODES = ["sync", "async"]


@pytest.fixture(autouse=True)
def blob() -> Iterator[None]:
    with registered(Blob):
        yield


def _field(name: str) -> Callable[[httpx.Response], str]:
    def parse(response: httpx.Response) -> str:
        if response.is_error:
            raise error_for_status(response, carrier="blob")
        return str(response.json()[name])
    return parse


def detect(client: cg.CarrierClient | cg.AsyncCarrierClient, number: str) -> Flow[str]:
    carrier = client.carrier
    http = httpx.Request("GET", f"{carrier.base_url}/detect/{number}")
    found: str = yield carrier.read(http, _field("carrier"), operation="detect")
    return found


def book(client: cg.CarrierClient | cg.AsyncCarrierClient) -> Flow[str]:
    carrier = client.carrier
    http = httpx.Request("POST", f"{carrier.base_url}/book")
    booked: str = yield carrier.write(http, _field("id"), operation="book", reference="R-1")
    return booked


def _answer(request: httpx.Request, seen: list[str]) -> httpx.Response:
    """500 to the first request of each path (the carrier may or may not have acted), then the answer."""
    seen.append(request.url.path)
    if seen.count(request.url.path) == 1:
        return httpx.Response(500)
    return httpx.Response(200, json={"carrier": "shunfeng", "id": "B1"})


def run(mode: str, make: str, seen: list[str]) -> str:
    if mode == "sync":
        with cg.Gateway({"blob": {}}, transport=httpx.MockTransport(lambda r: _answer(r, seen))) as gw:
            client = gw.carrier("blob")
            return client.run(lambda: detect(client, "SF1") if make == "detect" else book(client), deadline=5)

    async def go() -> str:
        async def handle(request: httpx.Request) -> httpx.Response:
            return _answer(request, seen)
        async with cg.AsyncGateway({"blob": {}}, transport=httpx.MockTransport(handle)) as agw:
            client = agw.carrier("blob")
            return await client.run(lambda: detect(client, "SF1") if make == "detect" else book(client), deadline=5)
    return asyncio.run(go())


@pytest.mark.parametrize("mode", MODES)
def test_a_read_of_the_carriers_own_is_retried_and_answered(mode: str) -> None:
    seen: list[str] = []
    assert run(mode, "detect", seen) == "shunfeng"
    assert seen == ["/detect/SF1", "/detect/SF1"]


@pytest.mark.parametrize("mode", MODES)
def test_a_write_of_the_carriers_own_is_not_repeated_after_a_server_error(mode: str) -> None:
    seen: list[str] = []
    with pytest.raises(cg.OutcomeUnknown) as caught:
        run(mode, "book", seen)
    assert seen == ["/book"]
    assert caught.value.reference == "R-1"
