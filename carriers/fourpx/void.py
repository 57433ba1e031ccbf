"""Voiding: cancel the direct-shipment order (ds.xms.order.cancel v1.0.0), by 4PX's number.

4PX cancels an order still "forecast" (预报: created, the goods not yet handed over) and needs a
``cancel_reason``. Repeating a cancel creates nothing, so it is a write that may be retried; a
second cancel of the same order is refused by 4PX ("Can not find this order", DS000014).
"""

from __future__ import annotations

import httpx

from carriergate.carriers.fourpx.envelope import data_of, router_request
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.results import Label

CANCEL_ORDER, CANCEL_VERSION = "ds.xms.order.cancel", "1.0.0"
REASON = "cancelled by the shipper"


def request_no_of(label: Label, *, carrier: str) -> str:
    """The number 4PX cancels by: its own tracking number (our reference, 4PX's ``ref_no``, also works)."""
    found = label.carrier_data.get("4px_tracking_no") or label.tracking_number or label.reference
    if not found:
        raise ValidationError(FieldError("tracking_number", "the 4PX number is needed to cancel"), carrier=carrier)
    return found


def build_void(request_no: str, *, base_url: str, reason: str = REASON) -> httpx.Request:
    return router_request(base_url, CANCEL_ORDER, CANCEL_VERSION, {"request_no": request_no, "cancel_reason": reason})


def parse_void(response: httpx.Response, *, carrier: str) -> None:
    """A cancel answer: ``result`` 1 (``data`` null) is done; a refusal is its typed error."""
    data_of(response, carrier=carrier)
