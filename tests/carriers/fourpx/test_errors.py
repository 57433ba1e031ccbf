"""Every 4PX error code to its typed error, with 4PX's own code and message kept."""

from __future__ import annotations

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.fourpx.envelope import data_of
from carriergate.carriers.fourpx.errors import ERRORS, RETRY_AFTER_SECONDS

from support.fourpx_samples import FOURPX, answer, failed, fixture, ok

EXPECTED: dict[str, type[cg.CarrierError]] = {
    "000004": cg.CarrierError, "000011": cg.NotSupported, "000012": cg.AuthenticationError,
    "000013": cg.AuthenticationError, "000014": cg.AuthenticationError, "000015": cg.CarrierUnavailable,
    "000016": cg.AuthenticationError, "000017": cg.RateLimited, "000018": cg.AuthenticationError,
    "000019": cg.ConfigurationError, "000020": cg.CarrierUnavailable, "000021": cg.AuthenticationError,
    "000022": cg.AuthenticationError, "000023": cg.AuthenticationError, "000024": cg.CarrierUnavailable,
    "000025": cg.AuthenticationError, "DS000004": cg.CarrierError, "DS000006": cg.RateLimited,
    "DS000007": cg.CarrierError, "DS000014": cg.CarrierError, "DS000017": cg.NotFound, "DS000046": cg.NotFound,
}


def _raised(response: httpx.Response) -> cg.CarrierError:
    with pytest.raises(cg.CarrierError) as caught:
        data_of(response, carrier=FOURPX)
    return caught.value


@pytest.mark.parametrize(("code", "cls"), sorted(EXPECTED.items()))
def test_each_code_is_its_typed_error(code: str, cls: type[cg.CarrierError]) -> None:
    error = _raised(answer(failed(code, f"message {code}")))
    assert type(error) is cls
    assert (error.code, error.message, error.carrier) == (code, f"message {code}", FOURPX)


def test_the_table_holds_no_code_untested() -> None:
    assert set(ERRORS) <= set(EXPECTED)


def test_bad_signature_is_an_authentication_error() -> None:
    error = _raised(answer(fixture("gateway_bad_sign.json")))
    assert isinstance(error, cg.AuthenticationError)
    assert error.code == "000012"
    assert error.retryable is False


def test_too_many_requests_waits_a_minute() -> None:
    error = _raised(answer(fixture("gateway_too_many.json")))
    assert isinstance(error, cg.RateLimited)
    assert (error.code, error.retry_after, error.retryable) == ("000017", RETRY_AFTER_SECONDS, True)
    assert RETRY_AFTER_SECONDS == 60.0
    busy = _raised(answer(failed("DS000006", "Too many operations")))
    assert isinstance(busy, cg.RateLimited)
    assert busy.retry_after is None


def test_camel_case_and_snake_case_error_entries() -> None:
    error = _raised(answer(fixture("hold_failed_camel.json")))
    assert (error.code, error.message) == ("DS000031", "This product can not be intercepted")


def test_a_failure_without_errors_keeps_4pxs_message() -> None:
    error = _raised(answer({"result": "0", "msg": "System processing failed", "errors": None}))
    assert (type(error), error.code, error.message) == (cg.CarrierError, "unknown", "System processing failed")


@pytest.mark.parametrize("body", [b"<html>oops</html>", b"[1, 2]", b'{"msg": "no result"}'])
def test_answers_that_cannot_be_read_are_malformed(body: bytes) -> None:
    assert isinstance(_raised(answer(body)), cg.MalformedResponse)


def test_an_http_500_without_json_is_carrier_unavailable() -> None:
    error = _raised(httpx.Response(500, content=b"ApiException: method not found"))
    assert isinstance(error, cg.CarrierUnavailable)
    assert error.http_status == 500


def test_partial_success_is_success() -> None:
    assert data_of(answer({**ok({"a": 1}), "result": "2"}), carrier=FOURPX) == {"a": 1}
