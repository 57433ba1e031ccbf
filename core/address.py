"""Postal addresses, shaped so that Chinese addresses (province / city / district) fit as well."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator, model_validator

from carriergate.core.latin import check_latin
from carriergate.core.postal import normalise_postal_code
from carriergate.core.validation import FieldProblem, StrictModel

# Countries and territories whose postal system has no postal codes (ISO 3166 alpha-2).
NO_POSTAL_CODE = frozenset({
    "AE", "AG", "AN", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI",
    "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM", "KN",
    "KP", "LC", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR", "ST", "SY",
    "TD", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW",
})  # fmt: skip

_PHONE = re.compile(r"^\+?[0-9 ()\-.]{5,25}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@lru_cache(maxsize=512)
def is_country(code: str) -> bool:
    import pycountry  # loaded on first use: it costs tens of milliseconds at import

    return pycountry.countries.get(alpha_2=code) is not None


def country_code(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 3166 alpha-2 country code such as 'CN'")
    code = value.strip().upper()
    if len(code) != 2 or not is_country(code):
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 country code")
    return code


class AddressLatin(StrictModel):
    """The romanised spelling of an address's printed fields (``name="Li Lei", city="Shanghai"``),
    each in Latin script. Carriers that print labels only in Latin script (UPS, FedEx, DHL Express)
    use a field given here instead of its original; those that print Chinese (SF) ignore it. Street
    lines given here replace all the original lines."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    company: str | None = Field(default=None, max_length=100)
    street: list[str] | None = Field(default=None, min_length=1, max_length=3)
    district: str | None = None
    city: str | None = Field(default=None, min_length=1, max_length=100)
    state: str | None = None

    @field_validator("name", "company", "district", "city", "state")
    @classmethod
    def _latin(cls, value: str | None) -> str | None:
        return None if value is None else check_latin(value)

    @field_validator("street")
    @classmethod
    def _latin_lines(cls, lines: list[str] | None) -> list[str] | None:
        if lines is None:
            return None
        out = []
        for i, line in enumerate(lines):
            if not line.strip():
                raise FieldProblem(f"[{i}]", "street lines must not be empty")
            try:
                out.append(check_latin(line))
            except ValueError as exc:
                raise FieldProblem(f"[{i}]", str(exc)) from None
        return out


class Address(StrictModel):
    """A party's address. ``state`` holds the province, state or prefecture; ``district`` the
    Chinese 区/县 or a neighbourhood; ``street`` one to three lines. ``latin`` holds romanised
    spellings for carriers that print only Latin script (see :class:`AddressLatin`)."""

    name: str = Field(min_length=1, max_length=100)
    company: str | None = Field(default=None, max_length=100)
    street: list[str] = Field(min_length=1, max_length=3)
    district: str | None = None
    city: str = Field(min_length=1, max_length=100)
    state: str | None = None
    postal_code: str | None = None
    country: str
    phone: str | None = None
    email: str | None = None
    residential: bool = False
    tax_id: str | None = None
    latin: AddressLatin | None = None

    _country = field_validator("country", mode="before")(lambda v: country_code(v))

    @field_validator("street")
    @classmethod
    def _lines(cls, lines: list[str]) -> list[str]:
        for i, line in enumerate(lines):
            if not line.strip():
                raise FieldProblem(f"[{i}]", "street lines must not be empty")
            if len(line) > 200:
                raise FieldProblem(f"[{i}]", "street line is longer than 200 characters")
        return lines

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value):
            raise ValueError(f"{value!r} is not a phone number")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"{value!r} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _postal_code(self) -> Address:
        if not self.postal_code:
            if self.country not in NO_POSTAL_CODE:
                raise FieldProblem("postal_code", f"required for country {self.country}")
            return self
        try:
            code = normalise_postal_code(self.country, self.postal_code)
        except ValueError as exc:
            raise FieldProblem("postal_code", str(exc)) from None
        if code != self.postal_code:
            # Stored directly: assigning would validate the whole model again (validate_assignment).
            self.__dict__["postal_code"] = code
        return self
