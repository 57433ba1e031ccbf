"""Addresses, names and phones in UPS's shapes, with UPS's length limits checked up front. UPS prints
labels in Latin script only: a shipment's parties are refused, naming the field, when a printed
field is not and no romanised one (``Address.latin``) is given (core/scripts.py)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from carriergate.core.address import Address
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.scripts import latin_address, preferring_latin
from carriergate.protocols.json_reading import JSON

#: Countries where UPS needs the two-letter state or province code.
STATE_REQUIRED = frozenset({"US", "CA"})
_NOT_DIGITS = re.compile(r"[^0-9]")
#: The fields a UPS label prints (the district as a street line; the state too when two characters long).
PRINTED = ("name", "company", "street", "district", "city")


def invalid(field: str, reason: str) -> ValidationError:
    return ValidationError(FieldError(field, reason), carrier="ups")


def fit(value: str, limit: int, field: str) -> str:
    """``value`` if UPS accepts its length, else a ValidationError naming the field (no silent cut)."""
    value = value.strip()
    if len(value) > limit:
        raise invalid(field, f"UPS accepts at most {limit} characters, got {len(value)}")
    return value


@lru_cache(maxsize=256)
def _state_by_name(country: str, name: str) -> str | None:
    import pycountry  # loaded on first use: importing it costs milliseconds at start-up

    subdivisions: Any = pycountry.subdivisions
    for sub in subdivisions.get(country_code=country) or []:
        if sub.name.casefold() == name.casefold():
            return str(sub.code).split("-", 1)[1]
    return None


def state_code(address: Address, field: str) -> str | None:
    """The two-letter state code UPS wants (``California`` -> ``CA`` for US/CA); other countries'
    longer province names are left out (UPS does not use them there)."""
    state = (address.state or "").strip()
    if len(state) == 2:
        return state.upper()
    if address.country in STATE_REQUIRED:
        code = _state_by_name(address.country, state) if state else None
        if code is None or len(code) != 2:
            raise invalid(f"{field}.state", f"UPS needs the two-letter state or province code for {address.country}")
        return code
    return None


def postal_code(address: Address, field: str) -> str | None:
    code = (address.postal_code or "").strip()
    if not code:
        return None
    if len(code) > 9:
        code = code.replace(" ", "").replace("-", "")
    return fit(code, 9, f"{field}.postal_code")


def phone_number(address: Address, field: str, limit: int = 15) -> str | None:
    if not address.phone:
        return None
    return fit(_NOT_DIGITS.sub("", address.phone), limit, f"{field}.phone")


def street_lines(address: Address, field: str, *, width: int = 35) -> list[str]:
    """Up to three lines of ``width``; the district joins as a line of its own when there is room."""
    lines = [fit(line, width, f"{field}.street[{i}]") for i, line in enumerate(address.street)]
    if address.district and len(lines) < 3 and not any(address.district in line for line in lines):
        lines.append(fit(address.district, width, f"{field}.district"))
    return lines


def address_json(address: Address, field: str, *, residential: bool = False) -> JSON:
    """The Address object; romanised fields are used where given."""
    address = preferring_latin(address)
    out: JSON = {"AddressLine": street_lines(address, field), "City": fit(address.city, 30, f"{field}.city")}
    state = state_code(address, field)
    if state:
        out["StateProvinceCode"] = state
    code = postal_code(address, field)
    if code:
        out["PostalCode"] = code
    out["CountryCode"] = address.country
    if residential and address.residential:
        out["ResidentialAddressIndicator"] = "Y"
    return out


def display_name(address: Address, field: str) -> str:
    """The party's name as UPS prints it: the company when there is one, else the person."""
    if address.company:
        return fit(address.company, 35, f"{field}.company")
    return fit(address.name, 35, f"{field}.name")


def party_json(address: Address, field: str, *, residential: bool = False, contact: bool = False,
               email: bool = True) -> JSON:
    """Name + Address (rating); with ``contact``, also AttentionName, Phone and e-mail (shipping;
    UPS's ShipFrom has no e-mail field). A label's party (``contact``) must be in Latin script;
    rating uses the romanised fields where given and sends the rest as it is."""
    if contact:
        state = (address.state or "").strip()
        sent = (*PRINTED, "state") if len(state) == 2 else PRINTED  # see state_code: only codes are sent
        address = latin_address(address, field, carrier="UPS", alias="ups", sent=sent)
    else:
        address = preferring_latin(address)
    out: JSON = {"Name": display_name(address, field)}
    if contact:
        out["AttentionName"] = fit(address.name, 35, f"{field}.name")
        phone = phone_number(address, field)
        if phone:
            out["Phone"] = {"Number": phone}
        if email and address.email:
            out["EMailAddress"] = fit(address.email, 50, f"{field}.email")
    out["Address"] = address_json(address, field, residential=residential)
    return out
