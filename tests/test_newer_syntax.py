"""Python newer than the one running lintkit (3.12 f-strings and type parameters, 3.13 type
parameter defaults, 3.14 `except A, B:` and t-strings) is a note, not LK001, and its function is
still checked by the rules that need no code; and the errors CPython's compiler raises after
parsing (`return` outside a function, ...) are LK001 with CPython's message and position."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import run_engine, write_project

from lintkit.cache import Cache
from lintkit.config import Config
from lintkit.engine import check
from lintkit.python.module import PythonSyntaxError, compile_error
from lintkit.rule import registry

from helpers import invoke, parse_concise

HOST = sys.version_info[:2]
HOST_TEXT = f"{HOST[0]}.{HOST[1]}"

# An SQS-triggered function whose queue has no redrive policy (template rules fire: LK404 on the
# queue, LK501 on the event), running `app.handler`.
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: {runtime}
      Timeout: 5
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""

# (handler source, line of the newer construct, what the note says it is, the Python it needs)
NEWER = {
    "pep701-quotes": (
        'def handler(event, context):\n    headers = event["headers"]\n    return f"{headers["host"]}"\n',
        3, "an f-string whose replacement field holds the string's own quotes", (3, 12),
    ),
    "pep701-backslash": (
        'def handler(event, context):\n    return f"{"\\n".join(event["lines"])}"\n',
        2, "an f-string whose replacement field holds the string's own quotes", (3, 12),
    ),
    "pep695-def": ("def handler[T](event: T, context) -> T:\n    return event\n", 1, "type parameters in brackets", (3, 12)),
    "pep695-type": ("import json\n\ntype Payload = dict[str, str]\n\ndef handler(event, context):\n    return 1\n", 3, "a `type` statement", (3, 12)),
    "pep696-default": ("def handler[T = dict](event: T, context) -> T:\n    return event\n", 1, "a type parameter with a default", (3, 13)),
    "pep758-except": (
        "def handler(event, context):\n    try:\n        return int(event)\n    except ValueError, TypeError:\n        return 0\n",
        4, "`except` with several exception types and no parentheses", (3, 14),
    ),
    "pep750-tstring": ('def handler(event, context):\n    return t"{event}"\n', 2, "a template string (t-string)", (3, 14)),
}


def newer_cases():
    for name, (source, line, feature, version) in NEWER.items():
        marks = pytest.mark.skipif(HOST >= version, reason=f"Python {HOST_TEXT} parses it")
        yield pytest.param(source, line, feature, version, id=name, marks=marks)


def hits(result) -> list[tuple[str, str, int]]:
    return sorted((Path(f.path).name, f.code, f.line) for f in result.findings)


@pytest.mark.parametrize(("source", "line", "feature", "version"), list(newer_cases()))
def test_newer_syntax_is_a_note_and_the_function_is_still_checked(tmp_path, source, line, feature, version):
    write_project(tmp_path, {"app.py": source, "template.yaml": TEMPLATE.format(runtime="python3.14")})
    result = run_engine([tmp_path])
    assert not result.internal_errors
    # no LK001, no LK002 (the handler exists, its file is only too new to read here); the
    # template rule on the function still reports
    assert hits(result) == [("template.yaml", "LK404", 3), ("template.yaml", "LK501", 13)]
    python = f"{version[0]}.{version[1]}"
    assert result.problems == [(
        str(tmp_path / "app.py"),
        f"line {line} uses {feature}, syntax of Python {python} (Worker runs python3.14), newer than "
        f"the Python {HOST_TEXT} running lintkit: the file is not a syntax error, but its code was "
        f"not analysed; run lintkit with Python {python} or newer to check it",
    )]


@pytest.mark.skipif(HOST >= (3, 14), reason="parses `except A, B:`")
def test_newer_syntax_than_the_functions_runtime_is_lk001(tmp_path):
    source, line, _, _ = NEWER["pep758-except"]
    write_project(tmp_path, {"app.py": source, "template.yaml": TEMPLATE.format(runtime="python3.12")})
    result = run_engine([tmp_path])
    assert hits(result) == [("app.py", "LK001", 4), ("template.yaml", "LK404", 3), ("template.yaml", "LK501", 13)]
    [error] = [f for f in result.findings if f.code == "LK001"]
    assert error.message == (
        f"Python file does not parse on python3.12, the runtime of Worker ({tmp_path / 'template.yaml'}): "
        "line 4 uses `except` with several exception types and no parentheses, syntax of Python 3.14; "
        "set Runtime to python3.14 or newer, or write it without that syntax"
    )
    assert result.problems == []


@pytest.mark.skipif(HOST >= (3, 12), reason="parses 3.12 f-strings")
def test_an_unlinked_file_in_newer_syntax_is_a_note_without_a_runtime(tmp_path):
    write_project(tmp_path, {"tool.py": 'print(f"{ {"a": 1}["a"]}")\n'})
    result = run_engine([tmp_path])
    assert result.findings == []
    assert result.files_checked == 1
    assert result.problems == [(
        str(tmp_path / "tool.py"),
        f"line 1 uses an f-string whose replacement field holds the string's own quotes, syntax of "
        f"Python 3.12, newer than the Python {HOST_TEXT} running lintkit: the file is not a syntax "
        f"error, but its code was not analysed; run lintkit with Python 3.12 or newer to check it",
    )]


@pytest.mark.parametrize(
    ("source", "line", "column", "message"),
    [
        # a real error that libcst rejects too
        ("def handler(event, context):\n    x = = 1\n    return x\n", 2, 9, "SyntaxError: invalid syntax"),
        # a newer construct elsewhere does not excuse a real error where `ast` stopped
        ("def handler(event, context):\n    print 'x'\n\ntype X = int\n", 2, 5, "SyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?"),
        # an f-string error of every Python (an unknown conversion)
        ("import json\nprint(f'{json.dumps(1)!z}')\n", 2, None, None),
    ],
)
def test_a_real_syntax_error_is_still_lk001_with_its_line(tmp_path, source, line, column, message):
    (tmp_path / "app.py").write_text(source)
    result = run_engine([tmp_path])
    [error] = result.findings
    assert (error.code, Path(error.path).name, error.line) == ("LK001", "app.py", line)
    try:
        ast.parse(source)
    except SyntaxError as expected:
        assert error.message == f"Python file does not parse: SyntaxError: {expected.msg}"
        assert error.column == expected.offset
    if message is not None:
        assert (error.column, error.message) == (column, f"Python file does not parse: {message}")
    assert result.problems == []


@pytest.mark.skipif(HOST >= (3, 12), reason="parses `type`")
def test_a_statement_too_long_for_libcst_stays_lk001(tmp_path):
    # libcst slows down much faster than linearly on long operator chains: not handed to it
    source = "total = " + " + ".join(["1"] * 1500) + "\ntype X = int\n"
    (tmp_path / "app.py").write_text(source)
    result = run_engine([tmp_path])
    assert hits(result) == [("app.py", "LK001", 2)]
    assert result.problems == []


def run_cached(root: Path, cache: Cache | None):
    rules = registry()
    result = check([root], registry=rules, config=Config(path=None, root=root), enabled=set(rules.codes), cache=cache)
    assert not result.internal_errors
    return sorted((f.path, f.line, f.code, f.message) for f in result.findings), result.problems


@pytest.mark.skipif(HOST >= (3, 12), reason="parses 3.12 syntax")
def test_newer_syntax_gives_the_same_result_cold_and_warm(tmp_path, monkeypatch):
    write_project(tmp_path, {
        "app.py": NEWER["pep695-type"][0],
        "template.yaml": TEMPLATE.format(runtime="python3.12"),
        "old/app.py": NEWER["pep695-type"][0],
        "old/template.yaml": TEMPLATE.format(runtime="python3.11"),
    })
    monkeypatch.chdir(tmp_path)
    root = Path(".")
    uncached = run_cached(root, None)
    assert [code for _, _, code, _ in uncached[0]].count("LK001") == 1  # old/: python3.11
    assert len(uncached[1]) == 1 and uncached[1][0][0] == "app.py"
    settings = {"enabled": sorted(registry().codes)}
    cold = Cache(tmp_path, settings)
    assert run_cached(root, cold) == uncached
    warm = Cache(tmp_path, settings)
    parsed = []
    monkeypatch.setattr("lintkit.python.newer.newer_syntax", lambda *args: parsed.append(args))
    assert run_cached(root, warm) == uncached
    assert warm.misses == 0 and parsed == []  # nothing parsed again


@pytest.mark.skipif(HOST >= (3, 12), reason="parses 3.12 syntax")
def test_the_cli_prints_the_note(tmp_path, monkeypatch):
    write_project(tmp_path, {"app.py": NEWER["pep695-def"][0], "template.yaml": TEMPLATE.format(runtime="python3.13")})
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".", "--output-format", "concise")
    assert [(path, line, code) for path, line, _, code in parse_concise(run.stdout)] == [
        ("template.yaml", 3, "LK404"), ("template.yaml", 13, "LK501")
    ]
    assert (
        f"lintkit: note: app.py: line 1 uses type parameters in brackets, syntax of Python 3.12 "
        f"(Worker runs python3.13), newer than the Python {HOST_TEXT} running lintkit"
    ) in run.stderr


def test_libcst_is_imported_only_for_a_file_the_running_python_cannot_parse(tmp_path):
    write_project(tmp_path, {"app.py": "def handler(event, context):\n    return event\n", "broken.py": "x = = 1\n"})
    script = textwrap.dedent(f"""
        import sys
        from lintkit.engine import check
        from lintkit.config import Config
        from lintkit.rule import registry
        from pathlib import Path
        root = Path({str(tmp_path)!r})
        rules = registry()
        run = lambda path: check([path], registry=rules, config=Config(path=None, root=root), enabled=set(rules.codes))
        assert run(root / "app.py").findings == []
        print("libcst" in sys.modules)
        assert [f.code for f in run(root / "broken.py").findings] == ["LK001"]
    """)
    # run outside the checkout: `python -c` puts the working folder first on sys.path, and the
    # source tree's `lintkit/` (without `lintkit.rules`, which only the install maps) would shadow it
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert out.stdout == "False\n"


# --- what CPython's compiler refuses after parsing --------------------------------------------

COMPILE_ERRORS = [
    ("return 1\n", 1, 1, "'return' outside function"),
    ("class Handler:\n    return 1\n", 2, 5, "'return' outside function"),
    ("def f():\n    class A:\n        return 1\n", 3, 9, "'return' outside function"),
    ("x = yield\n", 1, 5, "'yield' outside function"),
    ("class A:\n    y = yield from z\n", 2, 9, "'yield' outside function"),
    ("def f(x=(yield)):\n    pass\n", 1, 10, "'yield' outside function"),
    ("await main()\n", 1, 1, "'await' outside function"),
    ("def handler(event, context):\n    return await fetch(event)\n", 2, 12, "'await' outside async function"),
    ("async def f():\n    def g():\n        await x\n", 3, 9, "'await' outside async function"),
    ("async def f():\n    class A:\n        x = await y\n", 3, 13, "'await' outside function"),
    ("def f():\n    g = lambda: await x\n", 2, 17, "'await' outside async function"),
    ("async with lock:\n    pass\n", 1, 1, "'async with' outside async function"),
    ("def f():\n    async for x in y:\n        pass\n", 2, 5, "'async for' outside async function"),
    ("break\n", 1, 1, "'break' outside loop"),
    ("for x in y:\n    pass\nelse:\n    break\n", 4, 5, "'break' outside loop"),
    ("while x:\n    def f():\n        continue\n", 3, 9, "'continue' not properly in loop"),
    ("for x in y:\n    match x:\n        case 1:\n            pass\nmatch y:\n    case 2:\n        continue\n", 7, 9, "'continue' not properly in loop"),
    ("nonlocal x\n", 1, 1, "nonlocal declaration not allowed at module level"),
    ("x = 1\nif x:\n    return\nbreak\n", 3, 5, "'return' outside function"),  # the first one
]

COMPILES = [
    "def f():\n    return 1\n",
    "lambda: (yield)\n",
    "def g():\n    x = yield\n    return x\n",
    "async def f():\n    await x\n    async with a:\n        async for b in c:\n            pass\n",
    "async def f():\n    return [await y for y in z]\n",
    "async def f():\n    return [y async for y in z]\n",
    "def f():\n    return (await y for y in z)\n",
    "while True:\n    try:\n        pass\n    finally:\n        continue\n",
    "for x in y:\n    while z:\n        pass\n    else:\n        continue\n",
    "for x in y:\n    if x:\n        break\n    with a:\n        continue\n",
    "def f():\n    x = 1\n    def g():\n        nonlocal x\n",
    "async def f():\n    @await decorator()\n    def g(x=await y):\n        pass\n",
    "await_ = 1\nreturned = 'return yield await break continue nonlocal async'\n",
]


@pytest.mark.parametrize(("source", "line", "column", "message"), COMPILE_ERRORS)
def test_compile_errors_are_cpythons(source, line, column, message):
    tree = ast.parse(source)
    with pytest.raises(SyntaxError) as cpython:
        compile(tree, "<test>", "exec", dont_inherit=True)
    assert (cpython.value.msg, cpython.value.lineno, cpython.value.offset) == (message, line, column)
    found = compile_error(tree, source)
    assert isinstance(found, PythonSyntaxError)
    assert (found.message, found.line, found.column) == (f"SyntaxError: {message}", line, column)


@pytest.mark.parametrize("source", COMPILES)
def test_code_the_compiler_accepts_is_no_compile_error(source):
    tree = ast.parse(source)
    compile(tree, "<test>", "exec", dont_inherit=True)
    assert compile_error(tree, source) is None


def test_a_compile_error_is_lk001_in_any_file(tmp_path):
    write_project(tmp_path, {
        "app.py": "def handler(event, context):\n    return event\n",
        "tools/once.py": "import sys\n\nif len(sys.argv) < 2:\n    return\n",
        "template.yaml": TEMPLATE.format(runtime="python3.12"),
    })
    result = run_engine([tmp_path])
    [error] = [f for f in result.findings if f.code == "LK001"]
    assert (Path(error.path).name, error.line, error.column) == ("once.py", 4, 5)
    assert error.message == "Python file does not parse: SyntaxError: 'return' outside function"
