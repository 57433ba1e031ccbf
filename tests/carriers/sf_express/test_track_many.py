"""track_many: several waybills in one route query (EXP_RECE_SEARCH_ROUTES takes a trackingNumber
list, at most ten), each number's route or its error; proof of delivery from the signed scan."""

from __future__ import annotations

from datetime import datetime

import pytest

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress, track

from support.sf_samples import ACCOUNT, CHINA, URL, answer, drive, fixture, msg_data, service_of

SF = "sf_express"
ROUTES = "EXP_RECE_SEARCH_ROUTES"
BATCH = ["SF1360000000017", "SF1360000000024", "SF1360000000032"]
ONE_READ = (ROUTES, "track", "read", True, None)


def test_track_batch_is_what_sf_documents() -> None:
    assert SFExpress.track_batch == 10


def test_several_waybills_go_in_one_route_query() -> None:
    calls, result = drive(SFExpress(ACCOUNT).track_many(BATCH), ["routes_batch_response.json"])
    assert [service_of(c) for c in calls] == [ONE_READ]
    assert msg_data(calls[0].request, ROUTES) == fixture("route_query_batch_request.json")
    assert calls[0].request.url == URL
    assert set(result.tracked) == {"SF1360000000017", "SF1360000000024"}
    assert result.tracked["SF1360000000017"].status is cg.TrackingStatus.DELIVERED
    assert result.tracked["SF1360000000024"].status is cg.TrackingStatus.IN_TRANSIT
    assert [e.code for e in result.tracked["SF1360000000024"].events] == ["30", "50"]
    assert list(result.errors) == ["SF1360000000032"]
    assert isinstance(result.errors["SF1360000000032"], cg.NotFound)


def test_numbers_are_matched_by_mail_no_not_by_position() -> None:
    asked = ["1360000000024", "sf1360000000017"]  # digits alone, lower-case prefix: still waybills
    result = track.parse_track_many(answer("routes_batch_response.json"), numbers=asked, carrier=SF)
    assert result.tracked["1360000000024"].events[0].location == "深圳市"
    assert result.tracked["sf1360000000017"].status is cg.TrackingStatus.DELIVERED
    assert result.tracked["1360000000024"].tracking_number == "1360000000024"


def test_an_order_id_is_tracked_in_its_own_query() -> None:
    calls, result = drive(SFExpress(ACCOUNT).track_many(["SF1360000000017", "CG-SH-0001"]),
                          ["routes_response.json", "routes_response.json"])
    assert [service_of(c) for c in calls] == [ONE_READ, ONE_READ]
    assert msg_data(calls[0].request, ROUTES)["trackingNumber"] == ["SF1360000000017"]
    assert msg_data(calls[1].request, ROUTES)["trackingType"] == "2"
    assert set(result.tracked) == {"SF1360000000017", "CG-SH-0001"}


def test_a_refused_query_is_each_numbers_error() -> None:
    calls, result = drive(SFExpress(ACCOUNT).track_many(BATCH[:2]), ["gateway_error_a1005.json"])
    assert len(calls) == 1
    assert set(result.errors) == set(BATCH[:2])
    assert all(isinstance(e, cg.RateLimited) for e in result.errors.values())


def test_more_than_ten_or_an_order_id_in_a_batch_is_refused_before_sending() -> None:
    with pytest.raises(cg.ValidationError) as info:
        track.build_track_many([f"SF13600000000{i:02d}" for i in range(11)], ACCOUNT, base_url=URL, carrier=SF)
    assert info.value.field == "tracking_numbers"
    with pytest.raises(cg.ValidationError) as mixed:
        track.build_track_many(["SF1360000000017", "CG-SH-0001"], ACCOUNT, base_url=URL, carrier=SF)
    assert mixed.value.field == "tracking_numbers[1]"


def test_proof_of_delivery_from_the_signed_scan() -> None:
    info = track.parse_track(answer("routes_response.json"), number="SF1360000000017", carrier=SF)
    pod = info.proof_of_delivery
    assert pod is not None
    assert (pod.signed_by, pod.received_at, pod.location) == \
        ("本人", datetime(2026, 3, 3, 11, 47, 51, tzinfo=CHINA), "北京市")
    assert (pod.signature, pod.photo) == (None, None)  # SF's route query gives no images
    assert info.events[0].codes == {"opCode": "80"}


def test_no_proof_of_delivery_before_delivery() -> None:
    info = track.parse_track(answer("routes_exception.json"), number="SF1360000000025", carrier=SF)
    assert info.proof_of_delivery is None
