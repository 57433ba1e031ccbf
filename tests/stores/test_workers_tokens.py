"""Four worker processes on a cold shared token cache: one token request per account, even when the
worker fetching it is killed mid-fetch.

Each worker is a fresh interpreter (multiprocessing ``spawn``) with its own RedisTokenStore over the
test's private Redis and its own OAuth2 flows; the token endpoint is a local counting server. The
workers wait for one start signal, so all four meet the cold cache at once. Nothing here measures
time: the assertions are counts of requests and the workers' own reports.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from typing import Any

import pytest

from support.counting_server import counting_server
from support.store_workers import REQUEST_TIMEOUT, fetch_with_tokens

WORKERS = 4
ACCOUNTS = ["acct-a", "acct-b"]
#: Reports come within this long (a bound on waiting for processes, never asserted).
REPORT_WITHIN = 120.0


def _run(redis_url: str, base_url: str, lease_seconds: float, counts: Any = None) -> list[tuple[str, int, Any]]:
    ctx = multiprocessing.get_context("spawn")
    start, results = ctx.Event(), ctx.Queue()
    workers = [ctx.Process(target=fetch_with_tokens, args=(redis_url, base_url, ACCOUNTS, lease_seconds, start,
                                                          results)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    try:
        start.set()
        expected = WORKERS
        if counts is not None:  # kill the worker whose token request the server holds open
            assert counts.held.wait(REPORT_WITHIN), "no token request arrived"
            assert counts.held_pid in {w.pid for w in workers}
            os.kill(counts.held_pid, signal.SIGKILL)
            expected -= 1
        reports = [results.get(timeout=REPORT_WITHIN) for _ in range(expected)]
    finally:
        for worker in workers:
            worker.join(timeout=REQUEST_TIMEOUT)
            if worker.is_alive():
                worker.kill()
    return reports


@pytest.mark.slow
def test_four_workers_on_a_cold_cache_make_one_token_request_per_account(redis_url: str) -> None:
    with counting_server() as (base_url, counts):
        reports = _run(redis_url, base_url, lease_seconds=5.0)
    assert [r for r in reports if r[0] != "ok"] == []
    assert all(statuses == [200, 200] for _, _, statuses in reports)
    assert dict(counts.tokens) == {"acct-a": 1, "acct-b": 1}
    assert len(counts.api_arrivals) == WORKERS * len(ACCOUNTS)


@pytest.mark.slow
def test_a_holder_killed_mid_fetch_costs_at_most_one_more_token_request_and_no_error(redis_url: str) -> None:
    with counting_server(hold_first=True) as (base_url, counts):
        reports = _run(redis_url, base_url, lease_seconds=1.0, counts=counts)
    assert [r for r in reports if r[0] != "ok"] == []  # every surviving worker answered, none failed
    assert len(reports) == WORKERS - 1
    assert all(statuses == [200, 200] for _, _, statuses in reports)
    # Every worker asks for acct-a first, so the held (never answered) request was acct-a's: once its
    # holder's lease expired, one other worker fetched it again; acct-b was fetched once.
    assert dict(counts.tokens) == {"acct-a": 2, "acct-b": 1}
    assert counts.api_refused == 0
