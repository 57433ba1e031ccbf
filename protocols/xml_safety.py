"""The one way carriergate reads XML it did not write: :func:`parse_untrusted`.

Carrier replies, SOAP envelopes received by the sandbox, anything from the network: all of it goes
through here before any other XML code (zeep included) sees it. The parser resolves no entity,
loads no DTD, touches no network and keeps libxml2's size limits; a document that declares a
DOCTYPE or an entity is refused outright, before and after parsing, so neither a billion-laughs
expansion nor an external entity (``file:///etc/passwd``) is ever processed.
"""

from __future__ import annotations

import re

from lxml import etree

from carriergate.core.errors import MalformedResponse

# A DOCTYPE or ENTITY declaration anywhere in the first bytes that matter. Checked on the raw bytes
# (ASCII-compatible encodings) and again on the parsed tree (any encoding).
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_UTF16_DECLARATION = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _parser() -> etree.XMLParser:
    # A fresh parser per document: lxml parsers are not safe to share between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, remove_comments=True, remove_pis=True)


_UNSAFE = "the document declares a DTD or entity"


def _refuse(reason: str, carrier: str | None, what: str, status: int | None) -> MalformedResponse:
    code = "unsafe_xml" if reason == _UNSAFE else "malformed"
    return MalformedResponse(f"{what} refused: {reason}", carrier=carrier, code=code, http_status=status)


def _declares_dtd(data: bytes) -> bool:
    if _DECLARATION.search(data):
        return True
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 with a byte-order mark
        try:
            return bool(_UTF16_DECLARATION.search(data.decode("utf-16")))
        except UnicodeDecodeError:
            return True
    return False


def parse_untrusted(data: bytes, *, carrier: str | None = None, what: str = "XML document",
                    http_status: int | None = None) -> etree._Element:
    """The root element of ``data``, or :class:`MalformedResponse` if it is not well-formed XML or
    declares a DTD or entity. ``what`` names the document in the error ("DHL Express reply")."""
    if not data or not data.strip():
        raise _refuse("the document is empty", carrier, what, http_status)
    if _declares_dtd(data):
        raise _refuse(_UNSAFE, carrier, what, http_status)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"not well-formed XML (line {exc.lineno})", carrier, what, http_status) from None
    docinfo = root.getroottree().docinfo
    if getattr(docinfo, "doctype", "") or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise _refuse(_UNSAFE, carrier, what, http_status)
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise _refuse(_UNSAFE, carrier, what, http_status)
    return root


__all__ = ["parse_untrusted"]
