"""`lintkit check --statistics`: how many findings each rule reported, instead of the findings,
like `ruff check --statistics`: most frequent first, then by code."""

from __future__ import annotations

import json
from typing import Iterable

from lintkit.findings import Finding


def counts(findings: Iterable[Finding], *, unsafe: bool = False) -> list[tuple[str, str, int, int]]:
    """(code, name, count, how many `--fix` would fix) of every rule that reported, by count
    descending, then code."""
    from lintkit.fixes import applies

    by_code: dict[str, tuple[str, int, int]] = {}
    for finding in findings:
        name, count, fixable = by_code.get(finding.code, (finding.name, 0, 0))
        by_code[finding.code] = (name, count + 1, fixable + applies(finding.fix, unsafe))
    rows = ((code, name, count, fixable) for code, (name, count, fixable) in by_code.items())
    return sorted(rows, key=lambda row: (-row[2], row[0]))


def statistics_table(findings: Iterable[Finding], *, unsafe: bool = False) -> str:
    """One line per rule: the count (right-aligned), the code and the rule's name, separated by
    tabs as ruff does, the name marked `[*]` when `--fix` fixes some of them; nothing when there
    is no finding."""
    rows = counts(findings, unsafe=unsafe)
    width = max((len(str(row[2])) for row in rows), default=0)
    return "".join(f"{count:>{width}}\t{code}\t{'[*] ' if fixable else ''}{name}\n" for code, name, count, fixable in rows)


def statistics_json(findings: Iterable[Finding], *, unsafe: bool = False) -> str:
    """A list of `{"code", "name", "count", "fixable"}`, in the table's order."""
    rows = [
        {"code": code, "name": name, "count": count, "fixable": fixable}
        for code, name, count, fixable in counts(findings, unsafe=unsafe)
    ]
    return json.dumps(rows, indent=2) + "\n"
