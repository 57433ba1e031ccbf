"""Label PDFs: COM_RECE_CLOUD_PRINT_WAYBILLS (cloud print 2.0, synchronous mode).

SF answers ``obj.files[]``. A file that carries its PDF as base64 ``content`` is decoded here. A file
that carries only a download ``url`` (with a ``token``) would need a second, authenticated download
from SF's file host; this adapter does not perform it and raises a clear :class:`NotSupported`
naming the waybill, so the caller can print through SF's own tools. (Follow-up: yield the download
as one more Call.)
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import httpx

from carriergate.carriers.sf_express.errors import business_result, payload
from carriergate.core.errors import MalformedResponse, NotSupported

CLOUD_PRINT = "COM_RECE_CLOUD_PRINT_WAYBILLS"


def build_print(waybill: str, template_code: str) -> dict[str, Any]:
    return {"templateCode": template_code, "version": "2.0", "fileType": "pdf", "sync": True,
            "documents": [{"masterWaybillNo": waybill}]}


def parse_print(response: httpx.Response, *, carrier: str) -> bytes:
    """The first file's PDF bytes."""
    obj = payload(business_result(response, carrier=carrier), response, carrier=carrier, key="obj")
    files = obj.get("files")
    if not isinstance(files, list) or not files or not isinstance(files[0], dict):
        raise MalformedResponse("SF cloud print answer has no files", carrier=carrier, code="malformed")
    first = files[0]
    content = first.get("content")
    if isinstance(content, str) and content:
        try:
            pdf = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise MalformedResponse("SF label content is not base64", carrier=carrier, code="malformed") from None
        if not pdf.startswith(b"%PDF"):
            raise MalformedResponse("SF label content is not a PDF", carrier=carrier, code="malformed")
        return pdf
    if first.get("url"):
        raise NotSupported(f"SF returned the label of {first.get('waybillNo') or 'the waybill'} only as a download "
                           "URL; carriergate reads base64 label content only", carrier=carrier,
                           code="label_url_only")
    raise MalformedResponse("SF cloud print file has neither content nor url", carrier=carrier, code="malformed")
