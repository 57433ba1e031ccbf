"""The OAuth2 flow driven by the real executors: the token request inherits the call's timeouts,
and the auth objects expose their secrets for the executor's redaction."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from pydantic import SecretStr

from carriergate.adapters.executor import AsyncExecutor, Executor
from carriergate.core.contract import is_side_request as is_token_request
from carriergate.core.deadline import Deadline
from carriergate.protocols.auth.api_key import APIKeyAuth
from carriergate.protocols.auth.hmac_signing import HMACSigner
from carriergate.protocols.auth.md5_form import Kuaidi100Auth
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.auth.wsse import WSSecurityAuth

from support.fake_carrier import Exchange, fake_carrier

TOKEN_URL = "https://auth.example.test/oauth/token"

#: Tracks with one GET behind an OAuth2 token endpoint; the answer is the JSON as it came.
TokenCarrier = fake_carrier(
    "tokencarrier", hosts={"production": "https://api.example.test"},
    auth=lambda carrier: OAuth2ClientCredentials(carrier=carrier.alias, token_url=TOKEN_URL, client_id="c",
                                                 client_secret=SecretStr("executor-secret")),
    track=Exchange(lambda turn: httpx.Request("GET", turn.url(f"/track/{turn.argument}")),
                   lambda turn, response: response.json()))


def handler(seen: list[httpx.Request]) -> Any:
    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if is_token_request(request):
            return httpx.Response(200, json={"access_token": "exec-token", "expires_in": 3600})
        return httpx.Response(200, json={"auth": request.headers["authorization"]})
    return respond


def test_sync_executor_applies_oauth2_with_the_call_timeouts() -> None:
    seen: list[httpx.Request] = []
    carrier = TokenCarrier.with_account(timeout=7.0, connect_timeout=2.0)
    with httpx.Client(transport=httpx.MockTransport(handler(seen))) as client:
        result: Any = Executor(client).run(carrier, lambda: carrier.track("1Z"), Deadline(None))
    assert result == {"auth": "Bearer exec-token"}
    token_request, api_request = seen
    assert is_token_request(token_request)
    assert token_request.extensions["timeout"] == api_request.extensions["timeout"]
    assert token_request.extensions["timeout"]["read"] == 7.0


def test_async_executor_applies_oauth2() -> None:
    seen: list[httpx.Request] = []
    carrier = TokenCarrier.with_account(timeout=5.0)

    async def main() -> Any:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler(seen))) as client:
            executor = AsyncExecutor(client)
            return await asyncio.gather(*(executor.run(carrier, lambda: carrier.track("1Z"), Deadline(None))
                                          for _ in range(5)))

    assert asyncio.run(main()) == [{"auth": "Bearer exec-token"}] * 5
    assert sum(is_token_request(r) for r in seen) == 1


def test_auth_objects_expose_secrets_for_redaction() -> None:
    oauth = TokenCarrier.with_account().auth
    assert isinstance(oauth, OAuth2ClientCredentials)
    assert "executor-secret" in oauth.secrets()
    assert WSSecurityAuth("u", SecretStr("pw")).secrets() == ["pw"]
    assert APIKeyAuth(SecretStr("k")).secrets() == ["k"]
    assert HMACSigner(secret=SecretStr("h")).secrets() == ["h"]
    assert Kuaidi100Auth(key=SecretStr("k1"), secret=SecretStr("s1"), mode="business").secrets() == ["k1", "s1"]
