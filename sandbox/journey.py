"""When the emulators date a tracking event: never after the emulator's now, always in order.

Every emulator reveals one more step of a parcel's journey per track query, so a test can follow a
label to delivery in a few calls. A step is due a fixed time after the label was made (hours), but
an event dated after the emulator's clock would be an event from the future: the step is dated
``now`` instead. Queries made within the same second would then give several steps one time, and
carriers date events to the second, so step ``k`` of ``steps`` is dated ``steps - 1 - k`` seconds
earlier still: the events of a journey squeezed into an instant stay strictly in order, the last
one at ``now`` at the latest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

SECOND = timedelta(seconds=1)


def stamp(created: datetime, step: timedelta, index: int, steps: int, now: datetime) -> datetime:
    """The time of step ``index`` (from 0) of ``steps``, revealed at ``now``, of a label made at
    ``created`` whose steps are ``step`` apart: never after ``now``, later than every earlier step."""
    return min(created + step * index, now) - SECOND * (steps - 1 - index)


__all__ = ["stamp"]
