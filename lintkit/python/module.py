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


def _syntax_error(text: str, error: cst.ParserSyntaxError) -> PythonSyntaxError:
    """The clearest message we can give: CPython's own parser (ast, never executed) words syntax
    errors better than libcst's "expected one of ..." list, so prefer it when it agrees."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as ast_error:
        return PythonSyntaxError(
            f"SyntaxError: {ast_error.msg}", ast_error.lineno or 1, ast_error.offset or 1
        )
    except (ValueError, RecursionError, MemoryError):
        pass
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
        """1-based start and end of a node. Positions are computed once per file, on first use,
        so files without findings never pay for them."""
        if self._positions is None:
            self._positions = MetadataWrapper(self.tree, unsafe_skip_copy=True).resolve(PositionProvider)
        code_range = self._positions.get(node)
        if code_range is None:  # a node built by a rule, not part of the tree
            return Location(self.path, 1, 1)
        return Location(
            self.path,
            code_range.start.line,
            code_range.start.column + 1,
            code_range.end.line,
            code_range.end.column + 1,
        )

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


def parse_python(text: str, *, path: str, abs_path: Path) -> PythonModule:
    try:
        tree = cst.parse_module(text)
    except cst.ParserSyntaxError as error:
        raise _syntax_error(text, error) from None
    except RecursionError:
        raise PythonSyntaxError("expression nested too deeply to analyse") from None
    return PythonModule(path=path, abs_path=abs_path, text=text, tree=tree)


def load_python(file: Path, *, path: str) -> PythonModule:
    return parse_python(decode_source(file.read_bytes()), path=path, abs_path=file.resolve())


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
