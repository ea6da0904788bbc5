"""The formats people and editors read: concise lines, the full report, and JSON."""

from __future__ import annotations

import json

from lintkit.engine import RunResult
from lintkit.findings import Finding, Severity
from lintkit.report.colour import PLAIN, Style
from lintkit.report.sources import SourceTexts


def concise(result: RunResult, sources: SourceTexts | None = None, *, style: Style = PLAIN) -> str:
    """`path:line:col: CODE message`, 1-based: what flake8-era editors and problem matchers parse.
    A finding `--fix` would fix is marked `[*]` before its message, as ruff does."""
    return "".join(
        f"{_where(f, style)} {style.severity(f.code, f.severity)} {_mark(f, result)}{f.message_with_construct}\n"
        for f in result.findings
    )


def _mark(finding: Finding, result: RunResult) -> str:
    from lintkit.fixes import applies

    return "[*] " if applies(finding.fix, result.unsafe_fixes) else ""


def _where(finding: Finding, style: Style) -> str:
    """`path:line:col:`, the path and the position styled apart."""
    return style.path(finding.path) + style.location(f":{finding.line}:{finding.column}:")


def full(result: RunResult, sources: SourceTexts | None = None, *, style: Style = PLAIN, with_summary: bool = True) -> str:
    """Each finding with its severity, the source line with the span underlined, the CDK construct
    and the related places as notes; then a summary line (unless not `with_summary`: --quiet)."""
    sources = sources or SourceTexts(result)
    out: list[str] = []
    for finding in result.findings:
        code, label = style.severity(finding.code, finding.severity), style.severity(f"[{finding.severity.label}]", finding.severity)
        out.append(f"{_where(finding, style)} {code} {label} {finding.message}")
        out.extend(_snippet(finding, sources, style))
        if finding.construct_path:
            out.append(f"  = construct: {finding.construct_path}")
        if finding.fix is not None:
            out.append(f"  = fix ({finding.fix.applicability.value}): {finding.fix.title}")
        for related in finding.related:
            loc = related.location
            out.append(f"  = note: {loc.path}:{loc.line}:{loc.column}: {related.message}")
        out.append("")
    if with_summary:
        out.append(summary(result, style))
    elif out:
        out.pop()  # the blank line after the last finding
    return "".join(line + "\n" for line in out)


def _snippet(finding: Finding, sources: SourceTexts, style: Style = PLAIN) -> list[str]:
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
    underline = " " * (finding.column - 1) + style.severity("^" * max(width, 1), finding.severity)
    return [f"{pad} |", f"{gutter} | {source}", f"{pad} | {underline}"]


def summary(result: RunResult, style: Style = PLAIN) -> str:
    """`Found 3 findings (1 error, 2 warnings) in 4 files checked.` / `No findings (...)`: the
    last line of the full report, and of concise output on a terminal. It never starts like a
    `path:line:col:` finding line, so tools reading those lines skip it."""
    findings = result.findings
    files = result.files_checked
    checked = f"{files} file{'s' if files != 1 else ''} checked"
    fixed = f"Fixed {_count(len(result.fixed))}. " if result.fixed else ""
    if not findings:
        return style.success(f"{fixed}No findings{' remain' if fixed else ''}") + f" ({checked})."
    counts = []
    for severity in sorted(Severity, reverse=True):
        n = sum(1 for f in findings if f.severity is severity)
        if n:
            counts.append(style.severity(f"{n} {severity.label}{'s' if n != 1 else ''}", severity))
    total = len(findings)
    line = style.strong(f"{fixed}Found {_count(total)}") + f" ({', '.join(counts)}) in {checked}."
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
