"""The refresh policy: delays by status, jitter within its bounds, backoff, and settings refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest

import carriergate as cg
from carriergate.core.tracking import TrackingStatus
from carriergate.workers.policy import FINAL_STATUSES, HOUR, RefreshPolicy

LOW, MIDDLE, HIGH = (lambda: 0.0), (lambda: 0.5), (lambda: 1.0 - 1e-12)


def test_final_statuses_are_never_refreshed() -> None:
    policy = RefreshPolicy()
    assert {s for s in TrackingStatus if policy.refresh_delay(s, MIDDLE) is None} == set(FINAL_STATUSES)
    assert {TrackingStatus.DELIVERED, TrackingStatus.RETURNED_TO_SENDER} <= FINAL_STATUSES


def test_busy_parcels_are_refreshed_sooner_than_quiet_ones() -> None:
    policy = RefreshPolicy()
    delay = {s: policy.refresh_delay(s, MIDDLE) or 0.0 for s in TrackingStatus if s not in FINAL_STATUSES}
    assert delay[TrackingStatus.OUT_FOR_DELIVERY] == 1 * HOUR
    assert delay[TrackingStatus.EXCEPTION] < delay[TrackingStatus.OUT_FOR_DELIVERY] < delay[TrackingStatus.IN_TRANSIT]
    assert delay[TrackingStatus.IN_TRANSIT] < delay[TrackingStatus.PRE_TRANSIT] == delay[TrackingStatus.UNKNOWN]


def test_jitter_spreads_each_delay_within_its_bounds() -> None:
    policy = RefreshPolicy(in_transit=1000.0, jitter=0.25)
    assert policy.refresh_delay(TrackingStatus.IN_TRANSIT, LOW) == pytest.approx(750.0)
    assert policy.refresh_delay(TrackingStatus.IN_TRANSIT, MIDDLE) == pytest.approx(1000.0)
    assert policy.refresh_delay(TrackingStatus.IN_TRANSIT, HIGH) == pytest.approx(1250.0)
    assert RefreshPolicy(in_transit=1000.0, jitter=0.0).refresh_delay(TrackingStatus.IN_TRANSIT, HIGH) == 1000.0


def test_retries_back_off_exponentially_up_to_the_cap_and_honour_retry_after() -> None:
    policy = RefreshPolicy(retry_base=60.0, retry_cap=300.0, jitter=0.0)
    assert [policy.retry_delay(n, MIDDLE) for n in (1, 2, 3, 4, 5)] == [60.0, 120.0, 240.0, 300.0, 300.0]
    assert policy.retry_delay(1, MIDDLE, retry_after=90.0) == 90.0
    assert policy.retry_delay(3, MIDDLE, retry_after=90.0) == 240.0


def test_settings_by_name_and_from_toml(tmp_path: Path) -> None:
    file = tmp_path / "policy.toml"
    file.write_text("[refresh]\nin_transit = 7200\nmax_failures = 5\n", encoding="utf-8")
    policy = RefreshPolicy.from_toml(file)
    default = RefreshPolicy()
    assert (policy.in_transit, policy.max_failures, policy.out_for_delivery) == (7200, 5, default.out_for_delivery)
    assert RefreshPolicy.from_mapping({"jitter": 0}).jitter == 0


@pytest.mark.parametrize(("settings", "field"), [
    ({"in_transt": 60}, "in_transt"),
    ({"in_transit": -1}, "in_transit"),
    ({"in_transit": "soon"}, "in_transit"),
    ({"jitter": 1.5}, "jitter"),
    ({"max_failures": 0}, "max_failures"),
])
def test_bad_settings_are_refused_naming_the_field(settings: dict[str, object], field: str) -> None:
    with pytest.raises(cg.ValidationError) as caught:
        RefreshPolicy.from_mapping(settings)
    assert caught.value.field == field


def test_a_missing_policy_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(cg.ConfigurationError, match="not found"):
        RefreshPolicy.from_toml(tmp_path / "absent.toml")
