"""The operators' console, with cases in memory: filters, counts, a case page, retry, cancel."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from onething.settings import Settings
from tests.unit.workbench.fakes import NOW, FakeBoard, FakeConsole, FakeSubjects, death_case
from tests.unit.workbench.test_pages import csrf_of, sign_in
from workbench.app import create_app
from workflows.models import CancelRequest, CaseFailure, Document, RetryStepRequest, StepView

WAITING = death_case(1, deadline_in=timedelta(hours=3))
FAILED = death_case(2, deadline_in=timedelta(hours=3)).model_copy(
    update={
        "status": "failed",
        "waits": [],
        "steps": [
            StepView(
                name="funeral_registration",
                department="civil_affairs",
                state="failed",
                needs=["deceased"],
                gives=[],
                note="civil_affairs did not answer",
            )
        ],
        "failure": CaseFailure(
            step="funeral_registration", type="DepartmentUnavailable", message="gave up"
        ),
        "documents": [
            Document(kind="death_certificate", department="health", number="HLT-1", issued_at=NOW)
        ],
    }
)


@pytest.fixture
def console() -> FakeConsole:
    return FakeConsole(WAITING, FAILED)


@pytest.fixture
def client(tmp_path: Path, console: FakeConsole) -> Iterator[TestClient]:
    app = create_app(
        Settings(home=tmp_path / "home"),
        board=FakeBoard(),
        subjects=FakeSubjects({}),
        console=console,
        clock=lambda: NOW,
    )
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_cases_with_counts_per_status_and_the_filters_of_onething_cases(
    client: TestClient, console: FakeConsole
) -> None:
    sign_in(client, "op-3", "ops")

    everything = client.get("/ops").text
    failed = client.get("/ops?status=failed&bundle=death&waiting_on=police&older_than=2h").text

    assert re.findall(r'data-case="([^"]+)"', everything) == [WAITING.case_id, FAILED.case_id]
    assert '<strong data-status="failed">1</strong>' in everything
    assert '<strong data-status="waiting-department">1</strong>' in everything
    assert re.findall(r'data-case="([^"]+)"', failed) == [FAILED.case_id]
    latest = console.filters[-1]
    assert (latest.status, latest.bundle, latest.waiting_on) == ("failed", "death", "police")
    assert latest.started_before == NOW - timedelta(hours=2)


def test_a_filter_that_is_not_a_name_is_ignored_and_a_bad_age_is_refused(
    client: TestClient, console: FakeConsole
) -> None:
    sign_in(client, "op-3", "ops")

    odd = client.get("/ops", params={"status": "x' OR 1=1"})
    age = client.get("/ops?older_than=soon")

    assert odd.status_code == 200
    assert console.filters[-1].status is None
    assert age.status_code == 400


def test_a_case_page_shows_steps_documents_facts_and_the_timeline(client: TestClient) -> None:
    sign_in(client, "op-3", "ops")

    page = client.get(f"/ops/cases/{FAILED.case_id}?lang=en").text

    assert "funeral_registration" in page
    assert "DepartmentUnavailable" in page
    assert "HLT-1" in page
    assert "<td>deceased</td><td>event</td><td>the citizen</td>" in page
    assert "case started" in page
    assert 'id="retry-form"' in page
    assert 'id="cancel-form"' in page


def test_retry_and_cancel_name_the_operator_and_the_reason(
    client: TestClient, console: FakeConsole
) -> None:
    token = sign_in(client, "op-3", "ops")
    path = f"/ops/cases/{FAILED.case_id}"

    retried = client.post(
        path + "/retry",
        data={"step": "funeral_registration", "reason": "civil affairs is back", "csrf": token},
    )
    cancelled = client.post(path + "/cancel", data={"reason": "family withdrew", "csrf": token})

    assert retried.status_code == cancelled.status_code == 303
    assert console.actions == [
        (
            FAILED.case_id,
            RetryStepRequest(
                step="funeral_registration", operator="ops:op-3", reason="civil affairs is back"
            ),
        ),
        (FAILED.case_id, CancelRequest(operator="ops:op-3", reason="family withdrew")),
    ]
    assert "Action accepted" in client.get(path + "?lang=en").text


def test_a_refused_action_says_why_and_changes_nothing(
    client: TestClient, console: FakeConsole
) -> None:
    token = sign_in(client, "op-3", "ops")

    refused = client.post(
        f"/ops/cases/{WAITING.case_id}/retry?lang=en",
        data={"step": "death_verification", "reason": "try", "csrf": token},
    )
    missing = client.post("/ops/cases/death-none/cancel", data={"reason": "x", "csrf": token})
    forged = client.post(
        f"/ops/cases/{WAITING.case_id}/cancel", data={"reason": "x", "csrf": "forged"}
    )
    blank = client.post(f"/ops/cases/{WAITING.case_id}/cancel", data={"reason": "", "csrf": token})

    assert refused.status_code == 409
    assert "The case refused the action: no failed step" in refused.text
    assert missing.status_code == 404
    assert forged.status_code == 403
    assert blank.status_code == 400
    assert console.actions == []


def test_only_operators_see_the_console(client: TestClient) -> None:
    token = sign_in(client, "wang", "police")

    listing = client.get("/ops?lang=en")
    cancel = client.post(
        f"/ops/cases/{WAITING.case_id}/cancel", data={"reason": "x", "csrf": token}
    )

    assert listing.status_code == cancel.status_code == 403
    assert "You are an officer of Police; you may not see or act on the work of Operations." in (
        listing.text
    )


def test_an_operator_does_not_get_a_departments_worklist(client: TestClient) -> None:
    sign_in(client, "op-3", "ops")

    assert client.get("/dept/police").status_code == 403
    assert csrf_of(client.get("/ops").text)
