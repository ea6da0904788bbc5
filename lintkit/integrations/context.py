"""Checking some files of a project, not all of it: pre-commit, editors, flake8.

pre-commit runs `lintkit check` with the changed files only. A changed handler is still
checked against the template that deploys it, and a changed template against its handlers; but
only findings about the changed files are reported. The rules, exactly:

**What is checked.** Every file given, plus, for each given Python file, its *context
templates*: walking up from the file's folder towards the project root, the first folder that
holds one or more templates gives them all. A template is any `.yaml`, `.yml`, `.json` or
`.template` file that lintkit classifies as a CloudFormation / SAM template by its content (so
`template.yaml`, `template.yml`, `template.json`, `*.template.json`, `stack.yaml`, ... all
count). The project root is the nearest folder above the file holding `.git`, else the folder
of the lintkit configuration file, else the working directory (when the file is below it). The
config's `exclude` patterns (and the folders lintkit never walks into, such as `.aws-sam` or
`node_modules`) apply to context templates. A given template needs no context: the engine
loads the handlers it links on its own.

**What is reported.** A finding is reported when it is about a given file:
  1. it is located in a given file (or in a given folder); or
  2. one of its related locations is in a given file (LK503 on a handler points at the
     template setting that enables `ReportBatchItemFailures`; LK502 on a template at the
     handler code that builds the response); or
  3. it comes from a rule that joins code and template (a `ProjectRule`), and it lies in one
     half of a function whose other half was given: in the template resource of a function
     (or of its event source mapping) whose handler module was given, or in the handler
     module of a function whose template was given. (Renaming the handler function reports
     LK002 on the template's `Handler`; changing a template's batch size reports the handler
     that reads only the first record.)
Findings located only in context files (the unchanged handler next door, the template's other
resources) are not reported.

When only folders are given, everything found is checked and reported, as before. Given files
and folders together: folders count as "given" for rule 1.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from lintkit.config import Config
from lintkit.discovery import DEFAULT_EXCLUDED_DIR_PATTERNS, DEFAULT_EXCLUDED_DIRS, FileKind, classify
from lintkit.findings import Finding
from lintkit.paths import RealPaths

TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})
# Looked at first in a folder, so the usual names come first in the report of what was added.
USUAL_TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")


def resolved(path: str | os.PathLike) -> Path:
    return Path(os.path.abspath(path)).resolve()


def _is_below(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------------- exclusion


def is_excluded(path: Path, config: Config) -> bool:
    """Would walking the project skip `path`? The config's `exclude` patterns (see
    `Config.is_excluded`) and the folders discovery never enters (`.git`, `.aws-sam`,
    `node_modules`, ...)."""
    parts = config.relative_parts(path)
    for name in parts[:-1]:
        if name in DEFAULT_EXCLUDED_DIRS or any(fnmatch.fnmatch(name, p) for p in DEFAULT_EXCLUDED_DIR_PATTERNS):
            return True
    return config.is_excluded(path)


# --------------------------------------------------------------------------- context templates


def project_root(folder: Path, config: Config) -> Path:
    """Where walking up from `folder` stops (inclusive)."""
    folder = resolved(folder)
    for candidate in (folder, *folder.parents):
        if os.path.exists(candidate / ".git"):  # False in a folder it cannot read
            return candidate
    if config.path is not None and _is_below(folder, resolved(config.root)):
        return resolved(config.root)
    cwd = resolved(Path.cwd())
    if _is_below(folder, cwd):
        return cwd
    return folder


def templates_in(folder: Path, config: Config) -> list[Path]:
    """The templates directly in `folder` (not below it), usual names first, then by name."""
    try:
        with os.scandir(folder) as entries:
            names = sorted(e.name for e in entries if os.path.splitext(e.name)[1].lower() in TEMPLATE_SUFFIXES and e.is_file())
    except OSError:
        return []
    names.sort(key=lambda n: (n not in USUAL_TEMPLATE_NAMES, USUAL_TEMPLATE_NAMES.index(n) if n in USUAL_TEMPLATE_NAMES else 0, n))
    found = []
    for name in names:
        path = folder / name
        try:
            kind = classify(path)
        except OSError:
            continue
        if kind in (FileKind.TEMPLATE, FileKind.SERVERLESS) and not is_excluded(path, config):
            found.append(path)
    return found


def context_templates(file: Path, config: Config, memo: dict | None = None) -> list[Path]:
    """The templates that give a Python file its context: those of the nearest folder, from the
    file's own up to the project root, that holds any. `memo` keeps what was learnt about each
    folder for the other files of one plan (2,000 files share a few hundred folders)."""
    memo = {} if memo is None else memo
    folder = Path(os.path.abspath(file)).parent
    stop = memo.get(("root", folder))
    if stop is None:
        stop = memo[("root", folder)] = project_root(folder, config)
    own = _resolved_in(memo, file)
    while True:
        here = memo.get(("templates", folder))
        if here is None:
            here = memo[("templates", folder)] = [(t, _resolved_in(memo, t)) for t in templates_in(folder, config)]
        found = [t for t, where in here if where != own]
        if found:
            return found
        if _resolved_in(memo, folder) == stop or folder.parent == folder:
            return []
        folder = folder.parent


def _resolved_in(memo: dict, path: str | os.PathLike) -> Path:
    """`resolved(path)`, each folder asked of the file system once per `memo` (a plan, a report)."""
    real = memo.get(("real-paths",))
    if real is None:
        real = memo[("real-paths",)] = RealPaths()
    return real(os.path.abspath(path))


# --------------------------------------------------------------------------- the plan


@dataclass
class Scope:
    """What was given: findings about these are reported."""

    files: frozenset[Path]
    folders: tuple[Path, ...] = ()
    _answers: dict = field(default_factory=dict, repr=False, compare=False)

    def holds(self, path: str | os.PathLike) -> bool:
        answer = self._answers.get(path)
        if answer is None:
            target = _resolved_in(self._answers, path)
            answer = self._answers[path] = target in self.files or any(_is_below(target, folder) for folder in self.folders)
        return answer


@dataclass
class Plan:
    targets: list[Path]  # what the engine checks: the given paths and the context templates
    scope: Scope | None  # None: everything found is reported (only folders were given)
    excluded: list[Path] = field(default_factory=list)  # given files skipped by --force-exclude
    context: list[Path] = field(default_factory=list)  # the context templates added


def plan(
    paths: Sequence[Path],
    config: Config,
    *,
    force_exclude: bool = False,
    kinds: dict[Path, FileKind | None] | None = None,
) -> Plan:
    """Turn the paths given on the command line into what to check and what to report.

    `kinds` tells the kind of given files whose content is not on disk (an editor buffer)."""
    kinds = kinds or {}
    folders = [p for p in paths if p.is_dir()]
    files = [p for p in paths if not p.is_dir()]
    excluded = [p for p in files if force_exclude and is_excluded(p, config)]
    files = [p for p in files if p not in excluded]
    if not files:
        # only folders (or every file given was excluded): nothing to add, nothing to filter
        return Plan(list(folders), None, excluded)

    context: list[Path] = []
    memo: dict = {}
    seen = {_resolved_in(memo, p) for p in paths}
    for file in files:
        kind = kinds.get(_resolved_in(memo, file), "unknown")
        if kind == "unknown":
            kind = FileKind.PYTHON if file.suffix.lower() == ".py" else None
        if kind is not FileKind.PYTHON:
            continue
        for template in context_templates(file, config, memo):
            key = _resolved_in(memo, template)
            if key not in seen:
                seen.add(key)
                context.append(_shown(template))
    scope = Scope(frozenset(_resolved_in(memo, f) for f in files), tuple(_resolved_in(memo, f) for f in folders))
    return Plan([*folders, *files, *context], scope, excluded, context)


def _shown(path: Path) -> Path:
    """Relative to the working directory when below it, as findings show paths."""
    relative = os.path.relpath(os.path.abspath(path))
    return Path(relative) if not relative.startswith("..") else Path(os.path.abspath(path))


# --------------------------------------------------------------------------- what is reported


@dataclass(frozen=True)
class _Unit:
    """One function: its template, the resources that configure it, and its handler module."""

    template: Path
    resources: frozenset[str]
    module: Path | None


def _units(project, where) -> list[_Unit]:
    from lintkit.templates.model import EventSourceMapping

    units = []
    for function, link in getattr(project, "links", {}).items():
        resources = {function.resource.logical_id}
        for trigger in function.triggers:
            if isinstance(trigger, EventSourceMapping) and trigger.resource is not None:
                resources.add(trigger.resource.logical_id)
        for config in function.event_invoke_configs:
            if config.resource is not None:
                resources.add(config.resource.logical_id)
        module = where(link.module_file) if link.module_file is not None else None
        units.append(_Unit(where(function.template.abs_path), frozenset(resources), module))
    return units


def reported(findings: Iterable[Finding], scope: Scope, project, registry) -> list[Finding]:
    """The findings the rules above report for `scope` (see the module docstring)."""
    from functools import partial

    from lintkit.rule import ProjectRule

    where = partial(_resolved_in, {})  # one answer per path for this report
    templates = {t.path: t for t in getattr(project, "templates", [])} if project is not None else {}
    units: list[_Unit] | None = None  # built only if a join's finding needs them
    kept = []
    for finding in findings:
        if scope.holds(finding.path) or any(scope.holds(r.location.path) for r in finding.related):
            kept.append(finding)
            continue
        rule = registry.get(finding.code)
        if rule is None or not issubclass(rule, ProjectRule):
            continue
        if units is None:
            units = _units(project, where) if project is not None else []
        if _other_half_given(finding, scope, templates, units, where):
            kept.append(finding)
    return kept


def _other_half_given(finding: Finding, scope: Scope, templates: dict, units: list[_Unit], where) -> bool:
    # a CDK finding is located in the app's source, its template line is the first related one
    in_template = [finding.location, *(r.location for r in finding.related[:1])]
    location = next((loc for loc in in_template if loc.path in templates), None)
    if location is not None:
        template = templates[location.path]
        resource = template.resource_at_line(location.line)
        if resource is None:
            return False
        template_file = where(template.abs_path)
        return any(
            u.template == template_file and resource.logical_id in u.resources and u.module is not None and scope.holds(u.module)
            for u in units
        )
    module = where(finding.path)
    return any(u.module == module and scope.holds(u.template) for u in units)
