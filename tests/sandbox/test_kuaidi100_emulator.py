"""The Kuaidi100 emulator through Gateway and AsyncGateway: queries that reveal one scan each until
signed for, detection, subscriptions, refusals as Kuaidi100 makes them, faults from the sandbox
transport; and the loopback of issue 14: subscribe through the sandbox, the sandbox pushes three
updates (one repeated, one with a bad signature) to the checkout app, the hook sees exactly two."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100
from carriergate.checkout import create_app
from carriergate.checkout.webhooks import WebhookReceiver
from carriergate.core.subscriptions import TrackingUpdate
from carriergate.sandbox import registry
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.faults import CarrierFaults, Faults, FaultySandboxTransport, ServerErrorRule
from carriergate.sandbox.kuaidi100 import SAMPLES, Kuaidi100Emulator

from support.fake_carrier import registered

HOOK = "http://shop.test/webhooks/kuaidi100"
YTO, SF, ZTO = "YT7700000000001", "SF1400000000001", "78300000000001"


@pytest.fixture(autouse=True)
def kuaidi100() -> Iterator[None]:
    with registered(Kuaidi100):
        yield


def config(**extra: Any) -> dict[str, dict[str, Any]]:
    return {"kuaidi100": {**Kuaidi100Emulator.account, "base_url": f"{SANDBOX_HOST}/kuaidi100", **extra}}


def gateway(emulator: Kuaidi100Emulator, **extra: Any) -> cg.Gateway:
    return cg.Gateway(config(**extra), transport=SandboxTransport({"kuaidi100": emulator}))


def test_the_registry_finds_the_emulator() -> None:
    assert registry.emulator_class("kuaidi100") is Kuaidi100Emulator
    assert registry.sandbox_accounts(["kuaidi100"])["kuaidi100"]["base_url"] == f"{SANDBOX_HOST}/kuaidi100"


def test_track_until_delivered() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator) as gw:
        seen = [gw.track(YTO, carrier="kuaidi100") for _ in range(5)]
    assert [i.status for i in seen] == [cg.TrackingStatus.IN_TRANSIT] * 3 + \
        [cg.TrackingStatus.OUT_FOR_DELIVERY, cg.TrackingStatus.DELIVERED]
    assert [len(i.events) for i in seen] == [1, 2, 3, 4, 5]
    assert seen[-1].events[0].codes == {"statusCode": "301", "status": "签收"}
    assert seen[-1].delivered_at == seen[-1].events[0].occurred_at
    assert emulator.calls == ["/poll/query.do"] * 5  # YT... names its courier: no detection


def test_a_numeric_number_is_detected_then_queried_with_its_phone() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator, phone="139 1234 5678") as gw:
        info = gw.track(ZTO, carrier="kuaidi100")
    assert info.status is cg.TrackingStatus.IN_TRANSIT
    assert emulator.calls == ["/autonumber/auto", "/poll/query.do"]


def test_refusals_as_kuaidi100_makes_them() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator, phone="0000") as gw, pytest.raises(cg.CarrierError) as caught:
        gw.track(SF, carrier="kuaidi100")
    assert caught.value.code == "408"  # the phone's last four digits do not match
    with gateway(emulator, key="wrong-key") as gw, pytest.raises(cg.AuthenticationError) as refused:
        gw.track(YTO, carrier="kuaidi100")
    assert refused.value.code == "503"
    with gateway(emulator) as gw, pytest.raises(cg.NotFound):
        gw.track("YT7600000000009", carrier="kuaidi100")
    with gateway(emulator) as gw, pytest.raises(cg.NotFound):
        gw.track("99999999999999", carrier="kuaidi100")  # detection finds no courier


def test_subscribe_and_subscribe_again() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator) as gw:
        made = gw.subscribe(YTO, carrier="kuaidi100", callback_url=HOOK)
        again = gw.subscribe(YTO, carrier="kuaidi100", callback_url=HOOK)
        with pytest.raises(cg.CarrierError) as caught:
            gw.subscribe("YT7600000000009", carrier="kuaidi100", callback_url=HOOK)
    assert (made.already, again.already) == (False, True)
    assert caught.value.code == "700"
    sub = emulator.subscriptions[YTO]
    assert (sub.company, sub.callback_url, sub.salt) == ("yuantong", HOOK, "sandbox-salt")


def test_pushes_are_signed_with_the_salt() -> None:
    emulator = Kuaidi100Emulator()
    with gateway(emulator) as gw:
        gw.subscribe(YTO, carrier="kuaidi100", callback_url=HOOK)
        carrier = gw.carrier("kuaidi100").carrier
        assert isinstance(carrier, Kuaidi100)
        updates = [carrier.read_push(emulator.push_request(YTO).content) for _ in range(5)]
    statuses = [u[0].info.status for u in updates]
    assert statuses[-1] is cg.TrackingStatus.DELIVERED
    assert [u[0].monitor for u in updates] == ["polling"] * 4 + ["shutdown"]
    repeated = emulator.push_request(YTO, advance=False)
    assert parse_qs(repeated.content.decode())["param"] == [emulator.subscriptions[YTO].pushes[-1]]


def test_faults_come_from_the_transport() -> None:
    emulator = Kuaidi100Emulator()
    faults = Faults(carriers={"kuaidi100": CarrierFaults(server_error=ServerErrorRule(first=1))})
    transport = FaultySandboxTransport({"kuaidi100": emulator}, faults, sleep=lambda _: None)
    with cg.Gateway(config(), transport=transport, sleep=lambda _: None) as gw:
        assert gw.track(YTO, carrier="kuaidi100").status is cg.TrackingStatus.IN_TRANSIT
    assert len(emulator.requests) == 1  # the 503 never reached it; the retry did


def test_the_emulator_refuses_what_kuaidi100_refuses() -> None:
    emulator = Kuaidi100Emulator()

    def call(path: str, fields: dict[str, str], method: str = "POST") -> Any:
        from urllib.parse import urlencode

        request = httpx.Request(method, f"http://x{path}", content=urlencode(fields).encode())
        return json.loads(emulator.handle(request, path).content)

    assert call("/poll/query.do", {"param": "{}"})["returnCode"] == "400"
    assert call("/poll", {"schema": "json", "param": json.dumps({"key": "nope"})})["returnCode"] == "600"
    assert call("/autonumber/auto", {"key": "nope", "num": YTO})["returnCode"] == "600"
    assert call("/nowhere", {})["returnCode"] == "404"
    assert call("/poll", {}, method="GET")["returnCode"] == "405"
    assert set(SAMPLES) <= set(emulator.parcels)


def test_loopback_subscribe_then_three_pushes_to_the_app() -> None:
    """The Must-show of issue 14 in-process: three updates pushed by the sandbox to the checkout app
    through httpx.ASGITransport, the first one twice, the second one with a bad signature: the hook
    sees exactly two verified updates and the forged push gets a 4xx."""
    emulator = Kuaidi100Emulator()
    seen: list[TrackingUpdate] = []

    async def main() -> list[int]:
        async with cg.AsyncGateway(config(), transport=SandboxTransport({"kuaidi100": emulator})) as gw:
            made = await gw.subscribe(YTO, carrier="kuaidi100", callback_url=HOOK)
            assert made.already is False
            app = create_app(gw, webhooks=WebhookReceiver(gw, seen.append))
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as shop:
                answers = [await emulator.afire(YTO, shop),
                           await emulator.afire(YTO, shop, advance=False),  # the same update again
                           await emulator.afire(YTO, shop, bad_sign=True),  # forged
                           await emulator.afire(YTO, shop)]
        for answer in answers[:2] + answers[3:]:
            assert answer.json() == {"result": True, "returnCode": "200", "message": "成功"}
        return [a.status_code for a in answers]

    statuses = asyncio.run(main())
    assert statuses == [200, 200, 401, 200]
    assert len(seen) == 2
    assert [len(u.info.events) for u in seen] == [1, 3]  # the forged push's scan advanced the parcel
    assert all(u.info.tracking_number == YTO for u in seen)


def test_loopback_over_http_to_the_served_app() -> None:
    """The same over real sockets: the app served by uvicorn (as ``carriergate serve`` serves it) on a
    free loopback port, the sandbox pushing to it with an ordinary HTTP client."""
    import socket
    import threading

    uvicorn = pytest.importorskip("uvicorn")
    emulator = Kuaidi100Emulator()
    seen: list[TrackingUpdate] = []
    gw = cg.AsyncGateway(config(), transport=SandboxTransport({"kuaidi100": emulator}))
    app = create_app(gw, webhooks=WebhookReceiver(gw, seen.append))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()  # listening already: a push sent before uvicorn accepts waits in the backlog, no polling
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        callback = f"http://127.0.0.1:{port}/webhooks/kuaidi100"
        with cg.Gateway(config(), transport=SandboxTransport({"kuaidi100": emulator})) as sync_gw:
            sync_gw.subscribe(YTO, carrier="kuaidi100", callback_url=callback)
        with httpx.Client(timeout=5.0) as client:
            statuses = [emulator.fire(YTO, client).status_code, emulator.fire(YTO, client, advance=False).status_code,
                        emulator.fire(YTO, client, bad_sign=True).status_code, emulator.fire(YTO, client).status_code]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        asyncio.run(gw.aclose())
    assert statuses == [200, 200, 401, 200]
    assert len(seen) == 2


def _estimate(gw: cg.Gateway, request: cg.RateRequest) -> cg.Quote:
    """An operation not yet on the gateway's surface, run by the gateway's own executor."""
    from carriergate.gateway.fanout import run

    carrier = gw.carrier("kuaidi100").carrier
    assert isinstance(carrier, Kuaidi100)
    k100: Kuaidi100 = carrier
    return run(gw._executor, k100, lambda: k100.estimate_price(request, company="yuantong"), gw.deadline(5.0))


def test_price_estimate_is_business_signed() -> None:
    shanghai = cg.Address(name="Li Lei", street=["88 Century Avenue"], city="上海市", state="上海", country="CN",
                          postal_code="200120")
    beijing = cg.Address(name="Han Meimei", street=["1 Chang an Avenue"], city="北京市", state="北京", country="CN",
                         postal_code="100010")
    request = cg.RateRequest(origin=shanghai, destination=beijing, parcels=[cg.Parcel(weight=cg.Weight("2.5", "kg"))])
    emulator = Kuaidi100Emulator()
    with gateway(emulator) as gw:
        quote = _estimate(gw, request)
    assert quote.total == cg.Money("18.0", "CNY")  # 10 for the first kilogram, 4 for each of two more
    assert emulator.calls == ["/order/borderapi.do"]
    with gateway(emulator, secret="wrong") as gw, pytest.raises(cg.AuthenticationError):
        _estimate(gw, request)


def test_fresh_numbers_are_new_parcels() -> None:
    emulator = Kuaidi100Emulator()
    number = Kuaidi100Emulator.fresh_number()
    assert number != Kuaidi100Emulator.fresh_number()
    with gateway(emulator) as gw:
        first = gw.track(number, carrier="kuaidi100")
        second = gw.track(number, carrier="kuaidi100")
    assert (len(first.events), len(second.events)) == (1, 2)
    assert emulator.parcels[number].company == "yuantong"


def test_a_series_number_ending_999999_is_never_issued() -> None:
    with gateway(Kuaidi100Emulator()) as gw, pytest.raises(cg.NotFound):
        gw.track("YT7712345999999", carrier="kuaidi100")
