"""DHL Express (SOAP) account settings and the service roots they lead to.

DHL serves the SOAP API as two services under one root: ``expressRateBook`` (rate, ship, delete)
and ``glDHLExpressTrack`` (track). carriergate keeps the *root* as the base URL and appends the
service's path (services.py), so one setting moves both:

- sandbox: ``https://wsbexpress.dhl.com/sndpt`` + ``/expressRateBook`` and ``/glDHLExpressTrack``
- production: ``https://wsbexpress.dhl.com/gbl`` + ``/expressRateBook`` and ``/glDHLExpressTrack``
- ``base_url`` (overrides both): ``{base_url}/expressRateBook`` and ``{base_url}/glDHLExpressTrack``

So the local sandbox is ``base_url = "http://sandbox.carriergate.invalid/dhl_express"``.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from carriergate.core.contract import Account

#: The service roots by environment (CARRIERS.md); each service's path is appended (services.py).
HOSTS = {
    "sandbox": "https://wsbexpress.dhl.com/sndpt",
    "production": "https://wsbexpress.dhl.com/gbl",
}


class DHLExpressAccount(Account):
    """A DHL Express Web Services login (WS-Security UsernameToken) and the account billed.

    ``currency`` is the currency of declared values when a shipment has neither customs items nor
    insurance to take it from (DHL requires one on every shipment).
    """

    username: str = Field(min_length=1, max_length=100)
    password: SecretStr
    account_number: str = Field(pattern=r"^[0-9]{9,12}$")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
