"""What SF says beside a successful order, kept on the label: manual review (filterResult 1) and the
create's ``remark`` (SF's 高峰管控提示信息, a peak-season notice such as "4：...")."""

from __future__ import annotations

import carriergate as cg
from carriergate.carriers.sf_express import SFExpress, ship

from support.sf_samples import ACCOUNT, answer, drive, ship_request

SF = "sf_express"


def test_manual_review_and_the_remark_are_warnings_on_the_label() -> None:
    _, label = drive(SFExpress(ACCOUNT).ship(ship_request()), ["create_order_manual_review.json",
                                                               "cloud_print_response.json"])
    assert label.tracking_number == "SF1360000000017"
    assert [(w.code, w.message) for w in label.warnings] == [
        ("filter_1", "SF routes this order to manual review (filterResult 1) before it is confirmed"),
        ("remark", "4：春节期间收派时效延迟，敬请谅解")]


def test_a_plain_order_has_no_warnings() -> None:
    _, label = drive(SFExpress(ACCOUNT).ship(ship_request()), ["create_order_response.json",
                                                               "cloud_print_response.json"])
    assert label.warnings == []


def test_the_order_keeps_the_remark() -> None:
    created = ship.parse_ship(answer("create_order_manual_review.json"), carrier=SF)
    assert (created.filter_result, created.remark) == ("1", "4：春节期间收派时效延迟，敬请谅解")
    assert [w.code for w in created.warnings] == ["filter_1", "remark"]
    assert all(isinstance(w, cg.Notice) for w in created.warnings)
