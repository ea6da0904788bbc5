"""What a rule reports: `Finding`, its `Severity` and `Location`s."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace


class Severity(enum.IntEnum):
    """Ordered so that `severity >= fail_on` answers "does this finding fail the run?"."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based line and column in a file; the end is inclusive of the line, exclusive of the column."""

    path: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def with_end(self, end_line: int, end_column: int) -> "Location":
        return replace(self, end_line=end_line, end_column=end_column)


@dataclass(frozen=True)
class RelatedLocation:
    """A second place a finding is about (the handler behind a template finding, and back)."""

    location: Location
    message: str


class Applicability(enum.Enum):
    """How far a fix can be trusted (ruff's three levels).

    - safe: keeps the behaviour the code or configuration intends and cannot break a deploy;
      `--fix` applies it.
    - unsafe: changes behaviour, so a person reviews it; applied with `--unsafe-fixes`.
    - display-only: shown as advice (`--show-fixes`, JSON, SARIF), never applied.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace the text from (line, column) up to (end_line, end_column) with `content`: 1-based,
    columns in characters and the end exclusive, like `Location`. An insertion has start == end."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    @classmethod
    def insert(cls, path: str, line: int, column: int, content: str) -> "Edit":
        return cls(path, line, column, line, column, content)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "content": self.content,
        }


@dataclass(frozen=True)
class Fix:
    """What a finding's fix does (`title`), how far it can be trusted, and its edits, applied
    together. A Python fix is a libcst codemod run when the fix is wanted (`--fix`, `--diff`,
    JSON, SARIF): `codemod` names it (see `lintkit.fixes`) and `arguments` is its JSON input,
    so a run that only reports never pays for the concrete syntax tree, and the fix can be
    kept in the cache like the rest of the finding. `edits` is empty until then."""

    title: str
    applicability: Applicability
    edits: tuple[Edit, ...] = ()
    codemod: str | None = None
    arguments: str = "{}"  # JSON

    @property
    def applies(self) -> bool:
        return self.applicability is not Applicability.DISPLAY_ONLY

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "applicability": self.applicability.value,
            "edits": [edit.to_dict() for edit in self.edits],
        }


@dataclass(frozen=True)
class Finding:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    related: tuple[RelatedLocation, ...] = field(default=())
    # The CDK construct path (`aws:cdk:path`) of the resource, when there is one.
    construct_path: str | None = None
    fix: Fix | None = None

    @property
    def path(self) -> str:
        return self.location.path

    @property
    def line(self) -> int:
        return self.location.line

    @property
    def column(self) -> int:
        return self.location.column

    @property
    def message_with_construct(self) -> str:
        """The message, naming the CDK construct when there is one: one-line formats (concise,
        GitHub annotations) carry it here, the others in a field of their own."""
        if self.construct_path:
            return f"{self.message} [{self.construct_path}]"
        return self.message

    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.code, self.message)

    def to_dict(self) -> dict:
        loc = self.location
        data = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.label,
            "message": self.message,
            "path": loc.path,
            "line": loc.line,
            "column": loc.column,
            "end_line": loc.end_line if loc.end_line is not None else loc.line,
            "end_column": loc.end_column if loc.end_column is not None else loc.column,
            "url": rule_url(self.code),
        }
        if self.related:
            data["related"] = [
                {"path": r.location.path, "line": r.location.line, "column": r.location.column, "message": r.message}
                for r in self.related
            ]
        if self.construct_path:
            data["construct_path"] = self.construct_path
        data["fix"] = self.fix.to_dict() if self.fix is not None else None
        return data


# The rule reference ships in the repository (docs/ is generated from the rule docstrings);
# there is no hosted site yet, so the URL is the path of the page inside the project.
DOCS_PATH = "docs/rules"


def rule_url(code: str) -> str:
    return f"{DOCS_PATH}/{code}.md"
