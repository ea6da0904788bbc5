"""The flake8 plugin, run by the real flake8: lintkit's findings as `path:line:col: LKxxx ...`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lintkit.integrations.flake8_plugin import LintkitChecker

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
      Runtime: python3.12
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5
"""
# LK507 at 5:23 (needs the template's batch size), LK504 at 13:9 (code alone)
HANDLER = """\
import json


def handler(event, context):
    body = json.loads(event["Records"][0]["body"])
    return drain(body)


def drain(event):
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            pass
"""
LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>LK\d{3}) (?P<message>.+)$")


def flake8(*args: str, cwd: Path, input: str | None = None) -> subprocess.CompletedProcess:
    beside = shutil.which("flake8", path=os.path.dirname(sys.executable))
    command = [beside] if beside else [sys.executable, "-m", "flake8"]
    return subprocess.run(
        [*command, "--isolated", *args], cwd=cwd, input=input, capture_output=True, text=True, timeout=120
    )


def parsed(stdout: str) -> list[tuple[str, int, int, str]]:
    out = []
    for line in stdout.splitlines():
        match = LINE.match(line)
        assert match, line
        out.append((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "app.py").write_text(HANDLER, encoding="utf-8")
    return tmp_path


def test_flake8_reports_lintkit_findings_with_1_based_columns(project: Path) -> None:
    process = flake8("--select", "LK", "app.py", cwd=project)
    assert process.returncode == 1, process.stderr
    assert parsed(process.stdout) == [("app.py", 5, 23, "LK507"), ("app.py", 13, 9, "LK504")]
    assert "batches of up to 5" in process.stdout


def test_flake8_noqa_and_select(project: Path) -> None:
    (project / "app.py").write_text(HANDLER.replace("except Exception:", "except Exception:  # noqa: LK504"), encoding="utf-8")
    assert parsed(flake8("--select", "LK", "app.py", cwd=project).stdout) == [("app.py", 5, 23, "LK507")]
    assert parsed(flake8("--select", "LK504", "app.py", cwd=project).stdout) == []


def test_flake8_on_stdin_with_a_display_name(project: Path) -> None:
    buffer = HANDLER.replace('body = json.loads(event["Records"][0]["body"])', "body = None")
    process = flake8("--select", "LK", "--stdin-display-name", "app.py", "-", cwd=project, input=buffer)
    assert parsed(process.stdout) == [("app.py", 13, 9, "LK504")]


def test_plugin_api_shape(project: Path) -> None:
    checker = LintkitChecker(None, str(project / "app.py"), HANDLER.splitlines(keepends=True))  # type: ignore[arg-type]
    results = list(checker.run())
    assert [(line, col, text.split()[0]) for line, col, text, _ in results] == [(5, 22, "LK507"), (13, 8, "LK504")]
    assert all(kind is LintkitChecker for *_, kind in results)


def test_the_plugin_yields_only_findings_located_in_its_file(project: Path) -> None:
    """A renamed handler function breaks the template's `Handler` (LK002, located in
    template.yaml): flake8 would print it under app.py's name, so the plugin leaves it out."""
    from lintkit.integrations.session import run, settings_for

    renamed = HANDLER.replace("def handler(", "def main(")
    path = project / "app.py"
    whole = run([path], settings_for(path), buffers={path: renamed}, force_exclude=True)
    assert [(Path(f.path).name, f.line, f.code) for f in whole.result.findings if f.code == "LK002"] == [("template.yaml", 9, "LK002")]
    checker = LintkitChecker(None, str(path), renamed.splitlines(keepends=True))  # type: ignore[arg-type]
    assert [(line, text.split()[0]) for line, _, text, _ in checker.run()] == [(13, "LK504")]
