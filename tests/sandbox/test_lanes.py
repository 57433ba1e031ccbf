"""The emulators offer services only on lanes their carrier serves, and refuse the others the way the
carrier does (UPS 111210, FedEx RATE.LOCATION.NOSERVICE, DHL notification 1001, SF an empty product
list), so each adapter reads the refusal as it reads the real one. SF prices a province the same
whether it is written in Chinese or in pinyin."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import carriergate as cg
from carriergate.protocols.auth.sf_digest import encode_form, msg_digest
from carriergate.sandbox import sf_regions
from carriergate.sandbox.registry import sandbox_gateway_kwargs
from carriergate.sandbox.sf_express import SFExpressEmulator

from support.sandbox_samples import ship_request
from support.shipments import beijing, customs, los_angeles, shanghai


def address(country: str, postal: str, city: str, state: str | None = None) -> cg.Address:
    return cg.Address(name="Pat Doe", street=["1 Main Street"], city=city, state=state, postal_code=postal,
                      country=country, phone="+1 212 555 0100")


NEW_YORK = address("US", "10001", "New York", "NY")
TORONTO = address("CA", "M5V 2T6", "Toronto", "ON")
VANCOUVER = address("CA", "V6B 1A1", "Vancouver", "BC")
BERLIN = address("DE", "10115", "Berlin")
MUNICH = address("DE", "80331", "Munich")


def rate(origin: cg.Address, destination: cg.Address, carrier: str) -> cg.RateResult:
    international = origin.country != destination.country
    parcel = cg.Parcel(weight=cg.Weight("2", "kg"), dimensions=cg.Dimensions(30, 20, 10, "cm"))
    request = cg.RateRequest(origin=origin, destination=destination, parcels=[parcel],
                             customs=customs() if international else None)
    with cg.Gateway(**sandbox_gateway_kwargs([carrier])) as gw:
        return gw.rate(request, carriers=[carrier], deadline=10)


def services(origin: cg.Address, destination: cg.Address, carrier: str) -> set[str]:
    result = rate(origin, destination, carrier)
    assert result.errors == {}, result.errors
    return {q.service_code for q in result.quotes}


def refusal(origin: cg.Address, destination: cg.Address, carrier: str) -> str | None:
    result = rate(origin, destination, carrier)
    assert result.quotes == []
    return result.errors[carrier].code


# -- UPS ----------------------------------------------------------------------------------------------


def test_ups_serves_ground_within_the_united_states_only() -> None:
    assert services(NEW_YORK, los_angeles(), "ups") == {"03", "12", "02", "01"}
    assert "03" not in services(TORONTO, VANCOUVER, "ups")
    assert "03" not in services(shanghai(), los_angeles(), "ups")


def test_ups_has_no_service_within_china() -> None:
    assert refusal(shanghai(), beijing(), "ups") == "111210"


def test_ups_crosses_north_american_borders_with_standard() -> None:
    assert services(NEW_YORK, TORONTO, "ups") == {"11", "08", "65", "07"}
    assert services(TORONTO, VANCOUVER, "ups") == {"11", "65", "07"}
    assert services(BERLIN, MUNICH, "ups") == {"11", "65", "07"}
    assert services(shanghai(), los_angeles(), "ups") == {"08", "65", "07"}


# -- FedEx --------------------------------------------------------------------------------------------


def test_fedex_ground_is_domestic_us_and_canada_only() -> None:
    assert "FEDEX_GROUND" in services(NEW_YORK, los_angeles(), "fedex")
    assert "FEDEX_GROUND" in services(TORONTO, VANCOUVER, "fedex")
    assert "FEDEX_GROUND" not in services(NEW_YORK, TORONTO, "fedex")
    assert "FEDEX_GROUND" not in services(shanghai(), los_angeles(), "fedex")


def test_fedex_has_no_service_within_china_or_germany() -> None:
    assert refusal(shanghai(), beijing(), "fedex") == "RATE.LOCATION.NOSERVICE"
    assert refusal(BERLIN, MUNICH, "fedex") == "RATE.LOCATION.NOSERVICE"


# -- DHL Express --------------------------------------------------------------------------------------


def test_dhl_express_is_international_everywhere_and_not_domestic_in_the_united_states() -> None:
    assert services(shanghai(), los_angeles(), "dhl_express") == {"P", "K"}
    assert services(NEW_YORK, TORONTO, "dhl_express") == {"P", "K"}
    assert services(BERLIN, MUNICH, "dhl_express") == {"N", "I"}
    assert refusal(NEW_YORK, los_angeles(), "dhl_express") == "1001"


def test_dhl_express_refuses_a_shipment_on_a_product_the_lane_lacks() -> None:
    request = ship_request("dhl_express").model_copy(update={"origin": NEW_YORK, "destination": los_angeles(),
                                                             "service": "N", "customs": None})
    with cg.Gateway(**sandbox_gateway_kwargs(["dhl_express"])) as gw, pytest.raises(cg.CarrierError) as caught:
        gw.ship(request, deadline=10)
    assert caught.value.code == "1001"


# -- SF Express ---------------------------------------------------------------------------------------


def quote(src: dict[str, str], dest: dict[str, str], weight: str = "2.5") -> dict[str, Any]:
    """SF's time-and-price answer for two addresses, straight from the emulator (a signed form POST)."""
    data = json.dumps({"weight": weight, "searchPrice": "1", "srcAddress": src, "destAddress": dest},
                      ensure_ascii=False)
    form = {"partnerID": "SBX_PARTNER", "requestID": "r-1", "serviceCode": "EXP_RECE_QUERY_DELIVERTM",
            "timestamp": "1772415672000", "msgData": data,
            "msgDigest": msg_digest(data, "1772415672000", "sandbox-checkword")}
    answer = SFExpressEmulator().handle(httpx.Request("POST", "http://x", content=encode_form(form)), "/")
    result: dict[str, Any] = json.loads(json.loads(answer.content)["apiResultData"])
    assert result["success"] is True
    return result


def fees(src: dict[str, str], dest: dict[str, str]) -> dict[str, float]:
    return {e["businessType"]: e["fee"] for e in quote(src, dest)["msgData"]["deliverTmDto"]}


@pytest.mark.parametrize(("chinese", "latin"), [
    (("上海", "上海"), ("Shanghai", "Shanghai")),
    (("上海市", "上海市"), ("Shanghai Shi", "Shanghai City")),
    (("北京", "北京"), ("Beijing Municipality", "Beijing")),
    (("广东省", "深圳市"), ("Guangdong Province", "Shenzhen")),
    (("广东", "广州"), ("guangdong", "Guangzhou")),
    (("", "深圳"), ("", "Shenzhen")),
    (("内蒙古自治区", "呼和浩特"), ("Inner Mongolia", "Hohhot")),
    (("新疆维吾尔自治区", "乌鲁木齐"), ("Xinjiang Uygur Autonomous Region", "Urumqi")),
    (("陕西", "西安"), ("Shaanxi", "Xi'an")),
    (("山西", "太原"), ("Shanxi", "Taiyuan")),
])
def test_sf_prices_a_province_alike_in_chinese_and_pinyin(chinese: tuple[str, str], latin: tuple[str, str]) -> None:
    origin = {"province": "浙江省", "city": "杭州市"}
    as_chinese = fees(origin, {"province": chinese[0], "city": chinese[1]})
    as_latin = fees(origin, {"province": latin[0], "city": latin[1]})
    assert as_chinese == as_latin
    assert fees({"province": chinese[0], "city": chinese[1]}, origin) == as_chinese


def test_sf_distance_still_sets_the_price() -> None:
    near = fees({"province": "Shanghai", "city": "Shanghai"}, {"province": "Zhejiang", "city": "Hangzhou"})
    far = fees({"province": "Shanghai", "city": "Shanghai"}, {"province": "Xinjiang", "city": "Urumqi"})
    assert all(far[code] > near[code] for code in near)


def test_every_latin_name_and_city_names_a_known_region() -> None:
    regions = set(sf_regions.PROVINCES) | set(sf_regions.OUTSIDE)
    assert set(sf_regions.LATIN.values()) <= regions
    assert set(sf_regions.CITIES.values()) <= set(sf_regions.PROVINCES)
    assert set(sf_regions.PROVINCES) <= set(sf_regions.LATIN.values())  # every province has a pinyin name


@pytest.mark.parametrize("outside", [{"province": "香港", "city": "香港"}, {"province": "Hong Kong SAR", "city": ""},
                                     {"province": "澳门", "city": "澳门"}, {"province": "Taiwan", "city": "Taipei"}])
def test_sf_quotes_mainland_china_only(outside: dict[str, str]) -> None:
    shanghai_address = {"province": "上海", "city": "上海"}
    assert quote(shanghai_address, outside)["msgData"]["deliverTmDto"] == []
    assert quote(outside, shanghai_address)["msgData"]["deliverTmDto"] == []


@pytest.mark.parametrize(("carrier", "service", "code"), [("ups", "03", "120200"),
                                                          ("fedex", "FEDEX_GROUND", "SERVICE.TYPE.NOT.ALLOWED")])
def test_a_label_for_a_service_the_lane_lacks_is_refused(carrier: str, service: str, code: str) -> None:
    request = ship_request(carrier).model_copy(update={"service": service})  # Shanghai -> Los Angeles
    with cg.Gateway(**sandbox_gateway_kwargs([carrier])) as gw, pytest.raises(cg.CarrierError) as caught:
        gw.ship(request, deadline=10)
    assert caught.value.code == code
