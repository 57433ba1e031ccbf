"""Void a shipment: ``PUT /ship/v1/shipments/cancel`` (every package of the shipment).

FedEx calls it cancelling. Besides an error reply, a refusal (picked up already) may come back as a
success with ``cancelledShipment: false`` and an alert: that too is a CarrierError, with the alert's code.
"""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import output
from carriergate.core.errors import CarrierError
from carriergate.core.results import Label
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import obj, text

PATH = "/ship/v1/shipments/cancel"


def _body(label: Label, account: FedExAccount) -> dict[str, Any]:
    return {
        "accountNumber": {"value": label.carrier_data.get("account_number") or account.account_number},
        "trackingNumber": label.carrier_data.get("tracking_number") or label.tracking_number,
        "deletionControl": "DELETE_ALL_PACKAGES",
    }


def build_void(label: Label, account: FedExAccount, *, base_url: str, transaction_id: str) -> httpx.Request:
    """The cancel request for ``label``: the account and master tracking number it was bought with
    (kept in ``carrier_data``). ``transaction_id`` is the correlation header (the label's reference
    when it has one)."""
    return json_request("PUT", base_url + PATH, _body(label, account),
                        headers=p.headers(transaction_id, account.locale))


def parse_void(response: httpx.Response, *, carrier: str) -> None:
    out, request_id = output(response, carrier=carrier)
    if out.get("cancelledShipment") is True or str(out.get("cancelledShipment")).lower() == "true":
        return
    alert = obj(out.get("alerts"))
    message = text(out.get("message")) or text(alert.get("message")) or "FedEx did not cancel the shipment"
    raise CarrierError(message, carrier=carrier, code=text(alert.get("code")) or "not_cancelled",
                       http_status=response.status_code, request_id=request_id)
