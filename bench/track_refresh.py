"""Benchmark: tracking refreshes sustained through the real queue and workers, carrier QPS bounded.

What runs: a private ``redis-server``; the carrier's emulator behind the loopback sandbox server
(this process, its own threads), every call delayed by ``--latency`` seconds as a real carrier's
answer is; ``--workers`` ``carriergate track-worker`` processes, each paced to ``--qps / --workers``
carrier calls a second (``--calls-per-second``), with a refresh policy of zero delays so every number
is refreshed again as soon as its last answer is in: the queue runs flat out, and the carrier's QPS
bound is what limits it. Each parcel walks its sandbox journey (FedEx: 6 scans, Kuaidi100: 5) and
stops when delivered.

Measured at the carrier (the emulator records the time of every track call and the numbers it
carried): refreshes = numbers answered; the rate over the middle of the run (first and last 10% of
the calls left out: start-up and the tail where few numbers are left), the busiest one-second
window of calls (the QPS bound held?), Redis memory per followed number after enqueuing, and the
workers' CPU time (user + system, from /proc, start-up included) per refresh.

    python bench/track_refresh.py                              # FedEx, batches of 30, QPS 2; Kuaidi100, QPS 15
    python bench/track_refresh.py --carrier fedex --numbers 3000 --qps 4 --workers 2 --latency 0.2
    python bench/track_refresh.py --quick
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import redis
from common import ROOT, machine, write_result

from carriergate.sandbox.base import Emulator
from carriergate.sandbox.faults import CarrierFaults, Faults
from carriergate.sandbox.fedex import FedExEmulator
from carriergate.sandbox.fedex_tracking import Shipment
from carriergate.sandbox.kuaidi100 import Kuaidi100Emulator
from carriergate.sandbox.registry import sandbox_accounts
from carriergate.sandbox.server import running_server
from carriergate.workers import QueueSettings, TrackingQueue

DAY = 86_400
TRACK_PATHS = {"fedex": "/track/v1/trackingnumbers", "kuaidi100": "/poll/query.do"}
ZERO_POLICY = {name: 0 for name in ("out_for_delivery", "delivery_attempted", "available_for_pickup", "exception",
                                    "in_transit", "pre_transit", "unknown", "not_found", "retry_base")}


class Calls:
    """When each track call arrived and how many numbers it carried."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.sizes: list[int] = []

    def add(self, size: int) -> None:
        with self.lock:
            self.times.append(time.monotonic())
            self.sizes.append(size)


def counting(base: type[Emulator], calls: Calls, path: str, size_of: Any) -> Emulator:
    class Counted(base):  # type: ignore[misc, valid-type]
        def handle(self, request: httpx.Request, where: str) -> httpx.Response:
            if where == path:
                calls.add(size_of(request))
            return super().handle(request, where)

    emulator: Emulator = Counted()
    return emulator


def fedex_emulator(calls: Calls, count: int) -> tuple[Emulator, list[str]]:
    emulator = counting(FedExEmulator, calls, TRACK_PATHS["fedex"],
                        lambda r: len(json.loads(r.content)["trackingInfo"]))
    created = datetime.now(UTC) - timedelta(days=2)
    numbers = [f"7949{i:08d}" for i in range(count)]
    for number in numbers:  # shipments as if labels had been bought (the bench measures tracking only)
        emulator.shipments[number] = Shipment(tracking=number, pieces=[number], service="INTERNATIONAL_ECONOMY",  # type: ignore[attr-defined]
                                              created=created, origin={"city": "Shanghai", "countryCode": "CN"},
                                              destination={"city": "Los Angeles", "countryCode": "US"}, days=5)
    return emulator, numbers


def kuaidi100_emulator(calls: Calls, count: int) -> tuple[Emulator, list[str]]:
    # Any number of the sandbox's own YTO series is a parcel the first time it is asked about.
    return counting(Kuaidi100Emulator, calls, TRACK_PATHS["kuaidi100"], lambda r: 1), \
        [f"YT77{i:011d}" for i in range(1, count + 1)]


def start_redis(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder), "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(200):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    return process, url


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def busiest_second(times: list[float]) -> int:
    best, start = 0, 0
    for end, moment in enumerate(times):
        while moment - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


def run(carrier: str, count: int, workers: int, qps: float, latency: float, concurrency: int,
        folder: Path) -> dict[str, Any]:
    calls = Calls()
    emulator, numbers = (fedex_emulator if carrier == "fedex" else kuaidi100_emulator)(calls, count)
    faults = Faults(carriers={carrier: CarrierFaults(latency=latency)})
    redis_process, url = start_redis(folder)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with running_server(emulators={carrier: emulator}, faults=faults) as sandbox:
            config = folder / f"{carrier}.toml"
            settings = sandbox_accounts([carrier], base_url=sandbox.url)[carrier]
            config.write_text(f"[{carrier}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in settings.items()))
            policy = folder / "policy.toml"
            policy.write_text("".join(f"{k} = {v}\n" for k, v in {**ZERO_POLICY, "jitter": 0}.items()))
            queue = TrackingQueue(url, settings=QueueSettings())
            client = redis.Redis.from_url(url)
            empty = int(client.info("memory")["used_memory"])
            began = time.perf_counter()
            for start in range(0, count, 1000):
                queue.enqueue(numbers[start:start + 1000], carrier=carrier)
            enqueue_seconds = time.perf_counter() - began
            memory = int(client.info("memory")["used_memory"]) - empty
            client.close()
            env = dict(os.environ)
            for _ in range(workers):
                processes.append(subprocess.Popen(
                    [sys.executable, "-m", "carriergate.cli.app", "track-worker", "--config", str(config),
                     "--redis-url", url, "--policy", str(policy), "--concurrency", str(concurrency),
                     *(["--calls-per-second", str(qps / workers)] if qps else [])], cwd=ROOT, env=env,
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            give_up = time.monotonic() + 1800
            while (progress := queue.progress()).done < count and time.monotonic() < give_up:
                time.sleep(0.5)
            worker_cpu = sum(cpu_seconds(process.pid) for process in processes)
            for process in processes:
                process.send_signal(signal.SIGTERM)
    finally:
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        redis_process.terminate()
        redis_process.wait()
    with calls.lock:
        times, sizes = list(calls.times), list(calls.sizes)
    cut = len(times) // 10
    middle_t, middle_n = times[cut:len(times) - cut], sizes[cut:len(sizes) - cut]
    span = middle_t[-1] - middle_t[0] if len(middle_t) > 1 else float("nan")
    per_second = sum(middle_n[1:]) / span
    return {"carrier": carrier, "numbers": count, "workers": workers, "qps_bound": qps, "latency": latency,
            "concurrency": concurrency, "delivered": progress.counts.get("delivered", 0), "done": progress.done,
            "calls": len(times), "refreshes": sum(sizes), "mean_batch": round(sum(sizes) / max(1, len(sizes)), 1),
            "wall_seconds": round(times[-1] - times[0], 1), "refreshes_per_second": round(per_second, 1),
            "refreshes_per_day": round(per_second * DAY), "calls_per_second": round((len(middle_t) - 1) / span, 2),
            "busiest_second_calls": busiest_second(times), "enqueue_per_second": round(count / enqueue_seconds),
            "redis_bytes_per_number": round(memory / count),
            "worker_cpu_ms_per_refresh": round(1000 * worker_cpu / max(1, sum(sizes)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--carrier", choices=["fedex", "kuaidi100"], action="append")
    parser.add_argument("--numbers", type=int)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--qps", type=float, help="carrier calls a second, all workers together (0: unbounded)")
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    plans = {"fedex": (600 if args.quick else 2000, 2.0), "kuaidi100": (100 if args.quick else 400, 15.0)}
    results = []
    for carrier in args.carrier or ["fedex", "kuaidi100"]:
        count, qps = plans[carrier]
        with tempfile.TemporaryDirectory(prefix="cg-bench-redis-") as folder:
            result = run(carrier, args.numbers or count, args.workers, qps if args.qps is None else args.qps,
                         args.latency,
                         args.concurrency, Path(folder))
        print(json.dumps(result))
        results.append(result)
    write_result("track_refresh", {"machine": machine(), "runs": results})


if __name__ == "__main__":
    main()
