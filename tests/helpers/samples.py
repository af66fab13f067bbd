"""Hand-made valid events for tests that need no simulated registry."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from onething.identifiers import make_id_number


def birth_event(subject: str = "TEST-MCH-0001", *, father: bool = True) -> dict[str, Any]:
    """A valid ``onething.birth.registered`` CloudEvent as a JSON-ready dict."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "urn:hospital:330781-MCH",
        "type": "onething.birth.registered",
        "subject": subject,
        "time": "2026-05-23T09:40:00+08:00",
        "datacontenttype": "application/json",
        "data": {
            "hospital": {"code": "330781-MCH", "name": "兰溪市妇幼保健院"},
            "child": {
                "name": "徐安然",
                "sex": "F",
                "born_at": "2026-05-23T09:12:00+08:00",
                "weight_g": 3350,
            },
            "mother": {
                "id_number": make_id_number("330781", date(1993, 2, 14), 2),
                "name": "孟晓雯",
            },
            "father": (
                {"id_number": make_id_number("330781", date(1991, 7, 30), 1), "name": "徐志远"}
                if father
                else None
            ),
            "household_parent": "father" if father else "mother",
        },
    }
