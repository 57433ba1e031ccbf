"""Markdown tables from the benchmark results (bench/results/*.json -> summary.md)."""

from __future__ import annotations

from typing import Any


def _table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "_no rows_\n"
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        lines.append("| " + " | ".join("" if row.get(k) is None else str(row.get(k)) for k in keys) + " |")
    return "\n".join(lines) + "\n"


TITLES = {
    "quote_cpu": "1. Per-quote CPU overhead (build + parse, microseconds per quote)",
    "cold_start": "2. Cold start (fresh process: import + resolve carriers)",
    "fanout": "3. Fan-out rate shopping (sandbox latency 100/200/300/400 ms)",
    "checkout_load": "4. Checkout under load (ASGI app behind uvicorn, loopback)",
    "token_storm": "5. Token refresh storm (cold cache, concurrent callers)",
}


def summary_markdown(results: dict[str, Any]) -> str:
    info = results.get("machine", {})
    out = ["# carriergate vs karrio: benchmark summary", "",
           f"Machine: {info.get('cpus')} CPUs ({info.get('cpu')}), {info.get('mem_gib')} GiB RAM, "
           f"Python {info.get('python')}, karrio {info.get('karrio')}; run {info.get('date')}.", ""]
    for name, title in TITLES.items():
        if name not in results:
            continue
        result = results[name]
        out += [f"## {title}", "", _table(result.get("rows", []))]
        for note in result.get("notes", []):
            out.append(f"- {note}")
        out.append("")
    return "\n".join(out)
