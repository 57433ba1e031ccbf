"""WS-Security UsernameToken (OASIS Username Token Profile 1.0) inserted into a SOAP envelope.

:class:`WSSecurityAuth` rewrites the outgoing request body on every attempt: it parses the SOAP
envelope safely (no DTDs, no entity expansion, no network), removes any ``wsse:Security`` a previous
attempt left, adds a fresh one (creating ``soap:Header`` when missing) and re-serialises the body.
With ``digest=True`` the password is sent as ``PasswordDigest = base64(sha1(nonce + created +
password))`` together with the base64 ``Nonce`` and ``wsu:Created``; otherwise as ``PasswordText``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
import uuid
from collections.abc import Callable, Generator

import httpx
import pydantic
from lxml import etree

from carriergate.core.errors import CarrierError

logger = logging.getLogger("carriergate.auth")

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
WSSE_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU_NS = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
_PROFILE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0"
PASSWORD_TEXT = f"{_PROFILE}#PasswordText"
PASSWORD_DIGEST = f"{_PROFILE}#PasswordDigest"
BASE64_BINARY = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary"


def password_digest(nonce: bytes, created: str, password: str) -> str:
    """``base64(sha1(nonce + created + password))`` with the raw (not base64) nonce."""
    digest = hashlib.sha1(nonce + created.encode("utf-8") + password.encode("utf-8")).digest()  # noqa: S324
    return base64.b64encode(digest).decode("ascii")


def created_timestamp(epoch: float) -> str:
    """UTC ``xsd:dateTime`` with milliseconds, e.g. ``2024-05-01T08:30:00.000Z``."""
    millis = round(epoch * 1000)
    seconds, ms = divmod(millis, 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{ms:03d}Z"


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False)


def _envelope_error(reason: str) -> CarrierError:
    return CarrierError(f"cannot add WS-Security: {reason}", code="wsse_envelope")


def parse_envelope(body: bytes) -> etree._Element:
    """The SOAP envelope of ``body``, refusing DTDs and anything that is not a SOAP envelope."""
    try:
        root = etree.fromstring(body, _safe_parser())
    except etree.XMLSyntaxError:
        raise _envelope_error("the request body is not well-formed XML") from None
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _envelope_error("the request body declares a DTD")
    if etree.QName(root).text not in (f"{{{SOAP11_NS}}}Envelope", f"{{{SOAP12_NS}}}Envelope"):
        raise _envelope_error("the request body is not a SOAP envelope")
    return root


class WSSecurityAuth(httpx.Auth):
    """Adds a ``wsse:Security`` UsernameToken header to each SOAP request, afresh per attempt."""

    requires_request_body = True

    def __init__(
        self,
        username: str,
        password: pydantic.SecretStr,
        digest: bool = False,
        clock: Callable[[], float] = time.time,
        nonce_factory: Callable[[], bytes] = lambda: os.urandom(16),
        *,
        must_understand: bool = False,
        token_id_factory: Callable[[], str] = lambda: f"UsernameToken-{uuid.uuid4().hex}",
    ) -> None:
        self.username = username
        self._password = password
        self.digest = digest
        self.clock = clock
        self.nonce_factory = nonce_factory
        self.must_understand = must_understand
        self.token_id_factory = token_id_factory

    def __repr__(self) -> str:
        return f"WSSecurityAuth(username={self.username!r}, digest={self.digest!r})"

    def secrets(self) -> list[str]:
        """Values to redact from logs and traces."""
        return [s for s in (self._password.get_secret_value(),) if s]

    def security_element(self, soap_ns: str) -> etree._Element:
        """A fresh ``wsse:Security`` element (new nonce and timestamp each call)."""
        security = etree.Element(f"{{{WSSE_NS}}}Security", nsmap={"wsse": WSSE_NS, "wsu": WSU_NS})
        if self.must_understand:
            security.set(f"{{{soap_ns}}}mustUnderstand", "1" if soap_ns == SOAP11_NS else "true")
        token = etree.SubElement(security, f"{{{WSSE_NS}}}UsernameToken")
        token.set(f"{{{WSU_NS}}}Id", self.token_id_factory())
        etree.SubElement(token, f"{{{WSSE_NS}}}Username").text = self.username
        password = etree.SubElement(token, f"{{{WSSE_NS}}}Password")
        secret = self._password.get_secret_value()
        if self.digest:
            nonce = self.nonce_factory()
            created = created_timestamp(self.clock())
            password.set("Type", PASSWORD_DIGEST)
            password.text = password_digest(nonce, created, secret)
            nonce_element = etree.SubElement(token, f"{{{WSSE_NS}}}Nonce")
            nonce_element.set("EncodingType", BASE64_BINARY)
            nonce_element.text = base64.b64encode(nonce).decode("ascii")
            etree.SubElement(token, f"{{{WSU_NS}}}Created").text = created
        else:
            password.set("Type", PASSWORD_TEXT)
            password.text = secret
        return security

    def sign_envelope(self, body: bytes) -> bytes:
        """``body`` with exactly one fresh ``wsse:Security`` in its SOAP header."""
        root = parse_envelope(body)
        soap_ns = etree.QName(root).namespace or SOAP11_NS
        header = root.find(f"{{{soap_ns}}}Header")
        if header is None:
            header = etree.SubElement(root, f"{{{soap_ns}}}Header")
            root.insert(0, header)  # the Header must come before the Body
        for old in header.findall(f"{{{WSSE_NS}}}Security"):
            header.remove(old)
        header.insert(0, self.security_element(soap_ns))
        return bytes(etree.tostring(root.getroottree(), xml_declaration=True, encoding="utf-8"))

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        content = self.sign_envelope(request.content)
        headers = httpx.Headers(request.headers)
        headers.pop("content-length", None)
        logger.debug("wsse: UsernameToken (%s) added to %s", "digest" if self.digest else "text", request.url.path)
        yield httpx.Request(request.method, request.url, headers=headers, content=content,
                            extensions=dict(request.extensions))
