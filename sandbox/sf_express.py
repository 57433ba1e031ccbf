"""SF Express emulator: the 丰桥 gateway (one URL, form POST, msgDigest) and the services carriergate uses.

The emulator root *is* the service URL: point an account's ``base_url`` at
``http://sandbox.carriergate.invalid/sf_express``. The gateway checks the form (A1001), the partner
(A1004) and the digest with carriergate's own :func:`msg_digest` (A1006) before any service runs.
Services: EXP_RECE_QUERY_DELIVERTM (prices by province distance and weight), EXP_RECE_CREATE_ORDER
(waybills ``SF`` + 12 digits, 8016 on a repeated orderId), EXP_RECE_SEARCH_ORDER_RESP,
EXP_RECE_UPDATE_ORDER (dealType 2), COM_RECE_CLOUD_PRINT_WAYBILLS (a one-page PDF waybill with
its barcode, :mod:`.documents`) and EXP_RECE_SEARCH_ROUTES (up to ten numbers a query; each query of
a waybill reveals one more scan, dated no later than the emulator's clock; a cancelled one has none).
An order query for an orderId never ordered answers 8018, as SF does. Quotes price provinces named
in Chinese or pinyin alike (:mod:`.sf_regions`) and cover mainland China only: a lane to or from
Hong Kong, Macau or Taiwan has no product (an empty ``deliverTmDto``). Route pushes of its waybills
to a partner's push URL: ``RoutePusher(emulator, url)`` in :mod:`.sf_express_push`.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, ClassVar

import httpx

from carriergate.protocols.auth.sf_digest import decode_form, msg_digest
from carriergate.sandbox import documents, journey, sf_regions
from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.conformance import Violation

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
PRODUCTS = {"1": ("顺丰特快", Decimal(23), Decimal(6), 1), "2": ("顺丰标快", Decimal(13), Decimal(3), 2)}
#: A scan sequence revealed one step per route query.
SCANS = [("50", "顺丰速运 已收取快件"), ("30", "快件在【始发中转场】完成分拣，准备发往下一站"),
         ("36", "快件离开【始发中转场】，已发往目的地"), ("31", "快件到达【目的中转场】"),
         ("44", "快件交给派送员，正在派送途中"), ("80", "快件已签收，签收人：本人")]
#: SF's business code for an orderId it holds no order under (未获取到订单信息).
NO_ORDER = "8018"
#: Numbers one route query may carry.
MAX_ROUTE_NUMBERS = 10
#: Hours between two scans of the sandbox's journey, when the emulator's clock has got that far.
STEP = timedelta(hours=6)


def _where(contact: Any) -> str:
    """A contact's province and country in Latin letters (``Shanghai, CN``): Helvetica shows no Chinese."""
    if not isinstance(contact, dict):
        return ""
    region = sf_regions.pinyin(sf_regions.province(str(contact.get("province") or ""), str(contact.get("city") or "")))
    return ", ".join(p for p in (region, str(contact.get("country") or "")) if p)


def _region(address: dict[str, Any]) -> str | None:
    """The province of a quote's ``srcAddress``/``destAddress`` (Chinese or pinyin, else by city)."""
    return sf_regions.province(str(address.get("province") or ""), str(address.get("city") or ""))


@dataclass
class _Order:
    order_id: str
    waybill: str
    created: datetime
    origin: str
    destination: str
    cancelled: bool = False
    #: When each scan was revealed: one more per route query, none once cancelled.
    scanned_at: list[datetime] = field(default_factory=list)
    product: str = ""
    #: (sender, receiver) in Latin letters, for the printed waybill.
    regions: tuple[str, str] = ("", "")

    @property
    def scans_seen(self) -> int:
        return len(self.scanned_at)

    def reveal(self, now: datetime) -> None:
        if self.cancelled or len(self.scanned_at) >= len(SCANS):
            return
        self.scanned_at.append(journey.stamp(self.created, STEP, len(self.scanned_at), len(SCANS), now))


class SFExpressEmulator(Emulator):
    name = "sf_express"
    account: ClassVar[dict[str, str]] = {"partner_id": "SBX_PARTNER", "checkword": "sandbox-checkword",
                                         "monthly_card": "7551234567"}

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(CHINA)) -> None:
        super().__init__()
        self._clock = clock
        self.orders: dict[str, _Order] = {}
        self.by_waybill: dict[str, _Order] = {}
        self.calls: list[str] = []  # serviceCode of every accepted call, in order
        self._next = 0

    def clock(self) -> datetime:
        """The emulator's now in China time, to the second (SF's times have no fraction)."""
        return self._clock().astimezone(CHINA).replace(microsecond=0)

    # -- gateway ------------------------------------------------------------------------------
    @staticmethod
    def _gateway(code: str, message: str) -> httpx.Response:
        return json_response(200, {"apiResultCode": code, "apiErrorMsg": message,
                                   "apiResponseID": uuid.uuid4().hex.upper(), "apiResultData": None})

    @staticmethod
    def _business(data: dict[str, Any]) -> httpx.Response:
        return json_response(200, {"apiResultCode": "A1000", "apiErrorMsg": "",
                                   "apiResponseID": uuid.uuid4().hex.upper(),
                                   "apiResultData": json.dumps(data, ensure_ascii=False)})

    def _ok(self, msg_data: dict[str, Any]) -> httpx.Response:
        return self._business({"success": True, "errorCode": "S0000", "errorMsg": None, "msgData": msg_data})

    def _fail(self, code: str, message: str) -> httpx.Response:
        return self._business({"success": False, "errorCode": code, "errorMsg": message, "msgData": None})

    def reject(self, violation: Violation) -> httpx.Response:
        return json_response(400, {"apiResultCode": "A1001", "apiResponseID": uuid.uuid4().hex.upper(),
                                   "apiErrorMsg": "请求不符合顺丰报文规范 (sandbox): " + "; ".join(violation.problems),
                                   "apiResultData": None})

    def labels_created(self) -> int:
        with self.lock:
            return len(self.orders)

    def is_voided(self, tracking_number: str) -> bool:
        with self.lock:
            return self.by_waybill[tracking_number].cancelled

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.method != "POST" or path != "/":
            return json_response(404, {"error": "SF serves one URL: POST the form to the root"})
        try:
            form = decode_form(request.content)
        except ValueError:
            return self._gateway("A1001", "必传参数不可为空")
        fields = ("partnerID", "requestID", "serviceCode", "timestamp", "msgData", "msgDigest")
        if any(not form.get(f) for f in fields):
            return self._gateway("A1001", "必传参数不可为空")
        if form["partnerID"] != self.account["partner_id"]:
            return self._gateway("A1004", "无对应服务权限")
        if msg_digest(form["msgData"], form["timestamp"], self.account["checkword"]) != form["msgDigest"]:
            return self._gateway("A1006", "数字签名无效")
        try:
            msg = json.loads(form["msgData"], parse_float=Decimal)
        except ValueError:
            return self._fail("S0001", "非法的JSON格式")
        handler = {
            "EXP_RECE_QUERY_DELIVERTM": self._quote, "EXP_RECE_CREATE_ORDER": self._create,
            "EXP_RECE_SEARCH_ORDER_RESP": self._search, "EXP_RECE_UPDATE_ORDER": self._update,
            "COM_RECE_CLOUD_PRINT_WAYBILLS": self._print, "EXP_RECE_SEARCH_ROUTES": self._routes,
        }.get(form["serviceCode"])
        if handler is None:
            return self._gateway("A1004", "无对应服务权限")
        if not isinstance(msg, dict):
            return self._fail("S0001", "非法的JSON格式")
        with self.lock:
            self.calls.append(form["serviceCode"])
            return handler(msg)

    # -- services -----------------------------------------------------------------------------
    def _quote(self, msg: dict[str, Any]) -> httpx.Response:
        src, dest = _region(msg.get("srcAddress") or {}), _region(msg.get("destAddress") or {})
        if not (sf_regions.is_mainland(src) and sf_regions.is_mainland(dest)):
            return self._ok({"deliverTmDto": []})  # the mainland query has no product for this lane
        distance = abs(sf_regions.index(src) - sf_regions.index(dest))
        weight = Decimal(str(msg.get("weight") or 1))
        extra_kg = max(math.ceil(weight) - 1, 0)
        consigned = self.clock()
        if msg.get("consignedTime"):
            consigned = datetime.strptime(str(msg["consignedTime"]), TIME_FORMAT).replace(tzinfo=CHINA)
        wanted = str(msg.get("businessType") or "")
        entries = []
        for code, (desc, first, per_kg, days) in PRODUCTS.items():
            if wanted and wanted != code:
                continue
            fee = first + Decimal(distance) + per_kg * extra_kg * (1 + Decimal(distance) / 10)
            arrive = (consigned + timedelta(days=days + distance // 12)).replace(hour=18, minute=0, second=0)
            when = arrive.strftime(TIME_FORMAT)
            entries.append({"businessType": code, "businessTypeDesc": desc, "deliverTime": f"{when},{when}",
                            "fee": float(fee.quantize(Decimal("0.1"))), "searchPrice": "1", "closeTime": "19:00:00"})
        return self._ok({"deliverTmDto": entries})

    def _order_data(self, order: _Order) -> dict[str, Any]:
        return {"orderId": order.order_id, "originCode": "021", "destCode": "010", "filterResult": 2,
                "waybillNoInfoList": [{"waybillType": 1, "waybillNo": order.waybill}]}

    def _create(self, msg: dict[str, Any]) -> httpx.Response:
        order_id = str(msg.get("orderId") or "")
        contacts = msg.get("contactInfoList") or []
        if not order_id or len(contacts) != 2:
            return self._fail("1010", "寄件地址不能为空")
        if order_id in self.orders:
            return self._fail("8016", f"重复下单 orderId {order_id}")
        self._next += 1
        order = _Order(order_id=order_id, waybill=f"SF{1360_0000_0000 + self._next:012d}", created=self.clock(),
                       origin=str(contacts[0].get("city", "")), destination=str(contacts[1].get("city", "")),
                       regions=(_where(contacts[0]), _where(contacts[1])),
                       product=str(msg.get("expressTypeId") or ""))
        self.orders[order_id] = order
        self.by_waybill[order.waybill] = order
        return self._ok(self._order_data(order))

    def _search(self, msg: dict[str, Any]) -> httpx.Response:
        """The order query by our orderId; an order never made is 8018 未获取到订单信息."""
        order = self.orders.get(str(msg.get("orderId") or ""))
        if order is None:
            return self._fail(NO_ORDER, "未获取到订单信息 (sandbox)")
        return self._ok(self._order_data(order))

    def _update(self, msg: dict[str, Any]) -> httpx.Response:
        order = self.orders.get(str(msg.get("orderId") or ""))
        if order is None:
            return self._fail(NO_ORDER, "未获取到订单信息 (sandbox)")
        if str(msg.get("dealType")) != "2":
            return self._ok({"orderId": order.order_id, "resStatus": 2})
        order.cancelled = True
        return self._ok({"orderId": order.order_id, "resStatus": 2,
                         "waybillNoInfoList": [{"waybillType": 1, "waybillNo": order.waybill}]})

    def _print(self, msg: dict[str, Any]) -> httpx.Response:
        documents = msg.get("documents") or [{}]
        waybill = str(documents[0].get("masterWaybillNo") or "")
        if waybill not in self.by_waybill:
            return self._business({"success": False, "errorCode": "SBX404", "errorMessage": "运单号不存在 (sandbox)",
                                   "obj": None})
        return self._business({"success": True, "requestId": uuid.uuid4().hex, "errorCode": None,
                               "errorMessage": None,
                               "obj": {"templateCode": msg.get("templateCode"), "files": [
                                   {"waybillNo": waybill, "seqNo": 1, "areaNo": 1, "pageNo": 1,
                                    "content": base64.b64encode(self._waybill(waybill)).decode("ascii")}]}})

    def _waybill(self, number: str) -> bytes:
        """The printed waybill: SF's number as text and barcode (place names as Latin text can show)."""
        order = self.by_waybill[number]
        name = PRODUCTS.get(order.product, ("", 0, 0, 0))[0]
        product = {"顺丰特快": "SF Express (Shunfeng Tekuai)",
                   "顺丰标快": "SF Standard (Shunfeng Biaokuai)"}.get(name, "")
        lines = (f"Order {order.order_id}", f"From: {order.regions[0]}", f"To: {order.regions[1]}")
        return documents.pdf_label(documents.Content("SF Express", number, product, lines))

    def _routes(self, msg: dict[str, Any]) -> httpx.Response:
        """Every number asked (up to ten: 9083 beyond), each answered by its own ``mailNo``."""
        kind = str(msg.get("trackingType") or "1")
        numbers = msg.get("trackingNumber") or []
        if not isinstance(numbers, list) or len(numbers) > MAX_ROUTE_NUMBERS:
            return self._fail("9083", "查询号不能超过10个 (sandbox)")
        resps = []
        for number in numbers:
            order = (self.by_waybill if kind == "1" else self.orders).get(str(number))
            routes: list[dict[str, str]] = []
            if order is not None and not order.cancelled:  # a cancelled waybill (消单) has no routes at SF
                order.reveal(self.clock())
                for i, ((code, remark), when) in enumerate(zip(SCANS, order.scanned_at, strict=False)):
                    place = order.origin if i < 3 else order.destination
                    routes.append({"acceptTime": when.strftime(TIME_FORMAT), "acceptAddress": place,
                                   "remark": remark, "opCode": code})
            resps.append({"mailNo": order.waybill if order else str(number), "routes": routes})
        return self._ok({"routeResps": resps})
