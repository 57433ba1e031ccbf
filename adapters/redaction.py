"""Redaction of secrets from what carriergate logs or hands to event hooks.

Two layers, then truncation: by *name* (headers, query keys, form fields, JSON keys, XML
elements whose name says "secret", "password", "token", "signature"...), then every *literal* secret
value of the carrier account (``Carrier.secrets()``), raw and in its URL- and JSON-encoded forms,
anywhere in the text; bodies are truncated last. All functions are pure and never raise on odd input.

Public API: :func:`is_sensitive`, :func:`redact_headers`, :func:`redact_url`, :func:`redact_body`,
:func:`redact_text`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit
from xml.sax.saxutils import escape

REDACTED = "[REDACTED]"
DEFAULT_BODY_LIMIT = 2048

#: Header names that always carry credentials.
SENSITIVE_HEADERS = frozenset({
    "authorization", "proxy-authorization", "x-api-key", "api-key", "apikey", "cookie", "set-cookie",
    "x-auth-token", "x-payment-authorization-token",
})
#: A key (normalised: lower case, letters and digits only) containing any of these is sensitive.
_SENSITIVE_PARTS = (
    "secret", "password", "passwd", "passphrase", "token", "checkword", "digest", "signature", "apikey",
    "authorization", "credential", "cookie", "nonce", "privatekey", "accesslicensenumber",
)
#: A key equal to one of these (normalised) is sensitive (too short to match as a part).
_SENSITIVE_EXACT = frozenset({"sign", "pwd", "pass", "key", "auth", "sig", "otp", "pin"})

_NORMALISE = re.compile(r"[^a-z0-9]")
# An XML element with simple text content: <ns:Name attr="...">text</ns:Name>
_XML_ELEMENT = re.compile(
    r"<(?P<tag>(?:[\w.-]+:)?(?P<local>[\w.-]+))(?P<attrs>\s[^<>]*)?>(?P<text>[^<]*)</(?P=tag)\s*>")


def is_sensitive(key: str) -> bool:
    """Whether a header, query, form, JSON or XML name denotes a secret."""
    norm = _NORMALISE.sub("", key.lower())
    return norm in _SENSITIVE_EXACT or any(part in norm for part in _SENSITIVE_PARTS)


def _secret_forms(secrets: Iterable[str]) -> list[str]:
    """Each secret as it may appear in text: raw, URL-encoded and JSON-escaped; longest first."""
    forms: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        forms.update({secret, quote_plus(secret), quote(secret, safe=""), json.dumps(secret)[1:-1],
                      json.dumps(secret, ensure_ascii=False)[1:-1], escape(secret, {'"': "&quot;", "'": "&apos;"})})
    return sorted(forms, key=len, reverse=True)


def redact_text(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every literal secret value (and its encoded forms) replaced."""
    for form in _secret_forms(secrets):
        text = text.replace(form, REDACTED)
    return text


def redact_headers(headers: Mapping[str, str] | Iterable[tuple[str, str]],
                   secrets: Iterable[str] = ()) -> dict[str, str]:
    """A plain dict of the headers (names lower-cased) with credentials replaced."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    secrets = list(secrets)
    out: dict[str, str] = {}
    for name, value in items:
        key = name.lower()
        clean = REDACTED if key in SENSITIVE_HEADERS or is_sensitive(key) else redact_text(value, secrets)
        out[key] = f"{out[key]}, {clean}" if key in out else clean
    return out


def _redact_query(query: str, secrets: list[str]) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if is_sensitive(k) else redact_text(v, secrets)) for k, v in pairs], safe="[]")


def redact_url(url: object, secrets: Iterable[str] = ()) -> str:
    """The URL with user info dropped, sensitive query values replaced and literal secrets removed."""
    secrets = list(secrets)
    try:
        parts = urlsplit(str(url))
        netloc = parts.netloc.rpartition("@")[2]
        text = urlunsplit((parts.scheme, netloc, parts.path, _redact_query(parts.query, secrets), ""))
    except ValueError:
        text = str(url)
    return redact_text(text, secrets)


def _redact_json_value(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and is_sensitive(k) and v not in (None, "")
                else _redact_json_value(v, secrets) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_json_value(v, secrets) for v in value]
    if isinstance(value, str):
        if value[:1] in ("{", "["):  # JSON inside a string (SF's msgData)
            try:
                inner = json.loads(value)
            except ValueError:
                return redact_text(value, secrets)
            return json.dumps(_redact_json_value(inner, secrets), ensure_ascii=False, separators=(",", ":"))
        return redact_text(value, secrets)
    return value


def _redact_json(text: str, secrets: list[str]) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return json.dumps(_redact_json_value(data, secrets), ensure_ascii=False, separators=(",", ":"))


def _redact_form(text: str, secrets: list[str]) -> str:
    """Rendered decoded (``k=v&k2=v2``) for reading; sensitive fields replaced."""
    pairs = parse_qsl(text, keep_blank_values=True)
    return "&".join(f"{k}={REDACTED if is_sensitive(k) else _redact_json_value(v, secrets)}" for k, v in pairs)


def _redact_xml(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        if not is_sensitive(match["local"]) or not match["text"]:
            return match[0]
        return f"<{match['tag']}{match['attrs'] or ''}>{REDACTED}</{match['tag']}>"
    return _XML_ELEMENT.sub(replace, text)


def _kind(content_type: str | None, text: str) -> str:
    ctype = (content_type or "").lower()
    head = text.lstrip()[:1]
    if "json" in ctype or (not ctype and head in ("{", "[")):
        return "json"
    if "x-www-form-urlencoded" in ctype:
        return "form"
    if "xml" in ctype or head == "<":
        return "xml"
    return "text"


def truncate(text: str, limit: int | None = DEFAULT_BODY_LIMIT) -> str:
    if limit is None or len(text) <= limit:
        return text
    return f"{text[:limit]}...[+{len(text) - limit} chars]"


def redact_body(content: bytes | str | None, content_type: str | None = None, secrets: Iterable[str] = (),
                *, limit: int | None = DEFAULT_BODY_LIMIT) -> str:
    """A printable, redacted and truncated rendering of a request or response body.

    JSON bodies have sensitive keys replaced (also inside JSON carried in strings), form bodies
    sensitive fields, XML (SOAP) bodies sensitive elements (``wsse:Password``, ``wsse:Nonce``...).
    Every literal secret is removed whatever the format; binary content is summarised, not shown.
    """
    if not content:
        return ""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(content)} bytes binary>"
    else:
        text = content
    secrets = list(secrets)
    kind = _kind(content_type, text)
    if kind == "json":
        text = _redact_json(text, secrets) or _redact_xml(text)
    elif kind == "form":
        text = _redact_form(text, secrets)
    elif kind == "xml":
        text = _redact_xml(text)
    return truncate(redact_text(text, secrets), limit)
