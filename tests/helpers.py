"""Shared helpers for the CLI and suppression tests: small projects, a CliRunner that keeps
stdout and stderr apart on every click >= 8.1, and the installed console script."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from lintkit.cli import main

REPO_ROOT = Path(__file__).resolve().parents[1]
DEMO = REPO_ROOT / "fixtures" / "projects" / "demo"

# An SQS-triggered SAM function; `{events_extra}` goes under the event's Properties (12 spaces).
# Everything but the batch handling is right (a redrive policy, a timeout that fits the queue's
# default visibility timeout six times), so only the LK5xx rules under test speak.
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}}
  Dlq:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: 5
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
{events_extra}"""
TEMPLATE_EVENT_LINE = 17  # `Messages:` (LK501/LK502 are reported on the event's key)
TEMPLATE_EVENT_COLUMN = 9
TEMPLATE_WORKER_LINE = 9  # `Worker:`


def sqs_template(events_extra: str = "") -> str:
    return TEMPLATE.format(events_extra=events_extra)


# A handler that catches and only logs every record's exception: LK504 on line 10.
SWALLOWING_HANDLER = """\
import logging

logger = logging.getLogger()


def handler(event, context):
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            logger.exception("failed")
"""
SWALLOW_LINE = 10
SWALLOW_COLUMN = 9

# Nothing wrong with it: loops over every record and lets failures propagate.
CLEAN_HANDLER = """\
def handler(event, context):
    for record in event["Records"]:
        process(record)
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def make_project(
    root: Path, *, template: str | None = None, app: str | None = None, files: dict[str, str] | None = None
) -> Path:
    """A project in `root`: template.yaml (default: SQS trigger, default batch size), app.py
    (default: the swallowing handler) and any other files, by relative path."""
    root.mkdir(parents=True, exist_ok=True)
    write(root / "template.yaml", sqs_template() if template is None else template)
    write(root / "app.py", SWALLOWING_HANDLER if app is None else app)
    for name, text in (files or {}).items():
        write(root / name, text)
    return root


def make_runner() -> CliRunner:
    """stdout and stderr separated: click 8.1 needs mix_stderr=False, click 8.2+ has no such
    argument and always separates them."""
    try:
        return CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        return CliRunner()


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None = None

    @property
    def findings(self) -> list[tuple[str, int, int, str]]:
        """(path, line, column, code) of every concise output line."""
        return parse_concise(self.stdout)

    @property
    def pairs(self) -> list[tuple[str, int, str]]:
        return [(path, line, code) for path, line, _, code in self.findings]

    @property
    def codes(self) -> list[str]:
        return [code for *_, code in self.findings]


def invoke(*args: str) -> Run:
    result = make_runner().invoke(main, [str(a) for a in args], catch_exceptions=True)
    stderr = result.stderr if hasattr(result, "stderr") else ""
    stdout = result.stdout
    exception = result.exception if not isinstance(result.exception, SystemExit) else None
    return Run(result.exit_code, stdout, stderr, exception)


CONCISE = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+):(?P<col>\d+): (?P<code>LK\d{3}) (?P<message>.+)$")


def parse_concise(text: str) -> list[tuple[str, int, int, str]]:
    found = []
    for line in text.splitlines():
        match = CONCISE.match(line)
        assert match is not None, f"not a concise finding line: {line!r}"
        found.append((match["path"], int(match["line"]), int(match["col"]), match["code"]))
    return found


def concise_messages(text: str) -> dict[tuple[str, int, str], str]:
    out = {}
    for line in text.splitlines():
        match = CONCISE.match(line)
        assert match is not None, line
        out[(match["path"], int(match["line"]), match["code"])] = match["message"]
    return out


def lintkit_command() -> list[str]:
    """The installed console script next to this interpreter, else on PATH, else `-m`."""
    beside = shutil.which("lintkit", path=os.path.dirname(sys.executable))
    found = beside or shutil.which("lintkit")
    return [found] if found else [sys.executable, "-m", "lintkit"]


def run_process(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*lintkit_command(), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
