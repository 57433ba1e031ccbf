"""The echo carrier of the gateway and bad-input tests: support.fake_carrier's fake, quoting over HTTP.

It rates with a POST to ``{base_url}/rate`` and quotes every service of the answer
(``{"services": [{"code", "price", "days"}]}``, in USD); a non-2xx answer is the typed error with the
carrier's own ``code`` and ``message`` from the body. It declares TRACK without performing it, so
tracking is NotSupported like any operation a carrier leaves to the base class.
"""

from __future__ import annotations

import httpx
from pydantic import SecretStr

import carriergate as cg
from carriergate.protocols.http import error_for_status, json_body

from support.fake_carrier import Exchange, Turn, fake_carrier


def _rate(turn: Turn) -> httpx.Request:
    request: cg.RateRequest = turn.argument
    return httpx.Request("POST", turn.url("/rate"), json={"weight_kg": str(request.total_weight.kg)})


def _quotes(turn: Turn, response: httpx.Response) -> list[cg.Quote]:
    data = json_body(response, carrier=turn.alias)
    if response.status_code != 200:
        raise error_for_status(response, carrier=turn.alias, code=data.get("code"), message=data.get("message"))
    return [cg.Quote(carrier=turn.alias, service_code=s["code"], service_name=s["code"].title(),
                     total=cg.Money(s["price"], "USD"), transit_days=s.get("days"))
            for s in data["services"]]


EchoCarrier = fake_carrier("echo", account={"api_key": SecretStr("k")},
                           capabilities={cg.Capability.RATE, cg.Capability.TRACK}, rate=Exchange(_rate, _quotes))


__all__ = ["EchoCarrier"]
