"""Where the command line's gateway configuration comes from: one function, so a ``--sandbox``
mode can plug in later (:func:`gateway_config`'s ``sandbox`` argument)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from carriergate.core.errors import ConfigurationError
from carriergate.gateway.config import ENV_PREFIX, from_env, load_toml
from carriergate.gateway.gateways import Gateway
from carriergate.sandbox.registry import sandbox_accounts

#: With no --config file and no CARRIERGATE_* variable: the table carrier with its sample card.
DEFAULT_CONFIG: dict[str, dict[str, Any]] = {"table": {}}


def gateway_config(config_path: Path | None, sandbox: bool = False,
                   environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """The accounts to use: ``--config FILE`` (TOML), else ``CARRIERGATE_<ACCOUNT>__<FIELD>``
    variables if any is set, else :data:`DEFAULT_CONFIG`.

    With ``sandbox`` the accounts are the built-in emulators' (see :func:`build_gateway`)."""
    if sandbox:
        if config_path is not None:
            raise ConfigurationError("--sandbox and --config exclude each other", code="configuration")
        return sandbox_accounts()
    if config_path is not None:
        return load_toml(config_path)
    env = os.environ if environ is None else environ
    if any(key.startswith(ENV_PREFIX) and "__" in key for key in env):
        return from_env(env)
    return {name: dict(settings) for name, settings in DEFAULT_CONFIG.items()}


def build_gateway(config_path: Path | None, sandbox: bool = False) -> Gateway:
    """The gateway for one command. ``sandbox``: every carrier's emulator in-process (state lives as
    long as this process; for state across commands run ``carriergate sandbox serve`` and point a
    config file at it)."""
    if sandbox:
        gateway_config(config_path, sandbox)  # refuses --config with --sandbox
        return Gateway.sandbox()
    return Gateway(gateway_config(config_path))
