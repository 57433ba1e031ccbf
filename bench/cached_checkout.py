"""Checkout quotes served from the shared rate cache: requests/s and latency of the checkout app with
its web workers sharing one Redis rate cache, against the same app with a cache per worker.

    python bench/cached_checkout.py            # about a minute on 2 cores
    python bench/cached_checkout.py --quick    # a smoke run

Processes, all on 127.0.0.1: a private ``redis-server`` (started here, on a free port, no
persistence), ``carriergate sandbox serve`` with the latencies of benchmark 4 (UPS 100 ms ... SF
400 ms), and uvicorn with ``WORKERS`` worker processes serving ``cached_checkout_server:create``. The
load generator (:mod:`loadgen`) POSTs one checkout body over and over (Shanghai to Beijing, so the
accounts are SF Express and DHL Express, which quote it, and the table): after the first answer each
worker serves the quotes from the cache (shared: whoever asked first filled it for everyone; per
worker: each worker asks the carriers once). Closed loop (N workers, a fixed count) and open loop (a
fixed arrival rate). Results go to ``bench/results/cached_checkout.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from checkout_load import free_port, load, start_sandbox, stop, wait_up
from common import BENCH, ROOT, machine, write_result

WORKERS = 2
DEADLINE = 1.0
#: The accounts that quote the checkout body (Shanghai to Beijing) live, plus the table: carriers that
#: do not serve the lane answer NotServed, which is never cached, so they would be asked every time.
ACCOUNTS = ("sf_express", "dhl_express", "table")


def start_redis(folder: str) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder, "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    return proc, f"redis://127.0.0.1:{port}/0"


def start_app(port: int, config: dict[str, Any], redis_url: str | None) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BENCH_DEADLINE": str(DEADLINE), "BENCH_CONFIG": json.dumps(config),
           "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")])}
    env.pop("CARRIERGATE_REDIS_URL", None)
    if redis_url is not None:
        env["CARRIERGATE_REDIS_URL"] = redis_url
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "cached_checkout_server:create",
                             "--app-dir", str(BENCH), "--host", "127.0.0.1", "--port", str(port),
                             "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"],
                            cwd=ROOT, env=env)
    wait_up(f"http://127.0.0.1:{port}/healthz", proc, "uvicorn")
    return proc


def run(quick: bool) -> dict[str, Any]:
    modes = [("closed", 50.0), ("open", 200.0)] if quick else [("closed", 25.0), ("closed", 100.0),
                                                              ("open", 200.0), ("open", 400.0)]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as folder:
        redis_proc, url = start_redis(folder)
        sandbox, served = start_sandbox(free_port(), None)
        config = {name: served[name] for name in ACCOUNTS}
        try:
            for backend in ("redis", "memory"):
                port = free_port()
                app = start_app(port, config, url if backend == "redis" else None)
                try:
                    for kind, level in modes:
                        total = (500 if quick else 3000) if kind == "closed" else round(level * (3 if quick else 10))
                        r = load(port, total, (kind, level))
                        rows.append({"cache": backend, "load": f"{level:g} workers" if kind == "closed"
                                     else f"{level:g}/s", "requests": total, "rps": round(r["rps"], 1),
                                     "p50_ms": round(r["p50_ms"], 1), "p99_ms": round(r["p99_ms"], 1),
                                     "max_ms": round(r["max_ms"], 1),
                                     "statuses": " ".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items()))})
                        print(json.dumps(rows[-1]), flush=True)
                finally:
                    stop(app)
        finally:
            stop(sandbox)
            stop(redis_proc)
    return {"benchmark": "cached_checkout", "workers": WORKERS, "deadline_s": DEADLINE, "rows": rows,
            "machine": machine()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer requests (smoke run)")
    result = run(parser.parse_args().quick)
    print("wrote", write_result("cached_checkout", result))


if __name__ == "__main__":
    main()
