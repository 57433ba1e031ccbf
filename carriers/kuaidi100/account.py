"""Kuaidi100 account settings: the customer id (查询公司编号), the authorisation key (授权key), the
business secret, the salt that signs the pushes of a subscription, and the options of the business
APIs (rating, labels, pickups)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from carriergate.carriers.kuaidi100.companies import checked_company, checked_phone
from carriergate.core.contract import Account

#: Kuaidi100's hosts (CARRIERS.md). It has no sandbox of its own: the sandbox environment is the
#: production host, so a test account should set ``base_url`` (the local emulator) instead.
HOSTS = {
    "sandbox": "https://poll.kuaidi100.com",
    "production": "https://poll.kuaidi100.com",
}
#: Where carrier detection (智能单号识别, ``/autonumber/auto``) is served; ``base_url`` replaces it too.
AUTONUMBER_HOST = "https://www.kuaidi100.com"
#: Where the label/order family is served (电子面单 order and cancel, 时效预估 ``time``), per
#: api.kuaidi100.com/document/dianzimiandanV2; ``base_url`` replaces it too.
LABEL_HOST = "https://api.kuaidi100.com"
#: Kuaidi100's default service (业务类型) for prices, pickups and labels.
STANDARD = "标准快递"


class WaybillAccount(BaseModel):
    """The electronic-waybill account (电子面单账号) a courier's branch gave the shop: which fields a
    courier needs is Kuaidi100's 参数字典 (not machine-readable; unconfirmed per courier), so each is
    optional and sent only when set. ``temp_id`` overrides the account's label template."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    partner_id: str | None = Field(default=None, min_length=1, max_length=100)
    partner_key: SecretStr | None = None
    partner_secret: SecretStr | None = None
    partner_name: str | None = Field(default=None, max_length=100)
    net: str | None = Field(default=None, max_length=100)
    code: str | None = Field(default=None, max_length=100)
    check_man: str | None = Field(default=None, max_length=100)
    temp_id: str | None = Field(default=None, max_length=100)

    def __repr__(self) -> str:
        return f"WaybillAccount(partner_id={self.partner_id!r}, temp_id={self.temp_id!r})"

    def secrets(self) -> list[str]:
        return [s.get_secret_value() for s in (self.partner_key, self.partner_secret) if s is not None]


class Kuaidi100Account(Account):
    """One Kuaidi100 enterprise account.

    ``customer`` is an identifier, not a credential; ``key`` signs queries (and travels inside a
    subscription's param, as Kuaidi100 documents), ``secret`` signs the business APIs, ``salt`` signs
    the pushes Kuaidi100 makes to a subscription's callback URL (without it pushes cannot be verified,
    so :meth:`Kuaidi100.subscribe` refuses to subscribe). ``company`` is the courier code asked when a
    call names none (``shunfeng``, ``zhongtong``...; None: detect it from the number first). ``phone``
    is the sender's or recipient's phone (or its last four digits), which Kuaidi100 requires for SF
    and ZTO numbers. ``resultv2`` "4" asks a subscription for the detailed sub-states (documented for
    ``poll``; the query document of 2024 names "6" for the same, also accepted).

    Business APIs: ``rate_companies`` are the couriers a rate quotes (one quote each; a comma-separated
    string is accepted; empty: the account's ``company``); ``service_type`` is the 业务类型 priced,
    booked and printed; ``temp_id`` the label template (模板编码) and ``waybill_accounts`` each
    courier's electronic-waybill account. Pickups (商家寄件 ``bOrder``) collect at the request's address
    and deliver to the ``pickup_to_*`` party (the shop's warehouse: Kuaidi100's pickup service is an
    order to send, so it needs a recipient a PickupRequest does not carry), with ``pickup_company``
    (else ``company``), ``pickup_cargo`` and the ``order_callback_url`` Kuaidi100 requires.
    """

    customer: str = Field(min_length=1, max_length=64)
    key: SecretStr
    secret: SecretStr
    salt: SecretStr | None = None
    company: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    phone: str | None = None
    resultv2: Literal["0", "1", "4", "6"] = "4"
    rate_companies: tuple[str, ...] = ()
    service_type: str = Field(default=STANDARD, min_length=1, max_length=40)
    temp_id: str | None = Field(default=None, min_length=1, max_length=100)
    waybill_accounts: dict[str, WaybillAccount] = Field(default_factory=dict)
    pickup_company: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$")
    pickup_to_name: str | None = Field(default=None, min_length=1, max_length=100)
    pickup_to_phone: str | None = None
    pickup_to_address: str | None = Field(default=None, min_length=4, max_length=200)
    pickup_cargo: str | None = Field(default=None, min_length=1, max_length=50)
    order_callback_url: str | None = Field(default=None, min_length=8, max_length=500)

    @field_validator("phone", "pickup_to_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else checked_phone(value, field="phone")

    @field_validator("rate_companies", mode="before")
    @classmethod
    def _companies(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            return tuple(dict.fromkeys(checked_company(str(v), field="rate_companies") for v in value))
        return value

    @field_validator("waybill_accounts")
    @classmethod
    def _waybill_companies(cls, value: dict[str, WaybillAccount]) -> dict[str, WaybillAccount]:
        return {checked_company(code, field="waybill_accounts"): account for code, account in value.items()}

    def waybill(self, company: str) -> WaybillAccount:
        """The electronic-waybill account for ``company`` (an empty one when none is configured)."""
        return self.waybill_accounts.get(company) or WaybillAccount()

    def business_secrets(self) -> list[str]:
        """The nested secrets (waybill passwords and keys) the account's top-level SecretStr fields miss."""
        return [s for account in self.waybill_accounts.values() for s in account.secrets()]
