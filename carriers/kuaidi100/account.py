"""Kuaidi100 account settings: the customer id (查询公司编号), the authorisation key (授权key), the
business secret, and the salt that signs the pushes of a subscription."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from carriergate.carriers.kuaidi100.companies import checked_phone
from carriergate.core.contract import Account

#: Kuaidi100's hosts (CARRIERS.md). It has no sandbox of its own: the sandbox environment is the
#: production host, so a test account should set ``base_url`` (the local emulator) instead.
HOSTS = {
    "sandbox": "https://poll.kuaidi100.com",
    "production": "https://poll.kuaidi100.com",
}
#: Where carrier detection (智能单号识别, ``/autonumber/auto``) is served; ``base_url`` replaces it too.
AUTONUMBER_HOST = "https://www.kuaidi100.com"


class Kuaidi100Account(Account):
    """One Kuaidi100 enterprise account.

    ``customer`` is an identifier, not a credential; ``key`` signs queries (and travels inside a
    subscription's param, as Kuaidi100 documents), ``secret`` signs the business APIs, ``salt`` signs
    the pushes Kuaidi100 makes to a subscription's callback URL (without it pushes cannot be verified,
    so :meth:`Kuaidi100.subscribe` refuses to subscribe). ``company`` is the courier code asked when a
    call names none (``shunfeng``, ``zhongtong``...; None: detect it from the number first). ``phone``
    is the sender's or recipient's phone (or its last four digits), which Kuaidi100 requires for SF
    and ZTO numbers. ``resultv2`` "4" asks for the detailed sub-states (e.g. 301 signed in person).
    """

    customer: str = Field(min_length=1, max_length=64)
    key: SecretStr
    secret: SecretStr
    salt: SecretStr | None = None
    company: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    phone: str | None = None
    resultv2: Literal["0", "1", "4"] = "4"

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else checked_phone(value, field="phone")
