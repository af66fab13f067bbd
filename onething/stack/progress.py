"""Whether a starting part is getting anywhere: what it says it is doing, and its log growing.

A part started on a busy machine may need minutes where an idle one needs seconds; a fixed
deadline fails the first. Instead a part fails only when it shows no progress for the stall
timeout: no new line in its progress file (``run/<part>.progress``, see
:func:`onething.runfiles.report_progress`) and no new output in its log.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

#: The longest a last log line may be when it stands for what a part was doing.
_MAX_ACTIVITY_CHARS = 160


class ProgressWatch:
    """Follows one part's progress file and log between polls.

    Args:
        progress_path: The part's progress file, or None if it writes none.
        log_path: The part's log, or None for an existing service.
        on_text: Receives each new line of the progress file.
    """

    def __init__(
        self,
        *,
        progress_path: Path | None,
        log_path: Path | None,
        on_text: Callable[[str], None] = lambda _: None,
    ) -> None:
        self.progress_path = progress_path
        self.log_path = log_path
        self._on_text = on_text
        self._text: str | None = None
        self._log_size = self._size()

    def restart(self) -> None:
        """Forget what an earlier process of the part said: a new one is about to start."""
        if self.progress_path is not None:
            self.progress_path.unlink(missing_ok=True)
        self._text = None
        self._log_size = self._size()

    def poll(self) -> bool:
        """Whether the part made progress since the last poll.

        Returns:
            True when its progress file holds a new line or its log grew.
        """
        advanced = False
        text = self._read_text()
        if text is not None and text != self._text:
            self._text = text
            self._on_text(text)
            advanced = True
        size = self._size()
        if size != self._log_size:
            self._log_size = size
            advanced = True
        return advanced

    @property
    def last_activity(self) -> str:
        """What the part last said it was doing, else its last log line, else ``starting``."""
        if self._text is not None:
            return self._text
        line = self._last_log_line()
        if line:
            return f"its log last said: {line[:_MAX_ACTIVITY_CHARS]}"
        return "starting, with nothing reported"

    def _read_text(self) -> str | None:
        if self.progress_path is None:
            return None
        with contextlib.suppress(OSError, UnicodeDecodeError):
            return self.progress_path.read_text().strip() or None
        return None

    def _size(self) -> int:
        if self.log_path is None:
            return 0
        try:
            return self.log_path.stat().st_size
        except OSError:
            return 0

    def _last_log_line(self) -> str:
        if self.log_path is None:
            return ""
        with contextlib.suppress(OSError), self.log_path.open("rb") as log:
            log.seek(max(0, self._size() - 4096))
            lines = log.read().decode(errors="replace").splitlines()
            return next((line.strip() for line in reversed(lines) if line.strip()), "")
        return ""
