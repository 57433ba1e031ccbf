"""Kuaidi100 pushes through the checkout ASGI app (``POST /webhooks/{account}``, httpx.ASGITransport):
verified before anything is read, acknowledged as Kuaidi100 requires, handed to the hook once however
often repeated, a bad signature refused with a 4xx."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100, push_sign
from carriergate.checkout import create_app
from carriergate.checkout.webhooks import SeenUpdates, WebhookReceiver
from carriergate.core.subscriptions import TrackingUpdate

from support.fake_carrier import registered

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "kuaidi100"
SALT = "k100-Salt-123"
CONFIG = {"kuaidi100": {"customer": "C1", "key": "k100-Key-XYZ", "secret": "s", "salt": SALT,
                        "base_url": "https://k100.example.test"},
          "table": {}}
ACK = {"result": True, "returnCode": "200", "message": "成功"}


@pytest.fixture(autouse=True)
def kuaidi100() -> Iterator[None]:
    with registered(Kuaidi100):
        yield


def push_body(name: str = "push_param.json", *, salt: str = SALT, doc: Any = None) -> bytes:
    param = json.dumps(doc if doc is not None else json.loads((FIXTURES / name).read_text(encoding="utf-8")),
                       ensure_ascii=False)
    return urlencode({"param": param, "sign": push_sign(param, salt)}).encode()


Scenario = Callable[[httpx.AsyncClient, list[TrackingUpdate]], Awaitable[None]]


def run(scenario: Scenario, *, hook: Callable[[TrackingUpdate], Any] | None = None, webhooks: bool = True) -> None:
    seen: list[TrackingUpdate] = []

    async def main() -> None:
        async with cg.AsyncGateway(CONFIG) as gw:
            receiver = WebhookReceiver(gw, hook or seen.append) if webhooks else None
            app = create_app(gw, webhooks=receiver)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://shop.test") as client:
                await scenario(client, seen)

    asyncio.run(main())


def post(client: httpx.AsyncClient, body: bytes, account: str = "kuaidi100") -> Awaitable[httpx.Response]:
    return client.post(f"/webhooks/{account}", content=body,
                       headers={"content-type": "application/x-www-form-urlencoded"})


def test_a_verified_push_reaches_the_hook_once_and_is_acknowledged() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        first = await post(client, push_body())
        assert (first.status_code, first.json()) == (200, ACK)
        again = await post(client, push_body())  # Kuaidi100 repeats a push: acknowledged, not handed on
        assert (again.status_code, again.json()) == (200, ACK)
        assert len(seen) == 1
        (update,) = seen
        assert (update.carrier, update.info.tracking_number, update.info.status) == \
            ("kuaidi100", "78300000000001", cg.TrackingStatus.OUT_FOR_DELIVERY)

    run(scenario)


def test_a_bad_signature_is_refused_and_never_reaches_the_hook() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        forged = await post(client, push_body(salt="guessed"))
        assert forged.status_code == 401
        assert forged.json()["result"] is False
        unsigned = await post(client, urlencode({"param": "{}"}).encode())
        assert unsigned.status_code == 401
        assert seen == []

    run(scenario)


def test_unreadable_unknown_and_wrong_method() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        assert (await post(client, push_body(doc={"status": "polling"}))).status_code == 400
        assert (await post(client, push_body(), account="nobody")).status_code == 404
        assert (await post(client, push_body(), account="table")).status_code == 404  # no pushes there
        assert (await client.get("/webhooks/kuaidi100")).status_code == 405
        assert seen == []

    run(scenario)


def test_without_a_receiver_there_is_no_webhook_route() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        assert (await post(client, push_body())).status_code == 404

    run(scenario, webhooks=False)


def test_a_failing_hook_gets_the_push_again() -> None:
    calls: list[TrackingUpdate] = []

    async def flaky(update: TrackingUpdate) -> None:
        calls.append(update)
        if len(calls) == 1:
            raise RuntimeError("database down")

    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        failed = await post(client, push_body())
        assert failed.status_code == 500  # Kuaidi100 pushes again later
        assert (await post(client, push_body())).json() == ACK
        assert (await post(client, push_body())).json() == ACK
        assert len(calls) == 2  # the failed one, then the retry; the third is a repeat

    run(scenario, hook=flaky)


def test_an_abort_push_carries_the_resubscribe_delay() -> None:
    async def scenario(client: httpx.AsyncClient, seen: list[TrackingUpdate]) -> None:
        assert (await post(client, push_body("push_param_abort.json"))).json() == ACK
        assert [(u.monitor, u.resubscribe_after) for u in seen] == [("abort", 1800.0)]

    run(scenario)


def test_seen_updates_forget_the_oldest() -> None:
    seen = SeenUpdates(size=2)
    for key in ("a", "b", "c"):
        seen.add(key)
    assert "a" not in seen
    assert "b" in seen
    assert "c" in seen
    with pytest.raises(ValueError, match="size"):
        SeenUpdates(size=0)


def test_an_abort_is_subscribed_again_after_the_documented_delay() -> None:
    slept: list[float] = []
    sent: list[httpx.Request] = []

    def kuaidi100_api(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.url.path == "/autonumber/auto":  # a digits-only number: its courier is detected first
            return httpx.Response(200, json=[{"comCode": "yunda", "name": "韵达快递"}])
        return httpx.Response(200, json={"result": True, "returnCode": "200", "message": "提交成功"})

    async def no_wait(seconds: float) -> None:
        slept.append(seconds)

    async def main() -> None:
        async with cg.AsyncGateway(CONFIG, transport=httpx.MockTransport(kuaidi100_api)) as gw:
            receiver = WebhookReceiver(gw, lambda update: None, sleep=no_wait,
                                       resubscribe_url="https://shop.test/webhooks/{account}")
            app = create_app(gw, webhooks=receiver)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop.test") as c:
                assert (await post(c, push_body("push_param_abort.json"))).json() == ACK
                assert (await post(c, push_body())).json() == ACK  # polling: nothing to do
            await asyncio.gather(*receiver.pending)

    asyncio.run(main())
    assert slept == [1800.0]
    detect, request = sent
    assert (detect.url.path, request.url.path) == ("/autonumber/auto", "/poll")
    param = json.loads(dict(httpx.QueryParams(request.content.decode()))["param"])
    assert (param["number"], param["company"], param["parameters"]["callbackurl"]) == \
        ("4300000000001", "yunda", "https://shop.test/webhooks/kuaidi100")
