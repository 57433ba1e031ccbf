"""SF msgDigest: known-answer vectors computed here from the documented recipe, the auth flow that
re-signs every attempt, and verification of pushed envelopes."""

from __future__ import annotations

import base64
import hashlib
import itertools
import urllib.parse

import httpx
import pytest
from pydantic import SecretStr

from carriergate.protocols.auth.sf_digest import (
    SFDigestAuth,
    decode_form,
    encode_form,
    msg_digest,
    sign_fields,
    verify_push,
)

CHECKWORD = "fixture-checkword-123"
STAMP = "1767225600000"


def python_demo(text: str) -> str:
    """The recipe of SF's Python demo v2.0, written out independently."""
    digest = hashlib.md5(urllib.parse.quote_plus(text).encode("utf-8"), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode()


def _b64md5(text: str) -> str:
    return base64.b64encode(hashlib.md5(text.encode("utf-8"), usedforsecurity=False).digest()).decode()


def js_style(text: str) -> str:
    """SF's JS demo: ``encodeURIComponent`` keeps ``* ~ ! ' ( )`` and writes a space as %20."""
    return _b64md5(urllib.parse.quote(text, safe="*~!'()"))


def java_style(text: str) -> str:
    """SF's Java demo: ``URLEncoder.encode`` keeps ``*``, escapes ``~`` (%7E), writes a space as +."""
    return _b64md5(urllib.parse.quote_plus(text, safe="*").replace("~", "%7E"))


@pytest.mark.parametrize("msg_data", [
    '{"language":"0","trackingType":"1","trackingNumber":["SF7444407228423"],"methodType":"1"}',
    '{"contact":"张三丰","address":"湖北省十堰市丹江口市公园路155号","name":"君宝牌地毯"}',
    '{"remark":"a b*c~d!e\'f(g)h"}',
])
def test_known_answer_vectors(msg_data: str) -> None:
    assert msg_digest(msg_data, STAMP, CHECKWORD) == python_demo(msg_data + STAMP + CHECKWORD)


def test_chinese_text_is_signed_as_utf8_percent_escapes() -> None:
    text = "张三" + STAMP + CHECKWORD
    encoded = urllib.parse.quote_plus(text)
    assert encoded.startswith("%E5%BC%A0%E4%B8%89")  # UTF-8 bytes of 张三
    expected = base64.b64encode(hashlib.md5(encoded.encode(), usedforsecurity=False).digest()).decode()
    assert msg_digest("张三", STAMP, CHECKWORD) == expected


def test_ordinary_payload_agrees_with_java_and_js_encodings() -> None:
    msg = '{"orderId":"QIAO-20200728-001","contact":"张三丰","parcelQty":1}'
    ours = msg_digest(msg, STAMP, CHECKWORD)
    assert ours == java_style(msg + STAMP + CHECKWORD) == js_style(msg + STAMP + CHECKWORD)


# (character, differs from the Java demo, differs from the JS demo)
SPECIALS = [(" ", False, True), ("*", True, True), ("~", True, False), ("!", False, True),
            ("'", False, True), ("(", False, True), (")", False, True)]


@pytest.mark.parametrize(("special", "vs_java", "vs_js"), SPECIALS)
def test_special_characters_follow_the_python_demo(special: str, vs_java: bool, vs_js: bool) -> None:
    msg = '{"remark":"x' + special + 'y"}'
    text = msg + STAMP + CHECKWORD
    ours = msg_digest(msg, STAMP, CHECKWORD)
    assert ours == python_demo(text)
    assert (ours != java_style(text)) is vs_java
    assert (ours != js_style(text)) is vs_js


def test_a_payload_with_every_special_differs_from_both_other_demos() -> None:
    msg = '{"remark":"a b*c~d!e\'f(g)h"}'
    text = msg + STAMP + CHECKWORD
    assert msg_digest(msg, STAMP, CHECKWORD) not in {java_style(text), js_style(text)}


def test_space_is_plus_not_percent_20() -> None:
    msg = '{"remark":"a b"}'
    percent20 = _b64md5(urllib.parse.quote(msg + STAMP + CHECKWORD, safe=""))
    assert msg_digest(msg, STAMP, CHECKWORD) != percent20
    assert msg_digest(msg, STAMP, CHECKWORD) == python_demo(msg + STAMP + CHECKWORD)


def _unsigned(msg_data: str) -> httpx.Request:
    body = encode_form({"partnerID": "ignored", "serviceCode": "EXP_RECE_SEARCH_ROUTES", "msgData": msg_data})
    return httpx.Request("POST", "https://sfapi-sbox.sf-express.com/std/service", content=body,
                         headers={"content-type": "application/x-www-form-urlencoded; charset=UTF-8"})


def test_auth_flow_signs_each_attempt_afresh() -> None:
    ticks = itertools.count(1_767_225_600)
    ids = iter(["req-1", "req-2"])
    auth = SFDigestAuth("PARTNER", SecretStr(CHECKWORD), clock=lambda: float(next(ticks)),
                        request_id=lambda: next(ids))
    msg = '{"remark":"上海 (浦东) ~*!\'"}'
    first = decode_form(next(auth.sync_auth_flow(_unsigned(msg))).content)
    second = decode_form(next(auth.sync_auth_flow(_unsigned(msg))).content)
    assert first["partnerID"] == "PARTNER"
    assert (first["requestID"], first["timestamp"]) == ("req-1", "1767225600000")
    assert (second["requestID"], second["timestamp"]) == ("req-2", "1767225601000")
    assert first["msgData"] == msg
    assert first["msgDigest"] == python_demo(msg + "1767225600000" + CHECKWORD)
    assert second["msgDigest"] != first["msgDigest"]


def test_auth_flow_replaces_an_old_signature_and_keeps_timeout_extensions() -> None:
    auth = SFDigestAuth("PARTNER", SecretStr(CHECKWORD), clock=lambda: 1.0, request_id=lambda: "r")
    stale = sign_fields({"partnerID": "PARTNER", "serviceCode": "X", "msgData": "{}"}, CHECKWORD,
                        timestamp="1", request_id="old")
    request = httpx.Request("POST", "https://example.invalid/", content=encode_form(stale),
                            headers={"content-type": "application/x-www-form-urlencoded"},
                            extensions={"timeout": {"read": 1.0}})
    signed = next(auth.sync_auth_flow(request))
    form = decode_form(signed.content)
    assert form["requestID"] == "r"
    assert form["timestamp"] == "1000"
    assert form["msgDigest"] == msg_digest("{}", "1000", CHECKWORD)
    assert signed.extensions["timeout"] == {"read": 1.0}
    assert signed.headers["content-length"] == str(len(signed.content))


def test_non_form_requests_pass_through() -> None:
    auth = SFDigestAuth("PARTNER", SecretStr(CHECKWORD))
    request = httpx.Request("GET", "https://example.invalid/label.pdf")
    assert next(auth.sync_auth_flow(request)) is request


def test_checkword_never_in_repr_or_headers() -> None:
    auth = SFDigestAuth("PARTNER", SecretStr(CHECKWORD), clock=lambda: 1.0)
    signed = next(auth.sync_auth_flow(_unsigned("{}")))
    assert CHECKWORD not in repr(auth)
    assert CHECKWORD not in str(signed.headers)
    assert CHECKWORD.encode() not in signed.content


def test_verify_push() -> None:
    form = sign_fields({"partnerID": "P", "serviceCode": "RT_PUSH", "msgData": '{"a":"上海 (1)"}'},
                       SecretStr(CHECKWORD), timestamp=STAMP, request_id="push-1")
    assert verify_push(form, SecretStr(CHECKWORD))
    assert verify_push(form, CHECKWORD)
    assert not verify_push(form, "another-checkword")
    assert not verify_push({**form, "msgData": '{"a":"上海 (2)"}'}, CHECKWORD)
    assert not verify_push({k: v for k, v in form.items() if k != "msgDigest"}, CHECKWORD)
    assert not verify_push({**form, "msgDigest": "非ASCII"}, CHECKWORD)
