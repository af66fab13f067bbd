"""Every refusal of the command line is one line in the operator's words, with its exit code."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import onething.cases
from onething.cases import CaseNotFoundError
from onething.cli import act, app
from onething.cli.replies import unexpected
from onething.constants import BUNDLES, DEPARTMENTS
from tests.unit.report.helpers import STARTED, view
from workflows.models import (
    ActionAccepted,
    CancelRequest,
    CaseView,
    OperatorAction,
    VerificationAnswerRequest,
    WaitView,
)

runner = CliRunner()
WHO = ("--operator", "officer-1", "--reason", "checked")


def run(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.mark.parametrize(
    ("option", "valid"),
    [
        ("--bundle", BUNDLES),
        ("--status", ("running", "waiting-department", "completed", "revoked")),
        ("--waiting-on", DEPARTMENTS),
    ],
)
def test_a_filter_value_not_known_is_refused_naming_the_valid_ones(
    option: str, valid: tuple[str, ...]
) -> None:
    refused = run("cases", option, "bogus")

    assert refused.exit_code == 2
    (line,) = refused.output.strip().splitlines()
    assert line.startswith(f"error: {option} must be one of ")
    assert all(value in line for value in valid)
    assert "'bogus'" in line


@pytest.mark.parametrize(
    "command",
    [
        ("answer", "death-X", "death_verification"),
        ("cancel", "death-X"),
        ("ask", "death-X", "email"),
        ("supply", "death-X", "email", "a@b.cn"),
        ("retry", "death-X", "tax_registration"),
    ],
)
@pytest.mark.parametrize("empty", ["", "   "])
def test_an_empty_operator_or_reason_is_one_line(command: tuple[str, ...], empty: str) -> None:
    no_operator = run(*command, "--operator", empty, "--reason", "checked")
    no_reason = run(*command, "--operator", "officer-1", "--reason", empty)

    assert no_operator.exit_code == 2
    assert no_operator.output.strip() == "error: --operator must not be empty"
    assert no_reason.exit_code == 2
    assert no_reason.output.strip() == "error: --reason must not be empty"


def test_an_operator_name_too_long_is_one_line_naming_the_option() -> None:
    refused = run("cancel", "death-X", "--operator", "o" * 65, "--reason", "checked")

    assert refused.exit_code == 2
    (line,) = refused.output.strip().splitlines()
    assert line.startswith("error: --operator: ")
    assert "64" in line


def answered(step: str, verdict: str) -> OperatorAction:
    return OperatorAction(
        at=STARTED,
        operator="officer-1",
        action=f"answer_verification:{verdict}",
        step=step,
        reason="checked",
    )


def police_wait(step: str = "death_verification") -> WaitView:
    return WaitView(
        step=step,
        provider="police",
        kind="death_at_home",
        verification_id="V-1",
        opened_at=STARTED,
        deadline=STARTED + timedelta(days=3),
    )


def refused_answer(case: CaseView, step: str = "death_verification") -> str:
    request = VerificationAnswerRequest(
        step=step, answer="refused", operator="officer-2", reason="again"
    )
    return act._answer_refused(case, request)


def test_answering_twice_says_the_verification_was_already_answered() -> None:
    closed = view(
        "death-X",
        status="rejected",
        waits=[police_wait()],
        actions=[answered("death_verification", "refused")],
    )

    said = refused_answer(closed)

    assert said == (
        "the verification at step death_verification of death-X was already answered "
        "(refused by officer-1); the case is closed (rejected)"
    )
    assert "workflow execution" not in said


def test_answering_a_closed_case_names_its_final_status() -> None:
    closed = view("death-X", status="completed")

    assert refused_answer(closed) == (
        "death-X is already closed (completed); it takes no more answers"
    )


def test_answering_a_step_not_waiting_names_what_the_case_waits_on() -> None:
    running = view(
        "death-X",
        status="waiting-department",
        finished_at=None,
        waits=[police_wait(), police_wait("other_check")],
        actions=[answered("other_check", "confirmed")],
    )

    said = refused_answer(running, step="civil_registration")

    assert said == (
        "death-X is not waiting on a verification at step civil_registration; "
        "it waits on death_verification (police)"
    )


def test_an_action_on_no_case_says_there_is_no_such_case(monkeypatch: pytest.MonkeyPatch) -> None:
    async def no_view(client: Any, case_id: str) -> CaseView:
        raise CaseNotFoundError(case_id)

    monkeypatch.setattr(onething.cases, "case_view", no_view)
    request = CancelRequest(operator="officer-1", reason="checked")

    said = asyncio.run(act._refusal(object(), "death-NOPE", request, RuntimeError("x")))  # type: ignore[arg-type]

    assert said == "no case named death-NOPE"


def test_a_cancel_refused_on_a_closed_case_names_its_final_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def closed(client: Any, case_id: str) -> CaseView:
        return view(case_id, status="revoked")

    monkeypatch.setattr(onething.cases, "case_view", closed)
    request = CancelRequest(operator="officer-1", reason="checked")

    said = asyncio.run(act._refusal(object(), "death-X", request, RuntimeError("x")))  # type: ignore[arg-type]

    assert said == "death-X is already closed (revoked); it takes no more actions"


def test_the_reply_to_an_action_that_ends_the_case_gives_its_final_status(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen = iter(
        [
            view("death-X", status="waiting-department", finished_at=None),
            view("death-X", status="running", finished_at=None),
            view("death-X", status="rejected"),
        ]
    )

    async def next_view(client: Any, case_id: str) -> CaseView:
        return next(seen)

    monkeypatch.setattr(onething.cases, "case_view", next_view)
    monkeypatch.setattr(act, "_SETTLE_POLL_S", 0.0)
    accepted = ActionAccepted(
        case_id="death-X", action="answer_verification", status="waiting-department"
    )

    settled = asyncio.run(act._settled(object(), accepted, closes=True))  # type: ignore[arg-type]

    assert settled.status == "rejected"


def test_an_unreachable_temporal_is_one_line() -> None:
    err = RuntimeError(
        "Failed client connect: Server connection error: tonic::transport::Error(Transport, "
        'ConnectError("tcp connect error", 127.0.0.1:1, Os { code: 111, kind: '
        "ConnectionRefused }))"
    )

    assert (
        unexpected(err) == "cannot reach Temporal (connection refused); is `onething up` running?"
    )
    assert unexpected(ValueError("")) == "the command stopped on an unexpected ValueError"


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("cancel", "death-X"), "error: Missing option '--operator'"),
        (("cases", "--limit", "0"), "error: Invalid value for '--limit'"),
        (("cases", "--bogus"), "error: No such option: --bogus"),
    ],
)
def test_a_usage_error_is_one_line_with_where_to_look(
    args: tuple[str, ...], said: str, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "ONETHING_OPERATOR"}
    done = subprocess.run(
        [sys.executable, "-m", "onething.cli", *args],
        env=env | {"ONETHING_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert done.returncode == 2
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(said)
    assert line.endswith(f"(see onething {args[0]} --help)")
