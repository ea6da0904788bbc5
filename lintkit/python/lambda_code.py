"""The Lambda code model: which Python files of a run are code that runs in Lambda, and which
functions of each are on a handler path.

Entry points are the handlers templates link, functions of the Lambda handler shape in files no
template links, and files matched by the configured `lambda-code` globs. From each entry point
the imports are followed, file by file, to the project's own modules (against the function's
code folder, the importing file's folder and, for relative imports, its package). What is
reached is Lambda code too. Tests, vendored third-party packages and build output never are
(unless a template names them as a handler), and neither is code no entry point reaches: CDK
apps, DAGs, scripts, container services. Code rules report on Lambda code only (`all-code`
turns that off).

Within a module, the handler path starts at its *roots*: the linked or handler-shaped
functions of an entry point, the names other Lambda code imports from a reached module (every
function and class, when the module itself is imported), and the functions a framework
registers on an object (`@app.get("/x")`, `@app.on_sqs_message(...)`) of a Lambda-code module.
`ModuleResolver.handler_functions` follows calls, callbacks and decorators from there.

Everything here works on a `ModuleSummary` of each file (its imports and handler-shaped
functions), which is small, JSON-serialisable and cached by the file's text: a warm run builds
the model without parsing anything.
"""

from __future__ import annotations

import ast
import enum
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from lintkit.config import glob_matches
from lintkit.python.handlers import looks_like_handler
from lintkit.python.nodes import FUNCTION_NODES


class Role(enum.Enum):
    """What a Python file of the run is, as far as Lambda is concerned."""

    ENTRY = "entry point"
    REACHED = "reached"
    TEST = "test"
    VENDORED = "vendored"
    BUILD = "build output"
    UNREACHED = "not reached"

    @property
    def is_lambda_code(self) -> bool:
        return self in (Role.ENTRY, Role.REACHED)


# The methods frameworks register handlers with, as decorators on an object:
# Powertools event handlers (REST/HTTP/ALB/Lambda function URL/VPC lattice resolvers, AppSync
# `resolver`, Bedrock agent `tool`), Chalice, FastAPI/Starlette and Flask (behind Mangum,
# apig-wsgi, serverless-wsgi or awsgi).
REGISTRATION_METHODS = frozenset(
    {
        # HTTP routes
        "get", "post", "put", "patch", "delete", "head", "options", "route", "api_route", "websocket",
        "exception_handler", "errorhandler", "not_found", "before_request", "after_request",
        # Powertools AppSync and Bedrock agents
        "resolver", "batch_resolver", "async_batch_resolver", "tool",
        # Chalice
        "on_s3_event", "on_sns_message", "on_sqs_message", "on_cw_event", "schedule", "lambda_function",
        "on_kinesis_record", "on_dynamodb_record", "on_ws_connect", "on_ws_message", "on_ws_disconnect", "authorizer",
    }
)

TEST_FOLDERS = frozenset({"tests", "test"})
BUILD_FOLDERS = frozenset({".aws-sam", "cdk.out", "node_modules", ".serverless", "site-packages"})
_DIST_SUFFIXES = (".dist-info", ".egg-info")


def registered_function(definition: ast.AST) -> str | None:
    """The name of the object a framework registers this function on (`app` for
    `@app.get("/x")` or `@app.on_sqs_message(queue="jobs")`), if any."""
    if not isinstance(definition, FUNCTION_NODES):
        return None
    for decorator in definition.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr in REGISTRATION_METHODS and isinstance(target.value, ast.Name):
            return target.value.id
    return None


# -- what the model needs of one file -------------------------------------------------------------


@dataclass(frozen=True)
class Import:
    """One import: `level` dots, the module as written (`a.b`, '' for `from . import x`), and the
    names taken from it (empty for `import a.b`; `*` for a star import)."""

    level: int
    module: str
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModuleSummary:
    """What the model needs of one file; kept in the cache (as JSON) by the file's text."""

    imports: tuple[Import, ...]
    handler_shaped: tuple[str, ...]  # top-level functions of the (event, context) shape
    dynamic_imports: bool = False  # it imports importlib: what it loads that way is not followed

    def to_json(self) -> dict:
        return {
            "imports": [[i.level, i.module, list(i.names)] for i in self.imports],
            "handler_shaped": list(self.handler_shaped),
            "dynamic": self.dynamic_imports,
        }

    @classmethod
    def from_json(cls, data: object) -> "ModuleSummary | None":
        try:
            imports = tuple(Import(int(level), str(module), tuple(map(str, names))) for level, module, names in data["imports"])  # type: ignore[index]
            return cls(imports, tuple(map(str, data["handler_shaped"])), bool(data["dynamic"]))  # type: ignore[index]
        except (KeyError, TypeError, ValueError):
            return None


_STATEMENT_BODIES = ("body", "orelse", "finalbody", "handlers")


def summarize(tree: ast.Module) -> ModuleSummary:
    """The imports anywhere in the module (statements only: imports are statements) and its
    handler-shaped top-level functions."""
    imports: list[Import] = []
    statements: list[ast.AST] = list(reversed(tree.body))
    while statements:
        statement = statements.pop()
        kind = type(statement)
        if kind is ast.Import:
            imports.extend(Import(0, alias.name) for alias in statement.names)  # type: ignore[attr-defined]
        elif kind is ast.ImportFrom:
            imports.append(Import(statement.level or 0, statement.module or "", tuple(a.name for a in statement.names)))  # type: ignore[attr-defined]
        else:
            for name in _STATEMENT_BODIES:
                children = getattr(statement, name, None)
                if children:
                    statements.extend(reversed(children))
            if kind is ast.Match:
                for case in statement.cases:  # type: ignore[attr-defined]
                    statements.extend(reversed(case.body))
    dynamic = any(i.module == "importlib" for i in imports)
    shaped = tuple(
        statement.name
        for statement in tree.body
        if isinstance(statement, FUNCTION_NODES) and looks_like_handler(statement)
    )
    return ModuleSummary(tuple(imports), shaped, dynamic)


# -- the model --------------------------------------------------------------------------------------


ALL = "*"  # every top-level function and class of the module is a root


@dataclass
class FileInfo:
    """One Python file in the model: its role and why, and for Lambda code where its handler
    paths start, where its imports are looked up, and what the reach could not follow."""

    role: Role
    why: str = ""  # "handler of OrdersFunction (template.yaml)", "by its location", ...
    imported_by: Path | None = None  # a reached module: the first Lambda-code module found importing it
    roots: set[str] = field(default_factory=set)  # names, or ALL
    code_dirs: list[Path] = field(default_factory=list)  # where its absolute imports are looked up
    functions: list[Any] = field(default_factory=list)  # the template functions whose handlers reach it
    outside: list[str] = field(default_factory=list)  # imports not found in the project
    dynamic_imports: bool = False  # Lambda code that loads modules through importlib

    def explain(self, display: Callable[[Path], str] = str) -> str:
        """Why the file has its role, for `--show-files` (`display` shows a path to the user)."""
        if self.imported_by is not None:
            return f"imported by {display(self.imported_by)}"
        return self.why


@dataclass
class EntryPoint:
    path: Path
    names: set[str]
    why: str
    code_dirs: list[Path] = field(default_factory=list)  # the function's code folder, then its layers'
    function: Any = None  # the template function (lintkit.templates.model.Function)


@dataclass
class LambdaCode:
    """The roles of the run's Python files (by resolved path) and the handler-path roots of each
    Lambda-code module."""

    files: dict[Path, FileInfo] = field(default_factory=dict)
    all_code: bool = False

    def info(self, path: Path) -> FileInfo | None:
        return self.files.get(path)

    def is_lambda_code(self, path: Path) -> bool:
        info = self.files.get(path)
        return info is not None and info.role.is_lambda_code

    def checks(self, path: Path) -> bool:
        """Do the code rules report on this file?"""
        return self.all_code or self.is_lambda_code(path)

    def roots(self, path: Path) -> set[str]:
        info = self.files.get(path)
        return info.roots if info is not None and info.role.is_lambda_code else set()


def path_role(relative_parts: tuple[str, ...], vendored: bool) -> Role | None:
    """The role a file has by where it is, whatever reaches it (None: it depends on the reach).
    `relative_parts` is its path below the folder being checked."""
    *folders, name = relative_parts or ("",)
    if vendored or any(folder in BUILD_FOLDERS for folder in folders):
        return Role.VENDORED if vendored or "site-packages" in folders else Role.BUILD
    if (
        name == "conftest.py"
        or (name.startswith("test_") and name.endswith(".py"))
        or name.endswith("_test.py")
        or any(folder in TEST_FOLDERS for folder in folders)
    ):
        return Role.TEST
    return None


class VendoredPackages:
    """Which files belong to third-party packages installed into the repository (a layer's
    `python/` folder, a `pip install -t` target): a package folder or module beside a
    `*.dist-info` / `*.egg-info` folder, by the distribution's `top_level.txt` or `RECORD`
    (else its name). Each folder is listed once."""

    def __init__(self) -> None:
        self._packages: dict[str, frozenset[str]] = {}
        self._inside: dict[tuple[str, str], bool] = {}  # (folder, top) -> inside a vendored package?

    def _installed(self, folder: str) -> frozenset[str]:
        known = self._packages.get(folder)
        if known is not None:
            return known
        names: set[str] = set()
        try:
            with os.scandir(folder) as scan:
                entries = [e.path for e in scan if e.name.endswith(_DIST_SUFFIXES)]
        except OSError:
            entries = []
        for entry in entries:
            names.update(_distribution_packages(Path(entry)))
        self._packages[folder] = frozenset(names)
        return self._packages[folder]

    def _folder_inside(self, folder: str, top: str) -> bool:
        """Is `folder` a vendored package or inside one (looking no higher than `top`)?"""
        key = (folder, top)
        found = self._inside.get(key)
        if found is None:
            parent, name = os.path.split(folder)
            if folder == top or parent == folder or not folder.startswith(top):
                found = False
            else:
                found = name in self._installed(parent) or self._folder_inside(parent, top)
            self._inside[key] = found
        return found

    def holds(self, path: Path, top: Path) -> bool:
        """Is `path` (below `top`) a file of a vendored package?"""
        folder, name = os.path.split(str(path))
        installed = self._installed(folder)
        if installed and name.removesuffix(".py") in installed:
            return True
        return self._folder_inside(folder, str(top))


def _distribution_packages(dist_info: Path) -> set[str]:
    names: set[str] = set()
    try:
        top_level = (dist_info / "top_level.txt").read_text(encoding="utf-8", errors="replace")
        names.update(line.strip() for line in top_level.splitlines() if line.strip())
    except OSError:
        pass
    if not names:
        try:
            record = (dist_info / "RECORD").read_text(encoding="utf-8", errors="replace")
            for line in record.splitlines():
                head = line.split(",", 1)[0].split("/", 1)[0]
                if head and not head.endswith(_DIST_SUFFIXES) and head not in ("..", "bin"):
                    names.add(head.removesuffix(".py"))
        except OSError:
            pass
    if not names:
        base = dist_info.name.rsplit(".", 1)[0].split("-", 1)[0]
        names.add(base.lower().replace("-", "_"))
    return names


_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))
_SEP = os.sep
_INIT = os.sep + "__init__.py"


def build_lambda_code(
    summaries: Mapping[Path, ModuleSummary | None],
    entries: Iterable[EntryPoint],
    tops: Mapping[Path, Path],
    *,
    lambda_code_globs: Iterable[str] = (),
    relpath: Callable[[Path], str] | None = None,
    all_code: bool = False,
    load: Callable[[str], tuple[Path, ModuleSummary | None, Path | None] | None] | None = None,
) -> LambdaCode:
    """The model of a run. `summaries` holds every Python file of the run (None: it does not
    parse); `entries` are the handlers templates link; `tops` maps each file to the folder
    being checked that holds it (roles by location are read below it). `lambda_code_globs`
    are configured entry points, matched against `relpath(path)` (the path relative to the
    configuration's folder). `load`, for a run of some files only (pre-commit, an editor),
    reads a module on disk that an import names but the run did not: its path, summary and top
    folder, or None (it stays out of the run's findings; it only carries the reach further)."""
    model = LambdaCode(all_code=all_code)
    vendored = VendoredPackages()
    summaries, tops = dict(summaries), dict(tops)

    def place(path: Path) -> None:
        top = tops.get(path)
        text, top_text = str(path), str(top)
        if top is not None and text.startswith(top_text + _SEP):
            parts = tuple(text[len(top_text) + 1 :].split(_SEP))
        else:
            parts = (path.name,)
        by_place = path_role(parts, top is not None and vendored.holds(path, top))
        model.files[path] = FileInfo(by_place or Role.UNREACHED, "by its location" if by_place else "")

    for path in summaries:
        place(path)

    queue: list[Path] = []

    def enter(path: Path, names: Iterable[str], why: str, code_dirs: Iterable[Path] = (), function: Any = None) -> None:
        info = model.files.setdefault(path, FileInfo(Role.UNREACHED))
        if info.role is not Role.ENTRY:
            info.role, info.why = Role.ENTRY, why
            info.roots = set()
            queue.append(path)
        elif why not in info.why:
            info.why += f"; {why}"
        info.roots.update(names)
        for code_dir in code_dirs:
            if code_dir not in info.code_dirs:
                info.code_dirs.append(code_dir)
        if function is not None and function not in info.functions:
            info.functions.append(function)

    for entry in entries:
        enter(entry.path, entry.names, entry.why, entry.code_dirs, entry.function)
    globs = list(lambda_code_globs)
    for path, summary in summaries.items():
        info = model.files[path]
        if info.role is not Role.UNREACHED or summary is None:
            continue
        matched = next((g for g in globs if glob_matches(g, relpath(path))), None) if globs and relpath else None
        if matched is not None:  # its handlers, or all of it when it has none (a helper module)
            enter(path, summary.handler_shaped or {ALL}, f"matches lambda-code '{matched}'")
        elif summary.handler_shaped:
            names = ", ".join(f"{n}()" for n in summary.handler_shaped)
            enter(path, summary.handler_shaped, f"handler-shaped function {names}, no template links it")

    def add(loaded: tuple[Path, ModuleSummary | None, Path | None]) -> Path:
        path, summary, top = loaded
        summaries[path] = summary
        if top is not None:
            tops[path] = top
        place(path)
        return path

    known = _Files({str(path): path for path in summaries}, load, add)
    resolved: dict[tuple, list[tuple[Path, tuple[str, ...]]]] = {}  # many files share imports
    while queue:
        path = queue.pop()
        summary = summaries.get(path)
        info = model.files[path]
        if summary is None:
            continue
        info.dynamic_imports = summary.dynamic_imports
        own = folder = os.path.dirname(str(path))
        bases = [*map(str, info.code_dirs), folder]
        top = tops.get(path)
        if not info.code_dirs and top is not None:  # no template says where the code root is: the folders above too
            top_text = str(top)
            while folder != top_text and folder.startswith(top_text):
                folder = os.path.dirname(folder)
                bases.append(folder)
        search = tuple(bases)
        for imported in summary.imports:
            memo_key = (own if imported.level else search, imported)
            targets = resolved.get(memo_key)
            if targets is None:
                # the standard library is not looked for on disk (`import json` in every file)
                known.offline = not imported.level and imported.module.split(".", 1)[0] in _STDLIB
                targets = resolved[memo_key] = _resolve(str(path), imported, search, known)
            if not targets:
                head = imported.module.split(".", 1)[0]
                if imported.level or (head and head not in _STDLIB):
                    spelled = "." * imported.level + imported.module
                    if spelled not in info.outside:
                        info.outside.append(spelled)
                continue
            for target, names in targets:
                target_info = model.files[target]
                if target_info.role is Role.ENTRY:
                    target_info.roots.update(names)  # a handler module imported by another one
                    continue
                if target_info.role in (Role.TEST, Role.VENDORED, Role.BUILD):
                    continue  # never Lambda code, whoever imports it
                new = target_info.role is Role.UNREACHED
                if new:
                    target_info.role, target_info.imported_by = Role.REACHED, path
                grown = not set(names) <= target_info.roots
                target_info.roots.update(names)
                for code_dir in info.code_dirs:
                    if code_dir not in target_info.code_dirs:
                        target_info.code_dirs.append(code_dir)
                        grown = True
                for function in info.functions:
                    if function not in target_info.functions:
                        target_info.functions.append(function)
                        grown = True
                if new or grown:
                    queue.append(target)
    return model


def _resolve(importer: str, imported: Import, bases: tuple[str, ...], known: Mapping[str, Path]) -> list[tuple[Path, tuple[str, ...]]]:
    """The project files an import loads, each with the names it takes from them (ALL when a
    module itself is bound to a name). The packages on the way (`__init__.py`) run too, with
    no names. The first base that holds the module wins. Paths are strings here: this runs
    for every import of every Lambda-code module."""
    parts = [p for p in imported.module.split(".") if p]
    if imported.level:
        base = os.path.dirname(importer)
        for _ in range(imported.level - 1):
            base = os.path.dirname(base)
        bases = (base,)
    elif not parts:
        return []
    for base in bases:
        module = _module_file(base, parts, known) if parts else known.get(base + _INIT)
        targets: list[tuple[Path, tuple[str, ...]]] = []
        found = module is not None
        folder = base
        for part in parts[:-1]:
            folder = f"{folder}{_SEP}{part}"
            package = known.get(folder + _INIT)
            if package is not None:
                targets.append((package, ()))
        if imported.names:  # `from X import a, b`: submodules of X, or names X defines
            names: list[str] = []
            package_dir = _SEP.join((base, *parts))
            for name in imported.names:
                submodule = _module_file(package_dir, [name], known) if name != "*" else None
                if submodule is not None:
                    targets.append((submodule, (ALL,)))
                    found = True
                else:
                    names.append(ALL if name == "*" else name)
            if module is not None:
                targets.append((module, tuple(names)))
        elif module is not None:
            targets.append((module, (ALL,)))
        if found:
            return targets
    return []


class _Files(dict):
    """The run's Python files by their path's text. With `load`, a path that is not among them
    is looked for on disk the first time it is asked for (`get`), and added when found."""

    def __init__(self, files: dict[str, Path], load: Callable | None, add: Callable) -> None:
        super().__init__(files)
        self._load, self._add = load, add
        self._absent: set[str] = set()
        self.offline = False  # True: answer from the run's files only

    def get(self, key: str, default: Path | None = None) -> Path | None:  # type: ignore[override]
        found = dict.get(self, key)
        if found is not None or self._load is None or self.offline or key in self._absent:
            return found if found is not None else default
        loaded = self._load(key)
        if loaded is None:
            self._absent.add(key)
            return default
        self[key] = path = self._add(loaded)
        return path


def _module_file(base: str, parts: list[str], known: Mapping[str, Path]) -> Path | None:
    path = _SEP.join((base, *parts))
    return known.get(path + ".py") or known.get(path + _INIT)
