"""Sleeps that cost no real time, for gateways and executors under test."""

from __future__ import annotations


def no_sleep(seconds: float) -> None:
    """A ``sleep=`` for ``cg.Gateway``/``Executor``: returns at once, so retry backoff costs no real time.
    Use ``list.append`` instead where the test asserts the waits asked for."""
    del seconds


async def no_asleep(seconds: float) -> None:
    """The async twin of :func:`no_sleep`, for ``cg.AsyncGateway``/``AsyncExecutor``."""
    del seconds
