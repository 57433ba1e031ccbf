"""Cancel or refund a label: ``DELETE /labels/v3/label/{trackingNumber}`` (domestic) or
``DELETE /international-labels/v3/international-label/{trackingNumber}``.

USPS cancels a label whose Shipping Services File is not made yet (``status: CANCELED``) and
otherwise submits a refund request (``DISPUTED``, with a ``disputeId``); both mean the postage
comes back, so both are success. Repeating the call cannot buy anything: a void is idempotent.
"""

from __future__ import annotations

from urllib.parse import quote

import httpx

from carriergate.carriers.usps.errors import checked
from carriergate.core.contract import tracking_number
from carriergate.core.errors import MalformedResponse
from carriergate.core.results import Label
from carriergate.protocols.json_reading import text

DONE = frozenset({"CANCELED", "CANCELLED", "DISPUTED"})


def is_international(label: Label) -> bool:
    return label.carrier_data.get("international") == "true"


def build_void(label: Label, *, base_url: str) -> httpx.Request:
    number = quote(tracking_number(label.tracking_number, field="label.tracking_number"), safe="")
    path = "/international-labels/v3/international-label" if is_international(label) else "/labels/v3/label"
    return httpx.Request("DELETE", f"{base_url}{path}/{number}", headers={"accept": "application/json"})


def parse_void(response: httpx.Response, *, carrier: str) -> None:
    body = checked(response, carrier=carrier)
    status = (text(body.get("status")) or "").upper()
    if status not in DONE:
        raise MalformedResponse(f"cancel answer has status {status or 'none'!r}, not CANCELED or DISPUTED",
                                carrier=carrier, http_status=response.status_code)
