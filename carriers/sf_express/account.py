"""SF Express account settings: partner id (顾客编码), checkword (校验码), monthly card (月结卡号)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from carriergate.core.contract import Account

#: SF's own service URLs by environment (CARRIERS.md). The whole URL is the endpoint: every service
#: is a form POST to it, told apart by ``serviceCode``.
HOSTS = {
    "sandbox": "https://sfapi-sbox.sf-express.com/std/service",
    "production": "https://sfapi.sf-express.com/std/service",
}


class SFExpressAccount(Account):
    """One 丰桥 application.

    ``monthly_card`` (月结卡号) is an account number that SF prints on waybills, not a credential, so
    it is a plain string; the checkword is the only secret. ``base_url`` replaces the whole service
    URL (the local sandbox, a proxy). ``label_template`` is the cloud-print template code; ``{partner}``
    is replaced by the partner id.
    """

    partner_id: str = Field(min_length=1, max_length=64)
    checkword: SecretStr
    monthly_card: str | None = Field(default=None, max_length=32)
    language: str = "zh-CN"
    label_template: str = "fm_150_standard_{partner}"

    @property
    def template_code(self) -> str:
        return self.label_template.replace("{partner}", self.partner_id)
