"""Parties, parcels and customs lines of a YunExpress order, in the open platform's field names.

A party is ``{first_name, last_name, company, country_code, province, city, address_lines[1..3],
postal_code, phone_number, email, certificate_code}``; YunExpress's own answers put the whole name
in ``first_name`` and leave ``last_name`` empty, which is what is sent. Parcels are ``packages[]`` in
KG and CM (weights to three decimals, rounded up: YunExpress bills up). Customs lines are
``declaration_info[]``; ``name_en`` must be Latin script, the item's own wording goes in
``name_local`` when it is not. Clearance numbers go in ``customs_number`` (``tax_number``,
``ioss_code``).
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal
from typing import Any

from carriergate.carriers.yunexpress.account import YunExpressAccount
from carriergate.core.address import Address
from carriergate.core.customs import CustomsDeclaration
from carriergate.core.errors import FieldError
from carriergate.core.latin import is_latin
from carriergate.core.shipment import Parcel
from carriergate.protocols.http import json_number as number

WEIGHT_STEP, SIZE_STEP = Decimal("0.001"), Decimal("0.1")
#: The shape of an EU IOSS number: ``IM``, the three-digit country code, seven digits.
IOSS = re.compile(r"IM\d{10}")


def _up(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_CEILING) * step


def party(address: Address, field: str, problems: list[FieldError], *, phone_required: bool) -> dict[str, Any]:
    """``address`` as a YunExpress party; missing required parts are added to ``problems``."""
    if phone_required and not address.phone:
        problems.append(FieldError(f"{field}.phone", "YunExpress needs the receiver's phone number"))
    lines = list(address.street)
    if address.district and len(lines) < 3 and address.district not in " ".join(lines):
        lines.append(address.district)
    body: dict[str, Any] = {"first_name": address.name, "last_name": "", "country_code": address.country,
                            "city": address.city, "address_lines": lines}
    optional = {"company": address.company, "province": address.state, "postal_code": address.postal_code,
                "phone_number": address.phone, "email": address.email, "certificate_code": address.tax_id}
    body.update({key: value for key, value in optional.items() if value})
    return body


def packages(parcels: list[Parcel]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for parcel in parcels:
        package: dict[str, Any] = {"weight": number(parcel.weight.rounded_up("kg", WEIGHT_STEP))}
        if parcel.dimensions is not None:
            size = parcel.dimensions.to("cm")
            package.update(length=number(_up(size.length, SIZE_STEP)), width=number(_up(size.width, SIZE_STEP)),
                           height=number(_up(size.height, SIZE_STEP)))
        out.append(package)
    return out


def declaration(customs: CustomsDeclaration | None, problems: list[FieldError]) -> list[dict[str, Any]]:
    """The customs lines; YunExpress needs at least one, domestic or not."""
    if customs is None or not customs.items:
        problems.append(FieldError("customs.items", "YunExpress needs at least one declared item"))
        return []
    lines: list[dict[str, Any]] = []
    for index, item in enumerate(customs.items):
        english = item.description_latin or (item.description if is_latin(item.description) else None)
        if english is None:
            problems.append(FieldError(f"customs.items[{index}].description_latin",
                                       "YunExpress needs an English (Latin-script) name for every item"))
            continue
        line: dict[str, Any] = {"name_en": english, "quantity": item.quantity,
                                "unit_price": number(item.unit_value.amount), "currency": item.unit_value.currency,
                                "unit_weight": number(item.unit_weight.rounded_up("kg", WEIGHT_STEP)),
                                "hs_code": item.hs_code}
        if item.description != english:
            line["name_local"] = item.description
        if item.sku:
            line["sku_code"] = item.sku
        lines.append(line)
    return lines


def customs_numbers(customs: CustomsDeclaration | None, destination: Address,
                    account: YunExpressAccount) -> dict[str, str]:
    """``customs_number``: the importer's tax number and the seller's IOSS number, where given (the
    shipment's ``customs.ioss_number`` first, then an exporter tax id of IOSS shape, then the account's)."""
    numbers: dict[str, str] = {}
    importer = (customs.importer_tax_id if customs is not None else None) or destination.tax_id
    if importer:
        numbers["tax_number"] = importer
    exporter = customs.exporter_tax_id if customs is not None else None
    ioss = (customs.ioss_number if customs is not None else None) or (
        exporter if exporter and IOSS.fullmatch(exporter) else account.ioss_code)
    if ioss:
        numbers["ioss_code"] = ioss
    return numbers
