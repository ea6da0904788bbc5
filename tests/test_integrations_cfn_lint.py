"""lintkit's template rules inside a real cfn-lint run (`--append-rules`), and the id mapping."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lintkit.findings import Severity
from lintkit.rule import CodeRule, registry

MODULE = "lintkit.integrations.cfn_lint_rules"
HANDLER = """\
def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""
# Orders: SQS batches of 10 without ReportBatchItemFailures while its handler returns
# batchItemFailures (LK502 at 13:9); Clicks: a Kinesis mapping that retries forever (LK506 at 29:9).
TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Orders:
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
            BatchSize: 10
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Clicks:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: clicks.handler
      Runtime: python3.12
      Events:
        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
"""


def cfn_lint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    beside = shutil.which("cfn-lint", path=os.path.dirname(sys.executable))
    command = [beside] if beside else [sys.executable, "-m", "cfnlint"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(HANDLER, encoding="utf-8")
    (tmp_path / "src" / "clicks.py").write_text("def handler(event, context):\n    return None\n", encoding="utf-8")
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    return tmp_path


def test_cfn_lint_reports_lintkit_codes(project: Path) -> None:
    process = cfn_lint("template.yaml", "--format", "parseable", "--append-rules", MODULE, cwd=project)
    lines = [line for line in process.stdout.splitlines() if ":W9" in line or ":E9" in line or ":I9" in line]
    got = {(line.split(":")[1], line.split(":")[5]) for line in lines}
    assert ("13", "E9502") in got, process.stdout + process.stderr
    assert ("29", "W9506") in got, process.stdout + process.stderr
    lk502 = next(line for line in lines if ":E9502:" in line)
    assert ":LK502 Orders handler returns batchItemFailures" in lk502
    assert process.returncode != 0


def test_cfn_lint_ignore_checks_and_lintkit_suppressions_apply(project: Path) -> None:
    process = cfn_lint("template.yaml", "--format", "parseable", "--append-rules", MODULE, "--ignore-checks", "W9506", cwd=project)
    assert "W9506" not in process.stdout and "E9502" in process.stdout
    (project / "template.yaml").write_text(TEMPLATE.replace("        Messages:\n", "        Messages:  # lintkit: ignore[LK502]\n"), encoding="utf-8")
    process = cfn_lint("template.yaml", "--format", "parseable", "--append-rules", MODULE, cwd=project)
    assert "E9502" not in process.stdout and "W9506" in process.stdout


def test_a_clean_template_has_no_lintkit_findings(project: Path) -> None:
    clean = TEMPLATE.replace("            BatchSize: 10\n", "            BatchSize: 10\n            FunctionResponseTypes: [ReportBatchItemFailures]\n")
    clean = clean.replace("            StartingPosition: LATEST\n", "            StartingPosition: LATEST\n            BatchSize: 1\n            MaximumRetryAttempts: 3\n            FunctionResponseTypes: [ReportBatchItemFailures]\n")
    (project / "template.yaml").write_text(clean, encoding="utf-8")
    process = cfn_lint("template.yaml", "--format", "parseable", "--append-rules", MODULE, "--include-checks", "I", cwd=project)
    assert not [line for line in process.stdout.splitlines() if ":LK5" in line], process.stdout


def test_id_mapping_covers_every_rule_that_reports_on_templates() -> None:
    from cfnlint.rules import CloudFormationLintRule

    from lintkit.integrations import cfn_lint_rules
    from lintkit.integrations._cfn_lint_base import cfn_lint_id

    assert cfn_lint_id("LK501", Severity.WARNING) == "W9501"
    assert cfn_lint_id("LK502", Severity.ERROR) == "E9502"
    assert cfn_lint_id("LK604", Severity.INFO) == "I9604"
    expected = {rule.code for rule in registry() if not issubclass(rule, CodeRule)}
    assert set(cfn_lint_rules.RULES) == expected
    ids = set()
    for code, cls in cfn_lint_rules.RULES.items():
        rule = registry().get(code)
        assert issubclass(cls, CloudFormationLintRule)
        assert cls.id == cfn_lint_id(code, rule.severity)
        assert code in cls.description and code in cls.shortdesc
        ids.add(cls.id)
    assert len(ids) == len(expected)
    # cfn-lint instantiates every rule class of the module it is given: only the generated ones
    from cfnlint.helpers import create_rules

    assert sorted(r.id for r in create_rules(cfn_lint_rules)) == sorted(ids)


def test_cfn_lint_is_imported_only_by_the_integrations() -> None:
    package = Path(__file__).resolve().parents[1] / "lintkit"
    offenders = []
    for path in package.rglob("*.py"):
        if "integrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "import cfnlint" in text or "from cfnlint" in text:
            offenders.append(path.relative_to(package).as_posix())
    assert offenders == []
