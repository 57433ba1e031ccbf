"""Where things are: the project root, its fixtures, and the carriers' specs beside the project."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures"
SPECS = ROOT.parent / "shared" / "specs"
