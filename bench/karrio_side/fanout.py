"""karrio side of benchmark 3: Rating.fetch over four gateways, HTTP mocked with per-host latency."""

from __future__ import annotations

import time
from typing import Any

import karrio.lib as lib
import karrio.sdk as karrio
from kshared import TOKEN, MockHTTP, args, emit, gateway, shipment

UPS_REPLY = ('{"RateResponse":{"Response":{"ResponseStatus":{"Code":"1"}},"RatedShipment":[{"Service":{"Code":"03"},'
             '"TransportationCharges":{"CurrencyCode":"USD","MonetaryValue":"20.00"},'
             '"BaseServiceCharge":{"CurrencyCode":"USD","MonetaryValue":"20.00"},"ItemizedCharges":[],'
             '"ServiceOptionsCharges":{"CurrencyCode":"USD","MonetaryValue":"0.00"},'
             '"TotalCharges":{"CurrencyCode":"USD","MonetaryValue":"20.00"}}]}}')
FEDEX_REPLY = ('{"output":{"rateReplyDetails":[{"serviceType":"FEDEX_GROUND","ratedShipmentDetails":[{"rateType":'
               '"ACCOUNT","totalBaseCharge":20.0,"totalNetCharge":20.0,"currency":"USD","shipmentRateDetail":{}}]}]}}')


def rounds(gateways: list[Any], request: Any, repeats: int) -> dict[str, Any]:
    walls, first, carriers = [], None, 0
    for i in range(repeats + 1):
        start = time.perf_counter()
        rates, messages = karrio.Rating.fetch(request).from_(*gateways).parse()
        wall = time.perf_counter() - start
        carriers = len({r.carrier_id + r.carrier_name for r in rates} | {r.carrier_id for r in rates})
        if i == 0:
            first = wall
        else:
            walls.append(wall)
    walls.sort()
    return {"first_s": first, "median_s": walls[len(walls) // 2], "runs_s": walls,
            "carriers_quoted": len({r.carrier_id for r in rates}) if rates else 0, "messages": len(messages),
            "_": carriers}


def main() -> None:
    a = args()
    fast, fedex, dhl, slow = a["latency"]
    request = shipment()
    answers = {"oauth/token": lib.to_json(TOKEN), "/rating/": UPS_REPLY, "/rate/": FEDEX_REPLY,
               "xmlpitest": "<res:ErrorResponse xmlns:res='http://www.dhl.com'/>"}
    hosts = {"wwwcie.ups.com": fast, "fedex.com": fedex, "xmlpitest": dhl, "onlinetools.ups.com": slow}
    gateways = [gateway("ups", cache=lib.Cache()), gateway("fedex", cache=lib.Cache()),
                gateway("dhl_express", cache=lib.Cache()),
                gateway("ups", cache=lib.Cache(), test_mode=False, carrier_id="ups_second")]
    MockHTTP(answers, hosts).install()
    normal = rounds(gateways, request, a["repeats"])
    MockHTTP(answers, {**hosts, "onlinetools.ups.com": a["hang_cap"]}).install()
    hung = rounds(gateways, request, a["hang_repeats"])
    emit({"normal": normal, "hung": hung})


if __name__ == "__main__":
    main()
