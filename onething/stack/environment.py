"""The settings and environment every child of the stack runs with."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from onething.settings import Settings

ENV_PREFIX = "ONETHING_"


def resolve_settings(settings: Settings) -> Settings:
    """The settings with ``home`` made absolute, so children in any directory agree on it.

    Args:
        settings: The settings as read from the environment.

    Returns:
        A copy whose ``home`` is absolute.
    """
    return settings.model_copy(update={"home": settings.home.resolve()})


def settings_environment(settings: Settings) -> dict[str, str]:
    """The settings as ``ONETHING_*`` variables, with the Temporal and Kafka addresses in use.

    Args:
        settings: Resolved settings (see :func:`resolve_settings`).

    Returns:
        One variable per setting that has a value.
    """
    values: dict[str, object] = {
        **settings.model_dump(),
        "home": settings.home.resolve(),
        "temporal_address": settings.temporal_target,
        "kafka_bootstrap": settings.kafka_target,
    }
    env: dict[str, str] = {}
    for name, value in values.items():
        if value is None:
            continue
        key = f"{ENV_PREFIX}{name.upper()}"
        if isinstance(value, SecretStr):
            env[key] = value.get_secret_value()
        elif isinstance(value, Path):
            env[key] = str(value)
        elif isinstance(value, timedelta):
            seconds = value.total_seconds()
            # Never an exponent ("PT2.592e+06S" is no ISO 8601 duration).
            env[key] = f"PT{int(seconds)}S" if seconds.is_integer() else f"PT{seconds:f}S"
        elif isinstance(value, dict | list):
            env[key] = json.dumps(value, default=_seconds)
        else:
            env[key] = str(value)
    return env


def _seconds(value: Any) -> float:
    if isinstance(value, timedelta):
        return value.total_seconds()
    raise TypeError(f"cannot pass a {type(value).__name__} setting to a child")


def child_environment(settings: Settings, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a child: the parent's, overridden by the resolved settings.

    Args:
        settings: Resolved settings (see :func:`resolve_settings`).
        base: The environment to start from; the current process's by default.

    Returns:
        The full environment for the child.
    """
    env = dict(os.environ if base is None else base)
    env.update(settings_environment(settings))
    # Children log to files; unbuffered output keeps the logs current when a child crashes.
    env["PYTHONUNBUFFERED"] = "1"
    return env
