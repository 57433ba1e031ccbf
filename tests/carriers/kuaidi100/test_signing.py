"""Known-answer tests of every Kuaidi100 signing recipe carriergate implements.

The expected digests were computed outside Python, from the documented recipes alone (``printf '%s'
"$param$key$customer" | md5sum``, upper-cased): the query's ``upper(md5(param + key + customer))`` and
the push's ``upper(md5(param + salt))``. The business recipe (``param + t + key + secret``) is known-
answer tested with protocols/auth (tests/protocols/auth/test_signing.py).
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from carriergate.carriers.kuaidi100 import push_sign, verify_push
from carriergate.carriers.kuaidi100.push import parse_push
from carriergate.core.errors import AuthenticationError
from carriergate.protocols.auth.md5_form import Kuaidi100Auth, tracking_sign

from support.spies import spy_compare_digest

KEY, CUSTOMER, SALT = "k100-Key-XYZ", "CUSTOMER0001", "k100-Salt-123"
QUERY_PARAM = '{"com":"shunfeng","num":"SF1400000000001","phone":"8000","resultv2":"4","show":"0","order":"desc"}'
QUERY_SIGN = "4B5C731B9A8A402D79F96D5C85EDDBF6"
PUSH_PARAM = '{"status":"polling","lastResult":{"nu":"78300000000001"}}'
PUSH_SIGN = "DC5BD8DF232FEBE204E14EB4A1E86AA4"
PUSH_PARAM_CHINESE = '{"state":"签收"}'
PUSH_SIGN_CHINESE = "F8A8E1DE576D6623A11779396E13B99D"  # the UTF-8 bytes are hashed


def test_query_signature_known_answer() -> None:
    assert tracking_sign(QUERY_PARAM, KEY, CUSTOMER) == QUERY_SIGN


def test_query_form_is_signed_with_the_known_answer() -> None:
    auth = Kuaidi100Auth(key=SecretStr(KEY), mode="tracking", customer=CUSTOMER)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.post("https://poll.kuaidi100.com/poll/query.do", data={"param": QUERY_PARAM}, auth=auth)
    form = parse_qs(seen[0].content.decode())
    assert form == {"customer": [CUSTOMER], "sign": [QUERY_SIGN], "param": [QUERY_PARAM]}


@pytest.mark.parametrize(("param", "sign"), [(PUSH_PARAM, PUSH_SIGN), (PUSH_PARAM_CHINESE, PUSH_SIGN_CHINESE)])
def test_push_signature_known_answer(param: str, sign: str) -> None:
    assert push_sign(param, SALT) == sign
    assert verify_push(param, sign, SecretStr(SALT))
    assert verify_push(param, sign.lower(), SALT)  # hex case does not matter


def test_push_signature_refuses_tampering() -> None:
    assert not verify_push(PUSH_PARAM.replace("polling", "shutdown"), PUSH_SIGN, SALT)
    assert not verify_push(PUSH_PARAM, PUSH_SIGN, "other-salt")
    assert not verify_push(PUSH_PARAM, PUSH_SIGN[:-1], SALT)
    assert not verify_push(PUSH_PARAM, "", SALT)
    assert not verify_push(PUSH_PARAM, PUSH_SIGN, "")  # no salt: nothing verifies


def test_push_is_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = spy_compare_digest(monkeypatch)
    assert verify_push(PUSH_PARAM, PUSH_SIGN, SALT)
    assert calls == [(PUSH_SIGN.encode(), PUSH_SIGN.encode())]


def test_push_without_salt_or_sign_is_refused_before_reading() -> None:
    from urllib.parse import urlencode

    body = urlencode({"param": "not json at all", "sign": PUSH_SIGN}).encode()
    with pytest.raises(AuthenticationError):  # the signature is checked before the JSON is read
        parse_push(body, SALT, carrier="kuaidi100")
    with pytest.raises(AuthenticationError):
        parse_push(urlencode({"param": PUSH_PARAM}).encode(), SALT, carrier="kuaidi100")
    with pytest.raises(AuthenticationError):
        parse_push(urlencode({"param": PUSH_PARAM, "sign": PUSH_SIGN}).encode(), None, carrier="kuaidi100")


def test_recipes_match_hashlib() -> None:
    """The constants above are what the recipe gives (a guard against a mistyped vector)."""
    assert hashlib.md5((QUERY_PARAM + KEY + CUSTOMER).encode()).hexdigest().upper() == QUERY_SIGN  # noqa: S324
    assert hashlib.md5((PUSH_PARAM_CHINESE + SALT).encode()).hexdigest().upper() == PUSH_SIGN_CHINESE  # noqa: S324
