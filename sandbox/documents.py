"""Real label documents for every emulator: what a user of the sandbox can open, print and scan.

One module for all carriers, so every emulator's labels are the same kind of document: a one-page
4x6 inch PDF with the tracking number as text and as a Code 128 barcode drawn as filled rectangles
(written here, with the standard Helvetica font, so the sandbox needs no PDF library at run time);
ZPL II (``^XA`` ... ``^BC`` ... ``^XZ``) and EPL2 (``B...,1,...``) that a thermal printer renders
with its own barcode; a GIF89a and a PNG of the barcode raster. Carriers name the formats their own
way (FedEx ``ZPLII``/``EPL2``, DHL ``ZPL2``/``EPL2``/``LP2``); :func:`label` reads them all.

Text on a label is printable ASCII: Helvetica has no Chinese glyphs, so a character it cannot show
becomes ``?`` (a carrier needing Latin script refuses such input before it is sent anyway).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from carriergate.sandbox import barcode

#: A 4x6 inch label page, in PDF points.
PAGE_WIDTH, PAGE_HEIGHT = 288, 432
#: Pixels per barcode module and the barcode's height, in the GIF and PNG rasters.
RASTER_SCALE, RASTER_HEIGHT = 2, 120


@dataclass(frozen=True)
class Content:
    """What a label shows: the carrier's name, the tracking number (text and barcode), the service
    and a few more lines (reference, weight, from and to)."""

    carrier: str
    tracking: str
    service: str = ""
    lines: tuple[str, ...] = ()


def label(image: str, content: Content) -> bytes:
    """The label in ``image`` (the carrier's own name for the format; PDF when not one we write)."""
    kind = image.upper()
    if kind.startswith("ZPL"):
        return zpl(content)
    if kind.startswith("EPL") or kind == "LP2":
        return epl(content)
    if kind == "GIF":
        return gif(barcode.modules(content.tracking))
    if kind == "PNG":
        return png(barcode.modules(content.tracking))
    return pdf_label(content)


# -- PDF -----------------------------------------------------------------------------------------


def _pdf_text(text: str) -> str:
    safe = barcode.printable(text)
    return safe.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf(content_stream: bytes, *, width: int = PAGE_WIDTH, height: int = PAGE_HEIGHT) -> bytes:
    """A one-page PDF whose page draws ``content_stream`` with Helvetica as ``/F1`` and
    Helvetica-Bold as ``/F2``; the cross-reference table gives every object's exact offset."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
         "/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>").encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content_stream) + content_stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _text(x: float, y: float, size: int, text: str, *, bold: bool = False) -> str:
    return f"BT /{'F2' if bold else 'F1'} {size} Tf {x:g} {y:g} Td ({_pdf_text(text)}) Tj ET\n"


def pdf_label(content: Content) -> bytes:
    """The label page: carrier and service on top, the other lines, then the barcode with the
    tracking number printed under it."""
    ops = [_text(18, 396, 24, content.carrier, bold=True)]
    if content.service:
        ops.append(_text(18, 372, 12, content.service))
    y = 344.0
    for line in content.lines[:12]:
        ops.append(_text(18, y, 10, line))
        y -= 14
    module = 1.6
    total = (len(barcode.modules(content.tracking))) * module
    scale = min(1.0, (PAGE_WIDTH - 12) / total)  # a long number still fits the page
    left = (PAGE_WIDTH - total * scale) / 2
    ops.append("0 g\n")
    for start, width in barcode.bars(content.tracking):
        ops.append(f"{left + start * module * scale:.2f} 70 {width * module * scale:.2f} 90 re f\n")
    ops.append(_text(18, 48, 14, content.tracking, bold=True))
    return pdf("".join(ops).encode("ascii"))


def pdf_document(title: str, lines: Sequence[str] = ()) -> bytes:
    """A one-page text document (a commercial invoice, international forms) on a Letter page."""
    ops = [_text(48, 740, 18, title, bold=True)]
    for i, line in enumerate(lines[:48]):
        ops.append(_text(48, 712 - 14 * i, 10, line))
    return pdf("".join(ops).encode("ascii"), width=612, height=792)


# -- printer languages ------------------------------------------------------------------------------


def _printer_text(text: str, forbidden: str) -> str:
    return "".join(" " if c in forbidden else c for c in barcode.printable(text))


def _zpl_field(text: str) -> str:
    return _printer_text(text, "^~")  # ZPL's command prefixes would end the field


def _epl_field(text: str) -> str:
    return _printer_text(text, '"\\')  # EPL quotes its data


def zpl(content: Content) -> bytes:
    """A ZPL II label (203 dpi, 4x6 in): text fields and a Code 128 ``^BC`` of the tracking number."""
    rows = ["^XA", "^PW812", "^LL1218", "^CI0", f"^FO40,40^A0N,60,60^FD{_zpl_field(content.carrier)}^FS"]
    if content.service:
        rows.append(f"^FO40,120^A0N,34,34^FD{_zpl_field(content.service)}^FS")
    for i, line in enumerate(content.lines[:12]):
        rows.append(f"^FO40,{180 + 40 * i}^A0N,28,28^FD{_zpl_field(line)}^FS")
    rows += [f"^FO60,760^BY3^BCN,240,Y,N,N^FD{_zpl_field(content.tracking)}^FS", "^XZ"]
    return ("\n".join(rows) + "\n").encode("ascii")


def epl(content: Content) -> bytes:
    """An EPL2 label (203 dpi, 4x6 in): ASCII text and a Code 128 (type 1) barcode, printed once."""
    rows = ["", "N", "q812", "Q1218,24", f'A40,40,0,4,2,2,N,"{_epl_field(content.carrier)}"']
    if content.service:
        rows.append(f'A40,110,0,3,1,1,N,"{_epl_field(content.service)}"')
    for i, line in enumerate(content.lines[:12]):
        rows.append(f'A40,{160 + 36 * i},0,2,1,1,N,"{_epl_field(line)}"')
    rows += [f'B60,760,0,1,3,6,240,B,"{_epl_field(content.tracking)}"', "P1", ""]
    return "\n".join(rows).encode("ascii")


# -- rasters --------------------------------------------------------------------------------------


def _raster(line: Sequence[bool]) -> tuple[int, int, list[int]]:
    """(width, height, pixels row by row; 1 = black) of the barcode scan line drawn tall."""
    row = [1 if bar else 0 for bar in line for _ in range(RASTER_SCALE)]
    return len(row), RASTER_HEIGHT, row * RASTER_HEIGHT


def _lzw(pixels: Sequence[int], min_size: int) -> bytes:
    """GIF's variable-length LZW: codes LSB first; a code is written at the width the decoder will
    read it with (it adds each entry one code later than the encoder); cleared when the table is full."""
    clear, end = 1 << min_size, (1 << min_size) + 1
    out, acc, bits = bytearray(), 0, 0

    def put(code: int, width: int) -> None:
        nonlocal acc, bits
        acc |= code << bits
        bits += width
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8

    table: dict[tuple[int, int], int] = {}
    width, following = min_size + 1, end + 1
    put(clear, width)
    current = pixels[0]
    for pixel in pixels[1:]:
        found = table.get((current, pixel))
        if found is not None:
            current = found
            continue
        put(current, width)
        if following < 4096:
            table[(current, pixel)] = following
            following += 1
            if following > (1 << width) and width < 12:
                width += 1
        else:
            put(clear, width)
            table, width, following = {}, min_size + 1, end + 1
        current = pixel
    put(current, width)
    put(end, width)
    if bits:
        out.append(acc & 0xFF)
    return bytes(out)


def gif(line: Sequence[bool]) -> bytes:
    """A GIF89a of the barcode: a two-colour global palette (white, black), one LZW image."""
    width, height, pixels = _raster(line)
    data = _lzw(pixels, 2)
    blocks = b"".join(bytes([len(chunk)]) + chunk for chunk in (data[i:i + 255] for i in range(0, len(data), 255)))
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\xff\xff\xff\x00\x00\x00"
            + b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02" + blocks + b"\x00;")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(line: Sequence[bool]) -> bytes:
    """A PNG of the barcode: 8-bit greyscale, one zlib stream of filter-0 scanlines."""
    width, height, pixels = _raster(line)
    row = bytes(0 if p else 255 for p in pixels[:width])
    raw = (b"\x00" + row) * height
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 9)) + \
        _chunk(b"IEND", b"")


__all__ = ["Content", "epl", "gif", "label", "pdf", "pdf_document", "pdf_label", "png", "zpl"]
