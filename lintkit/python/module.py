"""Loading Python source with libcst, without importing or executing it."""

from __future__ import annotations

import ast
import codecs
import re
import tokenize
import warnings
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from lintkit.findings import Location
from lintkit.limits import LimitExceeded
from lintkit.text import split_lines

if TYPE_CHECKING:  # pragma: no cover
    from lintkit.templates.model import Function


class PythonSyntaxError(Exception):
    """The file is not Python we can parse; becomes finding LK001."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(line, 1)
        self.column = max(column, 1)


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


_LIBCST_POSITION = re.compile(r"error at (\d+):(\d+)")


def _syntax_error(error: cst.ParserSyntaxError, ast_error: SyntaxError | None) -> PythonSyntaxError:
    """The clearest message we can give: CPython's own parser (ast, never executed) words syntax
    errors better than libcst's "expected one of ..." list, so prefer it when it agrees."""
    if ast_error is not None:
        return PythonSyntaxError(f"SyntaxError: {ast_error.msg}", ast_error.lineno or 1, ast_error.offset or 1)
    message = error.message.removeprefix("parser error: ").removeprefix("tokenizer error: ")
    match = _LIBCST_POSITION.search(error.message)
    if match:
        return PythonSyntaxError(message, int(match.group(1)), int(match.group(2)))
    return PythonSyntaxError(message, error.raw_line, error.raw_column + 1)


@dataclass
class PythonModule:
    """One parsed Python file. `path` is the path as shown to the user."""

    path: str
    abs_path: Path
    text: str
    tree: cst.Module
    _positions: Any = field(default=None, repr=False)

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    def location_of(self, node: cst.CSTNode) -> Location:
        """1-based start and end of a node, computed on first use and only for the top-level
        statement that holds it (positions come from a positioned codegen, which for a whole
        module costs more than the rules that asked)."""
        if self._positions is None:
            self._positions = {}
            self._statement_of: dict[int, int] | None = None
            self._line_offsets: list[int] | None = None
        code_range = self._positions.get(node)
        if code_range is None:
            code_range = self._position_in_statement(node)
        if code_range is None:  # a node built by a rule, not part of the tree
            return Location(self.path, 1, 1)
        (line, column), (end_line, end_column) = code_range
        return Location(self.path, line, column + 1, end_line, end_column + 1)

    def _position_in_statement(self, node: cst.CSTNode):
        from lintkit.python.nodes import iter_nodes

        body = self.tree.body
        if self._statement_of is None:
            self._statement_of = {}
            for index, statement in enumerate(body):
                for inner in iter_nodes(statement, into_scopes=True):
                    self._statement_of[id(inner)] = index
        index = self._statement_of.get(id(node))
        if index is None:
            return None
        if self._line_offsets is None:
            # lines before each top-level statement: the module header, then each statement's code
            offsets = [sum(self.tree.code_for_node(line).count("\n") for line in self.tree.header)]
            for statement in body:
                offsets.append(offsets[-1] + self.tree.code_for_node(statement).count("\n"))
            self._line_offsets = offsets
        alone = self.tree.with_changes(body=[body[index]], header=[], footer=[])
        positions = MetadataWrapper(alone, unsafe_skip_copy=True).resolve(PositionProvider)
        shift = self._line_offsets[index]
        for inner, found in positions.items():
            self._positions[inner] = (
                (found.start.line + shift, found.start.column),
                (found.end.line + shift, found.end.column),
            )
        return self._positions.get(node)

    def top_level_functions(self) -> dict[str, cst.FunctionDef]:
        found: dict[str, cst.FunctionDef] = {}
        for statement in self.tree.body:
            if isinstance(statement, cst.FunctionDef):
                found[statement.name.value] = statement
        return found

    def top_level_names(self) -> set[str]:
        """Names bound at module level: functions, classes, assignments and imports. A handler may
        be any of these (`handler = make_handler()`, `from .app import handler`)."""
        names: set[str] = set()
        for statement in self.tree.body:
            if isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                names.add(statement.name.value)
            elif isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    names.update(_bound_names(small))
            elif isinstance(statement, (cst.If, cst.Try)):
                # `try: from x import handler except ImportError: ...` and platform switches
                for node in _walk_compound(statement):
                    names.update(_bound_names(node))
        return names


def _walk_compound(statement: cst.CSTNode):
    for child in statement.children:
        if isinstance(child, cst.SimpleStatementLine):
            yield from child.body
        elif isinstance(child, (cst.FunctionDef, cst.ClassDef)):
            yield child
        elif isinstance(child, cst.CSTNode):
            yield from _walk_compound(child)


def _bound_names(node: cst.CSTNode) -> set[str]:
    names: set[str] = set()
    if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
        names.add(node.name.value)
    elif isinstance(node, cst.Assign):
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                names.add(target.target.value)
    elif isinstance(node, (cst.AnnAssign, cst.AugAssign)):
        if isinstance(node.target, cst.Name):
            names.add(node.target.value)
    elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                names.add(alias.asname.name.value)
            elif isinstance(alias.name, cst.Name):
                names.add(alias.name.value)
    elif isinstance(node, cst.Import):
        for alias in node.names:
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                names.add(alias.asname.name.value)
    return names


# CPython refuses more than 200 nested brackets; libcst crashes the process on a few thousand.
MAX_BRACKET_DEPTH = 200
# A statement whose text is shorter than this cannot hold an expression deep enough to matter.
_LONG_STATEMENT = 2000


def _bracket_depth(text: str) -> tuple[int, int]:
    """The deepest bracket nesting and the line where it is reached. Brackets inside strings
    count too: an overestimate that only matters past CPython's own limit."""
    depth = deepest = 0
    line = deepest_line = 1
    for char in text:
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "\n":
            line += 1
    return deepest, deepest_line


def _check_depth(tree: ast.Module, text: str, limit: int) -> None:
    """Refuse an expression nested deeper than `limit` (a 1,000-term `a + b + ...`, chained
    attributes, nested lambdas): libcst's time grows faster than linearly with it. Only long
    statements are measured, so ordinary files pay almost nothing."""
    offsets = [0]
    for line in text.split("\n"):
        offsets.append(offsets[-1] + len(line) + 1)
    statements: list[ast.AST] = list(tree.body)
    while statements:
        statement = statements.pop()
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            children = getattr(statement, name, None)
            if isinstance(children, list):
                statements.extend(c for c in children if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case)))
        end_line = getattr(statement, "end_lineno", None)
        if end_line is None or offsets[min(end_line, len(offsets) - 1)] - offsets[statement.lineno - 1] < _LONG_STATEMENT:  # type: ignore[attr-defined]
            continue
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


def parse_python(
    text: str, *, path: str, abs_path: Path, max_depth: int = 1000, syntax_only: bool = False
) -> PythonModule | None:
    """Parse with libcst, behind two cheap gates: a bracket-depth scan and CPython's own parser
    (`ast`, C speed, never executed), whose depth we measure before libcst sees the text.

    With `syntax_only` the question is only "does it parse?" (LK001), for a file no enabled rule
    needs to read: the gates answer it an order of magnitude faster than libcst builds a tree,
    so None is returned after them unless only libcst can tell (syntax newer than this Python)."""
    deepest, line = _bracket_depth(text)
    if deepest > MAX_BRACKET_DEPTH:
        raise PythonSyntaxError(f"brackets nested {deepest} deep: more than Python's limit of {MAX_BRACKET_DEPTH}", line)
    gate: ast.Module | None = None
    gate_error: SyntaxError | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gate = ast.parse(text)
    except SyntaxError as error:
        gate_error = error  # perhaps newer syntax than this Python knows: libcst decides below
    except (RecursionError, MemoryError, ValueError):
        raise PythonSyntaxError("expression nested too deeply to analyse") from None
    if gate is not None:
        _check_depth(gate, text, max_depth)
        if syntax_only:
            return None
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise _syntax_error(error, gate_error) from None
    except RecursionError:
        raise PythonSyntaxError("expression nested too deeply to analyse") from None
    return PythonModule(path=path, abs_path=abs_path, text=text, tree=tree)


@dataclass
class CodeContext:
    """What a code rule knows about the module it visits."""

    module: PythonModule
    # Handler function name -> the template functions that run it (empty when no template links
    # this module; then `handler_names` holds the functions that have the (event, context) shape).
    linked: dict[str, list["Function"]] = field(default_factory=dict)
    handler_names: frozenset[str] = frozenset()

    def functions_for(self, handler_name: str) -> list["Function"]:
        return self.linked.get(handler_name, [])
