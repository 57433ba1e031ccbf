"""UPS account settings: OAuth2 client credentials, the shipper number, the API versions, and the
hosts by environment."""

from __future__ import annotations

from pydantic import Field, SecretStr

from carriergate.core.contract import Account

#: UPS's hosts: the Customer Integration Environment (CIE) and production.
HOSTS = {"sandbox": "https://wwwcie.ups.com", "production": "https://onlinetools.ups.com"}


class UPSAccount(Account):
    """``client_id``/``client_secret`` from the UPS developer portal; ``account_number`` is the
    six-character shipper number. The API versions default to those in UPS's published specs and
    can be changed without a release when UPS moves on."""

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    account_number: str = Field(min_length=6, max_length=6)
    api_version: str = Field(default="v2409", min_length=2, description="Rating API version")
    rating_subversion: str = "2409"
    ship_version: str = "v2409"
    ship_subversion: str = "2205"
    pickup_version: str = "v2409"
    paperless_version: str = "v2"
    track_version: str = "v1"
    label_recovery_version: str = "v1"
    #: Ask for transit times with prices (Shoptimeintransit / Ratetimeintransit).
    transit_times: bool = True
    #: Ask for account-specific (negotiated) rates; the quote total is what the account is billed.
    negotiated_rates: bool = True
    #: Ask tracking for the delivery signature and proof of delivery (returnSignature / returnPOD);
    #: UPS gives them only to accounts with rights to the package.
    proof_of_delivery: bool = False
    transaction_source: str = Field(default="carriergate", min_length=1, max_length=512)
