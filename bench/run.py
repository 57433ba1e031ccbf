"""Run carriergate's benchmarks side by side with karrio and write bench/results/*.json + summary.md.

    python bench/run.py                       # everything (about 5-8 minutes on 2 cores)
    python bench/run.py --only quote_cpu fanout --repeats 3
    python bench/run.py --quick               # fewer iterations / requests: a smoke run

Run from the repository root with the project's virtual environment active (carriergate and its
dev dependencies installed: uvicorn is one). The first run creates bench/.karrio-venv and
pip-installs karrio there; karrio is a comparison target, never a dependency of carriergate.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, ensure_karrio_venv, machine, write_result
from report import summary_markdown

BENCHMARKS = ["quote_cpu", "cold_start", "fanout", "checkout_load", "token_storm"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="+", choices=BENCHMARKS, help="run only these benchmarks")
    parser.add_argument("--repeats", type=int, default=None, help="repetitions per measurement (medians)")
    parser.add_argument("--quick", action="store_true", help="fewer iterations and requests (smoke run)")
    options = parser.parse_args(argv)
    chosen = options.only or BENCHMARKS
    ensure_karrio_venv()
    info = machine()
    write_result("machine", info)
    print(f"machine: {info['cpus']} x {info['cpu']}, {info['mem_gib']} GiB, Python {info['python']}", flush=True)
    failed = []
    for name in chosen:
        module = importlib.import_module(name)
        repeats = options.repeats or getattr(module, "DEFAULT_REPEATS", 7)
        started = time.perf_counter()
        print(f"== {name} (repeats={repeats}) ...", flush=True)
        try:
            result = module.run(repeats=repeats, quick=options.quick)
        except Exception:
            failed.append(name)
            traceback.print_exc()
            continue
        result["seconds"] = round(time.perf_counter() - started, 1)
        result["machine"] = info
        path = write_result(name, result)
        print(f"   done in {result['seconds']} s -> {path}")
        for row in result.get("rows", []):
            print("   " + json.dumps(row))
    results = {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))}
    text = summary_markdown(results)
    (RESULTS / "summary.md").write_text(text)
    print(text)
    if failed:
        print(f"FAILED: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
