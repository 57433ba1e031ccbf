"""DHL Express's two SOAP services and where they live under the account's base URL.

DHL serves its Web Services as two ports under one root: ``expressRateBook`` (rate, ship, delete)
and ``glDHLExpressTrack`` (track). carriergate keeps the *root* as the base URL (account.HOSTS or
``Account.base_url``) and appends the service's path, so one setting moves both. Constructing a
:class:`SoapService` loads nothing: zeep and the WSDL load the first time a message is built or read.
"""

from __future__ import annotations

from carriergate.protocols.soap import SoapService

PACKAGE = __package__ or "carriergate.carriers.dhl_express"

#: The path of each service below the base URL.
RATE_BOOK_PATH = "expressRateBook"
TRACKING_PATH = "glDHLExpressTrack"

RATE_BOOK = SoapService(PACKAGE, "expressRateBook.wsdl", "expressRateBook", "expressRateBook")
TRACKING = SoapService(PACKAGE, "glDHLExpressTrack.wsdl", "glDHLExpressTrack", "glDHLExpressTrack")


def rate_book_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/{RATE_BOOK_PATH}"


def tracking_url(base_url: str) -> str:
    return f"{base_url.rstrip('/')}/{TRACKING_PATH}"
