"""Formatters: each turns a run's findings into the text one kind of consumer reads.

A formatter is `format(result, sources=None) -> str`; `sources` gives the text of the files
behind the findings (what the engine read, else the file on disk)."""

from __future__ import annotations

from typing import Callable, Mapping, Optional

from lintkit.engine import RunResult
from lintkit.findings import Finding
from lintkit.report.github import github
from lintkit.report.junit import junit
from lintkit.report.sarif import sarif
from lintkit.report.sources import SourceTexts
from lintkit.report.text import as_json, concise, full, summary

Formatter = Callable[[RunResult, Optional[SourceTexts]], str]

FORMATTERS: dict[str, Formatter] = {
    "concise": concise,
    "full": full,
    "json": as_json,
    "sarif": sarif,
    "github": github,
    "junit": junit,
}


def render(result: RunResult, output_format: str, *, texts: Mapping[str, str] | None = None) -> str:
    """The report of `result` in `output_format`; `texts` overrides the text of files by the path
    findings show (an editor buffer read from stdin)."""
    return FORMATTERS[output_format](result, SourceTexts(result, texts))


__all__ = ["FORMATTERS", "Finding", "SourceTexts", "render", "summary"]
