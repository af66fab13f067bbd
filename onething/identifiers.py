"""Check characters of Chinese identifiers: resident ID numbers and unified social credit codes."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

_ID_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK: Final = "10X98765432"
_ID_SHAPE: Final = re.compile(r"^\d{17}[\dX]$")

_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_SHAPE: Final = re.compile(rf"^[{_USCC_ALPHABET}]{{18}}$")


class IdentifierError(ValueError):
    """An identifier is malformed or its check character is wrong. The message holds no digits."""


def id_check_digit(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(value: str) -> str:
    """Return ``value`` (upper-cased) if it is a valid 18-character resident ID number.

    Raises:
        IdentifierError: wrong shape, impossible birth date, or wrong check digit.
    """
    value = value.strip().upper()
    if not _ID_SHAPE.match(value):
        raise IdentifierError("ID number must be 17 digits and a check character (0-9 or X)")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdentifierError("ID number holds an impossible birth date") from None
    if id_check_digit(value[:17]) != value[17]:
        raise IdentifierError("ID number check digit is wrong (GB 11643-1999)")
    return value


def make_id_number(region: str, born: date, sequence: int) -> str:
    """Build a valid resident ID number; ``sequence`` (0-999) is odd for men, even for women."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + id_check_digit(first17)


def uscc_check_character(first17: str) -> str:
    """The GB 32100-2015 check character for the first 17 characters of a credit code."""
    total = sum(
        _USCC_ALPHABET.index(char) * weight
        for char, weight in zip(first17, _USCC_WEIGHTS, strict=True)
    )
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return ``value`` (upper-cased) if it is a valid unified social credit code.

    Raises:
        IdentifierError: wrong shape or wrong check character.
    """
    value = value.strip().upper()
    if not _USCC_SHAPE.match(value):
        raise IdentifierError("credit code must be 18 characters of the GB 32100-2015 alphabet")
    if uscc_check_character(value[:17]) != value[17]:
        raise IdentifierError("credit code check character is wrong (GB 32100-2015)")
    return value


def make_uscc(region: str, organisation: str) -> str:
    """Build a valid credit code for an enterprise (``91``) from a region and a 9-char body."""
    first17 = f"91{region}{organisation}"
    return first17 + uscc_check_character(first17)
