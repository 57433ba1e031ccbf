"""4PX emulator: the open-platform router (``POST /router/api/service``) and the APIs carriergate uses.

Written from 4PX's API pages: system parameters in the URL query (``method``, ``app_key``, ``v``,
``timestamp``, ``format``, ``sign``), the business parameters as a JSON body, and the signature
checked as documented (sorted name+value pairs of the signed parameters, then the raw body, then
the secret; lower-case MD5) by this module's own code. Refusals use 4PX's codes: 000014 missing
system parameters, 000013 unknown app_key, 000012 bad signature, 000011 unknown method, 000004 a
body that is not JSON. Answers are ``{"result", "msg", "errors", "data"}``.

APIs: ds.xms.order.create (``4px_tracking_no`` 3009 + 8 digits, a repeated ref_no refused),
ds.xms.label.get (a root-relative link ``/4px/labels/{number}.pdf``, served by ``GET`` as a one-page
PDF; 4PX's own links are absolute),
ds.xms.order.get (the order by any of its numbers; an empty list for none), ds.xms.order.cancel,
tr.order.tracking.get (one more scan per query, dated no later than the
emulator's clock; none for a cancelled order; ``data`` null for a number never issued) and
ds.xms.estimated_cost.get (prices from :mod:`.fourpx_pricing`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from carriergate.sandbox import documents, journey
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.conformance import Violation
from carriergate.sandbox.fourpx_pricing import PRODUCTS, SCANS, price

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
ROUTER = "/router/api/service"
SIGNED = ("app_key", "format", "method", "timestamp", "v")
STEP = timedelta(hours=8)


@dataclass
class _Order:
    ref_no: str
    number: str  # 4px_tracking_no
    consignment: str
    channel: str
    product: str
    created: datetime
    destination: str
    cancelled: bool = False
    body: dict[str, Any] = field(default_factory=dict)
    scanned_at: list[datetime] = field(default_factory=list)

    def reveal(self, now: datetime) -> None:
        if self.cancelled or len(self.scanned_at) >= len(SCANS):
            return
        self.scanned_at.append(journey.stamp(self.created, STEP, len(self.scanned_at), len(SCANS), now))


def _sign(params: dict[str, str], body: str, secret: str) -> str:
    text = "".join(name + params.get(name, "") for name in sorted(SIGNED)) + body + secret
    return hashlib.md5(text.encode("utf-8")).hexdigest()  # noqa: S324 - 4PX's scheme


class FourPXEmulator(Emulator):
    name = "4px"
    account: ClassVar[dict[str, str]] = {"app_key": "sandbox-4px-app-key", "app_secret": "sandbox-4px-secret"}

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(CHINA)) -> None:
        super().__init__()
        self._clock = clock
        self.orders: dict[str, _Order] = {}  # by 4px_tracking_no
        self.by_ref: dict[str, _Order] = {}
        self.calls: list[str] = []  # method of every accepted call, in order
        self._next = 0

    def clock(self) -> datetime:
        return self._clock().astimezone(CHINA).replace(microsecond=0)

    def labels_created(self) -> int:
        with self.lock:
            return len(self.orders)

    def is_voided(self, tracking_number: str) -> bool:
        with self.lock:
            return self.orders[tracking_number].cancelled

    # -- envelope -----------------------------------------------------------------------------
    @staticmethod
    def _ok(data: Any) -> httpx.Response:
        return json_response(200, {"result": "1", "msg": "System processing succeeded", "errors": None, "data": data})

    @staticmethod
    def _fail(code: str, message: str, reference: str | None = None) -> httpx.Response:
        error = {"error_code": code, "error_msg": message, "error_data": None, "reference_code": reference}
        return json_response(200, {"result": "0", "msg": "System processing failed", "errors": [error],
                                   "data": None})

    def reject(self, violation: Violation) -> httpx.Response:
        return json_response(400, {"result": "0", "msg": "System processing failed", "data": None, "errors": [
            {"error_code": "DS000004", "error_msg": "Parameter error (sandbox): " + "; ".join(violation.problems)}]})

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.method == "GET" and path.startswith("/labels/") and path.endswith(".pdf"):
            return self._download(path[len("/labels/"):-len(".pdf")])
        if request.method != "POST" or path != ROUTER:
            return json_response(404, {"error": "4PX serves POST /router/api/service"})
        params = {k: request.url.params.get(k, "") for k in (*SIGNED, "sign")}
        if any(not params[k] for k in (*SIGNED, "sign")) or params["format"] != "json":
            return self._fail("000014", "Invalid authentication parameters")
        if params["app_key"] != self.account["app_key"]:
            return self._fail("000013", "app_key validation failed")
        body_text = request.content.decode("utf-8", errors="replace")
        if _sign(params, body_text, self.account["app_secret"]) != params["sign"]:
            return self._fail("000012", "Signature verification error")
        handler = {"ds.xms.order.create": self._create, "ds.xms.label.get": self._label,
                   "ds.xms.order.cancel": self._cancel, "tr.order.tracking.get": self._track,
                   "ds.xms.estimated_cost.get": self._estimate, "ds.xms.order.get": self._query}.get(params["method"])
        if handler is None:
            return self._fail("000011", "API interface does not exist")
        try:
            body = json.loads(body_text, parse_float=Decimal)
        except ValueError:
            return self._fail("000004", "JSON parsing failed")
        if not isinstance(body, dict):
            return self._fail("000004", "JSON parsing failed")
        # Root-relative: behind the loopback server (which rewrites every URL to the sandbox host) the
        # emulator cannot know the address it is reached at; the carrier resolves the link against its host.
        root = request.url.path[: -len(ROUTER)]
        with self.lock:
            self.calls.append(params["method"])
            return handler(body, root)

    def _find(self, request_no: str) -> _Order | None:
        return self.orders.get(request_no) or self.by_ref.get(request_no) or next(
            (o for o in self.orders.values() if o.channel == request_no), None)

    # -- APIs ---------------------------------------------------------------------------------
    def _create(self, body: dict[str, Any], root: str) -> httpx.Response:
        ref_no = str(body.get("ref_no") or "")
        product = str((body.get("logistics_service_info") or {}).get("logistics_product_code") or "")
        parcels = body.get("parcel_list") or []
        recipient = body.get("recipient_info") or {}
        if not ref_no or not parcels or not isinstance(recipient, dict) or not recipient.get("country"):
            return self._fail("DS000004", "Parameter error (sandbox): ref_no, parcel_list and recipient_info",
                              ref_no or None)
        if product not in PRODUCTS:
            return self._fail("DS000004", f"Logistics product {product!r} is not available (sandbox)", ref_no)
        if str(body.get("duty_type") or "") not in ("U", "P") or not body.get("business_type"):
            return self._fail("DS000009", "Business type or duty type cannot be empty", ref_no)
        if ref_no in self.by_ref and not self.by_ref[ref_no].cancelled:
            return self._fail("DS000000", f"Ref_no: {ref_no} already exists (sandbox)", ref_no)
        self._next += 1
        number = f"3009{self._next:08d}"
        order = _Order(ref_no=ref_no, number=number, consignment=f"DS{number}", channel=f"9400{self._next:018d}",
                       product=product, created=self.clock(), destination=str(recipient["country"]), body=body)
        self.orders[number] = order
        self.by_ref[ref_no] = order
        return self._ok({"ds_consignment_no": order.consignment, "4px_tracking_no": number, "label_barcode": "",
                         "logistics_channel_name": "USPS", "ref_no": ref_no, "logistics_channel_no": order.channel,
                         "oda_result_sign": "N"})

    def _query(self, body: dict[str, Any], root: str) -> httpx.Response:
        """The order by any of its numbers (a list, empty when there is none); P forecast, X closed."""
        order = self._find(str(body.get("request_no") or ""))
        if order is None:
            return self._ok([])
        return self._ok([{"consignment_info": {
            "4px_tracking_no": order.number, "ref_no": order.ref_no, "ds_consignment_no": order.consignment,
            "logistics_channel_no": order.channel, "logistics_product_code": order.product,
            "consignment_status": "X" if order.cancelled else "P",
            "consignment_create_date": int(order.created.timestamp() * 1000)}}])

    def _label(self, body: dict[str, Any], root: str) -> httpx.Response:
        order = self._find(str(body.get("request_no") or ""))
        if order is None or order.cancelled:
            return self._fail("DS000046", "Label for this ticket does not exist", str(body.get("request_no") or ""))
        if str(body.get("response_label_format") or "PDF") != "PDF":
            return self._fail("DS000019", "Returned label format is invalid (sandbox makes PDF)", order.ref_no)
        return self._ok({"label_barcode": order.number, "label_url_info": {
            "logistics_label": f"{root}/labels/{order.number}.pdf", "custom_label": None, "package_label": None}})

    def _download(self, number: str) -> httpx.Response:
        with self.lock:
            order = self.orders.get(number)
        if order is None:
            return json_response(404, {"error": "no such label"})
        recipient = order.body.get("recipient_info") or {}
        lines = (f"Ref {order.ref_no}", f"To: {recipient.get('city', '')}, {order.destination}",
                 f"Last mile: {order.channel}")
        pdf = documents.pdf_label(documents.Content("4PX", number, PRODUCTS[order.product].name, lines))
        return httpx.Response(200, content=pdf, headers={"content-type": "application/pdf"})

    def _cancel(self, body: dict[str, Any], root: str) -> httpx.Response:
        request_no = str(body.get("request_no") or "")
        if not body.get("cancel_reason"):
            return self._fail("DS000016", "Cancellation reason cannot be empty", request_no)
        order = self._find(request_no)
        if order is None:
            return self._fail("0", "Can not find this order", request_no)
        if order.cancelled or order.scanned_at[1:]:  # cancelled, or already picked up
            return self._fail("DS000014", "This order number cannot be cancelled", request_no)
        order.cancelled = True
        return self._ok(None)

    def _track(self, body: dict[str, Any], root: str) -> httpx.Response:
        number = str(body.get("deliveryOrderNo") or "")
        order = self._find(number)
        if order is None:
            return self._ok(None)
        order.reveal(self.clock())
        events = [{"businessLinkCode": code, "occurDatetime": when.strftime(TIME_FORMAT), "timeZone": "UTC+08:00",
                   "occurLocation": where, "trackingContent": what}
                  for (code, what, where), when in zip(SCANS, order.scanned_at, strict=False)]
        return self._ok({"deliveryOrderNo": number, "destinationCountry": order.destination,
                         "trackingList": list(reversed(events))})

    def _estimate(self, body: dict[str, Any], root: str) -> httpx.Response:
        country = str(body.get("country_code") or "")
        try:
            grams = int(str(body.get("weight") or ""))
        except ValueError:
            return self._fail("DS000004", "Parameter error: weight (g) is required")
        if not country or grams <= 0:
            return self._fail("DS000004", "Parameter error: country_code and weight are required")
        wanted = body.get("logistics_product_code") or list(PRODUCTS)
        entries = [{"logistics_product_code": p.code, "logistics_product_name": p.name,
                    "lump_sum_fee": f"{price(p, country, grams):f}", "estimated_time": f"{p.days[0]}-{p.days[1]}",
                    "charge_weight": str(grams), "is_show_track": "Y", "is_volume_cargo": "N", "remarks": ""}
                   for code in wanted if (p := PRODUCTS.get(str(code))) is not None]
        return self._ok(entries)
