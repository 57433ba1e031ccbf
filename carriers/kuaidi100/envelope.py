"""The form every Kuaidi100 call posts, and its time format.

``param`` is compact JSON with non-ASCII kept as UTF-8: it is hashed exactly as sent, so it is
serialised once, here. Queries are signed by :class:`carriergate.protocols.auth.md5_form.Kuaidi100Auth`
(``customer`` and ``sign`` are added on every attempt); a subscription carries the key inside its
param and is not signed; detection sends the key as a form field.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import httpx

FORM_TYPE = "application/x-www-form-urlencoded"
#: China time (UTC+8, no daylight saving since 1991), in which Kuaidi100 writes every time.
CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def dumps(param: Any) -> str:
    return json.dumps(param, ensure_ascii=False, separators=(",", ":"))


def form_request(url: str, fields: list[tuple[str, str]]) -> httpx.Request:
    return httpx.Request("POST", url, content=urlencode(fields).encode("ascii"),
                         headers={"content-type": FORM_TYPE, "accept": "application/json"})


def parse_time(value: Any) -> datetime | None:
    """``YYYY-MM-DD HH:MM:SS`` (China time) as an aware datetime; None when unreadable."""
    try:
        return datetime.strptime(str(value).strip(), TIME_FORMAT).replace(tzinfo=CHINA)
    except (ValueError, TypeError):
        return None
