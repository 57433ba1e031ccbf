"""Which Redis the tracking queue lives on: the one function every entry point asks.

An explicit URL (``--redis-url``, ``TrackingQueue(url)``) wins; else the gateway's shared setting
(``[gateway] redis_url`` in the configuration, else ``CARRIERGATE_REDIS_URL``), read by the stores'
own resolver so the queue and the shared stores can never disagree. The queue has no in-memory mode:
without a URL it is a ConfigurationError that says where to put one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from carriergate.core.errors import ConfigurationError
from carriergate.stores.settings import ENV_VAR, checked, redacted, redis_url


def resolve_redis_url(explicit: str | None = None, *, config: Mapping[str, Any] | None = None,
                      environ: Mapping[str, str] | None = None) -> str:
    """The Redis URL of the tracking queue (checked; a bad one is refused, shown redacted)."""
    if explicit is not None and explicit.strip():
        return checked(explicit)
    found = redis_url(config, environ=environ)
    if found is None:
        raise ConfigurationError(f"the tracking queue needs Redis: pass --redis-url, set {ENV_VAR} or "
                                 "redis_url in the configuration's [gateway] table", code="configuration")
    return found


__all__ = ["redacted", "resolve_redis_url"]
