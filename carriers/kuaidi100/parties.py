"""Senders and recipients as Kuaidi100's business APIs take them: a whole printed Chinese address
(province, city, district, street: ``printAddr``), a name, and a mobile or a landline (二者其一必填).

Kuaidi100 serves mainland China only here, so an address elsewhere is refused before sending,
naming the field; so is a party without a phone.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal

from carriergate.core.address import Address
from carriergate.core.errors import FieldError
from carriergate.core.shipment import Parcel

#: A mainland mobile number once +86, spaces and dashes are removed.
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
_NOISE = re.compile(r"[\s().-]")


def printed(address: Address) -> str:
    """A whole address as Kuaidi100 reads it: province, city, district, then the street lines (the
    province left out when the city repeats it, as a municipality's does: 上海 / 上海市)."""
    state = address.state or ""
    if state and address.city.strip().startswith(state.strip()):
        state = ""
    parts = [state, address.city, address.district or "", *address.street]
    return "".join(p.strip() for p in parts if p and p.strip())


def phone_fields(phone: str) -> dict[str, str]:
    """``{"mobile": ...}`` for a mainland mobile number, else ``{"tel": ...}`` (a landline as given)."""
    compact = re.sub(r"^(\+86|0086)", "", _NOISE.sub("", phone))
    return {"mobile": compact} if _MOBILE.match(compact) else {"tel": phone.strip()}


def problems(address: Address, field: str) -> list[FieldError]:
    """What Kuaidi100 would refuse in ``address`` (the ``field`` prefix names it)."""
    found = []
    if address.country != "CN":
        found.append(FieldError(f"{field}.country", "Kuaidi100 serves mainland China only"))
    if not address.phone:
        found.append(FieldError(f"{field}.phone", "Kuaidi100 needs the party's mobile or landline"))
    return found


def man(address: Address) -> dict[str, str]:
    """A ``recMan``/``sendMan`` object of the label API (checked with :func:`problems` first)."""
    party = {"name": address.name, **phone_fields(address.phone or ""), "printAddr": printed(address)}
    if address.company:
        party["company"] = address.company
    return party


def flat(address: Address, prefix: str) -> dict[str, str]:
    """The flat fields of the pickup and price APIs: ``{prefix}Name``, ``{prefix}Mobile`` (a landline
    goes there too: the bOrder document names only the mobile field) and ``{prefix}PrintAddr``."""
    phone = phone_fields(address.phone or "")
    return {f"{prefix}Name": address.name, f"{prefix}Mobile": phone.get("mobile") or phone["tel"],
            f"{prefix}PrintAddr": printed(address)}


def kilograms(parcels: list[Parcel]) -> str:
    """The parcels' total weight in kg, rounded up to 10 g, as Kuaidi100 writes it (``"3.3"``)."""
    total = sum((p.weight.kg for p in parcels), Decimal(0)).quantize(Decimal("0.01"), ROUND_CEILING)
    return f"{total.normalize():f}"
