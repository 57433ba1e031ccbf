"""What each worker process does in the multi-process tests (tests/stores/test_workers_*.py).

The functions here run in processes started with multiprocessing's ``spawn`` (a fresh interpreter,
as a deployment's workers are): each builds its own gateway pieces over the shared Redis, waits for
the start signal so that all of them meet a cold cache at once, does its work against the local
counting server (:mod:`support.counting_server`) and reports what it saw through a queue.
"""

from __future__ import annotations

import os
import time
import traceback
from typing import Any

import httpx
from pydantic import SecretStr

from carriergate.adapters.executor import Executor
from carriergate.core.contract import Account
from carriergate.core.deadline import Deadline
from carriergate.protocols.auth.oauth2 import OAuth2ClientCredentials
from carriergate.stores.connection import RedisConnection
from carriergate.stores.quota import RedisRateLimiter
from carriergate.stores.tokens import RedisTokenStore

from support.ping_carrier import Pinged

#: The longest one worker's request may take (a bound on waiting, never asserted).
REQUEST_TIMEOUT = 60.0


def fetch_with_tokens(redis_url: str, base_url: str, accounts: list[str], lease_seconds: float,
                      start: Any, results: Any) -> None:
    """One API request per account, each authorised by a token from the shared Redis store."""
    try:
        store = RedisTokenStore(RedisConnection(redis_url), lease_seconds=lease_seconds, max_wait=REQUEST_TIMEOUT)
        auths = [OAuth2ClientCredentials(carrier="fedex", token_url=f"{base_url}/token", client_id=account,
                                         client_secret=SecretStr(f"secret-of-{account}"), credentials_in="form",
                                         extra_headers={"X-Worker-Pid": str(os.getpid())}, store=store)
                 for account in accounts]
        with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
            start.wait(REQUEST_TIMEOUT)
            statuses = [client.get(f"{base_url}/api", auth=auth).status_code for auth in auths]
        results.put(("ok", os.getpid(), statuses))
    except BaseException:  # reported, so the test names the worker's error
        results.put(("error", os.getpid(), traceback.format_exc()))


def hammer(redis_url: str, base_url: str, rate: float, end: Any, start: Any, results: Any) -> None:
    """Call one account as fast as its shared quota allows until the wall-clock time ``end.value`` (one
    end for every worker, set before ``start``); report (sent, answered)."""
    sent = answered = 0
    try:
        carrier = Pinged(Account(base_url=base_url, requests_per_second=rate), alias="hammered")
        limiter = RedisRateLimiter(RedisConnection(redis_url))
        with httpx.Client() as client:
            executor = Executor(client, limiter=limiter)
            start.wait(REQUEST_TIMEOUT)
            while time.time() < end.value:
                sent += 1
                if executor.run(carrier, carrier.ping, Deadline(REQUEST_TIMEOUT)) == 200:
                    answered += 1
        results.put(("ok", os.getpid(), (sent, answered)))
    except BaseException:
        results.put(("error", os.getpid(), traceback.format_exc()))
