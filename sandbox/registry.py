"""Which carrier emulators exist, and gateway settings that point every carrier at them.

Emulators are found through the carrier registry: each carrier class names its own emulator
(``Carrier.emulator``, ``"module:Class"``), so a carrier added by one folder and one entry point is
in the sandbox with no edit here. The emulator module is imported only when the sandbox is used; an
emulator's code never imports its carrier's (it is an independent oracle). A carrier whose emulator
cannot be imported (not written yet, or broken) is skipped and :func:`unavailable` says why. A
carrier that does no I/O (``Carrier.offline``: table rates) needs none: the sandbox configuration
gives it its default settings (the table carrier's built-in sample card).

Conformance: with ``specs_dir`` (or ``$CARRIERGATE_SPECS_DIR``) naming the carriers' official specs,
every emulator validates each request it receives against them (see :mod:`.conformance`); unset,
nothing is validated.

``sandbox_gateway_kwargs()`` is what ``Gateway.sandbox()`` and ``carriergate --sandbox`` need::

    gw = cg.Gateway(**sandbox_gateway_kwargs())         # every carrier, in-process, no sockets
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from carriergate.core import registry
from carriergate.core.errors import ConfigurationError
from carriergate.sandbox.base import SANDBOX_HOST, Emulator
from carriergate.sandbox.conformance import conformance
from carriergate.sandbox.faults import Faults, FaultySandboxTransport


def is_offline(name: str) -> bool:
    """Whether carrier ``name`` does no I/O at all, so it needs no emulator (table rates)."""
    return registry.carrier_class(name).offline


def emulator_class(name: str) -> type[Emulator]:
    """The emulator class of carrier ``name``; ConfigurationError saying why when there is none."""
    target = registry.carrier_class(name).emulator
    if target is None:
        raise ConfigurationError(f"carrier {name!r} names no sandbox emulator", carrier=name, code="no_emulator")
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"sandbox emulator for {name!r} is not available: {exc}", carrier=name,
                                 code="no_emulator") from None
    cls = getattr(module, attr, None) if attr else None
    if not (isinstance(cls, type) and issubclass(cls, Emulator)):
        raise ConfigurationError(f"{target!r} holds no Emulator for {name!r}", carrier=name, code="no_emulator")
    return cls


def _chosen(carriers: Iterable[str] | None) -> tuple[list[str], bool]:
    if carriers is None:
        return registry.available(), False
    return list(dict.fromkeys(carriers)), True


def unavailable(carriers: Iterable[str] | None = None) -> dict[str, str]:
    """Carriers whose emulator cannot be loaded, with the reason."""
    reasons: dict[str, str] = {}
    for name in _chosen(carriers)[0]:
        try:
            if is_offline(name):
                continue
            emulator_class(name)
        except ConfigurationError as exc:
            reasons[name] = exc.message
    return reasons


def emulators(carriers: Iterable[str] | None = None, *, specs_dir: str | Path | None = None) -> dict[str, Emulator]:
    """Fresh emulator instances (empty state). Asked-for carriers must exist; with ``None``, every
    available emulator (the missing ones are skipped). With a specs directory (``specs_dir``, else
    ``$CARRIERGATE_SPECS_DIR``) each validates the requests it receives against its carrier's schema."""
    names, strict = _chosen(carriers)
    out: dict[str, Emulator] = {}
    for name in names:
        try:
            if is_offline(name):
                continue
            out[name] = emulator_class(name)()
        except ConfigurationError:
            if strict:
                raise
    check = conformance(specs_dir, out)
    for emulator in out.values():
        emulator.conformance = check
    return out


def sandbox_accounts(carriers: Iterable[str] | None = None, *,
                     base_url: str = SANDBOX_HOST) -> dict[str, dict[str, Any]]:
    """Gateway configuration for the sandbox: each carrier's emulator account plus ``base_url``
    (``{base_url}/{carrier}``), and the table-rate carrier's sample card."""
    names, strict = _chosen(carriers)
    config: dict[str, dict[str, Any]] = {}
    root = base_url.rstrip("/")
    for name in names:
        try:
            if is_offline(name):
                config[name] = {}
                continue
            cls = emulator_class(name)
        except ConfigurationError:
            if strict:
                raise
            continue
        config[name] = {**cls.account, "base_url": f"{root}/{name}"}
    return config


def sandbox_transport(carriers: Iterable[str] | None = None, faults: Faults | None = None, *,
                      specs_dir: str | Path | None = None) -> FaultySandboxTransport:
    """An in-process transport (sync and async) routing ``/{carrier}/...`` to fresh emulators."""
    return FaultySandboxTransport(emulators(carriers, specs_dir=specs_dir), faults)


def sandbox_gateway_kwargs(carriers: Iterable[str] | None = None, faults: Faults | None = None, *,
                           specs_dir: str | Path | None = None) -> dict[str, Any]:
    """``{"config": ..., "transport": ...}`` for ``Gateway(**kwargs)`` or ``AsyncGateway(**kwargs)``.

    The transport and the accounts are built from the same emulators, so a carrier whose emulator
    is missing is in neither."""
    names = None if carriers is None else list(carriers)
    transport = sandbox_transport(names, faults, specs_dir=specs_dir)
    config = sandbox_accounts(names)
    config = {k: v for k, v in config.items() if k in transport.emulators or is_offline(k)}
    return {"config": config, "transport": transport}


__all__ = [
    "emulator_class",
    "emulators",
    "is_offline",
    "sandbox_accounts",
    "sandbox_gateway_kwargs",
    "sandbox_transport",
    "unavailable",
]
