"""An event time the carrier gave without its zone is flagged (``zone_known=False``), never passed
off as a known UTC instant; one with an offset (or UPS's GMT pair) keeps the real instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from carriergate.carriers.dhl_express.replies import Checkpoint
from carriergate.carriers.dhl_express.track import event as dhl_event
from carriergate.carriers.fedex.track import event as fedex_event
from carriergate.carriers.ups.track import event as ups_event


def test_ups_offset_gmt_pair_and_bare_local_time() -> None:
    with_offset = ups_event({"date": "20261120", "time": "143000", "gmtOffset": "-05:00",
                             "status": {"type": "I", "description": "Departed"}})
    gmt_pair = ups_event({"date": "20261120", "time": "143000", "gmtDate": "20261120", "gmtTime": "19:30:00",
                          "status": {"type": "I", "description": "Departed"}})
    bare = ups_event({"date": "20261120", "time": "143000", "status": {"type": "I", "description": "Departed"}})
    assert None not in (with_offset, gmt_pair, bare)
    assert with_offset is not None
    assert gmt_pair is not None
    assert bare is not None
    assert with_offset.occurred_at == datetime(2026, 11, 20, 19, 30, tzinfo=UTC)
    assert with_offset.occurred_at.utcoffset() == timedelta(hours=-5)
    assert (with_offset.zone_known, gmt_pair.zone_known, bare.zone_known) == (True, True, False)
    assert bare.occurred_at == datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def test_fedex_scan_with_and_without_offset() -> None:
    known = fedex_event({"date": "2026-11-20T14:30:00-06:00", "derivedStatusCode": "IT", "eventType": "DP"})
    bare = fedex_event({"date": "2026-11-20T14:30:00", "derivedStatusCode": "IT", "eventType": "DP"})
    assert known is not None
    assert bare is not None
    assert known.occurred_at == datetime(2026, 11, 20, 14, 30, tzinfo=timezone(timedelta(hours=-6)))
    assert (known.zone_known, bare.zone_known) == (True, False)


def test_dhl_checkpoints_are_local_wall_time() -> None:
    bare = dhl_event(Checkpoint.model_validate({"Date": "2026-11-20", "Time": "14:30:00",
                                                "ServiceEvent": {"EventCode": "PU", "Description": "Picked up"}}))
    known = dhl_event(Checkpoint.model_validate({"Date": "2026-11-20", "Time": "14:30:00+08:00",
                                                 "ServiceEvent": {"EventCode": "PU", "Description": "Picked up"}}))
    assert (bare.zone_known, known.zone_known) == (False, True)
    assert bare.occurred_at == datetime(2026, 11, 20, 14, 30, tzinfo=UTC)
    assert known.occurred_at == datetime(2026, 11, 20, 6, 30, tzinfo=UTC)
