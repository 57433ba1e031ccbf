"""Finding a label again by our reference: ``POST /labels/v3/label-reprint`` (and
``/international-labels/v3/international-label-reprint``) with the ``X-Idempotency-Key`` the label
was bought under, which our reference alone determines (:func:`.endpoints.idempotency_key`).

USPS answers with the label it made under that key (``labelMetadata`` and the image), or an error
when it made none. A reprint is limited (three per label, until its mailing date; never for a
cancelled label), so this is for a caller who lost a label (after OutcomeUnknown, say), not a
routine read. Which API made the label is not known from the reference: the domestic one is asked
first, then the international one.
"""

from __future__ import annotations

import httpx

from carriergate.carriers.usps.account import USPSAccount
from carriergate.carriers.usps.endpoints import IDEMPOTENCY_HEADER, LABELS_JSON, idempotency_key
from carriergate.carriers.usps.ship import IMAGE_TYPES, parse_ship
from carriergate.core.errors import FieldError, ValidationError
from carriergate.core.results import Label
from carriergate.core.shipment import LabelFormat
from carriergate.protocols.http import json_request

REPRINT_PATHS = {False: "/labels/v3/label-reprint", True: "/international-labels/v3/international-label-reprint"}


def reference_asked(reference: str) -> str:
    value = reference.strip() if isinstance(reference, str) else ""
    if not value or len(value) > 64:
        raise ValidationError(FieldError("reference", "must be 1 to 64 characters"))
    return value


def build_find(reference: str, account: USPSAccount, *, base_url: str, label_format: LabelFormat,
               international: bool) -> httpx.Request:
    image_info = {"imageType": IMAGE_TYPES[label_format], "labelType": "4X6LABEL"}
    headers = {"accept": LABELS_JSON, IDEMPOTENCY_HEADER: idempotency_key(account, reference)}
    return json_request("POST", base_url + REPRINT_PATHS[international], {"imageInfo": image_info}, headers=headers)


def parse_find(response: httpx.Response, *, carrier: str, reference: str, label_format: LabelFormat,
               international: bool, key: str) -> Label:
    """The label reprinted (a NotFound when USPS holds none under the key)."""
    return parse_ship(response, carrier=carrier, label_format=label_format, reference=reference,
                      international=international, key=key)
