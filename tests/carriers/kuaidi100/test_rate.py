"""Rating: the delivery-time estimate (label/order ``time``) golden request and answers, and the
rate flow: one quote per listed courier, price then estimate, on a fixed clock; lanes outside
mainland China are not served; a courier whose price fails is left out, one whose estimate fails is
quoted with a warning."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.carriers.kuaidi100 import rate

from support.kuaidi100_samples import (
    ACCOUNT,
    CHINA,
    K100,
    LABEL_URL,
    NOW,
    answer,
    carrier,
    fixture,
    form_of,
    param_of,
    rate_request,
    run_flow,
)
from support.shipments import international_request


def test_time_request_golden() -> None:
    request = rate.build_time(rate_request(), "zhongtong", ACCOUNT, base_url=LABEL_URL, now=NOW)
    assert (str(request.url), form_of(request)["method"]) == ("https://api.kuaidi100.com/label/order", "time")
    assert param_of(request) == fixture("time_request_param.json")


def test_a_later_ship_date_is_estimated_from_its_handover() -> None:
    later = rate_request(ship_date=date(2026, 3, 5))
    assert rate.order_time(later, NOW) == datetime(2026, 3, 5, 10, 0, tzinfo=CHINA)
    assert rate.order_time(rate_request(ship_date=date(2026, 3, 1)), NOW) == NOW


def test_time_answers_golden() -> None:
    estimate = rate.parse_time_estimate(answer(fixture("time_response.json")), ordered=NOW, carrier=K100)
    assert estimate == rate.Estimate(arrival=datetime(2026, 3, 4, 18, 0, tzinfo=CHINA), days=2)
    derived = rate.parse_time_estimate(answer(fixture("time_response_no_days.json")), ordered=NOW, carrier=K100)
    assert derived.days == 4  # 3 days and 2.5 hours after the order, rounded up
    fraction = {**fixture("time_response.json")}
    fraction["data"] = {**fraction["data"], "deliveryExpendTime": "1.5天"}
    assert rate.parse_time_estimate(answer(fraction), ordered=NOW, carrier=K100).days == 2
    with pytest.raises(cg.AuthenticationError):
        rate.parse_time_estimate(answer(fixture("label_bad_sign.json")), ordered=NOW, carrier=K100)


def _price(company: str, amount: str) -> dict[str, Any]:
    return {"result": True, "returnCode": "200", "message": "成功",
            "data": {"kuaidiCom": company, "serviceType": "标准快递", "price": amount, "firstPrice": amount,
                     "overPrice": "0"}}


class Kuaidi100Api:
    """Answers prices by courier and time estimates from a fixture; records what it was asked."""

    def __init__(self, prices: dict[str, Any], times: Any = None) -> None:
        self.prices, self.times = prices, times or fixture("time_response.json")
        self.seen: list[tuple[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = form_of(request)
        param = param_of(request)
        company = param.get("kuaidiCom") or param.get("kuaidicom")
        self.seen.append((form["method"], company))
        return answer(self.prices[company] if form["method"] == "price" else self.times)


def test_one_quote_per_listed_courier() -> None:
    api = Kuaidi100Api({"yuantong": _price("yuantong", "12.0"), "zhongtong": _price("zhongtong", "9.5")})
    quotes = run_flow(carrier().rate(rate_request()), api)
    assert api.seen == [("price", "yuantong"), ("time", "yuantong"), ("price", "zhongtong"), ("time", "zhongtong")]
    assert [(q.service_code, q.total, q.transit_days) for q in quotes] == [
        ("yuantong:标准快递", cg.Money("12.0", "CNY"), 2), ("zhongtong:标准快递", cg.Money("9.5", "CNY"), 2)]
    assert quotes[0].estimated_delivery == datetime(2026, 3, 4, 18, 0, tzinfo=CHINA)
    assert all(q.carrier == K100 and q.can_ship and q.warnings == [] for q in quotes)
    insured = run_flow(carrier().rate(rate_request(insurance=cg.Money("300", "CNY"))), api)
    assert [[w.code for w in q.warnings] for q in insured] == [["insurance_not_priced"]] * 2


def test_services_narrow_the_couriers() -> None:
    api = Kuaidi100Api({"zhongtong": _price("zhongtong", "9.5")})
    quotes = run_flow(carrier().rate(rate_request(services=["zhongtong:标准快递"])), api)
    assert [q.service_code for q in quotes] == ["zhongtong:标准快递"]
    with pytest.raises(cg.NotServed) as caught:
        next(carrier().rate(rate_request(services=["ems"])))
    assert caught.value.code == "no_quote"


def test_a_failing_courier_is_left_out_and_a_failing_estimate_warns() -> None:
    api = Kuaidi100Api({"yuantong": fixture("border_bad_params.json"), "zhongtong": _price("zhongtong", "9.5")},
                       times=fixture("label_server_error.json"))
    quotes = run_flow(carrier().rate(rate_request()), api)
    assert [q.service_code for q in quotes] == ["zhongtong:标准快递"]
    assert quotes[0].transit_days is None
    assert [w.message for w in quotes[0].warnings] == ["no delivery-time estimate: 服务器错误"]


def test_when_every_courier_fails_the_first_failure_is_raised() -> None:
    api = Kuaidi100Api({"yuantong": fixture("border_bad_sign.json"), "zhongtong": fixture("border_bad_sign.json")})
    with pytest.raises(cg.AuthenticationError) as caught:
        run_flow(carrier().rate(rate_request()), api)
    assert caught.value.code == "503"


def test_lanes_outside_mainland_china_are_not_served_before_sending() -> None:
    with pytest.raises(cg.NotServed) as caught:
        next(carrier().rate(international_request()))
    assert caught.value.code == "lane_not_supported"


def test_rating_needs_couriers_to_quote() -> None:
    with pytest.raises(cg.ConfigurationError, match="rate_companies"):
        next(carrier(rate_companies=()).rate(rate_request()))
    listed = carrier(rate_companies="", company="jd")
    first = next(listed.rate(rate_request()))
    assert param_of(first.request)["kuaidiCom"] == "jd"


def test_rate_companies_are_checked_courier_codes() -> None:
    assert carrier(rate_companies=" shunfeng,JD ,shunfeng").account.rate_companies == ("shunfeng", "jd")
    with pytest.raises(ValueError, match="rate_companies"):
        carrier(rate_companies="shun feng")


def test_rate_calls_are_signed_reads() -> None:
    k100 = carrier()
    call = next(k100.rate(rate_request()))
    assert (call.kind, call.operation, call.auth) == ("read", "price", k100._business)
