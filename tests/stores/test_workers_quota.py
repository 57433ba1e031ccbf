"""Four worker processes hammering one account whose quota is 10 requests a second, for 10 seconds.

Each worker (multiprocessing ``spawn``) sends one request after another through its own executor over
the shared Redis limiter, as fast as its slots allow, until one shared end (10 s after the start
signal, on the wall clock: the run's length, not an assertion); the local counting server notes
each arrival.
The assertions count requests: the server never sees more than the limit over the run plus one
window's worth, no second-long window holds more than twice the limit, and every request a worker
sent was answered (none lost, none refused).
"""

from __future__ import annotations

import multiprocessing
import time

import pytest

from support.counting_server import busiest_window, counting_server
from support.store_workers import REQUEST_TIMEOUT, hammer

WORKERS = 4
RATE = 10.0
SECONDS = 10.0
REPORT_WITHIN = 120.0


@pytest.mark.slow
def test_four_workers_share_one_quota_and_lose_no_request(redis_url: str) -> None:
    ctx = multiprocessing.get_context("spawn")
    start, results, end = ctx.Event(), ctx.Queue(), ctx.Value("d", 0.0)
    with counting_server() as (base_url, counts):
        workers = [ctx.Process(target=hammer, args=(redis_url, base_url, RATE, end, start, results))
                   for _ in range(WORKERS)]
        for worker in workers:
            worker.start()
        try:
            end.value = time.time() + SECONDS  # one end for all: no worker's late start stretches the run
            start.set()
            reports = [results.get(timeout=REPORT_WITHIN) for _ in range(WORKERS)]
        finally:
            for worker in workers:
                worker.join(timeout=REQUEST_TIMEOUT)
                if worker.is_alive():
                    worker.kill()
    assert [r for r in reports if r[0] != "ok"] == []
    sent = sum(report[2][0] for report in reports)
    answered = sum(report[2][1] for report in reports)
    seen = len(counts.api_arrivals)
    assert sent == answered == seen  # no request lost
    assert all(report[2][0] > 0 for report in reports)  # every worker got slots
    assert seen <= RATE * SECONDS + RATE  # the limit over the run, plus one window
    assert busiest_window(counts.api_arrivals) <= 2 * RATE
