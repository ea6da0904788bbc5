"""The formats people and editors read: concise lines, the full report, and JSON."""

from __future__ import annotations

import json

from lintkit.engine import RunResult
from lintkit.findings import Finding, Severity
from lintkit.report.sources import SourceTexts


def concise(result: RunResult, sources: SourceTexts | None = None) -> str:
    """`path:line:col: CODE message`, 1-based: what flake8-era editors and problem matchers parse."""
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message_with_construct}\n" for f in result.findings)


def full(result: RunResult, sources: SourceTexts | None = None) -> str:
    """Each finding with its severity, the source line with the span underlined, the CDK construct
    and the related places as notes; then a summary line."""
    sources = sources or SourceTexts(result)
    out: list[str] = []
    for finding in result.findings:
        out.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} [{finding.severity.label}] {finding.message}")
        out.extend(_snippet(finding, sources))
        if finding.construct_path:
            out.append(f"  = construct: {finding.construct_path}")
        for related in finding.related:
            loc = related.location
            out.append(f"  = note: {loc.path}:{loc.line}:{loc.column}: {related.message}")
        out.append("")
    out.append(summary(result))
    return "\n".join(out) + "\n"


def _snippet(finding: Finding, sources: SourceTexts) -> list[str]:
    source = sources.line(finding.path, finding.line)
    if source is None:
        return []
    # one column per character, so the caret lines up whatever the tab width
    source = source.rstrip().expandtabs(1)
    gutter = str(finding.line)
    pad = " " * len(gutter)
    loc = finding.location
    width = 1
    if loc.end_line == loc.line and loc.end_column is not None and loc.end_column > loc.column:
        width = min(loc.end_column, len(source) + 1) - loc.column
    marker = " " * (finding.column - 1) + "^" * max(width, 1)
    return [f"{pad} |", f"{gutter} | {source}", f"{pad} | {marker}"]


def summary(result: RunResult) -> str:
    findings = result.findings
    files = result.files_checked
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    if not findings:
        return f"No findings ({checked})."
    counts = []
    for severity in sorted(Severity, reverse=True):
        n = sum(1 for f in findings if f.severity is severity)
        if n:
            counts.append(f"{n} {severity.label}{'s' if n != 1 else ''}")
    total = len(findings)
    return f"Found {total} finding{'s' if total != 1 else ''} ({', '.join(counts)}) in {checked}."


def as_json(result: RunResult, sources: SourceTexts | None = None) -> str:
    return json.dumps([f.to_dict() for f in result.findings], indent=2) + "\n"
