"""FedEx alerts on successful answers (``alerts`` beside ``output``, on a shipment, on a document) as
Notices, so a warning FedEx gives with a good answer reaches the caller instead of being dropped."""

from __future__ import annotations

from typing import Any

from carriergate.core.notices import Notice
from carriergate.protocols.json_reading import as_list, obj, text


def alerts(*containers: Any) -> list[Notice]:
    """The Notices of every ``alerts`` list in ``containers``, in order, each once. FedEx gives an
    alert as ``{code, alertType, message}``; the track answer documents a bare "CODE - message" too."""
    out: list[Notice] = []
    for container in containers:
        for alert in as_list(obj(container).get("alerts")):
            notice = _notice(alert)
            if notice is not None and notice not in out:
                out.append(notice)
    return out


def _notice(alert: Any) -> Notice | None:
    if isinstance(alert, dict):
        code, message = text(alert.get("code")), text(alert.get("message"))
        if message is None and code is None:
            return None
        return Notice(message=message or code or "", code=code)
    raw = text(alert)
    if raw is None:
        return None
    code, sep, message = raw.partition(" - ")
    return Notice(message=message.strip(), code=code.strip()) if sep and message.strip() else Notice(message=raw)
