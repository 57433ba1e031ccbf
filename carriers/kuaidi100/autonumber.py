"""Courier detection from a tracking number (智能单号识别, ``POST /autonumber/auto``).

Request: form fields ``key`` (the authorisation key) and ``num``. Answer: a JSON array of candidates,
most likely first, each ``{"comCode": "yuantong", "name"?: ..., "noPre", "noCount", "lengthPre"}``
(only ``comCode`` means anything); an empty array is a number no courier claims (NotFound); an
object with ``returnCode`` is a refusal (600/601: the key, AuthenticationError).

:func:`carriergate.carriers.kuaidi100.companies.guess` names the courier of a number whose printed
prefix says it (``SF...``) without asking anyone; this asks Kuaidi100 for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from carriergate.carriers.kuaidi100.account import Kuaidi100Account
from carriergate.carriers.kuaidi100.companies import COMPANIES
from carriergate.carriers.kuaidi100.envelope import form_request
from carriergate.carriers.kuaidi100.errors import SUBSCRIBE_ERRORS, body_of, refusal
from carriergate.core.errors import MalformedResponse, NotFound
from carriergate.protocols.json_reading import records, text

AUTONUMBER_PATH = "/autonumber/auto"


@dataclass(frozen=True)
class Candidate:
    """One courier a number may belong to: Kuaidi100's code and, where known, its name."""

    company: str
    name: str | None = None


def build_autonumber(number: str, account: Kuaidi100Account, *, base_url: str) -> httpx.Request:
    """The detection request for ``number`` (already checked by the caller)."""
    return form_request(base_url + AUTONUMBER_PATH, [("key", account.key.get_secret_value()), ("num", number)])


def parse_autonumber(response: httpx.Response, *, number: str, carrier: str) -> list[Candidate]:
    """The candidate couriers, most likely first; NotFound when there is none."""
    body = body_of(response, carrier=carrier)
    if isinstance(body, dict):
        error = refusal(body, SUBSCRIBE_ERRORS, carrier=carrier, http_status=response.status_code)
        if error is not None:
            raise error
        raise MalformedResponse("Kuaidi100 detection answer is not a list", carrier=carrier)
    if not isinstance(body, list):
        raise MalformedResponse("Kuaidi100 detection answer is not a list", carrier=carrier)
    found: list[Candidate] = []
    for item in records(body):
        code = text(item.get("comCode"))
        if code and all(c.company != code for c in found):
            name = text(item.get("name")) or (COMPANIES[code][0] if code in COMPANIES else None)
            found.append(Candidate(company=code, name=name))
    if not found:
        raise NotFound(f"Kuaidi100 could not tell the courier of {number!r}", carrier=carrier, code="no_company")
    return found
