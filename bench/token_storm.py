"""Benchmark 5: a token refresh storm. N concurrent callers on a cold token cache; how many token
requests reach the carrier, and how long the storm takes.

carriergate: the UPS and FedEx carriers' own ``auth`` (OAuth2ClientCredentials) on an
``httpx.AsyncClient`` (N tasks) or an ``httpx.Client`` (N threads) whose MockTransport answers the
token endpoint after 50 ms and counts it. karrio: its UPS and FedEx proxies' token path
(``get_token`` / ``authenticate``) from N threads with ``karrio.lib.request`` mocked the same way
(karrio has no async API); once with a shared ``lib.Cache()`` passed to the gateway, once with the
default (no cache given).
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
from common import median, run_karrio

from carriergate.carriers.fedex import FedEx, FedExAccount
from carriergate.carriers.ups import UPS, UPSAccount

TOKEN_DELAY = 0.05
TOKEN = {"access_token": "bench-token", "token_type": "Bearer", "expires_in": 14399}


class Counter:
    def __init__(self) -> None:
        self.tokens = 0
        self.lock = threading.Lock()

    def bump(self, request: httpx.Request) -> bool:
        if "oauth" in request.url.path:
            with self.lock:
                self.tokens += 1
            return True
        return False


def make_carrier(name: str) -> Any:
    if name == "ups":
        return UPS(UPSAccount(client_id="bench-id", client_secret="bench-secret", account_number="A1B2C3"))
    return FedEx(FedExAccount(client_id="bench-id", client_secret="bench-secret", account_number="740561073"))


async def astorm(name: str, callers: int) -> tuple[int, float]:
    counter = Counter()

    async def handler(request: httpx.Request) -> httpx.Response:
        if counter.bump(request):
            await asyncio.sleep(TOKEN_DELAY)
            return httpx.Response(200, json=TOKEN)
        return httpx.Response(200, json={})

    carrier = make_carrier(name)
    auth = carrier.auth
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        start = time.perf_counter()
        await asyncio.gather(*(client.get(f"{carrier.base_url}/resource", auth=auth) for _ in range(callers)))
        return counter.tokens, time.perf_counter() - start


def thread_storm(name: str, callers: int) -> tuple[int, float]:
    counter = Counter()

    def handler(request: httpx.Request) -> httpx.Response:
        if counter.bump(request):
            time.sleep(TOKEN_DELAY)
            return httpx.Response(200, json=TOKEN)
        return httpx.Response(200, json={})

    carrier = make_carrier(name)
    auth = carrier.auth
    barrier = threading.Barrier(callers)
    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        def call() -> None:
            barrier.wait()
            client.get(f"{carrier.base_url}/resource", auth=auth)

        threads = [threading.Thread(target=call) for _ in range(callers)]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return counter.tokens, time.perf_counter() - start


def run(repeats: int, quick: bool) -> dict[str, Any]:
    runs = 3 if quick else max(3, repeats)
    async_callers, thread_callers = 500, 32
    ours: dict[str, Any] = {}
    for name in ("ups", "fedex"):
        a = [asyncio.run(astorm(name, async_callers)) for _ in range(runs)]
        t = [thread_storm(name, thread_callers) for _ in range(runs)]
        ours[name] = {"async_tokens": [x for x, _ in a], "async_s": median([s for _, s in a]),
                      "thread_tokens": [x for x, _ in t], "thread_s": median([s for _, s in t])}
    karrio = run_karrio("token_storm.py", {"callers": thread_callers, "delay": TOKEN_DELAY, "repeats": runs})
    rows = []
    for name in ("ups", "fedex"):
        rows.append({"carrier": name, "library": "carriergate", "callers": f"{async_callers} async tasks",
                     "token_requests": max(ours[name]["async_tokens"]),
                     "storm_ms": round(ours[name]["async_s"] * 1000)})
        rows.append({"carrier": name, "library": "carriergate", "callers": f"{thread_callers} threads",
                     "token_requests": max(ours[name]["thread_tokens"]),
                     "storm_ms": round(ours[name]["thread_s"] * 1000)})
        for mode, label in (("shared_cache", "karrio, lib.Cache() given"), ("default", "karrio, default settings")):
            k = karrio[name][mode]
            rows.append({"carrier": name, "library": label, "callers": f"{thread_callers} threads",
                         "token_requests": max(k["tokens"]), "storm_ms": round(k["median_s"] * 1000)})
    notes = [f"Token endpoint answers after {TOKEN_DELAY * 1000:.0f} ms; token_requests is the worst of {runs} runs.",
             "karrio has no async API, so it is driven from threads only."]
    return {"benchmark": "token_storm", "rows": rows, "carriergate": ours, "karrio": karrio, "notes": notes}
