"""The one setting that makes worker processes share state: a Redis URL.

It comes from the gateway configuration's reserved ``gateway`` table (TOML ``[gateway] redis_url =
"redis://..."``, or ``{"gateway": {"redis_url": ...}, "ups": {...}}`` in code, or the environment
variable ``CARRIERGATE_GATEWAY__REDIS_URL`` that the gateway's environment configuration maps to that
table), else from ``CARRIERGATE_REDIS_URL``. Without either, everything stays in memory, per process,
and redis-py is never imported.

The URL may hold a password (``redis://:pw@host/0``): :func:`redacted` is the only form of it that goes
into a repr, a log line or an error message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from carriergate.core.errors import ConfigurationError

#: The environment variable read when the configuration names no URL.
ENV_VAR = "CARRIERGATE_REDIS_URL"
#: The configuration table of gateway-wide settings (not a carrier account).
GATEWAY_TABLE = "gateway"
#: The setting's name inside that table.
SETTING = "redis_url"
SCHEMES = ("redis", "rediss", "unix")
#: Query parameters of a Redis URL that carry a secret.
_SECRET_PARAMS = frozenset({"password"})


def redacted(url: str) -> str:
    """``url`` with any password (user info or ``?password=``) replaced by ``***``: safe to print."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unreadable redis url>"
    pairs = parse_qsl(parts.query)
    if "@" not in parts.netloc and not any(k.lower() in _SECRET_PARAMS for k, _ in pairs):
        return url  # nothing to hide (and unix:///path keeps its form)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, host = netloc.rpartition("@")
        user, colon, _password = userinfo.partition(":")
        # A lone user info may be a password too (some clients read ``redis://secret@host``).
        netloc = f"{user}:***@{host}" if colon else f"***@{host}"
    query = urlencode([(k, "***" if k.lower() in _SECRET_PARAMS else v) for k, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def checked(url: str) -> str:
    """``url`` stripped, if it is a Redis URL redis-py understands; else a ConfigurationError that
    shows the URL redacted."""
    value = url.strip() if isinstance(url, str) else ""
    try:
        scheme = urlsplit(value).scheme
    except ValueError:
        scheme = ""
    if scheme not in SCHEMES:
        raise ConfigurationError(f"{SETTING}: expected a redis://, rediss:// or unix:// URL, got "
                                 f"{redacted(value)!r}", code="configuration")
    return value


def redis_url(config: Mapping[str, Any] | None = None, *, environ: Mapping[str, str] | None = None) -> str | None:
    """The Redis URL the processes share state through, or None (in-memory, per process).

    ``config`` is a gateway configuration (account tables plus the optional ``gateway`` table); its
    ``gateway.redis_url`` wins over the environment's ``CARRIERGATE_REDIS_URL``. An empty value means
    unset. A value that is not a Redis URL is a ConfigurationError (the URL shown redacted)."""
    table = config.get(GATEWAY_TABLE) if isinstance(config, Mapping) else None
    value: Any = table.get(SETTING) if isinstance(table, Mapping) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        env = os.environ if environ is None else environ
        value = env.get(ENV_VAR)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise ConfigurationError(f"{GATEWAY_TABLE}.{SETTING} must be a string", code="configuration")
    return checked(value)


def require_redis() -> ModuleType:
    """redis-py, imported now (never at module import): a ConfigurationError naming the extra to
    install when it is missing."""
    try:
        import redis
    except ImportError:
        raise ConfigurationError(f"{SETTING} is set but redis-py is not installed: "
                                 "pip install 'carriergate[redis]'", code="configuration") from None
    return redis


__all__ = ["ENV_VAR", "GATEWAY_TABLE", "SETTING", "checked", "redacted", "redis_url", "require_redis"]
