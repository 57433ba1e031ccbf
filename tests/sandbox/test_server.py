"""The loopback sandbox server: routing to emulators, the same faults, and a gateway over it."""

from __future__ import annotations

from typing import ClassVar

import httpx
import pytest

import carriergate as cg
from carriergate.sandbox import registry
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.faults import (
    CarrierFaults,
    FaultRule,
    Faults,
    LostResponseRule,
    RateLimitRule,
    ServerErrorRule,
)
from carriergate.sandbox.server import running_server

from support.shipments import domestic_request


class EchoEmulator(Emulator):
    name: ClassVar[str] = "echo"
    account: ClassVar[dict[str, str]] = {}

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.method == "POST":
            self.writes.append(request.content)
        return json_response(200, {"method": request.method, "path": path, "query": request.url.query.decode(),
                                   "body": request.content.decode(), "auth": request.headers.get("authorization")},
                             {"x-request-id": "sbx-1"})


def test_routes_requests_to_the_emulator_over_loopback() -> None:
    emulator = EchoEmulator()
    with running_server(emulators={"echo": emulator}) as sandbox, httpx.Client(base_url=sandbox.url) as client:
        assert sandbox.url.startswith("http://127.0.0.1:")
        assert sandbox.port > 0
        answer = client.post("/echo/api/v1/rate?x=1", content=b'{"a":1}', headers={"authorization": "Bearer t"})
        assert answer.status_code == 200
        assert answer.headers["x-request-id"] == "sbx-1"
        assert answer.json() == {"method": "POST", "path": "/api/v1/rate", "query": "x=1", "body": '{"a":1}',
                                 "auth": "Bearer t"}
        assert client.get("/nobody/x").status_code == 404
    assert emulator.writes == [b'{"a":1}']
    assert len(emulator.requests) == 1


def test_same_faults_over_http() -> None:
    faults = Faults(carriers={"echo": CarrierFaults(server_error=ServerErrorRule(first=1),
                                                    rate_limited=RateLimitRule(first=1, retry_after=3),
                                                    truncated=FaultRule(first=1))})
    with running_server(emulators={"echo": EchoEmulator()}, faults=faults) as sandbox, \
            httpx.Client(base_url=sandbox.url) as client:
        first, second, third, fourth = (client.get("/echo/x") for _ in range(4))
        assert first.status_code == 503
        assert second.status_code == 429
        assert second.headers["retry-after"] == "3"
        assert len(third.content) == len(fourth.content) // 2
        assert fourth.json()["path"] == "/x"


def test_lost_response_and_hang_over_http() -> None:
    emulator = EchoEmulator()
    faults = Faults(carriers={"echo": CarrierFaults(lost_response=LostResponseRule(first=1, paths=["/label"]),
                                                    hang=FaultRule(first=1, paths=["/slow"]))})
    with running_server(emulators={"echo": emulator}, faults=faults) as sandbox, \
            httpx.Client(base_url=sandbox.url, timeout=httpx.Timeout(0.2, connect=1.0)) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.post("/echo/label", content=b"order-1")
        assert emulator.writes == [b"order-1"]  # performed, answer lost
        with pytest.raises(httpx.ReadTimeout):
            client.get("/echo/slow")  # held open until the client's (short) timeout
        assert client.get("/echo/slow").status_code == 200
    # leaving the block released the hung handler and stopped the server
    with pytest.raises(httpx.ConnectError):
        httpx.get(sandbox.url + "/echo/x", timeout=1.0)


def test_gateway_over_the_loopback_sandbox() -> None:
    missing = registry.unavailable(["sf_express"])
    if missing:
        pytest.skip(f"SF Express emulator not available: {missing['sf_express']}")
    with running_server(carriers=["sf_express", "table"]) as sandbox:
        assert sandbox.config["sf_express"]["base_url"] == f"{sandbox.url}/sf_express"
        assert sandbox.config["table"] == {}
        with cg.Gateway(sandbox.config) as gw:
            result = gw.rate(domestic_request(), deadline=5.0)
    assert not result.errors
    assert {q.carrier for q in result.quotes} == {"sf_express", "table"}
    assert len(sandbox.emulators["sf_express"].requests) == 1
