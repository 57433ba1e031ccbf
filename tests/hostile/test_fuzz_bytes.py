"""Every carrier parser, JSON or SOAP, fed arbitrary bytes at any status raises nothing but a CarrierError."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from support.fuzz_targets import FUZZ, STATUSES, TARGETS, parse_only_carrier_errors

_garbage = st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass"))


@pytest.mark.parametrize("name", list(TARGETS))
def test_parsers_survive_arbitrary_bytes(name: str) -> None:
    make_call, seeds = TARGETS[name]
    call = make_call()
    carrier = seeds[0].carrier

    @settings(FUZZ, max_examples=30)
    @given(_garbage, st.sampled_from(STATUSES))
    def fuzz(data: bytes, status: int) -> None:
        parse_only_carrier_errors(call, data, status, carrier)

    fuzz()
