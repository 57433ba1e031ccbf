"""karrio side of benchmark 1: build + parse of a UPS and a FedEx rate on the same recordings."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import karrio.lib as lib
import karrio.sdk as karrio
from kshared import TOKEN, MockHTTP, args, emit, gateway, shipment


def timed(fn: Any, iterations: int, repeats: int) -> list[float]:
    for _ in range(max(10, iterations // 10)):
        fn()
    out = []
    for _ in range(repeats):
        start = time.perf_counter_ns()
        for _ in range(iterations):
            fn()
        out.append((time.perf_counter_ns() - start) / iterations / 1000)
    return out


def core_once(gw: Any, request: Any, text: str) -> Any:
    built = gw.mapper.create_rate_request(request)
    lib.to_json(built.serialize())  # the bytes its proxy would send
    rates, _messages = gw.mapper.parse_rate_response(lib.Deserializable(text, lib.to_dict, built.ctx))
    return rates


def main() -> None:
    a = args()
    request = shipment()
    texts = {k: Path(v).read_text() for k, v in a["paths"].items()}
    http = MockHTTP({"oauth/token": lib.to_json(TOKEN), "/rating/": texts["ups"], "/rate/": texts["fedex"]})
    http.install()
    timings: dict[str, Any] = {}
    for name in ("ups", "fedex"):
        gw = gateway(name, cache=lib.Cache())
        quotes = len(core_once(gw, request, texts[name]))
        core = timed(lambda g=gw, t=texts[name]: core_once(g, request, t), a["iterations"], a["repeats"])
        rates, messages = karrio.Rating.fetch(request).from_(gw).parse()
        assert rates, messages
        api = timed(lambda g=gw: karrio.Rating.fetch(request).from_(g).parse(), a["iterations"], a["repeats"])
        timings[name] = {"quotes": quotes, "core_us": sorted(core)[len(core) // 2], "core_runs_us": core,
                         "api_us": sorted(api)[len(api) // 2], "api_runs_us": api}
    original = {}
    for name, path in a["original"].items():
        try:
            original[name] = f"ok: {len(core_once(gateway(name), request, Path(path).read_text()))} quotes"
        except Exception as exc:  # reported, not hidden
            original[name] = f"{type(exc).__name__}: {exc}"[:200]
    emit({"timings": timings, "original": original, "karrio_http_calls": http.calls})


if __name__ == "__main__":
    main()
