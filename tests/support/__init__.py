"""Helpers shared by the tests: paths, sample shipments, clocks and sleeps, fake carriers, spec oracles.

Tests import them as ``support.<module>`` (pytest puts tests/ on the path; mypy reads it from there)."""
