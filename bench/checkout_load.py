"""Benchmark 4: the checkout ASGI app behind uvicorn on loopback, under a bounded load (closed and open loop).

Three processes on one machine, as a deployment would have them (carriers out of process):

- ``carriergate sandbox serve`` (its own process, ThreadingHTTPServer on 127.0.0.1) emulates the four
  carriers with injected latency from a ``--faults`` TOML: UPS 100 ms, FedEx 200, DHL Express 300,
  SF Express 400 (token requests included); in the hung case UPS never answers.
- uvicorn (one worker) serves ``checkout_server:create``: the checkout app over an ``AsyncGateway``
  whose accounts' ``base_url`` point at that sandbox (the configuration the sandbox printed), with
  the app's deadline at 1.0 s and a pool of ``POOL`` connections per carrier account.
- This process, the load generator (:mod:`loadgen`: raw asyncio, keep-alive connections, a 10 s
  timeout per request), POSTs ``/v1/quotes`` and stops by itself: closed loop (N workers, 1000
  requests) and open loop (arrivals at a fixed rate for ``OPEN_SECONDS``).

karrio has no checkout service: these figures stand against the target only (p99 <= deadline + 50 ms).
The three processes share the machine's cores; the CPU each used is reported.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from common import BENCH, RESULTS, ROOT, percentile
from loadgen import run_load, run_open

DEADLINE = 1.0
POOL = 256  # connections per carrier account (each has its own pool)
OPEN_SECONDS = 10  # length of an open-loop run
Mode = tuple[str, float]  # ("closed", workers) or ("open", arrivals per second)
LATENCY = {"ups": 0.1, "fedex": 0.2, "dhl_express": 0.3, "sf_express": 0.4}
BODY = {
    "origin": {"name": "Li Lei", "street": ["88 Century Avenue"], "district": "Pudong", "city": "Shanghai",
               "state": "Shanghai", "postal_code": "200120", "country": "CN", "phone": "+86 21 5555 0000"},
    "destination": {"name": "Han Meimei", "street": ["1 Chang'an Avenue"], "district": "Dongcheng",
                    "city": "Beijing", "state": "Beijing", "postal_code": "100010", "country": "CN",
                    "phone": "13800138000"},
    "parcels": [{"weight": {"value": "2.5", "unit": "kg"},
                 "dimensions": {"length": 30, "width": 20, "height": 10, "unit": "cm"}}],
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(url: str, proc: subprocess.Popen[bytes], what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not come up within 30 s")


def faults_toml(hung: str | None) -> Path:
    lines = []
    for name, seconds in LATENCY.items():
        lines.append(f"[carriers.{name}]\nlatency = {seconds}")
        if name == hung:
            lines.append("hang = { first = 1000000 }")
    path = RESULTS / f"checkout_faults_{hung or 'none'}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def start_sandbox(port: int, hung: str | None) -> tuple[subprocess.Popen[bytes], dict[str, Any]]:
    """``carriergate sandbox serve`` in its own process; returns it and the configuration it printed."""
    script = shutil.which("carriergate", path=str(Path(sys.executable).parent)) or "carriergate"
    proc = subprocess.Popen([script, "sandbox", "serve", "--port", str(port), "--faults", str(faults_toml(hung))],
                            cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=(RESULTS / "checkout_sandbox.log").open("ab"))
    assert proc.stdout is not None
    text = ""
    while True:  # the JSON configuration, printed first (indented), ends with a brace in column 0
        line = proc.stdout.readline().decode()
        if not line:
            proc.kill()
            raise RuntimeError("carriergate sandbox serve printed no configuration")
        text += line
        if line.rstrip() == "}":
            break
    wait_up(f"http://127.0.0.1:{port}/", proc, "carriergate sandbox serve")
    return proc, json.loads(text)


def start_server(port: int, config: dict[str, Any]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "BENCH_DEADLINE": str(DEADLINE), "BENCH_CONFIG": json.dumps(config), "BENCH_POOL": str(POOL),
           "PYTHONPATH": os.pathsep.join([str(BENCH), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "checkout_server:create",
                             "--app-dir", str(BENCH), "--host", "127.0.0.1", "--port", str(port),
                             "--log-level", "warning", "--no-access-log"], cwd=ROOT, env=env)
    wait_up(f"http://127.0.0.1:{port}/healthz", proc, "uvicorn")
    return proc


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def load(port: int, total: int, mode: Mode) -> dict[str, Any]:
    """Closed loop (``("closed", workers)``) or open loop (``("open", arrivals per second)``)."""
    kind, level = mode
    run_it = (run_load("127.0.0.1", port, "/v1/quotes", BODY, total=total, concurrency=int(level)) if kind == "closed"
              else run_open("127.0.0.1", port, "/v1/quotes", BODY, total=total, rate=level))
    raw = asyncio.run(run_it)
    latencies = raw["latencies"]
    return {"requests": total, "mode": kind, "level": level, "elapsed_s": raw["elapsed_s"],
            "rps": total / raw["elapsed_s"], "p50_ms": percentile(latencies, 50) * 1000,
            "p95_ms": percentile(latencies, 95) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
            "max_ms": max(latencies) * 1000, "statuses": raw["statuses"],
            "complete_answers": raw["complete_answers"], "shed_answers": raw["shed_answers"]}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used (Linux /proc), its threads included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def scenario(hung: str | None, total: int, mode: Mode) -> dict[str, Any]:
    sandbox, config = start_sandbox(free_port(), hung)
    try:
        port = free_port()
        server = start_server(port, config)
        try:
            before = (cpu_seconds(server.pid), cpu_seconds(sandbox.pid), own_cpu_seconds())
            result = load(port, total, mode)
            after = (cpu_seconds(server.pid), cpu_seconds(sandbox.pid), own_cpu_seconds())
            served = total + min(20, total)
            for key, a, b in zip(("server", "sandbox", "load_generator"), before, after, strict=True):
                result[f"{key}_cpu_ms_per_request"] = (b - a) * 1000 / served
            return result
        finally:
            stop(server)
    finally:
        stop(sandbox)


def run(repeats: int, quick: bool) -> dict[str, Any]:
    closed: list[Mode] = [("closed", n) for n in ([50, 200] if quick else [25, 50, 100, 200])]
    opened: list[Mode] = [("open", r) for r in ([50] if quick else [25, 50, 100])]
    rows, raw = [], {}
    for hung in (None, "ups"):
        for mode in closed + opened:
            # closed loop: a fixed count; open loop: OPEN_SECONDS of arrivals at the given rate
            total = (300 if quick else 1000) if mode[0] == "closed" else round(mode[1] * (3 if quick else OPEN_SECONDS))
            r = scenario(hung, total, mode)
            raw[f"{hung or 'none'}_{mode[0]}_{mode[1]}"] = r
            rows.append({"hung": hung or "-", "load": f"{mode[1]} workers" if mode[0] == "closed" else f"{mode[1]}/s",
                         "requests": total,
                         "rps": round(r["rps"], 1), "p50_ms": round(r["p50_ms"]), "p95_ms": round(r["p95_ms"]),
                         "p99_ms": round(r["p99_ms"]), "max_ms": round(r["max_ms"]),
                         "cpu_ms_per_req": {k: round(r[f"{k}_cpu_ms_per_request"], 1)
                                            for k in ("server", "sandbox", "load_generator")},
                         "statuses": " ".join(f"{k}:{v}" for k, v in sorted(r["statuses"].items())),
                         "complete": r["complete_answers"], "shed": r["shed_answers"],
                         "target_p99_ms": round((DEADLINE + 0.05) * 1000),
                         "met": r["p99_ms"] <= (DEADLINE + 0.05) * 1000})
    notes = ["Closed loop: N workers, each sending its next checkout as soon as the last is answered (the "
             "server is saturated by construction). Open loop: checkouts arrive at a fixed rate whatever the "
             "answers, as shoppers do; latency counts from the scheduled arrival.",
             "The carriers run out of process: `carriergate sandbox serve` with latency from a --faults TOML; "
             "the checkout app reaches them over loopback HTTP through its accounts' base_url.",
             f"The app's gateway keeps a pool of {POOL} connections per carrier account (the default keeps "
             "20 alive, so bursts above that would reconnect).",
             "Server, sandbox and load generator share the machine's cores; CPU per request is reported for each.",
             "No karrio equivalent: karrio ships no checkout/ASGI quoting service.",
             "Answers past the carriers' deadline are completed from backup table rates, so 200s are expected "
             "in the hung case; `complete` counts answers where every carrier replied live, `shed` those the "
             "app gave from backup rates without asking the carriers because it was past its capacity."]
    return {"benchmark": "checkout_load", "deadline_s": DEADLINE, "pool": POOL, "rows": rows, "raw": raw,
            "notes": notes}
