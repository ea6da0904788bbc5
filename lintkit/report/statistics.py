"""`lintkit check --statistics`: how many findings each rule reported, instead of the findings,
like `ruff check --statistics`: most frequent first, then by code."""

from __future__ import annotations

import json
from typing import Iterable

from lintkit.findings import Finding


def counts(findings: Iterable[Finding]) -> list[tuple[str, str, int]]:
    """(code, name, count) of every rule that reported, by count descending, then code."""
    by_code: dict[str, tuple[str, int]] = {}
    for finding in findings:
        name, count = by_code.get(finding.code, (finding.name, 0))
        by_code[finding.code] = (name, count + 1)
    return sorted(((code, name, count) for code, (name, count) in by_code.items()), key=lambda row: (-row[2], row[0]))


def statistics_table(findings: Iterable[Finding]) -> str:
    """One line per rule: the count (right-aligned), the code and the rule's name, separated by
    tabs as ruff does; nothing when there is no finding."""
    rows = counts(findings)
    width = max((len(str(count)) for _, _, count in rows), default=0)
    return "".join(f"{count:>{width}}\t{code}\t{name}\n" for code, name, count in rows)


def statistics_json(findings: Iterable[Finding]) -> str:
    """A list of `{"code", "name", "count"}`, in the table's order."""
    rows = [{"code": code, "name": name, "count": count} for code, name, count in counts(findings)]
    return json.dumps(rows, indent=2) + "\n"
