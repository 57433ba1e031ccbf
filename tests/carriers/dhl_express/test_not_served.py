"""DHL Express's "no product for this search" notifications (1001, 1004) are NotServed with DHL's
code; through the emulator, a lane DHL does not serve (within the United States) is one too."""

from __future__ import annotations

import pytest

import carriergate as cg
from carriergate.carriers.dhl_express.errors import notification_error

from support.shipments import los_angeles

NO_PRODUCT = "The requested product(s) not available based on your search criteria."


@pytest.mark.parametrize("code", ["1001", "1004"])
def test_no_product_notifications_are_not_served(code: str) -> None:
    error = notification_error(code, NO_PRODUCT)
    assert type(error) is cg.NotServed
    assert (error.code, error.message) == (code, NO_PRODUCT)


def test_other_notifications_stay_plain_refusals() -> None:
    error = notification_error("1003", "Pick-up service is not provided on this day.")
    assert type(error) is cg.CarrierError


def test_a_lane_dhl_does_not_serve_is_not_served_through_the_emulator() -> None:
    new_york = cg.Address(name="John Doe", street=["1 Wall St"], city="New York", state="NY", postal_code="10005",
                          country="US", phone="+1 212 555 0100")
    request = cg.RateRequest(origin=los_angeles(), destination=new_york,
                             parcels=[cg.Parcel(weight=cg.Weight("1", "kg"),
                                                       dimensions=cg.Dimensions(20, 15, 10, "cm"))])
    with cg.Gateway.sandbox(["dhl_express"]) as gw:
        result = gw.rate(request, carriers=["dhl_express"])
    assert result.quotes == []
    error = result.errors["dhl_express"]
    assert isinstance(error, cg.NotServed)
    assert error.code == "1001"
