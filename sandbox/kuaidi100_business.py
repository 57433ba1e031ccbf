"""The Kuaidi100 emulator's business APIs, kept statefully: prices and pickups (商家寄件,
``/order/borderapi.do``), electronic waybills and delivery-time estimates (``/label/order``), and the
label images the waybills link to (``GET /label/image/{taskId}.png``).

Written from Kuaidi100's documents, never from carriergate's carrier code. Every call is checked for
``sign = upper(md5(param + t + key + secret))``; borderapi answers ``{"result", "returnCode",
"message", "data"}`` (503 bad signature, 600 bad key, 400 missing fields, 500 a cancel of a cancelled
order), label/order answers ``{"success", "code", "message", "time", "data"}`` (30002 bad signature,
30003 bad key, 30001 missing fields, 30009 no such waybill). A label's number becomes a parcel the
query emulator tracks; a label link is relative to the emulator's root, because the emulator
cannot know the address it is served at (Kuaidi100's own links are absolute https short links).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

import httpx

from carriergate.sandbox.base import json_response
from carriergate.sandbox.documents import Content, label

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
#: Price per courier: (first kilogram, each further kilogram started), CNY.
TARIFFS = {"shunfeng": (18, 6), "jd": (15, 5), "zhongtong": (8, 3), "yuantong": (10, 4), "yunda": (8, 3)}
DEFAULT_TARIFF = (10, 4)
#: Days in transit per courier (another courier: 3).
TRANSIT_DAYS = {"shunfeng": 1, "jd": 1, "zhongtong": 2, "yuantong": 2, "yunda": 3}
#: Waybill number prefixes by courier (yuantong numbers come from the sandbox's own YTO series).
PREFIXES = {"shunfeng": "SF14", "zhongtong": "783", "jd": "JDVA", "yunda": "43"}
DAY_TYPES = ("今天", "明天", "后天")
NEEDS_CARGO = frozenset({"jd", "yuantong"})
_HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()  # noqa: S324 - Kuaidi100's scheme


class Parcels(Protocol):
    """What the query emulator offers this desk: its account, new parcels to track, fresh YTO numbers."""

    @property
    def account(self) -> dict[str, str]: ...

    def add_parcel(self, number: str, company: str, phone: str | None = None) -> Any: ...

    def fresh_number(self) -> str: ...


@dataclass
class Waybill:
    number: str
    company: str
    task_id: str
    courier_order: str | None
    image: bytes
    cancelled: bool = False


@dataclass
class Booking:
    order_id: str
    task_id: str
    company: str
    number: str
    param: dict[str, Any]
    cancelled: bool = False


class BusinessDesk:
    """The business APIs' state: waybills by number, bookings by order id, images by task id."""

    def __init__(self, parcels: Parcels) -> None:
        self.parcels = parcels
        self.waybills: dict[str, Waybill] = {}
        self.bookings: dict[str, Booking] = {}
        self.images: dict[str, bytes] = {}

    # -- the envelope ------------------------------------------------------------------------------
    def signed(self, form: dict[str, str]) -> str | None:
        """None when the call is signed right; else "key" or "sign" (what is wrong)."""
        account = self.parcels.account
        if form.get("key") != account["key"]:
            return "key"
        param, t = form.get("param", ""), form.get("t", "")
        if not t or form.get("sign") != md5_upper(param + t + account["key"] + account["secret"]):
            return "sign"
        return None

    @staticmethod
    def border(code: str, message: str, data: Any = None) -> httpx.Response:
        body: dict[str, Any] = {"result": code == "200", "returnCode": code, "message": message}
        if data is not None:
            body["data"] = data
        return json_response(200, body)

    @staticmethod
    def labelled(code: int, message: str, data: Any = None) -> httpx.Response:
        body: dict[str, Any] = {"success": code == 200, "code": code, "message": message, "time": 12}
        if data is not None:
            body["data"] = data
        return json_response(200, body)

    def number_for(self, company: str) -> str:
        prefix = PREFIXES.get(company)
        if prefix is None:
            return self.parcels.fresh_number()
        return f"{prefix}{uuid.uuid4().int % 10**11:011d}"

    # -- /order/borderapi.do ---------------------------------------------------------------------
    def borderapi(self, form: dict[str, str]) -> httpx.Response:
        wrong = self.signed(form)
        if wrong is not None:
            return self.border("600" if wrong == "key" else "503",
                               "您不是合法的用户(即授权Key出错)" if wrong == "key" else "验证签名失败")
        try:
            asked = json.loads(form.get("param") or "")
        except ValueError:
            asked = None
        if not isinstance(asked, dict):
            return self.border("400", "参数错误")
        method = form.get("method")
        if method == "price":
            return self._price(asked)
        if method == "bOrder":
            return self._book(asked)
        if method == "cancel":
            return self._cancel_booking(asked)
        return self.border("400", f"sandbox: method {method!r} is not emulated")

    def _price(self, asked: dict[str, Any]) -> httpx.Response:
        company = str(asked.get("kuaidiCom") or "")
        if not company or not asked.get("sendManPrintAddr") or not asked.get("recManPrintAddr"):
            return self.border("400", "参数错误：kuaidiCom、sendManPrintAddr、recManPrintAddr 必填")
        try:
            weight = float(asked.get("weight") or 1)
        except (TypeError, ValueError):
            return self.border("400", "参数错误：weight")
        first, step = TARIFFS.get(company, DEFAULT_TARIFF)
        over = step * max(0, math.ceil(weight) - 1)
        data = {"serviceType": asked.get("serviceType") or "标准快递", "kuaidiCom": company,
                "firstPrice": f"{first:.1f}", "overPrice": f"{over:.1f}", "price": f"{first + over:.1f}",
                "defFirstPrice": f"{first + 2:.1f}", "defOverPrice": f"{over:.1f}",
                "defPrice": f"{first + 2 + over:.1f}"}
        return self.border("200", "成功", data)

    def _book(self, asked: dict[str, Any]) -> httpx.Response:
        needed = ["kuaidicom", "recManName", "recManMobile", "recManPrintAddr", "sendManName", "sendManMobile",
                  "sendManPrintAddr", "callBackUrl"]
        company = str(asked.get("kuaidicom") or "")
        if company in NEEDS_CARGO:
            needed.append("cargo")
        if company == "shunfeng":
            needed += ["pickupStartTime", "pickupEndTime"]
        missing = [name for name in needed if not asked.get(name)]
        if missing:
            return self.border("400", f"参数错误：{', '.join(missing)} 必填")
        if asked.get("dayType") and asked["dayType"] not in DAY_TYPES:
            return self.border("400", "参数错误：dayType 只能是今天、明天或后天")
        times = [str(asked[k]) for k in ("pickupStartTime", "pickupEndTime") if asked.get(k)]
        if any(not _HHMM.match(v) for v in times) or (len(times) == 2 and times[0] >= times[1]):
            return self.border("400", "参数错误：预约时间格式 HH:mm，起始早于截止")
        order_id = str(20066771 + len(self.bookings))
        task_id = uuid.uuid4().hex.upper()
        number = self.number_for(company)
        self.parcels.add_parcel(number, company, str(asked["recManMobile"]))
        self.bookings[order_id] = Booking(order_id, task_id, company, number, asked)
        return self.border("200", "提交成功", {"taskId": task_id, "orderId": order_id, "kuaidinum": number})

    def _cancel_booking(self, asked: dict[str, Any]) -> httpx.Response:
        booking = self.bookings.get(str(asked.get("orderId") or ""))
        if not asked.get("taskId") or not asked.get("cancelMsg") or booking is None or \
                booking.task_id != asked.get("taskId"):
            return self.border("400", "参数错误：订单不存在")
        if booking.cancelled:
            return self.border("500", "订单已取消，请勿重复操作")
        booking.cancelled = True
        return self.border("200", "取消成功", {})

    # -- /label/order ------------------------------------------------------------------------------
    def label_order(self, form: dict[str, str]) -> httpx.Response:
        wrong = self.signed(form)
        if wrong is not None:
            return self.labelled(30003 if wrong == "key" else 30002,
                                 "账号信息不正确" if wrong == "key" else "验证签名失败")
        try:
            asked = json.loads(form.get("param") or "")
        except ValueError:
            asked = None
        if not isinstance(asked, dict):
            return self.labelled(30001, "参数错误")
        handler = {"order": self._order, "cancel": self._cancel_waybill, "time": self._time}.get(form.get("method", ""))
        if handler is None:
            return self.labelled(30001, f"sandbox: method {form.get('method')!r} is not emulated")
        return handler(asked)

    def _order(self, asked: dict[str, Any]) -> httpx.Response:
        company = str(asked.get("kuaidicom") or "")
        people = [asked.get("recMan"), asked.get("sendMan")]
        if not company or not all(isinstance(p, dict) and p.get("name") and p.get("printAddr") and
                                  (p.get("mobile") or p.get("tel")) for p in people):
            return self.labelled(30001, "参数错误：kuaidicom、recMan、sendMan 必填")
        print_type = asked.get("printType") or "NON"
        if print_type in ("CLOUD", "ORDERFIRST") and not asked.get("siid"):
            return self.labelled(30001, "参数错误：siid 必填")
        number = self.number_for(company)
        task_id = uuid.uuid4().hex
        recipient = people[0] if isinstance(people[0], dict) else {}
        self.parcels.add_parcel(number, company, str(recipient.get("mobile") or recipient.get("tel") or "") or None)
        image = label("PNG", Content(carrier="Kuaidi100", tracking=number, service=str(asked.get("expType") or ""),
                                     lines=(f"ref {asked.get('orderId') or ''}",)))
        courier_order = f"K{task_id[:12].upper()}" if company == "shunfeng" else None
        self.waybills[number] = Waybill(number, company, task_id, courier_order, image)
        data: dict[str, Any] = {"kuaidinum": number, "taskId": task_id, "bulkpen": "京-朝阳"}
        if courier_order:
            data["kdComOrderNum"] = courier_order
        if print_type == "IMAGE":
            self.images[task_id] = image
            data["label"] = f"label/image/{task_id}.png"
        return self.labelled(200, "success", data)

    def _cancel_waybill(self, asked: dict[str, Any]) -> httpx.Response:
        if not asked.get("kuaidicom") or not asked.get("kuaidinum"):
            return self.labelled(30001, "参数错误：kuaidicom、kuaidinum 必填")
        waybill = self.waybills.get(str(asked["kuaidinum"]))
        if waybill is None or waybill.company != asked["kuaidicom"]:
            return self.labelled(30009, "查无此单")
        if waybill.courier_order and asked.get("orderId") != waybill.courier_order:
            return self.labelled(30001, "参数错误：orderId(kdComOrderNum) 必填")
        if waybill.cancelled:
            return self.labelled(201, "取消失败：面单已取消")
        waybill.cancelled = True
        return self.labelled(200, "success")

    def _time(self, asked: dict[str, Any]) -> httpx.Response:
        company = str(asked.get("kuaidicom") or "")
        try:
            ordered = datetime.strptime(str(asked.get("orderTime") or ""), TIME_FORMAT)
        except ValueError:
            return self.labelled(30001, "参数错误：orderTime 格式 yyyy-MM-dd HH:mm:ss")
        if not company or not asked.get("from") or not asked.get("to"):
            return self.labelled(30001, "参数错误：kuaidicom、from、to 必填")
        days = TRANSIT_DAYS.get(company, 3)
        arrival = (ordered + timedelta(days=days)).replace(hour=18, minute=0, second=0)
        return self.labelled(200, "success", {"taskId": uuid.uuid4().hex, "fromName": asked["from"],
                                              "toName": asked["to"], "arrivalTime": arrival.strftime(TIME_FORMAT),
                                              "deliveryExpendTime": str(days), "expType": asked.get("expType")})

    def image(self, path: str) -> httpx.Response:
        task_id = path.rsplit("/", 1)[-1].removesuffix(".png")
        content = self.images.get(task_id)
        if content is None:
            return json_response(404, {"code": 30009, "message": "查无此单"})
        return httpx.Response(200, content=content, headers={"content-type": "image/png"})
