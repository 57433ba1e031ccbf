"""YunExpress signing: known-answer vectors computed by hand (hmac and hashlib, not carriergate's
signer) from the recipe ``base64(HMAC-SHA256(secret, "body=..&date=..&method=..&uri=.."))``, and the
auth flow's token request, headers, fresh signature per attempt and single 401 refresh."""

from __future__ import annotations

import asyncio
import json

import httpx
import pydantic
import pytest

import carriergate as cg
from carriergate.protocols.auth.tokens import MemoryTokenStore
from carriergate.protocols.auth.yunexpress import YunExpressAuth, signature, string_to_sign

from support.timing import ManualClock
from support.yunexpress_samples import APP_ID, APP_SECRET, BASE, SOURCE_KEY, by_hand

TOKEN_URL = BASE + "/openapi/oauth2/token"
CANCEL = b'{"waybill_number":"YT2533700000000001"}'


def auth(clock: ManualClock, **changes: object) -> YunExpressAuth:
    settings: dict[str, object] = {"carrier": "yunexpress", "token_url": TOKEN_URL, "app_id": APP_ID,
                                   "app_secret": pydantic.SecretStr(APP_SECRET),
                                   "source_key": pydantic.SecretStr(SOURCE_KEY), "store": MemoryTokenStore(),
                                   "clock": clock}
    return YunExpressAuth(**{**settings, **changes})  # type: ignore[arg-type]


def token_answer(token: str = "tok-1", expires: object = 7200) -> httpx.Response:  # noqa: S107 - a test token
    return httpx.Response(200, json={"accessToken": token, "expiresIn": expires})


def test_string_to_sign_sorts_the_fields_and_leaves_out_an_empty_body() -> None:
    assert string_to_sign("get", "/v1/order/info/get", "1711612800000") == \
        "date=1711612800000&method=GET&uri=/v1/order/info/get"
    assert string_to_sign("POST", "/v1/order/cancel", "1", '{"a":1}') == \
        'body={"a":1}&date=1&method=POST&uri=/v1/order/cancel'


@pytest.mark.parametrize(("secret", "method", "uri", "date", "body", "expected"), [
    ("my-secret", "GET", "/v1/order/info/get", "1711612800000", "", "hH+efv/lcFj7ziN4y17FpMAJrwARGzDUzz1ILmFpv+w="),
    (APP_SECRET, "POST", "/v1/order/cancel", "1764748800000", CANCEL.decode(),
     "moWwJhZF/2PFNv5xmacg9u+/A6T34gzmAqnRCKRDS1A="),
])
def test_known_answer_vectors(secret: str, method: str, uri: str, date: str, body: str, expected: str) -> None:
    assert by_hand(secret, method, uri, date, body) == expected  # the vector is the recipe's
    assert signature(pydantic.SecretStr(secret), string_to_sign(method, uri, date, body)) == expected


def test_first_request_buys_a_token_then_is_signed() -> None:
    clock = ManualClock(1764748800.0)
    flow = auth(clock).sync_auth_flow(httpx.Request("POST", BASE + "/v1/order/cancel", content=CANCEL))
    token_request = next(flow)
    assert (token_request.method, str(token_request.url)) == ("POST", TOKEN_URL)
    assert json.loads(token_request.content) == {"grantType": "client_credentials", "appId": APP_ID,
                                                 "appSecret": APP_SECRET, "sourceKey": SOURCE_KEY}
    signed = flow.send(token_answer())
    assert signed.headers["token"] == "tok-1"
    assert signed.headers["date"] == "1764748800000"
    assert signed.headers["sign"] == by_hand(APP_SECRET, "POST", "/v1/order/cancel", "1764748800000", CANCEL.decode())
    assert "authorization" not in signed.headers


def test_the_query_string_is_not_signed_and_a_get_has_no_body_part() -> None:
    clock = ManualClock(1764748800.5)
    flow = auth(clock).sync_auth_flow(httpx.Request("GET", BASE + "/v1/order/info/get?order_number=ORDER-1001"))
    next(flow)
    signed = flow.send(token_answer())
    assert signed.headers["date"] == "1764748800500"
    assert signed.headers["sign"] == by_hand(APP_SECRET, "GET", "/v1/order/info/get", "1764748800500")


def test_every_attempt_is_signed_afresh_with_one_token() -> None:
    clock = ManualClock(1764748800.0)
    signer = auth(clock)
    first = signer.sync_auth_flow(httpx.Request("POST", BASE + "/v1/order/cancel", content=CANCEL))
    next(first)
    one = first.send(token_answer())
    clock.now += 3
    again = httpx.Request("POST", BASE + "/v1/order/cancel", content=CANCEL, headers=dict(one.headers))
    two = next(signer.sync_auth_flow(again))  # the token is cached: no token request
    assert two.headers["token"] == "tok-1"
    assert two.headers["date"] == "1764748803000" != one.headers["date"]
    assert two.headers["sign"] == by_hand(APP_SECRET, "POST", "/v1/order/cancel", "1764748803000", CANCEL.decode())


def test_a_401_buys_a_new_token_and_replays_once() -> None:
    clock = ManualClock(1764748800.0)
    flow = auth(clock).sync_auth_flow(httpx.Request("GET", BASE + "/v1/order/info/get"))
    next(flow)
    flow.send(token_answer("tok-old"))
    refresh = flow.send(httpx.Response(401, json={"success": False, "code": "401", "msg": "token expired"}))
    assert str(refresh.url) == TOKEN_URL
    replay = flow.send(token_answer("tok-new"))
    assert replay.headers["token"] == "tok-new"
    with pytest.raises(StopIteration):
        flow.send(httpx.Response(401))


def test_the_lowercase_source_key_spelling_can_be_chosen() -> None:
    flow = auth(ManualClock(0), source_key_field="sourcekey").sync_auth_flow(httpx.Request("GET", BASE + "/x"))
    assert json.loads(next(flow).content)["sourcekey"] == SOURCE_KEY


def test_a_refused_token_request_is_an_authentication_error_without_the_secret() -> None:
    flow = auth(ManualClock(0)).sync_auth_flow(httpx.Request("GET", BASE + "/x"))
    next(flow)
    with pytest.raises(cg.AuthenticationError) as caught:
        flow.send(httpx.Response(200, json={"success": False, "code": "40001", "msg": f"bad secret {APP_SECRET}"}))
    assert caught.value.code == "40001"
    assert APP_SECRET not in str(caught.value)


def test_the_token_lifetime_follows_expires_in() -> None:
    clock = ManualClock(1000.0)
    signer = auth(clock)
    flow = signer.sync_auth_flow(httpx.Request("GET", BASE + "/x"))
    next(flow)
    flow.send(token_answer(expires="600"))
    clock.now += 600 - 60 - 1
    assert signer.cached_token() is not None
    clock.now += 2
    assert signer.cached_token() is None


def test_no_secret_in_repr_and_all_of_them_redacted() -> None:
    signer = auth(ManualClock(0))
    flow = signer.sync_auth_flow(httpx.Request("GET", BASE + "/x"))
    next(flow)
    flow.send(token_answer("tok-secret-value"))
    assert APP_SECRET not in repr(signer)
    assert SOURCE_KEY not in repr(signer)
    assert {APP_SECRET, SOURCE_KEY, "tok-secret-value"} <= set(signer.secrets())


def test_the_async_flow_signs_the_same_way() -> None:
    async def run() -> httpx.Request:
        flow = auth(ManualClock(1764748800.0)).async_auth_flow(
            httpx.Request("POST", BASE + "/v1/order/cancel", content=CANCEL))
        await flow.__anext__()
        return await flow.asend(token_answer())

    signed = asyncio.run(run())
    assert signed.headers["sign"] == by_hand(APP_SECRET, "POST", "/v1/order/cancel", "1764748800000", CANCEL.decode())
