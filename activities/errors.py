"""Searchable error types raised by activities (``ApplicationError.type``)."""

from __future__ import annotations

from typing import Final

#: The department refused the request for good (unknown person, bad reference): not retried.
DEPARTMENT_REJECTED: Final = "DepartmentRejected"
#: The department is down, slow or failing: retried with backoff.
DEPARTMENT_UNAVAILABLE: Final = "DepartmentUnavailable"
#: A step was handed facts that do not have the shape it needs: a bug, not retried.
BAD_STEP_INPUT: Final = "BadStepInput"
