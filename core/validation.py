"""Model bases and the translation of pydantic's errors into :class:`carriergate.ValidationError`.

Request models are strict (unknown fields are refused) and raise ``carriergate.ValidationError``
naming the field path, whether built with keywords or from a dict. Models parsed from carrier
answers are tolerant (unknown fields ignored) so a carrier adding a field never breaks a parse.
"""

from __future__ import annotations

from typing import Any, Self

import pydantic
from pydantic import BaseModel, ConfigDict

from carriergate.core.errors import FieldError, ValidationError


class FieldProblem(ValueError):
    """Raised inside a model validator to reject a field below the model, e.g. ``customs.items``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(reason)
        self.path = path
        self.reason = reason


def field_path(loc: tuple[int | str, ...]) -> str:
    """``("parcels", 0, "weight")`` -> ``parcels[0].weight``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _join(prefix: str, suffix: str) -> str:
    if not prefix:
        return suffix
    if not suffix:
        return prefix
    return f"{prefix}{suffix}" if suffix.startswith("[") else f"{prefix}.{suffix}"


def translate(exc: pydantic.ValidationError, *, prefix: str = "") -> ValidationError:
    errors: list[FieldError] = []
    for err in exc.errors(include_url=False):
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
        path = _join(prefix, field_path(loc))
        reason = err["msg"]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ValidationError):  # a nested model with its own __init__ already translated
            errors.extend(FieldError(_join(path, e.field), e.reason) for e in cause.errors)
            continue
        if isinstance(cause, FieldProblem):
            path, reason = _join(path, cause.path), cause.reason
        elif reason.startswith("Value error, "):
            reason = reason.removeprefix("Value error, ")
        errors.append(FieldError(path or "(request)", reason))
    return ValidationError(errors)


class StrictModel(BaseModel):
    """Base of every model a user writes: frozen-free, unknown fields refused, our ValidationError."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, str_strip_whitespace=True, defer_build=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise translate(exc) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except pydantic.ValidationError as exc:
            raise translate(exc) from None


class CarrierModel(BaseModel):
    """Base of models parsed from carrier answers: unknown fields are ignored, never fatal."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)
