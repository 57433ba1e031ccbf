"""Our Address as USPS's address objects: the domestic ``DomesticAddress`` (5-digit ZIP Code and
ZIP+4, a two-letter state) and the international ``toAddress`` (country name and ISO code, postal
code, province), with the length limits of domestic-labels.yaml and international-labels.yaml.

A value USPS would refuse is refused here, naming our field, before anything is sent: no silent
truncation of a name or a street line.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from carriergate.core.address import Address
from carriergate.core.errors import FieldError, ValidationError

#: The states, territories and military codes of USPS's ``state`` pattern (domestic-labels.yaml).
STATES = frozenset({
    "AA", "AE", "AL", "AK", "AP", "AS", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FM", "FL", "GA", "GU", "HI",
    "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MH", "MD", "MA", "MI", "MN", "MS", "MO", "MP", "MT", "NE",
    "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PW", "PA", "PR", "RI", "SC", "SD", "TN", "TX",
    "UT", "VT", "VI", "VA", "WA", "WV", "WI", "WY",
})
#: Countries USPS labels as domestic mail (its states and territories carry US ZIP Codes).
DOMESTIC = frozenset({"US", "PR", "GU", "VI", "AS", "MP", "FM", "MH", "PW"})
_ZIP = re.compile(r"^(\d{5})(?:[-\s]?(\d{4}))?$")
_PHONE = re.compile(r"^\+?[1-9][0-9]{7,14}$|^[0-9]{6,15}$")
_LIMITS = {"firstName": 50, "lastName": 50, "firm": 50, "streetAddress": 50, "secondaryAddress": 50, "city": 28,
           "province": 40, "postalCode": 11}


def _check(value: str, key: str, field: str) -> str:
    limit = _LIMITS[key]
    if len(value) > limit:
        raise ValidationError(FieldError(field, f"USPS takes at most {limit} characters here ({len(value)} given)"))
    return value


def split_name(name: str) -> tuple[str, str]:
    """(first, last): USPS wants them apart; a single word is the last name, as on a label."""
    parts = name.split()
    if len(parts) == 1:
        return parts[0], parts[0]
    return " ".join(parts[:-1]), parts[-1]


def zip_code(address: Address, field: str) -> tuple[str, str | None]:
    """(ZIP Code, ZIP+4 or None) of a US address."""
    match = _ZIP.match((address.postal_code or "").strip())
    if match is None:
        raise ValidationError(FieldError(f"{field}.postal_code", "USPS needs a 5-digit ZIP Code (ZIP+4 optional)"))
    return match.group(1), match.group(2)


def phone(address: Address) -> str | None:
    """The phone as USPS's pattern takes it (digits, an optional leading +), or None."""
    if not address.phone:
        return None
    compact = re.sub(r"[\s().-]", "", address.phone)
    return compact if _PHONE.match(compact) else None


def _people(address: Address, field: str) -> dict[str, Any]:
    first, last = split_name(address.name)
    out: dict[str, Any] = {"firstName": _check(first, "firstName", f"{field}.name"),
                           "lastName": _check(last, "lastName", f"{field}.name")}
    if address.company:
        out["firm"] = _check(address.company, "firm", f"{field}.company")
    number = phone(address)
    if number:
        out["phone"] = number
    return out


def _streets(address: Address, field: str) -> dict[str, Any]:
    out: dict[str, Any] = {"streetAddress": _check(address.street[0], "streetAddress", f"{field}.street[0]")}
    if len(address.street) > 1:
        out["secondaryAddress"] = _check(" ".join(address.street[1:]), "secondaryAddress", f"{field}.street[1]")
    out["city"] = _check(address.city, "city", f"{field}.city")
    return out


def domestic_address(address: Address, field: str, *, with_email: bool = True) -> dict[str, Any]:
    """A US address (USPS ``DomesticAddress`` plus the addressee): street, city, state, ZIP Code."""
    if address.country not in DOMESTIC:
        raise ValidationError(FieldError(f"{field}.country", f"USPS needs a US address here, not {address.country}"))
    state = (address.state or ("PR" if address.country == "PR" else "")).strip().upper()
    if state not in STATES:
        raise ValidationError(FieldError(f"{field}.state", "USPS needs the two-letter state or territory code"))
    code, plus4 = zip_code(address, field)
    out = {**_people(address, field), **_streets(address, field), "state": state, "ZIPCode": code}
    if plus4:
        out["ZIPPlus4"] = plus4
    if with_email and address.email and len(address.email) <= 50:
        out["email"] = address.email
    return out


@lru_cache(maxsize=256)
def country_name(code: str) -> str:
    import pycountry  # loaded on first use: it costs tens of milliseconds at import

    country = pycountry.countries.get(alpha_2=code)
    return str(country.name) if country is not None else code


def foreign_address(address: Address, field: str) -> dict[str, Any]:
    """An address abroad (international-labels.yaml ``toAddress``)."""
    out = {**_people(address, field), **_streets(address, field), "country": country_name(address.country),
           "countryISOAlpha2Code": address.country}
    if address.postal_code:
        out["postalCode"] = _check(address.postal_code, "postalCode", f"{field}.postal_code")
    if address.state:
        out["province"] = _check(address.state, "province", f"{field}.state")
    return out
