"""Concurrent first use of a gateway's carrier builds one carrier (a code-review finding).

Eight threads asking a fresh gateway for the same alias at once must all get the one instance the
gateway keeps for it, built once. The build is held until every thread has looked the alias up, so
without the gateway's lock each of them would find nothing and build its own.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

import carriergate as cg
from carriergate.core.contract import AnyCarrier
from carriergate.gateway import config as carrier_config


class CountingDict(dict[str, AnyCarrier]):
    def __init__(self) -> None:
        super().__init__()
        self.lookups = 0
        self.changed = threading.Condition()

    def get(self, key: str, default: Any = None) -> Any:
        with self.changed:
            self.lookups += 1
            self.changed.notify_all()
        return super().get(key, default)


def test_eight_threads_on_first_use_get_one_carrier(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[AnyCarrier] = []
    real_build = carrier_config.build_carrier
    with cg.Gateway.sandbox(["ups"]) as gw:
        lookups = CountingDict()
        monkeypatch.setattr(gw._accounts, "_carriers", lookups)

        def slow_build(name: str, settings: Any) -> AnyCarrier:
            # Finish building only once every thread has looked the carrier up: without a lock, each of
            # them found nothing and builds its own.
            with lookups.changed:
                assert lookups.changed.wait_for(lambda: lookups.lookups >= 8, timeout=30), "threads never arrived"
            carrier = real_build(name, settings)
            built.append(carrier)
            return carrier

        monkeypatch.setattr("carriergate.gateway.resolution.build_carrier", slow_build)
        barrier = threading.Barrier(8)
        found: list[AnyCarrier] = []

        def first_use() -> None:
            barrier.wait(timeout=30)
            found.append(gw.carrier("ups").carrier)

        threads = [threading.Thread(target=first_use) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert len(found) == 8
    assert len(built) == 1
    assert all(carrier is built[0] for carrier in found)
