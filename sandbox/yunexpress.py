"""YunExpress (云途物流) open-platform emulator, written from YunExpress's documentation and public
answers, never from carriergate's carrier code: it checks every token and signature itself.

Point an account's ``base_url`` at ``http://sandbox.carriergate.invalid/yunexpress``; the paths are
YunExpress's own:

- ``POST /openapi/oauth2/token`` (JSON ``grantType`` client_credentials, ``appId``, ``appSecret``,
  ``sourceKey``): ``{"accessToken", "expiresIn": 7200}``; wrong credentials are HTTP 401.
- every other path needs the headers ``token`` (a token it issued), ``date`` (epoch milliseconds,
  within ten minutes of its clock) and ``sign`` = base64(HMAC-SHA256(app secret, ``body=<body>&date=
  <date>&method=<METHOD>&uri=<path>``), ``body=`` only with a body, the path as sent without query);
  otherwise HTTP 401 with the envelope ``{"success": false, "code": "401", "msg"}``.
- ``POST /v1/order/package/create``, ``GET /v1/order/label/get`` (the PDF as base64 ``label_string``,
  or a ``url`` to ``GET /labels/<waybill>.pdf`` when :attr:`label_urls` is set), ``POST
  /v1/order/cancel`` (refused once the warehouse has the parcel), ``GET /v1/order/info/get``,
  ``GET /v1/price-trial/get``, ``GET /v1/track-service/info/get`` (one more event per query),
  ``POST /v1/track-service/subscribe-by-order``.

Every answer is the envelope ``{"t", "success", "code", "msg", "request_id", "result"}``. The refusal
codes it uses (``ORDER_NOT_FOUND``, ``ORDER_EXISTS``, ``ORDER_RECEIVED``, ``ORDER_CANCELLED``,
``INVALID_PARAMETER``) are the sandbox's own: YunExpress's code table could not be confirmed.
Faults (latency, 5xx, lost answers...) come from the sandbox transport, as for every emulator.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar

import httpx

from carriergate.sandbox import documents
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.yunexpress_journey import PRODUCTS, Order, chargeable_kg, trial_lines

TOKEN_SECONDS = 7200
DATE_TOLERANCE_MS = 600_000


def sign(secret: str, method: str, uri: str, date: str, body: str) -> str:
    parts = ([f"body={body}"] if body else []) + [f"date={date}", f"method={method.upper()}", f"uri={uri}"]
    digest = hmac.new(secret.encode(), "&".join(parts).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class YunExpressEmulator(Emulator):
    name = "yunexpress"
    account: ClassVar[dict[str, str]] = {
        "app_id": "sandbox-yunexpress-app", "app_secret": "sandbox-yunexpress-secret",
        "source_key": "sandbox-yunexpress-source", "customer_code": "CN0000001",
        "push_url": "https://shop.example.com/webhooks/yunexpress"}

    def __init__(self, *, now: datetime | None = None, wall: Callable[[], float] = time.time) -> None:
        super().__init__()
        self.now = now
        self.wall = wall  # the clock the ``date`` header is checked against
        self.tokens: dict[str, float] = {}  # token -> expiry (wall clock)
        self.orders: dict[str, Order] = {}  # by waybill number
        self.by_reference: dict[str, str] = {}
        self.subscriptions: dict[str, str] = {}  # waybill -> subscribe type
        self.label_urls = False
        self._serial = itertools.count(1)

    def _clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    # -- answers -----------------------------------------------------------------------------------
    def _envelope(self, success: bool, *, result: Any = None, code: str = "", msg: str = "",
                  status: int = 200) -> httpx.Response:
        body: dict[str, Any] = {"t": int(self.wall() * 1000), "success": success, "code": code or
                                ("00000000" if success else "ERROR"), "msg": msg or ("success" if success else ""),
                                "request_id": secrets.token_hex(8)}
        if result is not None:
            body["result"] = result
        return json_response(status, body)

    def _refuse(self, code: str, msg: str, status: int = 200) -> httpx.Response:
        return self._envelope(False, code=code, msg=msg, status=status)

    # -- auth --------------------------------------------------------------------------------------
    def _token(self, request: httpx.Request) -> httpx.Response:
        try:
            body = json.loads(request.content)
        except ValueError:
            return self._refuse("INVALID_PARAMETER", "body is not JSON", 400)
        if not isinstance(body, dict) or body.get("grantType") != "client_credentials":
            return self._refuse("INVALID_PARAMETER", "grantType must be client_credentials", 400)
        source = body.get("sourceKey", body.get("sourcekey"))
        if (body.get("appId"), body.get("appSecret"), source) != (
                self.account["app_id"], self.account["app_secret"], self.account["source_key"]):
            return self._refuse("401", "appId, appSecret or sourceKey is wrong", 401)
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = self.wall() + TOKEN_SECONDS
        return json_response(200, {"accessToken": token, "expiresIn": TOKEN_SECONDS, "tokenType": "token"})

    def _authorised(self, request: httpx.Request) -> str | None:
        """None when the request is signed right, else why not."""
        token, date, signature = (request.headers.get(h, "") for h in ("token", "date", "sign"))
        with self.lock:
            expiry = self.tokens.get(token)
        if expiry is None or expiry < self.wall():
            return "token is invalid or expired"
        if not (date.isdigit() and len(date) == 13) or abs(int(date) - self.wall() * 1000) > DATE_TOLERANCE_MS:
            return "date must be the current time in milliseconds"
        expected = sign(self.account["app_secret"], request.method, request.url.path, date,
                        request.content.decode("utf-8"))
        if not hmac.compare_digest(expected, signature):
            return "sign verification failed"
        return None

    # -- routing -----------------------------------------------------------------------------------
    def labels_created(self) -> int:
        with self.lock:
            return len(self.orders)

    def is_voided(self, tracking_number: str) -> bool:
        with self.lock:
            return self.orders[tracking_number].cancelled

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if path == "/openapi/oauth2/token" and request.method == "POST":
            return self._token(request)
        if path.startswith("/labels/") and request.method == "GET":
            return self._label_file(path)
        refusal = self._authorised(request)
        if refusal is not None:
            return self._refuse("401", refusal, 401)
        routes: dict[tuple[str, str], Callable[[httpx.Request], httpx.Response]] = {
            ("POST", "/v1/order/package/create"): self._create,
            ("GET", "/v1/order/label/get"): self._label,
            ("POST", "/v1/order/cancel"): self._cancel,
            ("GET", "/v1/order/info/get"): self._info,
            ("GET", "/v1/price-trial/get"): self._trial,
            ("GET", "/v1/track-service/info/get"): self._track,
            ("POST", "/v1/track-service/subscribe-by-order"): self._subscribe,
        }
        route = routes.get((request.method, path))
        if route is None:
            return self._refuse("404", f"no API at {request.method} {path}", 404)
        return route(request)

    def _json(self, request: httpx.Request) -> dict[str, Any] | None:
        try:
            body = json.loads(request.content)
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _find(self, number: str) -> Order | None:
        with self.lock:
            waybill = number if number in self.orders else self.by_reference.get(number, "")
            return self.orders.get(waybill)

    # -- orders ------------------------------------------------------------------------------------
    def _create(self, request: httpx.Request) -> httpx.Response:
        body = self._json(request)
        problem = "body is not a JSON object" if body is None else self._order_problem(body)
        if problem is not None or body is None:
            return self._refuse("INVALID_PARAMETER", problem or "")
        reference = str(body["customer_order_number"])
        with self.lock:
            if reference in self.by_reference:
                return self._refuse("ORDER_EXISTS", f"customer_order_number {reference} already exists")
            waybill = f"YT{self._clock():%y%j}{next(self._serial):011d}"
            self.orders[waybill] = Order(waybill, reference, str(body["product_code"]), body, self._clock())
            self.by_reference[reference] = waybill
        return self._envelope(True, result={"customer_order_number": reference, "waybill_number": waybill,
                                            "tracking_number": "", "bar_codes": [waybill], "remote_area": False,
                                            "track_type": "W"})

    @staticmethod
    def _order_problem(body: dict[str, Any]) -> str | None:
        for name in ("product_code", "customer_order_number", "packages", "receiver", "declaration_info"):
            if not body.get(name):
                return f"{name} is required"
        if body["product_code"] not in PRODUCTS:
            return f"product_code {body['product_code']} is not open to this account"
        if len(str(body["customer_order_number"])) > 50:
            return "customer_order_number is longer than 50"
        packages, receiver, items = body["packages"], body["receiver"], body["declaration_info"]
        if not isinstance(packages, list) or not all(isinstance(p, dict) and _positive(p.get("weight"))
                                                     for p in packages):
            return "every package needs a weight greater than 0"
        if not isinstance(receiver, dict):
            return "receiver must be an object"
        for name in ("first_name", "country_code", "city", "address_lines", "phone_number"):
            if not receiver.get(name):
                return f"receiver.{name} is required"
        if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("name_en") and i.get("quantity")
                                                  and _positive(i.get("unit_price")) and
                                                  _positive(i.get("unit_weight")) for i in items):
            return "every declaration_info line needs name_en, quantity, unit_price and unit_weight"
        return None

    def _pdf(self, order: Order) -> bytes:
        receiver = order.body.get("receiver") or {}
        content = documents.Content(carrier="YunExpress", tracking=order.waybill, service=order.product,
                                    lines=(f"Ref {order.reference}", f"To {receiver.get('first_name', '')}",
                                           f"{receiver.get('city', '')} {receiver.get('country_code', '')}"))
        return documents.pdf_label(content)

    def _label(self, request: httpx.Request) -> httpx.Response:
        number = request.url.params.get("order_number", "")
        order = self._find(number)
        if order is None or order.cancelled:
            return self._refuse("ORDER_NOT_FOUND", f"no order {number}")
        result: dict[str, Any] = {"order_number": number, "label_type": "PDF", "url": "", "label_string": ""}
        if self.label_urls:
            prefix = request.url.path[: -len("/v1/order/label/get")]
            origin = f"{request.url.scheme}://{request.url.netloc.decode('ascii')}"
            result["url"] = f"{origin}{prefix}/labels/{order.waybill}.pdf"
        else:
            result["label_string"] = base64.b64encode(self._pdf(order)).decode("ascii")
        return self._envelope(True, result=result)

    def _label_file(self, path: str) -> httpx.Response:
        order = self._find(path.removeprefix("/labels/").removesuffix(".pdf"))
        if order is None:
            return httpx.Response(404, content=b"not found")
        return httpx.Response(200, content=self._pdf(order), headers={"content-type": "application/pdf"})

    def _cancel(self, request: httpx.Request) -> httpx.Response:
        body = self._json(request) or {}
        number = str(body.get("waybill_number") or "")
        with self.lock:
            order = self.orders.get(number)
            if order is None:
                return self._refuse("ORDER_NOT_FOUND", f"no waybill {number}")
            if order.cancelled:
                return self._refuse("ORDER_CANCELLED", f"waybill {number} is already cancelled")
            if order.received():
                return self._refuse("ORDER_RECEIVED", f"waybill {number} is at the warehouse: it cannot be cancelled")
            order.cancelled = True
        return self._envelope(True)

    def _info(self, request: httpx.Request) -> httpx.Response:
        order = self._find(request.url.params.get("order_number", ""))
        if order is None:
            return self._envelope(True)
        body = order.body
        return self._envelope(True, result={
            "waybill_number": order.waybill, "customer_order_number": order.reference,
            "product_code": order.product, "tracking_number": "", "pieces": len(body.get("packages") or []),
            "weight_unit": "KG", "size_unit": "CM", "status": "E" if order.cancelled else "A",
            "packages": body.get("packages"), "receiver": body.get("receiver"), "sender": body.get("sender"),
            "declaration_info": body.get("declaration_info")})

    # -- prices, tracking, subscriptions -----------------------------------------------------------
    def _trial(self, request: httpx.Request) -> httpx.Response:
        params = request.url.params
        country = params.get("country_code", "")
        try:
            weight = Decimal(params.get("weight", ""))
            pieces = int(params.get("pieces", "1"))
            size = tuple(Decimal(params[k]) for k in ("length", "width", "height")) if "length" in params else None
        except (InvalidOperation, ValueError, KeyError):
            return self._refuse("INVALID_PARAMETER", "weight, pieces and sizes must be numbers")
        weight_unit, size_unit = params.get("weight_unit", "KG"), params.get("size_unit", "CM")
        if len(country) != 2 or not Decimal("0.001") <= weight <= 1000 or weight_unit not in ("KG", "G", "LBS") \
                or size_unit not in ("CM", "INCH"):
            return self._refuse("INVALID_PARAMETER", "country_code, weight (0.001-1000) or units are invalid")
        kg = chargeable_kg(weight, weight_unit, pieces, size, size_unit)  # type: ignore[arg-type]
        return self._envelope(True, result=trial_lines(country, kg))

    def _track(self, request: httpx.Request) -> httpx.Response:
        number = request.url.params.get("order_number", "")
        order = self._find(number)
        if order is None:
            return self._envelope(True, result=[{"order_number": number, "package_status": "N"}])
        with self.lock:
            order.reveal(self._clock())
            events = list(order.events)
            status = order.package_status()
        info = {"waybill_number": order.waybill, "customer_order_number": order.reference,
                "product_code": order.product, "origin_code": "CN",
                "destination_code": (order.body.get("receiver") or {}).get("country_code", ""),
                "track_events": events}
        return self._envelope(True, result=[{"order_number": number, "package_status": status, "track_Info": info}])

    def _subscribe(self, request: httpx.Request) -> httpx.Response:
        body = self._json(request) or {}
        numbers, kind = body.get("waybill_numbers"), body.get("subscribe_type")
        if not isinstance(numbers, list) or not 1 <= len(numbers) <= 50 or kind not in ("A", "F", "L", "N", "EL",
                                                                                          "ANC"):
            return self._refuse("INVALID_PARAMETER", "waybill_numbers (1-50) and subscribe_type are required")
        unknown = [n for n in numbers if n not in self.orders]
        if unknown:
            return self._refuse("ORDER_NOT_FOUND", f"no waybill {', '.join(map(str, unknown))}")
        with self.lock:
            for number in numbers:
                self.subscriptions[number] = kind
        return self._envelope(True, msg="subscribed")


def _positive(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value > 0


__all__ = ["YunExpressEmulator", "sign"]
