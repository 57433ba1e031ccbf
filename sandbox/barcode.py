"""Code 128 (code set B) for the sandbox's labels: the bars a scanner reads back as the tracking number.

Every label document the emulators make (:mod:`.documents`) draws these bars: as filled rectangles
in a PDF, as black pixel columns in a GIF or PNG. ZPL and EPL printers draw their own from the
``^BC`` / ``B...,1,...`` command, so those formats only name the data.

A symbol is six alternating bar/space widths in modules (11 modules; the stop symbol has a seventh,
the 2-module termination bar). The check symbol is (start + sum of position x value) mod 103.
"""

from __future__ import annotations

#: Bar/space widths of the symbol values 0-106 (ISO/IEC 15417); 103-105 are START A/B/C, 106 STOP.
PATTERNS = (
    "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
    "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
    "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
    "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
    "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
    "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311", "332111",
    "314111", "221411", "431111", "111224", "111422", "121124", "121421", "141122", "141221", "112214",
    "112412", "122114", "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111",
    "111242", "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
    "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311", "113141",
    "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
)  # fmt: skip
START_B = 104
STOP = 106
#: Quiet zone each side of the symbol, in modules (the standard asks for at least ten).
QUIET = 10


def printable(data: str) -> str:
    """``data`` reduced to what code set B encodes (ASCII 32-126); anything else becomes ``?``."""
    return "".join(c if 32 <= ord(c) <= 126 else "?" for c in data)


def symbols(data: str) -> list[int]:
    """The symbol values of ``data`` in code set B: START B, the characters, the check, STOP."""
    values = [ord(c) - 32 for c in printable(data)]
    check = (START_B + sum(i * v for i, v in enumerate(values, start=1))) % 103
    return [START_B, *values, check, STOP]


def widths(data: str) -> list[int]:
    """Alternating bar and space widths in modules, starting and ending with a bar."""
    return [int(w) for value in symbols(data) for w in PATTERNS[value]]


def modules(data: str) -> list[bool]:
    """One entry per module (True: bar), the quiet zones included: the raster of one scan line."""
    line = [False] * QUIET
    for i, width in enumerate(widths(data)):
        line += [i % 2 == 0] * width
    return line + [False] * QUIET


def bars(data: str) -> list[tuple[int, int]]:
    """(start module, width) of every bar, counted from the left edge of the quiet zone."""
    out, x = [], QUIET
    for i, width in enumerate(widths(data)):
        if i % 2 == 0:
            out.append((x, width))
        x += width
    return out


__all__ = ["PATTERNS", "QUIET", "START_B", "STOP", "bars", "modules", "printable", "symbols", "widths"]
