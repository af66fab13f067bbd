"""Events that cannot be true are refused at the edge, naming the field and never its value."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from events import plausibility
from events.models import BirthData, DeathEvent, RetirementEvent
from events.parsing import Rejection, parse_event
from events.plausibility import EdgeClock, Implausible
from onething.constants import TOPIC_BIRTHS, TOPIC_DEATHS, TOPIC_RETIREMENTS
from onething.identifiers import make_id_number
from tests.helpers.samples import birth_event

#: The moment the bridge reads every event of these tests (the sample birth is on 2026-05-23).
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CLOCK = EdgeClock(now=NOW, skew=timedelta(minutes=5))
BORN_AT = datetime.fromisoformat("2026-05-23T09:12:00+08:00")


def _id(born: date, *, male: bool = False, region: str = "330781") -> str:
    return make_id_number(region, born, 11 if male else 12)


def _parse(event: dict[str, Any], topic: str) -> Any:
    raw = json.dumps(event, ensure_ascii=False).encode()
    return parse_event(raw, topic=topic, key=event["subject"].encode(), now=NOW)


def _refused(event: dict[str, Any], topic: str = TOPIC_BIRTHS) -> Rejection:
    result = _parse(event, topic)
    assert isinstance(result, Rejection), result
    assert result.reason == "implausible_event", result
    for value in _personal(event["data"]):
        assert value not in result.detail
    return result


def _personal(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [v for key, item in data.items() for v in _personal(item) if key != "relation"]
    if isinstance(data, str) and (data[:1].isdigit() or not data.isascii()):
        return [data]
    return []


def _death_event(*, deceased_born: date, died_at: datetime, informant_born: date) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": "d-1",
        "source": "urn:hospital:330781-PH",
        "type": "onething.death.registered",
        "subject": "DTH-1",
        "time": (died_at + timedelta(hours=1)).isoformat(),
        "datacontenttype": "application/json",
        "data": {
            "deceased": {"id_number": _id(deceased_born, male=True), "name": "王建国"},
            "died_at": died_at.isoformat(),
            "place": "hospital",
            "informant": {"id_number": _id(informant_born), "name": "王丽", "relation": "child"},
        },
    }


def _retirement_event(*, born: date, retires: date, kind: str, male: bool) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": "r-1",
        "source": "urn:socialsecurity:330700",
        "type": "onething.retirement.due",
        "subject": "PEN-1",
        "time": "2026-05-02T09:00:00+08:00",
        "datacontenttype": "application/json",
        "data": {
            "person": {"id_number": _id(born, male=male), "name": "李明"},
            "retirement_date": retires.isoformat(),
            "kind": kind,
        },
    }


# --- the rules as pure functions ------------------------------------------------------------


def test_a_time_within_the_skew_is_accepted_and_beyond_it_refused() -> None:
    plausibility.not_in_future(NOW + timedelta(minutes=5), field="time", clock=CLOCK)
    with pytest.raises(Implausible, match=r"^time is in the future"):
        plausibility.not_in_future(NOW + timedelta(minutes=5, seconds=1), field="time", clock=CLOCK)


@pytest.mark.parametrize(
    ("parent", "age", "plausible"),
    [
        ("mother", 13, False),
        ("mother", 14, True),
        ("mother", 60, True),
        ("mother", 61, False),
        ("father", 13, False),
        ("father", 80, True),
        ("father", 81, False),
    ],
)
def test_parents_must_be_of_an_age_to_be_parents(parent: Any, age: int, plausible: bool) -> None:
    id_number = _id(date(2026 - age, 5, 23), male=parent == "father")
    if plausible:
        plausibility.parent_age(id_number, BORN_AT, parent=parent)
    else:
        with pytest.raises(Implausible, match=f"{parent}.id_number"):
            plausibility.parent_age(id_number, BORN_AT, parent=parent)


def test_a_child_born_before_its_mother_is_refused() -> None:
    with pytest.raises(Implausible, match=r"before the birth date in mother\.id_number"):
        plausibility.parent_age(_id(date(2026, 6, 1)), BORN_AT, parent="mother")


def test_ages_count_whole_years_on_the_day_in_china() -> None:
    # 23:30 UTC on 22 May is already 23 May in China: the mother turns 14 that day.
    late = datetime(2026, 5, 22, 23, 30, tzinfo=UTC)
    plausibility.parent_age(_id(date(2012, 5, 23)), late, parent="mother")
    assert plausibility.age_on(date(2012, 5, 24), date(2026, 5, 23)) == 13
    assert plausibility.age_on(date(2026, 5, 24), date(2026, 5, 23)) == -1


def test_a_death_before_the_birth_or_past_the_oldest_age_is_refused() -> None:
    born = date(1950, 3, 1)
    plausibility.death_after_birth(_id(born), datetime(1950, 3, 1, 1, tzinfo=UTC), person="x")
    with pytest.raises(Implausible, match="died_at is before the birth date in deceased"):
        plausibility.death_after_birth(
            _id(born), datetime(1950, 2, 28, 12, tzinfo=UTC), person="deceased"
        )
    with pytest.raises(Implausible, match="above 130"):
        plausibility.death_after_birth(
            _id(date(1890, 1, 1)), datetime(2026, 1, 1, tzinfo=UTC), person="deceased"
        )


@pytest.mark.parametrize(
    ("age", "kind", "plausible"),
    [
        (49, "normal", False),
        (50, "normal", True),
        (63, "normal", True),
        (70, "normal", True),
        (71, "normal", False),
        (44, "early", False),
        (45, "early", True),
        (71, "early", False),
    ],
)
def test_a_retirement_must_come_at_an_age_to_retire(age: int, kind: Any, plausible: bool) -> None:
    id_number = _id(date(1960, 4, 2))
    retires = date(1960 + age, 4, 2)
    if plausible:
        plausibility.retirement_age(id_number, retires, kind)
    else:
        with pytest.raises(Implausible, match="retirement_date"):
            plausibility.retirement_age(id_number, retires, kind)


# --- at the edge ----------------------------------------------------------------------------


def test_the_sample_birth_is_plausible() -> None:
    assert not isinstance(_parse(birth_event(), TOPIC_BIRTHS), Rejection)


def test_a_birth_dated_next_year_is_refused_naming_born_at() -> None:
    event = birth_event()
    event["data"]["child"]["born_at"] = "2027-05-23T09:12:00+08:00"
    assert "data.child.born_at: born_at is in the future" in _refused(event).detail


def test_an_event_sent_from_the_future_is_refused_naming_time() -> None:
    event = birth_event()
    event["time"] = (NOW + timedelta(minutes=6)).isoformat()
    assert "time is in the future" in _refused(event).detail


def test_the_clock_skew_comes_from_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    from onething.settings import get_settings

    event = birth_event()
    event["time"] = (NOW + timedelta(minutes=20)).isoformat()
    monkeypatch.setenv("ONETHING_CLOCK_SKEW", "PT30M")
    get_settings.cache_clear()
    try:
        assert not isinstance(_parse(event, TOPIC_BIRTHS), Rejection)
    finally:
        monkeypatch.delenv("ONETHING_CLOCK_SKEW")
        get_settings.cache_clear()
    _refused(event)


def test_a_mother_aged_five_is_refused_naming_the_mother() -> None:
    event = birth_event()
    event["data"]["mother"]["id_number"] = _id(date(2021, 1, 9))
    detail = _refused(event).detail
    assert "mother.id_number" in detail
    assert "2021" not in detail


def test_a_father_aged_ninety_is_refused_naming_the_father() -> None:
    event = birth_event()
    event["data"]["father"]["id_number"] = _id(date(1936, 1, 9), male=True)
    assert "father.id_number" in _refused(event).detail


def test_a_death_dated_next_year_is_refused() -> None:
    event = _death_event(
        deceased_born=date(1940, 1, 1),
        died_at=datetime(2027, 1, 1, tzinfo=UTC),
        informant_born=date(1970, 1, 1),
    )
    assert "died_at is in the future" in _refused(event, TOPIC_DEATHS).detail


def test_a_death_before_the_deceased_was_born_is_refused() -> None:
    event = _death_event(
        deceased_born=date(2000, 1, 1),
        died_at=datetime(1999, 6, 1, tzinfo=UTC),
        informant_born=date(1970, 1, 1),
    )
    assert "deceased.id_number" in _refused(event, TOPIC_DEATHS).detail


def test_an_informant_born_after_the_death_is_refused() -> None:
    event = _death_event(
        deceased_born=date(1940, 1, 1),
        died_at=datetime(2026, 1, 1, tzinfo=UTC),
        informant_born=date(2026, 3, 1),
    )
    assert "informant.id_number" in _refused(event, TOPIC_DEATHS).detail


def test_a_plausible_death_parses() -> None:
    event = _death_event(
        deceased_born=date(1940, 1, 1),
        died_at=datetime(2026, 5, 1, tzinfo=UTC),
        informant_born=date(1970, 1, 1),
    )
    assert isinstance(_parse(event, TOPIC_DEATHS), DeathEvent)


def test_a_retirement_in_2099_is_refused_naming_the_retirement_date() -> None:
    event = _retirement_event(
        born=date(1966, 5, 1), retires=date(2099, 1, 1), kind="normal", male=True
    )
    assert "retirement_date" in _refused(event, TOPIC_RETIREMENTS).detail


def test_an_early_retirement_at_46_parses_and_a_normal_one_at_46_does_not() -> None:
    early = _retirement_event(
        born=date(1980, 5, 1), retires=date(2026, 6, 1), kind="early", male=False
    )
    assert isinstance(_parse(early, TOPIC_RETIREMENTS), RetirementEvent)
    normal = _retirement_event(
        born=date(1980, 5, 1), retires=date(2026, 6, 1), kind="normal", male=False
    )
    _refused(normal, TOPIC_RETIREMENTS)


def test_models_outside_the_edge_do_not_judge_again() -> None:
    # A case replaying its input (or an activity reading its facts) has no edge clock: an event
    # accepted yesterday must not become invalid today.
    data = birth_event()["data"]
    data["mother"]["id_number"] = _id(date(2021, 1, 9))
    data["child"]["born_at"] = "2099-01-01T00:00:00+08:00"
    assert BirthData.model_validate(data).mother.id_number == data["mother"]["id_number"]
