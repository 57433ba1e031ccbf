"""Known-answer tests of every Kuaidi100 signing recipe carriergate implements.

The expected digests were computed outside Python, from the documented recipes alone (``printf '%s'
"$param$key$customer" | md5sum``, upper-cased): the query's ``upper(md5(param + key + customer))`` and
the push's ``upper(md5(param + salt))``, and the business APIs' ``upper(md5(param + t + key + secret))``
(label/order and borderapi alike, per api.kuaidi100.com/document/dianzimiandanV2 and the official
python demo), with Chinese text in param so that its UTF-8 bytes are what is hashed.
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
from carriergate.protocols.auth.md5_form import Kuaidi100Auth, business_sign, tracking_sign

from support.spies import spy_compare_digest

KEY, CUSTOMER, SALT = "k100-Key-XYZ", "CUSTOMER0001", "k100-Salt-123"
QUERY_PARAM = '{"com":"shunfeng","num":"SF1400000000001","phone":"8000","resultv2":"4","show":"0","order":"desc"}'
QUERY_SIGN = "4B5C731B9A8A402D79F96D5C85EDDBF6"
PUSH_PARAM = '{"status":"polling","lastResult":{"nu":"78300000000001"}}'
PUSH_SIGN = "DC5BD8DF232FEBE204E14EB4A1E86AA4"
PUSH_PARAM_CHINESE = '{"state":"签收"}'
PUSH_SIGN_CHINESE = "F8A8E1DE576D6623A11779396E13B99D"  # the UTF-8 bytes are hashed
SECRET = "k100-Secret-ABC"
#: 2026-03-02 01:30:00 UTC in milliseconds: ``t`` as the injected clock gives it.
T = "1772415000000"
LABEL_CANCEL_PARAM = '{"kuaidicom":"yuantong","kuaidinum":"YT7712345678901","reason":"暂时不寄了"}'
LABEL_CANCEL_SIGN = "75AF73D93C1F9F8CB9F9885DF26E0771"
BORDER_CANCEL_PARAM = '{"taskId":"9FC293CA417E431F33046E64F4C4EC20","orderId":"20066771","cancelMsg":"暂时不寄件了"}'
BORDER_CANCEL_SIGN = "1F58D0AB6860B1AA0B0A97ED6C34F326"


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


@pytest.mark.parametrize(("param", "sign"), [(LABEL_CANCEL_PARAM, LABEL_CANCEL_SIGN),
                                             (BORDER_CANCEL_PARAM, BORDER_CANCEL_SIGN)])
def test_business_signature_known_answer(param: str, sign: str) -> None:
    assert business_sign(param, T, KEY, SECRET) == sign


def test_business_form_is_signed_on_the_injected_clock() -> None:
    """The business form carries ``key``, ``t`` (the clock's milliseconds) and the known-answer sign;
    every attempt is signed afresh, so a later attempt has a later ``t`` and its own sign."""
    now = [1772415000.0]
    auth = Kuaidi100Auth(key=SecretStr(KEY), secret=SecretStr(SECRET), mode="business", clock=lambda: now[0])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        for _ in range(2):
            client.post("https://api.kuaidi100.com/label/order",
                        data={"method": "cancel", "param": LABEL_CANCEL_PARAM}, auth=auth)
            now[0] += 1.5
    first, second = (parse_qs(r.content.decode()) for r in seen)
    assert first == {"method": ["cancel"], "param": [LABEL_CANCEL_PARAM], "key": [KEY], "t": [T],
                     "sign": [LABEL_CANCEL_SIGN]}
    assert second["t"] == ["1772415001500"]
    assert second["sign"] == [business_sign(LABEL_CANCEL_PARAM, "1772415001500", KEY, SECRET)]
    assert SECRET not in repr(auth)
    assert set(auth.secrets()) == {KEY, SECRET}
