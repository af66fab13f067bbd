"""Fuzzing each department service from its own OpenAPI document (schemathesis, in process).

Schemathesis generates requests, valid and invalid, for every operation the service documents;
whatever arrives, the service must not fail with a 5xx, and its answers must fit the documented
responses and content types. Examples are bounded so all six services take well under a minute.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.result import Ok

from departments.api import Faults
from departments.app import create_app
from onething.constants import DEPARTMENTS, Department
from onething.crypto.tokens import department_token
from onething.settings import Settings
from tests.unit.departments.conftest import bearer

pytestmark = pytest.mark.fuzz

EXAMPLES_PER_OPERATION = 25
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


def valid_and_invalid(operation: Any) -> st.SearchStrategy[Any]:
    """Requests that fit the operation's schema, and requests that break it."""
    return st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )


FUZZING = hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize("name", DEPARTMENTS)
def test_no_request_makes_a_department_fail(name: Department, settings: Settings) -> None:
    app = create_app(name, settings)
    headers = bearer(department_token(settings, name))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app, headers=headers)
    try:
        results = list(schema.get_all_operations())
        assert all(isinstance(r, Ok) for r in results), f"{name}: its OpenAPI document is invalid"
        operations = [r.ok() for r in results if isinstance(r, Ok)]
        assert operations, f"{name} documents no operation"
        for operation in operations:

            @FUZZING
            @given(case=valid_and_invalid(operation))
            def fuzz(case: Any) -> None:
                try:
                    response = case.call(headers=headers)
                finally:
                    # A fuzzed PUT /admin/faults must not slow or fail the requests after it.
                    app.state.faults.set(Faults())
                case.validate_response(response, checks=CHECKS)

            fuzz()
    finally:
        app.state.store.close()
