"""YunExpress (云途物流) account settings and hosts: the open platform's application credentials.

The current open platform (``openapi.yunexpress.cn``) issues an application id and secret (开放平台 →
应用) and shows a ``sourceKey`` in the user centre (用户中心 → 用户信息). The secret both buys the access
token and keys every request's HMAC-SHA256 signature. The customer code (客户代码) is the account's
name at YunExpress; the older API (``oms.api.yunexpress.com``, HTTP Basic over ``customer code &
api secret``) authenticated with it, the open platform only uses it for reconciliation, so it is kept
as an identifier and never sent.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from carriergate.core.contract import Account

#: Hosts of the open platform (public SDKs and integrations agree on both; not from an official page).
HOSTS = {"sandbox": "https://openapi-sbx.yunexpress.cn", "production": "https://openapi.yunexpress.cn"}
#: Where the access token is bought, below the host.
TOKEN_PATH = "/openapi/oauth2/token"  # noqa: S105 - a path, not a secret
#: Hosts a label download URL may point at (besides the account's own API host): YunExpress serves
#: label files from its own domains. A URL elsewhere is refused rather than fetched.
LABEL_DOMAINS = ("yunexpress.cn", "yunexpress.com")


class YunExpressAccount(Account):
    """One YunExpress open-platform application.

    ``app_id`` and ``app_secret`` buy the token; ``source_key`` (the user centre's sourceKey) goes
    with them. Public integrations disagree on that field's spelling in the token request (``sourceKey``
    in most, ``sourcekey`` reported as the one the sandbox checks), so ``source_key_field`` chooses it.
    ``origin`` is the billing location price trials are computed for (YunExpress's default ``YT-SZ``,
    Shenzhen); ``package_type`` says what the parcels hold for price trials (C general cargo, E with
    batteries, F special goods); ``sensitive_type`` the same for orders (W parcel, D documents, F split,
    L envelope). ``ioss_code`` is the seller's EU IOSS number, sent with orders for the EU
    (a customs declaration's ``exporter_tax_id`` of the IOSS shape ``IM`` + 10 digits wins over it).
    ``language`` is sent as Accept-Language (YunExpress answers en-US, zh-CN or zh-HK).
    ``push_url`` is the callback URL registered for the application on YunExpress's open platform
    (YunExpress takes none per subscription); ``subscribe_type`` the subscription mode sent with it.
    """

    app_id: str = Field(min_length=1, max_length=64)
    app_secret: SecretStr
    source_key: SecretStr | None = None
    source_key_field: Literal["sourceKey", "sourcekey"] = "sourceKey"
    customer_code: str | None = Field(default=None, min_length=1, max_length=32)
    origin: str = Field(default="YT-SZ", min_length=1, max_length=20)
    package_type: Literal["C", "E", "F"] = "C"
    sensitive_type: Literal["W", "D", "F", "L"] = "W"
    source_code: str | None = Field(default=None, min_length=1, max_length=20)
    ioss_code: str | None = Field(default=None, pattern=r"^IM\d{10}$")
    language: Literal["en-US", "zh-CN", "zh-HK"] = "en-US"
    push_url: str | None = Field(default=None, min_length=1, max_length=512)
    subscribe_type: Literal["A", "F", "L", "N", "EL", "ANC"] = "L"
