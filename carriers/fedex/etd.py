"""Electronic Trade Documents: ``POST /documents/v1/etds/upload`` on FedEx's document host.

Each document is uploaded before the shipment (workflow ``ETDPreshipment``) as multipart form data:
a ``document`` part holding the JSON description and an ``attachment`` part holding the file. The
returned ``docId`` is then referenced by the shipment's ``etdDetail.attachedDocuments`` (ship.py).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex import ship
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import checked, transaction_id
from carriergate.carriers.fedex.services import DOCUMENT_MIME, DOCUMENT_TYPES
from carriergate.core.errors import MalformedResponse
from carriergate.core.shipment import ShipRequest, TradeDocument
from carriergate.protocols.json_reading import dig, text

PATH = "/documents/v1/etds/upload"


def _description(request: ShipRequest, document: TradeDocument) -> dict[str, Any]:
    return {
        "workflowName": "ETDPreshipment",
        "name": document.filename,
        "contentType": DOCUMENT_MIME[document.format],
        "meta": {
            "shipDocumentType": DOCUMENT_TYPES[document.kind],
            "originCountryCode": request.origin.country,
            "destinationCountryCode": request.destination.country,
        },
    }


def build_upload(request: ShipRequest, document: TradeDocument, account: FedExAccount, *,
                 carrier: str) -> httpx.Request:
    """The upload of one of ``request.documents`` to the account's document host. The shipment is
    checked first (ship.validate): the upload is its first exchange, so a shipment FedEx would refuse
    sends nothing at all. Our reference is the correlation header."""
    ship.validate(request, carrier=carrier)
    description = json.dumps(_description(request, document), separators=(",", ":"))
    return httpx.Request(
        "POST", account.documents_url() + PATH,
        data={"document": description},
        files={"attachment": (document.filename, document.content, DOCUMENT_MIME[document.format])},
        headers={"accept": "application/json", **p.headers(request.reference, account.locale)},
    )


def parse_upload(response: httpx.Response, *, carrier: str) -> str:
    """The uploaded document's id (``output.meta.docId``)."""
    body = checked(response, carrier=carrier)
    doc_id = text(dig(body, "output", "meta", "docId"))
    if doc_id is None:
        raise MalformedResponse("document upload answer has no docId", carrier=carrier,
                                http_status=response.status_code, request_id=transaction_id(body))
    return doc_id
