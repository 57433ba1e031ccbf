"""Void a shipment: ``PUT /ship/v1/shipments/cancel`` (every package of the shipment)."""

from __future__ import annotations

from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import output
from carriergate.core.contract import Call
from carriergate.core.errors import CarrierError
from carriergate.core.results import Label
from carriergate.protocols.http import json_request

PATH = "/ship/v1/shipments/cancel"


def build_cancel(account: FedExAccount, label: Label) -> dict[str, Any]:
    return {
        "accountNumber": {"value": label.carrier_data.get("account_number") or account.account_number},
        "trackingNumber": label.carrier_data.get("tracking_number") or label.tracking_number,
        "deletionControl": "DELETE_ALL_PACKAGES",
    }


def cancel_call(account: FedExAccount, base_url: str, label: Label, *, carrier: str) -> Call[None]:
    http = json_request("PUT", base_url + PATH, build_cancel(account, label),
                        headers=p.headers(label.reference, account.locale))
    return Call(request=http, parse=lambda r: parse_cancel(r, carrier=carrier), operation="void",
                kind="write", idempotent=True,
                reference=label.reference)


def parse_cancel(response: httpx.Response, *, carrier: str) -> None:
    out, request_id = output(response, carrier=carrier)
    if out.get("cancelledShipment") is True or str(out.get("cancelledShipment")).lower() == "true":
        return
    alert = next(iter(p.objs(out.get("alerts"))), {})
    message = p.text(out.get("message")) or p.text(alert.get("message")) or "FedEx did not cancel the shipment"
    raise CarrierError(message, carrier=carrier, code=p.text(alert.get("code")) or "not_cancelled",
                       http_status=response.status_code, request_id=request_id)
