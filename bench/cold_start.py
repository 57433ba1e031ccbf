"""Benchmark 2: cold start. A fresh process imports the library and resolves one carrier, then four.

Each library runs from its own venv, installed the way a user installs it (carriergate: ``pip install .``
of this tree into bench/.carriergate-venv, so no editable-install finder and no dev dependencies).

Wall time (spawn to exit) and peak RSS (VmHWM, which the child reads from its own /proc status) are
taken per process; medians over ``repeats`` runs, the two libraries interleaved run by run. A bare
interpreter (``pass``) is measured the same way so the library's own share can be read off.
karrio resolves UPS, FedEx and DHL Express (its SF Express plugin has no release for karrio 2026.x,
so karrio's "four carriers" row holds three: in its favour).
"""

from __future__ import annotations

import os
import subprocess
import time
from typing import Any

from common import RESULTS, ROOT, installed_ours_python, karrio_python, median, ratio

#: Children may write byte code, into a cache outside the tree: with PYTHONDONTWRITEBYTECODE set (as in
#: some containers) and an editable install, every start would otherwise recompile carriergate's own
#: sources, which an installed wheel (compiled by pip) never does. Both libraries use the same cache.
CHILD_ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
             "PYTHONPYCACHEPREFIX": str(RESULTS / "pycache")}

OURS_ACCOUNTS = {
    "ups": {"client_id": "id", "client_secret": "secret", "account_number": "A1B2C3", "environment": "sandbox"},
    "fedex": {"client_id": "id", "client_secret": "secret", "account_number": "740561073", "environment": "sandbox"},
    "dhl_express": {"username": "user", "password": "secret", "account_number": "123456789",
                    "environment": "sandbox"},
    "sf_express": {"partner_id": "partner", "checkword": "secret", "monthly_card": "7551234567",
                   "environment": "sandbox"},
}
KARRIO_SETTINGS = {
    "ups": {"client_id": "id", "client_secret": "secret", "account_number": "A1B2C3", "test_mode": True},
    "fedex": {"api_key": "id", "secret_key": "secret", "account_number": "740561073", "test_mode": True},
    "dhl_express": {"site_id": "id", "password": "secret", "account_number": "123456789", "test_mode": True},
}


def ours_code(names: list[str]) -> str:
    accounts = {n: OURS_ACCOUNTS[n] for n in names}
    return (f"import carriergate as cg\ngw = cg.Gateway({accounts!r})\n"
            + "".join(f"gw.carrier({n!r})\n" for n in names))


def karrio_code(names: list[str]) -> str:
    return ("import karrio.sdk as karrio\n"
            + "".join(f"karrio.gateway[{n!r}].create({KARRIO_SETTINGS[n]!r})\n" for n in names))


#: Appended to every measured program: its own peak RSS (VmHWM belongs to the new address space made
#: by exec; ``ru_maxrss`` of a child would carry the forking parent's size over).
PEAK = "\nimport sys as _s\n_s.stderr.write([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0])\n"


def measure(python: str, code: str) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one fresh process running ``code``."""
    start = time.perf_counter()
    proc = subprocess.run([python, "-c", code + PEAK], cwd=ROOT, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False, env=CHILD_ENV)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{python} -c {code!r} failed: {proc.stderr[-2000:]}")
    line = [x for x in proc.stderr.splitlines() if x.startswith("VmHWM")][-1]
    return wall, int(line.split()[1]) / 1024


def run(repeats: int, quick: bool) -> dict[str, Any]:
    runs = max(3, repeats if not quick else 3)
    ours = installed_ours_python()
    cases = {
        "baseline": [(ours, "pass"), (str(karrio_python()), "pass")],
        "one carrier": [(ours, ours_code(["ups"])), (str(karrio_python()), karrio_code(["ups"]))],
        "four carriers": [(ours, ours_code(list(OURS_ACCOUNTS))),
                          (str(karrio_python()), karrio_code(list(KARRIO_SETTINGS)))],
    }
    raw: dict[str, dict[str, list[tuple[float, float]]]] = {c: {"carriergate": [], "karrio": []} for c in cases}
    for pair in cases.values():  # warm the OS page cache and .pyc files once
        for python, code in pair:
            measure(python, code)
    for _ in range(runs):
        for case, ((ours_py, ours_c), (k_py, k_c)) in cases.items():
            raw[case]["carriergate"].append(measure(ours_py, ours_c))
            raw[case]["karrio"].append(measure(k_py, k_c))
    rows = []
    base = {lib: (median([w for w, _ in raw["baseline"][lib]]), median([m for _, m in raw["baseline"][lib]]))
            for lib in ("carriergate", "karrio")}
    for case in ("one carrier", "four carriers"):
        ow, om = median([w for w, _ in raw[case]["carriergate"]]), median([m for _, m in raw[case]["carriergate"]])
        kw, km = median([w for w, _ in raw[case]["karrio"]]), median([m for _, m in raw[case]["karrio"]])
        rows.append({
            "case": case, "carriergate_ms": round(ow * 1000), "karrio_ms": round(kw * 1000),
            "time_ratio": round(ratio(ow, kw) or 0, 3),
            "net_ms (minus bare python)": f"{round((ow - base['carriergate'][0]) * 1000)} vs "
                                          f"{round((kw - base['karrio'][0]) * 1000)}",
            "net_time_ratio": round(ratio(ow - base["carriergate"][0], kw - base["karrio"][0]) or 0, 3),
            "carriergate_rss_mib": round(om, 1), "karrio_rss_mib": round(km, 1),
            "rss_ratio": round(ratio(om, km) or 0, 3),
            "net_rss_ratio": round(ratio(om - base["carriergate"][1], km - base["karrio"][1]) or 0, 3),
            "target": 0.2, "met": (ratio(ow, kw) or 9) <= 0.2 and (ratio(om, km) or 9) <= 0.2,
        })
    rows.append({"case": "bare python (baseline)", "carriergate_ms": round(base["carriergate"][0] * 1000),
                 "karrio_ms": round(base["karrio"][0] * 1000), "carriergate_rss_mib": round(base["carriergate"][1], 1),
                 "karrio_rss_mib": round(base["karrio"][1], 1)})
    notes = ["Each library runs from its own venv, installed as a user installs it: carriergate by "
             "`pip install .` into bench/.carriergate-venv (runtime dependencies only), karrio from PyPI into "
             "bench/.karrio-venv.",
             "karrio's four-carrier row resolves three carriers (UPS, FedEx, DHL Express): no SF Express "
             "plugin exists for karrio 2026.x.",
             "Children write and reuse byte code in bench/results/pycache (PYTHONPYCACHEPREFIX), for both "
             "libraries, after one warm-up run.",
             "Ratios are whole-process figures (what a CLI or a fresh worker pays); the net columns subtract "
             "a bare interpreter started the same way."]
    return {"benchmark": "cold_start", "runs": runs, "rows": rows, "notes": notes,
            "raw": {c: {lib: [[round(w, 4), round(m, 1)] for w, m in v] for lib, v in libs.items()}
                    for c, libs in raw.items()},
            "code": {"carriergate_four": ours_code(list(OURS_ACCOUNTS)),
                     "karrio_four": karrio_code(list(KARRIO_SETTINGS))}}
