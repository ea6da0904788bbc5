"""One traversal of a module for all code rules (the batched visitor)."""

from __future__ import annotations

import ast
from collections import defaultdict
from typing import Callable, Iterable

from lintkit.python.nodes import child_nodes
from lintkit.rule import CodeRule

_CALLS_ONLY = frozenset({ast.Module, ast.Call})
# The async forms are dispatched to the same methods: a rule about `def` or `for` means both.
_DISPATCH_AS = {"AsyncFunctionDef": "FunctionDef", "AsyncFor": "For", "AsyncWith": "With"}


class BatchedVisitor:
    """Dispatches each node to the `visit_<Node>` / `leave_<Node>` methods of every rule, in one
    depth-first walk of the module (`<Node>` is the `ast` class name; `AsyncFunctionDef`,
    `AsyncFor` and `AsyncWith` go to the methods of `FunctionDef`, `For` and `With`). A rule that
    raises is taken out of the walk and reported through `on_crash`; the others go on."""

    def __init__(self, rules: Iterable[CodeRule], on_crash: Callable[[CodeRule, BaseException], None]) -> None:
        self._visit: dict[type, list[tuple[CodeRule, Callable]]] = defaultdict(list)
        self._leave: dict[type, list[tuple[CodeRule, Callable]]] = defaultdict(list)
        self._on_crash = on_crash
        self._crashed: set[int] = set()
        for rule in rules:
            for name in rule.visitor_methods():
                table = self._visit if name.startswith("visit_") else self._leave
                node_name = name.split("_", 1)[1]
                for kind in _node_types(node_name):
                    table[kind].append((rule, getattr(rule, name)))

    def _dispatch(self, handlers: list[tuple[CodeRule, Callable]], node: ast.AST) -> None:
        for rule, method in handlers:
            if id(rule) in self._crashed:
                continue
            try:
                method(node)
            except Exception as error:  # noqa: BLE001 - one rule's bug must not hide other findings
                self._crashed.add(id(rule))
                self._on_crash(rule, error)

    def walk(self, root: ast.AST, calls: Callable[[], Iterable[ast.Call]] | None = None) -> None:
        """Visit every node under `root`. When the rules look at nothing but calls (and the
        module), `calls` gives the module's calls, which the resolver's own pass already found,
        and no second walk is made."""
        if calls is not None and type(root) is ast.Module and (set(self._visit) | set(self._leave)) <= _CALLS_ONLY:
            self._dispatch(self._visit.get(ast.Module, []), root)
            on_call, after_call = self._visit.get(ast.Call, []), self._leave.get(ast.Call, [])
            for call in calls() if on_call or after_call else ():
                self._dispatch(on_call, call)
                self._dispatch(after_call, call)
            self._dispatch(self._leave.get(ast.Module, []), root)
            return
        visit, leave = self._visit, self._leave
        stack: list[tuple[ast.AST, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self._dispatch(leave[type(node)], node)
                continue
            handlers = visit.get(type(node))
            if handlers:
                self._dispatch(handlers, node)
            if type(node) in leave:
                stack.append((node, True))
            stack.extend((child, False) for child in reversed(child_nodes(node)))


def _node_types(name: str) -> list[type]:
    kind = getattr(ast, name, None)
    if not (isinstance(kind, type) and issubclass(kind, ast.AST)):
        raise TypeError(f"visitor method for {name!r}: not an ast node class")
    return [kind, *(getattr(ast, alias) for alias, target in _DISPATCH_AS.items() if target == name)]
