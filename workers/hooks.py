"""The user's hook: where every tracking result goes (``"module:function"``, sync or async).

The hook receives each :class:`TrackingInfo` a refresh produced. A coroutine function is awaited on
the worker's event loop; a plain function runs in a thread, so a hook that writes to a database
synchronously does not stall the other jobs (nor the heartbeats that keep the worker's jobs its own).
A hook that raises is logged with its traceback and the number carries on with its schedule: one
broken hook call never loses a number. Delivery is at least once: a worker killed after the hook ran
but before the number's state was saved runs it again for that refresh.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from carriergate.core.errors import ConfigurationError
from carriergate.core.tracking import TrackingInfo

logger = logging.getLogger("carriergate.workers")

Hook = Callable[[TrackingInfo], Awaitable[Any] | Any]


def load_hook(target: str) -> Hook:
    """The callable named ``"package.module:function"`` (``function`` may be dotted: ``obj.method``)."""
    module_name, colon, attribute = target.strip().partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigurationError(f"hook {target!r}: expected 'package.module:function'", code="configuration")
    try:
        found: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"hook {target!r}: cannot import {module_name!r}: {exc}",
                                 code="configuration") from None
    for part in attribute.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise ConfigurationError(f"hook {target!r}: {module_name!r} has no {attribute!r}", code="configuration")
    if not callable(found):
        raise ConfigurationError(f"hook {target!r} is not callable", code="configuration")
    hook: Hook = found
    return hook


def _is_async(hook: Hook) -> bool:
    call = type(hook).__call__ if not inspect.isroutine(hook) else None  # an object with an async __call__
    return inspect.iscoroutinefunction(hook) or (call is not None and inspect.iscoroutinefunction(call))


async def deliver(hook: Hook | None, info: TrackingInfo) -> bool:
    """Hand ``info`` to ``hook``; False (logged) when the hook raised."""
    if hook is None:
        return True
    try:
        if _is_async(hook):
            await hook(info)
        else:
            result = await asyncio.to_thread(hook, info)
            if inspect.isawaitable(result):
                await result
    except Exception:
        logger.exception("tracking hook failed for %s %s (status %s); the number keeps its schedule",
                         info.carrier, info.tracking_number, info.status.value)
        return False
    return True


__all__ = ["Hook", "deliver", "load_hook"]
