"""How ``carriergate serve`` runs the app: uvicorn's settings, so the command only passes its options on.

The library sets no logging configuration of its own; the ``serve`` command is an application and
does: uvicorn's own lines as usual, plus checkout's (``carriergate.checkout`` warnings: dropped
quotes, empty answers; ``carriergate.checkout.access``: one line per request) on standard error.
uvicorn's own access log is turned off: ours has the duration and never the query string.
"""

from __future__ import annotations

from typing import Any

DEFAULT_HOST = "127.0.0.1"


def log_config(level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the served app: uvicorn's loggers and checkout's."""
    handler = {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "handlers": {"stderr": handler},
        "loggers": {
            "uvicorn": {"handlers": ["stderr"], "level": level, "propagate": False},
            "carriergate": {"handlers": ["stderr"], "level": "WARNING", "propagate": False},
            "carriergate.checkout": {"handlers": ["stderr"], "level": level, "propagate": False},
        },
    }


def uvicorn_settings(host: str = DEFAULT_HOST, port: int = 8000, *, log_level: str = "INFO") -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.run(app, **uvicorn_settings(host, port))``."""
    if not host.strip():
        raise ValueError("host must not be empty")
    return {"host": host, "port": port, "log_config": log_config(log_level.upper()), "access_log": False,
            "log_level": log_level.lower()}


__all__ = ["DEFAULT_HOST", "log_config", "uvicorn_settings"]
