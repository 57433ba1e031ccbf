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


def distribution(folder: Path, name: str, source: str, entry_points: str) -> None:
    """A distribution of one module ``name`` (holding ``source``) with its ``entry_points.txt``, in
    ``folder`` as an installer lays it out."""
    (folder / f"{name}.py").write_text(source, encoding="utf-8")
    info = folder / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name.replace('_', '-')}\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[carriergate.carriers]\n{entry_points}", encoding="utf-8")


@pytest.fixture
def on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder on ``sys.path`` for one test (distributions laid out there are found once the
    registry is refreshed); afterwards its modules are forgotten and the registry looks afresh."""
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("parrot_carrier", "not_a_carrier"):
        sys.modules.pop(name, None)
    registry.refresh()  # read again on next use, when monkeypatch has taken the folder off the path


@pytest.fixture
def third_party(on_path: Path) -> None:
    """A distribution installed beside ours that declares one carrier entry point."""
    distribution(on_path, "parrot_carrier", THIRD_PARTY, "parrot = parrot_carrier:Parrot\n")
    registry.refresh()


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


def test_an_entry_point_that_is_not_a_carrier_is_a_configuration_error(on_path: Path) -> None:
    distribution(on_path, "not_a_carrier", "Thing = object\n",
                 "thing = not_a_carrier:Thing\nbroken = no_such_module:X\n")
    registry.refresh()
    with pytest.raises(cg.ConfigurationError, match="not a Carrier subclass"):
        registry.carrier_class("thing")
    with pytest.raises(cg.ConfigurationError, match="could not be loaded"):
        registry.carrier_class("broken")
