"""FedEx account settings and hosts (CARRIERS.md, FedEx section)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from carriergate.core.contract import Account

HOSTS = {"sandbox": "https://apis-sandbox.fedex.com", "production": "https://apis.fedex.com"}
#: The ETD (paperless trade documents) API lives on its own hosts.
DOCUMENT_HOSTS = {
    "sandbox": "https://documentapitest.prod.fedex.com/sandbox",
    "production": "https://documentapi.prod.fedex.com",
}


class FedExAccount(Account):
    """A FedEx REST API project's credentials and the shipping account they act for.

    ``base_url`` points the API (a proxy, the local sandbox); ``documents_base_url`` points the ETD
    upload API. When only ``base_url`` is overridden, documents go there too (one proxy serves both).
    ``pickup_carrier_code`` chooses the operating company for pickups: FDXE (Express) or FDXG (Ground).
    """

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    account_number: str = Field(min_length=1, max_length=20)
    documents_base_url: str | None = None
    pickup_carrier_code: Literal["FDXE", "FDXG"] = "FDXE"
    locale: str = "en_US"

    def documents_url(self) -> str:
        url = self.documents_base_url or self.base_url or DOCUMENT_HOSTS[self.environment]
        return url.rstrip("/")
