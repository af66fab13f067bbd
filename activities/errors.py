"""Searchable error types raised by activities (``ApplicationError.type``)."""

from __future__ import annotations

from typing import Final

#: The department refused the request for good (unknown person, bad reference): not retried.
DEPARTMENT_REJECTED: Final = "DepartmentRejected"
#: The department is down, slow or failing: retried with backoff.
DEPARTMENT_UNAVAILABLE: Final = "DepartmentUnavailable"
#: A step was handed facts that do not have the shape it needs: a bug, not retried.
BAD_STEP_INPUT: Final = "BadStepInput"
#: The providing department did not confirm what a verification asked: the case is rejected.
VERIFICATION_REFUSED: Final = "VerificationRefused"
#: A pledge under notification and commitment was found false: what it obtained is revoked.
FALSE_PLEDGE: Final = "FalsePledge"
#: The person a case is about died while it was open; the death case takes over.
SUBJECT_DECEASED: Final = "SubjectDeceased"
#: An operator cancelled the case.
CANCELLED_BY_OPERATOR: Final = "CancelledByOperator"
