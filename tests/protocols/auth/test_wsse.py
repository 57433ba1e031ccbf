"""WS-Security UsernameToken: text and digest vectors, header placement, fresh per attempt, safe parsing."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator

import httpx
import pytest
from lxml import etree
from pydantic import SecretStr

from carriergate.core.errors import CarrierError
from carriergate.protocols.auth.wsse import WSSecurityAuth

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
NS = {"soap": SOAP, "wsse": WSSE, "wsu": WSU}
URL = "https://wsbexpress.dhl.com/sndpt/expressRateBook"
PASSWORD = "P@ss-w0rd!Secret"
NONCE = bytes(range(16))
EPOCH = 1714550400.123  # 2024-05-01T08:00:00.123Z

NO_HEADER = (b'<?xml version="1.0" encoding="utf-8"?>'
             b'<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
             b'xmlns:rat="http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/RateMsgRequest">'
             b"<soapenv:Body><rat:RateRequest><ClientDetail/></rat:RateRequest></soapenv:Body></soapenv:Envelope>")
WITH_HEADER = (b'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
               b'<s:Header><x:Trace xmlns:x="urn:trace">abc</x:Trace></s:Header>'
               b"<s:Body><Ping/></s:Body></s:Envelope>")


def nonces() -> Iterator[bytes]:
    n = 0
    while True:
        yield NONCE if n == 0 else bytes([n]) * 16
        n += 1


def make(digest: bool) -> WSSecurityAuth:
    source = nonces()
    return WSSecurityAuth("dhl-user", SecretStr(PASSWORD), digest=digest, clock=lambda: EPOCH,
                          nonce_factory=lambda: next(source))


def sent(auth: WSSecurityAuth, body: bytes) -> tuple[httpx.Request, etree._Element]:
    captured: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        captured.append(request)
        return httpx.Response(200, content=b"<ok/>")

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        client.post(URL, content=body, headers={"SOAPAction": "euExpressRateBook_providerServices_getRateRequest",
                                                "Content-Type": "text/xml; charset=utf-8"}, auth=auth)
    (request,) = captured
    return request, etree.fromstring(request.content)


def test_password_text_in_an_envelope_without_header() -> None:
    request, root = sent(make(digest=False), NO_HEADER)
    assert [etree.QName(child).localname for child in root] == ["Header", "Body"]
    (token,) = root.findall("soap:Header/wsse:Security/wsse:UsernameToken", NS)
    assert token.findtext("wsse:Username", namespaces=NS) == "dhl-user"
    password = token.find("wsse:Password", NS)
    assert password is not None
    assert password.text == PASSWORD
    assert password.get("Type", "").endswith("#PasswordText")
    assert token.find("wsse:Nonce", NS) is None
    assert root.find("soap:Body/{*}RateRequest/ClientDetail", NS) is not None
    assert request.headers["content-length"] == str(len(request.content))
    assert request.headers["soapaction"] == "euExpressRateBook_providerServices_getRateRequest"


def test_password_digest_vector_in_an_envelope_with_header() -> None:
    _, root = sent(make(digest=True), WITH_HEADER)
    header = root.find("soap:Header", NS)
    assert header is not None
    assert [etree.QName(child).localname for child in header] == ["Security", "Trace"]
    assert len(root.findall("soap:Header", NS)) == 1
    token = header.find("wsse:Security/wsse:UsernameToken", NS)
    assert token is not None
    created = "2024-05-01T08:00:00.123Z"
    expected = base64.b64encode(hashlib.sha1(NONCE + created.encode() + PASSWORD.encode()).digest()).decode()  # noqa: S324
    password = token.find("wsse:Password", NS)
    assert password is not None
    assert password.text == expected
    assert password.get("Type", "").endswith("#PasswordDigest")
    nonce = token.find("wsse:Nonce", NS)
    assert nonce is not None
    assert nonce.text == base64.b64encode(NONCE).decode()
    assert nonce.get("EncodingType", "").endswith("#Base64Binary")
    assert token.findtext("wsu:Created", namespaces=NS) == created
    assert PASSWORD.encode() not in etree.tostring(root)


def test_every_attempt_gets_a_fresh_single_security_header() -> None:
    auth = make(digest=True)
    first = etree.fromstring(auth.sign_envelope(NO_HEADER))
    again = etree.fromstring(auth.sign_envelope(etree.tostring(first)))  # a replay of the signed body
    assert len(again.findall("soap:Header/wsse:Security", NS)) == 1
    nonce_1 = first.findtext("soap:Header/wsse:Security/wsse:UsernameToken/wsse:Nonce", namespaces=NS)
    nonce_2 = again.findtext("soap:Header/wsse:Security/wsse:UsernameToken/wsse:Nonce", namespaces=NS)
    assert nonce_1 == base64.b64encode(NONCE).decode()
    assert nonce_2 == base64.b64encode(bytes([1]) * 16).decode()


def test_must_understand_is_optional() -> None:
    auth = WSSecurityAuth("u", SecretStr("p"), must_understand=True)
    root = etree.fromstring(auth.sign_envelope(NO_HEADER))
    security = root.find("soap:Header/wsse:Security", NS)
    assert security is not None
    assert security.get(f"{{{SOAP}}}mustUnderstand") == "1"


@pytest.mark.parametrize(
    "body",
    [
        b'<!DOCTYPE e [<!ENTITY x "boom">]><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">'
        b"<s:Body>&x;</s:Body></s:Envelope>",
        b'<!DOCTYPE e SYSTEM "http://attacker.test/e.dtd"><s:Envelope '
        b'xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>',
        b"<NotAnEnvelope/>",
        b"not xml at all",
    ],
)
def test_unsafe_or_foreign_bodies_are_refused(body: bytes) -> None:
    with pytest.raises(CarrierError) as caught:
        make(digest=False).sign_envelope(body)
    assert caught.value.code == "wsse_envelope"


def test_repr_hides_the_password() -> None:
    auth = make(digest=True)
    assert PASSWORD not in repr(auth)
    assert PASSWORD not in str(auth)
