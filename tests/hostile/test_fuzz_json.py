"""Property-based fuzzing of the JSON parsers (UPS, FedEx, SF Express): the only exception that ever
escapes is a CarrierError.

The carriers' real answers are mutated: keys deleted, values swapped to another JSON type, lists
replaced by one object and objects by lists, random unicode, bytes truncated, HTTP status changed.
JSON documents nested in strings (SF's ``apiResultData``) are mutated inside too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.fuzz_targets import FUZZ, TARGETS, Seed, U, finishing_touches, parse_only_carrier_errors

# -- JSON mutations -------------------------------------------------------------------------------

class Embedded:
    """A JSON document carried as a string inside another (SF's ``apiResultData``)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __deepcopy__(self, memo: dict[int, Any]) -> Embedded:
        return Embedded(copy.deepcopy(self.value, memo))


def unwrap_embedded(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: unwrap_embedded(v) for k, v in node.items()}
    if isinstance(node, list):
        return [unwrap_embedded(v) for v in node]
    if isinstance(node, str) and node[:1] in "{[":
        try:
            return Embedded(unwrap_embedded(json.loads(node)))
        except ValueError:
            return node
    return node


def dump(node: Any) -> Any:
    if isinstance(node, Embedded):
        return json.dumps(dump(node.value), ensure_ascii=False)
    if isinstance(node, dict):
        return {k: dump(v) for k, v in node.items()}
    if isinstance(node, list):
        return [dump(v) for v in node]
    return node


Path_ = tuple[Any, ...]


def paths(node: Any, here: Path_ = ()) -> Iterator[Path_]:
    if isinstance(node, Embedded):
        yield from paths(node.value, (*here, Embedded))
        return
    if here:
        yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*here, index))


def container(root: Any, path: Path_) -> Any:
    node = root
    for step in path:
        node = node.value if step is Embedded else node[step]
    return node


_scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70)
            | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
            | st.sampled_from(["", " ", "0", "-1", "1e999", "NaN", "null", "true", "2099-13-45T25:61:00",
                               "USD", "XXX", "١٢٣", "😀", "\x00", "A" * 300]))
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=6)


@st.composite
def mutated_json(draw: st.DrawFn, original: Any) -> Any:
    doc = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        candidates = list(paths(doc))
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent, key = container(doc, path[:-1]), path[-1]
        if key is Embedded:
            continue
        current = parent[key]
        op = draw(st.sampled_from(["delete", "swap", "swap", "to_list", "from_list", "duplicate", "empty"]))
        if op == "delete":
            del parent[key]
        elif op == "swap":
            parent[key] = draw(_values)
        elif op == "to_list":
            parent[key] = [current]
        elif op == "from_list":
            parent[key] = current[0] if isinstance(current, list) and current else {"x": current}
        elif op == "duplicate" and isinstance(current, list):
            current.extend(copy.deepcopy(current))
        else:
            parent[key] = type(current)() if isinstance(current, dict | list | str) else None
    return doc


@st.composite
def json_answers(draw: st.DrawFn, seeds: list[Seed]) -> tuple[bytes, int]:
    seed = draw(st.sampled_from(seeds))
    doc = draw(mutated_json(unwrap_embedded(json.loads(seed.data))))
    data = json.dumps(dump(doc), ensure_ascii=draw(st.booleans())).encode("utf-8")
    return finishing_touches(draw, data, seed)


# -- the properties ---------------------------------------------------------------------------------

JSON_TARGETS = [name for name in TARGETS if not name.startswith("dhl.")]


@pytest.mark.parametrize("name", JSON_TARGETS)
def test_json_parsers_raise_only_carrier_errors(name: str) -> None:
    make_call, seeds = TARGETS[name]
    call = make_call()
    carrier = seeds[0].carrier

    @FUZZ
    @given(json_answers(seeds))
    def fuzz(example: tuple[bytes, int]) -> None:
        parse_only_carrier_errors(call, *example, carrier)

    fuzz()


def test_the_fuzzers_really_mutate() -> None:
    """Guard against a fuzzer that silently returns the seed: mutated documents differ."""
    seed = U("rate_response_domestic.json")
    original = json.loads(seed.data)
    changed: list[bool] = []

    @settings(FUZZ, max_examples=20)
    @given(mutated_json(original))
    def check(doc: Any) -> None:
        changed.append(doc != original)

    check()
    assert sum(changed) >= 15
