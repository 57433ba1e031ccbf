"""DHL Express over its SOAP Web Services (expressRateBook, glDHLExpressTrack).

Importing this package imports neither zeep nor any WSDL: both load on the first DHL message.
"""

from .account import DHLExpressAccount
from .carrier import DHLExpress
from .pickups import pickup_from_label

__all__ = ["DHLExpress", "DHLExpressAccount", "pickup_from_label"]
