"""Voiding: cancel the order (EXP_RECE_UPDATE_ORDER with dealType 2), which also cancels the
courier booked with it. SF cancels by our ``orderId``, kept on the label as
``carrier_data.order_id``. Repeating a cancel can create nothing, so it is a write that is retried.
"""

from __future__ import annotations

import httpx

from carriergate.carriers.sf_express.account import SFExpressAccount
from carriergate.carriers.sf_express.envelope import service_request
from carriergate.carriers.sf_express.errors import business_result, payload
from carriergate.core.errors import CarrierError, FieldError, ValidationError
from carriergate.core.results import Label

UPDATE_ORDER = "EXP_RECE_UPDATE_ORDER"
CANCEL = 2  # dealType: 1 confirm, 2 cancel


def order_id_of(label: Label, *, carrier: str) -> str:
    """The SF order id a label is cancelled by (our reference when the label predates it)."""
    found = label.carrier_data.get("order_id") or label.reference
    if not found:
        raise ValidationError(FieldError("carrier_data.order_id", "the SF order id is needed to cancel"),
                              carrier=carrier)
    return found


def build_void(order_id: str, account: SFExpressAccount, *, base_url: str) -> httpx.Request:
    """The cancel-order request for ``order_id`` (see :func:`order_id_of`)."""
    return service_request(base_url, account.partner_id, UPDATE_ORDER, {"dealType": CANCEL, "orderId": order_id})


def parse_void(response: httpx.Response, *, carrier: str) -> None:
    """A cancel answer: ``resStatus`` 2 is done; 1 means the order and waybill did not match."""
    data = payload(business_result(response, carrier=carrier), response, carrier=carrier)
    status = data.get("resStatus")
    if status is not None and str(status) != "2":
        raise CarrierError(f"SF did not cancel the order (resStatus {status})", carrier=carrier,
                           code=f"resStatus_{status}")
