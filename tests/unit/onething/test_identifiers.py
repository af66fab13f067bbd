"""GB 11643-1999 and GB 32100-2015 check characters."""

from __future__ import annotations

from datetime import date

import pytest

from onething.identifiers import (
    IdentifierError,
    make_id_number,
    make_uscc,
    validate_id_number,
    validate_uscc,
)


@pytest.mark.parametrize(
    "number",
    ["33078119930214002X", "330781199107300016", "330702194803100036", "11010519491231002X"],
)
def test_published_and_example_id_numbers_are_valid(number: str) -> None:
    assert validate_id_number(number.lower()) == number


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("330781199302140021", "check digit"),
        ("33078119930230002X", "birth date"),
        ("3307811993021400", "17 digits"),
        ("33078119930214002Y", "17 digits"),
    ],
)
def test_invalid_id_numbers_say_why_without_echoing(number: str, why: str) -> None:
    with pytest.raises(IdentifierError, match=why) as err:
        validate_id_number(number)
    assert number[:10] not in str(err.value)


def test_made_id_numbers_validate() -> None:
    number = make_id_number("330702", date(1966, 11, 5), 2)
    assert validate_id_number(number) == number


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q"])
def test_published_credit_codes_are_valid(code: str) -> None:
    assert validate_uscc(code) == code


def test_a_wrong_credit_code_check_character_is_refused() -> None:
    with pytest.raises(IdentifierError, match="check character"):
        validate_uscc("91350100M000100Y44")


def test_made_credit_codes_validate() -> None:
    assert validate_uscc(make_uscc("330781", "MA2K3L4P5")).startswith("91330781")
