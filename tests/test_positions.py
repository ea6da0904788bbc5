"""Positions of findings: CPython's `ast` counts columns in UTF-8 bytes, findings count characters.
`location_of` must convert, `code_of` must give a node's exact text, and `name_location` must find
the name of a `def` / `class` (which `ast` gives no position of its own)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lintkit.python.module import parse_python
from lintkit.python.nodes import iter_nodes

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "header comments and a docstring": '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n"""Doc."""\n\nimport os\n\n\n@decorator\ndef f(a,\n      b):\n    # inside\n    return [x for x in a if x]\n\n\nclass C:\n    def m(self):\n        return {"k": (1,\n                      2)}\n',
    "crlf": "import os\r\n\r\ndef handler(event, context):\r\n    for r in event['Records']:\r\n        print(r)\r\n",
    "no trailing newline": "x = 1\ny = f(x,\n  2)",
    "non-ascii": 'név = "árvíztűrő"; client = boto3.client("lambda")  # ütvefúrógép\nx = 1\ns = "\U0001f600"; t = call(s)\n',
}


def parse(text: str, name: str = "app.py"):
    module = parse_python(text, path=name, abs_path=Path(name))
    assert module is not None
    return module


def assert_segments_match(text: str) -> int:
    """`code_of(node)` is the node's own text for every positioned node (which holds only if the
    byte columns became character columns correctly)."""
    module = parse(text)
    lines = [line.encode("utf-8") for line in text.replace("\r\n", "\n").split("\n")]
    checked = 0
    for node in iter_nodes(module.tree, into_scopes=True):
        if getattr(node, "lineno", None) is None:
            continue
        # the reference slices bytes, as `ast` counts them (`ast.get_source_segment` does the
        # same but re-splits the whole text on every call)
        first, last = node.lineno - 1, node.end_lineno - 1
        if first == last:
            expected = lines[first][node.col_offset : node.end_col_offset]
        else:
            expected = b"\n".join([lines[first][node.col_offset :], *lines[first + 1 : last], lines[last][: node.end_col_offset]])
        assert module.code_of(node) == expected.decode("utf-8"), type(node).__name__
        checked += 1
    return checked


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_code_of_every_node_is_its_source(name):
    assert assert_segments_match(SAMPLES[name]) > 5


@pytest.mark.parametrize("path", ["lintkit/engine.py", "lintkit/python/resolve.py", "rules/batch_failures.py"])
def test_code_of_every_node_of_real_modules(path):
    assert assert_segments_match((ROOT / path).read_text()) > 1000


def test_columns_count_characters_not_bytes():
    module = parse(SAMPLES["non-ascii"])
    call = next(n for n in iter_nodes(module.tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "client")
    where = module.location_of(call)
    line = SAMPLES["non-ascii"].split("\n")[0]
    assert (where.line, where.column) == (1, line.index("boto3") + 1)
    assert where.end_column == line.index(")") + 2
    emoji_call = next(n for n in iter_nodes(module.tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "call")
    assert module.location_of(emoji_call).column == SAMPLES["non-ascii"].split("\n")[2].index("call") + 1


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("def handler(event, context):\n    pass\n", 1, 5),
        ("@decorator\n@other(1)\nasync   def  handler(event, context):\n    pass\n", 3, 14),
        ("class Handler:\n    def handler(self): pass\n", 1, 7),
        ("x = 1; def_ = 2\nif x:\n    def handler(): pass\n", 3, 9),
    ],
)
def test_name_location_points_at_the_name(text, line, column):
    module = parse(text)
    definition = next(n for n in iter_nodes(module.tree, into_scopes=True) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)))
    where = module.name_location(definition)
    assert (where.line, where.column, where.end_column) == (line, column, column + len(definition.name))
