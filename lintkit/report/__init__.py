"""Formatters: each turns a run's findings into the text one kind of consumer reads."""

from __future__ import annotations

import json
from typing import Callable

from lintkit.engine import RunResult
from lintkit.findings import Finding, Severity


def concise(result: RunResult) -> str:
    """`path:line:col: CODE message`, 1-based: what flake8-era editors and problem matchers parse."""
    return "".join(f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}\n" for f in result.findings)


def full(result: RunResult) -> str:
    """Concise lines plus the source line with a caret under the column, and a summary."""
    out: list[str] = []
    lines_cache: dict[str, list[str]] = {}
    texts = _texts(result)
    for finding in result.findings:
        out.append(f"{finding.path}:{finding.line}:{finding.column}: {finding.code} [{finding.severity.label}] {finding.message}")
        lines = lines_cache.setdefault(finding.path, texts.get(finding.path, "").splitlines())
        if 0 < finding.line <= len(lines):
            source = lines[finding.line - 1].rstrip().expandtabs(1)
            gutter = str(finding.line)
            pad = " " * len(gutter)
            out.append(f"{pad} |")
            out.append(f"{gutter} | {source}")
            out.append(f"{pad} | {' ' * (finding.column - 1)}^")
        if finding.construct_path:
            out.append(f"  construct: {finding.construct_path}")
        for related in finding.related:
            loc = related.location
            out.append(f"  = note: {loc.path}:{loc.line}:{loc.column}: {related.message}")
        out.append("")
    out.append(summary(result))
    return "\n".join(out) + "\n"


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


def as_json(result: RunResult) -> str:
    return json.dumps([f.to_dict() for f in result.findings], indent=2) + "\n"


def _texts(result: RunResult) -> dict[str, str]:
    project = result.project
    if project is None:
        return {}
    texts = {t.path: t.text for t in project.templates}
    texts.update({m.path: m.text for m in project.modules.values()})
    return texts


FORMATTERS: dict[str, Callable[[RunResult], str]] = {
    "concise": concise,
    "full": full,
    "json": as_json,
}


def render(result: RunResult, output_format: str) -> str:
    return FORMATTERS[output_format](result)


__all__ = ["FORMATTERS", "render", "summary", "Finding"]
