"""Finding an order by our own reference: ds.xms.order.get v1.1.0 (查询直发委托单).

``request_no`` takes 4PX's number or the customer's ``ref_no`` (ours). 4PX answers ``data`` as a list
of ``{"consignment_info": {"4px_tracking_no", "ref_no", "ds_consignment_no", "logistics_channel_no",
"logistics_product_code", "consignment_status", ...}, "parcel_confirm_info": {...}}``.

Used twice: by ``find_label`` (the public look-up after OutcomeUnknown), where "no such order" is an
answer (None), and by the ship flow to reconcile a create whose answer was lost. An order in status
``X`` (closed: cancelled) holds no shipment, so it counts as none. How 4PX answers a reference it holds
no order for is not documented publicly (unconfirmed): an empty list and DS000017 "order not found"
are both taken for "none".
"""

from __future__ import annotations

import httpx

from carriergate.carriers.fourpx.envelope import data_of, router_request
from carriergate.carriers.fourpx.ship import Order
from carriergate.core.errors import FieldError, NotFound, ValidationError
from carriergate.protocols.json_reading import obj, records, text

GET_ORDER, GET_VERSION = "ds.xms.order.get", "1.1.0"
CLOSED = "X"


def reference_of(reference: str, *, carrier: str) -> str:
    """Our reference as 4PX's ``request_no``: stripped, 1 to 64 characters, else refused before sending."""
    value = reference.strip() if isinstance(reference, str) else ""
    if not value or len(value) > 64:
        raise ValidationError(FieldError("reference", "must be 1 to 64 characters (4PX's ref_no)"), carrier=carrier)
    return value


def build_lookup(reference: str, *, base_url: str) -> httpx.Request:
    return router_request(base_url, GET_ORDER, GET_VERSION, {"request_no": reference})


def parse_found(response: httpx.Response, *, carrier: str, reference: str) -> Order | None:
    """The live order 4PX holds under ``reference``; None when it holds none (or only a closed one)."""
    try:
        data = data_of(response, carrier=carrier)
    except NotFound:
        return None
    for entry in records(data):
        info = obj(entry.get("consignment_info"))
        number = text(info.get("4px_tracking_no"))
        ref_no = text(info.get("ref_no"))
        if number is None or (ref_no is not None and reference not in (ref_no, number)):
            continue
        if text(info.get("consignment_status")) == CLOSED:
            continue
        return Order(tracking_number=number, reference=ref_no or reference,
                     consignment_no=text(info.get("ds_consignment_no")),
                     channel_number=text(info.get("logistics_channel_no")),
                     channel_name=text(info.get("logistics_channel_name")))
    return None
