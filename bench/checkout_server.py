"""The ASGI app benchmark 4 serves: the checkout app, its carriers reached over loopback.

``uvicorn --factory checkout_server:create --app-dir bench`` with ``BENCH_CONFIG`` holding the gateway
configuration (JSON) that ``carriergate sandbox serve`` printed: every account's ``base_url`` points
at that separate sandbox process, as a deployment's would point at the carriers. ``BENCH_DEADLINE``
sets the app's deadline (seconds, default 1.0); ``BENCH_POOL`` the connection pool size of each carrier
account (every account has its own pool).
"""

from __future__ import annotations

import json
import os

import httpx

import carriergate as cg
from carriergate.adapters.clients import DEFAULT_LIMITS
from carriergate.checkout import create_app
from carriergate.checkout.app import CheckoutApp
from carriergate.checkout.fees import FeePolicy


def create() -> CheckoutApp:
    config = json.loads(os.environ["BENCH_CONFIG"])
    deadline = float(os.environ.get("BENCH_DEADLINE", "1.0"))
    pool = int(os.environ.get("BENCH_POOL", "0"))
    # Each account's default pool holds 100 connections and keeps 20 alive; a checkout expecting more
    # requests in flight keeps as many alive, so a burst does not reconnect.
    limits = httpx.Limits(max_connections=pool, max_keepalive_connections=pool) if pool else DEFAULT_LIMITS
    gateway = cg.AsyncGateway(config, limits=limits)
    return create_app(gateway, FeePolicy(), deadline=deadline)
