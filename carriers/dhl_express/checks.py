"""Field checks against DHL Express's limits, collected so one ValidationError names every
offending field before anything is sent."""

from __future__ import annotations

from carriergate.core.errors import FieldError, ValidationError


class Checks:
    """Collects :class:`FieldError` s; :meth:`done` raises them as one ValidationError."""

    def __init__(self, carrier: str) -> None:
        self.carrier = carrier
        self.errors: list[FieldError] = []

    def fail(self, path: str, reason: str) -> None:
        self.errors.append(FieldError(path, reason))

    def text(self, path: str, value: str | None, limit: int, *, required: bool = False) -> str | None:
        """``value`` stripped, or None when empty; records an error if too long or missing."""
        cleaned = (value or "").strip()
        if not cleaned:
            if required:
                self.fail(path, "DHL Express requires this field")
            return None
        if len(cleaned) > limit:
            self.fail(path, f"DHL Express accepts at most {limit} characters (got {len(cleaned)})")
        return cleaned

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors, carrier=self.carrier)
