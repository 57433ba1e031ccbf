"""UPS's "no service between these places" (Rating 111210) is NotServed, keeping UPS's code and text."""

from __future__ import annotations

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.ups.errors import carrier_error, read

NO_SERVICE = "The requested service is unavailable between the selected locations."


def _reply(code: str, message: str, status: int = 400) -> httpx.Response:
    return httpx.Response(status, json={"response": {"errors": [{"code": code, "message": message}]}},
                          headers={"transid": "T-1"})


def test_111210_is_not_served_with_ups_code_and_message() -> None:
    error = carrier_error(_reply("111210", NO_SERVICE), carrier="ups-cn")
    assert type(error) is cg.NotServed
    assert (error.carrier, error.code, error.message) == ("ups-cn", "111210", NO_SERVICE)
    assert (error.http_status, error.request_id, error.retryable) == (400, "T-1", False)


def test_111210_in_a_200_body_is_not_served_too() -> None:
    with pytest.raises(cg.NotServed):
        read(_reply("111210", NO_SERVICE, status=200), carrier="ups")


def test_other_refusals_are_not_not_served() -> None:
    error = carrier_error(_reply("111286", "ShipTo postal code is invalid"), carrier="ups")
    assert not isinstance(error, cg.NotServed)
    assert error.code == "111286"


def test_not_served_is_a_carrier_error_with_its_own_default_code() -> None:
    assert issubclass(cg.NotServed, cg.CarrierError)
    assert cg.NotServed("no lane").code == "not_served"
    assert "NotServed" in cg.__all__
