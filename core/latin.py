"""Whether text is in Latin script, for carriers whose labels and customs papers take nothing else.

"Latin script" here is what those carriers' systems take: ASCII, the Latin-1 supplement and the
Latin extensions (``é``, ``ß``, ``ł``, ``ğ``), combining accents, and common punctuation. Text is
first NFKC-normalised, so full-width forms (``１２号``'s digits, ``，``) count as their ASCII selves.
The address- and customs-level rules built on it are in :mod:`carriergate.core.scripts`.
"""

from __future__ import annotations

import unicodedata

#: Code point ranges (inclusive) accepted as Latin script or script-neutral punctuation.
_LATIN_RANGES = (
    (0x0020, 0x007E),  # Basic Latin (printable)
    (0x00A0, 0x024F),  # Latin-1 Supplement, Latin Extended-A and -B
    (0x0250, 0x02FF),  # IPA extensions, spacing modifier letters
    (0x0300, 0x036F),  # combining diacritical marks
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
    (0x2000, 0x206F),  # general punctuation (dashes, quotes)
    (0x20A0, 0x20CF),  # currency symbols
    (0x2C60, 0x2C7F),  # Latin Extended-C
    (0xA720, 0xA7FF),  # Latin Extended-D
)


def _is_latin_char(ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in _LATIN_RANGES)


def latin_text(text: str) -> str | None:
    """``text`` NFKC-normalised when all of it is Latin script, else None."""
    normal = unicodedata.normalize("NFKC", text)
    return normal if all(_is_latin_char(ch) for ch in normal) else None


def is_latin(text: str) -> bool:
    return latin_text(text) is not None


def check_latin(value: str) -> str:
    """A field validator's check for the romanised fields themselves."""
    normal = latin_text(value)
    if normal is None:
        raise ValueError("must be in Latin script (a romanised spelling)")
    return normal


__all__ = ["check_latin", "is_latin", "latin_text"]
