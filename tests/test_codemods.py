"""The libcst helpers the Python fixes share (`lintkit.python.codemods`), and the fixes run on
a formatting-heavy file: every byte outside the edit stays as it was."""

from __future__ import annotations

import json

import libcst as cst
import pytest

from lintkit.findings import Location
from lintkit.python.codemods import Source, add_import, import_reference, insert_after, replace_expression, rewrite, with_keyword

from conftest import run_engine, write_project


def _first_call(source: Source) -> cst.Call:
    return min((n for n in source.positions if isinstance(n, cst.Call)), key=lambda n: source.span(n)[:2])


def add_timeout(text: str) -> str | None:
    def change(source):
        call = _first_call(source)
        new = with_keyword(call, "timeout", "10")
        return None if new is None else source.module.deep_replace(call, new)

    return rewrite(text, change)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("get(url)\n", "get(url, timeout=10)\n"),
        ("get()\n", "get(timeout=10)\n"),
        ("get(url,)\n", "get(url, timeout=10,)\n"),
        ("get(url, timeout=None)\n", "get(url, timeout=10)\n"),
        # one argument per line, trailing comma and a comment: a new line at the same indentation
        ("get(\n    url,\n    headers=h,  # auth\n)\n", "get(\n    url,\n    headers=h,  # auth\n    timeout=10,\n)\n"),
        # no trailing comma: none is added after the new argument, the comment stays on its line
        ("get(\n    url,\n    headers=h  # auth\n)\n", "get(\n    url,\n    headers=h,  # auth\n    timeout=10\n)\n"),
        # nested in a function: the arguments' indentation is kept
        ("def f():\n    return get(\n        url,\n    )\n", "def f():\n    return get(\n        url,\n        timeout=10,\n    )\n"),
    ],
)
def test_with_keyword_keeps_the_calls_layout(before, after):
    assert add_timeout(before) == after


def test_with_keyword_gives_up_on_a_bare_generator_argument():
    assert add_timeout("get(x for x in y)\n") is None


def test_node_at_tells_calls_that_start_together_apart_by_their_end():
    source = Source.parse("a.b(x).c(y)\n")
    inner = source.node_at(Location("f", 1, 1, 1, 7), cst.Call)
    outer = source.node_at(Location("f", 1, 1, 1, 12), cst.Call)
    assert source.code(inner) == "a.b(x)" and source.code(outer) == "a.b(x).c(y)"
    assert source.node_at(Location("f", 1, 1), cst.Call) is outer
    assert source.node_at(Location("f", 1, 2, 1, 7), cst.Call) is None


def _config(text: str) -> str | None:
    def change(source):
        call = _first_call(source)
        name, line = import_reference(source, "botocore.config", "Config", call, "BotoConfig")
        return add_import(source.module.deep_replace(call, with_keyword(call, "config", f"{name}()")), line)

    return rewrite(text, change)


@pytest.mark.parametrize(
    ("imports", "expected_imports", "reference"),
    [
        # added after the docstring, the __future__ import and the other imports
        ('"""Doc."""\nfrom __future__ import annotations\n\nimport boto3\n', '"""Doc."""\nfrom __future__ import annotations\n\nimport boto3\nfrom botocore.config import Config\n', "Config"),
        # an existing import is reused under its own name, never imported twice
        ("import boto3\nfrom botocore.config import Config as BotoConfig\n", None, "BotoConfig"),
        ("import boto3\nimport botocore.config\n", None, "botocore.config.Config"),
        ("import boto3\nimport botocore.config as bc\n", None, "bc.Config"),
        ("import boto3\nfrom botocore import config\n", None, "config.Config"),
        # `import botocore` alone does not load botocore.config: the import is added
        ("import boto3\nimport botocore\n", "import boto3\nimport botocore\nfrom botocore.config import Config\n", "Config"),
        # `Config` means something else here: imported under another name
        ("import boto3\nfrom app.settings import Config\n", "import boto3\nfrom app.settings import Config\nfrom botocore.config import Config as BotoConfig\n", "BotoConfig"),
        # only a docstring: the import comes after it, a blank line between
        ('"""Doc."""\n', '"""Doc."""\n\nfrom botocore.config import Config\n', "Config"),
    ],
)
def test_imports_are_added_only_when_missing(imports, expected_imports, reference):
    body = '\nclient = boto3.client("lambda")\n'
    after = _config(imports + body)
    assert after == (expected_imports or imports) + body.replace('("lambda")', f'("lambda", config={reference}())')


def test_an_import_shadowed_where_the_call_is_is_not_reused():
    text = 'from botocore.config import Config\n\ndef f(Config):\n    return boto3.client("lambda")\n'
    after = _config(text)
    assert "from botocore.config import Config as BotoConfig\n" in after
    assert 'boto3.client("lambda", config=BotoConfig())' in after


def test_replace_expression_only_replaces_what_the_rule_saw():
    text = 'x = record["receiptHandle"]\n'
    location = Location("f", 1, 5, 1, 28)
    assert rewrite(text, lambda s: replace_expression(s, location, 'record["receiptHandle"]', 'record["messageId"]')) == 'x = record["messageId"]\n'
    assert rewrite(text, lambda s: replace_expression(s, location, 'record["other"]', 'record["messageId"]')) is None


def test_insert_after_keeps_the_blocks_indentation():
    text = "def f():\n    r = g()  # keep\n    return r\n"

    def change(source):
        call = _first_call(source)
        return insert_after(source, source.parent_statement(call), "if r:\n    raise E\n")

    assert rewrite(text, change) == "def f():\n    r = g()  # keep\n    if r:\n        raise E\n    return r\n"


def test_rewrite_leaves_unparseable_text_alone():
    assert rewrite("def f(:\n", lambda source: source.module) is None


# -- every fix on one formatting-heavy file ---------------------------------------------------

HOSTILE = (
    "# -*- coding: utf-8 -*-\r\n"
    '"""Odd formatting everywhere."""\r\n'
    "import json   # json\r\n"
    "import boto3 ;  import requests\r\n"
    "\r\n"
    "\r\n"
    "def handler( event ,context ) :   # the handler\r\n"
    '    label = "café ☕ – ü" ; r = requests.get( event[ "url" ]  )  # fetch\r\n'
    "    failures = []\r\n"
    '    for record in event[ "Records" ]:\r\n'
    "        if not r.ok:\r\n"
    "            failures.append( {'itemIdentifier' :record[ 'receiptHandle' ]} )   # odd\r\n"
    "    return {'batchItemFailures': failures, \"label\": label}\r\n"
)


def test_fixes_on_a_formatting_heavy_crlf_file_keep_every_unrelated_byte(tmp_path):
    from lintkit.cli import main

    try:
        from helpers import make_runner
    except ImportError:  # tests/ became a package
        from tests.helpers import make_runner  # type: ignore[no-redef]

    (tmp_path / "app.py").write_bytes(HOSTILE.encode("utf-8"))
    (tmp_path / "lintkit.toml").write_text('lambda-code = ["app.py"]\n')
    runner = make_runner()  # stdout alone (notes go to stderr), on click 8.1 too
    report = runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--output-format", "json", "--select", "LK505,LK605"])
    found = {(f["code"], f["line"], f["fix"]["applicability"]) for f in json.loads(report.stdout) if f["fix"]}
    assert found == {("LK605", 8, "unsafe"), ("LK505", 12, "safe")}
    result = runner.invoke(main, ["check", str(tmp_path), "--no-cache", "--select", "LK505,LK605", "--fix", "--unsafe-fixes"])
    assert result.exit_code in (0, 1), result.output
    after = (tmp_path / "app.py").read_bytes().decode("utf-8")
    expected = HOSTILE.replace('requests.get( event[ "url" ]  )', 'requests.get( event[ "url" ], timeout=(3.05, 10)  )').replace(
        "record[ 'receiptHandle' ]", "record[ 'messageId' ]"
    )
    assert after == expected
    assert after.count("\r\n") == HOSTILE.count("\r\n") and "\n" not in after.replace("\r\n", "")


def test_the_formatting_heavy_file_with_its_findings_in_the_engine(tmp_path):
    write_project(tmp_path, {"app.py": HOSTILE.replace("\r\n", "\n")})
    result = run_engine([tmp_path], select=["LK505", "LK605"], lambda_code=["app.py"])
    assert sorted((f.code, f.line, f.column) for f in result.findings) == [("LK505", 12, 49), ("LK605", 8, 32)]
