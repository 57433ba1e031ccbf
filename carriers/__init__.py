"""Carrier adapters, one package per carrier. Each is a set of pure build/parse pairs (no I/O)."""
