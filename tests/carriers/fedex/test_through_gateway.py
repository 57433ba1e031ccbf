"""FedEx through cg.Gateway: the OAuth2 token (form credentials), a 401 refresh, error mapping
(MockTransport / respx), and end to end against the sandbox emulator, sync and async."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest
import respx

import carriergate as cg
from carriergate.adapters.retry import RetryPolicy
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.fedex import FedExEmulator

from support.fedex_samples import FIXTURES, domestic_us, memphis
from support.shipments import domestic_request, future_window, international_request, los_angeles

HOST = "https://apis-sandbox.fedex.com"
CONFIG = {"fedex": {"client_id": "cid", "client_secret": "top-secret", "account_number": "740561073",
                    "environment": "sandbox"}}


def token(value: str) -> httpx.Response:
    return httpx.Response(200, json={"access_token": value, "token_type": "bearer", "expires_in": 3599,
                                     "scope": "CXS"})


def fixture_response(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FIXTURES / name).read_bytes(), headers={"content-type": "application/json"})


def test_token_is_fetched_with_form_credentials_and_reused() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/oauth/token":
            return token("tok-1")
        return fixture_response("rate_response.json")

    with cg.Gateway(CONFIG, transport=httpx.MockTransport(handler)) as gw:
        first = gw.rate(domestic_us(), carriers=["fedex"])
        gw.rate(domestic_us(), carriers=["fedex"])
    assert first.errors == {}
    assert first.cheapest() is not None
    token_requests = [r for r in seen if r.url.path == "/oauth/token"]
    assert len(token_requests) == 1
    form = {k: v[0] for k, v in parse_qs(token_requests[0].content.decode()).items()}
    assert form == {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "top-secret"}
    assert token_requests[0].headers["content-type"] == "application/x-www-form-urlencoded"
    rate_requests = [r for r in seen if r.url.path == "/rate/v1/rates/quotes"]
    assert [r.headers["authorization"] for r in rate_requests] == ["Bearer tok-1", "Bearer tok-1"]
    assert str(rate_requests[0].url) == HOST + "/rate/v1/rates/quotes"


def test_a_401_refreshes_the_token_once_and_replays() -> None:
    tokens = iter(["stale", "fresh"])
    with respx.mock(assert_all_called=True) as router:
        router.post(HOST + "/oauth/token").mock(side_effect=lambda request: token(next(tokens)))
        route = router.post(HOST + "/track/v1/trackingnumbers").mock(side_effect=[
            fixture_response("error_401.json", 401), fixture_response("track_response.json")])
        with cg.Gateway(CONFIG, transport=httpx.HTTPTransport()) as gw:
            info = gw.track("794612345670", carrier="fedex")
    assert info.status is cg.TrackingStatus.DELIVERED
    assert [c.request.headers["authorization"] for c in route.calls] == ["Bearer stale", "Bearer fresh"]


def test_bad_credentials_are_an_authentication_error_without_the_secret() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return fixture_response("error_401.json", 401)

    with cg.Gateway(CONFIG, transport=httpx.MockTransport(handler)) as gw, \
            pytest.raises(cg.AuthenticationError) as info:
        gw.carrier("fedex").rate(domestic_us())
    assert "top-secret" not in str(info.value)
    assert "top-secret" not in repr(info.value)


@pytest.mark.parametrize(("status", "kind", "attempts"), [(400, cg.CarrierError, 1), (503, cg.CarrierUnavailable, 3)])
def test_fedex_errors_map_through_the_gateway(status: int, kind: type[cg.CarrierError], attempts: int) -> None:
    rated: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            return token("tok")
        rated.append(request)
        return fixture_response("error_400.json", status)

    waits: list[float] = []  # the backoff is recorded, never slept
    policy = RetryPolicy(max_attempts=3, initial_backoff=0.25, jitter=None)
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(handler), sleep=waits.append, retry_policy=policy) as gw:
        result = gw.rate(domestic_us(), carriers=["fedex"], deadline=5)
    error = result.errors["fedex"]
    assert type(error) is kind
    assert error.code == "SERVICE.PACKAGECOMBINATION.INVALID"
    assert error.request_id == "e0e0e0e0-4444-4555-8666-777788889999"
    assert len(rated) == attempts  # a 400 is final; a 503 is retried up to max_attempts
    assert waits == [0.25, 0.5][: attempts - 1]  # exponential backoff between the attempts


def test_validation_error_sends_nothing() -> None:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return token("x")

    request = cg.ShipRequest(**domestic_us().model_dump(), carrier="fedex", service="FEDEX_GROUND",
                             reference="ORDER-9", label_format="GIF")
    with cg.Gateway(CONFIG, transport=httpx.MockTransport(record)) as gw, \
            pytest.raises(cg.ValidationError):
        gw.ship(request)
    assert sent == []


# -- end to end through the emulator ----------------------------------------------------------------
@pytest.fixture
def emulator() -> FedExEmulator:
    return FedExEmulator()


def sandbox_config(emulator: FedExEmulator, **extra: str) -> dict[str, dict[str, str]]:
    return {"fedex": {**emulator.account, "base_url": SANDBOX_HOST + "/fedex", **extra}}


@pytest.fixture
def gateway(emulator: FedExEmulator) -> Iterator[cg.Gateway]:
    with cg.Gateway(sandbox_config(emulator), transport=SandboxTransport({"fedex": emulator})) as gw:
        yield gw


def international_ship() -> cg.ShipRequest:
    return cg.ShipRequest(**international_request().model_dump(), carrier="fedex",
                          service="FEDEX_INTERNATIONAL_PRIORITY", reference="ORDER-2001",
                          documents=[cg.TradeDocument(kind="commercial_invoice", filename="ci.pdf",
                                                      content=b"%PDF-1.4 invoice")])


def test_sandbox_rates_differ_by_service_and_weight(gateway: cg.Gateway) -> None:
    light = gateway.rate(international_request(), carriers=["fedex"])
    assert light.errors == {}
    codes = [q.service_code for q in light.quotes]
    assert set(codes) == {"FEDEX_INTERNATIONAL_CONNECT_PLUS", "INTERNATIONAL_ECONOMY", "FEDEX_INTERNATIONAL_PRIORITY"}
    assert len({q.total.amount for q in light.quotes}) == 3
    assert all(any(c.kind == "insurance" for c in q.charges) for q in light.quotes)
    one = gateway.carrier("fedex").rate(domestic_us().model_copy(update={"services": ["FEDEX_2_DAY"]}))
    assert [q.service_code for q in one] == ["FEDEX_2_DAY"]
    assert one[0].transit_days == 2
    heavy = gateway.carrier("fedex").rate(domestic_request("20").model_copy(update={
        "origin": memphis(), "destination": los_angeles()}))
    ground = {q.service_code: q.total.amount for q in heavy}
    light_ground = {q.service_code: q.total.amount for q in gateway.carrier("fedex").rate(domestic_request().model_copy(
        update={"origin": memphis(), "destination": los_angeles()}))}
    assert ground["FEDEX_GROUND"] > light_ground["FEDEX_GROUND"]


def test_sandbox_ship_international_track_and_void(gateway: cg.Gateway, emulator: FedExEmulator) -> None:
    label = gateway.ship(international_ship())
    assert len(label.tracking_number) == 12
    assert label.tracking_number.isdigit()
    assert label.label.startswith(b"%PDF")
    assert label.total is not None
    assert label.total.currency == "CNY"  # shipped from Shanghai: billed in CNY
    assert any(c.kind == "insurance" for c in label.charges)
    shipped = json.loads(next(r for r in emulator.requests if r.url.path.endswith("/ship/v1/shipments")).content)
    customs = shipped["requestedShipment"]["customsClearanceDetail"]
    assert customs["commodities"][0]["harmonizedCode"] == "610910"
    assert shipped["requestedShipment"]["shipmentSpecialServices"]["etdDetail"]["attachedDocuments"][0][
        "documentId"] in emulator.documents
    statuses = [gateway.track(label.tracking_number, carrier="fedex").status for _ in range(6)]
    assert statuses[0] is cg.TrackingStatus.PRE_TRANSIT
    assert statuses[-1] is cg.TrackingStatus.DELIVERED
    assert cg.TrackingStatus.OUT_FOR_DELIVERY in statuses
    gateway.void(label)
    with pytest.raises(cg.CarrierError) as info:
        gateway.void(label)
    assert info.value.code == "SHIPMENT.ALREADY.CANCELLED"
    with pytest.raises(cg.NotFound):
        gateway.track("999999999999", carrier="fedex")


def test_sandbox_pickup_and_cancel(gateway: cg.Gateway) -> None:
    request = cg.PickupRequest(address=memphis(), window=future_window(), parcel_count=2,
                               total_weight=cg.Weight("4", "kg"))
    pickup = gateway.schedule_pickup(request, carrier="fedex")
    assert pickup.confirmation_number
    assert pickup.carrier_data["carrier_code"] == "FDXE"
    assert pickup.carrier_data["location"] == "NQAA"
    gateway.cancel_pickup(pickup)
    with pytest.raises(cg.CarrierError) as info:
        gateway.cancel_pickup(pickup)
    assert info.value.code == "PICKUP.ALREADY.CANCELLED"


def test_sandbox_refuses_wrong_credentials(emulator: FedExEmulator) -> None:
    config = sandbox_config(emulator, client_secret="wrong")
    with cg.Gateway(config, transport=SandboxTransport({"fedex": emulator})) as gw:
        result = gw.rate(domestic_us(), carriers=["fedex"])
    assert isinstance(result.errors["fedex"], cg.AuthenticationError)
    assert result.errors["fedex"].code == "NOT.AUTHORIZED.ERROR"


def test_sandbox_async_gateway_does_everything(emulator: FedExEmulator) -> None:
    async def scenario() -> None:
        async with cg.AsyncGateway(sandbox_config(emulator), transport=SandboxTransport({"fedex": emulator})) as agw:
            rated = await agw.rate(international_request(), carriers=["fedex"])
            assert rated.errors == {}
            assert rated.quotes
            label = await agw.ship(international_ship())
            info = await agw.track(label.tracking_number, carrier="fedex")
            assert info.status is cg.TrackingStatus.PRE_TRANSIT
            await agw.void(label)
            pickup = await agw.schedule_pickup(cg.PickupRequest(address=memphis(), window=future_window(),
                                                                parcel_count=1, total_weight=cg.Weight("1", "kg")),
                                               carrier="fedex")
            await agw.cancel_pickup(pickup)

    asyncio.run(scenario())
