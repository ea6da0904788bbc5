"""`lintkit check - --stdin-filename PATH`: an editor pipes its buffer; lintkit checks that text
as if it were PATH, with the context of the files around PATH."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import make_runner, parse_concise

from lintkit.cli import main

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
            BatchSize: 5
            FunctionResponseTypes: [ReportBatchItemFailures]
"""
ON_DISK = """\
def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""
# What the editor holds: reads only the first record of a batch of 5 (LK507, which needs the
# template) and never returns batchItemFailures although the mapping enables them (LK503).
BUFFER = """\
import json


def handler(event, context):
    body = json.loads(event["Records"][0]["body"])
    process(body)
"""


def invoke(*args: str, input: bytes | str | None = None):
    return make_runner().invoke(main, [str(a) for a in args], input=input, catch_exceptions=False)


def codes(stdout: str) -> list[tuple[str, int, str]]:
    return [(path, line, code) for path, line, _, code in parse_concise(stdout)]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(ON_DISK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_buffer_is_checked_with_its_template(project: Path) -> None:
    assert invoke("check", "src/app.py").stdout == ""  # the file on disk is fine
    run = invoke("check", "-", "--stdin-filename", "src/app.py", "--select", "LK5", input=BUFFER)
    assert run.exit_code == 1
    assert codes(run.stdout) == [("src/app.py", 4, "LK503"), ("src/app.py", 5, "LK507")]
    # nothing was written anywhere
    assert (project / "src" / "app.py").read_text(encoding="utf-8") == ON_DISK


def test_stdin_filename_alone_reads_stdin(project: Path) -> None:
    run = invoke("check", "--stdin-filename", "src/app.py", "--select", "LK507", input=BUFFER)
    assert codes(run.stdout) == [("src/app.py", 5, "LK507")]


def test_a_file_not_yet_saved(project: Path) -> None:
    text = 'def handler(event, context):\n    for record in event["Records"]:\n        try:\n            go(record)\n        except Exception:\n            pass\n'
    run = invoke("check", "-", "--stdin-filename", "src/new_module.py", input=text)
    assert codes(run.stdout) == [("src/new_module.py", 5, "LK504")]


def test_template_from_stdin_gets_its_handler_from_disk(project: Path) -> None:
    edited = TEMPLATE.replace("            FunctionResponseTypes: [ReportBatchItemFailures]\n", "")
    run = invoke("check", "-", "--stdin-filename", "template.yaml", "--select", "LK5", input=edited)
    # the handler on disk builds batchItemFailures: the edited mapping no longer reads them
    assert codes(run.stdout) == [("template.yaml", 12, "LK502")]


def test_syntax_error_in_the_buffer_shows_the_buffer_line(project: Path) -> None:
    run = invoke("check", "-", "--stdin-filename", "src/app.py", "--output-format", "full", input="def handler(event, context:\n    pass\n")
    lines = run.stdout.splitlines()
    assert lines[0].startswith("src/app.py:1:") and "LK001" in lines[0]
    assert lines[2] == "1 | def handler(event, context:"


def test_a_buffer_that_is_not_a_template_is_noted(project: Path) -> None:
    run = invoke("check", "-", "--stdin-filename", "config.yaml", input="name: not a template\n")
    assert run.exit_code == 0
    assert run.stdout == ""
    assert "config.yaml: not a Python file or template; skipped" in run.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-",), "needs --stdin-filename"),
        (("-", "src", "--stdin-filename", "src/app.py"), "give no paths"),
    ],
)
def test_usage_errors(project: Path, args: tuple[str, ...], message: str) -> None:
    run = invoke("check", *args, input=BUFFER)
    assert run.exit_code == 2
    assert message in run.stderr


def test_in_a_real_process(project: Path) -> None:
    beside = shutil.which("lintkit", path=os.path.dirname(sys.executable))
    command = [beside] if beside else [sys.executable, "-m", "lintkit"]
    process = subprocess.run(
        [*command, "check", "-", "--stdin-filename", "src/app.py", "--select", "LK507"],
        input=BUFFER.encode("utf-8"),
        capture_output=True,
        cwd=project,
        timeout=120,
    )
    assert process.returncode == 1, process.stderr
    assert process.stdout.decode().startswith("src/app.py:5:23: LK507 ")


def test_only_findings_located_in_the_buffer_are_reported(project: Path) -> None:
    """Renaming the handler function breaks the template's `Handler` (LK002 on template.yaml):
    pre-commit reports it for the changed handler, but an editor shows findings on the buffer it
    sent, so a finding located in another file is not the buffer's."""
    renamed = ON_DISK.replace("def handler(", "def main(")
    (project / "src" / "renamed.py").write_text(renamed, encoding="utf-8")
    (project / "template.yaml").write_text(TEMPLATE.replace("app.handler", "renamed.handler"), encoding="utf-8")
    named = invoke("check", "src/renamed.py", "--output-format", "concise")
    assert codes(named.stdout) == [("template.yaml", 9, "LK002")]
    run = invoke("check", "-", "--stdin-filename", "src/renamed.py", "--output-format", "concise", input=renamed)
    assert run.stdout == ""
    assert run.exit_code == 0
    # the buffer's own findings still point at the template through their related locations
    run = invoke("check", "-", "--stdin-filename", "src/renamed.py", "--select", "LK503", "--output-format", "json",
                 input=BUFFER)
    (lk503,) = json.loads(run.stdout)
    assert (lk503["path"], lk503["line"], lk503["code"]) == ("src/renamed.py", 4, "LK503")
    assert [r["path"] for r in lk503["related"]] == ["template.yaml"]
