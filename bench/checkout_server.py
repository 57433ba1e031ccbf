"""The ASGI app benchmark 4 serves: the checkout app over the in-process sandbox with latency.

``uvicorn --factory checkout_server:create --app-dir bench``; ``BENCH_HUNG=ups`` makes UPS hang,
``BENCH_DEADLINE`` sets the app's deadline (seconds, default 1.0).
"""

from __future__ import annotations

import os

from fanout import CARRIERS, faults

import carriergate as cg
from carriergate.adapters.checkout import create_app
from carriergate.adapters.checkout.app import CheckoutApp
from carriergate.adapters.sandbox.registry import sandbox_gateway_kwargs
from carriergate.core.fees import FeePolicy


def create() -> CheckoutApp:
    hung = os.environ.get("BENCH_HUNG") or None
    deadline = float(os.environ.get("BENCH_DEADLINE", "1.0"))
    gateway = cg.AsyncGateway(**sandbox_gateway_kwargs([*CARRIERS, "table"], faults(hung)))
    return create_app(gateway, FeePolicy(), deadline=deadline)
