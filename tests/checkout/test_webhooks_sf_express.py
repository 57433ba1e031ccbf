"""SF route pushes (顺丰路由推送) through ``POST /webhooks/{account}``: verified before anything is
read, answered with SF's acknowledgement, handed to the hook once however often SF repeats them,
a forged one refused with a 4xx; and the loopback of issue 14 for SF: the SF emulator pushes to
``carriergate serve`` over a real socket, the hook sees exactly the two verified new updates."""

from __future__ import annotations

import asyncio
import importlib
import json
import socket
import sys
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

import carriergate as cg
from carriergate.checkout import create_app
from carriergate.checkout.webhooks import WebhookReceiver
from carriergate.cli import app as cli
from carriergate.core.subscriptions import TrackingUpdate
from carriergate.protocols.auth.sf_digest import FORM_CONTENT_TYPE, encode_form, msg_digest
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.sf_express import SFExpressEmulator
from carriergate.sandbox.sf_express_push import ACKNOWLEDGED, RoutePusher

from support.sf_samples import fixture, ship_request

ACK = {"return_code": "0000", "return_msg": "成功"}
CHECKWORD = "sf-Check-Word-1"
CONFIG = {"sf-cn": {"carrier": "sf_express", "partner_id": "P1", "checkword": CHECKWORD,
                    "base_url": "https://sf.example.test/std/service"}, "table": {}}
Scenario = Callable[[httpx.AsyncClient, list[TrackingUpdate]], Awaitable[None]]


def pushed(name: str = "push_route_delivered.json", *, checkword: str = CHECKWORD, stamp: str = "1772590350000",
           doc: Any = None) -> bytes:
    data = json.dumps(doc if doc is not None else fixture(name), ensure_ascii=False)
    return encode_form({"partnerID": "P1", "requestID": "r-1", "serviceCode": "RoutePushService", "timestamp": stamp,
                        "msgData": data, "msgDigest": msg_digest(data, stamp, checkword)})


def post(client: httpx.AsyncClient, body: bytes, account: str = "sf-cn",
         content_type: str = FORM_CONTENT_TYPE) -> Awaitable[httpx.Response]:
    return client.post(f"/webhooks/{account}", content=body, headers={"content-type": content_type})


def run(scenario: Scenario, *, hook: Callable[[TrackingUpdate], Any] | None = None) -> None:
    seen: list[TrackingUpdate] = []

    async def main() -> None:
        async with cg.AsyncGateway(CONFIG) as gw:
            app = create_app(gw, webhooks=WebhookReceiver(gw, hook or seen.append))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as c:
                await scenario(c, seen)

    asyncio.run(main())


def test_a_verified_push_reaches_the_hook_once_and_is_acknowledged() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        first = await post(client, pushed())
        assert (first.status_code, first.json()) == (200, ACK)
        again = await post(client, pushed(stamp="1772590999000"))  # SF's retry, signed afresh
        assert (again.status_code, again.json()) == (200, ACK)
        (update,) = seen
        assert (update.carrier, update.info.tracking_number, update.info.status) == \
            ("sf-cn", "SF1360000000055", cg.TrackingStatus.DELIVERED)

    run(scenario)


def test_each_waybill_of_a_push_reaches_the_hook() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        assert (await post(client, pushed("push_routes.json"))).json() == ACK
        assert [(u.info.tracking_number, u.info.status) for u in seen] == [
            ("SF1360000000031", cg.TrackingStatus.IN_TRANSIT),
            ("SF1360000000048", cg.TrackingStatus.DELIVERY_ATTEMPTED)]

    run(scenario)


def test_forged_and_unsigned_pushes_are_refused_unread() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        forged = await post(client, pushed(checkword="guessed"))
        assert forged.status_code == 401
        assert forged.json() == {"return_code": "1000", "return_msg": "signature does not verify"}
        bare = json.dumps(fixture("push_routes.json"), ensure_ascii=False).encode()
        assert (await post(client, bare, content_type="application/json")).status_code == 401
        assert seen == []

    run(scenario)


def test_unreadable_and_unknown() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        unreadable = await post(client, pushed(doc={"Body": {"Routes": []}}))
        assert (unreadable.status_code, unreadable.json()["return_code"]) == (400, "1000")
        assert (await post(client, pushed(), account="sf_express")).status_code == 404  # the alias is sf-cn
        assert seen == []

    run(scenario)


def test_a_failing_hook_gets_the_push_again() -> None:
    calls: list[TrackingUpdate] = []

    def flaky(update: TrackingUpdate) -> None:
        calls.append(update)
        if len(calls) == 1:
            raise RuntimeError("database down")

    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        assert (await post(client, pushed())).status_code == 500  # SF pushes it again later
        assert (await post(client, pushed())).json() == ACK
        assert (await post(client, pushed())).json() == ACK
        assert len(calls) == 2

    run(scenario, hook=flaky)


# -- the loopback: the SF emulator pushes to `carriergate serve` -------------------------------------

HOOK_MODULE = "carriergate_sf_loopback_hook"


@pytest.fixture
def served_app(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """The app ``carriergate serve --sandbox --on-update ...`` would serve, and its hook's module."""
    uvicorn = pytest.importorskip("uvicorn")
    (tmp_path / f"{HOOK_MODULE}.py").write_text(
        "seen = []\n\n\nasync def on_update(update):\n    seen.append(update)\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, HOOK_MODULE, raising=False)
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **settings: captured.update(app=app))
    result = CliRunner().invoke(cli.app, ["serve", "--sandbox", "--on-update", f"{HOOK_MODULE}:on_update"])
    assert result.exit_code == 0, result.output
    yield captured["app"], importlib.import_module(HOOK_MODULE)
    sys.modules.pop(HOOK_MODULE, None)
    asyncio.run(captured["app"].shopper.gateway.aclose())


def test_serve_refuses_a_hook_it_cannot_load(monkeypatch: pytest.MonkeyPatch) -> None:
    uvicorn = pytest.importorskip("uvicorn")
    monkeypatch.setattr(uvicorn, "run", lambda app, **settings: pytest.fail("served despite a bad setting"))
    for target, words in (("nowhere_at_all:hook", "cannot import"), ("json:no_such_function", "no function"),
                          ("json", "MODULE:FUNCTION")):
        result = CliRunner().invoke(cli.app, ["serve", "--sandbox", "--on-update", target])
        assert result.exit_code == 5, result.output
        assert words in result.stderr
    result = CliRunner().invoke(cli.app, ["serve", "--sandbox", "--resubscribe-url", "https://shop.test/x"])
    assert (result.exit_code, "needs --on-update" in result.stderr) == (5, True)


def test_loopback_sf_pushes_to_carriergate_serve(served_app: tuple[Any, Any]) -> None:
    uvicorn = pytest.importorskip("uvicorn")
    app, hook = served_app
    emulator = SFExpressEmulator()
    sandbox = {"sf_express": {**SFExpressEmulator.account, "base_url": f"{SANDBOX_HOST}/sf_express"}}
    with cg.Gateway(sandbox, transport=SandboxTransport({"sf_express": emulator})) as gw:
        waybill = gw.ship(ship_request(reference="CG-PUSH-1")).tracking_number
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # listening already: a push sent before uvicorn accepts waits in the backlog, no polling
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        pusher = RoutePusher(emulator, f"http://127.0.0.1:{sock.getsockname()[1]}/webhooks/sf_express")
        with httpx.Client(timeout=5.0) as client:
            answers = [pusher.fire(waybill, client), pusher.fire(waybill, client, advance=False),  # repeated
                       pusher.fire(waybill, client, forged=True), pusher.fire(waybill, client)]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    assert [a.status_code for a in answers] == [200, 200, 401, 200]
    assert [a.json() for a in answers[:2] + answers[3:]] == [ACKNOWLEDGED] * 3
    assert answers[2].json()["return_code"] != "0000"
    seen: list[TrackingUpdate] = hook.seen
    assert len(seen) == 2
    assert {u.info.tracking_number for u in seen} == {waybill}
    # the first scan (picked up), then the third: the forged push's scan advanced the parcel unseen
    assert [u.info.events[0].code for u in seen] == ["50", "36"]
    assert [u.info.status for u in seen] == [cg.TrackingStatus.IN_TRANSIT] * 2
