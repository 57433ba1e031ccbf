"""Where a Chinese address is, for the SF emulator's prices: the province, named in Chinese or pinyin.

SF prices a lane by its provinces. Shops write them either way (``上海`` or ``Shanghai``, ``广东省`` or
``Guangdong Province``, ``内蒙古自治区`` or ``Inner Mongolia``), and the same parcel must cost the
same whichever they use. A province that is missing or unknown is found from the city (``深圳`` /
``Shenzhen`` is in Guangdong). Hong Kong, Macau and Taiwan are not mainland China: SF's mainland
time-and-price query does not cover them (:func:`is_mainland`).
"""

from __future__ import annotations

import re

#: Mainland provinces in a rough west-to-east, north-to-south order: the index distance between two
#: provinces prices a lane.
PROVINCES = ["新疆", "西藏", "青海", "甘肃", "宁夏", "内蒙古", "黑龙江", "吉林", "辽宁", "北京", "天津", "河北",
             "山西", "陕西", "四川", "重庆", "云南", "贵州", "广西", "湖北", "湖南", "河南", "山东", "安徽", "江苏",
             "上海", "浙江", "江西", "福建", "广东", "海南"]  # fmt: skip
#: Regions outside the mainland (not priced by the mainland query).
OUTSIDE = {"香港": "hong kong", "澳门": "macau", "台湾": "taiwan"}
#: Pinyin and English names (lower case, no spaces) of each province.
LATIN = {
    "xinjiang": "新疆", "xinjianguygur": "新疆", "xizang": "西藏", "tibet": "西藏", "qinghai": "青海", "gansu": "甘肃",
    "ningxia": "宁夏", "ningxiahui": "宁夏", "neimenggu": "内蒙古", "neimongol": "内蒙古", "innermongolia": "内蒙古",
    "heilongjiang": "黑龙江", "jilin": "吉林", "liaoning": "辽宁", "beijing": "北京", "peking": "北京",
    "tianjin": "天津", "hebei": "河北", "shanxi": "山西", "shaanxi": "陕西", "sichuan": "四川", "chongqing": "重庆",
    "yunnan": "云南", "guizhou": "贵州", "guangxi": "广西", "guangxizhuang": "广西", "hubei": "湖北", "hunan": "湖南",
    "henan": "河南", "shandong": "山东", "anhui": "安徽", "jiangsu": "江苏", "shanghai": "上海", "zhejiang": "浙江",
    "jiangxi": "江西", "fujian": "福建", "guangdong": "广东", "hainan": "海南",
    "hongkong": "香港", "xianggang": "香港", "macau": "澳门", "macao": "澳门", "aomen": "澳门", "taiwan": "台湾",
}  # fmt: skip
#: Large cities (Chinese and pinyin) -> their province, for an address whose province is not readable.
CITIES = {
    "深圳": "广东", "shenzhen": "广东", "广州": "广东", "guangzhou": "广东", "东莞": "广东", "dongguan": "广东",
    "佛山": "广东", "foshan": "广东", "杭州": "浙江", "hangzhou": "浙江", "宁波": "浙江", "ningbo": "浙江",
    "义乌": "浙江", "yiwu": "浙江", "南京": "江苏", "nanjing": "江苏", "苏州": "江苏", "suzhou": "江苏",
    "成都": "四川", "chengdu": "四川", "武汉": "湖北", "wuhan": "湖北", "西安": "陕西", "xian": "陕西",
    "厦门": "福建", "xiamen": "福建", "福州": "福建", "fuzhou": "福建", "青岛": "山东", "qingdao": "山东",
    "济南": "山东", "jinan": "山东", "长沙": "湖南", "changsha": "湖南", "郑州": "河南", "zhengzhou": "河南",
    "沈阳": "辽宁", "shenyang": "辽宁", "大连": "辽宁", "dalian": "辽宁", "哈尔滨": "黑龙江", "harbin": "黑龙江",
    "昆明": "云南", "kunming": "云南", "合肥": "安徽", "hefei": "安徽", "南宁": "广西", "nanning": "广西",
    "海口": "海南", "haikou": "海南", "三亚": "海南", "sanya": "海南", "乌鲁木齐": "新疆", "urumqi": "新疆",
    "拉萨": "西藏", "lhasa": "西藏", "石家庄": "河北", "shijiazhuang": "河北", "太原": "山西", "taiyuan": "山西",
}  # fmt: skip
#: What Latin names add after the name itself ("Guangdong Province", "Shanghai Shi", "Xinjiang AR").
_LATIN_SUFFIX = re.compile(r"(province|sheng|municipality|city|shi|autonomousregion|zizhiqu|specialadministrative"
                           r"region|sar|ar)$")
#: What Chinese names add (广东省, 上海市, 内蒙古自治区, 广西壮族自治区, 香港特别行政区).
_CHINESE_SUFFIX = re.compile(r"(省|市|特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区)$")


def _key(name: str) -> str:
    latin = re.sub(r"[\s'’\-_.,]", "", name).lower()
    return _LATIN_SUFFIX.sub("", latin) or latin


def canonical(name: str) -> str | None:
    """The Chinese name of the province or region ``name`` means (Chinese or Latin), or None."""
    text = name.strip()
    if not text:
        return None
    for known in (*PROVINCES, *OUTSIDE):
        if text.startswith(known):
            return known
    bare = _CHINESE_SUFFIX.sub("", text)
    if bare in PROVINCES or bare in OUTSIDE:
        return bare
    key = _key(text)
    return LATIN.get(key) or LATIN.get(_key(key))


def province(province_name: str, city: str = "") -> str | None:
    """The province of an address from its province field, else from its city; None when neither says."""
    found = canonical(province_name)
    if found is not None:
        return found
    text = _CHINESE_SUFFIX.sub("", city.strip())
    return CITIES.get(text) or CITIES.get(_key(city)) or canonical(city)


def pinyin(name: str | None) -> str:
    """The Latin name of a region :func:`province` found (``上海`` -> ``Shanghai``), for text that
    must be Latin (a PDF label in Helvetica); "" when unknown."""
    return next((key.title() for key, value in LATIN.items() if value == name), "")


def is_mainland(name: str | None) -> bool:
    """Whether a province (as :func:`province` found it) is in mainland China; unknown counts as yes."""
    return name not in OUTSIDE


#: Where an unknown province is priced from: 贵州, the middle of the map.
MIDDLE = PROVINCES.index("贵州")


def index(name: str | None) -> int:
    """The price position of a mainland province (:data:`MIDDLE` for an unknown one)."""
    return PROVINCES.index(name) if name in PROVINCES else MIDDLE


__all__ = ["CITIES", "LATIN", "MIDDLE", "OUTSIDE", "PROVINCES", "canonical", "index", "is_mainland", "pinyin",
           "province"]
