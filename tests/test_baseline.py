"""`--write-baseline` / `--baseline`: adopt lintkit with the findings a repository already has,
and fail only on new ones, whatever happens to line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lintkit import baseline
from helpers import make_runner, parse_concise

from lintkit.cli import main
from lintkit.findings import Finding, Location, Severity

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""
# LK504 at 7:9
LEGACY = """\
def handler(event, context):
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            pass
"""
# The same loop again, and a record identifier taken from the wrong field (LK505).
NEW_PROBLEM = """\


def other(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            failures.append({"itemIdentifier": record["receiptHandle"]})
    return {"batchItemFailures": failures}
"""
RULES = "LK501,LK504,LK505"


def invoke(*args: str):
    return make_runner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def codes(stdout: str) -> list[tuple[str, int, str]]:
    return [(path, line, code) for path, line, _, code in parse_concise(stdout)]


@pytest.fixture
def legacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(LEGACY, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_round_trip(legacy: Path) -> None:
    before = invoke("check", ".", "--select", RULES)
    assert codes(before.stdout) == [("src/app.py", 5, "LK504"), ("template.yaml", 12, "LK501")]

    # 1. write: nothing reported, exit 0, the file lists both findings
    written = invoke("check", ".", "--select", RULES, "--write-baseline", "lintkit-baseline.json")
    assert written.exit_code == 0
    assert written.stdout == ""
    assert "wrote 2 findings to lintkit-baseline.json" in written.stderr
    data = json.loads((legacy / "lintkit-baseline.json").read_text(encoding="utf-8"))
    assert data["format"] == "lintkit-baseline" and data["version"] == 1
    assert [(e["code"], e["path"]) for e in data["findings"]] == [("LK504", "src/app.py"), ("LK501", "template.yaml")]

    # 2. re-run against it: clean
    clean = invoke("check", ".", "--select", RULES, "--baseline", "lintkit-baseline.json")
    assert clean.exit_code == 0, clean.stdout
    assert clean.stdout == ""
    assert "2 findings in the baseline lintkit-baseline.json not shown" in clean.stderr

    # 3. a new problem: only it is reported
    app = legacy / "src" / "app.py"
    app.write_text(LEGACY + NEW_PROBLEM, encoding="utf-8")
    new = invoke("check", ".", "--select", RULES, "--baseline", "lintkit-baseline.json")
    assert new.exit_code == 1
    assert codes(new.stdout) == [("src/app.py", 15, "LK505")]

    # 4. lines inserted above the old findings: still baselined
    app.write_text('"""Orders."""\n\nimport json\nimport logging\n\n\n' + LEGACY, encoding="utf-8")
    template = legacy / "template.yaml"
    template.write_text(TEMPLATE.replace("Resources:\n", "Description: orders\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n"), encoding="utf-8")
    assert codes(invoke("check", ".", "--select", RULES).stdout) == [("src/app.py", 11, "LK504"), ("template.yaml", 15, "LK501")]
    moved = invoke("check", ".", "--select", RULES, "--baseline", "lintkit-baseline.json")
    assert moved.exit_code == 0, moved.stdout
    assert moved.stdout == ""


def test_a_second_identical_problem_in_the_same_file_is_new(legacy: Path) -> None:
    invoke("check", ".", "--select", "LK504", "--write-baseline", "b.json")
    (legacy / "src" / "app.py").write_text(LEGACY + "\n\n" + LEGACY.replace("def handler", "def handler_two"), encoding="utf-8")
    run = invoke("check", ".", "--select", "LK504", "--baseline", "b.json")
    # the first occurrence keeps its fingerprint; the second (occurrence index 1) is new
    assert codes(run.stdout) == [("src/app.py", 13, "LK504")]


def test_baseline_paths_are_relative_to_the_baseline_file(legacy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    invoke("check", ".", "--select", RULES, "--write-baseline", "ci/baseline.json")
    data = json.loads((legacy / "ci" / "baseline.json").read_text(encoding="utf-8"))
    assert {e["path"] for e in data["findings"]} == {"../src/app.py", "../template.yaml"}
    monkeypatch.chdir(legacy / "src")  # another working directory, the same findings
    run = invoke("check", "..", "--select", RULES, "--baseline", "../ci/baseline.json")
    assert run.exit_code == 0, run.stdout


def test_fixed_findings_are_noted(legacy: Path) -> None:
    invoke("check", ".", "--select", RULES, "--write-baseline", "b.json")
    (legacy / "src" / "app.py").write_text(LEGACY.replace("            pass\n", "            raise\n"), encoding="utf-8")
    run = invoke("check", ".", "--select", RULES, "--baseline", "b.json")
    assert run.exit_code == 0
    assert "1 finding of the baseline no longer occurs; refresh it with --write-baseline b.json" in run.stderr


def test_file_is_stable_and_rewriting_it_changes_nothing(legacy: Path) -> None:
    invoke("check", ".", "--select", RULES, "--write-baseline", "b.json")
    first = (legacy / "b.json").read_text(encoding="utf-8")
    (legacy / "src" / "app.py").write_text("import os\n\n" + LEGACY, encoding="utf-8")
    invoke("check", ".", "--select", RULES, "--write-baseline", "b.json")
    assert (legacy / "b.json").read_text(encoding="utf-8") == first
    assert first.endswith("}\n") and first.startswith('{\n  "format": "lintkit-baseline",\n  "version": 1,\n')


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline"),
        ("{not json", "is not valid JSON"),
        ('{"findings": []}', "is not a lintkit baseline"),
        ('{"format": "lintkit-baseline", "version": 99, "findings": []}', "has version 99"),
        ('{"format": "lintkit-baseline", "version": 1, "findings": [{"code": "LK504"}]}', "finding 1 needs"),
    ],
)
def test_bad_baseline_is_a_usage_error(legacy: Path, content: str | None, message: str) -> None:
    if content is not None:
        (legacy / "b.json").write_text(content, encoding="utf-8")
    run = invoke("check", ".", "--baseline", "b.json")
    assert run.exit_code == 2
    assert message in run.stderr


class Lines:
    def __init__(self, texts: dict[str, list[str]]) -> None:
        self.texts = texts

    def line(self, path: str, number: int) -> str | None:
        lines = self.texts.get(path, [])
        return lines[number - 1] if 0 < number <= len(lines) else None


def test_fingerprint_ignores_line_numbers_and_indentation() -> None:
    finding = Finding("LK504", "record-errors-swallowed", Severity.WARNING, "m", Location("app.py", 3, 9))
    moved = Finding("LK504", "record-errors-swallowed", Severity.WARNING, "m", Location("app.py", 30, 5))
    [a] = baseline.fingerprints([finding], Lines({"app.py": ["", "", "        except Exception:"]}))
    [b] = baseline.fingerprints([moved], Lines({"app.py": [""] * 29 + ["    except   Exception:"]}))
    assert a == b
    [other_code] = baseline.fingerprints(
        [Finding("LK505", "wrong-item-identifier", Severity.ERROR, "m", Location("app.py", 3, 9))],
        Lines({"app.py": ["", "", "        except Exception:"]}),
    )
    assert other_code != a
