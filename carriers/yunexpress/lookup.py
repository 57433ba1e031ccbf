"""Finding an order by our reference: ``GET /v1/order/info/get?order_number=...`` (查询运单详情).

The look-up takes a waybill number, a tracking number or the customer order number, which is our
reference (ship sends it as ``customer_order_number``): after an outcome-unknown ship the caller can
ask whether the order exists, and get its label again. An answer with no order (``result`` empty or
null, or HTTP 404) means there is none.
"""

from __future__ import annotations

from urllib.parse import urlencode

import httpx

from carriergate.carriers.yunexpress.account import YunExpressAccount
from carriergate.carriers.yunexpress.errors import envelope
from carriergate.carriers.yunexpress.ship import MAX_REFERENCE, Order, order_from
from carriergate.core.errors import FieldError, NotFound, ValidationError

INFO_PATH = "/v1/order/info/get"


def build_lookup(reference: str, account: YunExpressAccount, *, base_url: str,
                 carrier: str = "yunexpress") -> httpx.Request:
    value = reference.strip()
    if not value or len(value) > MAX_REFERENCE:
        raise ValidationError(FieldError("reference", f"1 to {MAX_REFERENCE} characters"), carrier=carrier)
    return httpx.Request("GET", f"{base_url}{INFO_PATH}?{urlencode({'order_number': value})}",
                         headers={"accept": "application/json", "accept-language": account.language})


def parse_lookup(response: httpx.Response, *, carrier: str = "yunexpress") -> Order | None:
    try:
        body = envelope(response, carrier=carrier)
    except NotFound:
        return None
    result = body.get("result")
    if not result:
        return None
    # The order's ``status`` is kept in carrier_data as given: public sources disagree on its letters
    # (one lists C as deleted, another as shipped), so it is not interpreted.
    return order_from(result, carrier=carrier, http_status=response.status_code)
