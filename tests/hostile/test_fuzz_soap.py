"""Property-based fuzzing of DHL Express's SOAP parsers: the only exception that ever escapes is a
CarrierError.

The real SOAP replies are mutated as XML (elements dropped, duplicated, emptied, renamed, text
swapped, children added; bytes truncated, HTTP status changed) and go through zeep.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from support.fuzz_targets import FUZZ, TARGETS, Seed, finishing_touches, parse_only_carrier_errors

# -- XML mutations --------------------------------------------------------------------------------

@st.composite
def xml_answers(draw: st.DrawFn, seeds: list[Seed]) -> tuple[bytes, int]:
    seed = draw(st.sampled_from(seeds))
    root = etree.fromstring(seed.data, etree.XMLParser(remove_blank_text=True))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        elements = [e for e in root.iter() if isinstance(e.tag, str) and e is not root]
        if not elements:
            break
        node = draw(st.sampled_from(elements))
        op = draw(st.sampled_from(["drop", "text", "text", "duplicate", "clear", "rename", "child"]))
        parent = node.getparent()
        if op == "drop" and parent is not None:
            parent.remove(node)
        elif op == "text":
            node.text = draw(st.text(alphabet=st.characters(blacklist_categories=["Cs", "Cc"]), max_size=20)
                             | st.sampled_from(["", "-1", "NaN", "9" * 40, "2099-13-45", "ÄÖÜ😀"]))
        elif op == "duplicate" and parent is not None:
            parent.insert(parent.index(node), copy.deepcopy(node))
        elif op == "clear":
            for child in list(node):
                node.remove(child)
        elif op == "rename":
            namespace = etree.QName(node).namespace
            local = draw(st.sampled_from(["Unknown", "Charge", "Notification", "Service", "Code", "x"]))
            node.tag = f"{{{namespace}}}{local}" if namespace else local
        else:
            etree.SubElement(node, draw(st.sampled_from(["Extra", "Notification", "Message"]))).text = "?"
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    return finishing_touches(draw, data, seed)


# -- the property -----------------------------------------------------------------------------------

XML_TARGETS = [name for name in TARGETS if name.startswith("dhl.")]


@pytest.mark.parametrize("name", XML_TARGETS)
def test_soap_parsers_raise_only_carrier_errors(name: str) -> None:
    make_call, seeds = TARGETS[name]
    call = make_call()

    @FUZZ
    @given(xml_answers(seeds))
    def fuzz(example: tuple[bytes, int]) -> None:
        parse_only_carrier_errors(call, *example, "dhl_express")

    fuzz()
