"""Spies on standard-library calls a test must prove are made (constant-time comparisons)."""

from __future__ import annotations

import hmac

import pytest


def spy_compare_digest(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes]]:
    """Every ``hmac.compare_digest(a, b)`` made from now on, recorded (and still answered truly)."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return calls
