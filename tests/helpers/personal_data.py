"""Finding citizens' personal data where it must not be: in files, IDs, topics and logs.

A value counts as found in any spelling a program might write it in: UTF-8, JSON with
``\\uXXXX`` escapes (hex digits in either case), or a Python ``bytes`` repr (``\\xe5\\xad...``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Final

#: Keys whose string values are phone numbers, wherever they appear.
_PHONE_KEYS: Final = ("phone", "mobile")


def people_in(document: Any, *, parent: str = "") -> set[str]:
    """The ID numbers, names of people and phone numbers inside a JSON document.

    A ``name`` counts when it belongs to a person: beside an ``id_number``, or a ``child``'s.
    Names of hospitals and companies are not personal data.
    """
    found: set[str] = set()
    if isinstance(document, Mapping):
        for key, value in document.items():
            if isinstance(value, str) and len(value.strip()) >= 2:
                if _is_personal(document, str(key), parent):
                    found.add(value.strip())
            else:
                found |= people_in(value, parent=str(key))
    elif isinstance(document, list):
        for item in document:
            found |= people_in(item, parent=parent)
    return found


def _is_personal(document: Mapping[str, Any], key: str, parent: str) -> bool:
    is_person = "id_number" in document or parent == "child"
    is_phone = any(word in key.lower() for word in _PHONE_KEYS)
    return key == "id_number" or (key == "name" and is_person) or is_phone


def people_in_records(values: Iterable[bytes]) -> set[str]:
    """The personal values in Kafka record values; values that are not JSON are skipped."""
    found: set[str] = set()
    for value in values:
        try:
            found |= people_in(json.loads(value))
        except (ValueError, RecursionError):  # not JSON, or nested deeper than json can read
            continue
    return found


def spellings(value: str) -> set[bytes]:
    """The byte strings ``value`` may appear as."""
    escaped = json.dumps(value, ensure_ascii=True)[1:-1]
    as_bytes_repr = repr(value.encode())[2:-1]
    return {
        value.encode(),
        escaped.encode(),
        _upper_hex_escapes(escaped).encode(),
        as_bytes_repr.encode(),
    }


def found_in(haystack: bytes, values: Iterable[str]) -> set[str]:
    """The values that occur in ``haystack`` in any of their spellings."""
    return {value for value in values if any(s in haystack for s in spellings(value))}


def found_in_files(paths: Iterable[Path], values: Iterable[str]) -> dict[str, set[str]]:
    """For each file that holds any of the values, which ones (files that vanished are skipped)."""
    values = set(values)
    findings: dict[str, set[str]] = {}
    for path in paths:
        try:
            content = path.read_bytes()
        except FileNotFoundError:
            continue
        hits = found_in(content, values)
        if hits:
            findings[str(path)] = hits
    return findings


def _upper_hex_escapes(escaped: str) -> str:
    parts = escaped.split("\\u")
    return "\\u".join([parts[0], *(part[:4].upper() + part[4:] for part in parts[1:])])
