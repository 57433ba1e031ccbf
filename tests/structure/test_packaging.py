"""The package installs as one import package, ``carriergate``, and imports lazily."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from support.paths import ROOT


def _declared_packages() -> list[str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return sorted(data["tool"]["setuptools"]["packages"])


def _packages_on_disk() -> list[str]:
    found = ["carriergate"]
    for init in ROOT.rglob("__init__.py"):
        rel = init.parent.relative_to(ROOT)
        if rel.parts and rel.parts[0] not in {"tests", "build", "bench", ".venv", "docs"} and \
                not any(p.startswith(".") for p in rel.parts):
            found.append(".".join(("carriergate", *rel.parts)))
    return sorted(found)


def test_package_list_matches_folders() -> None:
    assert _declared_packages() == _packages_on_disk()


def test_import_is_lazy() -> None:
    code = ("import sys, carriergate; "
            "bad = sorted(m for m in sys.modules if m in ('zeep', 'pycountry', 'carriergate.checkout') "
            "or m.startswith(('zeep.', 'carriergate.carriers.'))); "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.strip() == ""


def test_checkout_loads_on_first_attribute_access() -> None:
    code = ("import sys, carriergate as cg; before = 'carriergate.checkout' in sys.modules; "
            "receiver = cg.checkout.WebhookReceiver; print(before, receiver.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    assert out.stdout.split() == ["False", "WebhookReceiver"]


def test_resolving_one_carrier_imports_only_that_carrier() -> None:
    code = ("import sys, carriergate as cg; cg.Gateway({'table': {}}).carrier('table'); "
            "print(','.join(sorted(m for m in sys.modules if m.startswith('carriergate.carriers.'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd="/")
    loaded = {m.split(".")[2] for m in out.stdout.strip().split(",") if m}
    assert loaded == {"table"}


@pytest.mark.slow
def test_wheel_exposes_only_carriergate(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(tmp_path.glob("carriergate-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        tops = {name.split("/")[0] for name in zf.namelist()}
        names = zf.namelist()
    assert tops == {"carriergate", wheel.name.split("-")[0] + "-" + wheel.name.split("-")[1] + ".dist-info"}
    assert "carriergate/py.typed" in names
    assert not any(n.startswith("carriergate/tests/") for n in names)
