"""USPS account settings: OAuth2 client credentials, the Customer Registration ID (CRID), the Mailer
IDs that own the labels and pay for them, the payment account, and the hosts by environment."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, model_validator

from carriergate.core.contract import Account

#: USPS's Testing Environment for Mailers (TEM) and production (payments.yaml ``servers``).
HOSTS = {"sandbox": "https://apis-tem.usps.com", "production": "https://apis.usps.com"}

#: A Mailer ID: six or nine digits (payments.yaml ``MID`` pattern).
MID_PATTERN = r"^(\d{6}|\d{9})$"


class USPSAccount(Account):
    """``client_id``/``client_secret`` of the app registered on the USPS developer portal; ``crid`` the
    business's Customer Registration ID. ``mid``/``manifest_mid`` are the Mailer IDs of the label owner
    (whose label ranges number the tracking numbers); ``payer_mid`` defaults to them. The payer's
    account is ``account_type`` with ``account_number`` (EPS, METER) or ``permit_number`` and
    ``permit_zip`` (PERMIT, OMAS), as the payments API requires for the PAYER role."""

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    crid: str = Field(min_length=2, max_length=18, pattern=r"^\d+$")
    mid: str = Field(pattern=MID_PATTERN)
    manifest_mid: str | None = Field(default=None, pattern=MID_PATTERN)
    payer_mid: str | None = Field(default=None, pattern=MID_PATTERN)
    account_type: Literal["EPS", "PERMIT", "METER", "OMAS"] = "EPS"
    account_number: str | None = Field(default=None, min_length=1, max_length=20)
    permit_number: str | None = Field(default=None, min_length=1, max_length=20)
    permit_zip: str | None = Field(default=None, pattern=r"^\d{5}$")
    #: The price type asked for and bought: RETAIL, COMMERCIAL or CONTRACT (domestic-prices.yaml).
    price_type: Literal["RETAIL", "COMMERCIAL", "CONTRACT"] = "COMMERCIAL"
    #: How long a payment authorization token is used: USPS issues them for eight hours
    #: (payments.yaml); the answer carries no lifetime of its own.
    payment_token_lifetime: float = Field(default=8 * 3600.0, gt=0, le=8 * 3600.0)
    #: The AESITN (export filing exemption) on international customs forms, which USPS requires:
    #: "NO EEI 30.37(a)" (goods under 2,500 USD a schedule B number) unless an ITN applies.
    aes_itn: str = Field(default="NO EEI 30.37(a)", min_length=1, max_length=35)

    @model_validator(mode="after")
    def _payment_account_complete(self) -> USPSAccount:
        if self.account_type in ("EPS", "METER") and not self.account_number:
            raise ValueError(f"account_number is required when account_type is {self.account_type}")
        if self.account_type in ("PERMIT", "OMAS") and not (self.permit_number and self.permit_zip):
            raise ValueError(f"permit_number and permit_zip are required when account_type is {self.account_type}")
        return self

    @property
    def label_manifest_mid(self) -> str:
        return self.manifest_mid or self.mid

    def payment_roles(self) -> list[dict[str, str]]:
        """The PAYER and LABEL_OWNER roles of a payment authorization (payments.yaml ``Role``)."""
        payer: dict[str, str] = {"roleName": "PAYER", "CRID": self.crid, "MID": self.payer_mid or self.mid,
                                 "manifestMID": self.label_manifest_mid, "accountType": self.account_type}
        if self.account_type in ("EPS", "METER") and self.account_number:
            payer["accountNumber"] = self.account_number
        else:
            payer.update(permitNumber=self.permit_number or "", permitZIP=self.permit_zip or "")
        owner = {"roleName": "LABEL_OWNER", "CRID": self.crid, "MID": self.mid,
                 "manifestMID": self.label_manifest_mid}
        return [payer, owner]
