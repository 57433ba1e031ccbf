"""Parties and customs lines of a 4PX direct-shipment order (ds.xms.order.create).

Addresses: ``first_name`` (our name), ``company``, ``phone``, ``email``, ``post_code``, ``country``,
``state``, ``city``, ``district``, ``street`` (our street lines, joined), in Latin script (the label
and the customs papers abroad print nothing else; a romanised ``Address.latin`` is used when given).

Customs: one ``declare_product_info`` line per item (``declare_product_name_en`` the item's Latin
description, ``declare_product_name_cn`` only when the description is Chinese, quantity, export and
import unit value and currency, export and import HS code, origin country).

Tax registrations: ``ioss_no`` goes on orders to the EU (IOSS is the EU's import scheme for goods up
to EUR 150), ``vat_no`` to the EU and the UK, ``eori_no`` to the EU, each from the account
(:class:`FourPXAccount`) because carriergate's CustomsDeclaration has no field for them. 4PX's notes:
"with an IOSS number, VAT and EORI may be left out" - they are sent all the same when configured.
"""

from __future__ import annotations

import re
from typing import Any

from carriergate.carriers.fourpx.account import FourPXAccount
from carriergate.core.address import Address
from carriergate.core.customs import ContentsType, CustomsDeclaration
from carriergate.core.errors import FieldError
from carriergate.core.scripts import latin_address_problems, latin_description_problem
from carriergate.protocols.http import json_number as number

TITLE = "4PX"
#: EU member states (ISO 3166-1 alpha-2).
EU = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
                "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})
#: ``cargo_type``: 1 gift, 2 document, 3 product sample, 5 other (4PX's default).
CARGO_TYPES: dict[ContentsType, str] = {"gift": "1", "documents": "2", "sample": "3"}
OTHER_CARGO = "5"
_CHINESE = re.compile(r"[\u3400-\u9fff]")
_SENT = ("name", "company", "street", "district", "city", "state")


def party(address: Address, field: str) -> tuple[dict[str, Any], list[FieldError]]:
    """A ``sender`` or ``recipient_info`` object, and the fields that are not in Latin script."""
    latin, problems = latin_address_problems(address, field, carrier=TITLE, sent=_SENT)
    out: dict[str, Any] = {"first_name": latin.name}
    if latin.company:
        out["company"] = latin.company
    if latin.phone:
        out["phone"] = re.sub(r"[\s().]", "", latin.phone)
    if latin.email:
        out["email"] = latin.email
    if latin.postal_code:
        out["post_code"] = latin.postal_code
    out["country"] = latin.country
    if latin.state:
        out["state"] = latin.state
    out["city"] = latin.city
    if latin.district:
        out["district"] = latin.district
    out["street"] = " ".join(line.strip() for line in latin.street)
    return out, problems


def declared_lines(customs: CustomsDeclaration) -> tuple[list[dict[str, Any]], list[FieldError]]:
    """``declare_product_info``: one line per item, and the items without a Latin description."""
    lines: list[dict[str, Any]] = []
    problems: list[FieldError] = []
    for i, item in enumerate(customs.items):
        english, problem = latin_description_problem(item, f"customs.items[{i}]", carrier=TITLE)
        if problem is not None:
            problems.append(problem)
        line: dict[str, Any] = {}
        if _CHINESE.search(item.description):
            line["declare_product_name_cn"] = item.description
        price = number(item.unit_value.amount)
        line.update({
            "declare_product_name_en": english,
            "declare_product_code_qty": item.quantity,
            "declare_unit_price_export": price, "currency_export": item.unit_value.currency,
            "declare_unit_price_import": price, "currency_import": item.unit_value.currency,
            "hscode_export": item.hs_code, "hscode_import": item.hs_code,
            "origin_country": item.origin_country,
        })
        if item.sku:
            line["declare_product_code"] = item.sku
        lines.append(line)
    return lines, problems


def registrations(account: FourPXAccount, destination: str,
                  customs: CustomsDeclaration | None = None) -> dict[str, str]:
    """``ioss_no``, ``vat_no`` and ``eori_no`` for an order to ``destination`` (see the module doc):
    the shipment's own (``customs.ioss_number`` ...) first, else the account's."""
    vat = (customs.vat_number if customs else None) or account.vat_number
    eori = (customs.eori_number if customs else None) or account.eori_number
    ioss = (customs.ioss_number if customs else None) or account.ioss_number
    out: dict[str, str] = {}
    if vat and (destination in EU or destination == "GB"):
        out["vat_no"] = vat
    if eori and destination in EU:
        out["eori_no"] = eori
    if ioss and destination in EU:
        out["ioss_no"] = ioss
    return out


def duty_type(customs: CustomsDeclaration) -> str:
    """``duty_type``: P (DDP, the sender pays duties) or U (DDU, the recipient pays)."""
    return "P" if customs.duties_paid_by.party == "sender" else "U"


def cargo_type(customs: CustomsDeclaration) -> str:
    return CARGO_TYPES.get(customs.contents_type, OTHER_CARGO)


def returned(customs: CustomsDeclaration | None) -> str:
    """``is_return_on_domestic``/``is_return_on_oversea``: Y return the parcel, N destroy it."""
    return "N" if customs is not None and customs.non_delivery == "abandon" else "Y"
