"""The private Redis server every queue test in this folder works against (module-scoped), and the one
warning these tests let through.

saq 0.26.4 calls redis-py's ``setex``, which redis-py 8 marks deprecated (a DeprecationWarning from
inside saq, on every finished job): the project's ``filterwarnings = error`` would turn saq's own
bookkeeping into failures. Only that warning is let through, only here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.redis_server import redis_server

HERE = Path(__file__).resolve().parent

#: The warning of saq's own ``setex`` calls (see above).
SAQ_SETEX = "ignore:Call to deprecated setex:DeprecationWarning"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The hook sees every test of the session: mark only this folder's."""
    for item in items:
        if item.path.resolve().is_relative_to(HERE):
            item.add_marker(pytest.mark.filterwarnings(SAQ_SETEX))


__all__ = ["SAQ_SETEX", "redis_server"]
