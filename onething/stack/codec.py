"""The codec server part, and the local secrets every part needs before it starts."""

from __future__ import annotations

import sys

from onething.crypto.codec_server import PART
from onething.crypto.secret_files import SecretConfigError
from onething.crypto.tokens import codec_token_path, ensure_local_secrets
from onething.runfiles import ready_file
from onething.settings import Settings
from onething.stack.errors import StackError
from onething.stack.health import ready_file_health
from onething.stack.parts import Part
from onething.stack.ports import Port


def codec_part(settings: Settings) -> Part:
    """The codec server, healthy once it has written its ready file.

    Args:
        settings: Resolved settings.

    Returns:
        The part.
    """
    return Part(
        name=PART,
        argv=(sys.executable, "-m", "onething.crypto.codec_server"),
        health=ready_file_health(ready_file(settings, PART)),
        ports=(Port(settings.local_codec_port, "payload codec server"),),
        after=(),
    )


def prepare_local_secrets(settings: Settings) -> None:
    """Create the payload keys and tokens the settings do not supply, before any part starts.

    Every part would create them lazily too; doing it first means no part ever races another.

    Args:
        settings: Resolved settings.

    Raises:
        StackError: An existing secret is exposed or malformed.
    """
    try:
        ensure_local_secrets(settings)
    except SecretConfigError as error:
        raise StackError(str(error)) from None


def codec_usage(settings: Settings) -> str:
    """How to read a case's decrypted history with the ``temporal`` CLI (the token not shown).

    Args:
        settings: Resolved settings.

    Returns:
        One command line.
    """
    token = (
        "$ONETHING_CODEC_TOKEN"
        if settings.codec_token is not None
        else f"$(cat {codec_token_path(settings.home)})"
    )
    return (
        f"temporal workflow show --address {settings.temporal_target} "
        f"--namespace {settings.temporal_namespace} --codec-endpoint {settings.codec_url} "
        f'--codec-auth "Bearer {token}" --workflow-id CASE_ID'
    )
