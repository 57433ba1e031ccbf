"""karrio side of benchmark 5: N threads ask its UPS / FedEx proxies for a token on a cold cache."""

from __future__ import annotations

import threading
import time
import types
from typing import Any

import karrio.lib as lib
from kshared import TOKEN, MockHTTP, args, emit, gateway


def storm(name: str, callers: int, delay: float, cache: Any) -> tuple[int, float]:
    http = MockHTTP({"oauth/token": lib.to_json(TOKEN)}, {"oauth/token": delay})
    http.install()
    gw = gateway(name, cache=cache)
    barrier = threading.Barrier(callers)
    failures: list[BaseException] = []

    def call() -> None:
        barrier.wait()
        try:
            if name == "ups":
                gw.proxy.get_token()
            else:
                gw.proxy.authenticate(types.SimpleNamespace(ctx={})).deserialize()
        except BaseException as exc:  # a failed caller must not pass for a cache hit
            failures.append(exc)

    threads = [threading.Thread(target=call) for _ in range(callers)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} karrio token callers failed: {failures[0]!r}")
    return sum(http.calls.values()), time.perf_counter() - start


def main() -> None:
    a = args()
    out: dict[str, Any] = {}
    for name in ("ups", "fedex"):
        out[name] = {}
        for mode in ("shared_cache", "default"):
            runs = [storm(name, a["callers"], a["delay"], lib.Cache() if mode == "shared_cache" else None)
                    for _ in range(a["repeats"])]
            walls = sorted(s for _, s in runs)
            out[name][mode] = {"tokens": [t for t, _ in runs], "median_s": walls[len(walls) // 2]}
    emit(out)


if __name__ == "__main__":
    main()
