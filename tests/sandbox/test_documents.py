"""The sandbox's label documents are real: a PDF a PDF reader opens (one page, the tracking number as
text, Code 128 bars that decode back to it), ZPL and EPL a printer accepts, a GIF89a whose LZW image
decodes to the same barcode as the PNG (read with zlib alone). The GIF decoder here is written from
the GIF89a specification and first proven on a GIF another encoder made."""

from __future__ import annotations

import base64
import io
import re
import struct
import zlib

import pypdf
import pytest

from carriergate.sandbox import barcode, documents

TRACKING = "1ZSBX1236500000001"
CONTENT = documents.Content("UPS", TRACKING, "UPS Worldwide Saver", ("Ref: ORDER-1 (web)", "To: Li Lei, 上海"))
#: A 1x1 GIF made by another encoder (the widely used transparent pixel).
FOREIGN_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


# -- independent readers ----------------------------------------------------------------------------


def lzw_decode(data: bytes, min_size: int, *, strict: bool = True) -> list[int]:
    """GIF LZW as the specification describes the decoder (variable width, clear and end codes).
    Not ``strict``: data that ends before the end code is accepted, as decoders do (the widely used
    1x1 GIF omits it); ours must carry it."""
    clear, end = 1 << min_size, (1 << min_size) + 1
    initial = [[i] for i in range(clear)] + [[], []]
    table, size, previous = [list(t) for t in initial], min_size + 1, None
    out: list[int] = []
    value, bits, position = 0, 0, 0
    while True:
        while bits < size:
            if position >= len(data):
                assert not strict, "LZW data ended without the end code"
                return out
            value |= data[position] << bits
            position += 1
            bits += 8
        code, value, bits = value & ((1 << size) - 1), value >> size, bits - size
        if code == clear:
            table, size, previous = [list(t) for t in initial], min_size + 1, None
            continue
        if code == end:
            return out
        if previous is None:
            entry = table[code]
        elif code < len(table):
            entry = table[code]
            if len(table) < 4096:
                table.append(previous + entry[:1])
        else:
            assert code == len(table), f"code {code} beyond the table ({len(table)})"
            entry = previous + previous[:1]
            table.append(entry)
        out += entry
        previous = entry
        if len(table) == (1 << size) and size < 12:
            size += 1


def read_gif(data: bytes, *, strict: bool = True) -> tuple[int, int, list[int]]:
    """(width, height, palette indices) of a one-image GIF89a; asserts its structure."""
    assert data[:6] == b"GIF89a"
    width, height, flags = struct.unpack("<HHB", data[6:11])
    at = 13 + (3 * 2 ** ((flags & 7) + 1) if flags & 0x80 else 0)
    while data[at] == 0x21:  # extensions: label, then sub-blocks
        at += 2
        while data[at]:
            at += data[at] + 1
        at += 1
    assert data[at] == 0x2C, "an image descriptor"
    _, _, w, h, image_flags = struct.unpack("<HHHHB", data[at + 1:at + 10])
    assert (w, h) == (width, height)
    assert not image_flags & 0x80
    min_size, at = data[at + 10], at + 11
    stream = bytearray()
    while data[at]:
        stream += data[at + 1:at + 1 + data[at]]
        at += data[at] + 1
    assert data[at + 1:] == b";", "the trailer ends the file"
    pixels = lzw_decode(bytes(stream), min_size, strict=strict)
    assert len(pixels) == width * height
    return width, height, pixels


def read_png(data: bytes) -> tuple[int, int, list[int]]:
    """(width, height, 1 for black) of an 8-bit greyscale PNG with filter 0 rows, CRCs checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at, idat, header = 8, b"", b""
    while at < len(data):
        (length,), kind = struct.unpack(">I", data[at:at + 4]), data[at + 4:at + 8]
        body = data[at + 8:at + 8 + length]
        assert struct.unpack(">I", data[at + 8 + length:at + 12 + length])[0] == zlib.crc32(kind + body)
        header, idat = (body, idat) if kind == b"IHDR" else (header, idat + body if kind == b"IDAT" else idat)
        at += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert (depth, colour) == (8, 0)
    raw = zlib.decompress(idat)
    rows = [raw[i * (width + 1):(i + 1) * (width + 1)] for i in range(height)]
    assert all(row[0] == 0 for row in rows)
    return width, height, [1 if b < 128 else 0 for row in rows for b in row[1:]]


def decode_code128(widths: list[int]) -> str:
    """The text of code set B bar/space widths; asserts start, check symbol and stop."""
    lookup = {pattern: value for value, pattern in enumerate(barcode.PATTERNS)}
    assert "".join(map(str, widths[-7:])) == barcode.PATTERNS[barcode.STOP]
    values = [lookup["".join(map(str, widths[i:i + 6]))] for i in range(0, len(widths) - 7, 6)]
    assert values[0] == barcode.START_B
    *data, check = values[1:]
    assert check == (barcode.START_B + sum(i * v for i, v in enumerate(data, start=1))) % 103
    return "".join(chr(v + 32) for v in data)


def runs(line: list[int]) -> list[int]:
    """Run lengths of a pixel row from its first black pixel to its last."""
    first, last = line.index(1), len(line) - line[::-1].index(1)
    out, previous = [], None
    for pixel in line[first:last]:
        if pixel == previous:
            out[-1] += 1
        else:
            out.append(1)
            previous = pixel
    return out


# -- the documents ----------------------------------------------------------------------------------


def test_the_foreign_gif_decodes_so_the_decoder_is_sound() -> None:
    assert read_gif(FOREIGN_GIF, strict=False) == (1, 1, [0])


def test_the_code_128_table_is_self_consistent() -> None:
    assert len(set(barcode.PATTERNS)) == 107
    assert all(sum(map(int, p)) == 11 and sum(map(int, p[::2])) % 2 == 0 for p in barcode.PATTERNS[:106])
    assert sum(map(int, barcode.PATTERNS[barcode.STOP])) == 13


def test_the_pdf_label_opens_as_one_page_with_the_tracking_number_and_its_barcode() -> None:
    data = documents.pdf_label(CONTENT)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert TRACKING in text
    assert "UPS Worldwide Saver" in text
    assert "Ref: ORDER-1 (web)" in text  # brackets escaped, the line intact
    stream = reader.pages[0].get_contents()
    assert stream is not None
    rectangles = [tuple(map(float, m)) for m in
                  re.findall(rb"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re f", stream.get_data())]
    assert len(rectangles) == len(barcode.bars(TRACKING))
    module = min(r[2] for r in rectangles)
    edges = [(r[0], r[0] + r[2]) for r in rectangles]
    widths: list[int] = []
    for i, (left, right) in enumerate(edges):
        if i:
            widths.append(round((left - edges[i - 1][1]) / module))
        widths.append(round((right - left) / module))
    assert decode_code128(widths) == TRACKING


def test_the_gif_is_a_gif89a_of_the_same_barcode_as_the_png() -> None:
    line = barcode.modules(TRACKING)
    width, height, pixels = read_gif(documents.gif(line))
    assert (width, height) == (len(line) * documents.RASTER_SCALE, documents.RASTER_HEIGHT)
    assert read_png(documents.png(line)) == (width, height, pixels)
    first_row = pixels[:width]
    scan = [w // documents.RASTER_SCALE for w in runs(first_row)]
    assert decode_code128(scan) == TRACKING
    assert all(pixels[r * width:(r + 1) * width] == first_row for r in range(height))


def test_a_long_gif_resets_its_lzw_table_and_still_decodes() -> None:
    line = [i % 7 < 3 or i % 11 == 0 for i in range(4000)]
    _, _, pixels = read_gif(documents.gif(line))
    assert pixels[:8000:2] == [1 if bar else 0 for bar in line]


def test_zpl_is_one_label_with_a_code_128_of_the_tracking_number() -> None:
    text = documents.zpl(CONTENT).decode("ascii")
    assert text.startswith("^XA")
    assert text.rstrip().endswith("^XZ")
    assert text.count("^XA") == text.count("^XZ") == 1
    assert re.search(r"\^BCN,\d+,Y,N,N\^FD" + TRACKING + r"\^FS", text)
    commands = re.findall(r"\^([A-Z0-9@]{2})", text)
    assert set(commands) <= {"XA", "PW", "LL", "CI", "FO", "A0", "FD", "FS", "BY", "BC", "XZ"}
    for field in re.findall(r"\^FD(.*?)\^FS", text):
        assert "~" not in field
        assert "^" not in field


def test_epl_draws_a_code_128_barcode_and_prints_once() -> None:
    rows = documents.epl(CONTENT).decode("ascii").splitlines()
    assert rows[1] == "N"
    assert rows[-1] == "P1"
    assert f'B60,760,0,1,3,6,240,B,"{TRACKING}"' in rows
    assert all(row.count('"') in (0, 2) for row in rows)


@pytest.mark.parametrize(("image", "magic"), [("PDF", b"%PDF-1.4"), ("ZPL", b"^XA"), ("ZPLII", b"^XA"),
                                              ("ZPL2", b"^XA"), ("EPL", b"\nN\n"), ("EPL2", b"\nN\n"),
                                              ("LP2", b"\nN\n"), ("GIF", b"GIF89a"), ("PNG", b"\x89PNG")])
def test_every_carrier_name_of_a_format_is_written(image: str, magic: bytes) -> None:
    assert documents.label(image, CONTENT).startswith(magic)


def test_a_text_document_opens_too() -> None:
    reader = pypdf.PdfReader(io.BytesIO(documents.pdf_document("Commercial invoice", ["Waybill 9100000001"])),
                             strict=True)
    assert len(reader.pages) == 1
    assert "Waybill 9100000001" in reader.pages[0].extract_text()
