"""A department's rate limit reaches its task queue's worker, and bad limits are refused."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from unittest import mock

import pytest
from pydantic import ValidationError
from temporalio.testing import WorkflowEnvironment

from onething.constants import department_task_queue
from onething.settings import Settings
from tests.helpers.temporal import start_local_temporal
from workers.departments import build_workers


@pytest.fixture(scope="module")
async def temporal_env() -> AsyncIterator[WorkflowEnvironment]:
    env = await start_local_temporal()
    try:
        yield env
    finally:
        await env.shutdown()


def _settings(**env: str) -> Settings:
    with mock.patch.dict(os.environ, env, clear=True):
        return Settings()


async def test_each_worker_gets_its_departments_limit(temporal_env: WorkflowEnvironment) -> None:
    settings = _settings(ONETHING_DEPARTMENT_RATE_LIMITS='{"tax": 2.5, "police": 40}')

    workers = build_workers(temporal_env.client, ["tax", "police", "health"], settings=settings)

    limits = {w.task_queue: w.config()["max_task_queue_activities_per_second"] for w in workers}
    assert limits == {
        department_task_queue("tax"): 2.5,
        department_task_queue("police"): 40.0,
        department_task_queue("health"): None,
    }


def test_no_setting_means_no_limit() -> None:
    assert _settings().department_rate_limits == {}
    assert _settings().department_rate_limit("tax") is None


@pytest.mark.parametrize(
    ("value", "named"),
    [('{"taxes": 5}', "unknown departments ['taxes']"), ('{"tax": 0}', "for ['tax']")],
)
def test_a_bad_limit_names_the_setting(value: str, named: str) -> None:
    with pytest.raises(ValidationError) as raised:
        _settings(ONETHING_DEPARTMENT_RATE_LIMITS=value)

    assert "ONETHING_DEPARTMENT_RATE_LIMITS" in str(raised.value)
    assert named in str(raised.value)
