"""SF Express (顺丰, 丰桥 open platform): signed form POSTs carrying JSON ``msgData``.

Operations: rate (EXP_RECE_QUERY_DELIVERTM, mainland China), ship (EXP_RECE_CREATE_ORDER, then the
label from COM_RECE_CLOUD_PRINT_WAYBILLS), void (EXP_RECE_UPDATE_ORDER dealType 2), track and
track_many (EXP_RECE_SEARCH_ROUTES, up to ten waybills a query), find_label
(EXP_RECE_SEARCH_ORDER_RESP by our reference, then cloud print). No return labels: SF's return order
(EXP_RECE_CREATE_REVERSE_ORDER) needs a business template SF configures per customer, and neither its
answer nor its cancellation is documented here. The courier pickup travels with the order
(``isDocall`` 1 and ``sendStartTm`` from ``ShipRequest.pickup``) and is cancelled with it; SF offers
no stand-alone pickup here, so schedule_pickup and cancel_pickup are NotSupported. A shop reads SF's
route push (webhook) with :func:`parse_route_push`.
"""

from carriergate.carriers.sf_express.account import SFExpressAccount
from carriergate.carriers.sf_express.carrier import SFExpress
from carriergate.carriers.sf_express.track import parse_route_push

__all__ = ["SFExpress", "SFExpressAccount", "parse_route_push"]
