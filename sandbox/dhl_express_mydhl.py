"""The MyDHL API (REST, 2.12.0) part of the DHL Express emulator: stand-alone courier pickups.

Served under the DHL emulator's prefix at ``/mydhlapi`` (``POST /mydhlapi/pickups`` books,
``DELETE /mydhlapi/pickups/{dispatchConfirmationNumber}?requestorName=..&reason=..`` cancels), with
HTTP Basic for the sandbox's MyDHL API credentials, as DHL's OpenAPI file describes it;
``PATCH /mydhlapi/pickups/{dispatchConfirmationNumber}`` moves a booking (DHL's code 5556 when the
original shipper account does not match, 404 for an unknown or cancelled one). Behaviour:
a pickup on a Sunday is refused (HTTP 400, DHL's problem+json with a code at the start of
``detail``), a request missing what DHL requires is HTTP 422 naming each path, a booked pickup
answers 201 with one dispatch confirmation number; cancelling an unknown or cancelled pickup is 404.
When the emulator checks conformance, these requests are validated against the MyDHL OpenAPI file
(``mydhl/dpdhl-express-api-2.12.0.yaml`` beside the other specs).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import httpx

from carriergate.sandbox.base import json_response

PREFIX = "/mydhlapi"
SPEC = "mydhl/dpdhl-express-api-2.12.0.yaml"
_TIMESTAMP = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}) ?GMT([+-]\d{2}:\d{2})$")


@dataclass
class BookedPickup:
    number: str
    ready_at: datetime
    country: str
    account: str
    packages: int
    cancelled: bool = False


def problem(status: int, detail: str, title: str, *, extra: list[str] | None = None) -> httpx.Response:
    body: dict[str, Any] = {"instance": "/expressapi/pickups", "detail": detail, "title": title,
                            "status": str(status)}
    if extra:
        body["additionalDetails"] = extra
    return json_response(status, body, headers={"content-type": "application/problem+json"})


@cache
def _checker(root: str) -> Any:
    """An OpenAPI checker for the MyDHL file under ``root`` (None when the file is absent)."""
    from carriergate.sandbox.conformance import OpenAPIChecker
    from carriergate.sandbox.openapi import Spec

    path = Path(root) / SPEC
    if not path.is_file():
        return None
    return OpenAPIChecker([Spec.load(path)])


def conformance_problems(root: Path, request: httpx.Request, path: str) -> list[str]:
    """What DHL's MyDHL OpenAPI file says is wrong with ``request`` (empty when it is absent)."""
    checker = _checker(str(root))
    return [] if checker is None else list(checker(request, path))


class MyDHLPickups:
    """Pickup bookings of the MyDHL API, kept for cancellation."""

    def __init__(self, username: str, password: str) -> None:
        self.username = username
        self.password = password
        self.pickups: dict[str, BookedPickup] = {}
        self._next = 0

    def _authorised(self, request: httpx.Request) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(token, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(user, self.username) and hmac.compare_digest(password, self.password)

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if not self._authorised(request):
            return json_response(401, {"title": "Unauthorized", "status": "401",
                                       "detail": "Invalid credentials"})
        if request.headers.get("x-version") is None:
            return problem(400, "Missing mandatory header: x-version", "Missing parameters")
        rest = path[len(PREFIX):]
        if rest == "/pickups" and request.method == "POST":
            return self._book(request)
        if rest.startswith("/pickups/") and request.method == "DELETE":
            return self._cancel(request, rest.removeprefix("/pickups/"))
        if rest.startswith("/pickups/") and request.method == "PATCH":
            return self._update(request, rest.removeprefix("/pickups/"))
        return json_response(404, {"title": "Not found", "status": "404", "detail": f"no operation at {path}"})

    def _book(self, request: httpx.Request) -> httpx.Response:
        read = self._read(request)
        if isinstance(read, httpx.Response):
            return read
        ready, country, account, packages = read
        self._next += 1
        number = f"PRG{ready:%y%m%d}{self._next:06d}"
        self.pickups[number] = BookedPickup(number=number, ready_at=ready, country=country, account=account,
                                            packages=packages)
        return json_response(201, {"dispatchConfirmationNumbers": [number], "readyByTime": f"{ready:%H:%M}",
                                   "nextPickupDate": ready.date().isoformat()})

    def _update(self, request: httpx.Request, number: str) -> httpx.Response:
        booked = self.pickups.get(number)
        if booked is None or booked.cancelled:
            return problem(404, " Requested Pickup was not found", "Pickup not found")
        read = self._read(request)
        if isinstance(read, httpx.Response):
            return read
        original = str(json.loads(request.content).get("originalShipperAccountNumber", ""))
        if original != booked.account:
            return problem(400, "5556: The Original Shipper Account Number must match with the Shipper Account "
                                "Number used previously to create/update successful pickup request.", "Bad request")
        booked.ready_at, booked.country, _, booked.packages = read
        return json_response(200, {"dispatchConfirmationNumber": number, "readyByTime": f"{booked.ready_at:%H:%M}",
                                   "nextPickupDate": booked.ready_at.date().isoformat()})

    def _read(self, request: httpx.Request) -> httpx.Response | tuple[datetime, str, str, int]:
        """A booking's time, country, shipper account and package count, or DHL's refusal."""
        try:
            body = json.loads(request.content)
        except ValueError:
            return problem(400, "the request body is not JSON", "Bad request")
        if not isinstance(body, dict):
            return problem(422, "Multiple problems found, see Additional Details", "Validation error",
                           extra=["#: expected type: JSONObject"])
        missing = [f"#: required key [{key}] not found" for key in
                   ("plannedPickupDateAndTime", "accounts", "customerDetails", "shipmentDetails") if key not in body]
        shipper = (body.get("customerDetails") or {}).get("shipperDetails") if isinstance(
            body.get("customerDetails"), dict) else None
        if not isinstance(shipper, dict):
            missing.append("#/customerDetails: required key [shipperDetails] not found")
        found = _TIMESTAMP.match(str(body.get("plannedPickupDateAndTime", "")))
        if found is None and "plannedPickupDateAndTime" in body:
            missing.append("#/plannedPickupDateAndTime: not a DHL date and time")
        if missing or found is None or not isinstance(shipper, dict):
            return problem(422, "Multiple problems found, see Additional Details", "Validation error", extra=missing)
        ready = datetime.fromisoformat(found.group(1) + found.group(2))
        if ready.weekday() == 6:
            return problem(400, "410928: Pickup is not available on the requested date", "Bad request")
        accounts = [a for a in body.get("accounts", []) if isinstance(a, dict) and a.get("typeCode") == "shipper"]
        if not accounts:
            return problem(400, "8003: Account not allowed for this service. Please contact your DHL Express "
                                "representative.", "Bad request")
        country = str(((shipper.get("postalAddress") or {}).get("countryCode")) or "")
        details = body.get("shipmentDetails") or []
        packages = sum(len(d.get("packages") or []) for d in details if isinstance(d, dict))
        return ready, country, str(accounts[0].get("number", "")), packages

    def _cancel(self, request: httpx.Request, number: str) -> httpx.Response:
        params = request.url.params
        absent = [name for name in ("requestorName", "reason") if not params.get(name)]
        if absent:
            return problem(400, f"Missing mandatory parameters: {', '.join(absent)}", "Missing parameters")
        booked = self.pickups.get(number)
        if booked is None or booked.cancelled:
            return problem(404, "Cancellation of booking was not successful. Requested Pickup was not found",
                           "Pickup not found")
        booked.cancelled = True
        return httpx.Response(200)
