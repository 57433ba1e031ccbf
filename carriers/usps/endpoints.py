"""Where USPS requests go, the headers label calls carry, and the idempotency key of a label.

Each API lives under its own path on one host (``servers`` of each OpenAPI file):
``/oauth2/v3``, ``/prices/v3``, ``/labels/v3``, ``/international-labels/v3``, ``/payments/v3``,
``/pickup/v3`` and ``/tracking/v3``.
"""

from __future__ import annotations

import uuid

from carriergate.carriers.usps.account import USPSAccount

#: Ask for the label answer as one JSON document with the images base64-encoded inside
#: (domestic-labels.yaml: ``application/vnd.usps.labels+json``); the default is multipart/form-data.
LABELS_JSON = "application/vnd.usps.labels+json"
PAYMENT_HEADER = "X-Payment-Authorization-Token"
IDEMPOTENCY_HEADER = "X-Idempotency-Key"
#: The namespace of our idempotency keys (a fixed, random UUID: keys never collide with another scheme's).
_KEY_NAMESPACE = uuid.UUID("6f1d1f0e-3c59-4d8e-9a57-0b3e3c1f5a21")


def token_url(base_url: str) -> str:
    return f"{base_url}/oauth2/v3/token"


def payment_url(base_url: str) -> str:
    return f"{base_url}/payments/v3/payment-authorization"


def idempotency_key(account: USPSAccount, reference: str) -> str:
    """The ``X-Idempotency-Key`` of the label bought under our ``reference``: a UUID (USPS wants
    one, unique per CRID) derived from the account's CRID and label-owner MID and the reference, so
    the same reference always sends the same key (a retry returns the label USPS already made, with
    no second postage charge) and another reference or another account never does. No secret
    goes into it."""
    return str(uuid.uuid5(_KEY_NAMESPACE, f"{account.crid}\x00{account.mid}\x00{reference}"))
