"""Small, shared questions about syntax-tree nodes (CPython's `ast`): what string is this, what is
being accessed, what is being called. Rules ask these; none of them re-implements one."""

from __future__ import annotations

import ast
from typing import Iterable, Iterator, Union

FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
LOOP_NODES = (ast.For, ast.AsyncFor, ast.While)
FOR_NODES = (ast.For, ast.AsyncFor)
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)
COMPREHENSION_NODES = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def iter_nodes(root: ast.AST | Iterable[ast.AST], *, into_scopes: bool = False) -> Iterator[ast.AST]:
    """Every node under `root` (root included; a list of statements counts as one root),
    depth first in source order. Nested functions, classes and lambdas are not entered unless
    `into_scopes`: their code does not run as part of `root`."""
    roots = [root] if isinstance(root, ast.AST) else list(root)
    stack: list[ast.AST] = list(reversed(roots))
    top = {id(node) for node in roots}
    while stack:
        node = stack.pop()
        yield node
        if not into_scopes and isinstance(node, SCOPE_NODES) and id(node) not in top:
            continue
        stack.extend(reversed(child_nodes(node)))


def string_value(node: ast.AST | None) -> str | None:
    """The value of a plain string literal (implicit concatenation included, no f-string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def int_value(node: ast.AST | None) -> int | None:
    """The value of an integer literal (not a bool)."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


def dotted_name(node: ast.AST | None) -> str | None:
    """`a.b.c` for Name/Attribute chains, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def call_name(call: ast.Call) -> str | None:
    """The dotted name of the callee (`processor.response`, `json.dumps`)."""
    return dotted_name(call.func)


def subscript_key(node: ast.Subscript) -> ast.expr | None:
    """The index expression of `x[key]` (None for slices)."""
    key = node.slice
    return None if isinstance(key, ast.Slice) else key


def access_path(node: ast.AST) -> tuple[str, tuple[str, ...]] | None:
    """A chain of constant-key accesses from a name: `record["kinesis"]["sequenceNumber"]`,
    `record.get("messageId")`, `record.kinesis.sequence_number` -> ("record", ("kinesis",
    "sequenceNumber")). None when any step is not a constant key."""
    keys: list[str] = []
    while True:
        if isinstance(node, ast.Subscript):
            key = string_value(subscript_key(node))
            if key is None:
                return None
            keys.append(key)
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            if not node.args:
                return None
            key = string_value(node.args[0])
            if key is None:
                return None
            keys.append(key)
            node = node.func.value
        elif isinstance(node, ast.Attribute):
            keys.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Name):
            return node.id, tuple(reversed(keys))
        else:
            return None


def dict_items(node: ast.Dict) -> Iterator[tuple[str, ast.expr, ast.expr]]:
    """The constant-keyed items of a dict display: (key, key node, value node)."""
    for key_node, value in zip(node.keys, node.values):
        key = string_value(key_node)
        if key is not None:
            yield key, key_node, value  # type: ignore[misc]


def parameters(function: FunctionNode | ast.Lambda) -> list[ast.arg]:
    """The positional parameters, in order."""
    return list(function.args.posonlyargs) + list(function.args.args)


def first_param_name(function: FunctionNode) -> str | None:
    params = parameters(function)
    return params[0].arg if params else None


def assignments(scope: ast.AST | list[ast.stmt]) -> dict[str, list[ast.expr]]:
    """Simple `name = value` bindings in a scope (not entering nested scopes)."""
    found: dict[str, list[ast.expr]] = {}
    for node in iter_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found.setdefault(node.target.id, []).append(node.value)
    return found


def keyword_argument(call: ast.Call, name: str) -> ast.expr | None:
    """The value of the `name=...` argument of a call, if it is written out."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    return None


def keyword_names(call: ast.Call) -> set[str]:
    """The names of the keyword arguments written out in a call."""
    return {keyword.arg for keyword in call.keywords if keyword.arg is not None}


def positional_arguments(call: ast.Call) -> list[ast.expr]:
    """The plain positional arguments of a call, up to the first `*args` (after which positions
    are unknown)."""
    found: list[ast.expr] = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            break
        found.append(arg)
    return found


def argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    """The argument for a parameter that may be passed by position or by keyword."""
    by_name = keyword_argument(call, name)
    if by_name is not None:
        return by_name
    positional = positional_arguments(call)
    return positional[position] if position < len(positional) else None


def first_argument(call: ast.Call) -> ast.expr | None:
    """The first argument, positional or else keyword (`f(x)`, `f(fs=x)`, `f(*xs)` -> `xs`)."""
    first = call.args[0] if call.args else call.keywords[0].value if call.keywords else None
    return first.value if isinstance(first, ast.Starred) else first


def double_star_arguments(call: ast.Call) -> list[ast.expr]:
    """The `**mapping` arguments of a call."""
    return [keyword.value for keyword in call.keywords if keyword.arg is None]


def decorator_target(decorator: ast.expr) -> ast.expr:
    """`retry` for both `@retry` and `@retry(...)`."""
    return decorator.func if isinstance(decorator, ast.Call) else decorator


# Fields that hold no code: expression contexts, operators, type comments.
_SKIPPED_FIELDS = frozenset({"ctx", "op", "ops", "type_comment", "type_ignores", "kind", "is_async", "conversion", "level"})
# List fields whose items are not all nodes: `None` (`{**x}` keys, keyword-only parameters
# without a default) or identifiers.
_MIXED_LISTS = frozenset(
    {(ast.Dict, "keys"), (ast.arguments, "kw_defaults"), (ast.Global, "names"), (ast.Nonlocal, "names"), (ast.MatchClass, "kwd_attrs")}
)
_SINGLE, _NODES, _MIXED = 0, 1, 2
_FIELD_PLANS: dict[type, tuple[tuple[str, int], ...]] = {}


def _field_plan(node: ast.AST) -> tuple[tuple[str, int], ...]:
    """How to read the children of nodes of this type, learnt from the first one seen: a field
    that holds a list always does, and one that holds a name or a constant never holds a node."""
    kind = type(node)
    plan: list[tuple[str, int]] = []
    for name in node._fields:
        if name in _SKIPPED_FIELDS:
            continue
        value = getattr(node, name, None)
        if isinstance(value, list):
            mixed = (kind, name) in _MIXED_LISTS or not all(isinstance(item, ast.AST) for item in value)
            plan.append((name, _MIXED if mixed else _NODES))
        elif value is None or isinstance(value, ast.AST):
            plan.append((name, _SINGLE))
    found = _FIELD_PLANS[kind] = tuple(plan)
    return found


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The child nodes of `node` that carry code, in field order (`ast.iter_child_nodes`
    without contexts and operators)."""
    plan = _FIELD_PLANS.get(type(node)) or _field_plan(node)
    found: list[ast.AST] = []
    for name, how in plan:
        value = getattr(node, name, None)
        if how == _NODES:
            found += value
        elif how == _SINGLE:
            if isinstance(value, ast.AST):
                found.append(value)
        else:
            found += [item for item in value if isinstance(item, ast.AST)]
    return found


_BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
_LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "print_exc"})
_LOGGERS = frozenset({"logger", "log", "logging", "_logger", "_log", "LOGGER", "LOG", "traceback", "self.logger", "self.log"})


def is_broad_handler(handler: ast.ExceptHandler) -> bool:
    """`except:`, `except Exception` or `except BaseException` (alone or in a tuple)."""
    if handler.type is None:
        return True
    types = list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(dotted_name(t.value if isinstance(t, ast.Starred) else t) in _BROAD_EXCEPTIONS for t in types)


def _only_logs(statement: ast.stmt) -> bool:
    if isinstance(statement, (ast.Pass, ast.Continue, ast.Break)):
        return True
    if isinstance(statement, ast.Expr):
        value = statement.value
        if (isinstance(value, ast.Constant) and value.value is Ellipsis) or string_value(value) is not None:
            return True
        if isinstance(value, ast.Call):
            name = dotted_name(value.func) or ""
            if name == "print":
                return True
            owner, _, method = name.rpartition(".")
            return method in _LOG_METHODS and owner in _LOGGERS
    return False


def handler_swallows(handler: ast.ExceptHandler) -> bool:
    """The `except` body only logs, passes or skips to the next iteration (`except Exception:
    pass` on one line included): the error is neither re-raised nor recorded."""
    return all(_only_logs(statement) for statement in handler.body)
