"""The fuzzers' seeds and coverage: every carrier parser is fuzzed, from answers it understands.

The seeds are the carriers' real answers (fixtures/<carrier>/); fuzzing from a seed the parser no
longer understands would explore the wrong answers, and a parser missing from the targets would
never be fuzzed at all.
"""

from __future__ import annotations

import carriergate as cg

from support.fuzz_targets import ERROR_ANSWERS, TARGETS


def test_every_seed_is_understood_unmutated() -> None:
    """The seeds are the carriers' real answers: each parses or gives the typed error it stands for."""
    for name, (make_call, seeds) in TARGETS.items():
        call = make_call()
        for seed in seeds:
            error: cg.CarrierError | None = None
            try:
                call.parse(seed.response())
            except cg.CarrierError as err:
                error = err
            assert (error is not None) == (seed.name in ERROR_ANSWERS), f"{name}: {seed.name} gave {error!r}"


#: Every operation each carrier's flows send (DHL's void is its cancel_pickup; SF books pickups with
#: the order). A new Call added to a flow must be added to support.fuzz_targets.TARGETS, and here.
OPERATIONS = {
    "ups": {"rate", "paperless_upload", "ship", "void", "schedule_pickup", "cancel_pickup", "track"},
    "fedex": {"rate", "etd_upload", "ship", "void", "schedule_pickup", "cancel_pickup", "track"},
    "sf": {"rate", "ship", "order_query", "label", "void", "track"},
    "dhl": {"rate", "ship", "cancel_pickup", "track"},
}


def test_every_carrier_parser_is_fuzzed() -> None:
    found: dict[str, set[str]] = {}
    for name, (make_call, _) in TARGETS.items():
        found.setdefault(name.split(".")[0], set()).add(make_call().operation)
    assert found == OPERATIONS
