"""The smallest real carrier: one read, ``GET /open``, answered 200 or raised as the typed error.

Quota and breaker tests need a carrier whose only behaviour is to be called (``carrier.ping``):
tests/adapters/test_quota.py in one process, support/store_workers.py in many.
"""

from __future__ import annotations

from typing import ClassVar

import httpx

from carriergate.core.contract import Account, Capability, Carrier, Flow
from carriergate.protocols.http import error_for_status


class Pinged(Carrier[Account]):
    """One read, ``GET /open``, held to its account's ``requests_per_second``; no published quota."""

    name = "pinged"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.RATE})
    account_model = Account

    def ping(self) -> Flow[int]:
        def parse(response: httpx.Response) -> int:
            if response.status_code != 200:
                raise error_for_status(response, carrier=self.alias)
            return response.status_code

        status: int = yield self.read(httpx.Request("GET", f"{self.base_url}/open"), parse, operation="rate")
        return status
