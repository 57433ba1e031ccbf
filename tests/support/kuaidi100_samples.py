"""Kuaidi100 samples shared by its carrier and sandbox tests: an account with the business options,
domestic ship and pickup requests, a fixed clock, and the helpers that read forms and fixtures."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar
from urllib.parse import parse_qs

import httpx

import carriergate as cg
from carriergate.carriers.kuaidi100 import Kuaidi100, Kuaidi100Account
from carriergate.core.contract import Flow

from support.paths import FIXTURES

T = TypeVar("T")
K100 = "kuaidi100"
URL = "https://poll.kuaidi100.com"
LABEL_URL = "https://api.kuaidi100.com"
CHINA = timezone(timedelta(hours=8))
KEY, SECRET, CUSTOMER, SALT = "k100-Key-XYZ", "k100-Secret-ABC", "CUSTOMER0001", "k100-Salt-123"
PARTNER_KEY, PARTNER_SECRET = "yto-Partner-Key-77", "yto-Partner-Secret-88"
#: 2026-03-02 09:30:00 China time, as the carrier's injected clock gives it (seconds since the epoch).
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=CHINA)
#: A carrier clock for pickups: PickupWindow refuses windows in the past, so pickup tests run in 2099.
LATER = datetime(2099, 6, 1, 8, 0, tzinfo=CHINA)
SETTINGS: dict[str, Any] = {
    "customer": CUSTOMER, "key": KEY, "secret": SECRET, "salt": SALT,
    "rate_companies": "yuantong, zhongtong", "temp_id": "tmpl-0001",
    "waybill_accounts": {"yuantong": {"partner_id": "YTO-0001", "partner_key": PARTNER_KEY,
                                      "partner_secret": PARTNER_SECRET, "net": "上海浦东网点"}},
    "pickup_company": "yuantong", "pickup_to_name": "雷氏贸易仓库", "pickup_to_phone": "13800138000",
    "pickup_to_address": "上海市浦东新区世纪大道88号", "pickup_cargo": "日用品",
    "order_callback_url": "https://shop.example.com/kuaidi100/orders",
}
ACCOUNT = Kuaidi100Account(**SETTINGS)


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / K100 / name).read_text(encoding="utf-8"))


def answer(body: Any, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(body, ensure_ascii=False).encode())


class Recorder:
    """A fake Kuaidi100 for httpx.MockTransport: answers each path from a queue (the last one repeats):
    a Response as it is, bytes as the body, anything else as JSON; records every request."""

    def __init__(self, answers: dict[str, list[Any]]) -> None:
        self.answers = answers
        self.seen: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        queue = self.answers[request.url.path]
        body = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(body, httpx.Response):
            return body
        if isinstance(body, bytes):
            return httpx.Response(200, content=body)
        return answer(body)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.seen]


def form_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.content.decode()).items()}


def param_of(request: httpx.Request) -> Any:
    return json.loads(form_of(request)["param"])


def carrier(at: datetime = NOW, **settings: Any) -> Kuaidi100:
    """The carrier on :data:`ACCOUNT` (changed by ``settings``) with its clock fixed at ``at``."""
    return Kuaidi100(Kuaidi100Account(**{**SETTINGS, **settings}), clock=lambda: at.timestamp())


def sender() -> cg.Address:
    return cg.Address(name="李雷", company="雷氏贸易", street=["世纪大道88号"], district="浦东新区", city="上海市",
                      state="上海", postal_code="200120", country="CN", phone="+86 138 0013 8000")


def recipient() -> cg.Address:
    return cg.Address(name="韩梅梅", street=["长安街1号"], district="东城区", city="北京市", state="北京",
                      postal_code="100010", country="CN", phone="010-6512 3456")


def rate_request(**change: Any) -> cg.RateRequest:
    return cg.RateRequest(**{"origin": sender(), "destination": recipient(),
                             "parcels": [cg.Parcel(weight=cg.Weight("2.5", "kg")),
                                         cg.Parcel(weight=cg.Weight("800", "g"))], **change})


def ship_request(**change: Any) -> cg.ShipRequest:
    fields: dict[str, Any] = {**rate_request().model_dump(), "carrier": K100, "service": "yuantong:标准快递",
                              "reference": "ORDER-1001", "label_format": "PNG", "description": "棉T恤",
                              "insurance": cg.Money("300", "CNY")}
    return cg.ShipRequest(**{**fields, **change})


def pickup_request(start: datetime, hours: int = 2, **change: Any) -> cg.PickupRequest:
    return cg.PickupRequest(**{"address": sender(), "window": cg.PickupWindow(start=start,
                                                                              end=start + timedelta(hours=hours)),
                               "parcel_count": 2, "total_weight": cg.Weight("3.5", "kg"),
                               "reference": "PICKUP-0001", "instructions": "前台自取", **change})


def run_flow(flow: Flow[T], respond: Callable[[httpx.Request], httpx.Response]) -> T:
    """Drive ``flow`` as the executor would, without sending: each Call's request is answered by
    ``respond``, parsed by the Call, and its CarrierError (if any) thrown back into the flow."""
    outcome: Any = None
    thrown: cg.CarrierError | None = None
    while True:
        try:
            call = flow.throw(thrown) if thrown is not None else flow.send(outcome)
        except StopIteration as stop:
            result: T = stop.value
            return result
        outcome, thrown = None, None
        try:
            outcome = call.parse(respond(call.request))
        except cg.CarrierError as error:
            thrown = error
