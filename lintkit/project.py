"""The `Project`: every template and Python module of a run, and the links between them."""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, TypeVar

from lintkit.paths import RealPaths
from lintkit.python.handlers import HandlerFormatError, HandlerTarget, handler_target, looks_like_handler
from lintkit.python.module import CodeContext, PythonModule
from lintkit.python.nodes import FunctionNode
from lintkit.templates.model import Function, Template

if TYPE_CHECKING:  # pragma: no cover
    from lintkit.python.lambda_code import EntryPoint, LambdaCode

T = TypeVar("T")


@dataclass(eq=False)
class HandlerLink:
    """A template function and the handler code it runs."""

    function: Function
    target: HandlerTarget | None  # None when `Handler` itself is malformed (see `problem`)
    module_file: Path | None  # resolved path of the module file, when it exists
    problem: str | None = None
    problem_property: str = "Handler"  # the property the problem is reported on

    @property
    def function_name(self) -> str | None:
        return self.target.function_name if self.target is not None else None


@dataclass(eq=False)
class Project:
    templates: list[Template] = field(default_factory=list)
    modules: dict[Path, PythonModule] = field(default_factory=dict)  # by resolved path
    links: dict[Function, HandlerLink] = field(default_factory=dict)
    # files a template links to that could not be parsed (LK001 already reported for them)
    unparsable: set[Path] = field(default_factory=set)
    # which Python files are Lambda code, and the handler-path roots of each (see lambda_code.py)
    lambda_code: "LambdaCode | None" = None
    # analyses several rules ask for (e.g. what a batch handler returns), computed once
    _memo: dict[tuple, object] = field(default_factory=dict, repr=False)

    def memo(self, key: tuple, compute: Callable[[], T]) -> T:
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[return-value]

    @property
    def functions(self) -> Iterator[Function]:
        for template in self.templates:
            yield from template.functions.values()

    def link(self, function: Function) -> HandlerLink | None:
        return self.links.get(function)

    def _links_by_module(self) -> dict[Path, list[HandlerLink]]:
        found: dict[Path, list[HandlerLink]] = {}
        for link in self.links.values():
            if link.module_file is not None and link.function_name is not None:
                found.setdefault(link.module_file, []).append(link)
        return found

    def handler(self, function: Function) -> tuple[PythonModule, FunctionNode] | None:
        """The parsed module and the top-level `def` the function's `Handler` names, if both exist."""
        link = self.links.get(function)
        if link is None or link.module_file is None or link.function_name is None:
            return None
        module = self.modules.get(link.module_file)
        if module is None:
            return None
        definition = module.top_level_functions().get(link.function_name)
        return (module, definition) if definition is not None else None

    def event_invokes(self) -> dict[Function, list[tuple[PythonModule, ast.Call]]]:
        """Functions of the project that handler code invokes with `InvocationType='Event'`,
        with the calls: asynchronous triggers that no template shows."""

        def compute() -> dict[Function, list[tuple[PythonModule, ast.Call]]]:
            from lintkit.python.resolve import resolver_for

            found: dict[Function, list[tuple[PythonModule, ast.Call]]] = {}
            for caller, link in self.links.items():
                module = self.modules.get(link.module_file) if link.module_file is not None else None
                if module is None or "invoke" not in module.text:
                    continue  # no call spelled `invoke`: no need to build its resolver
                for invoke in resolver_for(module).invokes():
                    target = invoke_target(caller, invoke.target) if invoke.is_async else None
                    if target is not None and (module, invoke.call) not in found.get(target, []):
                        found.setdefault(target, []).append((module, invoke.call))
            return found

        return self.memo(("event-invokes",), compute)

    def entry_points(self) -> list["EntryPoint"]:
        """The handlers templates link, as entry points of the Lambda code model."""
        from lintkit.python.lambda_code import EntryPoint

        entries: list[EntryPoint] = []
        for link in self.links.values():
            if link.module_file is None or link.function_name is None or link.target is None:
                continue
            function = link.function
            why = f"handler of {function.logical_id} ({function.template.path})"
            code_dirs = [link.target.code_dir, *function.layer_dirs]
            entries.append(EntryPoint(link.module_file, {link.function_name}, why, code_dirs, function))
        return entries

    def code_context(self, module: PythonModule) -> CodeContext:
        by_module = self.memo(("links-by-module",), self._links_by_module)
        linked: dict[str, list[Function]] = {}
        for link in by_module.get(module.abs_path, ()):
            linked.setdefault(link.function_name, []).append(link.function)  # type: ignore[arg-type]
        model = self.lambda_code
        lambda_code = model is not None and model.is_lambda_code(module.abs_path)
        if lambda_code:
            handler_names = handler_roots(module, model.roots(module.abs_path))  # type: ignore[union-attr]
        elif linked:
            handler_names = frozenset(linked)
        else:  # code the model does not hold (`all-code`, or no model): the handler-shaped functions
            handler_names = frozenset(
                name for name, definition in module.top_level_functions().items() if looks_like_handler(definition)
            )
        reached_by = model.info(module.abs_path).functions if lambda_code and not linked else []  # type: ignore[union-attr]
        return CodeContext(module=module, linked=linked, handler_names=handler_names, lambda_code=lambda_code, reached_by=list(reached_by))


def handler_roots(module: PythonModule, roots: set[str]) -> frozenset[str]:
    """The top-level names of a Lambda-code module where handler paths start: its roots in the
    model (every function and class when the module itself is imported), and the functions a
    framework registers on an object (`@app.get("/x")`, `@app.on_sqs_message(...)`)."""
    from lintkit.python.lambda_code import ALL, registered_function

    names = set(roots)
    for statement in module.tree.body:
        if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and (
            ALL in roots or registered_function(statement) is not None
        ):
            names.add(statement.name)
    names.discard(ALL)
    return frozenset(names)


def repository_root(start: Path, known: dict[Path, Path | None] | None = None) -> Path | None:
    """The nearest folder at or above `start` that holds a `.git` (a work tree's top). `known`
    keeps the answer of every folder on the way: the templates of a run share their parents."""
    walked: list[Path] = []
    found: Path | None = None
    for folder in (start, *start.parents):
        if known is not None and folder in known:
            found = known[folder]
            break
        walked.append(folder)
        if os.path.exists(folder / ".git"):  # False, not an error, in a folder it cannot read
            found = folder
            break
    if known is not None:
        known.update((folder, found) for folder in walked)
    return found


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def link_handlers(
    templates: list[Template], roots: list[Path] | None = None, real_path: Callable[[Path], Path] | None = None
) -> dict[Function, HandlerLink]:
    """Link every function with a local code location and a `Handler` to its module file.
    Non-Python runtimes, images, inline and S3 code are left unlinked, and so is a handler that
    is not a Python module when a wrapper may run it as a start script.

    A code location must lie inside the repository of its template (or, outside any git work
    tree, inside one of `roots`, the folders being checked): lintkit reads untrusted pull
    requests, and a `CodeUri: ../../..` must not make it read, and print lines of, files
    elsewhere on the machine.

    `real_path` is the run's `RealPaths` (one is made when not given)."""
    real = real_path or RealPaths()
    links: dict[Function, HandlerLink] = {}
    checked_roots = sorted({real(root) for root in roots or []})
    walked: dict[Path, Path | None] = {}  # folder -> its repository root
    for template in templates:
        folder = template.abs_path.parent
        top = repository_root(folder, walked)
        top = real(top) if top is not None else None
        allowed = [top] if top is not None else (checked_roots or [real(folder)])
        for function in template.functions.values():
            if function.is_python is False or function.is_image:
                continue
            handler, code_dir = function.handler, function.code_dir
            if handler is None or code_dir is None:
                continue
            if not _inside(real(code_dir), allowed):
                where = "CodeUri" if function.is_sam else "Code"
                links[function] = HandlerLink(
                    function, None, None, f"code location {function.code_uri!r} is outside the repository; not followed", where
                )
                continue
            try:
                target = handler_target(code_dir, handler)
            except HandlerFormatError as error:
                if not function.handler_may_be_start_script:
                    links[function] = HandlerLink(function, None, None, str(error))
                continue
            existing = target.existing_file()
            if existing is None and function.handler_may_be_start_script:
                continue  # a start script the wrapper runs, not a Python module
            links[function] = HandlerLink(function, target, real(existing) if existing else None)
    return links


def prefer_source_files(
    links: dict[Function, HandlerLink], python_files: list[Path], real_path: Callable[[Path], Path] | None = None
) -> None:
    """A CDK function's code is a copy of the user's folder, made at synth time (`asset.<hash>`
    in `cdk.out`). When the files being checked include the original (same name, same bytes),
    link to it instead, so that findings point where the user edits. Only byte-identical
    files are taken for the original: a copy that differs is reported as it is."""
    real = real_path or RealPaths()
    by_name: dict[str, list[Path]] = {}
    for file in python_files:
        by_name.setdefault(file.name, []).append(file)
    for link in links.values():
        module = link.module_file
        if module is None or link.function.asset_path is None:
            continue
        candidates = [f for f in by_name.get(module.name, []) if real(f) != module]
        if not candidates:
            continue
        try:
            content = module.read_bytes()
            for candidate in sorted(candidates):
                if candidate.read_bytes() == content:
                    link.module_file = real(candidate)
                    break
        except OSError:
            continue


def invoke_target(caller: Function, target: object) -> Function | None:
    """The template function a Lambda invoke in `caller`'s code names, when the template says:
    a literal name or ARN matching a function's `FunctionName`, or an environment variable
    (`os.environ["WORKER"]`) that `caller`'s `Environment.Variables` sets to `!Ref Worker`,
    `!GetAtt Worker.Arn`, `!Sub ...${Worker}` or a literal name. Anything else is unknown."""
    from lintkit.python.resolve import EnvVar

    template = caller.template
    if isinstance(target, EnvVar):
        environment = caller.properties.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if not isinstance(variables, dict) or target.name not in variables:
            return None
        return template.resolve_function(variables[target.name])
    if isinstance(target, str):
        return template.resolve_function(target)
    return None
