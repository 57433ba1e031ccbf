"""DHL Express (SOAP) account settings and the service roots they lead to.

DHL serves the SOAP API as two services under one root: ``expressRateBook`` (rate, ship, delete)
and ``glDHLExpressTrack`` (track). carriergate keeps the *root* as the base URL and appends the
service's path (services.py), so one setting moves both:

- sandbox: ``https://wsbexpress.dhl.com/sndpt`` + ``/expressRateBook`` and ``/glDHLExpressTrack``
- production: ``https://wsbexpress.dhl.com/gbl`` + ``/expressRateBook`` and ``/glDHLExpressTrack``
- ``base_url`` (overrides both): ``{base_url}/expressRateBook`` and ``{base_url}/glDHLExpressTrack``

So the local sandbox is ``base_url = "http://sandbox.carriergate.invalid/dhl_express"``.

Stand-alone pickups are booked through DHL's MyDHL API (REST, HTTP Basic with its own API
credentials, ``mydhl_username``/``mydhl_password``): ``MYDHL_HOSTS`` by environment, or
``{base_url}/mydhlapi`` when ``base_url`` is set.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from carriergate.core.contract import Account

#: The service roots by environment (CARRIERS.md); each service's path is appended (services.py).
HOSTS = {
    "sandbox": "https://wsbexpress.dhl.com/sndpt",
    "production": "https://wsbexpress.dhl.com/gbl",
}
#: MyDHL API roots by environment (its OpenAPI ``servers``: test and production).
MYDHL_HOSTS = {
    "sandbox": "https://express.api.dhl.com/mydhlapi/test",
    "production": "https://express.api.dhl.com/mydhlapi",
}
MYDHL_PATH = "mydhlapi"


class DHLExpressAccount(Account):
    """A DHL Express Web Services login (WS-Security UsernameToken) and the account billed.

    ``currency`` is the currency of declared values when a shipment has neither customs items nor
    insurance to take it from (DHL requires one on every shipment). ``customs_invoice``: ask DHL
    for its own customs invoice on a dutiable shipment when the shop uploads none (returned in
    ``Label.documents``). ``mydhl_username``/``mydhl_password``: MyDHL API credentials, needed only
    to book a stand-alone pickup (``schedule_pickup``).
    """

    username: str = Field(min_length=1, max_length=100)
    password: SecretStr
    account_number: str = Field(pattern=r"^[0-9]{9,12}$")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    customs_invoice: bool = True
    mydhl_username: str | None = Field(default=None, min_length=1, max_length=100)
    mydhl_password: SecretStr | None = None
