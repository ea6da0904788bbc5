"""Inline suppression comments, in Python and YAML alike.

- `# noqa: LK501` (flake8-compatible; a bare `# noqa` does not silence lintkit rules: it is
  too often written for another tool) and `# lintkit: ignore[LK501, LK502]`;
  a bare `# lintkit: ignore` silences every lintkit rule on that line.
- On the finding's line, or alone on the line directly above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ALL = "*"
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*lintkit\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
_CODE = re.compile(r"[A-Za-z]+[0-9]+")


@dataclass
class Suppressions:
    by_line: dict[int, set[str]] = field(default_factory=dict)  # line -> codes (or {ALL})
    comment_only: set[int] = field(default_factory=set)  # lines holding nothing but the comment
    # (line, column, code) of LK codes named in a suppression that no rule has
    unknown: list[tuple[int, int, str]] = field(default_factory=list)

    def covers(self, line: int, code: str) -> bool:
        codes = self.by_line.get(line)
        if codes is not None and (code in codes or ALL in codes):
            return True
        above = line - 1
        if above in self.comment_only:
            codes = self.by_line.get(above)
            return codes is not None and (code in codes or ALL in codes)
        return False


def scan(text: str, known_codes: frozenset[str] | set[str]) -> Suppressions:
    found = Suppressions()
    lowered = text.lower()
    if "noqa" not in lowered and "lintkit" not in lowered:
        return found
    for number, line in enumerate(text.splitlines(), start=1):
        if "#" not in line:
            continue
        codes: set[str] = set()
        for match in _NOQA.finditer(line):
            start = match.start("codes")
            for code in _CODE.finditer(match.group("codes")):
                name = code.group().upper()
                if name.startswith("LK"):  # other tools' codes share noqa comments
                    _add(found, codes, name, number, start + code.start() + 1, known_codes)
        for match in _IGNORE.finditer(line):
            listed = match.group("codes")
            if listed is None or not listed.strip():
                codes.add(ALL)
                continue
            start = match.start("codes")
            for code in _CODE.finditer(listed):
                _add(found, codes, code.group().upper(), number, start + code.start() + 1, known_codes)
        if codes:
            found.by_line[number] = codes
            if line.lstrip().startswith("#"):
                found.comment_only.add(number)
    return found


def _add(found: Suppressions, codes: set[str], code: str, line: int, column: int, known: frozenset[str] | set[str]) -> None:
    if code in known:
        codes.add(code)
    else:
        found.unknown.append((line, column, code))
