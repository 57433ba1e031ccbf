"""Kuaidi100 MD5 forms, HMAC signing and webhooks, RSA signing, RFC 7523 assertions, API keys."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import httpx
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from pydantic import SecretStr

from carriergate.core.errors import ConfigurationError, ValidationError
from carriergate.protocols.auth import hmac_signing
from carriergate.protocols.auth.api_key import APIKeyAuth
from carriergate.protocols.auth.hmac_signing import HMACSigner, verify_webhook
from carriergate.protocols.auth.md5_form import Kuaidi100Auth, business_sign, tracking_sign
from carriergate.protocols.auth.rsa_signing import OAuth2JWTAssertion, RSASigner, jwt_client_assertion

from support.spies import spy_compare_digest

PARAM = '{"com":"shunfeng","num":"SF1234567890","phone":"0000","resultv2":"4"}'
KEY = "k100-Key-XYZ"
SECRET = "k100-Secret-ABC"
CUSTOMER = "CUSTOMER0001"
EPOCH = 1714550400.123


def md5_upper(data: bytes) -> str:
    """The documented recipe, computed here independently of the code under test."""
    return hashlib.md5(data).hexdigest().upper()  # noqa: S324 - Kuaidi100's scheme


def capture(auth: httpx.Auth, request: httpx.Request) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def handler(sent: httpx.Request) -> httpx.Response:
        seen.append(sent)
        return httpx.Response(200, json={})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.send(request, auth=auth)
    return seen


# -- Kuaidi100 -------------------------------------------------------------------------------------

def test_kuaidi100_signature_vectors() -> None:
    assert tracking_sign(PARAM, KEY, CUSTOMER) == md5_upper((PARAM + KEY + CUSTOMER).encode())
    chinese = '{"recManName":"韩梅梅","recManMobile":"13800138000"}'
    t = "1714550400123"
    expected = md5_upper((chinese + t + KEY + SECRET).encode("utf-8"))
    assert business_sign(chinese, t, KEY, SECRET) == expected
    assert len(expected) == 32
    assert expected == expected.upper()


def test_kuaidi100_tracking_form_is_signed() -> None:
    auth = Kuaidi100Auth(key=SecretStr(KEY), mode="tracking", customer=CUSTOMER)
    request = httpx.Request("POST", "https://poll.kuaidi100.com/poll/query.do", data={"param": PARAM})
    (sent,) = capture(auth, request)
    form = parse_qs(sent.content.decode())
    assert form == {"customer": [CUSTOMER], "param": [PARAM],
                    "sign": [md5_upper((PARAM + KEY + CUSTOMER).encode())]}
    assert sent.headers["content-length"] == str(len(sent.content))


def test_kuaidi100_business_form_is_signed_afresh_each_attempt() -> None:
    now = [EPOCH]
    auth = Kuaidi100Auth(key=SecretStr(KEY), secret=SecretStr(SECRET), mode="business", clock=lambda: now[0])
    fields = [("method", "bOrder"), ("param", PARAM)]
    first = dict(auth.sign_form(fields))
    assert first["t"] == "1714550400123"
    assert first["key"] == KEY
    assert first["method"] == "bOrder"
    assert first["sign"] == md5_upper((PARAM + "1714550400123" + KEY + SECRET).encode())
    now[0] += 1.5
    second = dict(auth.sign_form(list(first.items())))  # re-signing a signed form replaces t and sign
    assert second["t"] == "1714550401623"
    assert second["sign"] == md5_upper((PARAM + "1714550401623" + KEY + SECRET).encode())
    (sent,) = capture(auth, httpx.Request("POST", "https://api.kuaidi100.com/apiMock/border", data=dict(fields)))
    assert [name for name, _ in parse_qsl(sent.content.decode())] == ["method", "param", "key", "t", "sign"]


def test_kuaidi100_configuration_and_input_errors() -> None:
    with pytest.raises(ConfigurationError):
        Kuaidi100Auth(key=SecretStr(KEY), mode="tracking")
    with pytest.raises(ConfigurationError):
        Kuaidi100Auth(key=SecretStr(KEY), mode="business")
    auth = Kuaidi100Auth(key=SecretStr(KEY), mode="tracking", customer=CUSTOMER)
    with pytest.raises(ValidationError) as caught:
        auth.sign_form([("num", "1")])
    assert caught.value.field == "param"
    assert KEY not in repr(auth)


# -- HMAC ------------------------------------------------------------------------------------------

def test_hmac_signature_over_the_canonical_string() -> None:
    secret = "hmac-shared-secret"
    auth = HMACSigner(secret=SecretStr(secret), key_id="key-7", clock=lambda: EPOCH)
    body = b'{"order":"A1","weight":2.5}'
    request = httpx.Request("POST", "https://api.example.test/v1/orders?dry=1&x=a%20b", content=body,
                            headers={"X-Signature": "stale"})
    (sent,) = capture(auth, request)
    canonical = "\n".join(["POST", "/v1/orders?dry=1&x=a%20b", "1714550400", hashlib.sha256(body).hexdigest()])
    expected = hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()
    assert sent.headers["x-timestamp"] == "1714550400"
    assert sent.headers["x-key-id"] == "key-7"
    assert sent.headers.get_list("x-signature") == [expected]
    assert secret not in repr(auth)


def test_hmac_custom_headers_and_base64() -> None:
    auth = HMACSigner(secret=SecretStr("s"), clock=lambda: 10.0, encoding="base64",
                      signature_header="X-Carrier-Sign", timestamp_header="X-Carrier-Time")
    (sent,) = capture(auth, httpx.Request("GET", "https://api.example.test/track"))
    canonical = "GET\n/track\n10\n" + hashlib.sha256(b"").hexdigest()
    expected = base64.b64encode(hmac.new(b"s", canonical.encode(), hashlib.sha256).digest()).decode()
    assert sent.headers["x-carrier-sign"] == expected
    assert "x-key-id" not in sent.headers


def test_verify_webhook_accepts_genuine_and_rejects_tampered() -> None:
    secret = "webhook-secret"
    body = b'{"event":"delivered","tracking":"1Z999"}'
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    assert verify_webhook(body, digest.hex(), SecretStr(secret))
    assert verify_webhook(body, digest.hex().upper(), secret)
    assert verify_webhook(body, base64.b64encode(digest).decode(), secret.encode(), encoding="base64")
    assert not verify_webhook(body.replace(b"delivered", b"returned"), digest.hex(), secret)
    assert not verify_webhook(body, digest.hex(), "other-secret")
    assert not verify_webhook(body, digest.hex()[:-2], secret)
    assert not verify_webhook(body, "zz-not-hex", secret)
    assert not verify_webhook(body, "!!!", secret, encoding="base64")


def test_verify_webhook_compares_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = spy_compare_digest(monkeypatch)
    digest = hmac.new(b"k", b"body", hashlib.sha256).digest()
    assert hmac_signing.verify_webhook(b"body", digest.hex(), "k")
    assert calls == [(digest, digest)]


# -- RSA and JWT -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key: rsa.RSAPrivateKey) -> SecretStr:
    return SecretStr(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()).decode())


def test_rsa_signature_verifies_with_the_public_key(key: rsa.RSAPrivateKey) -> None:
    auth = RSASigner(private_key=pem(key), key_id="rsa-1", clock=lambda: EPOCH)
    body = b"<Order/>"
    (sent,) = capture(auth, httpx.Request("PUT", "https://api.example.test/orders/9", content=body))
    canonical = f"PUT\n/orders/9\n1714550400\n{hashlib.sha256(body).hexdigest()}".encode()
    signature = base64.b64decode(sent.headers["x-signature"])
    key.public_key().verify(signature, canonical, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):
        key.public_key().verify(signature, canonical + b"x", padding.PKCS1v15(), hashes.SHA256())
    assert sent.headers["x-key-id"] == "rsa-1"
    assert "PRIVATE" not in repr(auth)


def test_unusable_private_key_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        RSASigner(private_key=SecretStr("-----BEGIN PRIVATE KEY-----\nnot-a-key\n-----END PRIVATE KEY-----"))
    assert "not-a-key" not in str(caught.value)


def decode_segment(segment: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    return value


def verify_jwt(token: str, key: rsa.RSAPrivateKey) -> tuple[dict[str, Any], dict[str, Any]]:
    header, claims, signature = token.split(".")
    key.public_key().verify(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)),
                            f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return decode_segment(header), decode_segment(claims)


def test_jwt_client_assertion_claims_and_signature(key: rsa.RSAPrivateKey) -> None:
    token = jwt_client_assertion(client_id="client-9", audience="https://auth.example.test/oauth2/token", key=key,
                                 kid="kid-2", lifetime=300, clock=lambda: EPOCH, jti_factory=lambda: "jti-1")
    header, claims = verify_jwt(token, key)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": "kid-2"}
    assert claims == {"iss": "client-9", "sub": "client-9", "aud": "https://auth.example.test/oauth2/token",
                      "iat": 1714550400, "exp": 1714550700, "jti": "jti-1"}
    assert "=" not in token


def test_oauth2_with_jwt_assertion(key: rsa.RSAPrivateKey) -> None:
    token_url = "https://auth.example.test/oauth2/token"
    forms: list[dict[str, list[str]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == token_url:
            forms.append(parse_qs(request.content.decode()))
            return httpx.Response(200, json={"access_token": "jwt-granted", "expires_in": 900})
        return httpx.Response(200, json={"auth": request.headers["authorization"]})

    jtis = iter(["a", "b"])
    auth = OAuth2JWTAssertion(carrier="usps", token_url=token_url, client_id="client-9", private_key=pem(key),
                              kid="kid-2", clock=lambda: EPOCH, jti_factory=lambda: next(jtis))
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        assert client.get("https://api.example.test/prices", auth=auth).json() == {"auth": "Bearer jwt-granted"}
    (form,) = forms
    assert form["grant_type"] == ["client_credentials"]
    assert form["client_id"] == ["client-9"]
    assert form["client_assertion_type"] == ["urn:ietf:params:oauth:client-assertion-type:jwt-bearer"]
    assert "client_secret" not in form
    _, claims = verify_jwt(form["client_assertion"][0], key)
    assert claims["aud"] == token_url
    assert claims["jti"] == "a"
    assert "PRIVATE" not in auth.cache_key
    assert "PRIVATE" not in repr(auth)


# -- API key ---------------------------------------------------------------------------------------

def test_api_key_header() -> None:
    (sent,) = capture(APIKeyAuth(SecretStr("api-key-1"), header="DHL-API-Key"),
                      httpx.Request("GET", "https://api.example.test/track"))
    assert sent.headers["dhl-api-key"] == "api-key-1"
    bearer = APIKeyAuth(SecretStr("api-key-2"), header="Authorization", prefix="Bearer ")
    (sent,) = capture(bearer, httpx.Request("GET", "https://api.example.test/track"))
    assert sent.headers["authorization"] == "Bearer api-key-2"
    assert "api-key-2" not in repr(bearer)
    with pytest.raises(ValueError, match="header"):
        APIKeyAuth(SecretStr("x"), header="Bad: header")
