"""Finding carrier adapters: the ``carriergate.carriers`` entry-point group.

Built-in carriers register exactly as a third party's would, in pyproject.toml. Resolving one
carrier imports that carrier's module alone.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from carriergate.core.contract import AnyCarrier, Carrier
from carriergate.core.errors import ConfigurationError

GROUP = "carriergate.carriers"

# Carriers registered in-process (tests, applications embedding their own adapter).
_registered: dict[str, type[AnyCarrier]] = {}


def register(name: str, cls: type[AnyCarrier]) -> None:
    """Register a carrier class under ``name`` for this process, ahead of the entry points."""
    if not (isinstance(cls, type) and issubclass(cls, Carrier)):
        raise TypeError("register() takes a Carrier subclass")
    _registered[name] = cls


def unregister(name: str) -> None:
    """Forget the in-process registration of ``name`` (an entry point of that name stays)."""
    _registered.pop(name, None)


def refresh() -> None:
    """Look at the installed distributions afresh on next use.

    The entry points are read once per process (reading them is slow); a distribution installed or
    put on ``sys.path`` since then (a plugin loaded at run time, a test's temporary one) is found
    only after this. In-process registrations are kept."""
    from importlib import invalidate_caches

    invalidate_caches()  # the metadata finder caches each path entry's listing
    _entry_points.cache_clear()
    _load.cache_clear()


if TYPE_CHECKING:
    from importlib.metadata import EntryPoint


@cache
def _entry_points() -> dict[str, EntryPoint]:
    from importlib.metadata import entry_points  # on first use: it is slow to import

    return {ep.name: ep for ep in entry_points(group=GROUP)}


def available() -> list[str]:
    """Names of every registered carrier, without importing any of them."""
    return sorted({*_entry_points(), *_registered})


def carrier_class(name: str) -> type[AnyCarrier]:
    if name in _registered:
        return _registered[name]
    return _load(name)


@cache
def _load(name: str) -> type[AnyCarrier]:
    ep = _entry_points().get(name)
    if ep is None:
        known = ", ".join(available()) or "none"
        raise ConfigurationError(f"unknown carrier {name!r} (registered: {known})", code="unknown_carrier")
    try:
        cls = ep.load()
    except ImportError as exc:
        raise ConfigurationError(f"carrier {name!r} could not be loaded: {exc}", code="carrier_unavailable") from None
    if not (isinstance(cls, type) and issubclass(cls, Carrier)):
        raise ConfigurationError(f"entry point {ep.value!r} is not a Carrier subclass", code="bad_entry_point")
    return cls
