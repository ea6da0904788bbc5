"""Fixes: turning a finding's `Fix` into text edits, choosing the ones a run applies, applying
them, and showing them as a diff.

A template fix carries its edits (the loader knows where every key is written). A Python fix is
a libcst codemod (`@codemod("name")`, registered by the rule's module) run only when the fix is
wanted: `materialize` gives it the file's text and the finding's location, and turns the text it
returns into the edits that differ (hunks of changed lines, cut down to the characters that
changed), so comments and formatting outside them are untouched by construction.

`lintkit check --fix` applies fixes in passes, like ruff: each pass applies every chosen fix
whose edits do not overlap an edit already taken in that pass, then checks again; fixes that
overlapped come back in a later pass, against the new text. At most `MAX_PASSES` passes.
"""

from __future__ import annotations

import bisect
import difflib
import json
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from lintkit.findings import Applicability, Edit, Finding, Fix, Location
from lintkit.text import LINE_BREAK

MAX_PASSES = 10

# A codemod: the file's text, the finding's location and the fix's arguments, to the new text
# of the file, or the edits that make it (None or () when it cannot make the change after all).
Codemod = Callable[[str, Location, dict], "str | tuple[Edit, ...] | None"]
CODEMODS: dict[str, Codemod] = {}


def codemod(name: str) -> Callable[[Codemod], Codemod]:
    """Register a codemod under `name` (a rule module does this at import)."""

    def register(function: Codemod) -> Codemod:
        CODEMODS[name] = function
        return function

    return register


def python_fix(title: str, applicability: Applicability, name: str, **arguments: object) -> Fix:
    """A fix made by the codemod `name` with JSON `arguments`, when it is wanted."""
    return Fix(title, applicability, codemod=name, arguments=json.dumps(arguments, sort_keys=True))


def applies(fix: Fix | None, unsafe: bool) -> bool:
    """Whether a run with (or without) `--unsafe-fixes` applies `fix`."""
    if fix is None:
        return False
    if fix.applicability is Applicability.SAFE:
        return True
    return unsafe and fix.applicability is Applicability.UNSAFE


# -- making edits --------------------------------------------------------------------------


def materialize(finding: Finding, text: str | None) -> Finding:
    """The finding with its codemod run (its fix then has edits), or without a fix when the
    codemod cannot make one on this text. A finding whose fix has its edits is returned as is."""
    fix = finding.fix
    if fix is None or fix.codemod is None:
        return finding
    from lintkit.rule import registry

    registry()  # the rule modules register their codemods when imported
    function = CODEMODS.get(fix.codemod)
    new = None
    if function is not None and text is not None:
        try:
            new = function(text, finding.location, json.loads(fix.arguments))
        except Exception:  # noqa: BLE001 - a codemod that fails leaves the finding without a fix
            new = None
    if isinstance(new, tuple):  # the codemod made its edits itself
        return replace(finding, fix=replace(fix, edits=new, codemod=None, arguments="{}")) if new else replace(finding, fix=None)
    if new is None or new == text:
        return replace(finding, fix=None)
    return replace(finding, fix=replace(fix, edits=edits_between(finding.path, text, new), codemod=None, arguments="{}"))


def materialize_all(findings: Iterable[Finding], text_of: Callable[[str], "str | None"]) -> list[Finding]:
    return [materialize(f, text_of(f.path)) if f.fix is not None and f.fix.codemod else f for f in findings]


def _lines(text: str) -> list[str]:
    """The lines of `text` with their endings (\\r\\n, \\r or \\n, as findings count lines)."""
    lines, start = [], 0
    for match in LINE_BREAK.finditer(text):
        lines.append(text[start : match.end()])
        start = match.end()
    if start < len(text) or not lines:
        lines.append(text[start:])
    return lines


def _line_starts(text: str) -> list[int]:
    return [0] + [match.end() for match in LINE_BREAK.finditer(text)]


def _position(starts: list[int], offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line = bisect.bisect_right(starts, offset) - 1
    return line + 1, offset - starts[line] + 1


def edits_between(path: str, old: str, new: str) -> tuple[Edit, ...]:
    """The edits that turn `old` into `new`: one per run of changed lines, each cut down to the
    characters that differ."""
    old_lines, new_lines = _lines(old), _lines(new)
    starts = _line_starts(old)
    edits: list[Edit] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        base = starts[i1] if i1 < len(starts) else len(old)
        removed, added = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        prefix = 0
        while prefix < min(len(removed), len(added)) and removed[prefix] == added[prefix]:
            prefix += 1
        suffix = 0
        while suffix < min(len(removed), len(added)) - prefix and removed[-1 - suffix] == added[-1 - suffix]:
            suffix += 1
        start, end = base + prefix, base + len(removed) - suffix
        line, column = _position(starts, start)
        end_line, end_column = _position(starts, end)
        edits.append(Edit(path, line, column, end_line, end_column, added[prefix : len(added) - suffix]))
    return tuple(edits)


# -- applying edits ------------------------------------------------------------------------


def _offset(starts: list[int], text: str, line: int, column: int) -> int:
    if line > len(starts):
        return len(text)
    return min(starts[line - 1] + column - 1, len(text))


def _span(starts: list[int], text: str, edit: Edit) -> tuple[int, int]:
    return _offset(starts, text, edit.line, edit.column), _offset(starts, text, edit.end_line, edit.end_column)


def apply_edits(text: str, edits: Iterable[Edit]) -> str:
    """`text` with `edits` (of one file, not overlapping) applied."""
    starts = _line_starts(text)
    spans = sorted(((*_span(starts, text, e), e.content) for e in edits), reverse=True)
    for start, end, content in spans:
        text = text[:start] + content + text[end:]
    return text


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    # two insertions at one place, or an insertion inside a replaced span, overlap too
    return a[0] < b[1] and b[0] < a[1] or a[0] == b[0]


@dataclass
class Pass:
    """The fixes one pass applies, and the new text of each file they change."""

    fixed: list[Finding] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)  # display path -> new text


def choose(findings: Iterable[Finding], text_of: Callable[[str], "str | None"], *, unsafe: bool) -> Pass:
    """Apply every fix the run applies whose edits overlap none taken before it (in file and
    position order); the others wait for the next pass. A fix whose file cannot be read, or
    whose edits fall outside the text, is left out."""
    chosen = Pass()
    taken: dict[str, list[tuple[int, int]]] = {}
    starts_of: dict[str, tuple[str, list[int]]] = {}
    pending: dict[str, list[Edit]] = {}
    wanted = [f for f in findings if applies(f.fix, unsafe)]  # a codemod is run only for a fix applied
    candidates = [f for f in materialize_all(wanted, text_of) if f.fix is not None and f.fix.edits]
    candidates.sort(key=lambda f: (min(f.fix.edits), f.code))  # type: ignore[union-attr]
    for finding in candidates:
        spans: list[tuple[str, tuple[int, int]]] = []
        for edit in finding.fix.edits:  # type: ignore[union-attr]
            if edit.path not in starts_of:
                text = text_of(edit.path)
                if text is None:
                    break
                starts_of[edit.path] = (text, _line_starts(text))
            text, starts = starts_of[edit.path]
            spans.append((edit.path, _span(starts, text, edit)))
        else:
            if any(_overlaps(span, other) for path, span in spans for other in taken.get(path, ())):
                continue
            for path, span in spans:
                taken.setdefault(path, []).append(span)
            for edit in finding.fix.edits:  # type: ignore[union-attr]
                pending.setdefault(edit.path, []).append(edit)
            chosen.fixed.append(finding)
    for path, edits in pending.items():
        text = starts_of[path][0]
        new = apply_edits(text, edits)
        if new != text:
            chosen.texts[path] = new
    return chosen


def unified_diff(path: str, old: str, new: str) -> str:
    """A unified diff of one file, as `git diff` / `ruff --diff` print it."""
    lines = difflib.unified_diff(_lines(old), _lines(new), fromfile=f"a/{path}", tofile=f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def diff_of_fix(finding: Finding, text: str | None) -> str:
    """The diff one fix would make (for `--show-fixes`)."""
    fix = finding.fix
    if fix is None or text is None:
        return ""
    parts = []
    for path in dict.fromkeys(edit.path for edit in fix.edits):
        if path != finding.path:
            continue  # edits elsewhere are shown with the findings of that file
        parts.append(unified_diff(path, text, apply_edits(text, [e for e in fix.edits if e.path == path])))
    return "".join(parts)


def encode_like(original: bytes, text: str, *, python: bool) -> bytes:
    """`text` encoded the way the file it replaces was: its byte order mark and, for Python,
    its coding cookie's encoding."""
    import codecs

    if original.startswith(codecs.BOM_UTF8):
        return codecs.BOM_UTF8 + text.encode("utf-8")
    if python:
        import io
        import tokenize

        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(original).readline)
            return text.encode(encoding)
        except (SyntaxError, LookupError, UnicodeEncodeError):
            pass
    return text.encode("utf-8")


def summary_counts(findings: Iterable[Finding], *, unsafe: bool) -> tuple[int, int]:
    """(fixable by this run's settings, fixable only with --unsafe-fixes)."""
    fixable = hidden = 0
    for finding in findings:
        if applies(finding.fix, unsafe):
            fixable += 1
        elif applies(finding.fix, True):
            hidden += 1
    return fixable, hidden
