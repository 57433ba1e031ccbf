"""4PX (递四方) open platform: signed calls to one router (open.4px.com), told apart by ``method``.

Operations: rate (ds.xms.estimated_cost.get, CNY), ship (ds.xms.order.create with IOSS/VAT/EORI from
the account, then ds.xms.label.get and the PDF download), void (ds.xms.order.cancel), track
(tr.order.tracking.get, one number a call) and find_label (ds.xms.order.get by our reference, then
the label). No pickups (4PX collects by the order's ``deliver_type``) or return labels here.
"""

from carriergate.carriers.fourpx.account import FourPXAccount
from carriergate.carriers.fourpx.carrier import FourPX

__all__ = ["FourPX", "FourPXAccount"]
