"""What a batch handler does with its batch: does it return a partial batch response, and does it
read only the first record? Shared by the LK5xx rules.

The answers are three-valued: a rule fires on YES or NO, never on UNKNOWN (a handler that
returns whatever a helper in another module builds may well report failures)."""

from __future__ import annotations

import ast
import enum
from dataclasses import dataclass, replace

from lintkit.findings import Location
from lintkit.python.module import PythonModule
from lintkit.python.nodes import (
    SCOPE_NODES,
    FunctionNode,
    assignments,
    call_name,
    child_nodes,
    decorator_target,
    dotted_name,
    first_argument,
    first_param_name,
    int_value,
    iter_nodes,
    string_value,
    subscript_key,
)

PARTIAL_RESPONSE_KEY = "batchItemFailures"
POWERTOOLS_BATCH_MODULE = "aws_lambda_powertools.utilities.batch"
# Powertools functions whose result is the partial batch response.
POWERTOOLS_RESPONSE_CALLS = frozenset({"process_partial_response", "async_process_partial_response"})
# Powertools decorators that make the handler's `processor.response()` the partial response.
POWERTOOLS_BATCH_DECORATORS = frozenset({"batch_processor", "async_batch_processor"})
# Decorators that return the handler's own result unchanged (Powertools logging, tracing,
# metrics, event parsing, idempotency): they do not hide what the handler returns.
TRANSPARENT_DECORATORS = frozenset(
    {"inject_lambda_context", "capture_lambda_handler", "log_metrics", "event_source", "idempotent", "capture"}
)


class Evidence(enum.Enum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class BatchHandlerFacts:
    partial_response: Evidence
    # where the handler builds or returns the partial response (for YES); a decorator is the
    # decorator's expression (see `evidence_location`)
    partial_response_node: ast.AST | None
    # `event["Records"][0]` when the handler reads no other record
    first_record_only: ast.AST | None
    # what the handler's own body does with an error: "uncaught" (no `except`, no
    # `contextlib.suppress`), "reraises" (every `except` ends in `raise`), "caught" (otherwise)
    errors: str = "caught"


def analyze_batch_handler(module: PythonModule, definition: FunctionNode) -> BatchHandlerFacts:
    evidence, node = _partial_response(module, definition)
    return BatchHandlerFacts(evidence, node, _first_record_only(definition), _errors(definition))


def _errors(definition: FunctionNode) -> str:
    """Does an error raised in the handler's body leave it? Only the handler's own code is read
    (a helper it calls may catch errors itself)."""
    handlers = 0
    body = [statement for statement in definition.body if not isinstance(statement, SCOPE_NODES)]
    for node in iter_nodes(body):
        if isinstance(node, ast.ExceptHandler):
            handlers += 1
            if not node.body or not isinstance(node.body[-1], ast.Raise):
                return "caught"
        elif isinstance(node, ast.withitem) and isinstance(node.context_expr, ast.Call):
            if (call_name(node.context_expr) or "").rsplit(".", 1)[-1] == "suppress":
                return "caught"
    return "reraises" if handlers else "uncaught"


def _decorator_name(decorator: ast.expr) -> str | None:
    name = dotted_name(decorator_target(decorator))
    return name.rsplit(".", 1)[-1] if name else None


def _uses_powertools_batch(module: PythonModule) -> bool:
    return POWERTOOLS_BATCH_MODULE in module.text


def _direct_evidence(module: PythonModule, scope: list[ast.stmt]) -> ast.AST | None:
    """A node in `scope` that builds the partial batch response."""
    powertools = _uses_powertools_batch(module)
    for node in iter_nodes(scope):
        if string_value(node) == PARTIAL_RESPONSE_KEY:
            return node
        if isinstance(node, ast.Call):
            name = call_name(node) or ""
            last = name.rsplit(".", 1)[-1]
            if last in POWERTOOLS_RESPONSE_CALLS:
                return node
            if powertools and last == "response" and "." in name:
                return node  # processor.response()
    return None


def _partial_response(module: PythonModule, definition: FunctionNode) -> tuple[Evidence, ast.AST | None]:
    for decorator in definition.decorator_list:
        if _decorator_name(decorator) in POWERTOOLS_BATCH_DECORATORS:
            return Evidence.YES, decorator
    found = _direct_evidence(module, definition.body)
    if found is not None:
        return Evidence.YES, found
    # one level of indirection: the handler calls a function of the same module that builds it
    functions = module.top_level_functions()
    for node in iter_nodes(definition.body):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            helper = functions.get(node.func.id)
            if helper is not None and helper is not definition and _direct_evidence(module, helper.body) is not None:
                return Evidence.YES, node
    # NO needs the whole picture: nothing in the module could build the response, no decorator
    # may replace the result, and every return is a literal we can read.
    text = module.text
    if PARTIAL_RESPONSE_KEY in text or _uses_powertools_batch(module):
        return Evidence.UNKNOWN, None
    if any(_decorator_name(d) not in TRANSPARENT_DECORATORS for d in definition.decorator_list):
        return Evidence.UNKNOWN, None
    bound = assignments(definition.body)
    for node in iter_nodes(definition.body):
        if isinstance(node, ast.Return) and not _is_plain_result(node.value, bound):
            return Evidence.UNKNOWN, None
    return Evidence.NO, None


def evidence_location(module: PythonModule, definition: FunctionNode, node: ast.AST) -> Location:
    """Where `partial_response_node` is; a decorator is located from its `@` (ast's decorator
    is the expression after it)."""
    location = module.location_of(node)
    if any(node is decorator for decorator in definition.decorator_list):
        lines = module.lines
        if 0 < location.line <= len(lines):
            at = lines[location.line - 1].rfind("@", 0, location.column - 1)
            if at != -1:
                return replace(location, column=at + 1)
    return location


def _is_plain_result(value: ast.expr | None, bound: dict[str, list[ast.expr]]) -> bool:
    """None, a constant, or a dict display (which, with no partial-response key anywhere in the
    module, cannot be one); a name only when every value bound to it is such."""
    if value is None:
        return True
    if isinstance(value, ast.Dict):
        return True
    if isinstance(value, ast.Constant):
        # strings, bytes, numbers, True / False / None; not `...` nor an imaginary number
        return value.value is not Ellipsis and not isinstance(value.value, complex)
    if isinstance(value, ast.Name):
        values = bound.get(value.id)
        return bool(values) and all(
            not _is_name_like(v) and _is_plain_result(v, bound) for v in values
        )
    return False


def _is_name_like(node: ast.expr) -> bool:
    """A name, `True`, `False` or `None` (a name that is bound to a name is not followed)."""
    if isinstance(node, ast.Name):
        return True
    return isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, bool))


def _records_access(node: ast.AST, event: str) -> bool:
    """`event["Records"]` or `event.get("Records", ...)`."""
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == event:
        return string_value(subscript_key(node)) == "Records"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        target = node.func.value
        return isinstance(target, ast.Name) and target.id == event and string_value(first_argument(node)) == "Records"
    return False


def _is_first_item(parent: ast.AST | None, child: ast.AST) -> bool:
    return isinstance(parent, ast.Subscript) and parent.value is child and int_value(subscript_key(parent)) == 0


def _first_record_only(definition: FunctionNode) -> ast.AST | None:
    event = first_param_name(definition)
    if event is None:
        return None
    nodes = list(iter_nodes(definition.body))
    parents = {child: node for node in nodes for child in child_nodes(node)}
    # names bound to the records list: `records = event["Records"]`
    aliases: set[str] = set()
    alias_sources: set[ast.AST] = set()
    for node in nodes:
        if isinstance(node, ast.Assign) and _records_access(node.value, event):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    aliases.add(target.id)
                    alias_sources.add(node.value)
    first: ast.AST | None = None
    for node in nodes:
        is_use = (_records_access(node, event) and node not in alias_sources) or (
            isinstance(node, ast.Name) and node.id in aliases and not _is_assign_target(parents, node)
        )
        if not is_use:
            continue
        parent = parents.get(node)
        if _is_first_item(parent, node):
            first = first or parent
        else:
            return None  # the handler iterates, measures or passes on the whole batch
    return first


def _is_assign_target(parents: dict[ast.AST, ast.AST], name: ast.Name) -> bool:
    parent = parents.get(name)
    return isinstance(parent, ast.Assign) and any(target is name for target in parent.targets)
