"""YunExpress test samples: an account, requests, the signing recipe computed by hand (hashlib and
hmac, independently of carriergate's signer), fixtures, and a mock YunExpress for the executor tests."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

import carriergate as cg
from carriergate.carriers.yunexpress import YunExpressAccount

from support.paths import FIXTURES
from support.shipments import international_request

BASE = "https://openapi-sbx.yunexpress.cn"
APP_ID, APP_SECRET, SOURCE_KEY = "yt-app-0001", "yt-Secret-Value-9x", "yt-source-key-42"
SETTINGS: dict[str, Any] = {"app_id": APP_ID, "app_secret": APP_SECRET, "source_key": SOURCE_KEY,
                            "customer_code": "CN0000001", "environment": "sandbox",
                            "push_url": "https://shop.example.com/webhooks/yunexpress"}
FOLDER: Path = FIXTURES / "yunexpress"
#: A PDF as small as it gets, for label answers.
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def account(**changes: Any) -> YunExpressAccount:
    return YunExpressAccount(**{**SETTINGS, **changes})


def fixture(name: str) -> Any:
    return json.loads((FOLDER / name).read_text(encoding="utf-8"))


def answer(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=(FOLDER / name).read_bytes(), headers={"content-type": "application/json"})


def by_hand(secret: str, method: str, path: str, date: str, body: str = "") -> str:
    """YunExpress's sign, written out: sorted fields joined by '&', HMAC-SHA256, base64."""
    text = (f"body={body}&" if body else "") + f"date={date}&method={method}&uri={path}"
    return base64.b64encode(hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()).decode()


def ship_request(**changes: Any) -> cg.ShipRequest:
    fields = international_request().model_dump()
    fields.update(carrier="yunexpress", service="THZXR", reference="ORDER-1001", description="Cotton T-shirts")
    fields.update(changes)
    return cg.ShipRequest(**fields)


def envelope(result: Any = None, *, success: bool = True, code: str = "00000000", msg: str = "success") -> bytes:
    body: dict[str, Any] = {"t": 1764748800000, "success": success, "code": code, "msg": msg,
                            "request_id": "req-0001"}
    if result is not None:
        body["result"] = result
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


Answer = httpx.Response | Callable[[httpx.Request], httpx.Response]


class MockYunExpress:
    """Answers each path from a queue (the last answer repeats), records every request, and gives
    tokens ``tok-1``, ``tok-2``... from the token endpoint unless told otherwise."""

    def __init__(self, answers: dict[str, list[Answer]]) -> None:
        self.answers = answers
        self.seen: list[httpx.Request] = []
        self.tokens_issued = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        path = request.url.path
        if path == "/openapi/oauth2/token" and path not in self.answers:
            self.tokens_issued += 1
            return httpx.Response(200, json={"accessToken": f"tok-{self.tokens_issued}", "expiresIn": 7200})
        queue = self.answers[path]
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        return reply(request) if callable(reply) else reply

    def calls(self, path: str) -> list[httpx.Request]:
        return [r for r in self.seen if r.url.path == path]
