"""Baselines: adopt lintkit in a repository that already has findings, and fail only on new ones.

`lintkit check --write-baseline lintkit-baseline.json` records every current finding;
`lintkit check --baseline lintkit-baseline.json` then reports only findings that are not in it.

A finding is matched by its rule code, its path (relative to the baseline file's folder, so the
baseline works from any working directory) and a fingerprint that does not depend on line
numbers: the first 16 hex digits of the SHA-256 of

    code, path, the finding's source line with its whitespace collapsed, occurrence index

where the occurrence index counts earlier findings (in report order) with the same code, path
and source line. Inserting or deleting lines elsewhere in the file therefore leaves every
fingerprint unchanged; editing the line a finding is on, or adding a second identical line with
the same problem before it, makes it (or the one after it) new.

The file is JSON with a stable layout (two-space indent, keys in a fixed order, findings in
report order, a final newline), so that it diffs well under version control.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from lintkit.findings import Finding

FORMAT = "lintkit-baseline"
VERSION = 1


class BaselineError(Exception):
    """The baseline file cannot be read or is not a lintkit baseline."""


def snippet(line_text: str | None) -> str:
    """A source line with its whitespace collapsed (indentation changes do not matter)."""
    return " ".join((line_text or "").split())


def relative_path(path: str, base: Path | None) -> str:
    """`path` (as findings show it: relative to the working directory, or absolute) relative to
    `base`, in posix form; unchanged when `base` is None."""
    if base is None:
        return Path(path).as_posix()
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, os.path.abspath(base))
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()
    return Path(relative).as_posix()


def fingerprints(findings: Sequence[Finding], sources, *, base: Path | None = None) -> list[str]:
    """One fingerprint per finding, in the same order. `sources` is a `SourceTexts` (anything
    with `line(path, number)`); `base` is the folder paths are made relative to."""
    seen: Counter[tuple[str, str, str]] = Counter()
    result = []
    for finding in findings:
        path = relative_path(finding.path, base)
        text = snippet(sources.line(finding.path, finding.line))
        key = (finding.code, path, text)
        index = seen[key]
        seen[key] += 1
        digest = hashlib.sha256("\0".join((finding.code, path, text, str(index))).encode("utf-8"))
        result.append(digest.hexdigest()[:16])
    return result


@dataclass(frozen=True)
class Entry:
    code: str
    path: str
    fingerprint: str
    message: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.code, self.path, self.fingerprint)


@dataclass
class Baseline:
    entries: list[Entry]
    base: Path  # the folder holding the file: entry paths are relative to it

    @classmethod
    def load(cls, file: Path) -> "Baseline":
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except OSError as error:
            raise BaselineError(f"cannot read baseline {file}: {error.strerror or error}") from None
        except ValueError as error:
            raise BaselineError(f"baseline {file} is not valid JSON: {error}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise BaselineError(f"{file} is not a lintkit baseline (write one with --write-baseline)")
        if data.get("version") != VERSION:
            raise BaselineError(f"baseline {file} has version {data.get('version')!r}; this lintkit reads version {VERSION}")
        items = data.get("findings")
        if not isinstance(items, list):
            raise BaselineError(f"baseline {file}: 'findings' must be a list")
        entries = []
        for number, item in enumerate(items, start=1):
            fields = [item.get(key) if isinstance(item, dict) else None for key in ("code", "path", "fingerprint")]
            if not all(isinstance(value, str) for value in fields):
                raise BaselineError(f"baseline {file}: finding {number} needs string 'code', 'path' and 'fingerprint'")
            message = item.get("message", "")
            entries.append(Entry(*fields, message=message if isinstance(message, str) else ""))  # type: ignore[arg-type]
        return cls(entries, file.resolve().parent)

    def keys(self) -> set[tuple[str, str, str]]:
        return {entry.key for entry in self.entries}


def entries_for(findings: Sequence[Finding], sources, base: Path) -> list[Entry]:
    prints = fingerprints(findings, sources, base=base)
    return [Entry(f.code, relative_path(f.path, base), fp, f.message) for f, fp in zip(findings, prints)]


def dumps(entries: Iterable[Entry]) -> str:
    items = sorted(entries, key=lambda e: e.path)  # stable: report order within each file
    data = {
        "format": FORMAT,
        "version": VERSION,
        "findings": [
            {"code": e.code, "path": e.path, "fingerprint": e.fingerprint, "message": e.message} for e in items
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write(file: Path, entries: Sequence[Entry]) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(dumps(entries), encoding="utf-8")


@dataclass
class Split:
    new: list[Finding]
    known: list[Finding]
    unmatched: list[Entry]  # baseline entries no finding matches (fixed since, or not checked)


def split(findings: Sequence[Finding], entries: Sequence[Entry], baseline: Baseline) -> Split:
    """Separate the findings the baseline knows from the new ones. `entries` are the findings'
    own entries (from `entries_for` with `baseline.base`), in the same order."""
    known_keys = baseline.keys()
    new, known = [], []
    for finding, entry in zip(findings, entries):
        (known if entry.key in known_keys else new).append(finding)
    matched = {entry.key for entry in entries}
    unmatched = [entry for entry in baseline.entries if entry.key not in matched]
    return Split(new, known, unmatched)
