"""When a tracked number is looked at again: the refresh policy, by the parcel's last status.

A parcel out for delivery changes within the hour; one in transit every few hours; a label nobody has
handed over yet may sit for days. Refreshing every number at one rate wastes the carrier's quota on
the quiet ones and is late on the busy ones, so the delay depends on the status, and each delay is
spread by ``jitter`` so a million numbers enqueued in one burst do not all come due in the same
second (their refreshes drift apart instead of marching in step). A delivered, returned or cancelled
parcel is final: it is never refreshed again.

Failures are not statuses: a carrier that is down or asks us to slow down (CarrierUnavailable,
RateLimited) is asked again after an exponential backoff; a number the carrier does not know yet
(labels are often tracked before the first scan) is asked again every ``not_found`` seconds and given
up after ``give_up_not_found_after``.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from carriergate.core.errors import ConfigurationError, FieldError, ValidationError
from carriergate.core.tracking import TrackingStatus

HOUR = 3600.0
DAY = 24 * HOUR
#: Statuses after which a parcel does not move any more: its number is not refreshed again.
FINAL_STATUSES = frozenset({TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER, TrackingStatus.CANCELLED})
Random = Callable[[], float]


@dataclass(frozen=True)
class RefreshPolicy:
    """Seconds until the next refresh of a number, by its last status (before jitter)."""

    out_for_delivery: float = 1 * HOUR
    delivery_attempted: float = 2 * HOUR
    available_for_pickup: float = 6 * HOUR
    exception: float = 30 * 60.0  # something went wrong: the next scan says what, look soon
    in_transit: float = 4 * HOUR
    pre_transit: float = 12 * HOUR  # label created, not handed over yet
    unknown: float = 12 * HOUR
    #: A number the carrier does not know (yet): asked again this often ...
    not_found: float = 6 * HOUR
    #: ... and given up (state ``given_up``) once it has been unknown this long.
    give_up_not_found_after: float = 5 * DAY
    #: Backoff after a failure (carrier down, rate limited): ``retry_base * 2 ** (failures - 1)``,
    #: at most ``retry_cap``, at least the carrier's Retry-After.
    retry_base: float = 60.0
    retry_cap: float = 1 * HOUR
    #: Failures in a row after which a number is given up as ``failed``.
    max_failures: int = 48
    #: Each delay is multiplied by a random factor in ``[1 - jitter, 1 + jitter]``.
    jitter: float = 0.2

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise ValidationError(FieldError(item.name, "must be a number of seconds, zero or more"))
        if self.jitter > 1:
            raise ValidationError(FieldError("jitter", "must be between 0 and 1"))
        if self.max_failures < 1 or self.max_failures != int(self.max_failures):
            raise ValidationError(FieldError("max_failures", "must be a whole number, 1 or more"))

    @classmethod
    def from_mapping(cls, settings: Mapping[str, Any]) -> RefreshPolicy:
        """A policy from settings named as the fields (seconds); an unknown name is refused by name."""
        known = {item.name for item in dataclasses.fields(cls)}
        for name in settings:
            if name not in known:
                names = ", ".join(sorted(known))
                raise ValidationError(FieldError(str(name), f"is not a refresh setting (known: {names})"))
        return cls(**dict(settings))

    @classmethod
    def from_toml(cls, path: str | Path) -> RefreshPolicy:
        """A policy from a TOML file of ``name = seconds`` lines (an optional ``[refresh]`` table)."""
        file = Path(path)
        try:
            data = tomllib.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigurationError(f"refresh policy file {str(file)!r} not found") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigurationError(f"{file}: {exc}") from None
        table = data.get("refresh", data)
        if not isinstance(table, dict):
            raise ConfigurationError(f"{file}: expected name = seconds settings")
        return cls.from_mapping(table)

    def spread(self, seconds: float, rng: Random) -> float:
        """``seconds`` times a random factor in ``[1 - jitter, 1 + jitter]``."""
        return seconds * (1.0 + self.jitter * (2.0 * rng() - 1.0))

    def refresh_delay(self, status: TrackingStatus, rng: Random) -> float | None:
        """Seconds until a number last seen in ``status`` is refreshed; None for a final status."""
        if status in FINAL_STATUSES:
            return None
        base: float = getattr(self, status.value)
        return self.spread(base, rng)

    def retry_delay(self, failures: int, rng: Random, retry_after: float | None = None) -> float:
        """Seconds until a number whose last ``failures`` attempts failed is asked again."""
        base = min(self.retry_cap, self.retry_base * 2.0 ** max(0, failures - 1))
        return max(self.spread(base, rng), retry_after or 0.0)


__all__ = ["DAY", "FINAL_STATUSES", "HOUR", "Random", "RefreshPolicy"]
