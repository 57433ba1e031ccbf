"""The safe XML parser refuses entity expansion, external entities and DTDs, in plain XML and in SOAP
replies, and reads no local file while doing so."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from lxml import etree

import carriergate as cg
from carriergate.protocols.xml_safety import _parser, parse_untrusted

from support.dhl_samples import first_call, international_rate, make_carrier

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
]>
<lolz>&lol9;</lolz>"""


def xxe(path: Path) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE data [<!ENTITY secret SYSTEM "file://{path}">]>\n'
            "<data>&secret;</data>").encode()


def soap_with(doctype: bytes, payload: bytes) -> bytes:
    return (b'<?xml version="1.0"?>\n' + doctype + b"\n"
            b'<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
            b'<r:RateResponse xmlns:r="http://scxgxtt.phx-dc.dhl.com/euExpressRateBook/RateMsgResponse">'
            b'<Provider><Notification code="0"><Message>' + payload + b"</Message></Notification></Provider>"
            b"</r:RateResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>")


def test_well_formed_xml_parses() -> None:
    root = parse_untrusted(b"<a><b>1</b></a>")
    assert root.findtext("b") == "1"


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(cg.MalformedResponse) as caught:
        parse_untrusted(BILLION_LAUGHS, carrier="dhl_express")
    assert caught.value.code == "unsafe_xml"
    assert caught.value.carrier == "dhl_express"


def test_external_entity_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    with pytest.raises(cg.MalformedResponse) as caught:
        parse_untrusted(xxe(secret))
    assert caught.value.code == "unsafe_xml"
    assert "TOP-SECRET" not in str(caught.value)


def test_parser_itself_never_resolves_an_external_entity(tmp_path: Path) -> None:
    """Defence in depth: even past the DOCTYPE refusal, the parser reads no file."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    root = etree.fromstring(xxe(secret), parser=_parser())
    assert b"TOP-SECRET" not in etree.tostring(root)
    assert not any("TOP-SECRET" in str(text) for text in root.itertext())


def test_etc_passwd_entity_is_refused() -> None:
    with pytest.raises(cg.MalformedResponse):
        parse_untrusted(xxe(Path("/etc/passwd")))


def test_utf16_doctype_is_refused() -> None:
    with pytest.raises(cg.MalformedResponse):
        parse_untrusted(BILLION_LAUGHS.replace(b'<?xml version="1.0"?>', b'<?xml version="1.0" encoding="UTF-16"?>')
                        .decode().encode("utf-16"))


def test_doctype_without_entities_is_refused() -> None:
    with pytest.raises(cg.MalformedResponse):
        parse_untrusted(b'<!DOCTYPE html SYSTEM "http://example.invalid/x.dtd"><html/>')


@pytest.mark.parametrize("data", [b"", b"   ", b"<a>", b"\x00\x01", b"<a></b>"])
def test_not_xml_is_malformed(data: bytes) -> None:
    with pytest.raises(cg.MalformedResponse) as caught:
        parse_untrusted(data)
    assert caught.value.code == "malformed"


def test_billion_laughs_in_a_soap_reply_is_refused_before_zeep() -> None:
    doctype = BILLION_LAUGHS.split(b"\n<lolz>")[0].split(b"?>\n", 1)[1]
    call = first_call(make_carrier().rate(international_rate()))
    with pytest.raises(cg.MalformedResponse) as caught:
        call.parse(httpx.Response(200, content=soap_with(doctype, b"&lol9;")))
    assert caught.value.code == "unsafe_xml"


def test_external_entity_in_a_soap_reply_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:TOP-SECRET")
    doctype = f'<!DOCTYPE SOAP-ENV:Envelope [<!ENTITY secret SYSTEM "file://{secret}">]>'.encode()
    call = first_call(make_carrier().rate(international_rate()))
    for status in (200, 500):
        with pytest.raises(cg.MalformedResponse) as caught:
            call.parse(httpx.Response(status, content=soap_with(doctype, b"&secret;")))
        assert caught.value.code == "unsafe_xml"
        assert "TOP-SECRET" not in str(caught.value)
