"""Latin script for carriers that print labels and customs papers only in it (UPS, FedEx, DHL Express).

Such a carrier given ``上海市`` either refuses the shipment with an error of its own after the round
trip or prints question marks on the label. So their builders ask this module for the Latin text of
every printed field: the romanised field the user gave (``Address.latin``,
``CustomsItem.description_latin``) when there is one, else the field itself when it is already in
Latin script, else a ``ValidationError`` naming the field (``destination.street[0]``) and the
romanised field to give. Carriers that print Chinese (SF Express) never call it.

What counts as Latin script is :mod:`carriergate.core.latin`'s rule.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from carriergate.core.address import Address
from carriergate.core.customs import CustomsItem
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.latin import latin_text

#: Address fields a label prints, in the order they are checked (street lines come after company).
PRINTED_FIELDS = ("name", "company", "street", "district", "city", "state")


def _why(carrier: str, hint: str) -> str:
    return f"{carrier} prints labels and customs papers in Latin script only: give {hint} (romanised)"


def latin_address_problems(address: Address, field: str, *, carrier: str,
                           sent: Collection[str] = PRINTED_FIELDS) -> tuple[Address, list[FieldError]]:
    """The address with every printed field in Latin script, and the fields that could not be.

    ``carrier`` is the carrier's title as the reason names it ("UPS"); ``sent`` the fields its
    request carries (others are not checked). A romanised field in ``address.latin`` wins over its
    original; romanised street lines replace all the street lines."""
    romanised = address.latin
    update: dict[str, Any] = {}
    problems: list[FieldError] = []
    for name in PRINTED_FIELDS:
        given = getattr(romanised, name, None) if romanised is not None else None
        if given:
            update[name] = given
            continue
        if name not in sent:
            continue
        value = getattr(address, name)
        if name == "street":
            lines = []
            for i, line in enumerate(value):
                normal = latin_text(line)
                if normal is None:
                    problems.append(FieldError(f"{field}.street[{i}]",
                                               _why(carrier, f"{field}.latin.street")))
                lines.append(normal or line)
            update[name] = lines
        elif value is not None:
            normal = latin_text(value)
            if normal is None:
                problems.append(FieldError(f"{field}.{name}", _why(carrier, f"{field}.latin.{name}")))
            update[name] = normal or value
    return address.model_copy(update=update), problems


def latin_address(address: Address, field: str, *, carrier: str, alias: str | None = None,
                  sent: Collection[str] = PRINTED_FIELDS) -> Address:
    """:func:`latin_address_problems`, raising a ``ValidationError`` (for ``alias``) if any field fails."""
    converted, problems = latin_address_problems(address, field, carrier=carrier, sent=sent)
    if problems:
        raise ValidationError(problems, carrier=alias)
    return converted


def preferring_latin(address: Address) -> Address:
    """The address with its romanised fields, where given, in place of the originals; nothing is
    refused (rating: the carrier reads the postal code and country, and prints nothing)."""
    romanised = address.latin
    if romanised is None:
        return address
    update = {name: getattr(romanised, name) for name in PRINTED_FIELDS if getattr(romanised, name)}
    return address.model_copy(update=update) if update else address


def latin_description_problem(item: CustomsItem, field: str, *, carrier: str) -> tuple[str, FieldError | None]:
    """The item's description for a customs line in Latin script (``description_latin`` when
    given), and the problem when it has none."""
    if item.description_latin:
        return item.description_latin, None
    normal = latin_text(item.description)
    if normal is None:
        return item.description, FieldError(f"{field}.description",
                                             _why(carrier, f"{field}.description_latin"))
    return normal, None


def latin_description(item: CustomsItem, field: str, *, carrier: str, alias: str | None = None) -> str:
    """:func:`latin_description_problem`, raising a ``ValidationError`` (for ``alias``) on a problem."""
    text, problem = latin_description_problem(item, field, carrier=carrier)
    if problem is not None:
        raise ValidationError(problem, carrier=alias)
    return text


__all__ = [
    "PRINTED_FIELDS",
    "latin_address",
    "latin_address_problems",
    "latin_description",
    "latin_description_problem",
    "preferring_latin",
]
