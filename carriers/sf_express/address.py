"""Addresses, phone numbers and China time as SF writes them.

SF splits an address into ``province`` (our ``state``), ``city``, ``county`` (our ``district``; the
time-and-price query calls it ``district``) and the detailed ``address`` (our street lines). Times are
``YYYY-MM-DD HH:MM:SS`` in China time (UTC+8, no daylight saving).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from carriergate.core.address import Address
from carriergate.core.errors import FieldError

try:  # the IANA zone when the system has it; China has kept UTC+8 without DST since 1991
    from zoneinfo import ZoneInfo

    CHINA: tzinfo = ZoneInfo("Asia/Shanghai")
except Exception:  # pragma: no cover - no tz database on this system
    CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_MOBILE = re.compile(r"^1[3-9][0-9]{9}$")
SENDER, RECEIVER = 1, 2


def china_time(moment: datetime) -> str:
    """An aware datetime as SF's China-time text."""
    return moment.astimezone(CHINA).strftime(TIME_FORMAT)


def parse_china_time(text: str) -> datetime | None:
    """SF's ``YYYY-MM-DD HH:MM:SS`` (China time) as an aware datetime; None when unreadable."""
    try:
        return datetime.strptime(text.strip(), TIME_FORMAT).replace(tzinfo=CHINA)
    except (ValueError, AttributeError):
        return None


def street(address: Address) -> str:
    return " ".join(line.strip() for line in address.street)


def phone_fields(phone: str, country: str) -> dict[str, str]:
    """A Chinese mobile number goes in ``mobile`` (national form), anything else in ``tel``; spaces,
    dots and brackets are removed, dashes kept."""
    compact = re.sub(r"[\s().]", "", phone)
    if country != "CN":
        return {"tel": compact}
    national = re.sub(r"^(\+86|0086)-?", "", compact)
    if _MOBILE.match(national):
        return {"mobile": national}
    if national != compact and not national.startswith("0"):
        national = "0" + national  # +86 21 5555 0000 is dialled 021 5555 0000 at home
    return {"tel": national}


def problems(address: Address, field: str) -> list[FieldError]:
    """What SF needs that our Address leaves optional: a phone, and the province in China."""
    found: list[FieldError] = []
    if not address.phone:
        found.append(FieldError(f"{field}.phone", "SF Express needs a phone number for every contact"))
    if address.country == "CN" and not address.state:
        found.append(FieldError(f"{field}.state", "SF Express needs the province (省) of a Chinese address"))
    return found


def region(address: Address) -> dict[str, str]:
    """The ``srcAddress``/``destAddress`` of a time-and-price query."""
    out = {"province": address.state or "", "city": address.city}
    if address.district:
        out["district"] = address.district
    out["address"] = street(address)
    return out


def contact(address: Address, contact_type: int) -> dict[str, Any]:
    """One entry of ``contactInfoList`` (1 sender, 2 receiver)."""
    out: dict[str, Any] = {"contactType": contact_type, "contact": address.name}
    if address.company:
        out["company"] = address.company
    if address.phone:
        out.update(phone_fields(address.phone, address.country))
    out["country"] = address.country
    out["province"] = address.state or ""
    out["city"] = address.city
    if address.district:
        out["county"] = address.district
    out["address"] = street(address)
    if address.postal_code:
        out["postCode"] = address.postal_code
    return out
