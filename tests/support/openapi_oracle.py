"""Carriers' official OpenAPI files as test oracles (shared by the UPS and FedEx conformance tests).

The loader and validators live in the package (:mod:`carriergate.sandbox.openapi`, also used
by the sandbox's runtime conformance check); this module re-exports them and adds the assertions.
"""

from __future__ import annotations

from typing import Any

from carriergate.sandbox.openapi import (
    DocumentPatch,
    Example,
    Json,
    Spec,
    TextPatch,
    alias_schema,
    load_spec,
    replace_tabs,
    response_examples,
)


def assert_strict(spec: Spec, payload: Json, schema: str | dict[str, Any]) -> None:
    errors = spec.strict_errors(payload, schema)
    assert not errors, f"{spec.source}: payload breaks {schema!r}:\n" + "\n".join(errors[:20])


def assert_tolerant(spec: Spec, payload: Json, schema: str | dict[str, Any]) -> None:
    errors = spec.tolerant_errors(payload, schema)
    assert not errors, f"{spec.source}: payload does not fit {schema!r}:\n" + "\n".join(errors[:20])


__all__ = ["DocumentPatch", "Example", "Json", "Spec", "TextPatch", "alias_schema", "assert_strict", "assert_tolerant",
           "load_spec", "replace_tabs", "response_examples"]
