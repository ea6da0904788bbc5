"""Loading Python source with CPython's own parser (`ast`: the text is compiled to a tree only,
never executed or imported)."""

from __future__ import annotations

import ast
import bisect
import codecs
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from lintkit.findings import Location
from lintkit.limits import LimitExceeded
from lintkit.python.nodes import FUNCTION_NODES, FunctionNode, child_nodes
from lintkit.text import split_lines

if TYPE_CHECKING:  # pragma: no cover
    from lintkit.python.newer import NewerSyntax
    from lintkit.templates.model import Function


class PythonSyntaxError(Exception):
    """The file is not Python we can parse; becomes finding LK001."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(line, 1)
        self.column = max(column, 1)


class NewerPythonSyntax(PythonSyntaxError):
    """The file is valid Python of a newer version than the one running lintkit (see
    `lintkit.python.newer`): not an error in itself, but its code cannot be analysed here."""

    def __init__(self, message: str, line: int, column: int, newer: "NewerSyntax") -> None:
        super().__init__(message, line, column)
        self.newer = newer


def decode_source(data: bytes) -> str:
    """Bytes to text the way Python would read them (BOM, coding cookie), or PythonSyntaxError."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise PythonSyntaxError("source contains NUL bytes (binary file?)", line, 1)
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
        encoding = "utf-8"
    else:
        try:
            encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
        except SyntaxError as error:
            raise PythonSyntaxError(f"cannot decode source: {error.msg}") from None
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise PythonSyntaxError(f"source is not valid {encoding}: {error}") from None


@dataclass
class PythonModule:
    """One parsed Python file. `path` is the path as shown to the user."""

    path: str
    abs_path: Path
    text: str
    tree: ast.Module
    _lines: list[str] | None = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        if self._lines is None:
            self._lines = split_lines(self.text)
        return self._lines

    def _column(self, line: int, offset: int) -> int:
        """0-based character column of a UTF-8 byte offset on a 1-based line (ast counts bytes)."""
        lines = self.lines
        if not 0 < line <= len(lines):
            return offset
        text = lines[line - 1]
        if text.isascii():
            return offset
        return len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))

    def location_of(self, node: ast.AST) -> Location:
        """1-based start and end of a node. Nodes without a position of their own (a
        comprehension's `for` clause, a `with` item) take the span of their children."""
        if getattr(node, "lineno", None) is None:
            inner = [child for child in child_nodes(node) if getattr(child, "lineno", None) is not None]
            if not inner:
                return Location(self.path, 1, 1)
            start, end = self.location_of(inner[0]), self.location_of(inner[-1])
            return Location(self.path, start.line, start.column, end.end_line, end.end_column)
        line, end_line = node.lineno, node.end_lineno or node.lineno  # type: ignore[attr-defined]
        end_offset = node.end_col_offset if node.end_col_offset is not None else node.col_offset  # type: ignore[attr-defined]
        return Location(
            self.path,
            line,
            self._column(line, node.col_offset) + 1,  # type: ignore[attr-defined]
            end_line,
            self._column(end_line, end_offset) + 1,
        )

    def name_location(self, definition: ast.AST) -> Location:
        """Where the name of a `def` / `class` is written (ast keeps only the statement's start)."""
        where = self.location_of(definition)
        name = getattr(definition, "name", "")
        lines = self.lines
        for line in range(where.line, min(where.line + 5, len(lines)) + 1):
            text = lines[line - 1]
            start = where.column - 1 if line == where.line else 0
            column = _name_column(text, name, start)
            if column is not None:
                return Location(self.path, line, column + 1, line, column + 1 + len(name))
        return where

    def code_of(self, node: ast.AST | Iterable[ast.AST]) -> str:
        """The source text of a node, or of the span of a list of statements, as written."""
        nodes = [node] if isinstance(node, ast.AST) else list(node)
        if not nodes:
            return ""
        start, end = self.location_of(nodes[0]), self.location_of(nodes[-1])
        lines = self.lines[start.line - 1 : end.end_line]
        if not lines:
            return ""
        if len(lines) == 1:
            return lines[0][start.column - 1 : end.end_column - 1]
        return "\n".join([lines[0][start.column - 1 :], *lines[1:-1], lines[-1][: end.end_column - 1]])

    def top_level_functions(self) -> dict[str, FunctionNode]:
        found: dict[str, FunctionNode] = {}
        for statement in self.tree.body:
            if isinstance(statement, FUNCTION_NODES):
                found[statement.name] = statement
        return found

    def top_level_names(self) -> set[str]:
        """Names bound at module level: functions, classes, assignments and imports. A handler may
        be any of these (`handler = make_handler()`, `from .app import handler`), also inside an
        `if` or `try` at module level (`try: from x import handler except ImportError: ...`)."""
        names: set[str] = set()
        statements: list[ast.stmt] = list(self.tree.body)
        while statements:
            statement = statements.pop()
            names.update(_bound_names(statement))
            if isinstance(statement, (ast.If, ast.Try, _TRY_STAR)):
                for field_name in ("body", "orelse", "finalbody"):
                    statements.extend(getattr(statement, field_name, []))
                for handler in getattr(statement, "handlers", []):
                    statements.extend(handler.body)
        return names


_TRY_STAR = getattr(ast, "TryStar", ast.Try)


def _name_column(text: str, name: str, start: int) -> int | None:
    """The column of `name` after `def`/`class` on a line, from `start`."""
    for keyword in ("def ", "class "):
        at = text.find(keyword, start)
        while at != -1:
            rest = at + len(keyword)
            while rest < len(text) and text[rest] in " \t":
                rest += 1
            if text.startswith(name, rest):
                return rest
            at = text.find(keyword, at + 1)
    return None


def _bound_names(node: ast.AST) -> set[str]:
    names: set[str] = set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(node.name)
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                names.add(target.id)
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        if isinstance(node.target, ast.Name):
            names.add(node.target.id)
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            if alias.name == "*":
                continue
            if alias.asname is not None:
                names.add(alias.asname)
            elif isinstance(node, ast.ImportFrom):
                names.add(alias.name)
    return names


# CPython refuses more than 200 nested brackets; we say so before its parser sees them.
MAX_BRACKET_DEPTH = 200
# A statement whose text is shorter than this cannot hold an expression deep enough to matter.
_LONG_STATEMENT = 2000
_LINE_END = re.compile("\n")
_BRACKET = re.compile(r"[()\[\]{}]")


def _bracket_depth(text: str) -> tuple[int, int]:
    """The deepest bracket nesting and the line where it is reached (0 when there are too few
    brackets to pass the limit). Brackets inside strings count too: an overestimate that only
    matters past CPython's own limit."""
    if text.count("(") + text.count("[") + text.count("{") <= MAX_BRACKET_DEPTH:
        return 0, 1
    depth = deepest = deepest_at = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > deepest:
                deepest, deepest_at = depth, match.start()
        elif depth:
            depth -= 1
    return deepest, text.count("\n", 0, deepest_at) + 1


def _check_depth(tree: ast.Module, text: str, limit: int) -> None:
    """Refuse an expression nested deeper than `limit` (a 1,000-term `a + b + ...`, chained
    attributes, nested lambdas): the rules' recursive questions would hit Python's recursion
    limit. Only long statements are measured (and only they are looked into: the statements
    inside a short one are shorter still), so ordinary files pay almost nothing."""
    if len(text) < _LONG_STATEMENT:
        return
    offsets = [0, *(match.end() for match in _LINE_END.finditer(text)), len(text) + 1]
    last = len(offsets) - 1
    statements: list[ast.AST] = list(tree.body)
    while statements:
        statement = statements.pop()
        end_line = getattr(statement, "end_lineno", None)
        if end_line is None or offsets[min(end_line, last)] - offsets[min(statement.lineno - 1, last)] < _LONG_STATEMENT:  # type: ignore[attr-defined]
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, name, None)
            if isinstance(children, list):
                statements.extend(c for c in children if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case)))
        stack: list[tuple[ast.AST, int]] = [(c, 1) for c in ast.iter_child_nodes(statement) if isinstance(c, ast.expr)]
        while stack:
            node, depth = stack.pop()
            if depth > limit:
                raise LimitExceeded(
                    f"expression nested more than {limit} levels deep; not analysed "
                    f"(raise [tool.lintkit.limits] max-expression-depth to check it anyway)",
                    getattr(node, "lineno", statement.lineno),  # type: ignore[attr-defined]
                    getattr(node, "col_offset", 0) + 1,
                )
            stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


# Compound statements' lists of statements (`handlers` and `cases` hold statements too).
_BODIES = ("body", "orelse", "finalbody")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_ASYNC_STATEMENTS = {ast.AsyncWith: "'async with'", ast.AsyncFor: "'async for'"}


def compile_error(tree: ast.Module, text: str) -> PythonSyntaxError | None:
    """The first of the errors CPython's compiler raises after a successful parse (`ast.parse`
    accepts them, the import on Lambda fails with `Runtime.UserCodeSyntaxError`), with CPython's
    message: `return` or `yield` outside a function, `await` outside an async function,
    `async with` / `async for` outside an async function, `break` / `continue` outside a loop,
    `nonlocal` at module level. A walk over the statements only (expressions are looked into only
    where a `yield` or `await` could be out of place), after a look for the keywords in the text:
    far cheaper than `compile()` (about a quarter of the parse). Not judged (silent): comprehensions
    (their own scope rules), annotations, an `await` in a lambda inside an async function."""
    want_yield, want_await = "yield" in text, "await" in text
    if not (want_yield or want_await or "return" in text or "break" in text or "continue" in text
            or "nonlocal" in text or "async" in text):
        return None
    # Inside a function only `await`, `break`, `continue`, `nonlocal`, `async for` / `async with`
    # and a class's own `return` or `yield` can be out of place: without them (most files, whose
    # `return`s are all in functions) function bodies are not walked
    deep = (
        want_await or "break" in text or "continue" in text or "nonlocal" in text
        # an `async` that is not `async def` (`async for`, `async with`)
        or text.count("async") != text.count("async def")
        # a `class` not at the start of a line (in a function, or just a word: both walk)
        or text.count("class") != text.count("\nclass ") + text.startswith("class ")
    )
    errors: list[tuple[int, int, str]] = []

    def error(node: ast.AST, message: str) -> None:
        errors.append((node.lineno, node.col_offset + 1, message))  # type: ignore[attr-defined]

    # the lines the words are written on: only expressions that span one are walked
    yield_lines = _word_lines(_YIELD, text) if want_yield else []
    await_lines = _word_lines(_AWAIT, text) if want_await else []

    outside_functions = sorted(yield_lines + await_lines)

    def wanted_lines(scope: str) -> list[int]:
        if scope in ("module", "class"):
            return outside_functions
        return await_lines if scope != "async" else []

    def expressions(roots: Iterable[ast.AST | None], scope: str) -> None:
        """`yield` / `await` out of place in expressions evaluated in `scope`."""
        lines = wanted_lines(scope)
        if not lines:
            return
        stack = [(root, scope) for root in roots if root is not None and _spans_a_line(root, lines)]
        while stack:
            node, where = stack.pop()
            if isinstance(node, (ast.Yield, ast.YieldFrom)) and where in ("module", "class"):
                error(node, "'yield' outside function")
            elif isinstance(node, ast.Await) and where != "async":
                error(node, "'await' outside function" if where in ("module", "class") else "'await' outside async function")
            if isinstance(node, _COMPREHENSIONS):
                continue
            if isinstance(node, ast.Lambda):
                stack.extend((default, where) for default in (*node.args.defaults, *node.args.kw_defaults) if default is not None)
                stack.append((node.body, "lambda"))
                continue
            stack.extend((child, where) for child in ast.iter_child_nodes(node))

    statements: list[tuple[ast.AST, str, bool]] = [(statement, "module", False) for statement in tree.body]
    while statements:
        node, scope, loop = statements.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if isinstance(node, ast.ClassDef):
                inner = "class"
                expressions([*node.decorator_list, *node.bases, *(k.value for k in node.keywords)], scope)
            else:
                inner = "async" if isinstance(node, ast.AsyncFunctionDef) else "def"
                expressions([*node.decorator_list, *node.args.defaults, *node.args.kw_defaults], scope)
                if not deep:
                    continue
            statements.extend((statement, inner, False) for statement in node.body)
            continue
        if isinstance(node, ast.Return) and scope in ("module", "class"):
            error(node, "'return' outside function")
        elif isinstance(node, ast.Break) and not loop:
            error(node, "'break' outside loop")
        elif isinstance(node, ast.Continue) and not loop:
            error(node, "'continue' not properly in loop")
        elif isinstance(node, ast.Nonlocal) and scope == "module":
            error(node, "nonlocal declaration not allowed at module level")
        elif type(node) in _ASYNC_STATEMENTS and scope != "async":
            error(node, f"{_ASYNC_STATEMENTS[type(node)]} outside async function")
        looping = isinstance(node, (ast.For, ast.AsyncFor, ast.While))
        if not (want_yield or want_await) or not _spans_a_line(node, wanted_lines(scope)):  # statements only: their bodies
            for name in _BODIES:
                value = getattr(node, name, None)
                if value:
                    inner_loop = loop or (looping and name == "body")
                    statements.extend((statement, scope, inner_loop) for statement in value)
            for clause in (*getattr(node, "handlers", ()), *getattr(node, "cases", ())):
                statements.extend((statement, scope, loop) for statement in clause.body)
            continue
        own: list[ast.AST] = []
        for name, value in ast.iter_fields(node):
            if name in _BODIES and isinstance(value, list):
                inner_loop = loop or (looping and name == "body")
                statements.extend((statement, scope, inner_loop) for statement in value)
            elif name == "handlers":
                for handler in value:
                    own.append(handler.type)
                    statements.extend((statement, scope, loop) for statement in handler.body)
            elif name == "cases":
                for case in value:
                    own.append(case.guard)
                    statements.extend((statement, scope, loop) for statement in case.body)
            elif isinstance(value, list):
                own.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                own.append(value)
        expressions(own, scope)
    if not errors:
        return None
    line, column, message = min(errors)
    return PythonSyntaxError(f"SyntaxError: {message}", line, column)


_YIELD = re.compile(r"\byield\b")
_AWAIT = re.compile(r"\bawait\b")


def _word_lines(pattern: re.Pattern, text: str) -> list[int]:
    """The 1-based lines a word is written on (in code, strings or comments alike), in order."""
    lines: list[int] = []
    line, position = 1, 0
    for match in pattern.finditer(text):
        line += text.count("\n", position, match.start())
        position = match.start()
        lines.append(line)
    return lines


def _spans_a_line(node: ast.AST, lines: list[int]) -> bool:
    """Does the node's text run over one of these (sorted) lines? True when it has no position."""
    if not lines:
        return False
    start = getattr(node, "lineno", None)
    if start is None:
        return True
    at = bisect.bisect_left(lines, start)
    return at < len(lines) and lines[at] <= (getattr(node, "end_lineno", None) or start)


def parse_python(
    text: str, *, path: str, abs_path: Path, max_depth: int = 1000, syntax_only: bool = False
) -> PythonModule | None:
    """Parse with CPython's parser (`ast`: C speed, never executed), behind a bracket-depth scan
    (the parser's own limit is reported as ours, with its line) and followed by a depth check of
    long statements (our passes walk expressions; `max_depth` bounds them) and by the checks
    CPython's compiler makes after parsing (`compile_error`). A text the running Python cannot
    parse but a newer one can raises `NewerPythonSyntax`, a real syntax error `PythonSyntaxError`.

    With `syntax_only` the question is only "does it parse?" (LK001), for a file no enabled rule
    needs to read: None is returned once it does."""
    deepest, line = _bracket_depth(text)
    if deepest > MAX_BRACKET_DEPTH:
        raise PythonSyntaxError(f"brackets nested {deepest} deep: more than Python's limit of {MAX_BRACKET_DEPTH}", line)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except SyntaxError as error:
        message, line, column = f"SyntaxError: {error.msg}", error.lineno or 1, error.offset or 1
        from lintkit.python.newer import newer_syntax  # libcst, only on this path

        newer = newer_syntax(text, line)
        if newer is not None:
            raise NewerPythonSyntax(message, line, column, newer) from None
        raise PythonSyntaxError(message, line, column) from None
    except (RecursionError, MemoryError, ValueError):
        raise PythonSyntaxError("expression nested too deeply to analyse") from None
    _check_depth(tree, text, max_depth)
    late = compile_error(tree, text)
    if late is not None:
        raise late
    if syntax_only:
        return None
    return PythonModule(path=path, abs_path=abs_path, text=text, tree=tree)


@dataclass
class CodeContext:
    """What a code rule knows about the module it visits."""

    module: PythonModule
    # Handler function name -> the template functions that run it (empty when no template links
    # this module; then `handler_names` holds the functions that have the (event, context) shape).
    linked: dict[str, list["Function"]] = field(default_factory=dict)
    handler_names: frozenset[str] = frozenset()
    # the module is Lambda code (an entry point or reached by one): its top level runs at init
    lambda_code: bool = False
    # for a module no template links but linked handlers import: the functions they run in
    reached_by: list["Function"] = field(default_factory=list)

    def functions_for(self, handler_name: str) -> list["Function"]:
        return self.linked.get(handler_name, [])

    def runs_as_script_only(self, node: ast.AST) -> bool:
        """Is the node under `if __name__ == "__main__":`, which never runs when Lambda imports
        the module?"""
        if "__main__" not in self.module.text:
            return False
        from lintkit.python.resolve import resolver_for

        parents = resolver_for(self.module).parents
        current: ast.AST | None = node
        while current is not None:
            parent = parents.get(current)
            if isinstance(parent, ast.If) and _is_main_guard(parent.test) and any(current is s for s in parent.body):
                return True
            current = parent
        return False

    def on_handler_path(self, call: ast.Call) -> bool:
        """Does the call run in Lambda: in a function a handler path reaches, or at the top
        level of Lambda code?"""
        from lintkit.python.resolve import resolver_for

        return resolver_for(self.module).in_handler_path(call, self.handler_names, imported=self.lambda_code)

    def functions_running(self, function: FunctionNode | None = None) -> list["Function"]:
        """The template functions whose handler path runs `function` (None: the module's own
        top-level code), without repeats; empty when no template is known to run it. In a
        module that handlers import, every function whose handler imports it (per module, not
        per function)."""
        found: list["Function"] = list(self.reached_by)
        for functions in self.linked.values():
            for linked in functions:
                if linked not in found:
                    found.append(linked)
        return found


def _is_main_guard(test: ast.expr) -> bool:
    """`__name__ == "__main__"` (either way round)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = [test.left, test.comparators[0]]
    return any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides) and any(
        isinstance(side, ast.Constant) and side.value == "__main__" for side in sides
    )
