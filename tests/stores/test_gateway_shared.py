"""A gateway configured with ``redis_url`` shares its state: two gateways over one Redis stand for two
worker processes. Tokens (handed to carriers that build their auth flows themselves), breakers, the
quota and the rate cache are all seen by the other; the URL's password is never shown.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.adapters.breaker import BreakerSettings
from carriergate.adapters.retry import RetryPolicy
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.stores.tokens import RedisTokenStore

from support.fake_carrier import Exchange, FakeCarrier, Turn, fake_carrier, registered
from support.shipments import domestic_request
from support.timing import no_sleep

TOKEN_URL = "https://shared.invalid/oauth/token"
SECRET = "shared-client-secret-value"


def _rate(turn: Turn) -> httpx.Request:
    return httpx.Request("POST", turn.url("/rate"))


def _quotes(turn: Turn, response: httpx.Response) -> list[cg.Quote]:
    if response.status_code != 200:
        raise cg.CarrierUnavailable(f"HTTP {response.status_code}", carrier=turn.alias)
    return [cg.Quote(carrier=turn.alias, service_code="std", service_name="Standard",
                     total=cg.Money("9.90", "CNY"))]


def _auth(carrier: FakeCarrier) -> httpx.Auth:
    # Built as carriers build theirs: no store given.
    return OAuth2ClientCredentials(carrier=carrier.alias, token_url=TOKEN_URL, client_id="client-1",
                                   client_secret=SecretStr(SECRET), credentials_in="form")


Shared = fake_carrier("shared", auth=_auth, rate=Exchange(_rate, _quotes))


class Carrier:
    """The token endpoint and the rate API, counting, with a switch for the rate API's status."""

    def __init__(self) -> None:
        self.tokens = 0
        self.rates = 0
        self.status = 200

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            self.tokens += 1
            return httpx.Response(200, json={"access_token": f"tok-{self.tokens}", "expires_in": 3600})
        self.rates += 1
        return httpx.Response(self.status, json={})


@pytest.fixture
def registered_shared() -> Iterator[None]:
    with registered(Shared):
        yield


def gateway(redis_url: str, carrier: Carrier, **options: Any) -> cg.Gateway:
    config = {"gateway": {"redis_url": redis_url}, "shared": {}}
    return cg.Gateway(config, transport=httpx.MockTransport(carrier), sleep=no_sleep, **options)


@pytest.mark.usefixtures("registered_shared")
def test_two_gateways_make_one_token_request_through_the_carriers_own_auth(redis_url: str) -> None:
    carrier = Carrier()
    with gateway(redis_url, carrier) as one, gateway(redis_url, carrier) as two:
        assert isinstance(one.carrier("shared").carrier.auth.store, RedisTokenStore)  # type: ignore[union-attr]
        assert one.rate(domestic_request()).quotes
        assert two.rate(domestic_request()).quotes
    assert carrier.tokens == 1
    assert carrier.rates == 2


@pytest.mark.usefixtures("registered_shared")
def test_one_gateways_open_breaker_spares_the_other(redis_url: str) -> None:
    carrier = Carrier()
    carrier.status = 503
    breaker = BreakerSettings(failure_threshold=2, cooldown=600)
    once = RetryPolicy(max_attempts=1)
    with gateway(redis_url, carrier, breaker=breaker, retry_policy=once) as one, \
            gateway(redis_url, carrier, breaker=breaker) as two:
        one.rate(domestic_request())
        one.rate(domestic_request())
        asked = carrier.rates
        result = two.rate(domestic_request())
        assert result.errors["shared"].code == "breaker_open"
        assert two.breaker_states() == {"shared": {"read": "open", "write": "closed"}}
    assert carrier.rates == asked  # the other worker sent nothing


@pytest.mark.usefixtures("registered_shared")
def test_the_gateways_rate_cache_is_shared(redis_url: str) -> None:
    carrier = Carrier()
    with gateway(redis_url, carrier) as one, gateway(redis_url, carrier) as two:
        one.rate_cache(ttl=60).put(domestic_request(), "shared", one.rate(domestic_request()).quotes)
        hit = two.rate_cache(ttl=60).get(domestic_request(), "shared")
    assert hit is not None
    assert [q.total for q in hit.quotes] == [cg.Money("9.90", "CNY")]


@pytest.mark.usefixtures("registered_shared")
def test_the_redis_url_comes_from_the_environment_and_its_password_is_never_shown(
        redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with_password = redis_url.replace("redis://", "redis://:pw-Secret-1@")
    monkeypatch.setenv("CARRIERGATE_REDIS_URL", with_password)
    gw = cg.Gateway({"shared": {}}, transport=httpx.MockTransport(Carrier()))
    try:
        assert gw.shared_state.shared
        assert "pw-Secret-1" not in repr(gw) + repr(gw.shared_state) + repr(gw.shared_state.tokens)
        assert "***" in repr(gw.shared_state)
    finally:
        gw.close()


@pytest.mark.usefixtures("registered_shared")
def test_two_async_gateways_share_one_token_and_close_their_redis_clients(redis_url: str) -> None:
    carrier = Carrier()

    async def worker() -> list[cg.Quote]:
        config = {"gateway": {"redis_url": redis_url}, "shared": {}}
        async with cg.AsyncGateway(config, transport=httpx.MockTransport(carrier)) as agw:
            rounds = await asyncio.gather(*(agw.rate(domestic_request()) for _ in range(10)))
        return [quote for result in rounds for quote in result.quotes]

    async def two_workers() -> tuple[list[cg.Quote], list[cg.Quote]]:
        return await worker(), await worker()

    first, second = asyncio.run(two_workers())
    assert len(first) == len(second) == 10
    assert carrier.tokens == 1
    assert carrier.rates == 20
