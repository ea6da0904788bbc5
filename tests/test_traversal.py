"""The batched traversal: every rule sees every node it asks for, `async` forms reach the
methods of their plain forms, and rules that look only at calls get them from the resolver's
pass (no second walk) without missing one."""

from __future__ import annotations

import ast
from pathlib import Path

from lintkit.python.module import parse_python
from lintkit.python.resolve import resolver_for
from lintkit.python.traversal import BatchedVisitor
from lintkit.rule import CodeRule

SOURCE = '''
import functools

@functools.lru_cache(maxsize=int("8"))
def helper(x=len("abc"), *args: tuple(), **kw: dict()) -> type(None):
    return [str(i) for i in range(x) if bool(i)]

async def handler(event, context):
    async for item in source(event):
        async with lock(item):
            await send(lambda: item.upper())
    class Local(base()):
        attr = make()
    return {"k": helper(**{"x": int("2")})}
'''


class _Calls(CodeRule):
    code, name = "LK999", "test-calls"

    def __init__(self) -> None:
        super().__init__({})
        self.seen: list[ast.Call] = []

    def visit_Call(self, node: ast.Call) -> None:
        self.seen.append(node)


class _Shapes(CodeRule):
    code, name = "LK998", "test-shapes"

    def __init__(self) -> None:
        super().__init__({})
        self.seen: list[str] = []

    def visit_FunctionDef(self, node) -> None:
        self.seen.append(type(node).__name__)

    def visit_For(self, node) -> None:
        self.seen.append(type(node).__name__)

    def visit_With(self, node) -> None:
        self.seen.append(type(node).__name__)


def _module():
    return parse_python(SOURCE, path="app.py", abs_path=Path("app.py"))


def _crash(rule, error):
    raise error


def test_calls_from_the_resolver_are_every_call_of_the_module():
    module = _module()
    walked, shallow = _Calls(), _Calls()
    BatchedVisitor([walked], _crash).walk(module.tree)
    BatchedVisitor([shallow], _crash).walk(module.tree, calls=lambda: resolver_for(module).calls())
    every = [node for node in ast.walk(module.tree) if isinstance(node, ast.Call)]
    assert len(walked.seen) == len(every) == 17
    assert {id(n) for n in shallow.seen} == {id(n) for n in walked.seen}


def test_async_forms_reach_the_plain_methods_and_force_a_full_walk():
    module = _module()
    rule = _Shapes()
    called = []
    BatchedVisitor([rule], _crash).walk(module.tree, calls=lambda: called.append(1) or [])
    assert sorted(rule.seen) == ["AsyncFor", "AsyncFunctionDef", "AsyncWith", "FunctionDef"]
    assert called == []  # rules that look at more than calls get the whole walk
