"""SF Express's answer with no product for a lane is NotServed (``no_quote``): the gateway's empty
quote list; a lane outside mainland China is NotServed with code ``lane_not_supported``
(:func:`lane_not_served`, for the refusal carriers/sf_express/rate.py raises before sending)."""

from __future__ import annotations

import json

import httpx

import carriergate as cg
from carriergate.carriers.sf_express.errors import lane_not_served
from carriergate.sandbox.base import SANDBOX_HOST
from carriergate.sandbox.sf_express import SFExpressEmulator

from support.shipments import beijing, shanghai


def _no_product(request: httpx.Request) -> httpx.Response:
    data = {"success": True, "errorCode": "S0000", "msgData": {"deliverTmDto": []}}
    return httpx.Response(200, json={"apiResultCode": "A1000", "apiErrorMsg": "", "apiResponseID": "R-1",
                                     "apiResultData": json.dumps(data)})


def test_an_answer_without_products_is_not_served_no_quote() -> None:
    config = {"sf_express": {**SFExpressEmulator.account, "base_url": SANDBOX_HOST + "/sf_express"}}
    request = cg.RateRequest(origin=shanghai(), destination=beijing(), parcels=[cg.Parcel(weight=cg.Weight("1", "kg"))])
    with cg.Gateway(config, transport=httpx.MockTransport(_no_product)) as gw:
        result = gw.rate(request)
    assert result.quotes == []
    error = result.errors["sf_express"]
    assert type(error) is cg.NotServed
    assert (error.code, error.carrier) == ("no_quote", "sf_express")


def test_a_lane_outside_mainland_china_is_not_served_with_sfs_lane_code() -> None:
    error = lane_not_served("SF time-and-price quotes cover shipments within mainland China", carrier="sf")
    assert type(error) is cg.NotServed
    assert (error.code, error.carrier) == ("lane_not_supported", "sf")
