"""Claims: one holder at a time, released by the holder, returned to the pool after their time."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

from tests.unit.workbench.fakes import NOW
from workbench.claims import ClaimStore

CASE = "death-DTH-330702-CH-00000001"
STEP = "death_verification"


def store(tmp_path: Path) -> ClaimStore:
    return ClaimStore(tmp_path / "claims.db", ttl=timedelta(minutes=30))


def test_the_claims_file_is_owner_only(tmp_path: Path) -> None:
    store(tmp_path)

    assert stat.S_IMODE((tmp_path / "claims.db").stat().st_mode) == 0o600


def test_a_second_officer_gets_the_first_ones_claim(tmp_path: Path) -> None:
    claims = store(tmp_path)

    first = claims.claim(CASE, STEP, department="police", officer="wang", now=NOW)
    second = claims.claim(CASE, STEP, department="police", officer="li", now=NOW)

    assert first.officer == second.officer == "wang"
    assert claims.holder(CASE, STEP, now=NOW) == first


def test_only_the_holder_releases(tmp_path: Path) -> None:
    claims = store(tmp_path)
    claims.claim(CASE, STEP, department="police", officer="wang", now=NOW)

    assert not claims.release(CASE, STEP, officer="li")
    assert claims.release(CASE, STEP, officer="wang")
    assert claims.holder(CASE, STEP, now=NOW) is None


def test_a_claim_left_too_long_returns_to_the_pool(tmp_path: Path) -> None:
    claims = store(tmp_path)
    claims.claim(CASE, STEP, department="police", officer="wang", now=NOW)
    later = NOW + timedelta(minutes=31)

    assert claims.holder(CASE, STEP, now=later) is None
    assert claims.of_department("police", now=later) == {}
    taken = claims.claim(CASE, STEP, department="police", officer="li", now=later)
    assert taken.officer == "li"


def test_claims_are_listed_per_department(tmp_path: Path) -> None:
    claims = store(tmp_path)
    claims.claim(CASE, STEP, department="police", officer="wang", now=NOW)
    claims.claim(
        "business-X",
        "address_verification",
        department="market_regulation",
        officer="zhao",
        now=NOW,
    )

    assert list(claims.of_department("police", now=NOW)) == [(CASE, STEP)]


def test_claims_survive_a_restart(tmp_path: Path) -> None:
    store(tmp_path).claim(CASE, STEP, department="police", officer="wang", now=NOW)

    held = store(tmp_path).holder(CASE, STEP, now=NOW)

    assert held is not None
    assert held.officer == "wang"
