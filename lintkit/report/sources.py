"""The text behind a run's findings, for formatters that show or fingerprint source lines."""

from __future__ import annotations

import os
from typing import Mapping

from lintkit.engine import RunResult
from lintkit.text import split_lines

# A file bigger than this is not read back just to show one of its lines.
MAX_READ_BYTES = 8 * 1024 * 1024


class SourceTexts:
    """The text of each file a run looked at, by the path findings show.

    What the engine parsed comes first (so an editor buffer checked from stdin is shown as the
    editor has it); a file the engine could not parse (an LK001 finding) is read back from disk,
    so that the finding that most needs its source line still gets it."""

    def __init__(self, result: RunResult, texts: Mapping[str, str] | None = None) -> None:
        self._texts: dict[str, str] = {}
        project = result.project
        if project is not None:
            self._texts.update({t.path: t.text for t in project.templates})
            self._texts.update({m.path: m.text for m in project.modules.values()})
        self._texts.update(texts or {})
        self._lines: dict[str, list[str]] = {}

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = _read(path)
        return self._texts[path] or None

    def line(self, path: str, number: int) -> str | None:
        """Line `number` (1-based) of `path` without its line ending, or None when unknown."""
        lines = self._lines.get(path)
        if lines is None:
            lines = self._lines[path] = split_lines(self.text(path) or "")
        if 0 < number <= len(lines):
            return lines[number - 1]
        return None


def _read(path: str) -> str:
    try:
        if os.path.getsize(path) > MAX_READ_BYTES:
            return ""
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return ""
    if b"\x00" in data:
        return ""
    return data.decode("utf-8-sig", errors="replace")
