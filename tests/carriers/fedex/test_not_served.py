"""FedEx's RATE.LOCATION.NOSERVICE is NotServed, keeping FedEx's code, text and transaction id; FedEx's
own outage (SERVICE.UNAVAILABLE.ERROR) stays a CarrierUnavailable."""

from __future__ import annotations

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.fedex.errors import checked

NO_SERVICE = "FedEx does not provide service between the origin and the destination."


def _reply(code: str, message: str, status: int) -> httpx.Response:
    return httpx.Response(status, json={"transactionId": "TX-1", "errors": [{"code": code, "message": message}]})


def test_no_service_is_not_served() -> None:
    with pytest.raises(cg.NotServed) as caught:
        checked(_reply("RATE.LOCATION.NOSERVICE", NO_SERVICE, 400), carrier="fedex-cn")
    error = caught.value
    assert (error.carrier, error.code, error.message) == ("fedex-cn", "RATE.LOCATION.NOSERVICE", NO_SERVICE)
    assert (error.http_status, error.request_id) == (400, "TX-1")


def test_fedex_outage_is_not_not_served() -> None:
    with pytest.raises(cg.CarrierError) as caught:
        checked(_reply("SERVICE.UNAVAILABLE.ERROR", "The service is currently unavailable", 503))
    assert not isinstance(caught.value, cg.NotServed)
    assert caught.value.retryable
