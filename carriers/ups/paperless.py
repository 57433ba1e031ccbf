"""Paperless: upload trade documents (the commercial invoice) to UPS Forms History before the
ship call; the DocumentIDs returned are referenced from InternationalForms.UserCreatedForm."""

from __future__ import annotations

import base64

import httpx

from carriergate.carriers.ups.account import UPSAccount
from carriergate.carriers.ups.endpoints import post_json
from carriergate.carriers.ups.errors import read
from carriergate.carriers.ups.parties import fit
from carriergate.carriers.ups.shapes import required
from carriergate.core.shipment import TradeDocument
from carriergate.protocols.json_reading import JSON, as_list, dig, text

DOCUMENT_TYPES = {"commercial_invoice": "002", "proforma_invoice": "002", "certificate_of_origin": "003",
                  "other": "008"}  # fmt: skip
#: UPS allows thirteen documents per shipment.
MAX_DOCUMENTS = 13


def build_upload(documents: list[TradeDocument], account: UPSAccount, *, base_url: str, trans_id: str,
                 reference: str) -> httpx.Request:
    """The upload of a shipment's documents (the first thirteen), ``reference`` as UPS's CustomerContext."""
    return post_json(f"paperlessdocuments/{account.paperless_version}/upload",
                     _body(documents, account, reference=reference), account, base_url=base_url, trans_id=trans_id,
                     ShipperNumber=account.account_number)


def _body(documents: list[TradeDocument], account: UPSAccount, *, reference: str) -> JSON:
    forms = [{
        "UserCreatedFormFileName": fit(doc.filename, 300, f"documents[{i}].filename"),
        "UserCreatedFormFile": base64.b64encode(doc.content).decode("ascii"),
        "UserCreatedFormFileFormat": doc.format.lower(),
        "UserCreatedFormDocumentType": DOCUMENT_TYPES[doc.kind],
    } for i, doc in enumerate(documents[:MAX_DOCUMENTS])]
    return {"UploadRequest": {
        "Request": {"TransactionReference": {"CustomerContext": reference}},
        "ShipperNumber": account.account_number,
        "UserCreatedForm": forms,
    }}


def parse_upload(response: httpx.Response, *, carrier: str) -> list[str]:
    data = read(response, carrier=carrier, wrapper="UploadResponse")
    ids = [t for t in (text(v) for v in as_list(dig(data, "FormsHistoryDocumentID", "DocumentID"))) if t]
    return required(ids, "FormsHistoryDocumentID.DocumentID", carrier=carrier,  # type: ignore[no-any-return]
                    status=response.status_code)
