"""Whole projects under fixtures/projects/ whose files carry `# expect: CODE` markers (in the
template and in the handlers): a run reports exactly the marked findings. And the joins of
issue 4, step by step on the Producer -> Worker project."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_engine

EXPECT = re.compile(r"#\s*expect:\s*(LK\d{3}(?:\s*,\s*LK\d{3})*)")
MARKED = sorted(
    p for p in (FIXTURES / "projects").iterdir() if p.is_dir() and any(EXPECT.search(f.read_text()) for f in p.rglob("*.py"))
)
L2L = FIXTURES / "projects" / "lambda-to-lambda"


def expected(root: Path) -> set[tuple[str, int, str]]:
    found = set()
    for file in [*root.rglob("*.py"), *root.rglob("*.yaml")]:
        for number, line in enumerate(file.read_text().splitlines(), start=1):
            match = EXPECT.search(line)
            if match:
                relative = file.relative_to(root).as_posix()
                found.update((relative, number, code.strip()) for code in match.group(1).split(","))
    return found


def actual(result, root: Path) -> set[tuple[str, int, str]]:
    return {(Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.line, f.code) for f in result.findings}


@pytest.mark.parametrize("root", MARKED, ids=lambda p: p.name)
def test_marked_project(root):
    result = run_engine([root])
    assert not result.internal_errors
    assert actual(result, root) == expected(root)


def test_the_joins_are_exercised():
    assert L2L in MARKED
    codes = {code for *_, code in expected(L2L)}
    assert {"LK102", "LK204", "LK606", "LK701"} <= codes


@pytest.fixture
def l2l(tmp_path):
    copy = tmp_path / "lambda-to-lambda"
    shutil.copytree(L2L, copy)
    return copy


def test_a_failure_destination_on_worker_removes_lk204(l2l):
    template = l2l / "template.yaml"
    text = template.read_text()
    template.write_text(
        text.replace(
            "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: worker.handler\n",
            "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: worker.handler\n"
            "      EventInvokeConfig:\n        DestinationConfig:\n          OnFailure:\n            Type: SQS\n",
        )
    )
    found = actual(run_engine([l2l]), l2l)
    assert ("src/producer.py", 13, "LK204") not in found
    assert ("src/producer.py", 13, "LK201") in found


def test_lk204_names_worker_and_points_at_its_definition(l2l):
    (finding,) = [f for f in run_engine([l2l]).findings if f.code == "LK204"]
    assert finding.message.startswith("Worker, invoked here with InvocationType='Event'")
    (related,) = finding.related
    assert related.location.path.endswith("template.yaml") and related.location.line == 34


def test_lk102_is_an_error_when_the_callee_outlasts_the_read_timeout(l2l):
    (finding,) = [f for f in run_engine([l2l]).findings if f.code == "LK102"]
    assert finding.severity.label == "error"
    assert "the callee's Timeout is 120 s" in finding.message


def test_the_handler_without_its_template_keeps_the_code_only_findings(l2l):
    (l2l / "template.yaml").unlink()
    found = actual(run_engine([l2l]), l2l)
    codes = {code for *_, code in found}
    assert ("src/producer.py", 13, "LK201") in found
    assert "LK103" in codes
    # the joins need the template
    assert not codes & {"LK204", "LK606", "LK701"}


def test_join_findings_are_at_the_call_or_return_line_and_column(l2l):
    found = {(f.code, Path(f.path).name): (f.line, f.column) for f in run_engine([l2l]).findings}
    # producer.py line 13: `    lambda_client.invoke(...)` (the call starts at column 5)
    assert found[("LK204", "producer.py")] == (13, 5)
    # producer.py line 16: `    report = slow_client.invoke(...)`: the call starts at column 14
    assert found[("LK102", "producer.py")] == (16, 14)
    assert found[("LK606", "producer.py")] == (16, 14)
    # api.py line 9: `    requests.post(...)`; line 11: `    return {...}`
    assert found[("LK606", "api.py")] == (9, 5)
    assert found[("LK701", "api.py")] == (11, 5)
