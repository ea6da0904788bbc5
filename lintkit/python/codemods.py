"""What the Python fixes share: a module parsed by libcst with its positions and scopes, the node
at a finding's location, a keyword argument added to (or replaced in) a call in the call's own
layout, and an import added only when the module lacks it.

A rule's codemod (`lintkit.fixes.codemod`) calls `rewrite(text, change)`: `change` gets the
parsed `Source` and returns the new `libcst.Module` (or None when it cannot make the change
after all); `rewrite` gives back the new text. libcst is imported here only, and this module
only when a fix is wanted, so a plain run never pays for the concrete syntax tree. The parse
is guarded like `lintkit.python.newer`'s: a text with very long operator chains is not parsed,
and the parser runs on a thread with a large stack.

Everything works on libcst's concrete tree, so comments, spacing, quotes and line endings
outside the nodes a fix replaces come back byte for byte.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider, ScopeProvider

from lintkit.findings import Location
from lintkit.python.newer import on_large_stack, simple_enough

BUILTIN_NAMES = frozenset(dir(builtins))


@dataclass
class Source:
    """A module's concrete syntax tree, with each node's position (and scopes, on demand)."""

    module: cst.Module
    wrapper: MetadataWrapper = field(repr=False)
    positions: Any = field(repr=False)
    _scopes: Any = field(default=None, repr=False)

    @classmethod
    def parse(cls, text: str) -> "Source":
        module = cst.parse_module(text)
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        return cls(module, wrapper, wrapper.resolve(PositionProvider))

    @property
    def scopes(self) -> Any:
        if self._scopes is None:
            self._scopes = self.wrapper.resolve(ScopeProvider)
        return self._scopes

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)

    def span(self, node: cst.CSTNode) -> tuple[int, int, int, int]:
        """(line, column, end line, end column) of a node, 1-based like a `Location`."""
        where = self.positions[node]
        return where.start.line, where.start.column + 1, where.end.line, where.end.column + 1

    def node_at(self, location: Location, kind: type | tuple[type, ...]) -> Any:
        """The node of `kind` written exactly at `location` (start and, when the location has
        one, end): what `PythonModule.location_of` gave for the `ast` node a rule reported.
        Several nodes can start at one place (`a.b(x).c(y)` and `a.b(x)`): the end tells them
        apart; without an end, the outermost is taken."""
        start = (location.line, location.column)
        end = (location.end_line, location.end_column) if location.end_line is not None else None
        found = []
        for node in self.positions:
            if not isinstance(node, kind):
                continue
            line, column, end_line, end_column = self.span(node)
            if (line, column) == start and (end is None or (end_line, end_column) == end):
                found.append((end_line, end_column, node))
        if not found:
            return None
        return max(found, key=lambda item: (item[0], item[1]))[2]

    def parent_statement(self, node: cst.CSTNode) -> cst.BaseStatement | None:
        """The statement (a line of simple statements, or a compound one) that holds `node`."""
        found = None
        target = self.positions.get(node)
        if target is None:
            return None
        for candidate, where in self.positions.items():
            if isinstance(candidate, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) and _contains(where, target):
                if found is None or _contains(self.positions[found], where):
                    found = candidate
        return found

    def scope_of(self, node: cst.CSTNode) -> Any:
        return self.scopes.get(node)


def _contains(outer: Any, inner: Any) -> bool:
    return (outer.start.line, outer.start.column) <= (inner.start.line, inner.start.column) and (
        inner.end.line,
        inner.end.column,
    ) <= (outer.end.line, outer.end.column)


def rewrite(text: str, change: Callable[[Source], "cst.Module | None"]) -> str | None:
    """The module's new text after `change`, or None when the text cannot be parsed (or is too
    complex to hand to libcst) or `change` gives up."""
    if not simple_enough(text):
        return None

    def work() -> str | None:
        source = Source.parse(text)
        if source.module.code != text:
            return None  # libcst did not round-trip this text (a lone `\r`...): leave it alone
        new = change(source)
        return None if new is None else new.code

    return on_large_stack(work)


def expression(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def replace_expression(source: Source, location: Location, old: str, new: str) -> cst.Module | None:
    """The module with the expression written at `location` replaced by `new`, when it still
    reads `old` (the text the rule saw); None otherwise."""
    node = source.node_at(location, cst.BaseExpression)
    if node is None or source.code(node) != old:
        return None
    return source.module.deep_replace(node, expression(new))


def insert_after(source: Source, statement: cst.BaseStatement, code: str) -> cst.Module | None:
    """The module with the statement(s) `code` after `statement`, in the same block and at its
    indentation; None when `statement` is not found in a block."""
    new = cst.parse_module(code).body
    done: list[bool] = []

    class Insert(cst.CSTTransformer):
        def _insert(self, original: Any, updated: Any) -> Any:
            for index, candidate in enumerate(original.body):
                if candidate is statement:
                    done.append(True)
                    body = list(updated.body)
                    return updated.with_changes(body=[*body[: index + 1], *new, *body[index + 1 :]])
            return updated

        def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
            return self._insert(original, updated)

        def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
            return self._insert(original, updated)

    result = source.module.visit(Insert())
    return result if done else None


# -- call arguments ------------------------------------------------------------------------


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    """The `name=...` argument of a call, when it is written out."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star_arguments(call: cst.Call) -> bool:
    """Does the call pass `*args` or `**kwargs` (which may already carry any keyword)?"""
    return any(arg.star for arg in call.args)


def positional(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


def _bare_generator(call: cst.Call) -> bool:
    """`f(x for x in y)`: a second argument would need the generator parenthesised."""
    return any(isinstance(arg.value, cst.GeneratorExp) and not arg.value.lpar for arg in call.args)


def with_keyword(call: cst.Call, name: str, value: str) -> cst.Call | None:
    """The call with `name=value`: the value replaced when the keyword is written out, else
    the argument added last, in the call's layout (one line stays one line; a call with one
    argument per line gets one more line, at the same indentation, keeping the trailing comma
    and the comments where they are). None when the argument cannot be added (a bare generator
    argument)."""
    new_value = expression(value)
    existing = keyword(call, name)
    if existing is not None:
        return call.with_deep_changes(existing, value=new_value)
    if _bare_generator(call):
        return None
    added = cst.Arg(value=new_value, keyword=cst.Name(name), equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))
    args = list(call.args)
    if not args:
        return call.with_changes(args=[added])
    last = args[-1]
    separator = _separator(call)
    if isinstance(last.comma, cst.Comma):  # a trailing comma: the new argument keeps one
        after = last.comma.whitespace_after
        if isinstance(after, cst.ParenthesizedWhitespace):
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=_line_break(after, separator)))
            added = added.with_changes(comma=cst.Comma(whitespace_after=_closing(after)))
        else:
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=cst.SimpleWhitespace(" ")))
            added = added.with_changes(comma=cst.Comma(whitespace_after=after))
    else:
        after = last.whitespace_after_arg
        if isinstance(after, cst.ParenthesizedWhitespace):
            comma = cst.Comma(whitespace_after=_line_break(after, separator))
            added = added.with_changes(whitespace_after_arg=_closing(after))
        else:
            comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
            added = added.with_changes(whitespace_after_arg=after)
        args[-1] = last.with_changes(whitespace_after_arg=cst.SimpleWhitespace(""), comma=comma)
    return call.with_changes(args=[*args, added])


def _separator(call: cst.Call) -> cst.BaseParenthesizableWhitespace:
    """The whitespace that starts an argument of this call: after the comma of the one before
    the last, or after the opening parenthesis."""
    if len(call.args) >= 2 and isinstance(call.args[-2].comma, cst.Comma):
        return call.args[-2].comma.whitespace_after
    return call.whitespace_before_args


def _line_break(after: cst.ParenthesizedWhitespace, separator: cst.BaseParenthesizableWhitespace) -> cst.ParenthesizedWhitespace:
    """What follows the old last argument now: its own end of line (and comment), then the
    indentation the arguments use."""
    if isinstance(separator, cst.ParenthesizedWhitespace):
        indent, last_line = separator.indent, separator.last_line
    else:  # arguments that start on the call's line: indent one level past the closing line
        indent, last_line = after.indent, cst.SimpleWhitespace(after.last_line.value + "    ")
    return cst.ParenthesizedWhitespace(first_line=after.first_line, empty_lines=after.empty_lines, indent=indent, last_line=last_line)


def _closing(after: cst.ParenthesizedWhitespace) -> cst.ParenthesizedWhitespace:
    """A plain end of line and the closing parenthesis' indentation, after the new argument."""
    return cst.ParenthesizedWhitespace(first_line=cst.TrailingWhitespace(), empty_lines=[], indent=after.indent, last_line=after.last_line)


# -- imports -------------------------------------------------------------------------------


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def _imports(module: cst.Module) -> list[tuple[int, cst.Import | cst.ImportFrom]]:
    """The import statements at the top level of the module, with the index of their line."""
    found = []
    for index, statement in enumerate(module.body):
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, (cst.Import, cst.ImportFrom)):
                    found.append((index, small))
    return found


def _visible(source: Source, at: cst.CSTNode, name: str, node: cst.CSTNode | None) -> bool:
    """Does `name`, read at `at`, mean the binding made by `node` (an import statement) and
    nothing else? With `node` None: is `name` free there (bound nowhere it could be seen)?"""
    scope = source.scope_of(at)
    if scope is None:
        return False
    assignments = list(scope[name])
    if node is None:
        return not assignments and name not in BUILTIN_NAMES and not _bound_anywhere(source, name)
    return len(assignments) == 1 and getattr(assignments[0], "node", None) is node


def _bound_anywhere(source: Source, name: str) -> bool:
    """Is `name` bound in the module's global scope, or read there without a binding?"""
    scope = source.scope_of(source.module.body[0]) if source.module.body else None
    if scope is None:
        return False
    globals_ = scope.globals
    return bool(globals_[name]) or any(access.node.value == name for access in globals_.accesses if isinstance(access.node, cst.Name))


def import_reference(source: Source, module: str, name: str, at: cst.CSTNode, fallback: str) -> tuple[str, str | None]:
    """How the code at `at` can name `module.name`: (the expression, the import statement to
    add or None). An existing import is reused under whatever name it binds (`from
    botocore.config import Config as BotoConfig`, `import botocore.config as bc` ->
    `bc.Config`); otherwise `from module import name` is added, or `... as fallback` when
    `name` already means something else in the module."""
    package, _, leaf = module.rpartition(".")
    for _, statement in _imports(source.module):
        if isinstance(statement, cst.ImportFrom) and not statement.relative and statement.module is not None:
            origin = _dotted(statement.module)
            if isinstance(statement.names, cst.ImportStar):
                continue
            for alias in statement.names:
                imported = _dotted(alias.name)
                bound = alias.asname.name.value if alias.asname is not None else imported  # type: ignore[union-attr]
                if bound is None:
                    continue
                if origin == module and imported == name and _visible(source, at, bound, statement):
                    return bound, None
                if package and origin == package and imported == leaf and _visible(source, at, bound, statement):
                    return f"{bound}.{name}", None
        elif isinstance(statement, cst.Import):
            for alias in statement.names:
                imported = _dotted(alias.name)
                if alias.asname is not None and imported == module:
                    bound = alias.asname.name.value  # type: ignore[union-attr]
                    if _visible(source, at, bound, statement):
                        return f"{bound}.{name}", None
                elif alias.asname is None and imported == module:
                    root = module.split(".", 1)[0]
                    if _visible(source, at, root, statement):
                        return f"{module}.{name}", None
    for candidate in (name, fallback):
        if _visible(source, at, candidate, None):
            line = f"from {module} import {name}" + (f" as {candidate}" if candidate != name else "")
            return candidate, line
    raise LookupError(f"no free name for {module}.{name}")


def add_import(module: cst.Module, line: str | None) -> cst.Module:
    """The module with the import statement `line` (None: unchanged), placed after the last
    import of the module's opening block (so after its docstring and `from __future__`
    imports, beside the other imports), or after the docstring when there is no import."""
    if line is None:
        return module
    body = list(module.body)
    position = 0
    for index, statement in enumerate(body):
        if _is_import_line(statement) or (index == 0 and _is_docstring(statement)):
            position = index + 1
            continue
        break
    statement = cst.parse_statement(line + "\n")
    if position == 0 and body and not _is_import_line(body[0]):
        # nothing to stand beside: before the first statement, which keeps its comments
        first = body[0]
        statement = statement.with_changes(leading_lines=first.leading_lines)
        body[0] = first.with_changes(leading_lines=[cst.EmptyLine()])
    elif position > 0 and _is_docstring(body[position - 1]) and not _is_import_line(body[position - 1]):
        statement = statement.with_changes(leading_lines=[cst.EmptyLine()])
    body.insert(position, statement)
    return module.with_changes(body=body)


def _is_import_line(statement: cst.CSTNode) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body)


def _is_docstring(statement: cst.CSTNode) -> bool:
    return (
        isinstance(statement, cst.SimpleStatementLine)
        and len(statement.body) == 1
        and isinstance(statement.body[0], cst.Expr)
        and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString))
    )


def statement_index(module: cst.Module, statement: cst.CSTNode) -> int | None:
    for index, candidate in enumerate(module.body):
        if candidate is statement:
            return index
    return None


def names_in(node: cst.CSTNode) -> Sequence[cst.Name]:
    """Every `Name` under a node (attribute names after a dot excluded)."""
    found: list[cst.Name] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, name: cst.Name) -> None:
            found.append(name)

        def visit_Attribute(self, attribute: cst.Attribute) -> bool:
            attribute.value.visit(self)
            return False

        def visit_Arg(self, arg: cst.Arg) -> bool:
            arg.value.visit(self)  # a keyword's name is not a read
            return False

    node.visit(Collect())
    return found
