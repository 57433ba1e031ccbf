"""Void: cancel a shipment by its ShipmentIdentificationNumber."""

from __future__ import annotations

import httpx

from carriergate.carriers.ups.errors import read
from carriergate.carriers.ups.shapes import dig, text
from carriergate.core.errors import CarrierError
from carriergate.core.results import Label

VOIDED = "1"


def shipment_id(label: Label) -> str:
    return label.carrier_data.get("shipment_id") or label.tracking_number


def parse_void(response: httpx.Response, *, carrier: str) -> None:
    data = read(response, carrier=carrier, wrapper="VoidShipmentResponse")
    status = text(dig(data, "SummaryResult", "Status", "Code"))
    if status != VOIDED:
        description = text(dig(data, "SummaryResult", "Status", "Description")) or "shipment was not voided"
        raise CarrierError(description, carrier=carrier, code=status or "void_failed",
                           http_status=response.status_code)
