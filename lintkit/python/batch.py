"""What a batch handler does with its batch: does it return a partial batch response, and does it
read only the first record? Shared by the LK5xx rules.

The answers are three-valued: a rule fires on YES or NO, never on UNKNOWN (a handler that
returns whatever a helper in another module builds may well report failures)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import libcst as cst

from lintkit.python.module import PythonModule
from lintkit.python.nodes import (
    assignments,
    call_name,
    dotted_name,
    first_param_name,
    int_value,
    iter_nodes,
    string_value,
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
    # where the handler builds or returns the partial response (for YES)
    partial_response_node: cst.CSTNode | None
    # `event["Records"][0]` when the handler reads no other record
    first_record_only: cst.CSTNode | None


def analyze_batch_handler(module: PythonModule, definition: cst.FunctionDef) -> BatchHandlerFacts:
    evidence, node = _partial_response(module, definition)
    return BatchHandlerFacts(evidence, node, _first_record_only(definition))


def _decorator_name(decorator: cst.Decorator) -> str | None:
    target = decorator.decorator
    if isinstance(target, cst.Call):
        target = target.func
    name = dotted_name(target)
    return name.rsplit(".", 1)[-1] if name else None


def _uses_powertools_batch(module: PythonModule) -> bool:
    return POWERTOOLS_BATCH_MODULE in module.text


def _direct_evidence(module: PythonModule, scope: cst.CSTNode) -> cst.CSTNode | None:
    """A node in `scope` that builds the partial batch response."""
    powertools = _uses_powertools_batch(module)
    for node in iter_nodes(scope):
        if string_value(node) == PARTIAL_RESPONSE_KEY:
            return node
        if isinstance(node, cst.Call):
            name = call_name(node) or ""
            last = name.rsplit(".", 1)[-1]
            if last in POWERTOOLS_RESPONSE_CALLS:
                return node
            if powertools and last == "response" and "." in name:
                return node  # processor.response()
    return None


def _partial_response(module: PythonModule, definition: cst.FunctionDef) -> tuple[Evidence, cst.CSTNode | None]:
    for decorator in definition.decorators:
        if _decorator_name(decorator) in POWERTOOLS_BATCH_DECORATORS:
            return Evidence.YES, decorator
    found = _direct_evidence(module, definition.body)
    if found is not None:
        return Evidence.YES, found
    # one level of indirection: the handler calls a function of the same module that builds it
    functions = module.top_level_functions()
    for node in iter_nodes(definition.body):
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
            helper = functions.get(node.func.value)
            if helper is not None and helper is not definition and _direct_evidence(module, helper.body) is not None:
                return Evidence.YES, node
    # NO needs the whole picture: nothing in the module could build the response, no decorator
    # may replace the result, and every return is a literal we can read.
    text = module.text
    if PARTIAL_RESPONSE_KEY in text or _uses_powertools_batch(module):
        return Evidence.UNKNOWN, None
    if any(_decorator_name(d) not in TRANSPARENT_DECORATORS for d in definition.decorators):
        return Evidence.UNKNOWN, None
    bound = assignments(definition.body)
    for node in iter_nodes(definition.body):
        if isinstance(node, cst.Return) and not _is_plain_result(node.value, bound):
            return Evidence.UNKNOWN, None
    return Evidence.NO, None


def _is_plain_result(value: cst.BaseExpression | None, bound: dict[str, list[cst.BaseExpression]]) -> bool:
    """None, a constant, or a dict display (which, with no partial-response key anywhere in the
    module, cannot be one); a name only when every value bound to it is such."""
    if value is None:
        return True
    if isinstance(value, (cst.Dict, cst.SimpleString, cst.Integer, cst.Float, cst.ConcatenatedString)):
        return True
    if isinstance(value, cst.Name):
        if value.value in ("None", "True", "False"):
            return True
        values = bound.get(value.value)
        return bool(values) and all(
            not isinstance(v, cst.Name) and _is_plain_result(v, bound) for v in values
        )
    return False


def _records_access(node: cst.CSTNode, event: str) -> bool:
    """`event["Records"]` or `event.get("Records", ...)`."""
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name) and node.value.value == event:
        return len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index) and string_value(node.slice[0].slice.value) == "Records"
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "get":
        target = node.func.value
        return isinstance(target, cst.Name) and target.value == event and bool(node.args) and string_value(node.args[0].value) == "Records"
    return False


def _is_first_item(parent: cst.CSTNode | None, child: cst.CSTNode) -> bool:
    return (
        isinstance(parent, cst.Subscript)
        and parent.value is child
        and len(parent.slice) == 1
        and isinstance(parent.slice[0].slice, cst.Index)
        and int_value(parent.slice[0].slice.value) == 0
    )


def _first_record_only(definition: cst.FunctionDef) -> cst.CSTNode | None:
    event = first_param_name(definition)
    if event is None:
        return None
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    for node in iter_nodes(definition.body):
        for child in node.children:
            parents[child] = node
    # names bound to the records list: `records = event["Records"]`
    aliases: set[str] = set()
    alias_sources: set[cst.CSTNode] = set()
    for node in iter_nodes(definition.body):
        if isinstance(node, cst.Assign) and _records_access(node.value, event):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    aliases.add(target.target.value)
                    alias_sources.add(node.value)
    first: cst.CSTNode | None = None
    for node in iter_nodes(definition.body):
        is_use = (_records_access(node, event) and node not in alias_sources) or (
            isinstance(node, cst.Name) and node.value in aliases and not _is_assign_target(parents, node)
        )
        if not is_use:
            continue
        parent = parents.get(node)
        if _is_first_item(parent, node):
            first = first or parent
        else:
            return None  # the handler iterates, measures or passes on the whole batch
    return first


def _is_assign_target(parents: dict[cst.CSTNode, cst.CSTNode], name: cst.Name) -> bool:
    parent = parents.get(name)
    return isinstance(parent, cst.AssignTarget)
