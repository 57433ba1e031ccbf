"""Carriers register through the ``carriergate.carriers`` entry-point group, built-ins included."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import carriergate as cg
from carriergate.core import registry

THIRD_PARTY = '''
from typing import ClassVar
import carriergate as cg
from carriergate.core.contract import Flow, finished

class Parrot(cg.Carrier[cg.Account]):
    name: ClassVar[str] = "parrot"
    capabilities = frozenset({cg.Capability.RATE})

    def rate(self, request: cg.RateRequest) -> Flow[list[cg.Quote]]:
        return finished([cg.Quote(carrier=self.alias, service_code="squawk", service_name="Squawk",
                                  total=cg.Money("1.00", "CNY"), source="table")])
'''


@pytest.fixture
def third_party(tmp_path: Path) -> Iterator[None]:
    """A distribution installed beside ours that declares one carrier entry point."""
    (tmp_path / "parrot_carrier.py").write_text(THIRD_PARTY, encoding="utf-8")
    info = tmp_path / "parrot_carrier-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: parrot-carrier\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[carriergate.carriers]\nparrot = parrot_carrier:Parrot\n",
                                           encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    registry._entry_points.cache_clear()
    registry._load.cache_clear()
    try:
        yield
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("parrot_carrier", None)
        registry._entry_points.cache_clear()
        registry._load.cache_clear()


def test_builtins_are_registered_as_entry_points() -> None:
    assert {"ups", "fedex", "dhl_express", "sf_express", "table"} <= set(registry.available())


def test_a_third_party_carrier_needs_no_fork(third_party: None) -> None:
    assert "parrot" in registry.available()
    with cg.Gateway({"parrot": {}, "table": {}}) as gw:
        result = gw.rate(cg.RateRequest(
            origin=cg.Address(name="A", street=["1 Road"], city="Shanghai", postal_code="200120", country="CN"),
            destination=cg.Address(name="B", street=["2 Road"], city="Beijing", postal_code="100010", country="CN"),
            parcels=[cg.Parcel(weight=cg.Weight(1, "kg"))]))
    assert [q.service_code for q in result.quotes if q.carrier == "parrot"] == ["squawk"]


def test_an_entry_point_that_is_not_a_carrier_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "not_a_carrier.py").write_text("Thing = object\n", encoding="utf-8")
    info = tmp_path / "not_a_carrier-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: not-a-carrier\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text("[carriergate.carriers]\nthing = not_a_carrier:Thing\n"
                                           "broken = no_such_module:X\n", encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    registry._entry_points.cache_clear()
    try:
        with pytest.raises(cg.ConfigurationError, match="not a Carrier subclass"):
            registry.carrier_class("thing")
        with pytest.raises(cg.ConfigurationError, match="could not be loaded"):
            registry.carrier_class("broken")
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("not_a_carrier", None)
        registry._entry_points.cache_clear()
        registry._load.cache_clear()
