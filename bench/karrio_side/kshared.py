"""Shared setup for the karrio-side scripts (run in bench/.karrio-venv; imports karrio, never carriergate).

karrio performs HTTP through ``karrio.lib.request`` (urllib); each proxy looks it up on the module
at call time, so replacing that attribute mocks the transport for every carrier.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

TOKEN = {"access_token": "bench-token", "token_type": "Bearer", "expires_in": 14399,
         "issued_at": str(int(time.time() * 1000)), "status": "approved"}


def args() -> dict[str, Any]:
    return json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}


def emit(result: Any) -> None:
    sys.stdout.write("RESULT:" + json.dumps(result) + "\n")
    sys.stdout.flush()


def shipment() -> Any:
    from karrio.core.models import Address, Parcel, RateRequest

    new_york = Address(person_name="John Doe", company_name="Acme Widgets", address_line1="1 Main St",
                       city="New York", state_code="NY", postal_code="10001", country_code="US",
                       phone_number="+1 212 555 0100")
    los_angeles = Address(person_name="Jane Roe", address_line1="350 S Grand Ave", city="Los Angeles",
                          state_code="CA", postal_code="90071", country_code="US", phone_number="+1 213 555 0100",
                          residential=True)
    return RateRequest(shipper=new_york, recipient=los_angeles,
                       parcels=[Parcel(weight=5.25, weight_unit="LB", length=12, width=10, height=6.5,
                                       dimension_unit="IN")])


SETTINGS = {
    "ups": {"client_id": "bench-id", "client_secret": "bench-secret", "account_number": "A1B2C3", "test_mode": True},
    "fedex": {"api_key": "bench-id", "secret_key": "bench-secret", "account_number": "740561073", "test_mode": True},
    "dhl_express": {"site_id": "bench-id", "password": "bench-secret", "account_number": "123456789",
                    "test_mode": True},
}


def gateway(name: str, *, cache: Any = None, **overrides: Any) -> Any:
    import karrio.sdk as karrio

    key = name.split("#")[0]
    return karrio.gateway[key].create({**SETTINGS[key], **overrides}, cache=cache)


class MockHTTP:
    """Replaces ``karrio.lib.request``: answers by URL, with optional per-host latency, counting calls."""

    def __init__(self, answers: dict[str, str], latency: dict[str, float] | None = None) -> None:
        self.answers = answers  # URL substring -> body
        self.latency = latency or {}
        self.calls: dict[str, int] = {}
        self.lock = threading.Lock()

    def __call__(self, url: str = "", decoder: Any = None, **kwargs: Any) -> Any:
        body = next((v for k, v in self.answers.items() if k in url), "{}")
        key = next((k for k in self.answers if k in url), url)
        with self.lock:
            self.calls[key] = self.calls.get(key, 0) + 1
        delay = next((v for k, v in self.latency.items() if k in url), 0.0)
        if delay:
            time.sleep(delay)
        return decoder(body) if decoder is not None and decoder.__name__ == "to_dict" else body

    def install(self) -> None:
        import karrio.lib as lib

        lib.request = self
