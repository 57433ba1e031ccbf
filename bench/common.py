"""What every benchmark shares: paths, the karrio virtual environment, statistics, machine facts.

karrio is a comparison target, never a dependency: it lives in its own venv (``bench/.karrio-venv``)
and every karrio measurement runs there as a subprocess (the scripts in ``bench/karrio_side``),
which prints one ``RESULT:{json}`` line.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import venv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
FIXTURES = ROOT / "fixtures"
RESULTS = BENCH / "results"
KARRIO_SIDE = BENCH / "karrio_side"
KARRIO_VENV = BENCH / ".karrio-venv"
KARRIO_VERSION = "2026.1.32"
KARRIO_PACKAGES = [f"{name}=={KARRIO_VERSION}"
                   for name in ("karrio", "karrio.ups", "karrio.fedex", "karrio.dhl_express")]
RESULT_MARK = "RESULT:"


def karrio_python() -> Path:
    return KARRIO_VENV / "bin" / "python"


def ensure_karrio_venv(log: Any = print) -> Path:
    """Create bench/.karrio-venv from this interpreter and pip-install karrio there (once)."""
    python = karrio_python()
    marker = KARRIO_VENV / ".installed"
    if marker.is_file() and marker.read_text() == " ".join(KARRIO_PACKAGES) and python.exists():
        return python
    log(f"creating {KARRIO_VENV} and installing {' '.join(KARRIO_PACKAGES)} ...")
    venv.EnvBuilder(with_pip=True, clear=True).create(KARRIO_VENV)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    *KARRIO_PACKAGES], check=True)
    marker.write_text(" ".join(KARRIO_PACKAGES))
    return python


def run_karrio(script: str, args: dict[str, Any], timeout: float = 600) -> Any:
    """Run ``bench/karrio_side/<script>`` in the karrio venv with ``args`` (JSON) and return its RESULT."""
    proc = subprocess.run([str(karrio_python()), str(KARRIO_SIDE / script), json.dumps(args)],
                          capture_output=True, text=True, timeout=timeout, cwd=KARRIO_SIDE)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK):])
    raise RuntimeError(f"karrio script {script} failed (exit {proc.returncode}):\n{proc.stderr[-3000:]}")


def median(values: list[float]) -> float:
    return statistics.median(values)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (pct in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ratio(ours: float, theirs: float) -> float | None:
    return None if not theirs else ours / theirs


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"date": datetime.now(UTC).isoformat(timespec="seconds"), "cpus": os.cpu_count(), "cpu": cpu,
            "mem_gib": mem_gib, "python": platform.python_version(), "platform": platform.platform(),
            "karrio": KARRIO_VERSION}


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def ours_python() -> str:
    return sys.executable


OURS_VENV = BENCH / ".carriergate-venv"


def installed_ours_python(log: Any = print) -> str:
    """An interpreter with carriergate installed as a user gets it (``pip install .``: a built wheel,
    byte code compiled by pip, only the runtime dependencies), in bench/.carriergate-venv. Made on
    first use; carriergate itself is reinstalled from the working tree on every call. karrio is measured
    the same way, in its own venv."""
    python = OURS_VENV / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    if not python.exists():
        log(f"creating {OURS_VENV} and installing carriergate from {ROOT} ...")
        venv.EnvBuilder(with_pip=True, clear=True).create(OURS_VENV)
        subprocess.run([*pip, str(ROOT)], check=True)
    subprocess.run([*pip, "--force-reinstall", "--no-deps", str(ROOT)], check=True)
    return str(python)
