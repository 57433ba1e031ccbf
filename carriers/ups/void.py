"""Void: cancel a shipment by its ShipmentIdentificationNumber
(``DELETE /api/shipments/<version>/void/cancel/<id>``)."""

from __future__ import annotations

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.endpoints import without_body
from carriergate.carriers.ups.errors import read
from carriergate.core.contract import tracking_number
from carriergate.core.errors import CarrierError
from carriergate.core.results import Label
from carriergate.protocols.json_reading import dig, text

VOIDED = "1"


def shipment_id(label: Label) -> str:
    return label.carrier_data.get("shipment_id") or label.tracking_number


def build_void(label: Label, account: UPSAccount, *, base_url: str, trans_id: str) -> httpx.Request:
    """The void of ``label``'s shipment. Its id goes into the URL path, so it is checked first."""
    shipment = tracking_number(shipment_id(label), field="label.carrier_data.shipment_id")
    return without_body("DELETE", f"shipments/{account.ship_version}/void/cancel/{shipment}", account,
                        base_url=base_url, trans_id=trans_id)


def parse_void(response: httpx.Response, *, carrier: str) -> None:
    data = read(response, carrier=carrier, wrapper="VoidShipmentResponse")
    status = text(dig(data, "SummaryResult", "Status", "Code"))
    if status != VOIDED:
        description = text(dig(data, "SummaryResult", "Status", "Description")) or "shipment was not voided"
        raise CarrierError(description, carrier=carrier, code=status or "void_failed",
                           http_status=response.status_code)
