"""Finding a shipment by our reference: ``POST /track/v1/referencenumbers`` (FedEx Track by References).

After an outcome-unknown ship, the caller asks whether FedEx holds a shipment under our reference.
ship.py sends our reference as the package's ``CUSTOMER_REFERENCE``, so that is the type looked up,
on our own account (FedEx requires the shipper's account number to track by anything but a number).
FedEx answers with tracking data, not the label: the Label found has the tracking number and
service but no image (empty bytes), and a Notice saying so.
"""

from __future__ import annotations

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import output
from carriergate.carriers.fedex.notices import alerts
from carriergate.carriers.fedex.track import most_recent
from carriergate.core.errors import CarrierError, NotFound
from carriergate.core.notices import Notice
from carriergate.core.results import Label
from carriergate.protocols.http import json_request
from carriergate.protocols.json_reading import obj, records, text

PATH = "/track/v1/referencenumbers"
REFERENCE_TYPE = "CUSTOMER_REFERENCE"
NO_IMAGE = Notice(message="FedEx does not re-issue label images: reprint the label you saved, or void this "
                          "shipment and ship again", code="no_label_image")


def build_find(reference: str, account: FedExAccount, *, base_url: str, transaction_id: str) -> httpx.Request:
    """The look-up of the shipment made under ``reference`` on the configured account."""
    body = {"referencesInformation": {"type": REFERENCE_TYPE, "value": reference[:40],
                                      "accountNumber": account.account_number},
            "includeDetailedScans": False}
    return json_request("POST", base_url + PATH, body, headers=p.headers(transaction_id, account.locale))


def parse_find(response: httpx.Response, *, carrier: str, reference: str) -> Label | None:
    """The shipment found (the most recent, with a Notice, when several carry the reference), or None
    when FedEx holds none."""
    try:
        out, request_id = output(response, carrier=carrier)
    except NotFound:
        return None
    results = [r for c in records(out.get("completeTrackResults")) for r in records(c.get("trackResults"))]
    found = [r for r in results if not obj(r.get("error"))]
    if not found:
        error = next((obj(r.get("error")) for r in results), {})
        code = text(error.get("code"))
        if code is None or "NOTFOUND" in code.upper().replace("_", ""):
            return None
        raise CarrierError(text(error.get("message")) or "FedEx could not look the reference up", carrier=carrier,
                           code=code, http_status=response.status_code, request_id=request_id)
    chosen, several = most_recent(found)
    assert chosen is not None
    number = text(obj(chosen.get("trackingNumberInfo")).get("trackingNumber"))
    if number is None:
        return None
    data = {"tracking_number": number}
    service = text(obj(chosen.get("serviceDetail")).get("type"))
    if service:
        data["service_type"] = service
    return Label(carrier=carrier, tracking_number=number, tracking_numbers=[number], label=b"", label_format="PDF",
                 reference=reference, carrier_data=data, warnings=[*alerts(out), *several, NO_IMAGE])
