"""The ASGI app of the shared-rate-cache benchmark: the checkout app over a rate shopper whose cache
lives where the gateway keeps its state (Redis when ``CARRIERGATE_REDIS_URL`` is set, else memory).

``uvicorn --factory cached_checkout_server:create --app-dir bench --workers N``: every worker process
builds its own gateway and cache over the same Redis, so a quote one worker fetched live is served
from the cache by all of them. ``BENCH_CONFIG`` holds the accounts (``carriergate sandbox serve``'s),
``BENCH_DEADLINE`` the app's deadline, ``BENCH_TTL`` the cache's time to live.
"""

from __future__ import annotations

import json
import os

import carriergate as cg
from carriergate.checkout import create_app
from carriergate.checkout.app import CheckoutApp
from carriergate.checkout.fees import FeePolicy
from carriergate.gateway.shopping import AsyncRateShopper, table_account


def create() -> CheckoutApp:
    config = json.loads(os.environ["BENCH_CONFIG"])
    gateway = cg.AsyncGateway(config)
    cache = gateway.rate_cache(ttl=float(os.environ.get("BENCH_TTL", "300")))
    shopper = AsyncRateShopper(gateway, cache=cache, fallback_table=table_account(gateway))
    return create_app(shopper, FeePolicy(), deadline=float(os.environ.get("BENCH_DEADLINE", "1.0")))
