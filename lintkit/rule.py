"""Rule base classes, rule metadata and the registry.

A rule is a small class with metadata and one of three shapes:

- `CodeRule`: visits one Python module with ``visit_<Node>`` / ``leave_<Node>``
  methods (CPython `ast` node class names). All code rules of a run share one traversal of
  each file.
- `TemplateRule`: checks one loaded template (its functions, event source mappings, resources).
- `ProjectRule`: needs both sides: the template's configuration and the linked handler code.

The rule's docstring is its user documentation, with the sections *What it does*,
*Why is this bad?* and *Example* (and optionally *Options*, *Known problems*, *References*).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Iterator

from lintkit.findings import Finding, Fix, Location, RelatedLocation, Severity

if TYPE_CHECKING:  # pragma: no cover
    from lintkit.project import Project
    from lintkit.python.module import CodeContext
    from lintkit.templates.model import Template

CODE_PATTERN = re.compile(r"^LK\d{3}$")
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
REQUIRED_SECTIONS = ("What it does", "Why is this bad?", "Example")


@dataclass(frozen=True)
class Example:
    """A worked example the test suite runs and the docs show. `python` becomes `app.py`,
    `template` becomes `template.yaml` beside it (use `CodeUri: .` and `Handler: app.handler`
    to join them). Text is dedented and its leading newline dropped before lines are counted.

    For `INVALID` examples, `line` is the line the finding must be on, in `file` (by default
    `app.py` when there is Python code, else `template.yaml`). For a fixable rule, `fix` is the
    applicability the finding's fix must have ("safe", "unsafe", "display-only") and `fixed`
    the text of `file` once `--fix --unsafe-fixes` has run (None for a display-only fix: the
    file must not change)."""

    python: str | None = None
    template: str | None = None
    line: int | None = None
    file: str | None = None
    fix: str | None = None
    fixed: str | None = None

    @property
    def expected_file(self) -> str:
        return self.file or ("app.py" if self.python is not None else "template.yaml")


def example_text(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    severity: ClassVar[Severity]
    references: ClassVar[tuple[str, ...]] = ()
    # The rule attaches a `Fix` to (some of) its findings; its docs then have a "Fix safety"
    # section saying what the fix does and when it is safe, unsafe or display-only.
    fixable: ClassVar[bool] = False
    # Worked examples, run by the test suite: INVALID ones must fire, VALID ones must not.
    # A plain string is Python code.
    VALID: ClassVar[tuple[Example | str, ...]] = ()
    INVALID: ClassVar[tuple[Example | str, ...]] = ()

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        self.options = dict(options or {})
        self.findings: list[Finding] = []

    @classmethod
    def documentation(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def sections(cls) -> dict[str, str]:
        """The docstring split into its `## Heading` / `Heading:` sections."""
        return split_sections(cls.documentation())

    def finding(
        self,
        location: Location,
        message: str,
        *,
        related: Iterable[RelatedLocation] = (),
        construct_path: str | None = None,
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> Finding:
        """`severity` lets one rule grade its findings (LK603: error below the function timeout,
        warning below six times it); config overrides still apply to the whole rule."""
        return Finding(
            code=self.code,
            name=self.name,
            severity=severity or self.severity,
            message=message,
            location=location,
            related=tuple(related),
            construct_path=construct_path,
            fix=fix,
        )

    def emit(self, location: Location, message: str, **kwargs: Any) -> None:
        self.findings.append(self.finding(location, message, **kwargs))


class CodeRule(Rule):
    """Visits one Python module. Define ``visit_<Node>`` / ``leave_<Node>`` methods (`ast` node
    class names; ``visit_FunctionDef`` also receives ``async def``, ``visit_For`` ``async for``); report with ``self.report(node, message)``. ``self.context`` says which
    handler functions the module holds and which template functions they are linked to."""

    # Text that must appear in a file for this rule to have anything to find; a file that
    # contains none of them is not visited for this rule (the prefilter).
    TRIGGERS: ClassVar[tuple[str, ...]] = ()
    # A join that needs the template's view of the module (its linked functions): the rule is
    # not run on, and does not make the prefilter parse, a module no template links.
    NEEDS_TEMPLATE: ClassVar[bool] = False

    context: "CodeContext"

    # Every code rule shares this limit; its docs say so under "Known problems".
    SCOPE_NOTE: ClassVar[str] = (
        "Like every code rule, it reports only on code that runs in Lambda: handlers, the project "
        "modules they import, and the functions frameworks dispatch to (see the README, \"Which "
        "Python code is checked\"; `lintkit check --show-files` shows each file's role). Tests, "
        "vendored packages, CDK apps, scripts and modules no handler imports are not checked "
        "unless `--all-code` is given, and the reach ends at dynamic imports, at modules outside "
        "the checked files and at layers of other stacks: code reached only that way is not "
        "reported."
    )

    @classmethod
    def documentation(cls) -> str:
        """The docstring, with the scope every code rule shares added to its "Known problems"."""
        doc = super().documentation()
        heading = "## Known problems"
        if heading not in doc:
            return f"{doc}\n\n{heading}\n{cls.SCOPE_NOTE}"
        start = doc.index(heading) + len(heading)
        following = re.search(r"^## ", doc[start:], re.MULTILINE)
        end = start + following.start() if following else len(doc)
        return f"{doc[:end].rstrip()}\n\n{cls.SCOPE_NOTE}\n" + (f"\n{doc[end:]}" if following else "")

    def bind(self, context: "CodeContext") -> None:
        self.context = context
        self.findings = []

    def report(
        self,
        node: Any,
        message: str,
        *,
        related: Iterable[RelatedLocation] = (),
        severity: Severity | None = None,
        fix: Fix | None = None,
    ) -> None:
        if self.context.runs_as_script_only(node):
            return  # `if __name__ == "__main__":` never runs in Lambda
        self.emit(self.context.module.location_of(node), message, related=related, severity=severity, fix=fix)

    @classmethod
    def visitor_methods(cls) -> dict[str, str]:
        """Names of the visit_/leave_ methods the rule defines, for the batched traversal."""
        return {
            name: name
            for name in dir(cls)
            if (name.startswith("visit_") or name.startswith("leave_")) and callable(getattr(cls, name))
        }


class TemplateRule(Rule):
    """Checks one template. Override ``check``; report with ``self.emit`` / template helpers."""

    def check(self, template: "Template") -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class ProjectRule(Rule):
    """Needs the template's configuration and the linked handler code together."""

    def check(self, project: "Project") -> None:  # pragma: no cover - abstract
        raise NotImplementedError


_SECTION_HEADING = re.compile(r"^(?:#+\s*)?([A-Z][A-Za-z ?]+?)(?::)?\s*$")
KNOWN_SECTIONS = REQUIRED_SECTIONS + ("Use instead", "Options", "Fix safety", "Known problems", "References")


def split_sections(doc: str) -> dict[str, str]:
    """Split a rule docstring into sections by its `## Heading` lines (the summary is '')."""
    sections: dict[str, list[str]] = {"": []}
    current = ""
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.startswith("##"):
            heading = stripped.lstrip("#").strip().rstrip(":")
            if heading in KNOWN_SECTIONS:
                current = heading
                sections.setdefault(current, [])
                continue
        sections[current].append(line)
    return {k: "\n".join(v).strip() for k, v in sections.items()}


class Registry:
    """All rules, by code. Rules are found by importing every module of `lintkit.rules`."""

    def __init__(self, rules: Iterable[type[Rule]]) -> None:
        self._rules: dict[str, type[Rule]] = {}
        for rule in rules:
            self.add(rule)

    def add(self, rule: type[Rule]) -> None:
        check_metadata(rule)
        if rule.code in self._rules and self._rules[rule.code] is not rule:
            raise ValueError(f"rule code {rule.code} is used by two rules: {self._rules[rule.code].__name__} and {rule.__name__}")
        self._rules[rule.code] = rule

    def __iter__(self) -> Iterator[type[Rule]]:
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def get(self, code: str) -> type[Rule] | None:
        return self._rules.get(code.upper())

    @property
    def codes(self) -> list[str]:
        return sorted(self._rules)


def check_metadata(rule: type[Rule]) -> None:
    for attr in ("code", "name", "summary", "severity"):
        if not hasattr(rule, attr):
            raise TypeError(f"rule {rule.__name__} has no {attr!r}")
    if not CODE_PATTERN.match(rule.code):
        raise ValueError(f"rule {rule.__name__}: code {rule.code!r} is not LK + 3 digits")
    if not NAME_PATTERN.match(rule.name):
        raise ValueError(f"rule {rule.__name__}: name {rule.name!r} is not kebab-case")
    if not isinstance(rule.severity, Severity):
        raise TypeError(f"rule {rule.__name__}: severity must be a Severity")
    if rule.fixable and "## Fix safety" not in (rule.__doc__ or ""):
        raise ValueError(f"rule {rule.__name__} is fixable: its docstring needs a '## Fix safety' section")


def _rule_classes(module: Any) -> Iterator[type[Rule]]:
    for value in vars(module).values():
        if (
            inspect.isclass(value)
            and issubclass(value, Rule)
            and value.__module__ == module.__name__
            and "code" in vars(value)
        ):
            yield value


_REGISTRY: Registry | None = None


def registry() -> Registry:
    """The registry of every rule shipped in `lintkit.rules` (imported once)."""
    global _REGISTRY
    if _REGISTRY is None:
        import lintkit.rules as package

        rules: list[type[Rule]] = []
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
            if info.name.startswith("_"):
                continue
            module = importlib.import_module(f"{package.__name__}.{info.name}")
            rules.extend(_rule_classes(module))
        _REGISTRY = Registry(rules)
    return _REGISTRY
