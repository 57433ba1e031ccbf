"""The measured defects of USPS's OpenAPI files (../shared/specs/usps), patched before the sandbox's
conformance check and the conformance tests validate requests against them; the files themselves are
never edited. Each patch says which defect it repairs and why the check stays as strict.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from carriergate.sandbox.openapi import DocumentPatch


def _usps_walk(node: Any) -> Iterable[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _usps_walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _usps_walk(value)


def usps_mailing_date_patch(doc: dict[str, Any]) -> None:
    # mailingDate is oneOf MailingDate (format date) / MailingDateTime (format date-time); formats are
    # not asserted by the validator, so every string matches both and oneOf always fails: anyOf meant.
    refs = {"#/components/schemas/MailingDate", "#/components/schemas/MailingDateTime"}
    for node in _usps_walk(doc):
        alternatives = node.get("oneOf")
        if isinstance(alternatives, list) and {a.get("$ref") for a in alternatives if isinstance(a, dict)} == refs:
            node["anyOf"] = node.pop("oneOf")


def usps_closed_branches_patch(doc: dict[str, Any]) -> None:
    # Several USPS schemas are allOf compositions of objects that each say additionalProperties: false
    # (TotalRatesQuery = RateListQuery + itemValue/extraServices; the international packageDescription
    # and customsForm): each closed branch forbids the other branches' fields, so no payload can pass.
    # The strict check still refuses every undeclared property across the branches (Spec.undeclared),
    # so dropping the branch-level "false" loses nothing but the contradiction.
    for node in _usps_walk(doc):
        if node.get("additionalProperties") is False:
            del node["additionalProperties"]


def usps_pickup_contact_patch(doc: dict[str, Any]) -> None:
    # contact items are oneOf EmailNotification / SMSNotification, objects that require nothing: every
    # contact is valid under both and oneOf always fails. Each is meant to carry its one field.
    schemas = doc["components"]["schemas"]
    schemas["EmailNotification"]["required"] = ["email"]
    schemas["SMSNotification"]["required"] = ["cellNumber"]


#: USPS's OAuth and international-prices API files are not among usps/*.yaml: no schema here.
USPS_UNDESCRIBED = frozenset({("POST", "/oauth2/v3/token"), ("POST", "/international-prices/v3/total-rates/search")})
#: The USPS files the sandbox validates against, with their patches.
USPS_FILES: list[tuple[str, tuple[DocumentPatch, ...]]] = [
    ("usps/payments.yaml", ()), ("usps/domestic-prices.yaml", (usps_closed_branches_patch,)),
    ("usps/domestic-labels.yaml", (usps_mailing_date_patch,)),
    ("usps/international-labels.yaml", (usps_mailing_date_patch, usps_closed_branches_patch)),
    ("usps/carrier-pickup.yaml", (usps_closed_branches_patch, usps_pickup_contact_patch)),
    ("usps/tracking.yaml", ()),
]
