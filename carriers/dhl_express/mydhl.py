"""DHL's MyDHL API (REST, 2.12.0), which carriergate uses only where the SOAP rate book has no
operation: booking and cancelling a stand-alone courier pickup (``/pickups``).

It has its own credentials (HTTP Basic with the MyDHL API key and secret, not the Web Services
login) and its own hosts (account.MYDHL_HOSTS); with ``base_url`` set it lives at
``{base_url}/mydhlapi``. Every request names the interface version (``x-version``) and carries a
``Message-Reference`` (28 to 36 characters). Errors come as problem+json with DHL's code at the start
of ``detail`` ("8003: Account not allowed for this service...").
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from carriergate.carriers.dhl_express.account import MYDHL_HOSTS, MYDHL_PATH, DHLExpressAccount
from carriergate.carriers.dhl_express.checks import Checks
from carriergate.core.address import Address
from carriergate.core.errors import ConfigurationError
from carriergate.protocols.http import error_for_status, json_body
from carriergate.protocols.json_reading import as_list, obj, text

VERSION = "2.12.0"
LINE, CITY, POSTCODE, PHONE, EMAIL, COMPANY, NAME = 45, 45, 12, 70, 70, 100, 255
_CODE = re.compile(r"^\s*(\d{3,6})\s*:\s*(.*)$", re.S)


def root(account: DHLExpressAccount, *, carrier: str) -> str:
    """The MyDHL API root of ``account``: ``{base_url}/mydhlapi`` or its environment's host."""
    if account.base_url:
        return f"{account.base_url.rstrip('/')}/{MYDHL_PATH}"
    host = MYDHL_HOSTS.get(account.environment)
    if host is None:
        raise ConfigurationError(f"no MyDHL API host for environment {account.environment!r}", carrier=carrier)
    return host


def credentials(account: DHLExpressAccount, *, carrier: str) -> httpx.BasicAuth:
    """HTTP Basic with the account's MyDHL API credentials; a ConfigurationError naming the missing
    setting when either is absent (raised before anything is built or sent)."""
    missing = [name for name, value in (("mydhl_username", account.mydhl_username),
                                        ("mydhl_password", account.mydhl_password)) if not value]
    if missing or account.mydhl_username is None or account.mydhl_password is None:
        raise ConfigurationError(f"DHL Express pickups are booked through the MyDHL API: set {' and '.join(missing)} "
                                 "(the MyDHL API credentials) on the account", carrier=carrier, code="configuration")
    return httpx.BasicAuth(account.mydhl_username, account.mydhl_password.get_secret_value())


def headers(reference: str) -> dict[str, str]:
    return {"Message-Reference": reference, "x-version": VERSION}


def address(checks: Checks, path: str, place: Address) -> dict[str, Any]:
    """A MyDHL ``postalAddress``."""
    out: dict[str, Any] = {"postalCode": checks.text(f"{path}.postal_code", place.postal_code, POSTCODE) or "",
                           "cityName": checks.text(f"{path}.city", place.city, CITY, required=True),
                           "countryCode": place.country}
    if place.state:
        out["provinceCode"] = place.state
    for i, key in enumerate(("addressLine1", "addressLine2", "addressLine3")):
        line = place.street[i] if i < len(place.street) else None
        value = checks.text(f"{path}.street[{i}]", line, LINE, required=i == 0)
        if value:
            out[key] = value
    if place.district:
        out["countyName"] = checks.text(f"{path}.district", place.district, LINE)
    return out


def contact(checks: Checks, path: str, place: Address) -> dict[str, Any]:
    """A MyDHL ``contactInformation`` (DHL requires a company: a person's own name stands in)."""
    out: dict[str, Any] = {}
    if place.email:
        out["email"] = checks.text(f"{path}.email", place.email, EMAIL)
    out["phone"] = checks.text(f"{path}.phone", place.phone, PHONE, required=True)
    out["companyName"] = checks.text(f"{path}.company", place.company or place.name, COMPANY, required=True)
    out["fullName"] = checks.text(f"{path}.name", place.name, NAME, required=True)
    return out


def raise_for_problem(response: httpx.Response, *, carrier: str) -> None:
    """A MyDHL error reply (any status from 400) as a typed error with DHL's own code and words."""
    if response.status_code < 400:
        return
    problem = obj(json_body(response, carrier=carrier)) if response.content else {}
    detail = text(problem.get("detail")) or text(problem.get("title")) or text(problem.get("message"))
    code = None
    if detail:
        found = _CODE.match(detail)
        if found:
            code, detail = found.group(1), found.group(2).strip() or detail
    extra = [t for t in (text(v) for v in as_list(problem.get("additionalDetails"))) if t]
    if detail and extra:
        detail = f"{detail} ({'; '.join(extra)})"
    raise error_for_status(response, carrier=carrier, code=code, message=detail)
