"""The formats people and editors read: concise lines, the full report, and JSON."""

from __future__ import annotations

import json

from lintkit.engine import RunResult
from lintkit.findings import Finding, Severity
from lintkit.report.sources import SourceTexts


def concise(result: RunResult, sources: SourceTexts | None = None) -> str:
    """`path:line:col: CODE message`, 1-based: what flake8-era editors and problem matchers parse.
    A finding `--fix` would fix is marked `[*]` before its message, as ruff does."""
    return "".join(
        f"{f.path}:{f.line}:{f.column}: {f.code} {_mark(f, result)}{f.message_with_construct}\n" for f in result.findings
    )


def _mark(finding: Finding, result: RunResult) -> str:
    from lintkit.fixes import applies

    return "[*] " if applies(finding.fix, result.unsafe_fixes) else ""


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
        if finding.fix is not None:
            out.append(f"  = fix ({finding.fix.applicability.value}): {finding.fix.title}")
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
    fixed = f"Fixed {_count(len(result.fixed))}. " if result.fixed else ""
    if not findings:
        return f"{fixed}No findings{' remain' if fixed else ''} ({checked})."
    counts = []
    for severity in sorted(Severity, reverse=True):
        n = sum(1 for f in findings if f.severity is severity)
        if n:
            counts.append(f"{n} {severity.label}{'s' if n != 1 else ''}")
    total = len(findings)
    line = f"{fixed}Found {_count(total)} ({', '.join(counts)}) in {checked}."
    return line + _fixable(result)


def _count(n: int) -> str:
    return f"{n} finding{'s' if n != 1 else ''}"


def _fixable(result: RunResult) -> str:
    from lintkit.fixes import summary_counts

    fixable, unsafe = summary_counts(result.findings, unsafe=result.unsafe_fixes)
    parts = []
    if fixable:
        parts.append(f"{fixable} fixable with --fix{' --unsafe-fixes' if result.unsafe_fixes else ''}")
    if unsafe:
        parts.append(f"{unsafe} more with --unsafe-fixes")
    return f" {'; '.join(parts)}." if parts else ""


def as_json(result: RunResult, sources: SourceTexts | None = None) -> str:
    return json.dumps([f.to_dict() for f in result.findings], indent=2) + "\n"
