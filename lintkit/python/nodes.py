"""Small, shared questions about libcst nodes: what string is this, what is being accessed,
what is being called. Rules ask these; none of them re-implements one."""

from __future__ import annotations

import dataclasses
from typing import Iterator

import libcst as cst

SCOPE_NODES = (cst.FunctionDef, cst.ClassDef, cst.Lambda)


def iter_nodes(root: cst.CSTNode, *, into_scopes: bool = False) -> Iterator[cst.CSTNode]:
    """Every node under `root` (root included), depth first. Nested functions, classes and
    lambdas are not entered unless `into_scopes`: their code does not run as part of `root`."""
    stack: list[cst.CSTNode] = [root]
    while stack:
        node = stack.pop()
        yield node
        if node is not root and not into_scopes and isinstance(node, SCOPE_NODES):
            continue
        stack.extend(reversed(child_nodes(node)))


def string_value(node: cst.CSTNode | None) -> str | None:
    """The value of a plain string literal (no f-string), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        try:
            value = node.evaluated_value
        except Exception:  # noqa: BLE001 - odd escapes: not a value we can use
            return None
        return value if isinstance(value, str) else None
    return None


def int_value(node: cst.CSTNode | None) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value.replace("_", ""), 0)
        except ValueError:
            return None
    return None


def dotted_name(node: cst.CSTNode | None) -> str | None:
    """`a.b.c` for Name/Attribute chains, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def call_name(call: cst.Call) -> str | None:
    """The dotted name of the callee (`processor.response`, `json.dumps`)."""
    return dotted_name(call.func)


def access_path(node: cst.CSTNode) -> tuple[str, tuple[str, ...]] | None:
    """A chain of constant-key accesses from a name: `record["kinesis"]["sequenceNumber"]`,
    `record.get("messageId")`, `record.kinesis.sequence_number` -> ("record", ("kinesis",
    "sequenceNumber")). None when any step is not a constant key."""
    keys: list[str] = []
    while True:
        if isinstance(node, cst.Subscript):
            if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
                return None
            key = string_value(node.slice[0].slice.value)
            if key is None:
                return None
            keys.append(key)
            node = node.value
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
            if not node.args:
                return None
            key = string_value(node.args[0].value)
            if key is None:
                return None
            keys.append(key)
            node = node.func.value
        elif isinstance(node, cst.Attribute):
            keys.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Name):
            return node.value, tuple(reversed(keys))
        else:
            return None


def dict_items(node: cst.Dict) -> Iterator[tuple[str, cst.DictElement]]:
    """The constant-keyed items of a dict display."""
    for element in node.elements:
        if isinstance(element, cst.DictElement):
            key = string_value(element.key)
            if key is not None:
                yield key, element


def first_param_name(function: cst.FunctionDef) -> str | None:
    params = list(function.params.posonly_params) + list(function.params.params)
    return params[0].name.value if params else None


def assignments(scope: cst.CSTNode) -> dict[str, list[cst.BaseExpression]]:
    """Simple `name = value` bindings in a scope (not entering nested scopes)."""
    found: dict[str, list[cst.BaseExpression]] = {}
    for node in iter_nodes(scope):
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    found.setdefault(target.target.value, []).append(node.value)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name) and node.value is not None:
            found.setdefault(node.target.value, []).append(node.value)
    return found


def keyword_argument(call: cst.Call, name: str) -> cst.Arg | None:
    """The `name=...` argument of a call, if it is written out."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def positional_arguments(call: cst.Call) -> list[cst.Arg]:
    """The plain positional arguments of a call, up to the first `*args` (after which positions
    are unknown)."""
    found: list[cst.Arg] = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        found.append(arg)
    return found


def argument(call: cst.Call, position: int, name: str) -> cst.Arg | None:
    """The argument for a parameter that may be passed by position or by keyword."""
    by_name = keyword_argument(call, name)
    if by_name is not None:
        return by_name
    positional = positional_arguments(call)
    return positional[position] if position < len(positional) else None


def double_star_arguments(call: cst.Call) -> list[cst.BaseExpression]:
    """The `**mapping` arguments of a call."""
    return [arg.value for arg in call.args if arg.star == "**"]



_NODE_FIELDS: dict[type, tuple[str, ...]] = {}


def child_nodes(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The child nodes of `node` that carry code, in field order: like `node.children` without
    whitespace, comments and parentheses, and several times faster (libcst computes `children`
    with a visitor). For whole-module passes."""
    names = _NODE_FIELDS.get(type(node))
    if names is None:
        names = tuple(
            f.name for f in dataclasses.fields(node)  # type: ignore[arg-type]
            if f.name not in ("lpar", "rpar", "leading_lines", "lines_after_decorators", "header", "footer")
            and not f.name.startswith("whitespace")
        )
        _NODE_FIELDS[type(node)] = names
    found: list[cst.CSTNode] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, (list, tuple)):
            found.extend(item for item in value if _is_node_type(type(item)))
        elif _is_node_type(type(value)):
            found.append(value)
    return found


_NODE_TYPES: dict[type, bool] = {}


def _is_node_type(kind: type) -> bool:
    known = _NODE_TYPES.get(kind)
    if known is None:
        known = _NODE_TYPES[kind] = issubclass(kind, cst.CSTNode) and not issubclass(kind, (cst.BaseParenthesizableWhitespace, cst.Comment, cst.Newline, cst.TrailingWhitespace, cst.EmptyLine))
    return known
