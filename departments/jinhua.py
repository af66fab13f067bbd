"""Fixed place data of Jinhua (Zhejiang): districts, hospitals and streets of the simulation.

The lists are hand-written rather than generated so that codes and names stay stable across
versions of Faker; streets and names look real but no entry describes a real person or business.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True, slots=True)
class District:
    """A county-level division of Jinhua.

    Attributes:
        code: The six-digit administrative division code (the first six digits of an ID number).
        name: The Chinese name, e.g. ``兰溪市``.
        weight: Relative population, used to place people.
        short: The name used in company names, e.g. ``兰溪``.
    """

    code: str
    name: str
    weight: int
    short: str


@dataclass(frozen=True, slots=True)
class Hospital:
    """A hospital that reports births and deaths.

    Attributes:
        code: The code hospitals use in events, e.g. ``330781-MCH``.
        name: The Chinese name, e.g. ``兰溪市妇幼保健院``.
        region: The district code the hospital lies in.
    """

    code: str
    name: str
    region: str


CITY_PREFIX: Final = "浙江省金华市"

DISTRICTS: Final[tuple[District, ...]] = (
    District("330702", "婺城区", 100, "金华"),
    District("330703", "金东区", 50, "金华"),
    District("330723", "武义县", 35, "武义"),
    District("330726", "浦江县", 46, "浦江"),
    District("330727", "磐安县", 18, "磐安"),
    District("330781", "兰溪市", 58, "兰溪"),
    District("330782", "义乌市", 188, "义乌"),
    District("330783", "东阳市", 109, "东阳"),
    District("330784", "永康市", 96, "永康"),
)
DISTRICT_BY_CODE: Final[dict[str, District]] = {d.code: d for d in DISTRICTS}

HOSPITALS: Final[tuple[Hospital, ...]] = (
    Hospital("330702-CH", "金华市中心医院", "330702"),
    Hospital("330702-PH", "金华市人民医院", "330702"),
    Hospital("330702-MCH", "金华市妇幼保健院", "330702"),
    Hospital("330702-TCM", "金华市中医医院", "330702"),
    Hospital("330703-PH", "金华市金东区人民医院", "330703"),
    Hospital("330723-PH", "武义县第一人民医院", "330723"),
    Hospital("330723-MCH", "武义县妇幼保健院", "330723"),
    Hospital("330726-PH", "浦江县人民医院", "330726"),
    Hospital("330726-MCH", "浦江县妇幼保健院", "330726"),
    Hospital("330727-PH", "磐安县人民医院", "330727"),
    Hospital("330781-PH", "兰溪市人民医院", "330781"),
    Hospital("330781-MCH", "兰溪市妇幼保健院", "330781"),
    Hospital("330782-CH", "义乌市中心医院", "330782"),
    Hospital("330782-MCH", "义乌市妇幼保健院", "330782"),
    Hospital("330782-ZJU4", "浙江大学医学院附属第四医院", "330782"),
    Hospital("330783-PH", "东阳市人民医院", "330783"),
    Hospital("330783-MCH", "东阳市妇幼保健院", "330783"),
    Hospital("330784-PH1", "永康市第一人民医院", "330784"),
    Hospital("330784-MCH", "永康市妇幼保健院", "330784"),
    Hospital("330784-TCM", "永康市中医院", "330784"),
)

# 虹兴路 is deliberately absent: the business bundle uses 浙江省兰溪市虹兴路39号 as an
# address that no registry knows.
STREETS: Final[dict[str, tuple[str, ...]]] = {
    "330702": ("八一南街", "八一北街", "宾虹路", "解放西路", "人民西路", "李渔路", "双龙南街",
               "环城南路", "婺州街", "丹溪路", "胜利街", "将军路", "新华街", "回溪街"),
    "330703": ("光南路", "东市街", "金港大道", "李渔东路", "东湄路", "赤松路", "宾虹东路",
               "康济街"),
    "330723": ("壶山街", "温泉路", "熟溪路", "解放街", "武阳路", "永康街", "白洋路"),
    "330726": ("和平路", "浦阳街", "人民东路", "江滨路", "前方路", "亚太大道", "仙华路"),
    "330727": ("新城路", "海螺街", "文溪路", "花溪路", "安文路", "百杖潭路"),
    "330781": ("丹溪大道", "振兴路", "兰江路", "解放路", "横山路", "桃花坞路", "三江路",
               "西山路", "城中路"),
    "330782": ("稠州北路", "稠州中路", "宾王路", "工人北路", "城中中路", "福田路", "江滨北路",
               "商城大道", "丹溪北路", "雪峰西路", "诚信大道", "宗泽路"),
    "330783": ("吴宁西路", "吴宁东路", "人民路", "江北路", "环城北路", "艺海路", "振兴路",
               "万盛街"),
    "330784": ("金城路", "胜利街", "华溪路", "望春东路", "九铃路", "丽州路", "永拖路",
               "城西路"),
}  # fmt: skip

#: Company name endings typical of Jinhua's industries (hardware, small commodities, furniture).
COMPANY_SUFFIXES: Final[tuple[str, ...]] = (
    "五金制品有限公司",
    "小商品贸易有限公司",
    "红木家具有限公司",
    "纺织有限公司",
    "食品有限公司",
    "电子科技有限公司",
    "工贸有限公司",
    "电动工具有限公司",
    "饰品有限公司",
    "物流有限公司",
    "网络科技有限公司",
    "建设工程有限公司",
)


def address(region: str, street: str, number: int) -> str:
    """A postal address in Jinhua, e.g. ``浙江省金华市兰溪市丹溪大道88号``."""
    return f"{CITY_PREFIX}{DISTRICT_BY_CODE[region].name}{street}{number}号"
