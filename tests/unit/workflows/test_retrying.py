"""What the case view says about a department call that keeps failing."""

from __future__ import annotations

from temporalio.exceptions import ApplicationError, TimeoutType
from temporalio.exceptions import TimeoutError as ActivityTimeoutError

from activities.errors import DEPARTMENT_UNAVAILABLE
from workflows.retrying import describe_failure


def test_a_department_outage_is_shown_with_its_message() -> None:
    error = ApplicationError("tax answered 503 at /x: injected_fault", type=DEPARTMENT_UNAVAILABLE)
    assert describe_failure(error) == (DEPARTMENT_UNAVAILABLE, error.message)


def test_a_timeout_is_shown_with_its_message() -> None:
    error = ActivityTimeoutError(
        "activity StartToClose timeout", type=TimeoutType.START_TO_CLOSE, last_heartbeat_details=[]
    )
    assert describe_failure(error) == ("TimeoutError", "activity StartToClose timeout")


def test_any_other_error_shows_its_type_but_not_a_message_that_may_quote_a_person() -> None:
    error = ApplicationError("unexpected name 张三 for 330102199001011234", type="ValueError")
    error_type, message = describe_failure(error)
    assert error_type == "ValueError"
    assert "张三" not in message
    assert "330102199001011234" not in message
