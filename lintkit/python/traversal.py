"""One libcst traversal of a module for all code rules (the batched visitor)."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

import libcst as cst

from lintkit.python.nodes import child_nodes
from lintkit.rule import CodeRule


class BatchedVisitor:
    """Dispatches each node to the `visit_<Node>` / `leave_<Node>` methods of every rule, in one
    depth-first walk of the module. A rule that raises is taken out of the walk and reported
    through `on_crash`; the others go on.

    The walk is our own, over `child_nodes` (the nodes that carry code, not whitespace): libcst's
    visitor machinery costs several times more than the rules themselves."""

    def __init__(self, rules: Iterable[CodeRule], on_crash: Callable[[CodeRule, BaseException], None]) -> None:
        self._visit: dict[str, list[tuple[CodeRule, Callable]]] = defaultdict(list)
        self._leave: dict[str, list[tuple[CodeRule, Callable]]] = defaultdict(list)
        self._on_crash = on_crash
        self._crashed: set[int] = set()
        for rule in rules:
            for name in rule.visitor_methods():
                table = self._visit if name.startswith("visit_") else self._leave
                table[name.split("_", 1)[1]].append((rule, getattr(rule, name)))

    def _dispatch(self, table: dict, node: cst.CSTNode) -> None:
        handlers = table.get(type(node).__name__)
        if not handlers:
            return
        for rule, method in handlers:
            if id(rule) in self._crashed:
                continue
            try:
                method(node)
            except Exception as error:  # noqa: BLE001 - one rule's bug must not hide other findings
                self._crashed.add(id(rule))
                self._on_crash(rule, error)

    def walk(self, root: cst.CSTNode) -> None:
        visit, leave = self._visit, self._leave
        stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
        while stack:
            node, leaving = stack.pop()
            if leaving:
                self._dispatch(leave, node)
                continue
            self._dispatch(visit, node)
            stack.append((node, True))
            stack.extend((child, False) for child in reversed(child_nodes(node)))
