"""Clocks and sleeps that cost no real time, for gateways, executors and caches under test."""

from __future__ import annotations


def no_sleep(seconds: float) -> None:
    """A ``sleep=`` for ``cg.Gateway``/``Executor``: returns at once, so retry backoff costs no real time.
    Use ``list.append`` instead where the test asserts the waits asked for."""
    del seconds


async def no_asleep(seconds: float) -> None:
    """The async twin of :func:`no_sleep`, for ``cg.AsyncGateway``/``AsyncExecutor``."""
    del seconds


def never_sleep(seconds: float) -> None:
    """A ``sleep=`` for a test in which nothing may be retried: any backoff at all fails the test.

    A retry sleeps before it goes again, so this is how a test of a write (a label, a pickup) proves
    the request was not repeated behind its back, where :func:`no_sleep` would let the retry happen."""
    raise AssertionError(f"nothing may be retried here (asked to sleep {seconds})")


async def never_asleep(seconds: float) -> None:
    """The async twin of :func:`never_sleep`."""
    never_sleep(seconds)


class ManualClock:
    """A ``clock=`` that stands still until the test moves it (``clock.now += 60``): expiry and
    ages are then exact numbers, never a race with the wall clock."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
