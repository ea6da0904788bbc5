"""Inline suppression comments, in Python and YAML alike.

- `# noqa: LK501` (flake8-compatible; a bare `# noqa` does not silence lintkit rules: it is
  too often written for another tool) and `# lintkit: ignore[LK501, LK502]`;
  a bare `# lintkit: ignore` silences every lintkit rule on that line.
- On the finding's line, or alone on the line directly above it.
- Only real comments count: in Python, text inside strings and docstrings is not a comment.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Iterator

from lintkit.text import split_lines

ALL = "*"
_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*(?:[\s,]+[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*)*)", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*lintkit\s*:\s*ignore\b(?:\[(?P<codes>[^\]]*)\])?", re.IGNORECASE)
# a code as written, typos included (`LK5O4` is reported as LK5O4, not cut short at `LK5`)
_CODE = re.compile(r"[A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*")


@dataclass
class Suppressions:
    by_line: dict[int, set[str]] = field(default_factory=dict)  # line -> codes (or {ALL})
    comment_only: set[int] = field(default_factory=set)  # lines holding nothing but the comment
    # (line, column, code) of LK codes named in a suppression that no rule has
    unknown: list[tuple[int, int, str]] = field(default_factory=list)
    # (line, code or ALL) -> the 1-based column where the comment names it (ALL: its `#`)
    columns: dict[tuple[int, str], int] = field(default_factory=dict)

    def covers(self, line: int, code: str) -> bool:
        return bool(self.matches(line, code))

    def matches(self, line: int, code: str) -> list[tuple[int, str]]:
        """The entries that silence `code` on `line`, as (line of the comment, code or ALL): a
        comment on the line itself, and one alone on the line above."""
        found = []
        for where in (line, line - 1):
            if where != line and where not in self.comment_only:
                continue
            codes = self.by_line.get(where)
            if codes is None:
                continue
            found.extend((where, entry) for entry in (code, ALL) if entry in codes)
        return found


def scan(text: str, known_codes: frozenset[str] | set[str], *, python: bool = False) -> Suppressions:
    found = Suppressions()
    lowered = text.lower()
    if "noqa" not in lowered and "lintkit" not in lowered:
        return found
    for number, column, comment, alone in _comments(text, python):
        codes: set[str] = set()
        for match in _NOQA.finditer(comment):
            start = column + match.start("codes")
            for code in _CODE.finditer(match.group("codes")):
                name = code.group().upper()
                if name.startswith("LK"):  # other tools' codes share noqa comments
                    _add(found, codes, name, number, start + code.start(), known_codes)
        for match in _IGNORE.finditer(comment):
            listed = match.group("codes")
            if listed is None or not listed.strip():
                codes.add(ALL)
                found.columns.setdefault((number, ALL), column + match.start())
                continue
            start = column + match.start("codes")
            for code in _CODE.finditer(listed):
                _add(found, codes, code.group().upper(), number, start + code.start(), known_codes)
        if codes:
            found.by_line.setdefault(number, set()).update(codes)
            if alone:
                found.comment_only.add(number)
    return found


def _comments(text: str, python: bool) -> Iterator[tuple[int, int, str, bool]]:
    """(line, 1-based column of the `#`, the comment text, whether the line holds nothing else).

    Python comments come from the tokenizer, so a `# noqa` inside a string is not one. Other
    files (YAML) take a `#` at the start of a line or after white space, as YAML does."""
    lines = split_lines(text)
    if python:
        try:
            for token in tokenize.generate_tokens(io.StringIO(text).readline):
                if token.type == tokenize.COMMENT:
                    line, col = token.start
                    before = lines[line - 1][:col] if line <= len(lines) else ""
                    yield line, col + 1, token.string, not before.strip()
            return
        except (tokenize.TokenError, SyntaxError, IndentationError):
            pass  # a file the tokenizer refuses: fall back to reading it as text
    for number, line in enumerate(lines, start=1):
        index = line.find("#")
        while index != -1 and index > 0 and not line[index - 1].isspace():
            index = line.find("#", index + 1)
        if index != -1:
            yield number, index + 1, line[index:], not line[:index].strip()


def _add(found: Suppressions, codes: set[str], code: str, line: int, column: int, known: frozenset[str] | set[str]) -> None:
    if code in known:
        codes.add(code)
        found.columns.setdefault((line, code), column)
    else:
        found.unknown.append((line, column, code))


def removal(text: str, line: int, column: int, entry: str) -> tuple[int, int, int, int, str] | None:
    """The edit that takes one unused entry out of a suppression comment, as (line, column,
    end line, end column, replacement), 1-based: the code and its separator when the comment
    names other codes too (another tool's included: `# noqa: E501, LK501` keeps `E501`); the
    whole directive when it names only this one (or is a bare `# lintkit: ignore`), with the
    blanks before it; the whole line when the comment was alone on it. None when the comment
    is not where `column` says (the text changed)."""
    lines = split_lines(text)
    if not 0 < line <= len(lines):
        return None
    source = lines[line - 1]
    at = column - 1
    for pattern in (_NOQA, _IGNORE):
        for match in pattern.finditer(source):
            if not match.start() <= at < match.end():
                continue
            codes = list(_CODE.finditer(match.group("codes") or "")) if match.group("codes") else []
            offset = match.start("codes") if match.group("codes") is not None else 0
            spans = [(offset + c.start(), offset + c.end()) for c in codes]
            if entry == ALL or len(spans) <= 1:
                if entry != ALL and (not spans or spans[0][0] != at):
                    return None
                start = match.start()
                while start > 0 and source[start - 1] in " \t":
                    start -= 1
                if not source[:start].strip():  # the comment was the line: the whole line goes
                    if line < len(lines):
                        return line, 1, line + 1, 1, ""
                    return line, 1, line, len(source) + 1, ""
                return line, start + 1, line, match.end() + 1, ""
            index = next((i for i, (begin, _) in enumerate(spans) if begin == at), None)
            if index is None:
                return None
            begin, end = spans[index]
            if index + 1 < len(spans):  # `LK501, LK502`: up to the next code
                end = spans[index + 1][0]
            else:  # the last one: from the end of the one before
                begin = spans[index - 1][1]
            return line, begin + 1, line, end + 1, ""
    return None
