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


@dataclass(frozen=True, slots=True)
class DivisionCode:
    """A division code as it stood in the editions of GB/T 2260 of some years.

    Attributes:
        code: The six-digit code.
        name: The name the division had under that code.
        first_year: The first year whose edition lists it (None: listed since the first).
        last_year: The last year whose edition lists it (None: still listed).
    """

    code: str
    name: str
    first_year: int | None
    last_year: int | None

    def listed_in(self, year: int) -> bool:
        """Whether the edition of ``year`` lists the code (both end years included)."""
        return (self.first_year is None or self.first_year <= year) and (
            self.last_year is None or year <= self.last_year
        )


# The codes each of today's districts had, oldest first, with the years the editions of
# GB/T 2260 list them (GB 2260-80 and its later editions, as compiled on the Chinese Wikipedia
# pages "中华人民共和国行政区划代码"; python-stdnum ships the same compilation). Jinhua was the
# prefecture 3325 until 1982 and 3324 from 1982 until it became the city 3307 in 1985; Lanxi,
# Yiwu and Dongyang were county-level cities directly under the province (3390) before 1989;
# Jindong is the former Jinhua County, which was merged into the old Jinhua City in 1982-1985;
# Pan'an was carved out of Dongyang in 1983. Where two codes share a boundary year, the later
# one is the code of that year.
CODE_HISTORY: Final[dict[str, tuple[DivisionCode, ...]]] = {
    "330702": (
        DivisionCode("332501", "金华市", None, 1982),
        DivisionCode("332401", "金华市", 1982, 1985),
        DivisionCode("330702", "婺城区", 1985, None),
    ),
    "330703": (
        DivisionCode("332521", "金华县", None, 1981),
        DivisionCode("332401", "金华市", 1982, 1985),
        DivisionCode("330721", "金华县", 1985, 2000),
        DivisionCode("330703", "金东区", 2000, None),
    ),
    "330723": (
        DivisionCode("332524", "武义县", None, 1982),
        DivisionCode("332423", "武义县", 1982, 1985),
        DivisionCode("330723", "武义县", 1985, None),
    ),
    "330726": (
        DivisionCode("332527", "浦江县", None, 1982),
        DivisionCode("332426", "浦江县", 1982, 1985),
        DivisionCode("330726", "浦江县", 1985, None),
    ),
    "330727": (
        DivisionCode("332525", "东阳县", None, 1982),
        DivisionCode("332431", "磐安县", 1983, 1985),
        DivisionCode("330727", "磐安县", 1985, None),
    ),
    "330781": (
        DivisionCode("332522", "兰溪县", None, 1982),
        DivisionCode("332421", "兰溪县", 1982, 1985),
        DivisionCode("330719", "兰溪市", 1985, 1986),
        DivisionCode("339003", "兰溪市", 1986, 1989),
        DivisionCode("330781", "兰溪市", 1989, None),
    ),
    "330782": (
        DivisionCode("332526", "义乌县", None, 1982),
        DivisionCode("332425", "义乌县", 1982, 1985),
        DivisionCode("330725", "义乌县", 1985, 1988),
        DivisionCode("339007", "义乌市", 1988, 1989),
        DivisionCode("330782", "义乌市", 1989, None),
    ),
    "330783": (
        DivisionCode("332525", "东阳县", None, 1982),
        DivisionCode("332424", "东阳县", 1982, 1985),
        DivisionCode("330724", "东阳县", 1985, 1988),
        DivisionCode("339008", "东阳市", 1988, 1989),
        DivisionCode("330783", "东阳市", 1989, None),
    ),
    "330784": (
        DivisionCode("332523", "永康县", None, 1982),
        DivisionCode("332422", "永康县", 1982, 1985),
        DivisionCode("330722", "永康县", 1985, 1992),
        DivisionCode("330784", "永康市", 1992, None),
    ),
}


def code_in_year(district: str, year: int) -> str:
    """The division code that a place of today's ``district`` had in ``year``.

    A person born there that year carries it as the first six digits of their ID number.

    Args:
        district: The code of one of today's :data:`DISTRICTS`.
        year: A year; before the first edition of GB/T 2260 the oldest code is given.

    Returns:
        The code listed in the edition of ``year``; the later one in a boundary year.
    """
    history = CODE_HISTORY[district]
    listed = [c.code for c in history if c.listed_in(year)]
    return listed[-1] if listed else history[0].code


def code_listed_in(code: str, year: int) -> bool:
    """Whether ``code`` is a Jinhua code that the GB/T 2260 edition of ``year`` lists."""
    return any(
        c.code == code and c.listed_in(year) for history in CODE_HISTORY.values() for c in history
    )


def address(region: str, street: str, number: int) -> str:
    """A postal address in Jinhua, e.g. ``浙江省金华市兰溪市丹溪大道88号``."""
    return f"{CITY_PREFIX}{DISTRICT_BY_CODE[region].name}{street}{number}号"
