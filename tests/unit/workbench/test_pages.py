"""The department pages, with cases in memory: sign-in, worklist, claims, answers, refusals."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from onething.settings import Settings
from tests.unit.workbench.fakes import NOW, FakeBoard, FakeConsole, FakeSubjects, death_case
from workbench.app import create_app

LATE = death_case(1, deadline_in=-timedelta(hours=2))
SOON = death_case(2, deadline_in=timedelta(hours=5))
LATER = death_case(3, deadline_in=timedelta(days=2))
ELSEWHERE = death_case(4, deadline_in=timedelta(hours=1), provider="market_regulation")
ITEM = f"/dept/police/items/{SOON.case_id}/death_verification"


@pytest.fixture
def board() -> FakeBoard:
    return FakeBoard(LATER, SOON, LATE, ELSEWHERE)


@pytest.fixture
def subjects() -> FakeSubjects:
    soon = SOON.waits[0].verification_id
    return FakeSubjects(
        {soon: {"deceased": {"id_number": "330702194001010012", "name": "赵建国"}, "place": "home"}}
    )


@pytest.fixture
def app(tmp_path: Path, board: FakeBoard, subjects: FakeSubjects) -> FastAPI:
    return create_app(
        Settings(home=tmp_path / "home"),
        board=board,
        subjects=subjects,
        console=FakeConsole(),
        clock=lambda: NOW,
    )


@pytest.fixture
def clients(app: FastAPI) -> Iterator[list[TestClient]]:
    """Three browsers on the same workbench."""
    with ExitStack() as stack:
        yield [stack.enter_context(TestClient(app, follow_redirects=False)) for _ in range(3)]


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, "the page has no form token"
    return found.group(1)


def sign_in(client: TestClient, officer: str, department: str) -> str:
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"officer": officer, "department": department, "csrf": token}
    )
    assert response.status_code == 303
    # Signing in starts a new session with a new form token.
    return csrf_of(client.get(f"/dept/{department}").text)


def test_a_stranger_is_sent_to_sign_in(clients: list[TestClient]) -> None:
    response = clients[0].get("/dept/police")

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/dept/police"


def test_the_worklist_is_oldest_deadline_first_with_the_overdue_marked(
    clients: list[TestClient],
) -> None:
    sign_in(clients[0], "wang", "police")

    page = clients[0].get("/dept/police").text

    shown = re.findall(r'data-case="([^"]+)"', page)
    assert shown == [LATE.case_id, SOON.case_id, LATER.case_id]
    assert '<tr class="overdue" data-case="' + LATE.case_id in page
    assert "已超期" in page
    assert "5 小时 0 分钟" in page
    assert "<td>2026-12-02 23:00</td>" in page  # SOON's deadline, 15:00 UTC, in China time
    assert ELSEWHERE.case_id not in page


def test_english_on_request_and_remembered(clients: list[TestClient]) -> None:
    sign_in(clients[0], "wang", "police")

    first = clients[0].get("/dept/police?lang=en").text
    again = clients[0].get("/dept/police").text

    assert "Verifications waiting" in first
    assert "Overdue" in again
    assert "5 h 0 min" in again


def test_an_officer_of_another_department_gets_403(
    clients: list[TestClient], subjects: FakeSubjects
) -> None:
    sign_in(clients[0], "zhao", "tax")

    listing = clients[0].get("/dept/police?lang=en")
    item = clients[0].get(ITEM)

    assert listing.status_code == item.status_code == 403
    assert subjects.reads == []
    assert "You are an officer of Tax; you may not see or act on the work of Police." in (
        listing.text
    )
    assert SOON.case_id not in listing.text + item.text


def test_an_item_shows_what_to_check_and_only_the_facts_its_step_needs(
    clients: list[TestClient], subjects: FakeSubjects
) -> None:
    sign_in(clients[0], "wang", "police")

    response = clients[0].get(ITEM + "?lang=en")

    page = response.text
    assert "Confirm a death outside a hospital" in page
    assert "<td>deceased.name</td><td>赵建国</td>" in page
    assert "<td>place</td><td>home</td>" in page
    for fact in ("deceased", "died_at", "place"):
        assert f"<td>{fact}</td>" in page
    assert "informant" not in page
    assert subjects.reads == [("police", SOON.waits[0].verification_id, "wang")]
    assert response.headers["cache-control"] == "no-store"


def test_an_item_whose_subject_cannot_be_read_says_so(clients: list[TestClient]) -> None:
    sign_in(clients[0], "wang", "police")

    page = clients[0].get(f"/dept/police/items/{LATER.case_id}/death_verification?lang=en")

    assert page.status_code == 200
    assert "did not give what to check" in page.text


def test_claim_answer_and_the_case_moves_on(clients: list[TestClient], board: FakeBoard) -> None:
    token = sign_in(clients[0], "wang", "police")
    claimed = clients[0].post(ITEM + "/claim", data={"csrf": token})
    assert claimed.status_code == 303
    assert 'id="answer-form"' in clients[0].get(ITEM).text

    answered = clients[0].post(
        ITEM + "/answer",
        data={"verdict": "confirmed", "reason": "visited the home", "csrf": token},
    )

    assert answered.status_code == 303
    assert len(board.answers) == 1
    case_id, request = board.answers[0]
    assert case_id == SOON.case_id
    assert (request.step, request.answer, request.operator, request.reason) == (
        "death_verification",
        "confirmed",
        "police:wang",
        "visited the home",
    )
    listing = clients[0].get("/dept/police").text
    assert SOON.case_id in listing  # the notice names it once ...
    assert f'data-case="{SOON.case_id}"' not in listing  # ... and the list no longer does


def test_a_second_submission_changes_nothing(clients: list[TestClient], board: FakeBoard) -> None:
    token = sign_in(clients[0], "wang", "police")
    clients[0].post(ITEM + "/claim", data={"csrf": token})
    form = {"verdict": "refused", "reason": "nobody died there", "csrf": token}
    clients[0].post(ITEM + "/answer", data=form)

    again = clients[0].post(ITEM + "/answer?lang=en", data=form)

    assert again.status_code == 409
    assert "already answered or the case has moved on; nothing changed" in again.text
    assert len(board.answers) == 1


def test_a_case_that_moved_on_while_the_form_was_open(
    clients: list[TestClient], board: FakeBoard
) -> None:
    token = sign_in(clients[0], "wang", "police")
    clients[0].post(ITEM + "/claim", data={"csrf": token})
    board.views[SOON.case_id] = SOON.model_copy(update={"waits": [], "status": "completed"})

    response = clients[0].post(
        ITEM + "/answer", data={"verdict": "confirmed", "reason": "ok", "csrf": token}
    )

    assert response.status_code == 409
    assert "案件已继续办理" in response.text
    assert board.answers == []


def test_a_second_officer_cannot_take_or_answer_a_claimed_item(
    clients: list[TestClient], board: FakeBoard
) -> None:
    first = sign_in(clients[0], "wang", "police")
    second = sign_in(clients[1], "li", "police")
    clients[0].post(ITEM + "/claim", data={"csrf": first})

    page = clients[1].get(ITEM + "?lang=en").text
    take = clients[1].post(ITEM + "/claim", data={"csrf": second})
    answer = clients[1].post(
        ITEM + "/answer", data={"verdict": "confirmed", "reason": "ok", "csrf": second}
    )
    listing = clients[1].get("/dept/police").text

    assert "wang holds this verification" in page
    assert 'id="answer-form"' not in page
    assert take.status_code == answer.status_code == 409
    assert board.answers == []
    assert "<td>wang</td>" in listing


def test_release_returns_the_item_and_mine_lists_what_an_officer_holds(
    clients: list[TestClient],
) -> None:
    token = sign_in(clients[0], "wang", "police")
    clients[0].post(ITEM + "/claim", data={"csrf": token})
    held = clients[0].get("/dept/police/mine").text

    clients[0].post(ITEM + "/release", data={"csrf": token})
    after = clients[0].get("/dept/police/mine").text

    assert re.findall(r'data-case="([^"]+)"', held) == [SOON.case_id]
    assert re.findall(r'data-case="([^"]+)"', after) == []


def test_a_form_without_the_sessions_token_is_refused(
    clients: list[TestClient], board: FakeBoard
) -> None:
    token = sign_in(clients[0], "wang", "police")
    clients[0].post(ITEM + "/claim", data={"csrf": token})

    forged = clients[0].post(
        ITEM + "/answer", data={"verdict": "confirmed", "reason": "ok", "csrf": "x" * 43}
    )
    missing = clients[0].post(ITEM + "/answer", data={"verdict": "confirmed", "reason": "ok"})

    assert forged.status_code == missing.status_code == 403
    assert board.answers == []


def test_an_answer_needs_a_verdict_and_a_reason(
    clients: list[TestClient], board: FakeBoard
) -> None:
    token = sign_in(clients[0], "wang", "police")

    blank = clients[0].post(
        ITEM + "/answer", data={"verdict": "confirmed", "reason": "  ", "csrf": token}
    )
    odd = clients[0].post(ITEM + "/answer", data={"verdict": "maybe", "reason": "x", "csrf": token})

    assert blank.status_code == odd.status_code == 400
    assert board.answers == []


def test_an_officer_cannot_answer_another_departments_step_through_their_own_url(
    clients: list[TestClient], board: FakeBoard
) -> None:
    token = sign_in(clients[0], "wang", "police")
    path = f"/dept/police/items/{ELSEWHERE.case_id}/death_verification"

    page = clients[0].get(path)
    answer = clients[0].post(
        path + "/answer", data={"verdict": "confirmed", "reason": "ok", "csrf": token}
    )

    assert page.status_code == 404
    assert answer.status_code == 409
    assert board.answers == []


def test_bad_sign_ins_and_unknown_departments(clients: list[TestClient]) -> None:
    token = csrf_of(clients[0].get("/login").text)

    bad_id = clients[0].post(
        "/login", data={"officer": "王 1", "department": "police", "csrf": token}
    )
    no_token = clients[0].post("/login", data={"officer": "wang", "department": "police"})
    sign_in(clients[0], "wang", "police")

    assert bad_id.status_code == 400
    assert no_token.status_code == 403
    assert clients[0].get("/dept/nowhere").status_code == 404


def test_every_asset_is_served_by_the_workbench(clients: list[TestClient]) -> None:
    sign_in(clients[0], "wang", "police")
    pages = [clients[0].get(path).text for path in ("/login", "/dept/police", ITEM)]

    external = [url for page in pages for url in re.findall(r'(?:src|href)="(https?:[^"]*)"', page)]
    assets = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', "".join(pages)))

    assert external == []
    assert assets == {"/static/workbench.css", "/static/workbench.js"}
    assert all(clients[0].get(asset).status_code == 200 for asset in assets)


def test_the_session_secret_is_owner_only(app: FastAPI, tmp_path: Path) -> None:
    secret = tmp_path / "home" / "keys" / "workbench-session.key"

    assert secret.stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("asked", "landing"),
    [
        ("/dept/police/mine", "/dept/police/mine"),
        ("//evil.example/x", "/dept/police"),
        ("/\\evil.example/x", "/dept/police"),
        ("https://evil.example/", "/dept/police"),
    ],
)
def test_sign_in_returns_only_to_a_workbench_page(
    clients: list[TestClient], asked: str, landing: str
) -> None:
    token = csrf_of(clients[0].get("/login").text)

    response = clients[0].post(
        "/login", data={"officer": "wang", "department": "police", "csrf": token, "next": asked}
    )

    assert response.headers["location"] == landing
