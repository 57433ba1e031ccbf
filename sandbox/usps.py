"""USPS emulator (APIs v3): the paths carriergate uses, USPS's JSON shapes, deterministic prices.

Point an account at ``http://sandbox.carriergate.invalid/usps`` (``base_url``). Endpoints, written
from USPS's OpenAPI files (never from the adapter):

- ``POST /oauth2/v3/token``: client credentials (form or JSON body), bearer tokens of 8 hours;
- ``POST /payments/v3/payment-authorization``: PAYER and LABEL_OWNER roles of this account's CRID
  and MID; payment authorization tokens of 8 hours (its clock, see ``now``);
- ``POST /prices/v3/total-rates/search`` and ``/base-rates/search``: prices from usps_pricing.py;
- ``POST /international-prices/v3/total-rates/search``: one ``mailClass`` (or ``ALL``) priced to
  ``destinationCountryCode`` by weight and the country's price group (usps_pricing.py), a
  single-piece option per class that serves the lane and, for Priority Mail International, a flat
  rate envelope option too (as USPS lists its containers);
- ``POST /labels/v3/label``, ``/labels/v3/return-label`` and
  ``POST /international-labels/v3/international-label``: need the
  bearer and ``X-Payment-Authorization-Token``; stateful; labels stored by ``X-Idempotency-Key``: a
  repeated POST with the same key and the same body returns the same label and buys nothing new
  (the same key with another body is refused); JSON (``application/vnd.usps.labels+json``) or
  multipart answers (usps_labels.py);
- ``DELETE /labels/v3/label/{n}``, ``DELETE /international-labels/v3/international-label/{n}``:
  cancel (CANCELED), then tracking shows the label cancelled;
- ``POST /labels/v3/label-reprint`` (and the international one): the label bought under the
  request's ``X-Idempotency-Key``, at most three times, never a cancelled one;
- ``POST /pickup/v3/carrier-pickup``, ``GET``/``PUT``/``DELETE /pickup/v3/carrier-pickup/{n}`` with
  ETags: a PUT or DELETE must send ``If-Match`` with the pickup's current ETag;
- ``GET /tracking/v3/tracking/{n}``: one more scan per query (usps_tracking.py).

Failures use USPS's ``{"apiVersion", "error": {"code", "message", "errors": [...]}}`` body.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import parse_qs

import httpx

from carriergate.sandbox import usps_pricing as pricing
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.conformance import Violation
from carriergate.sandbox.usps_labels import LabelRecord, answer, fingerprint, make_label
from carriergate.sandbox.usps_tracking import details

TOKEN_SECONDS = 8 * 3600
PAYMENT_HEADER = "x-payment-authorization-token"
#: How many times a label may be reprinted (domestic-labels.yaml ``/label-reprint``).
REPRINTS = 3


@dataclass
class _Pickup:
    number: str
    body: dict[str, Any]
    etag: str
    cancelled: bool = False


def error(status: int, api: str, detail: str, *, code: str = "", parameter: str | None = None) -> httpx.Response:
    title = _TITLES.get(status, "Error")
    item: dict[str, Any] = {"status": str(status), "code": code or f"{status:05d}", "title": title, "detail": detail}
    if parameter:
        item["source"] = {"parameter": parameter}
    return json_response(status, {"apiVersion": api, "error": {"code": str(status), "message": _TITLES.get(
        status, "Error"), "errors": [item]}})


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}


class USPSEmulator(Emulator):
    name = "usps"
    account: ClassVar[dict[str, str]] = {"client_id": "sandbox-usps-id", "client_secret": "sandbox-usps-secret",
                                         "crid": "56982563", "mid": "899744131", "account_type": "EPS",
                                         "account_number": "1000000001"}

    def __init__(self, *, now: datetime | None = None) -> None:
        super().__init__()
        self.now = now
        self.tokens: dict[str, datetime] = {}
        self.payment_tokens: dict[str, datetime] = {}
        self.labels: dict[str, LabelRecord] = {}  # by tracking number
        self.by_key: dict[str, LabelRecord] = {}  # by X-Idempotency-Key
        self.pickups: dict[str, _Pickup] = {}
        self._serial = 0

    # -- what tests ask of every stateful emulator ----------------------------------------------
    def labels_created(self) -> int:
        with self.lock:
            return len(self.labels)

    def is_voided(self, tracking_number: str) -> bool:
        with self.lock:
            return self.labels[tracking_number].voided

    # -- plumbing -------------------------------------------------------------------------------
    def _clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def reject(self, violation: Violation) -> httpx.Response:
        return error(400, "/sandbox", "Request breaks the USPS schema: " + "; ".join(violation.problems),
                     code="SCHEMA")

    def _next(self, prefix: str, width: int) -> str:
        self._serial += 1
        return f"{prefix}{self._serial:0{width}d}"

    def _valid(self, tokens: dict[str, datetime], value: str) -> bool:
        expires = tokens.get(value)
        return expires is not None and self._clock() < expires

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == "/oauth2/v3/token" and request.method == "POST":
            return self._token(request)
        auth = request.headers.get("authorization", "")
        with self.lock:
            known = auth.startswith("Bearer ") and self._valid(self.tokens, auth[7:])
        if not known:
            return error(401, "/" + path.strip("/").split("/")[0], "Invalid or expired access token",
                         code="UNAUTHORIZED")
        body: dict[str, Any] = {}
        if request.content:
            try:
                parsed = json.loads(request.content)
            except ValueError:
                return error(400, path, "The request body is not JSON")
            if not isinstance(parsed, dict):
                return error(400, path, "The request body is not a JSON object")
            body = parsed
        with self.lock:
            return self._route(request, path, body)

    def _route(self, request: httpx.Request, path: str, body: dict[str, Any]) -> httpx.Response:
        posts: dict[str, Callable[[dict[str, Any]], httpx.Response]] = {
            "/payments/v3/payment-authorization": self._payment,
            "/prices/v3/total-rates/search": lambda b: self._prices(b, total=True),
            "/prices/v3/base-rates/search": lambda b: self._prices(b, total=False),
            "/international-prices/v3/total-rates/search": self._international_prices,
            "/pickup/v3/carrier-pickup": self._pickup,
        }
        if request.method == "POST" and path in posts:
            return posts[path](body)
        if request.method == "POST" and path in ("/labels/v3/label", "/international-labels/v3/international-label",
                                                 "/labels/v3/return-label"):
            return self._label(request, body, international=path.startswith("/international"),
                               is_return=path.endswith("return-label"))
        if request.method == "POST" and path in ("/labels/v3/label-reprint",
                                                 "/international-labels/v3/international-label-reprint"):
            return self._reprint(request, international=path.startswith("/international"))
        for prefix in ("/labels/v3/label/", "/international-labels/v3/international-label/"):
            if request.method == "DELETE" and path.startswith(prefix):
                return self._cancel(request, path[len(prefix):], api=prefix.rsplit("/", 2)[0])
        if path.startswith("/pickup/v3/carrier-pickup/"):
            number = path.rsplit("/", 1)[-1]
            if request.method == "GET":
                return self._pickup_get(number)
            if request.method == "DELETE":
                return self._pickup_cancel(number, request.headers.get("if-match"))
            if request.method == "PUT":
                return self._pickup_update(number, request.headers.get("if-match"), body)
        if request.method == "GET" and path.startswith("/tracking/v3/tracking/"):
            return self._track(path.rsplit("/", 1)[-1])
        return error(404, path, f"No resource at {request.method} {path}")

    # -- auth -----------------------------------------------------------------------------------
    def _token(self, request: httpx.Request) -> httpx.Response:
        text = request.content.decode("utf-8", "replace")
        try:
            data = json.loads(text) if text.lstrip().startswith("{") else {k: v[0] for k, v in parse_qs(text).items()}
        except ValueError:
            data = {}
        if data.get("grant_type") != "client_credentials":
            return json_response(400, {"error": "unsupported_grant_type", "error_description": "grant_type must be "
                                                                                             "client_credentials"})
        if data.get("client_id") != self.account["client_id"] or \
                data.get("client_secret") != self.account["client_secret"]:
            return json_response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        token = secrets.token_urlsafe(32)
        with self.lock:
            self.tokens[token] = self._clock() + timedelta(seconds=TOKEN_SECONDS)
        return json_response(200, {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS - 1,
                                   "status": "approved", "client_id": self.account["client_id"],
                                   "scope": "prices labels international-labels payments pickup tracking"})

    def _payment(self, body: dict[str, Any]) -> httpx.Response:
        roles = {str(r.get("roleName")): r for r in body.get("roles") or [] if isinstance(r, dict)}
        payer, owner = roles.get("PAYER"), roles.get("LABEL_OWNER")
        if payer is None or owner is None:
            return error(400, "/payments/v3", "The PAYER and LABEL_OWNER roles are required", parameter="roles")
        if payer.get("CRID") != self.account["crid"] or owner.get("CRID") != self.account["crid"] or \
                owner.get("MID") != self.account["mid"]:
            return error(400, "/payments/v3", "The CRID or MID is not enrolled for this application",
                         parameter="roles.CRID")
        if payer.get("accountType") == "EPS" and payer.get("accountNumber") != self.account["account_number"]:
            return error(400, "/payments/v3", "The EPS account number is not active", parameter="roles.accountNumber")
        token = secrets.token_urlsafe(40)
        self.payment_tokens[token] = self._clock() + timedelta(seconds=TOKEN_SECONDS)
        return json_response(200, {"paymentAuthorizationToken": token, "roles": list(roles.values())})

    def _paid(self, request: httpx.Request, api: str) -> httpx.Response | None:
        """None when the payment authorization token is valid; else USPS's 401 naming it."""
        if self._valid(self.payment_tokens, request.headers.get(PAYMENT_HEADER, "")):
            return None
        return error(401, api, "Invalid or expired payment authorization token", code="PAYMENT_AUTHORIZATION",
                     parameter="X-Payment-Authorization-Token")

    # -- prices ---------------------------------------------------------------------------------
    def _prices(self, body: dict[str, Any], *, total: bool) -> httpx.Response:
        wanted = body.get("mailClasses") or ([body["mailClass"]] if body.get("mailClass") else list(pricing.DOMESTIC))
        if "ALL" in wanted:
            wanted = list(pricing.DOMESTIC)
        classes = [pricing.DOMESTIC[c] for c in wanted if c in pricing.DOMESTIC]
        if not classes:
            return error(400, "/prices/v3", "No rates are available for the mail classes requested",
                         parameter="mailClasses")
        zone = pricing.zone(str(body.get("originZIPCode", "")), str(body.get("destinationZIPCode", "")))
        pounds = pricing.billed_pounds(body)
        options = []
        for mail_class in classes:
            price = pricing.postage(mail_class, pounds, zone)
            rate = {"SKU": mail_class.sku, "description": f"{mail_class.name} Machinable Single-piece",
                    "priceType": str(body.get("priceType") or "COMMERCIAL"), "price": float(price),
                    "weight": float(pounds), "dimWeight": 0.0, "fees": [], "startDate": "2026-01-18", "endDate": "",
                    "mailClass": mail_class.code, "zone": f"{zone:02d}", "productName": mail_class.name,
                    "processingCategory": "MACHINABLE", "rateIndicator": "SP", "destinationEntryFacilityType": "NONE"}
            option: dict[str, Any] = {"totalBasePrice": float(price), "rates": [rate]}
            if total and body.get("extraServices"):
                extras = []
                for code in body["extraServices"]:
                    if code in pricing.INSURANCE_SERVICES:
                        value = pricing.insurance(Decimal(str(body.get("itemValue") or 0)))
                        extras.append({"extraService": str(code), "name": pricing.INSURANCE_SERVICES[code],
                                       "SKU": f"DXTI0EXXXCX{code}", "priceType": rate["priceType"],
                                       "price": float(value)})
                option["extraServices"] = extras
                option["totalPrice"] = float(price + sum(Decimal(str(e["price"])) for e in extras))
            options.append(option)
        return json_response(200, {"rateOptions": options} if total else options[0])

    def _international_prices(self, body: dict[str, Any]) -> httpx.Response:
        try:
            return json_response(200, pricing.international_rate_options(body))
        except pricing.PriceRefused as refused:
            return error(400, "/international-prices/v3", refused.detail, parameter=refused.parameter)

    # -- labels ---------------------------------------------------------------------------------
    def _label(self, request: httpx.Request, body: dict[str, Any], *, international: bool,
               is_return: bool = False) -> httpx.Response:
        api = "/international-labels/v3" if international else "/labels/v3"
        refused = self._paid(request, api)
        if refused is not None:
            return refused
        status = 201 if international else 200
        accept = request.headers.get("accept", "")
        key = request.headers.get("x-idempotency-key")
        if key is not None and key in self.by_key:
            existing = self.by_key[key]
            if existing.fingerprint != fingerprint(request.content):
                return error(400, api, "The idempotency key was already used with a different request",
                             code="IDEMPOTENCY_KEY_REUSED", parameter="X-Idempotency-Key")
            return answer(existing, accept, status=status)
        package = body.get("packageDescription") or {}
        classes = pricing.INTERNATIONAL if international else pricing.RETURNS if is_return else pricing.DOMESTIC
        if package.get("mailClass") not in classes:
            return error(400, api, f"Mail class {package.get('mailClass')} is not available",
                         parameter="packageDescription.mailClass")
        if international and not (body.get("customsForm") or {}).get("contents"):
            return error(400, api, "A customs form with contents is required", parameter="customsForm")
        tracking = self._next("LZ", 9) + "US" if international else self._next("92055901755477", 8)
        record = make_label(body, tracking=tracking, key=key, content=request.content, international=international,
                            now=self._clock(), is_return=is_return)
        self.labels[tracking] = record
        if key is not None:
            self.by_key[key] = record
        return answer(record, accept, status=status)

    def _reprint(self, request: httpx.Request, *, international: bool) -> httpx.Response:
        """The label bought under the request's X-Idempotency-Key, again (at most three times)."""
        api = "/international-labels/v3" if international else "/labels/v3"
        refused = self._paid(request, api)
        if refused is not None:
            return refused
        record = self.by_key.get(request.headers.get("x-idempotency-key", ""))
        if record is None or record.international != international:
            return error(400, api, "Label not found for the idempotency key", parameter="X-Idempotency-Key")
        if record.voided:
            return error(400, api, "Canceled labels are not eligible for reprint", parameter="X-Idempotency-Key")
        if record.reprints >= REPRINTS:
            return error(400, api, f"A label can be reprinted at most {REPRINTS} times", parameter="X-Idempotency-Key")
        record.reprints += 1
        return answer(record, request.headers.get("accept", ""), status=200, nested=True)

    def _cancel(self, request: httpx.Request, number: str, *, api: str) -> httpx.Response:
        refused = self._paid(request, api)
        if refused is not None:
            return refused
        record = self.labels.get(number)
        if record is None or record.international != api.startswith("/international"):
            return error(400, api, "Order not found", code="00000XX", parameter="trackingNumber")
        if record.voided:
            return error(400, api, "A refund request for this order cannot be submitted", code="00000XX",
                         parameter="trackingNumber")
        record.voided = True
        record.parcel.cancelled = True
        return json_response(200, {"trackingNumber": number, "status": "CANCELED"})

    # -- pickups --------------------------------------------------------------------------------
    def _pickup(self, body: dict[str, Any]) -> httpx.Response:
        address = (body.get("pickupAddress") or {}).get("address") or {}
        if not address.get("ZIPCode") or not body.get("pickupDate"):
            return error(400, "/pickup/v3", "The pickup address and date are required", parameter="pickupAddress")
        number = self._next("WTC", 9)
        pickup = _Pickup(number, body, secrets.token_hex(20))
        self.pickups[number] = pickup
        return json_response(200, {"confirmationNumber": number, "pickupDate": body["pickupDate"],
                                   "carrierPickupRequest": body}, headers={"etag": pickup.etag})

    def _pickup_get(self, number: str) -> httpx.Response:
        pickup = self.pickups.get(number)
        if pickup is None or pickup.cancelled:
            return error(400, "/pickup/v3", "Carrier pickup not found", parameter="confirmationNumber")
        pickup.etag = secrets.token_hex(20)
        return json_response(200, {"confirmationNumber": number, "pickupDate": pickup.body.get("pickupDate"),
                                   "carrierPickupRequest": pickup.body}, headers={"etag": pickup.etag})

    def _pickup_cancel(self, number: str, if_match: str | None) -> httpx.Response:
        pickup = self.pickups.get(number)
        if pickup is None or pickup.cancelled:
            return error(400, "/pickup/v3", "Carrier pickup not found", parameter="confirmationNumber")
        if not if_match or if_match != pickup.etag:
            return error(400, "/pickup/v3", "If-Match does not match the pickup's current ETag", parameter="If-Match")
        pickup.cancelled = True
        return httpx.Response(200)

    def _pickup_update(self, number: str, if_match: str | None, body: dict[str, Any]) -> httpx.Response:
        pickup = self.pickups.get(number)
        if pickup is None or pickup.cancelled:
            return error(400, "/pickup/v3", "Carrier pickup not found", parameter="confirmationNumber")
        if not if_match or if_match != pickup.etag:
            return error(400, "/pickup/v3", "If-Match does not match the pickup's current ETag", parameter="If-Match")
        schedule = body.get("carrierPickupRequest")
        if not isinstance(schedule, dict) or not schedule.get("pickupDate"):
            return error(400, "/pickup/v3", "carrierPickupRequest is required", parameter="carrierPickupRequest")
        pickup.body, pickup.etag = schedule, secrets.token_hex(20)
        return json_response(200, {"confirmationNumber": number, "pickupDate": schedule["pickupDate"],
                                   "carrierPickupRequest": schedule}, headers={"etag": pickup.etag})

    # -- tracking -------------------------------------------------------------------------------
    def _track(self, number: str) -> httpx.Response:
        record = self.labels.get(number)
        if record is None:
            return error(404, "/tracking/v3", "The tracking number may be incorrect or the status update is not yet "
                                              "available", code="404", parameter="trackingNumber")
        return json_response(200, details(record.parcel, self._clock()))
