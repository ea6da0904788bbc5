"""Positions are computed per top-level statement (cheaper than a positioned codegen of the
whole module): they must equal libcst's whole-module positions for every node."""

from __future__ import annotations

from pathlib import Path

import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from lintkit.python.module import parse_python
from lintkit.python.nodes import iter_nodes

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = {
    "header comments and a docstring": '#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n"""Doc."""\n\nimport os\n\n\n@decorator\ndef f(a,\n      b):\n    # inside\n    return [x for x in a if x]\n\n\nclass C:\n    def m(self):\n        return {"k": (1,\n                      2)}\n',
    "crlf": "import os\r\n\r\ndef handler(event, context):\r\n    for r in event['Records']:\r\n        print(r)\r\n",
    "no trailing newline": "x = 1\ny = f(x,\n  2)",
    "trailing comments": "x = 1\n# the end\n\n# really\n",
}


def assert_same_positions(text: str, name: str) -> None:
    module = parse_python(text, path=name, abs_path=Path(name))
    reference = MetadataWrapper(module.tree, unsafe_skip_copy=True).resolve(PositionProvider)
    checked = 0
    for node in iter_nodes(module.tree, into_scopes=True):
        if node is module.tree:
            continue
        expected = reference[node]
        found = module.location_of(node)
        assert (found.line, found.column, found.end_line, found.end_column) == (
            expected.start.line, expected.start.column + 1, expected.end.line, expected.end.column + 1
        ), (name, type(node).__name__)
        checked += 1
    assert checked > 0


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_positions_of_samples(name):
    assert_same_positions(SAMPLES[name], name)


@pytest.mark.parametrize("path", ["lintkit/engine.py", "lintkit/python/resolve.py", "rules/batch_failures.py"])
def test_positions_of_real_modules(path):
    assert_same_positions((ROOT / path).read_text(), path)
