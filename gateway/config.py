"""Gateway configuration from a dict, a TOML file or environment variables.

Shape: one table per account, keyed by the account's name. The name is the carrier unless the table
says ``carrier = "..."`` (two UPS accounts: ``[ups-us]`` and ``[ups-eu]`` with ``carrier = "ups"``).
Environment variables: ``CARRIERGATE_<ACCOUNT>__<FIELD>``, e.g. ``CARRIERGATE_UPS__CLIENT_SECRET``.

One table name is reserved: ``gateway`` holds the gateway's own settings, not an account. Its one
setting is ``redis_url`` (TOML ``[gateway] redis_url = "redis://..."``, env
``CARRIERGATE_GATEWAY__REDIS_URL``; else ``CARRIERGATE_REDIS_URL``): the Redis server worker processes
share tokens, quotas, breakers and the rate cache through (:mod:`carriergate.stores.settings`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic

from carriergate.core.contract import Account, AnyCarrier
from carriergate.core.errors import ConfigurationError
from carriergate.core.registry import carrier_class
from carriergate.core.validation import field_path
from carriergate.stores.settings import GATEWAY_TABLE, SETTING, redis_url

ENV_PREFIX = "CARRIERGATE_"
#: The settings the ``gateway`` table may hold.
GATEWAY_SETTINGS = frozenset({SETTING})


def load_toml(path: str | Path) -> dict[str, dict[str, Any]]:
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"configuration file {str(file)!r} not found", code="configuration") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{file}: {exc}", code="configuration") from None
    accounts = data.get("carriers", data)
    if not isinstance(accounts, dict) or not all(isinstance(v, dict) for v in accounts.values()):
        raise ConfigurationError(f"{file}: expected one table per carrier account", code="configuration")
    if accounts is not data and isinstance(data.get(GATEWAY_TABLE), dict):
        accounts[GATEWAY_TABLE] = data[GATEWAY_TABLE]  # [gateway] beside [carriers.*]
    # Relative paths inside the file (a rate card) are relative to the file.
    for settings in accounts.values():
        for key, value in settings.items():
            if key.endswith(("_card", "_file")) and isinstance(value, str) and not Path(value).is_absolute():
                settings[key] = str(file.parent / value)
    return accounts


def from_env(environ: Mapping[str, str] | None = None) -> dict[str, dict[str, Any]]:
    env = os.environ if environ is None else environ
    accounts: dict[str, dict[str, Any]] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX) or "__" not in key:
            continue
        account, _, name = key[len(ENV_PREFIX):].partition("__")
        accounts.setdefault(account.lower(), {})[
            name.lower()
        ] = value
    return accounts


def split_config(config: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, Mapping[str, Any]], str | None]:
    """The account tables of ``config`` and the Redis URL its ``gateway`` table (or the environment)
    names. An unknown gateway setting is a ConfigurationError naming it (never echoing a value)."""
    accounts = {name: table for name, table in config.items() if name != GATEWAY_TABLE}
    own = config.get(GATEWAY_TABLE) or {}
    unknown = sorted(set(own) - GATEWAY_SETTINGS)
    if unknown:
        raise ConfigurationError(f"{GATEWAY_TABLE}: unknown setting {unknown[0]!r} (known: "
                                 f"{', '.join(sorted(GATEWAY_SETTINGS))})", code="configuration")
    return accounts, redis_url(config)


def build_carrier(alias: str, settings: Mapping[str, Any]) -> AnyCarrier:
    """Resolve the adapter for one account and validate its settings (secrets stay secret)."""
    kind = str(settings.get("carrier") or alias)
    cls = carrier_class(kind)
    try:
        account: Account = cls.account_model.model_validate(dict(settings))
    except pydantic.ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        # The message names the field; the input value is never echoed (it may be a secret).
        raise ConfigurationError(f"account {alias!r}: {field_path(err['loc'])}: {err['msg']}",
                                 carrier=alias, code="configuration") from None
    return cls(account, alias=alias)
