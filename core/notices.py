"""What a carrier says beside a successful answer: warnings and alerts, kept, never dropped."""

from __future__ import annotations

from carriergate.core.validation import CarrierModel


class Notice(CarrierModel):
    """One warning or alert from the carrier (or from carriergate about the carrier's answer, e.g.
    "several shipments matched this number"). ``code`` is the carrier's own code where it gave one."""

    message: str
    code: str | None = None

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message
