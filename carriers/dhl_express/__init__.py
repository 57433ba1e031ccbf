"""DHL Express over its SOAP Web Services (expressRateBook, glDHLExpressTrack).

Importing this package imports neither zeep nor any WSDL: both load on the first DHL message.
"""

from carriergate.carriers.dhl_express.account import DHLExpressAccount
from carriergate.carriers.dhl_express.carrier import DHLExpress
from carriergate.carriers.dhl_express.pickup import pickup_from_label

__all__ = ["DHLExpress", "DHLExpressAccount", "pickup_from_label"]
