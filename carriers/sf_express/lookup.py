"""Finding a shipment by our own reference: the order query (EXP_RECE_SEARCH_ORDER_RESP, searchType 1).

The ship flow uses the same query to reconcile a duplicate or an outcome-unknown create, and there
an order SF does not hold is an error. :func:`parse_found` serves ``find_label``, the public
look-up a caller makes after OutcomeUnknown: there "SF holds no order under this reference" is an
answer (None), not a failure, so the caller knows that shipping again is the next step.

SF says so with a business error: 6150 订单不存在 (no such order), 8018 未获取到订单信息 (no order
information found) or 8024 未下单 (never ordered), from SF's error-code table. Any other refusal
(a cancelled order, 8037 已消单, say) stays an error carrying SF's own code. An accepted answer
without a waybill number (an order still under manual review, or one SF cannot serve) holds no
shipment either, and is None too.
"""

from __future__ import annotations

import httpx

from carriergate.carriers.sf_express.errors import business_result, payload
from carriergate.carriers.sf_express.ship import Order, order_of
from carriergate.core.errors import CarrierError, FieldError, ValidationError

#: SF business codes meaning that no order exists under the orderId asked for.
NOT_FOUND_CODES = frozenset({"6150", "8018", "8024"})


def reference_of(reference: str, *, carrier: str) -> str:
    """Our reference as SF's ``orderId``: stripped and non-empty, else refused before sending."""
    value = reference.strip() if isinstance(reference, str) else ""
    if not value or len(value) > 64:
        raise ValidationError(FieldError("reference", "must be 1 to 64 characters (SF's orderId)"), carrier=carrier)
    return value


def parse_found(response: httpx.Response, *, carrier: str) -> Order | None:
    """The order SF holds under the reference asked for, or None when it holds none."""
    try:
        data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    except CarrierError as error:
        if error.code in NOT_FOUND_CODES:
            return None
        raise
    order = order_of(data, carrier=carrier)
    return order if order.waybills else None
