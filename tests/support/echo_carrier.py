"""Tiny carriers for gateway tests: real flows over httpx.MockTransport, no carrier semantics."""

from __future__ import annotations

from typing import ClassVar

import httpx
from pydantic import SecretStr

import carriergate as cg
from carriergate.core.contract import Call, Flow
from carriergate.protocols.http import error_for_status, json_body


class EchoAccount(cg.Account):
    api_key: SecretStr = SecretStr("k")


class EchoCarrier(cg.Carrier[EchoAccount]):
    """Quotes ``price`` from ``{base_url}/rate``; fails with the carrier's error body on non-2xx."""

    name: ClassVar[str] = "echo"
    capabilities = frozenset({cg.Capability.RATE, cg.Capability.TRACK})
    account_model = EchoAccount
    hosts: ClassVar[dict[str, str]] = {"production": "https://echo.invalid", "sandbox": "https://echo.invalid"}

    def rate(self, request: cg.RateRequest) -> Flow[list[cg.Quote]]:
        body = {"weight_kg": str(request.total_weight.kg)}
        call = Call(request=httpx.Request("POST", f"{self.base_url}/rate", json=body),
                    parse=self._parse_rate, operation="rate", kind="read", idempotent=True)
        quotes: list[cg.Quote] = yield call
        return quotes

    def _parse_rate(self, response: httpx.Response) -> list[cg.Quote]:
        data = json_body(response, carrier=self.alias)
        if response.status_code != 200:
            raise error_for_status(response, carrier=self.alias, code=data.get("code"), message=data.get("message"))
        return [cg.Quote(carrier=self.alias, service_code=s["code"], service_name=s["code"].title(),
                         total=cg.Money(s["price"], "USD"), transit_days=s.get("days"))
                for s in data["services"]]


def echo_handler(price: str = "10.00", days: int = 3) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"services": [{"code": "std", "price": price, "days": days}]})
    return httpx.MockTransport(handle)
