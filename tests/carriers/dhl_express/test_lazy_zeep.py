"""zeep is imported the first time DHL Express is used, never before, and each WSDL is loaded once."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json, sys
import carriergate as cg
from carriergate.sandbox.base import SANDBOX_HOST, SandboxTransport
from carriergate.sandbox.dhl_express import DHLExpressEmulator

seen = {}
account = {**DHLExpressEmulator.account, "base_url": SANDBOX_HOST + "/dhl_express"}
gw = cg.Gateway({"dhl_express": account}, transport=SandboxTransport({"dhl_express": DHLExpressEmulator()}))
seen["configured"] = "zeep" in sys.modules
gw.carrier("dhl_express")
seen["resolved"] = "zeep" in sys.modules
request = cg.RateRequest(
    origin=cg.Address(name="A", street=["1 Road"], city="Shanghai", postal_code="200120", country="CN"),
    destination=cg.Address(name="B", street=["2 Road"], city="Beijing", postal_code="100010", country="CN"),
    parcels=[cg.Parcel(weight=cg.Weight("1", "kg"), dimensions=cg.Dimensions(10, 10, 10, "cm"))])
first = gw.rate(request)
seen["after_rate"] = "zeep" in sys.modules
second = gw.carrier("dhl_express").rate(request)
from carriergate.protocols.soap import load_client
seen["wsdl_loads"] = load_client.cache_info().misses
seen["quotes"] = [len(first.quotes), len(second)]
gw.close()
print(json.dumps(seen))
"""


def test_zeep_loads_on_first_use_and_wsdl_once() -> None:
    out = subprocess.run([sys.executable, "-c", SCRIPT],
                         capture_output=True, text=True, check=True, cwd="/")
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen == {"configured": False, "resolved": False, "after_rate": True, "wsdl_loads": 1, "quotes": [2, 2]}
