"""The search behind tests/scenario/test_zz_no_personal_data.py finds what it looks for.

The scenario test passes when it finds nothing; these show it would find a planted value in each
place and spelling it searches, and that only encryption makes the difference in a database.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from pathlib import Path

from temporalio.api.common.v1 import Payload

from onething.crypto.codec import EncryptionCodec
from onething.crypto.keys import new_key_ring
from tests.helpers.personal_data import found_in, found_in_files, people_in, people_in_records
from tests.helpers.samples import birth_event

NAME = "孟晓雯"
ID_NUMBER = "330781199302140023"


def test_people_are_collected_from_events_but_not_hospitals() -> None:
    event = birth_event()
    data = event["data"]

    found = people_in(event)

    assert found == {
        data["child"]["name"],
        data["mother"]["name"],
        data["mother"]["id_number"],
        data["father"]["name"],
        data["father"]["id_number"],
    }
    assert data["hospital"]["name"] not in found


def test_phone_numbers_are_collected_and_junk_records_skipped() -> None:
    records = [
        b"not json",
        b"\xff",
        json.dumps({"contact": {"mobile_phone": "13800138000"}}).encode(),
    ]

    assert people_in_records(records) == {"13800138000"}


def test_every_spelling_is_found() -> None:
    spelled = [
        NAME.encode(),
        json.dumps(NAME).encode(),
        re.sub(r"\\u[0-9a-f]{4}", lambda m: "\\u" + m[0][2:].upper(), json.dumps(NAME)).encode(),
        repr(NAME.encode()).encode(),
    ]

    for haystack in spelled:
        assert found_in(b"prefix " + haystack + b" suffix", {NAME, ID_NUMBER}) == {NAME}


def test_a_planted_value_is_found_in_a_log_file(tmp_path: Path) -> None:
    log = tmp_path / "worker.log"
    handler = logging.FileHandler(log, encoding="utf-8")
    logger = logging.getLogger("planted")
    logger.addHandler(handler)
    try:
        logger.warning("looking up %s", ID_NUMBER)
    finally:
        logger.removeHandler(handler)
        handler.close()

    assert found_in_files([log, tmp_path / "gone.log"], {ID_NUMBER, NAME}) == {
        str(log): {ID_NUMBER}
    }


async def test_in_a_database_only_encryption_hides_a_payload(tmp_path: Path) -> None:
    plain = Payload(
        metadata={"encoding": b"json/plain"},
        data=json.dumps(
            {"mother": {"name": NAME, "id_number": ID_NUMBER}}, ensure_ascii=False
        ).encode(),
    )
    [sealed] = await EncryptionCodec(new_key_ring()).encode([plain])
    databases = {}
    for label, payload in (("plain", plain), ("sealed", sealed)):
        path = tmp_path / f"{label}.db"
        with sqlite3.connect(path) as db:
            db.execute("CREATE TABLE history (data BLOB)")
            db.execute("INSERT INTO history VALUES (?)", (payload.SerializeToString(),))
        db.close()
        databases[label] = path

    findings = found_in_files(databases.values(), {NAME, ID_NUMBER})

    assert findings == {str(databases["plain"]): {NAME, ID_NUMBER}}
