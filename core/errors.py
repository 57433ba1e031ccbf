"""The error taxonomy: one base, :class:`CarrierError`, and a subclass per kind of failure.

Every failure that carriergate reports is a ``CarrierError``. Messages are written by us or copied
from the carrier's own error text; they never contain a credential, token or signature.
"""

from __future__ import annotations

from dataclasses import dataclass


class CarrierError(Exception):
    """A carrier operation failed.

    ``code`` and ``message`` are the carrier's own where the carrier gave them; ``http_status`` and
    ``request_id`` identify the exchange; ``retryable`` says whether trying again later may succeed.
    """

    retryable_default = False
    #: The ``code`` when none is given: a carrier's own code wins; each kind of failure has its own.
    default_code: str | None = None

    def __init__(
        self,
        message: str,
        *,
        carrier: str | None = None,
        code: str | None = None,
        http_status: int | None = None,
        request_id: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.carrier = carrier
        self.code = code if code is not None else self.default_code
        self.http_status = http_status
        self.request_id = request_id
        self.retryable = self.retryable_default if retryable is None else retryable

    def __str__(self) -> str:
        parts = [f"[{self.carrier}]" if self.carrier else "", f"{self.code}:" if self.code else "", self.message]
        return " ".join(p for p in parts if p)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(carrier={self.carrier!r}, code={self.code!r}, "
            f"message={self.message!r}, http_status={self.http_status!r})"
        )


@dataclass(frozen=True)
class FieldError:
    """One rejected field: a dotted path such as ``parcels[0].weight.value`` and the reason."""

    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.field}: {self.reason}" if self.field else self.reason


class ValidationError(CarrierError, ValueError):
    """Bad input, raised before any request is sent. ``field`` names the first offending field."""

    def __init__(self, errors: list[FieldError] | FieldError, *, carrier: str | None = None) -> None:
        self.errors = [errors] if isinstance(errors, FieldError) else list(errors)
        if not self.errors:
            raise ValueError("ValidationError needs at least one FieldError")
        first = self.errors[0]
        self.field = first.field
        self.reason = first.reason
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(f"{first}{more}", carrier=carrier, code="validation")

    def __str__(self) -> str:
        return f"[{self.carrier}] {self.message}" if self.carrier else self.message


class ConfigurationError(CarrierError):
    """The gateway or a carrier account is configured wrongly (unknown carrier, missing credential)."""

    default_code = "configuration"


class AuthenticationError(CarrierError):
    """The carrier refused our credentials."""

    default_code = "authentication"


class RateLimited(CarrierError):
    """The carrier asked us to slow down. ``retry_after`` is in seconds when the carrier said."""

    default_code = "rate_limited"
    retryable_default = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class CarrierUnavailable(CarrierError):
    """The carrier could not be reached or answered: timeout, connection error, 5xx, breaker open."""

    default_code = "unavailable"
    retryable_default = True


class DeadlineExceeded(CarrierUnavailable):
    """The caller's deadline ran out before the carrier answered."""

    default_code = "deadline"


class NotSupported(CarrierError):
    """The carrier does not offer this operation."""

    default_code = "not_supported"


class NotServed(CarrierError):
    """The carrier does not serve this lane or shipment: no service between these places (or for
    this parcel), so there is nothing to quote or ship. Not a failure of the carrier: rate shopping
    lists it as "not applicable". ``code`` keeps the carrier's own (UPS ``111210``, FedEx
    ``RATE.LOCATION.NOSERVICE``, ...); ``no_quote`` when a carrier answered with no service at all."""

    default_code = "not_served"


class NotFound(CarrierError):
    """The carrier does not know the thing asked for (a tracking number, a shipment)."""

    default_code = "not_found"


class OutcomeUnknown(CarrierError):
    """A write (label, pickup) was sent but we cannot tell whether the carrier performed it.

    It is never retried blindly. ``reference`` is our own reference for the write: look the
    shipment up by it before trying again.
    """

    default_code = "outcome_unknown"

    def __init__(self, message: str, *, reference: str | None, **kwargs: object) -> None:
        ref = f" (reference {reference!r})" if reference else ""
        super().__init__(f"{message}{ref}", **kwargs)  # type: ignore[arg-type]
        self.reference = reference


class MalformedResponse(CarrierError):
    """The carrier's answer could not be understood (not JSON/XML, missing required parts)."""

    default_code = "malformed"
