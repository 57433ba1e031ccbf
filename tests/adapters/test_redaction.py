"""Redaction: no secret reaches a log line or an event hook, whatever the header, query or body format."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from collections.abc import Generator, Iterator
from urllib.parse import quote, quote_plus

import httpx
import pytest
from pydantic import SecretStr

import carriergate as cg
from carriergate.adapters.events import EventHooks
from carriergate.adapters.events import Exchange as View
from carriergate.adapters.redaction import REDACTED, is_sensitive, redact_body, redact_headers, redact_url
from carriergate.adapters.retry import RetryPolicy

from support.fake_carrier import Exchange, Turn, checked, fake_carrier, raise_for_status, registered
from support.fake_carrier import quote as fake_quote
from support.shipments import domestic_request
from support.timing import no_asleep, no_sleep

API_KEY = "AK-7f3e9c1d"
PASSWORD = "pa ss/wörd&*~!'()"  # characters URL- and JSON-encoders treat differently
CLIENT_SECRET = "cs_live_51HxQ"
TOKEN = "eyJhbGciOi.access.token9"  # issued by the (fake) token endpoint, exposed by the auth flow
SECRETS = [API_KEY, PASSWORD, CLIENT_SECRET, TOKEN]


# -- the pure functions ---------------------------------------------------------------------------

def test_sensitive_names() -> None:
    for name in ("Authorization", "x-api-key", "client_secret", "access_token", "Password", "checkword",
                 "msgDigest", "sign", "X-Signature", "wsse:Nonce", "refreshToken", "AccessLicenseNumber", "pwd"):
        assert is_sensitive(name), name
    for name in ("consignee", "signer", "designation", "content-type", "tracking_number", "monthly_card",
                 "partnerID", "account_number"):
        assert not is_sensitive(name), name


def test_headers() -> None:
    headers = {"Authorization": "Bearer abc", "Proxy-Authorization": "Basic x", "X-API-Key": "k1",
               "Cookie": "s=1", "X-Auth-Token": "t", "x-client-secret": "c", "Digest": "SHA-256=x",
               "X-Signature": "sig", "X-Note": f"key={API_KEY}", "Accept": "application/json"}
    out = redact_headers(headers, [API_KEY])
    assert out == {"authorization": REDACTED, "proxy-authorization": REDACTED, "x-api-key": REDACTED,
                   "cookie": REDACTED, "x-auth-token": REDACTED, "x-client-secret": REDACTED, "digest": REDACTED,
                   "x-signature": REDACTED, "x-note": f"key={REDACTED}", "accept": "application/json"}


def test_url() -> None:
    userinfo = f"user:{quote(PASSWORD, safe='')}"
    url = f"https://{userinfo}@api.test/track/1Z999/{API_KEY}?access_token=abc&tracking=1Z999&apikey=z"
    out = redact_url(url, SECRETS)
    assert out == "https://api.test/track/1Z999/[REDACTED]?access_token=[REDACTED]&tracking=1Z999&apikey=[REDACTED]"


def test_json_body_nested_and_json_in_strings() -> None:
    body = {"client_secret": CLIENT_SECRET, "grant": "x", "user": {"Password": "hunter2", "name": "Li"},
            "items": [{"accessToken": "tok-123"}], "note": f"the key is {API_KEY}",
            "msgData": json.dumps({"checkword": "cw-1", "orderId": "O-1"}), "token": None}
    out = redact_body(json.dumps(body).encode(), "application/json", SECRETS)
    data = json.loads(out)
    assert data["client_secret"] == data["user"]["Password"] == data["items"][0]["accessToken"] == REDACTED
    assert data["user"]["name"] == "Li"
    assert data["grant"] == "x"
    assert data["token"] is None
    assert data["note"] == f"the key is {REDACTED}"
    assert json.loads(data["msgData"]) == {"checkword": REDACTED, "orderId": "O-1"}
    for value in ("hunter2", "tok-123", "cw-1", CLIENT_SECRET, API_KEY):
        assert value not in out


def test_form_bodies_token_request_and_sf_envelope() -> None:
    token_form = f"grant_type=client_credentials&client_id=cid&client_secret={quote_plus(CLIENT_SECRET)}"
    assert redact_body(token_form, "application/x-www-form-urlencoded") == \
        f"grant_type=client_credentials&client_id=cid&client_secret={REDACTED}"
    sf = ("partnerID=P1&requestID=r-1&serviceCode=EXP_RECE_CREATE_ORDER&timestamp=1700000000000&msgData="
          + quote_plus(json.dumps({"orderId": "O-1", "password": "p"})) + "&msgDigest=abc%2Bdef%3D%3D")
    out = redact_body(sf.encode(), "application/x-www-form-urlencoded; charset=UTF-8")
    assert "msgDigest=[REDACTED]" in out
    assert "abc+def" not in out
    assert '"password":"[REDACTED]"' in out
    assert "partnerID=P1" in out
    assert '"orderId":"O-1"' in out


def test_soap_security_header() -> None:
    envelope = f"""<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/">
<soapenv:Header><wsse:Security><wsse:UsernameToken><wsse:Username>acme</wsse:Username>
<wsse:Password Type="...#PasswordText">{escape_xml(PASSWORD)}</wsse:Password>
<wsse:Nonce EncodingType="...#Base64Binary">bm9uY2U=</wsse:Nonce><wsu:Created>2025-01-01T00:00:00Z</wsu:Created>
</wsse:UsernameToken></wsse:Security></soapenv:Header><soapenv:Body><Account>123</Account>
<Note>{escape_xml(API_KEY)}</Note></soapenv:Body></soapenv:Envelope>"""
    out = redact_body(envelope, "text/xml; charset=utf-8", SECRETS)
    assert f'<wsse:Password Type="...#PasswordText">{REDACTED}</wsse:Password>' in out
    assert f'<wsse:Nonce EncodingType="...#Base64Binary">{REDACTED}</wsse:Nonce>' in out
    assert "<wsse:Username>acme</wsse:Username>" in out
    assert "<Account>123</Account>" in out
    assert "bm9uY2U=" not in out
    assert escape_xml(PASSWORD) not in out
    assert API_KEY not in out


def escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;")


def test_literal_secrets_in_every_encoding_truncation_and_binary() -> None:
    text = f"raw {PASSWORD} url {quote_plus(PASSWORD)} json {json.dumps(PASSWORD)}"
    out = redact_body(text, "text/plain", [PASSWORD])
    assert "ss/w" not in out
    assert "pa+ss" not in out
    assert "pa%20ss" not in out
    assert redact_body("x" * 50, "text/plain", limit=10) == "xxxxxxxxxx...[+40 chars]"
    assert redact_body(b"\xff\xd8\xff\xe0binary", "image/jpeg") == "<10 bytes binary>"
    assert redact_body(b"", None) == ""
    assert redact_body("{not json " + API_KEY, "application/json", [API_KEY]) == "{not json " + REDACTED


# -- through the executor: DEBUG logs and event hooks ---------------------------------------------

class TokenAuth(httpx.Auth):
    """Adds a bearer token and Basic-encoded credentials; exposes its token for redaction."""

    def __init__(self, secret: str) -> None:
        self._basic = base64.b64encode(f"cid:{secret}".encode()).decode()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {TOKEN}"
        request.headers["X-Basic"] = f"Basic {self._basic}"
        yield request

    def secrets(self) -> list[str]:
        return [TOKEN, self._basic]


def _login(turn: Turn) -> httpx.Request:
    key, password = turn.account.api_key.get_secret_value(), turn.account.password.get_secret_value()
    return httpx.Request("POST", turn.url("/login"), params={"apikey": key, "q": key},
                         data={"user": "acme", "password": password, "memo": password})


def _rate(turn: Turn) -> httpx.Request:
    key, secret = turn.account.api_key.get_secret_value(), turn.account.client_secret.get_secret_value()
    return httpx.Request("POST", turn.url("/rate"), headers={"X-API-Key": key, "X-Echo": secret},
                         json={"client_secret": secret, "remark": f"k={key}", "weight": "1"})


#: Puts its secrets everywhere a careless carrier API would: headers, query, form, JSON.
VaultCarrier = fake_carrier(
    "vault", account={"api_key": SecretStr, "password": SecretStr, "client_secret": SecretStr},
    hosts={"production": "https://vault.test"},
    auth=lambda carrier: TokenAuth(carrier.account.client_secret.get_secret_value()),
    rate=[Exchange(_login, raise_for_status, operation="rate_login"),
          Exchange(_rate, checked(lambda turn, response: [fake_quote(turn, "5", service_name="Std")]))])


@pytest.fixture(autouse=True)
def vault_registered() -> Iterator[None]:
    with registered(VaultCarrier):
        yield


CONFIG = {"vault": {"api_key": API_KEY, "password": PASSWORD, "client_secret": CLIENT_SECRET}}


class TickingClock:
    """A monotonic clock that only moves when the fake carrier takes time to answer."""

    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


#: Seconds the fake carrier "takes" per answer, in order: login, rate (503), rate again. Binary
#: fractions, so each attempt's elapsed time is exact.
ANSWER_TIMES = [0.25, 0.5, 0.75]


def echo_with_a_hiccup(clock: TickingClock | None = None) -> httpx.MockTransport:
    """Echoes every secret back (as careless carriers do), after one 503 on the rate call. With a
    ``clock``, each answer moves it on by the next of :data:`ANSWER_TIMES`."""
    hiccup = iter([True])
    durations = iter(ANSWER_TIMES)

    def handle(request: httpx.Request) -> httpx.Response:
        if clock is not None:
            clock.now += next(durations)
        if request.url.path == "/rate" and next(hiccup, False):
            return httpx.Response(503, headers={"Retry-After": "0"}, json={"message": f"busy {API_KEY}"})
        return httpx.Response(200, headers={"Set-Cookie": f"sid={TOKEN}", "X-Echo": CLIENT_SECRET},
                              json={"access_token": TOKEN, "echo": request.content.decode(),
                                    "url": str(request.url), "auth": request.headers["authorization"]})
    return httpx.MockTransport(handle)


def assert_clean(text: str) -> None:
    for secret in [*SECRETS, quote_plus(PASSWORD), quote_plus(API_KEY), json.dumps(PASSWORD)[1:-1],
                   base64.b64encode(f"cid:{CLIENT_SECRET}".encode()).decode()]:
        assert secret not in text, secret


def test_debug_logs_and_hooks_never_show_a_secret(caplog: pytest.LogCaptureFixture) -> None:
    views: list[View] = []
    caplog.set_level(logging.DEBUG, logger="carriergate")
    clock = TickingClock()
    with cg.Gateway(CONFIG, transport=echo_with_a_hiccup(clock), sleep=no_sleep, clock=clock,
                    retry_policy=RetryPolicy(jitter=None),
                    event_hooks={"request": [views.append], "response": [views.append]}) as gw:
        quotes = gw.carrier("vault").rate(domestic_request())
    assert quotes[0].carrier == "vault"
    attempts = [r.getMessage() for r in caplog.records if r.name == "carriergate.executor"]
    assert len(attempts) == 3  # login, rate (503), rate again
    assert "vault rate attempt 2: POST https://vault.test/rate -> 200" in attempts[2]
    assert "-> 503" in attempts[1]
    assert "vault rate_login attempt 1: POST" in attempts[0]
    assert "q=[REDACTED]" in attempts[0]
    assert "password=[REDACTED]" in attempts[0]
    assert "user=acme" in attempts[0]
    assert '"client_secret":"[REDACTED]"' in attempts[2]
    assert '"weight":"1"' in attempts[2]
    assert_clean(caplog.text)

    assert [(v.operation, v.attempt, v.status) for v in views] == [
        ("rate_login", 1, None), ("rate_login", 1, 200), ("rate", 1, None), ("rate", 1, 503),
        ("rate", 2, None), ("rate", 2, 200)]
    done = views[-1]
    assert (done.carrier, done.method, done.url) == ("vault", "POST", "https://vault.test/rate")
    # each attempt's elapsed time is exactly what the carrier took (measured on the injected clock)
    assert [v.elapsed for v in views if v.status is not None] == ANSWER_TIMES
    assert done.headers["set-cookie"] == REDACTED
    assert done.headers["x-echo"] == REDACTED
    assert views[2].headers["x-api-key"] == REDACTED
    assert_clean(repr(views))
    with pytest.raises(AttributeError):
        done.status = 500  # type: ignore[misc]


def test_async_hooks_may_be_coroutines_and_errors_are_redacted_views() -> None:
    views: list[View] = []

    async def collect(view: View) -> None:
        views.append(view)

    def broken(view: View) -> None:
        raise RuntimeError("observer bug")

    async def go() -> None:
        transport = httpx.MockTransport(lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused")))
        async with cg.AsyncGateway(CONFIG, transport=transport, sleep=no_asleep,
                                   event_hooks={"response": [broken, collect]}) as gw:
            with pytest.raises(cg.CarrierUnavailable):
                await gw.carrier("vault").rate(domestic_request())

    asyncio.run(go())
    assert [(v.attempt, v.status, v.error) for v in views] == [(1, None, "connect"), (2, None, "connect"),
                                                               (3, None, "connect")]
    assert "apikey=[REDACTED]" in views[0].url
    assert_clean(repr(views))


def test_unknown_hook_names_are_refused() -> None:
    with pytest.raises(cg.ConfigurationError, match="unknown event hook"):
        EventHooks({"requests": [print]})
    assert not EventHooks()
    assert EventHooks({"response": [print]})


def test_errors_never_carry_secrets() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(500, json={"message": "x"}))
    with cg.Gateway(CONFIG, transport=transport, sleep=lambda s: None) as gw, \
            pytest.raises(cg.CarrierUnavailable) as info:
        gw.carrier("vault").rate(domestic_request())
    assert_clean(str(info.value) + repr(info.value))
