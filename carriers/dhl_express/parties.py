"""Addresses, contacts and packages in DHL Express's two shapes: the flat address of a rate
request and the contact-plus-address party of a shipment request. DHL Express prints labels in
Latin script only: a shipment's party whose printed field is not, without a romanised one
(``Address.latin``), is refused naming the field (core/scripts.py)."""

from __future__ import annotations

from typing import Any

from carriergate.carriers.dhl_express.checks import Checks
from carriergate.carriers.dhl_express.measures import centimetres, kilograms
from carriergate.core.address import Address
from carriergate.core.scripts import latin_address_problems, preferring_latin
from carriergate.core.shipment import Parcel

# DHL's limits (characters) per element, from its published schema.
RATE_LINE, RATE_CITY = 45, 45
SHIP_LINE, SHIP_CITY, SHIP_SUBURB = 35, 35, 35
PERSON, COMPANY, PHONE, EMAIL, POSTCODE = 45, 35, 25, 50, 12
REQUESTOR = 45  # the requestor's name, kept from the shipment to cancel its pickup


def _street(checks: Checks, path: str, address: Address, limit: int) -> dict[str, str]:
    lines: dict[str, str] = {}
    for i, (key, line) in enumerate(zip(("StreetLines", "StreetLines2", "StreetLines3"), address.street,
                                        strict=False)):
        value = checks.text(f"{path}.street[{i}]", line, limit)
        if value:
            lines[key] = value
    return lines


def rate_place(checks: Checks, path: str, address: Address) -> dict[str, Any]:
    """``Shipper``/``Recipient`` of a getRateRequest (romanised fields where given)."""
    address = preferring_latin(address)
    place: dict[str, Any] = _street(checks, path, address, RATE_LINE)
    place["City"] = checks.text(f"{path}.city", address.city, RATE_CITY, required=True)
    if address.district:
        place["CityDistrict"] = checks.text(f"{path}.district", address.district, RATE_CITY)
    if address.state:
        place["StateOrProvinceCode"] = address.state
    place["PostalCode"] = checks.text(f"{path}.postal_code", address.postal_code, POSTCODE) or ""
    place["CountryCode"] = address.country
    return place


def ship_party(checks: Checks, path: str, address: Address, *, latin: bool = True) -> dict[str, Any]:
    """``Shipper``/``Recipient`` of a createShipmentRequest: Contact then Address. With ``latin`` (the
    default) every printed field must be in Latin script or romanised, the errors joining ``checks``;
    ``latin=False`` (a domestic shipment) sends the fields as they are, romanised ones where given."""
    if latin:
        address, problems = latin_address_problems(address, path, carrier="DHL Express")
        checks.errors.extend(problems)
    else:
        address = preferring_latin(address)
    contact: dict[str, Any] = {
        "PersonName": checks.text(f"{path}.name", address.name, PERSON, required=True),
        # DHL requires a company name; a private person's own name stands in for it.
        "CompanyName": checks.text(f"{path}.company", address.company or address.name[:COMPANY], COMPANY,
                                   required=True),
        "PhoneNumber": checks.text(f"{path}.phone", address.phone, PHONE, required=True),
    }
    if address.email:
        contact["EmailAddress"] = checks.text(f"{path}.email", address.email, EMAIL)
    place: dict[str, Any] = _street(checks, path, address, SHIP_LINE)
    place["City"] = checks.text(f"{path}.city", address.city, SHIP_CITY, required=True)
    if address.state:
        place["StateOrProvinceCode"] = address.state
    place["PostalCode"] = checks.text(f"{path}.postal_code", address.postal_code, POSTCODE) or ""
    place["CountryCode"] = address.country
    if address.district:
        place["Suburb"] = checks.text(f"{path}.district", address.district, SHIP_SUBURB)
    return {"Contact": contact, "Address": place}


def dimensions(checks: Checks, index: int, parcel: Parcel) -> dict[str, Any]:
    if parcel.dimensions is None:
        checks.fail(f"parcels[{index}].dimensions", "DHL Express needs the dimensions of every parcel")
        return {}
    length, width, height = centimetres(parcel.dimensions)
    return {"Length": length, "Width": width, "Height": height}


def rate_packages(checks: Checks, parcels: list[Parcel]) -> list[dict[str, Any]]:
    return [{"number": i + 1, "Weight": {"Value": kilograms(p.weight)}, "Dimensions": dimensions(checks, i, p)}
            for i, p in enumerate(parcels)]
