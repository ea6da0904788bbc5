"""Formatters: each turns a run's findings into the text one kind of consumer reads.

A formatter is `format(result, sources=None) -> str`; `sources` gives the text of the files
behind the findings (what the engine read, else the file on disk)."""

from __future__ import annotations

from typing import Callable, Mapping, Optional

from lintkit.engine import RunResult
from lintkit.findings import Finding
from lintkit.report.github import github
from lintkit.report.colour import PLAIN, Style
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


# The formats people read: they take a `Style` (colour) and may leave out their summary.
HUMAN_FORMATS = ("concise", "full")


def render(
    result: RunResult,
    output_format: str,
    *,
    texts: Mapping[str, str] | None = None,
    style: Style = PLAIN,
    with_summary: bool = True,
) -> str:
    """The report of `result` in `output_format`; `texts` overrides the text of files by the path
    findings show (an editor buffer read from stdin). `style` colours the human formats (never
    the machine ones); `with_summary` False leaves the full report's summary out (--quiet)."""
    sources = SourceTexts(result, texts)
    if output_format == "full":
        return full(result, sources, style=style, with_summary=with_summary)
    if output_format == "concise":
        return concise(result, sources, style=style)
    return FORMATTERS[output_format](result, sources)


__all__ = ["FORMATTERS", "HUMAN_FORMATS", "PLAIN", "Finding", "SourceTexts", "Style", "render", "summary"]
