"""What a verification asks an officer to check: its subject, from the officer's own department.

The department holds the subject (the person, the address) it was asked to verify; the workbench
reads it with the department's service token, naming the officer, and the department logs the
read. Nothing of it is kept here.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from onething.constants import Department
from onething.crypto.tokens import department_token
from onething.settings import Settings

#: How long an officer waits for the subject before the page shows it as unavailable.
SUBJECT_TIMEOUT_S = 10.0


class Subjects(Protocol):
    """Where the workbench reads a verification's subject."""

    async def subject(
        self, department: Department, verification_id: str, *, officer: str
    ) -> dict[str, Any] | None:
        """The subject, or None when the department does not answer with one."""
        ...


class DepartmentSubjects:
    """Subjects from the department services (``GET /verifications/{id}/subject``)."""

    def __init__(self, settings: Settings) -> None:
        """Reach departments where ``settings`` say, with their tokens."""
        self._settings = settings

    async def subject(
        self, department: Department, verification_id: str, *, officer: str
    ) -> dict[str, Any] | None:
        """The subject, or None when the department does not answer with one."""
        base = self._settings.department_url(department)
        headers = {
            "Authorization": f"Bearer {department_token(self._settings, department)}",
            "X-Onething-Officer": officer,
        }
        try:
            async with httpx.AsyncClient(timeout=SUBJECT_TIMEOUT_S) as http:
                response = await http.get(
                    f"{base}/verifications/{verification_id}/subject", headers=headers
                )
        except httpx.HTTPError:
            return None
        if response.status_code != httpx.codes.OK:
            return None
        subject: dict[str, Any] = response.json()["subject"]
        return subject


def flatten(subject: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """A subject as (field, value) rows: ``deceased.name``, ``place``..."""
    rows: list[tuple[str, str]] = []
    for key, value in subject.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, f"{name}."))
        else:
            rows.append((name, "" if value is None else str(value)))
    return rows
