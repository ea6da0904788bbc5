"""What a loop's body does with its turns, read from its shape alone: does it retry a request that
failed, or wait for a state (polling)? Does it leave after a given statement (a single hand-off,
not a fan-out)? Does a statement run on every pass?

Plain syntax questions with no name resolution: `resolve.py` asks them and adds what needs
bindings (is the loop counting, is the call a request)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Iterator, Mapping

from lintkit.python.nodes import LOOP_NODES, SCOPE_NODES, child_nodes, string_value

TRY_NODES = (ast.Try, getattr(ast, "TryStar", ast.Try))
_NESTED = frozenset({*LOOP_NODES, *SCOPE_NODES})
_LEAVING = (ast.Return, ast.Break, ast.Raise)
_MAX_DEPTH = 12  # how deep `not` / `and` / `or` are followed in a test

# Words in an `if` test that are about how a request went (lower case, found inside a name).
_FAILURE_PARTS = ("error", "fail", "exception", "throttl", "unsuccess")
_SUCCESS_PARTS = ("success", "succeed")
_SUCCESS_NAMES = frozenset({"ok", "is_ok", "all_ok"})
# Names read with a number: an HTTP status (`status_code == 200`, `resp.status >= 500`).
_STATUS_PARTS = ("status", "code")
# Words of a test that counts attempts or watches the clock (a give-up check, not an answer).
_COUNTER_PARTS = ("attempt", "retr", "tries", "tried", "time", "deadline", "elapsed")


def body_nodes(node: ast.AST | list[ast.stmt]) -> Iterator[ast.AST]:
    """The nodes of a loop's (or block's) body, not entering nested loops or functions: a
    `break` there belongs to this loop."""
    roots = node.body if isinstance(node, LOOP_NODES) else node if isinstance(node, list) else [node]
    stack: list[ast.AST] = list(reversed(roots))
    while stack:
        current = stack.pop()
        yield current
        for child in reversed(child_nodes(current)):
            if type(child) in _NESTED:
                continue
            stack.append(child)


def always_leaves(handler: ast.ExceptHandler) -> bool:
    """Does an `except` block end by raising, returning or breaking out of the loop?"""
    return bool(handler.body) and isinstance(handler.body[-1], _LEAVING)


# -- retrying or polling ------------------------------------------------------------------------

def retries_on_failure(loop: ast.For | ast.AsyncFor | ast.While) -> bool:
    """Does the loop go round again because something failed, and leave once it worked?

    It goes round on failure through an `except` that does not leave the loop, a `continue` after
    a failure check (`if resp.status_code >= 500: continue`), a leave guarded by a success check
    (`if resp.ok: break`), or a `while` that runs while the request fails (`while not resp.ok`).
    A loop whose only ways out wait for a state (`if status == "AVAILABLE": break`,
    `if len(items) >= expected: return`, `while status != "DONE"`), or that goes round on one
    (`if status != "DONE": continue`), is polling: it goes round on a normal answer, and is not
    a retry whatever it catches."""
    counters = _counters(loop)
    success_exit = goes_round = waits = waits_on = unconditional = False
    for node in body_nodes(loop):
        if isinstance(node, TRY_NODES) and any(
            not always_leaves(h) or any(isinstance(n, ast.Continue) for n in body_nodes(h.body)) for h in node.handlers
        ):
            goes_round = True
    for exit in _exits(loop.body):
        if exit.in_handler:
            continue
        kinds = {_branch_kind(test, holds, counters) for test, holds in exit.tests}
        if isinstance(exit.node, ast.Continue):
            goes_round = goes_round or "failure" in kinds
            waits_on = waits_on or ("state" in kinds and "failure" not in kinds)  # `if status != "DONE": continue`
        elif not exit.tests:
            unconditional = True
        elif "failure" in kinds:
            pass  # gives up on an error: neither a success nor a wait
        elif "success" in kinds:
            success_exit = goes_round = True
        elif "state" in kinds:
            waits = True
    if isinstance(loop, ast.While):
        kind = _branch_kind(loop.test, True, counters)
        if kind == "failure":
            success_exit = goes_round = True
        elif kind == "state":
            waits = True
    if unconditional:  # a pass that gets an answer leaves, unless a `continue` waits for a state
        success_exit, waits = True, False
    return success_exit and goes_round and not waits and not waits_on


@dataclass(frozen=True)
class _Exit:
    node: ast.stmt  # a Break, Continue or Return of the loop
    tests: tuple[tuple[ast.expr, bool], ...]  # the `if` tests around it, and whether its branch is the true one
    in_handler: bool


def _exits(statements: list, tests: tuple = (), in_handler: bool = False, nested: bool = False) -> Iterator[_Exit]:
    """The `break` / `continue` / `return` of a loop body with the branch each sits in (a nested
    loop's `return` too, not its `break` / `continue`)."""
    for statement in statements:
        if isinstance(statement, ast.Return) or (isinstance(statement, (ast.Break, ast.Continue)) and not nested):
            yield _Exit(statement, tests, in_handler)
        elif isinstance(statement, ast.If):
            yield from _exits(statement.body, tests + ((statement.test, True),), in_handler, nested)
            yield from _exits(statement.orelse, tests + ((statement.test, False),), in_handler, nested)
        elif isinstance(statement, TRY_NODES):
            yield from _exits(statement.body + statement.orelse + statement.finalbody, tests, in_handler, nested)
            for handler in statement.handlers:
                yield from _exits(handler.body, tests, True, nested)
        elif isinstance(statement, (ast.With, ast.AsyncWith)):
            yield from _exits(statement.body, tests, in_handler, nested)
        elif isinstance(statement, LOOP_NODES):  # a `return` there waits for an item, like an `if`
            inner = statement.test if isinstance(statement, ast.While) else statement.iter
            yield from _exits(statement.body, tests + ((inner, True),), in_handler, True)
            yield from _exits(statement.orelse, tests, in_handler, nested)
        elif isinstance(statement, getattr(ast, "Match", ())):
            for case in statement.cases:
                yield from _exits(case.body, tests + ((statement.subject, True),), in_handler, nested)


def _counters(loop: ast.AST) -> frozenset[str]:
    """The loop's attempt counters: the `for` target and the names the body adds to (`tries += 1`)."""
    names = set()
    if isinstance(loop, (ast.For, ast.AsyncFor)):
        names.update(n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name))
    for node in body_nodes(loop):
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return frozenset(name.lower() for name in names)


def _branch_kind(test: ast.expr, holds: bool, counters: frozenset[str]) -> str:
    """What reaching the branch where `test` is `holds` says: "success" or "failure" (of a
    request), "outcome" (about one, we cannot tell which way), "counter" (an attempt count or a
    deadline), "state" (a value reached a state: compared with a string, or any other test of
    data), or "" (a constant)."""
    if _compares_state(test):
        return "state"
    succeeded = _succeeded_when(test)
    if succeeded is not None:
        return "success" if succeeded == holds else "failure"
    words = _words(test)
    if any(_word_outcome(w) is not None for w in words):
        return "outcome"
    if any(w in counters or any(p in w for p in _COUNTER_PARTS) for w in words):
        return "counter"
    return "state" if words else ""


def _succeeded_when(test: ast.expr, depth: int = 0) -> bool | None:
    """True when `test` holds after a request that worked (`resp.ok`, `status_code == 200`,
    `not errors`), False when it holds after one that failed (`not resp.ok`, `status >= 500`,
    `"Error" in resp`, `resp["FailedPutCount"] > 0`), None when it does not say."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _succeeded_when(test.operand, depth + 1)
        return None if inner is None else not inner
    if isinstance(test, ast.BoolOp):
        known = {p for p in (_succeeded_when(v, depth + 1) for v in test.values) if p is not None}
        return known.pop() if len(known) == 1 else None
    if isinstance(test, ast.Compare):
        return _compare_succeeded(test) if len(test.ops) == 1 else None
    outcomes = {_word_outcome(w) for w in _words(test)} - {None}
    return outcomes.pop() if len(outcomes) == 1 else None


def _compare_succeeded(test: ast.Compare) -> bool | None:
    left, op, right = test.left, test.ops[0], test.comparators[0]
    key = string_value(left)
    if key is not None and isinstance(op, (ast.In, ast.NotIn)):  # `"Error" in response`
        found = _word_outcome(key.lower())
        return None if found is None else found == isinstance(op, ast.In)
    if _ints(left) and not _ints(right):
        left, right, op = right, left, _MIRRORED.get(type(op), op)
    numbers = _ints(right)
    words = _words(left)
    outcome = {_word_outcome(w) for w in words} - {None}
    if numbers:
        if any(part in w for w in words for part in _STATUS_PARTS) and not outcome:
            return _status_succeeded(op, numbers)
        if outcome == {False}:  # a count of failures: `FailedPutCount > 0`
            if isinstance(op, ast.Eq) and numbers == [0] or isinstance(op, ast.Lt) and numbers == [1]:
                return True
            if isinstance(op, (ast.NotEq, ast.Gt)) and numbers == [0] or isinstance(op, ast.GtE) and numbers == [1]:
                return False
        return None
    if len(outcome) != 1:
        return None
    means_success = outcome.pop()
    if isinstance(op, (ast.Is, ast.IsNot)) and isinstance(right, ast.Constant) and right.value is None:
        return means_success == isinstance(op, ast.IsNot)  # `error is None`: no failure
    if not means_success and _strings(right) and isinstance(op, (ast.Eq, ast.In)):
        return False  # `error_code == "ThrottlingException"`
    return None


_MIRRORED = {ast.Lt: ast.Gt(), ast.Gt: ast.Lt(), ast.LtE: ast.GtE(), ast.GtE: ast.LtE()}


def _status_succeeded(op: ast.cmpop, numbers: list[int]) -> bool | None:
    """An HTTP status compared with numbers: holds on a 2xx (True), on an error (False)?"""
    good = [200 <= n < 300 for n in numbers]
    if isinstance(op, (ast.Eq, ast.In)):
        return True if all(good) else False if not any(good) else None
    if isinstance(op, (ast.NotEq, ast.NotIn)):
        return False if all(good) else True if not any(good) else None
    if isinstance(op, (ast.Lt, ast.LtE)) and len(numbers) == 1 and numbers[0] <= 500:
        return True
    if isinstance(op, (ast.Gt, ast.GtE)) and len(numbers) == 1 and numbers[0] >= 299:
        return False
    return None


def _word_outcome(word: str) -> bool | None:
    """Does a name say a request worked (True: `ok`, `success`) or failed (False: `error`)?"""
    if any(part in word for part in _FAILURE_PARTS):
        return False
    if word in _SUCCESS_NAMES or any(part in word for part in _SUCCESS_PARTS):
        return True
    return None


def _compares_state(test: ast.expr) -> bool:
    """Is a value compared with a state string (`status == "AVAILABLE"`, `state in ("DONE",
    "FAILED")`)? Not a key test (`"Item" in resp`) nor an error code (`error_code == "Throttling"`)."""
    for node in ast.walk(test):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for index, op in enumerate(node.ops):
            left, right = operands[index], operands[index + 1]
            if string_value(left) is not None and isinstance(op, (ast.In, ast.NotIn)):
                continue
            for value, subject in ((left, right), (right, left)):
                if _strings(value) and not any(_word_outcome(w) is False for w in _words(subject)):
                    return True
    return False


def _strings(node: ast.AST) -> bool:
    """A string literal, or a non-empty tuple/list/set of them."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return bool(node.elts) and all(string_value(e) is not None for e in node.elts)
    return string_value(node) is not None


def _ints(node: ast.AST) -> list[int]:
    """The integers of a literal number or tuple/list/set of numbers (else [])."""
    elements = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    values = [e.value for e in elements if isinstance(e, ast.Constant) and type(e.value) is int]
    return values if values and len(values) == len(elements) else []


def _words(expr: ast.AST) -> set[str]:
    """The names a test reads, lower case: variables, attributes, constant keys (`resp["Error"]`,
    `resp.get("error")`) and called functions."""
    words = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            words.add(node.id.lower())
        elif isinstance(node, ast.Attribute) and node.attr != "get":
            words.add(node.attr.lower())
        elif isinstance(node, ast.Subscript) and string_value(node.slice) is not None:
            words.add(string_value(node.slice).lower())  # type: ignore[union-attr]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
            key = string_value(node.args[0])
            if key is not None:
                words.add(key.lower())
    return words


# -- leaving after a statement, running on every pass -------------------------------------------

def leaves_after(node: ast.AST, loop: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> bool:
    """Once `node` has run, does this pass always leave `loop`: a `return`, `raise`, or a `break`
    of `loop` follows it in the same branch (or is its own statement), with no `continue` of
    `loop` before? (An invoke followed by `break` is one hand-off, not one per item.)"""
    if not isinstance(loop, LOOP_NODES):
        return False
    current = node
    while not isinstance(current, ast.stmt):  # the statement that holds the expression
        current = parents.get(current)  # type: ignore[assignment]
        if current is None or current is loop:
            return False  # e.g. in the `while` test
    if isinstance(current, (ast.Return, ast.Raise)):
        return True
    while True:
        parent = parents.get(current)
        if parent is None or isinstance(parent, SCOPE_NODES):
            return False  # `node` is not in `loop`
        for statement in _what_runs_next(parent, current):
            if isinstance(statement, (ast.Return, ast.Raise)):
                return True
            owner = _loop_of(statement, parents)
            if isinstance(statement, (ast.Break, ast.Continue)):
                if owner is loop:
                    return isinstance(statement, ast.Break)
                break  # leaves or restarts an inner loop: carry on after it
            if any(isinstance(n, ast.Continue) for n in body_nodes([statement])):
                if owner is loop:
                    return False  # may go round before it leaves
                break
        if parent is loop:
            return False  # the end of the pass: it goes round
        if isinstance(parent, (ast.ExceptHandler, getattr(ast, "match_case", ast.ExceptHandler))):
            parent = parents.get(parent)  # what runs next is after the `try` / `match`
            if parent is None:
                return False
        current = parent


def _what_runs_next(parent: ast.AST, child: ast.AST) -> list[ast.stmt]:
    """The statements of `parent` that run after its statement `child`, up to the end of the
    block (a `try` body goes on with its `else` and `finally`)."""
    for name in ("body", "orelse", "finalbody"):
        block = getattr(parent, name, None)
        if isinstance(block, list):
            for index, statement in enumerate(block):
                if statement is child:
                    rest = block[index + 1:]
                    if isinstance(parent, TRY_NODES) and name == "body":
                        rest = rest + parent.orelse + parent.finalbody
                    elif isinstance(parent, TRY_NODES) and name == "orelse":
                        rest = rest + parent.finalbody
                    return rest
    return []


def _loop_of(statement: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> ast.AST | None:
    """The loop a `break` / `continue` in `statement`'s place belongs to (None outside loops)."""
    child, current = statement, parents.get(statement)
    while current is not None and not isinstance(current, SCOPE_NODES):
        if isinstance(current, LOOP_NODES) and any(s is child for s in current.body):
            return current
        child, current = current, parents.get(current)
    return None


def runs_each_pass(node: ast.AST, loop: ast.AST, parents: Mapping[ast.AST, ast.AST]) -> bool:
    """Is `node` in a statement of `loop`'s body that runs on every pass: not under an `if`,
    an `except`, a nested loop or function (`with` blocks and `try` bodies run)?"""
    if not isinstance(loop, LOOP_NODES):
        return False
    current = node
    while True:
        parent = parents.get(current)
        if parent is None:
            return False
        if parent is loop:
            return any(statement is current for statement in loop.body)
        if isinstance(parent, ast.stmt) and isinstance(current, ast.stmt):
            if isinstance(parent, (ast.With, ast.AsyncWith)):
                pass
            elif isinstance(parent, TRY_NODES) and any(s is current for s in parent.body):
                pass
            else:
                return False
        elif isinstance(parent, (ast.ExceptHandler, *SCOPE_NODES)):
            return False
        current = parent
