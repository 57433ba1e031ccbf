"""Carriers' official OpenAPI files, loaded with a patch layer and validated strictly or tolerantly.

Used by the sandbox's conformance check (:mod:`.conformance`, only when a specs directory is
configured) and by the conformance tests. Needs ``jsonschema`` and ``PyYAML`` (development
dependencies): import this module only where validation is wanted.

``Spec.load(path, text_patches=..., document_patches=...)`` reads a YAML or JSON OpenAPI 3.0 file,
applies a small patch layer for the vendors' known defects (``replace_tabs`` for UPS YAML,
``alias_schema`` for FedEx's dangling ``ContactVO_1``), and answers three questions:

- ``strict_errors(payload, schema)``: is a request we build valid? Full JSON Schema validation
  (OpenAPI 3.0 is draft 4 plus ``nullable``) AND no property the schema does not declare, so a
  misspelt or misplaced field fails too.
- ``tolerant_errors(payload, schema)``: does a carrier's answer fit the response schema the way
  carriers really send it? Arrays accept a single object, scalars accept number-or-string, no
  length, pattern, enum, item-count or required constraints, ``oneOf`` read as ``anyOf``.
- ``examples(method, path)``: every response example the file embeds for one operation (media
  ``example``/``examples``, the response schema's own ``example``, and, where the vendor documents
  examples field by field only, a document synthesised from those field examples).

``schema`` is a component name (``"Full_Schema_Ship"``) or a schema dict (``{"$ref": ...}``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import jsonschema
import referencing
import referencing.jsonschema
import yaml

Json = Any
TextPatch = Callable[[str], str]
DocumentPatch = Callable[[dict[str, Any]], None]

_URI = "urn:carriergate:openapi"
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_RELAXED_KEYS = ("minLength", "maxLength", "pattern", "enum", "minItems", "maxItems", "required", "format",
                 "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
_SCALARS = ["string", "number", "integer", "boolean"]


# -- patch layer ----------------------------------------------------------------------------------
def replace_tabs(text: str) -> str:
    """UPS's YAML files hold TAB characters that YAML forbids in indentation."""
    return text.replace("\t", "    ")


def alias_schema(missing: str, target: str) -> DocumentPatch:
    """A patch that defines the dangling component ``missing`` as a reference to ``target``."""

    def patch(document: dict[str, Any]) -> None:
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        if missing not in schemas:
            schemas[missing] = {"$ref": f"#/components/schemas/{target}"}

    return patch


@dataclass(frozen=True)
class Example:
    method: str
    path: str
    status: str
    name: str
    value: Json


# -- schema walking -------------------------------------------------------------------------------
def _schema_children(schema: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), dict):
            yield key, schema[key]
    for key in ("allOf", "oneOf", "anyOf"):
        for i, sub in enumerate(schema.get(key) or []):
            yield f"{key}[{i}]", sub
    for name, sub in (schema.get("properties") or {}).items():
        if isinstance(sub, dict):
            yield f"properties.{name}", sub


def _map_schema(schema: Any, fn: Callable[[dict[str, Any]], dict[str, Any]]) -> Any:
    """A copy of ``schema`` with ``fn`` applied bottom-up to every subschema."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in ("items", "additionalProperties", "not"):
        if isinstance(out.get(key), dict):
            out[key] = _map_schema(out[key], fn)
    for key in ("allOf", "oneOf", "anyOf"):
        if isinstance(out.get(key), list):
            out[key] = [_map_schema(s, fn) for s in out[key]]
    if isinstance(out.get("properties"), dict):
        out["properties"] = {k: _map_schema(v, fn) for k, v in out["properties"].items()}
    return fn(out)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    if schema.pop("nullable", False) and isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
    return schema


def _relax(schema: dict[str, Any]) -> dict[str, Any]:
    schema = _nullable(schema)
    for key in _RELAXED_KEYS:
        if key == "required" and not isinstance(schema.get(key), list):
            continue
        schema.pop(key, None)
    if "oneOf" in schema:
        schema["anyOf"] = schema.pop("oneOf") + schema.pop("anyOf", [])
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind in ("number", "integer", "string"):
        schema["type"] = ["string", "number", "integer", "null"]
    elif kind == "boolean":
        schema["type"] = ["boolean", "string", "null"]
    elif kind == "object":
        schema["type"] = ["object", "null"]
    elif kind == "array" or (kind is None and "items" in schema):
        item = schema.get("items", {})
        array = dict(schema, type=["array", "null"])
        return {"anyOf": [array, item]}  # a single object (or scalar) where an array is declared
    return schema


def _map_document(document: dict[str, Any], fn: Callable[[dict[str, Any]], dict[str, Any]]) -> dict[str, Any]:
    doc = copy.deepcopy(document)
    schemas = doc.get("components", {}).get("schemas", {})
    for name in list(schemas):
        schemas[name] = _map_schema(schemas[name], fn)
    for ops in (doc.get("paths") or {}).values():
        for method in _METHODS:
            op = ops.get(method) if isinstance(ops, dict) else None
            if not isinstance(op, dict):
                continue
            for media in ((op.get("requestBody") or {}).get("content") or {}).values():
                if isinstance(media, dict) and "schema" in media:
                    media["schema"] = _map_schema(media["schema"], fn)
            for response in (op.get("responses") or {}).values():
                for media in ((response or {}).get("content") or {}).values():
                    if isinstance(media, dict) and "schema" in media:
                        media["schema"] = _map_schema(media["schema"], fn)
    return doc


def _describe(error: jsonschema.ValidationError) -> str:
    """``path: message`` for the most specific cause (inside anyOf/oneOf), kept short."""
    while error.context:
        error = jsonschema.exceptions.best_match(error.context)
    where = "/".join(map(str, error.absolute_path)) or "(root)"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    return f"{where}: {message}"


class Spec:
    """One OpenAPI document, patched, with strict and tolerant validators."""

    def __init__(self, document: dict[str, Any], *, source: str = "") -> None:
        self.document = document
        self.source = source
        self._strict = _map_document(document, _nullable)

    @cached_property
    def _tolerant(self) -> dict[str, Any]:
        return _map_document(self.document, _relax)

    @classmethod
    def load(cls, path: Path, *, text_patches: tuple[TextPatch, ...] = (),
             document_patches: tuple[DocumentPatch, ...] = ()) -> Spec:
        text = path.read_text(encoding="utf-8")
        for text_patch in text_patches:
            text = text_patch(text)
        # libyaml's safe loader where PyYAML has it (20x faster on UPS's large files), else the pure one
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        document = json.loads(text) if path.suffix == ".json" else yaml.load(text, Loader=loader)  # noqa: S506
        for document_patch in document_patches:
            document_patch(document)
        return cls(document, source=path.name)

    # -- lookup ---------------------------------------------------------------------------------
    def resolve(self, schema: Any, document: dict[str, Any] | None = None) -> dict[str, Any]:
        """Follow local ``$ref``s until a schema without one."""
        doc = self.document if document is None else document
        seen: set[str] = set()
        while isinstance(schema, dict) and "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen or not ref.startswith("#/"):
                raise ValueError(f"{self.source}: cannot resolve {ref!r}")
            seen.add(ref)
            node: Any = doc
            for part in ref[2:].split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            schema = node
        if not isinstance(schema, dict):
            raise ValueError(f"{self.source}: schema is not an object")
        return schema

    def _ref(self, schema: str | dict[str, Any]) -> dict[str, Any]:
        if isinstance(schema, str):
            if schema not in self.document.get("components", {}).get("schemas", {}):
                raise KeyError(f"{self.source}: no schema named {schema!r}")
            return {"$ref": f"#/components/schemas/{schema}"}
        return schema

    def operation(self, method: str, path: str) -> dict[str, Any]:
        return self.document["paths"][path][method.lower()]  # type: ignore[no-any-return]

    def operations(self) -> list[tuple[str, str]]:
        return [(m, p) for p, ops in self.document.get("paths", {}).items() for m in _METHODS if m in ops]

    def request_schema(self, method: str, path: str, media: str = "application/json") -> dict[str, Any]:
        return self.operation(method, path)["requestBody"]["content"][media]["schema"]  # type: ignore[no-any-return]

    def response_schema(self, method: str, path: str, status: str = "200",
                        media: str | None = None) -> dict[str, Any] | None:
        """The response schema for ``status`` (first media type unless named), None if undeclared."""
        content = (self.operation(method, path)["responses"].get(status) or {}).get("content") or {}
        chosen = content.get(media) if media else next(iter(content.values()), None)
        return (chosen or {}).get("schema")

    # -- validation -----------------------------------------------------------------------------
    def _validator(self, document: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft4Validator:
        resource = referencing.Resource.from_contents(document, default_specification=referencing.jsonschema.DRAFT4)
        registry: referencing.Registry[Any] = referencing.Registry().with_resource(_URI, resource)
        rooted = json.loads(json.dumps(schema).replace('"$ref": "#/', f'"$ref": "{_URI}#/'))
        return jsonschema.Draft4Validator(rooted, registry=registry)

    def strict_errors(self, payload: Json, schema: str | dict[str, Any]) -> list[str]:
        """Every schema violation and every undeclared property, as ``path: message`` lines."""
        ref = self._ref(schema)
        errors = [_describe(e) for e in self._validator(self._strict, ref).iter_errors(payload)]
        errors.extend(self.undeclared(payload, ref))
        return errors

    def tolerant_errors(self, payload: Json, schema: str | dict[str, Any]) -> list[str]:
        ref = self._ref(schema)
        validator = self._validator(self._tolerant, _map_schema(ref, _relax))
        return [_describe(e) for e in validator.iter_errors(payload)]

    def undeclared(self, payload: Json, schema: dict[str, Any], path: str = "") -> list[str]:
        """Properties of ``payload`` that ``schema`` (through allOf/oneOf/anyOf) does not declare."""
        branches = self._branches(schema)
        if isinstance(payload, list):
            items = [self.resolve(b["items"]) for b in branches if isinstance(b.get("items"), dict)]
            if not items:
                return []
            return [e for i, v in enumerate(payload) for e in self.undeclared(v, items[0], f"{path}[{i}]")]
        if not isinstance(payload, dict):
            return []
        declared: dict[str, list[dict[str, Any]]] = {}
        open_object = not any("properties" in b for b in branches)
        for branch in branches:
            if branch.get("additionalProperties") not in (None, False):
                open_object = True
            for name, sub in (branch.get("properties") or {}).items():
                declared.setdefault(name, []).append(sub)
        if open_object:
            return []
        problems: list[str] = []
        for key, value in payload.items():
            where = f"{path}.{key}" if path else key
            if key not in declared:
                problems.append(f"{where}: not declared by the schema")
                continue
            problems.extend(self.undeclared(value, {"allOf": declared[key]}, where))
        return problems

    def _branches(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        """The schema and every allOf/oneOf/anyOf branch below it, resolved (a flat list)."""
        out: list[dict[str, Any]] = []
        stack = [schema]
        seen: set[int] = set()
        while stack:
            current = self.resolve(stack.pop())
            if id(current) in seen:
                continue
            seen.add(id(current))
            out.append(current)
            for key in ("allOf", "oneOf", "anyOf"):
                stack.extend(current.get(key) or [])
        return out

    # -- examples -------------------------------------------------------------------------------
    def synthesize(self, schema: Any, _seen: frozenset[str] = frozenset()) -> Json:
        """An instance built from the schema's own ``example`` or, below it, from its fields' examples."""
        if isinstance(schema, dict) and "$ref" in schema:
            if schema["$ref"] in _seen:
                return None
            _seen = _seen | {schema["$ref"]}
        s = self.resolve(schema)
        if "example" in s:
            return copy.deepcopy(s["example"])
        for key in ("oneOf", "anyOf"):
            for sub in s.get(key) or []:
                got = self.synthesize(sub, _seen)
                if got is not None:
                    return got
        merged: dict[str, Any] = {}
        for sub in s.get("allOf") or []:
            got = self.synthesize(sub, _seen)
            if isinstance(got, dict):
                merged.update(got)
            elif got is not None and not merged:
                return got
        if s.get("type") == "array" or "items" in s:
            item = self.synthesize(s.get("items", {}), _seen)
            return None if item is None else [item]
        for name, sub in (s.get("properties") or {}).items():
            got = self.synthesize(sub, _seen)
            if got is not None:
                merged[name] = got
        return merged or None

    def examples(self, method: str, path: str) -> list[Example]:
        """Every response example embedded for one operation, success and error alike."""
        found: list[Example] = []
        for status, response in (self.operation(method, path).get("responses") or {}).items():
            for media in ((response or {}).get("content") or {}).values():
                if "example" in media:
                    found.append(Example(method, path, str(status), "media example", media["example"]))
                for name, item in (media.get("examples") or {}).items():
                    value = self.resolve(item) if "$ref" in item else item
                    if "value" in value:
                        found.append(Example(method, path, str(status), f"examples.{name}", value["value"]))
                schema = media.get("schema")
                if schema is None or "example" in media or media.get("examples"):
                    continue
                resolved = self.resolve(schema)
                if "example" in resolved:
                    found.append(Example(method, path, str(status), "schema example", resolved["example"]))
                else:
                    value = self.synthesize(schema)
                    if value is not None:
                        found.append(Example(method, path, str(status), "synthesised from field examples", value))
        return found


# -- function-style helpers (same behaviour as the Spec methods) ------------------------------------
def load_spec(path: Path, *, text_patches: tuple[TextPatch, ...] = (),
              document_patches: tuple[DocumentPatch, ...] = ()) -> Spec:
    return Spec.load(path, text_patches=text_patches, document_patches=document_patches)


def response_examples(spec: Spec) -> list[Example]:
    """Every embedded response example of every operation in the file."""
    return [e for method, path in spec.operations() for e in spec.examples(method, path)]
