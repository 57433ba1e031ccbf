"""Electronic Trade Documents: ``POST /documents/v1/etds/upload`` on FedEx's document host.

Each document is uploaded before the shipment (workflow ``ETDPreshipment``) as multipart form data:
a ``document`` part holding the JSON description and an ``attachment`` part holding the file. The
returned ``docId`` is then referenced by the shipment's ``etdDetail.attachedDocuments``.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from carriergate.carriers.fedex import payload as p
from carriergate.carriers.fedex.account import FedExAccount
from carriergate.carriers.fedex.errors import checked, transaction_id
from carriergate.carriers.fedex.services import DOCUMENT_MIME, DOCUMENT_TYPES
from carriergate.core.contract import Call
from carriergate.core.errors import MalformedResponse
from carriergate.core.shipment import ShipRequest, TradeDocument

PATH = "/documents/v1/etds/upload"


def build_document(request: ShipRequest, document: TradeDocument) -> dict[str, Any]:
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


def upload_call(account: FedExAccount, request: ShipRequest, document: TradeDocument, *,
                carrier: str) -> Call[str]:
    description = json.dumps(build_document(request, document), separators=(",", ":"))
    http = httpx.Request(
        "POST", account.documents_url() + PATH,
        data={"document": description},
        files={"attachment": (document.filename, document.content, DOCUMENT_MIME[document.format])},
        headers={"accept": "application/json", **p.headers(request.reference, account.locale)},
    )
    # Uploading a document twice creates nothing a customer pays for: safe to retry.
    return Call(request=http, parse=lambda r: parse_upload(r, carrier=carrier), operation="etd_upload",
                kind="write", idempotent=True,
                reference=request.reference)


def parse_upload(response: httpx.Response, *, carrier: str) -> str:
    """The uploaded document's id (``output.meta.docId``)."""
    body = checked(response, carrier=carrier)
    doc_id = p.text(p.obj(p.obj(body.get("output")).get("meta")).get("docId"))
    if doc_id is None:
        raise MalformedResponse("document upload answer has no docId", carrier=carrier, code="malformed",
                                http_status=response.status_code, request_id=transaction_id(body))
    return doc_id
