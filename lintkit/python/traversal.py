"""One libcst traversal of a module for all code rules (the batched visitor)."""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable

import libcst as cst

from lintkit.rule import CodeRule


class RuleCrash(Exception):
    def __init__(self, rule: CodeRule, error: BaseException) -> None:
        super().__init__(f"{rule.code}: {type(error).__name__}: {error}")
        self.rule = rule
        self.error = error


class BatchedVisitor(cst.CSTVisitor):
    """Dispatches each node to the `visit_<Node>` / `leave_<Node>` methods of every rule. A rule
    that raises is taken out of the traversal and reported through `on_crash`; the others go on."""

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

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._dispatch(self._visit, node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._dispatch(self._leave, original_node)
