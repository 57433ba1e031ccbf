"""FedEx JSON fragments shared by the builders (parties, weights, money, headers) and the two readers
only FedEx needs (an amount in a stated currency, a timestamp that may lack its zone). The generic
tolerant readers (obj, records, text, decimal) are protocols/json_reading's."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from typing import Any

from carriergate.core.address import Address
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.money import Money, minor_units
from carriergate.core.scripts import latin_address, preferring_latin
from carriergate.core.units import Dimensions, Weight, WeightUnit
from carriergate.protocols.http import json_number as number
from carriergate.protocols.json_reading import decimal, text

CARRIER = "fedex"
_STATE_CODE = re.compile(r"^[A-Za-z0-9]{1,3}$")
_NANP = frozenset({"US", "CA", "PR"})
#: The fields a FedEx label prints (a state only as a short code; no district).
PRINTED = ("name", "company", "street", "city")
#: FedEx takes weights to two decimals.
HUNDREDTH = Decimal("0.01")


# -- building ------------------------------------------------------------------------------------
def money(value: Money) -> dict[str, Any]:
    return {"amount": number(value.rounded().amount), "currency": value.currency}


def unit_system(parcel_weight: Weight) -> tuple[str, str]:
    """(weight units, dimension units): LB/IN for parcels weighed in pounds or ounces, else KG/CM."""
    return ("LB", "IN") if parcel_weight.unit in ("lb", "oz") else ("KG", "CM")


def weight(value: Weight, units: str) -> dict[str, Any]:
    """FedEx weight in ``units`` (exact conversion, rounded up to 0.01)."""
    unit: WeightUnit = "lb" if units == "LB" else "kg"
    return {"units": units, "value": number(value.rounded_up(unit, HUNDREDTH).normalize())}


def dimensions(value: Dimensions, units: str) -> dict[str, Any]:
    """FedEx dimensions are whole numbers: each side rounded up after an exact conversion."""
    sides = value.to("in" if units == "IN" else "cm")

    def up(side: Decimal) -> int:
        return int(side.to_integral_value(rounding=ROUND_CEILING))

    return {"length": up(sides.length), "width": up(sides.width), "height": up(sides.height), "units": units}


def phone_digits(address: Address, field: str) -> str:
    """FedEx wants 10 to 15 digits (exactly 10 in the US and Canada, without the leading 1)."""
    if not address.phone:
        raise ValidationError(FieldError(f"{field}.phone", "FedEx requires a contact phone number"), carrier=CARRIER)
    digits = re.sub(r"\D", "", address.phone)
    if address.country in _NANP and len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if not 10 <= len(digits) <= 15:
        raise ValidationError(FieldError(f"{field}.phone", "FedEx needs a phone number of 10 to 15 digits"),
                              carrier=CARRIER)
    return digits


def address(value: Address, *, street: bool = True) -> dict[str, Any]:
    """A FedEx address. ``stateOrProvinceCode`` only carries short codes ("CA", "ON"): FedEx wants
    codes, and a province spelt out (Chinese addresses) is left to the postal code. Romanised fields
    (``Address.latin``) are used where given."""
    value = preferring_latin(value)
    out: dict[str, Any] = {}
    if street:
        out["streetLines"] = [line[:35] for line in value.street]
    out["city"] = value.city[:35]
    if value.state and _STATE_CODE.match(value.state):
        out["stateOrProvinceCode"] = value.state.upper()
    if value.postal_code:
        out["postalCode"] = value.postal_code
    out["countryCode"] = value.country
    if value.residential:
        out["residential"] = True
    return out


def contact(value: Address, field: str) -> dict[str, Any]:
    out: dict[str, Any] = {"personName": value.name[:70], "phoneNumber": phone_digits(value, field)}
    if value.company:
        out["companyName"] = value.company[:35]
    if value.email:
        out["emailAddress"] = value.email
    return out


def party(value: Address, field: str, *, tax_id: str | None = None) -> dict[str, Any]:
    """A shipment's party: FedEx prints labels in Latin script only, so a printed field that is not,
    without a romanised one (``Address.latin``), is refused naming the field (core/scripts.py)."""
    value = latin_address(value, field, carrier="FedEx", alias=CARRIER, sent=PRINTED)
    out: dict[str, Any] = {"address": address(value), "contact": contact(value, field)}
    tin = tax_id or value.tax_id
    if tin:
        out["tins"] = [{"number": tin, "tinType": "BUSINESS_NATIONAL"}]
    return out


def headers(transaction_id: str, locale: str) -> dict[str, str]:
    """Correlation (not idempotency) header: our reference for writes, a fresh id otherwise (the
    carrier makes it: a builder reads no randomness it is not given)."""
    return {"x-customer-transaction-id": transaction_id, "x-locale": locale}


def split(total: Money, parts: int) -> list[Money]:
    """``total`` in ``parts`` shares to the currency's minor unit, summing exactly to ``total``."""
    exp = Decimal(1).scaleb(-minor_units(total.currency))
    whole = total.rounded().amount
    share = (whole / parts).quantize(exp, rounding=ROUND_HALF_UP)
    shares = [share] * parts
    shares[0] += whole - share * parts
    return [Money(s, total.currency) for s in shares]


# -- reading (FedEx's own shapes; the generic readers are protocols/json_reading) ------------------
def amount(value: Any, currency: str | None) -> Money | None:
    number_ = decimal(value)
    if number_ is None or not currency:
        return None
    try:
        return Money(number_, currency)
    except ValueError:
        return None


def timestamp(value: Any) -> datetime | date | None:
    """An ISO timestamp: aware when it carries an offset, else just its date (local, zone unknown)."""
    raw = text(value)
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        try:
            return date.fromisoformat(raw[:10])
        except ValueError:
            return None
    return moment if moment.tzinfo is not None else moment.date()
