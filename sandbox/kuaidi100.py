"""Kuaidi100 emulator: real-time query, courier detection, subscriptions, and pushes fired at a callback.

Written from Kuaidi100's documentation, never from carriergate's carrier code: it computes every
signature itself. Point an account's ``base_url`` at ``http://sandbox.carriergate.invalid/kuaidi100``;
the paths are Kuaidi100's own:

- ``POST /poll/query.do`` (form ``customer``, ``sign``, ``param``): ``sign`` must be
  ``upper(md5(param + key + customer))`` (else returnCode 503); SF and ZTO numbers need ``phone`` whose
  last four digits match (else 408); an unknown number or the wrong courier is 500 查询无结果. Each
  query of a parcel reveals one more scan, until it is signed for.
- ``POST /autonumber/auto`` (form ``key``, ``num``): the candidates ``[{"comCode", "name"}]``.
- ``POST /poll`` (form ``schema``, ``param`` with ``key`` inside): 200 accepted, 501 already subscribed,
  600 bad key, 700 no callback URL or a courier that does not match the number.
- the business APIs (``POST /order/borderapi.do`` price, bOrder, cancel; ``POST /label/order`` order,
  cancel, time; ``GET /label/image/{taskId}.png``), signed ``upper(md5(param + t + key + secret))``:
  :mod:`carriergate.sandbox.kuaidi100_business`. A label's or a pickup's number is a parcel queries
  then track, so label -> track -> void and pickup -> cancel work end to end.

Parcels: :data:`SAMPLES` are known from the start; tests add more with :meth:`add_parcel`, and any
number of the sandbox's own YTO series (``YT77`` and 11 digits not ending 999999, see
:meth:`fresh_number`) is a new YTO parcel the first time it is asked about, so a test with no label
to track can still track. Pushes:
:meth:`push_request` builds the next push of a subscribed parcel (``param`` and ``sign = upper(md5(param
+ salt))``, or a wrong sign on request); :meth:`fire` sends it to the subscription's callback URL.
Faults (latency, 5xx, lost answers...) come from the sandbox transport, as for every emulator.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlencode

import httpx

from carriergate.sandbox.base import Emulator, json_response
from carriergate.sandbox.kuaidi100_business import BusinessDesk

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
FORM = "application/x-www-form-urlencoded"
#: Numbers the emulator knows from the start: number -> (courier code, phone or None).
SAMPLES: dict[str, tuple[str, str | None]] = {
    "YT7700000000001": ("yuantong", None),
    "SF1400000000001": ("shunfeng", "13800138000"),
    "78300000000001": ("zhongtong", "13912345678"),
    "4300000000001": ("yunda", None),
}
#: The sandbox's own YTO series: such a number is a new parcel the first time it is asked about.
FRESH_PREFIX = "YT77"
FRESH = re.compile(r"YT77[0-9]{11}")
#: The ending of the series' numbers never issued (unknown, as a tracking test of a stranger needs).
NEVER_ISSUED = "999999"
NAMES = {"yuantong": "圆通速递", "shunfeng": "顺丰速运", "zhongtong": "中通快递", "yunda": "韵达快递"}
PHONE_REQUIRED = frozenset({"shunfeng", "shunfengkuaiyun", "zhongtong", "fengwang"})
#: The scans a parcel goes through: (main state, sub-state, state name, context).
SCANS = [
    ("1", "103", "揽收", "【上海市】快件已由【上海浦东网点】揽收"),
    ("0", "1002", "在途", "快件离开【上海转运中心】，已发往【北京转运中心】"),
    ("0", "1001", "在途", "快件到达【北京市】"),
    ("5", "5", "派件", "【北京朝阳网点】快递员正在派件"),
    ("3", "301", "签收", "快件已签收，签收人：本人"),
]


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest().upper()  # noqa: S324 - Kuaidi100's scheme


@dataclass
class Parcel:
    number: str
    company: str
    phone: str | None
    created: datetime
    scans_seen: int = 0


@dataclass
class Subscribed:
    number: str
    company: str
    callback_url: str
    salt: str
    pushes: list[str] = field(default_factory=list)  # every param pushed, in order


class Kuaidi100Emulator(Emulator):
    name = "kuaidi100"
    account: ClassVar[dict[str, str]] = {
        "customer": "SBX_CUSTOMER", "key": "sandbox-key", "secret": "sandbox-secret", "salt": "sandbox-salt",
        "rate_companies": "yuantong,zhongtong,shunfeng", "temp_id": "sandbox-template", "pickup_company": "yuantong",
        "pickup_to_name": "雷氏贸易仓库", "pickup_to_phone": "13800138000",
        "pickup_to_address": "上海市浦东新区世纪大道88号", "pickup_cargo": "日用品",
        "order_callback_url": "https://shop.example/webhooks/kuaidi100-orders"}

    def __init__(self) -> None:
        super().__init__()
        start = datetime(2026, 3, 2, 9, 0, tzinfo=CHINA)
        self.parcels: dict[str, Parcel] = {n: Parcel(n, c, p, start) for n, (c, p) in SAMPLES.items()}
        self.subscriptions: dict[str, Subscribed] = {}
        self.calls: list[str] = []  # the path of every accepted call, in order
        self.desk = BusinessDesk(self)  # prices, pickups, waybills, label images

    @staticmethod
    def fresh_number() -> str:
        """A number of the sandbox's YTO series that no emulator has seen yet."""
        while (number := f"{FRESH_PREFIX}{uuid.uuid4().int % 10**11:011d}").endswith(NEVER_ISSUED):
            pass
        return number

    def _parcel(self, number: str) -> Parcel | None:
        """The parcel ``number`` names; a number of the sandbox's series is a new YTO parcel."""
        parcel = self.parcels.get(number)
        if parcel is None and FRESH.fullmatch(number) and not number.endswith(NEVER_ISSUED):
            parcel = self.parcels[number] = Parcel(number, "yuantong", None,
                                                   datetime.now(CHINA).replace(microsecond=0))
        return parcel

    def add_parcel(self, number: str, company: str, phone: str | None = None) -> Parcel:
        with self.lock:
            parcel = self.parcels[number] = Parcel(number, company, phone, datetime.now(CHINA).replace(microsecond=0))
            return parcel

    def labels_created(self) -> int:
        """How many electronic waybills (labels) the emulator made."""
        with self.lock:
            return len(self.desk.waybills)

    def is_voided(self, tracking_number: str) -> bool:
        """Whether the waybill of ``tracking_number`` was cancelled (KeyError: no such waybill)."""
        with self.lock:
            return self.desk.waybills[tracking_number].cancelled

    @staticmethod
    def _refuse(code: str, message: str) -> httpx.Response:
        return json_response(200, {"result": False, "returnCode": code, "message": message})

    def handle(self, request: httpx.Request, path: str) -> httpx.Response:
        if request.method == "GET" and path.startswith("/label/image/"):
            with self.lock:
                self.calls.append(path)
                return self.desk.image(path)
        if request.method != "POST":
            return json_response(405, {"result": False, "returnCode": "405", "message": "POST only"})
        try:
            form = dict(parse_qsl(request.content.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return self._refuse("400", "提交的数据不完整")
        handler = {"/poll/query.do": self._query, "/autonumber/auto": self._autonumber,
                   "/poll": self._subscribe, "/order/borderapi.do": self.desk.borderapi,
                   "/label/order": self.desk.label_order}.get(path)
        if handler is None:
            return json_response(404, {"result": False, "returnCode": "404", "message": f"no {path}"})
        with self.lock:
            self.calls.append(path)
            return handler(form)

    # -- the query -------------------------------------------------------------------------------
    def _result(self, parcel: Parcel, *, reveal: bool) -> dict[str, Any]:
        if reveal:
            parcel.scans_seen = min(parcel.scans_seen + 1, len(SCANS))
        data = []
        for i, (_, sub, name, context) in enumerate(SCANS[:parcel.scans_seen]):
            when = (parcel.created + timedelta(hours=5 * i)).strftime(TIME_FORMAT)
            data.append({"time": when, "ftime": when, "context": context, "status": name, "statusCode": sub,
                         "areaName": "上海" if i < 2 else "北京"})
        data.reverse()  # newest first (order desc)
        state = SCANS[parcel.scans_seen - 1][0] if parcel.scans_seen else "0"
        return {"message": "ok", "nu": parcel.number, "ischeck": "1" if state == "3" else "0", "condition": "F00",
                "com": parcel.company, "status": "200", "state": state, "data": data}

    def _query(self, form: dict[str, str]) -> httpx.Response:
        param, sign, customer = form.get("param"), form.get("sign"), form.get("customer")
        if not param or not sign or not customer:
            return self._refuse("400", "提交的数据不完整，或者贵公司没授权")
        if customer != self.account["customer"] or sign != md5_upper(param + self.account["key"] + customer):
            return self._refuse("503", "验证签名失败")
        try:
            asked = json.loads(param)
        except ValueError:
            return self._refuse("400", "提交的数据不完整")
        parcel = self._parcel(str(asked.get("num") or ""))
        if parcel is None or parcel.company != asked.get("com"):
            return self._refuse("500", "查询无结果，请隔段时间再查")
        if parcel.company in PHONE_REQUIRED:
            phone = str(asked.get("phone") or "")
            if len(phone) < 4 or parcel.phone is None or not parcel.phone.endswith(phone[-4:]):
                return self._refuse("408", "快递公司参数异常：手机号码验证失败")
        return json_response(200, self._result(parcel, reveal=True))

    def _autonumber(self, form: dict[str, str]) -> httpx.Response:
        if form.get("key") != self.account["key"]:
            return self._refuse("600", "您不是合法的订阅者（即授权Key出错）")
        parcel = self._parcel(form.get("num", ""))
        if parcel is None:
            return json_response(200, [])
        return json_response(200, [{"comCode": parcel.company, "name": NAMES.get(parcel.company, parcel.company),
                                    "noPre": parcel.number[:4], "noCount": 1, "lengthPre": len(parcel.number)}])

    # -- subscriptions and pushes -----------------------------------------------------------------
    def _subscribe(self, form: dict[str, str]) -> httpx.Response:
        try:
            param = json.loads(form.get("param") or "")
        except ValueError:
            return self._refuse("700", "订阅方的订阅数据存在错误")
        if not isinstance(param, dict) or param.get("key") != self.account["key"]:
            return self._refuse("600", "您不是合法的订阅者（即授权Key出错）")
        parameters = param.get("parameters") or {}
        number, company = str(param.get("number") or ""), str(param.get("company") or "")
        url = str(parameters.get("callbackurl") or "")
        parcel = self._parcel(number)
        if not url or parcel is None or parcel.company != company:
            return self._refuse("700", "订阅方的订阅数据存在错误（如不支持的快递公司、单号为空、单号超长等）"
                                       "或错误的回调地址")
        if number in self.subscriptions:
            return self._refuse("501", "重复订阅")
        self.subscriptions[number] = Subscribed(number, company, url, str(parameters.get("salt") or ""))
        return json_response(200, {"result": True, "returnCode": "200", "message": "提交成功"})

    def push_request(self, number: str, *, advance: bool = True, bad_sign: bool = False) -> httpx.Request:
        """The next push of subscribed ``number`` (``advance`` False: the last one again, as Kuaidi100
        repeats a push it got no acknowledgement for), to its callback URL."""
        with self.lock:
            sub = self.subscriptions[number]
            parcel = self.parcels[number]
            if advance or not sub.pushes:
                result = self._result(parcel, reveal=advance)
                done = result["state"] == "3"
                doc = {"status": "shutdown" if done else "polling", "billstatus": "check" if done else "got",
                       "message": "", "autoCheck": "0", "comOld": "", "comNew": "", "lastResult": result}
                sub.pushes.append(json.dumps(doc, ensure_ascii=False))
            param = sub.pushes[-1]
        sign = md5_upper(param + sub.salt)
        if bad_sign:
            sign = md5_upper(param + sub.salt + "tampered")
        body = urlencode({"param": param, "sign": sign}).encode("ascii")
        return httpx.Request("POST", sub.callback_url, content=body, headers={"content-type": FORM})

    def fire(self, number: str, client: httpx.Client, *, advance: bool = True,
             bad_sign: bool = False) -> httpx.Response:
        """Send the next push of ``number`` to its callback URL with ``client``; the callback's answer."""
        return client.send(self.push_request(number, advance=advance, bad_sign=bad_sign))

    async def afire(self, number: str, client: httpx.AsyncClient, *, advance: bool = True,
                    bad_sign: bool = False) -> httpx.Response:
        """:meth:`fire` with an async client (an ASGI app in-process, say)."""
        return await client.send(self.push_request(number, advance=advance, bad_sign=bad_sign))
