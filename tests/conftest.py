"""Fixtures shared by every test; helpers live in the ``support`` package."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.paths import SPECS


@pytest.fixture
def specs() -> Path:
    """The carriers' official specs beside the project; tests that need them skip where absent."""
    if not SPECS.is_dir():
        pytest.skip(f"carrier specs not found at {SPECS} (they live beside the project, not in it)")
    return SPECS
