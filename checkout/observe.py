"""What the checkout app tells its operator: one access log line per request, and each carrier
account's circuit-breaker state on ``/healthz``.

Access lines go to the logger ``carriergate.checkout.access`` at INFO, one per request, as
``key=value`` pairs (``method=POST path=/shopify/rates status=200 duration_ms=12.4``) with the
same fields as attributes of the record (``record.method``, ``record.path``, ``record.status``,
``record.duration_ms``) for a JSON formatter. Never the body, the query string or a header: a
checkout body holds the customer's address, and a query string or header may hold a token.

Breaker states are read from what checkout itself sees, the public surface of every answer: an
account whose last answer was ``breaker_open`` is ``open``; one whose last answers were carrier-down
failures (timeouts, 5xx) is ``failing`` (its breaker opens after enough of them); one that answered
is ``closed``; one not asked yet is ``closed`` too (every breaker starts closed), with no answer seen.
An open breaker lets one probe through after its cooldown; the state shown changes with the next
checkout that asks that account.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

from carriergate.adapters.breaker import is_carrier_down
from carriergate.adapters.retry import BREAKER_OPEN
from carriergate.checkout.admission import BUSY
from carriergate.core.errors import CarrierError

access_logger = logging.getLogger("carriergate.checkout.access")


def log_access(method: str, path: str, status: int, started: float) -> None:
    """The one access line of a request that began at ``started`` (``time.monotonic()``)."""
    duration_ms = round((time.monotonic() - started) * 1000, 1)
    fields = {"method": method, "path": path, "status": status, "duration_ms": duration_ms}
    access_logger.info("method=%s path=%s status=%d duration_ms=%.1f", method, path, status, duration_ms,
                       extra=fields)


@dataclass
class _Seen:
    state: str = "closed"
    failures: int = 0
    last_error: str | None = None
    answered: bool = False


class BreakerWatch:
    """Each account's breaker state as inferred from checkout's answers (see the module doc)."""

    def __init__(self, accounts: list[str]) -> None:
        self._lock = threading.Lock()
        self._seen = {name: _Seen() for name in accounts}

    def answered(self, account: str) -> None:
        with self._lock:
            self._seen[account] = _Seen(answered=True)

    def failed(self, account: str, error: CarrierError) -> None:
        if error.code == BUSY:  # checkout did not ask it: nothing learnt
            return
        with self._lock:
            seen = self._seen.setdefault(account, _Seen())
            seen.answered, seen.last_error = True, error.code
            if error.code == BREAKER_OPEN:
                seen.state = "open"
            elif is_carrier_down(error):
                seen.failures += 1
                seen.state = "failing"
            else:  # the carrier answered (a refusal, auth, ...): it is up, its breaker closed
                seen.state, seen.failures = "closed", 0

    def states(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {name: {"state": s.state, "consecutive_failures": s.failures, "last_error": s.last_error,
                           "seen": s.answered} for name, s in self._seen.items()}


__all__ = ["BreakerWatch", "access_logger", "log_access"]
