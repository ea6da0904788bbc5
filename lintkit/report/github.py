"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

    ::error file=app.py,line=10,col=9,endLine=10,endColumn=20,title=LK504::message

The level follows the finding's severity (error, warning, and info as `notice`). GitHub's
annotations take columns only within one line, so a finding that spans several lines is
annotated at its start (line and column, no end). Data is escaped as GitHub documents: `%`,
CR and LF everywhere, and also `:` and `,` inside the properties.
"""

from __future__ import annotations

from lintkit.engine import RunResult
from lintkit.findings import Finding, Severity
from lintkit.report.sources import SourceTexts

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(result: RunResult, sources: SourceTexts | None = None) -> str:
    return "".join(command(finding) + "\n" for finding in result.findings)


def command(finding: Finding) -> str:
    loc = finding.location
    properties = [("file", loc.path), ("line", str(loc.line)), ("col", str(loc.column))]
    if loc.end_line == loc.line and loc.end_column is not None and loc.end_column > loc.column:
        properties += [("endLine", str(loc.end_line)), ("endColumn", str(loc.end_column))]
    properties.append(("title", finding.code))
    rendered = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{COMMANDS[finding.severity]} {rendered}::{escape_data(finding.message_with_construct)}"
