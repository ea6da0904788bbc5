"""Checking given files (pre-commit, editors): which templates give a handler its context, and
which findings are reported (see `lintkit.integrations.context`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lintkit.cli import main
from lintkit.config import Config
from lintkit.integrations.context import context_templates, is_excluded, project_root

# Two functions: Clicks (Kinesis, ReportBatchItemFailures on, no retry limit: LK506) runs
# src/clicks.py; Orders (SQS, batches of 10 without ReportBatchItemFailures: LK501) runs
# src/orders.py.
TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    CodeUri: src/
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Queue:
    Type: AWS::SQS::Queue
  ClicksFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: clicks.handler
      Events:
        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
            BatchSize: 1
            FunctionResponseTypes: [ReportBatchItemFailures]
  OrdersFunction:
    Type: AWS::Serverless::Function
    Properties:
      Handler: orders.handler
      Events:
        Orders:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 10
"""
TEMPLATE_CLICKS_EVENT = 18  # LK506
TEMPLATE_ORDERS_EVENT = 30  # LK501
TEMPLATE_ORDERS_HANDLER = 28  # LK002 when orders.py defines no `handler`
TEMPLATE_RBIF = 24  # FunctionResponseTypes of Clicks

# never returns batchItemFailures (LK503 at 1:5, related to the template) and swallows errors
# (LK504 at 5:9, a code rule)
CLICKS = """\
def handler(event, context):
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            pass
"""
ORDERS = """\
def handler(event, context):
    for record in event["Records"]:
        process(record)
"""


def invoke(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def found(*args: str) -> list[tuple[str, int, str]]:
    run = invoke("check", "--output-format", "json", "--select", "LK0,LK5", *args)
    assert run.exit_code in (0, 1), run.stderr
    return [(d["path"], d["line"], d["code"]) for d in json.loads(run.stdout)]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # the project root
    service = tmp_path / "service"
    (service / "src").mkdir(parents=True)
    (service / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (service / "src" / "clicks.py").write_text(CLICKS, encoding="utf-8")
    (service / "src" / "orders.py").write_text(ORDERS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_whole_project_for_reference(repo: Path) -> None:
    assert found("service") == [
        ("service/src/clicks.py", 1, "LK503"),
        ("service/src/clicks.py", 5, "LK504"),
        ("service/template.yaml", TEMPLATE_CLICKS_EVENT, "LK506"),
        ("service/template.yaml", TEMPLATE_ORDERS_EVENT, "LK501"),
    ]


def test_a_handler_gets_its_template_but_only_its_findings(repo: Path) -> None:
    # LK503 needs the template (it enables ReportBatchItemFailures); the template's own findings
    # (LK506, LK501) are not about clicks.py
    assert found("service/src/clicks.py") == [("service/src/clicks.py", 1, "LK503"), ("service/src/clicks.py", 5, "LK504")]


def test_a_template_gets_joined_findings_in_its_handlers(repo: Path) -> None:
    # LK503 points back at the template (rule 2); LK504 is about code only: not reported
    assert found("service/template.yaml") == [
        ("service/src/clicks.py", 1, "LK503"),
        ("service/template.yaml", TEMPLATE_CLICKS_EVENT, "LK506"),
        ("service/template.yaml", TEMPLATE_ORDERS_EVENT, "LK501"),
    ]


def test_joined_findings_in_the_other_half_of_a_function(repo: Path) -> None:
    # orders.py no longer defines `handler`: LK002 on the template's Handler is about it (rule 3),
    # and so is LK501 on its function's event (a rule that reads both sides); Clicks' LK506 is not
    (repo / "service" / "src" / "orders.py").write_text(ORDERS.replace("def handler", "def main"), encoding="utf-8")
    assert found("service/src/orders.py") == [
        ("service/template.yaml", TEMPLATE_ORDERS_HANDLER, "LK002"),
        ("service/template.yaml", TEMPLATE_ORDERS_EVENT, "LK501"),
    ]


def test_several_files_and_a_folder(repo: Path) -> None:
    other = repo / "other"
    other.mkdir()
    (other / "loose.py").write_text(CLICKS, encoding="utf-8")
    assert found("service/src/orders.py", "other") == [
        ("other/loose.py", 5, "LK504"),
        ("service/template.yaml", TEMPLATE_ORDERS_EVENT, "LK501"),
    ]


def test_nearest_folder_with_a_template_wins(repo: Path) -> None:
    nested = repo / "service" / "src" / "jobs"
    nested.mkdir()
    (nested / "template.yml").write_text(TEMPLATE.replace("CodeUri: src/", "CodeUri: ."), encoding="utf-8")
    (nested / "events.json").write_text('{"Records": []}', encoding="utf-8")  # not a template
    (nested / "clicks.py").write_text(CLICKS, encoding="utf-8")
    config = Config(path=None, root=repo)
    assert context_templates(nested / "clicks.py", config) == [nested / "template.yml"]
    assert context_templates(repo / "service" / "src" / "clicks.py", config) == [repo / "service" / "template.yaml"]


def test_any_template_looking_file_counts_and_the_walk_stops_at_the_root(repo: Path) -> None:
    (repo / "service" / "template.yaml").rename(repo / "service" / "stack.yaml")
    config = Config(path=None, root=repo)
    assert context_templates(repo / "service" / "src" / "clicks.py", config) == [repo / "service" / "stack.yaml"]
    (repo / "service" / "stack.yaml").unlink()
    json_template = repo / "service" / "stack.template.json"
    json_template.write_text(json.dumps({"AWSTemplateFormatVersion": "2010-09-09", "Resources": {}}), encoding="utf-8")
    assert context_templates(repo / "service" / "src" / "clicks.py", config) == [json_template]
    json_template.unlink()
    # a template above the repository root is never context
    above = repo.parent / "template.yaml"
    assert project_root(repo / "service" / "src", config) == repo
    assert not above.exists() or above not in context_templates(repo / "service" / "src" / "clicks.py", config)
    assert context_templates(repo / "service" / "src" / "clicks.py", config) == []


def test_without_git_the_config_folder_is_the_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = tmp_path / "p"
    (project / "src").mkdir(parents=True)
    (project / "lintkit.toml").write_text("", encoding="utf-8")
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")  # above the project: ignored
    monkeypatch.chdir(tmp_path)
    config = Config(path=project / "lintkit.toml", root=project)
    assert project_root(project / "src", config) == project.resolve()
    assert context_templates(project / "src" / "clicks.py", config) == []


def test_excluded_templates_give_no_context_and_force_exclude_skips_given_files(repo: Path) -> None:
    (repo / "lintkit.toml").write_text('exclude = ["service/template.yaml", "legacy"]\n', encoding="utf-8")
    config = Config(path=repo / "lintkit.toml", root=repo, exclude=["service/template.yaml", "legacy"])
    assert context_templates(repo / "service" / "src" / "clicks.py", config) == []
    assert found("service/src/clicks.py") == [("service/src/clicks.py", 5, "LK504")]

    legacy = repo / "legacy" / "old.py"
    legacy.parent.mkdir()
    legacy.write_text(CLICKS, encoding="utf-8")
    assert is_excluded(legacy, config)
    assert is_excluded(repo / ".aws-sam" / "build" / "app.py", config)
    assert not is_excluded(repo / "service" / "src" / "clicks.py", config)
    assert found("legacy/old.py") == [("legacy/old.py", 5, "LK504")]  # named: checked
    run = invoke("check", "--force-exclude", "legacy/old.py")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
