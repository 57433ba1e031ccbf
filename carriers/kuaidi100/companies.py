"""Kuaidi100's courier codes (快递公司编码): the common Chinese domestic couriers, which of them need a
phone number to be queried, and a guess of the courier from a number's shape.

Codes are Kuaidi100's own, always lower case. Kuaidi100 requires the sender's or recipient's phone
(or its last four digits) for SF Express, SF Freight and ZTO queries (顺丰速运、顺丰快运、中通快递必填, the
map-tracking subscription document) and for Fengwang (丰网速运, the 2024 query document and the FAQ
"快递公司参数异常：验证码错误"); without it the query is refused, so carriergate refuses it first,
naming the field.
"""

from __future__ import annotations

import re

from carriergate.core.errors import FieldError, ValidationError

#: Courier code -> (Chinese name, English name).
COMPANIES: dict[str, tuple[str, str]] = {
    "shunfeng": ("顺丰速运", "SF Express"),
    "shunfengkuaiyun": ("顺丰快运", "SF Freight"),
    "jd": ("京东物流", "JD Logistics"),
    "zhongtong": ("中通快递", "ZTO Express"),
    "yuantong": ("圆通速递", "YTO Express"),
    "shentong": ("申通快递", "STO Express"),
    "yunda": ("韵达快递", "Yunda Express"),
    "jtexpress": ("极兔速递", "J&T Express"),
    "ems": ("EMS", "China EMS"),
    "youzhengguonei": ("邮政快递包裹", "China Post parcels"),
    "debangkuaidi": ("德邦快递", "Deppon Express"),
    "fengwang": ("丰网速运", "Fengwang Express"),
}
#: Couriers whose numbers Kuaidi100 answers only with a phone number (or its last four digits).
PHONE_REQUIRED = frozenset({"shunfeng", "shunfengkuaiyun", "zhongtong", "fengwang"})

_CODE = re.compile(r"^[a-z0-9_]{2,40}$")
_PHONE_CHARS = re.compile(r"[\s().]")
_PHONE = re.compile(r"^[0-9][0-9-]{2,18}[0-9]$")
#: Number shapes that name their courier beyond doubt (prefix letters printed on the waybill).
_SHAPES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^SF[0-9]{12,15}$", re.IGNORECASE), "shunfeng"),
    (re.compile(r"^JD[A-Z0-9]{10,18}$", re.IGNORECASE), "jd"),
    (re.compile(r"^YT[0-9]{12,15}$", re.IGNORECASE), "yuantong"),
    (re.compile(r"^JT[0-9]{12,15}$", re.IGNORECASE), "jtexpress"),
    (re.compile(r"^(E[A-Z][0-9]{9}CN)$", re.IGNORECASE), "ems"),
    (re.compile(r"^DPK[0-9]{9,15}$", re.IGNORECASE), "debangkuaidi"),
]


def checked_company(value: str, *, field: str = "company") -> str:
    """A Kuaidi100 courier code as sent: stripped, lower case letters, digits and ``_``."""
    code = value.strip().lower() if isinstance(value, str) else ""
    if not _CODE.match(code):
        raise ValidationError(FieldError(field, "must be a Kuaidi100 courier code such as 'shunfeng' or 'zhongtong'"))
    return code


def checked_phone(value: str, *, field: str = "phone") -> str:
    """A phone number as Kuaidi100 matches it: spaces, dots and brackets removed, a +86 prefix dropped;
    4 to 20 digits (dashes allowed inside: a landline's area code)."""
    compact = _PHONE_CHARS.sub("", value) if isinstance(value, str) else ""
    compact = re.sub(r"^(\+86|0086)-?", "", compact)
    if not _PHONE.match(compact) or sum(ch.isdigit() for ch in compact) < 4:
        raise ValidationError(FieldError(field, "must be a phone number, or its last four digits"))
    return compact


def needs_phone(company: str) -> bool:
    return company in PHONE_REQUIRED


def guess(number: str) -> str | None:
    """The courier a number's printed prefix names (``SF...`` is SF Express), without asking anyone;
    None when the shape says nothing (most numbers are digits only: ask Kuaidi100's detection)."""
    text = number.strip()
    return next((code for shape, code in _SHAPES if shape.match(text)), None)


def title(company: str) -> str:
    """The courier's Chinese and English names, or the code itself when it is not a common one."""
    names = COMPANIES.get(company)
    return f"{names[0]} {names[1]}" if names else company
