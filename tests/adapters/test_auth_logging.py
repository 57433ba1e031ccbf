"""DEBUG logs across full auth exchanges never carry a secret, token, password or signature."""

from __future__ import annotations

import asyncio
import base64
import logging

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from carriergate.core.errors import AuthenticationError
from carriergate.protocols.auth.hmac_signing import HMACSigner
from carriergate.protocols.auth.md5_form import Kuaidi100Auth
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.protocols.auth.rsa_signing import OAuth2JWTAssertion, RSASigner
from carriergate.protocols.auth.wsse import WSSecurityAuth

CLIENT_SECRET = "oauth-Client-Secret-42"
ACCESS_TOKENS = ["access-Token-One-abc", "access-Token-Two-def"]
WSSE_PASSWORD = "wsse-Password-77"
HMAC_SECRET = "hmac-Secret-99"
K100_KEY, K100_SECRET = "k100-Key-55", "k100-Secret-66"
TOKEN_URL = "https://auth.example.test/oauth/token"
ENVELOPE = (b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
            b"<soap:Body><Ping/></soap:Body></soap:Envelope>")


ISSUED: list[str] = []


def handler(request: httpx.Request) -> httpx.Response:
    if str(request.url) == TOKEN_URL:
        if b"bad" in request.content:
            return httpx.Response(401, json={"error": "invalid_client", "error_description": "bad client"})
        ISSUED.append(ACCESS_TOKENS[len(ISSUED) % 2])
        return httpx.Response(200, json={"access_token": ISSUED[-1], "expires_in": "3600"})
    if request.headers.get("authorization") == f"Bearer {ACCESS_TOKENS[0]}":
        return httpx.Response(401, json={"errors": [{"code": "401", "message": "expired"}]})
    return httpx.Response(200, json={})


def test_debug_logs_hold_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    oauth = OAuth2ClientCredentials(carrier="ups", token_url=TOKEN_URL, client_id="client-1",
                                    client_secret=SecretStr(CLIENT_SECRET))
    rejected = OAuth2ClientCredentials(carrier="fedex", token_url=TOKEN_URL, client_id="bad",
                                       client_secret=SecretStr(CLIENT_SECRET), credentials_in="form")
    signers: list[httpx.Auth] = [
        HMACSigner(secret=SecretStr(HMAC_SECRET)),
        RSASigner(private_key=SecretStr(key_pem)),
        Kuaidi100Auth(key=SecretStr(K100_KEY), secret=SecretStr(K100_SECRET), mode="business"),
    ]
    signed_headers: list[str] = []
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        # a full OAuth2 exchange: token, 401 on the first token, refresh, replay
        assert client.get("https://api.example.test/rate", auth=oauth).status_code == 200
        with pytest.raises(AuthenticationError):
            client.get("https://api.example.test/rate", auth=rejected)
        for digest in (False, True):
            wsse = WSSecurityAuth("dhl-user", SecretStr(WSSE_PASSWORD), digest=digest)
            client.post("https://api.example.test/soap", content=ENVELOPE, auth=wsse)
        for signer in signers:
            sent = client.post("https://api.example.test/v1/orders", data={"param": "{}"}, auth=signer).request
            signed_headers += [v for k, v in sent.headers.items() if k.lower() in ("x-signature",)]
    jwt_auth = OAuth2JWTAssertion(carrier="usps", token_url=TOKEN_URL, client_id="client-2",
                                  private_key=SecretStr(key_pem))

    async def run_async() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            await client.get("https://api.example.test/prices", auth=jwt_auth)
            await client.post("https://api.example.test/soap", content=ENVELOPE,
                              auth=WSSecurityAuth("dhl-user", SecretStr(WSSE_PASSWORD)))

    asyncio.run(run_async())

    basic = base64.b64encode(f"client-1:{CLIENT_SECRET}".encode()).decode()
    forbidden = [CLIENT_SECRET, basic, *ACCESS_TOKENS, WSSE_PASSWORD, HMAC_SECRET, K100_KEY, K100_SECRET,
                 "PRIVATE KEY", *signed_headers]
    auth_records = [r for r in caplog.records if r.name == "carriergate.auth"]
    assert len(auth_records) >= 8  # the exchanges above were really logged
    assert any("refreshing the token once" in r.getMessage() for r in auth_records)
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), record.exc_text or ""])
        for secret in forbidden:
            assert secret not in text, (record.name, record.getMessage())
