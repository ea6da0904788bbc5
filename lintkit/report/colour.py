"""Colour for the formats people read (concise and full): ANSI styles made by click, decided
once per run (`colour_wanted`) and handed to the formatters as a `Style`. Machine formats and
reports written to a file are never coloured.

    NO_COLOR=1     no colour, even on a terminal (https://no-color.org)
    FORCE_COLOR=1  colour even when piped (https://force-color.org)

Both count when set to any non-empty value; when both are set, NO_COLOR wins: it is the
user's "never", and no-color.org asks every program to honour it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

import click

from lintkit.findings import Severity

SEVERITY_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def colour_wanted(*, terminal: bool, environ: Mapping[str, str] | None = None) -> bool:
    """Colour or not, for output that goes to a terminal (`terminal`) or not."""
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return terminal


@dataclass(frozen=True)
class Style:
    """The styles of the parts of a finding line and of the summary; plain text when not
    `enabled`, so the formatters call it unconditionally."""

    enabled: bool = False

    def _paint(self, text: str, **styles) -> str:
        return click.style(text, **styles) if self.enabled else text

    def path(self, text: str) -> str:
        return self._paint(text, bold=True)

    def location(self, text: str) -> str:
        """`:line:col:` after the path."""
        return self._paint(text, fg="cyan")

    def severity(self, text: str, severity: Severity) -> str:
        """A code, a severity label or the underline of a span, in the colour of the severity."""
        return self._paint(text, fg=SEVERITY_COLOURS[severity], bold=True if severity is Severity.ERROR else None)

    def strong(self, text: str) -> str:
        return self._paint(text, bold=True)

    def success(self, text: str) -> str:
        return self._paint(text, fg="green", bold=True)


PLAIN = Style()
