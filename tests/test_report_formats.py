"""The report formats: github and junit exact output, the full report, `-o/--output-file`, and
every format reachable from the command line and the config."""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from lintkit.cli import main
from lintkit.engine import InternalError, RunResult
from lintkit.findings import Finding, Location, RelatedLocation, Severity
from lintkit.report import FORMATTERS, render
from lintkit.report.github import escape_data, escape_property

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
"""
# catches and only logs every record's exception: LK504 at 7:9
HANDLER = """\
import logging

logger = logging.getLogger()

def handler(event, context):
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            logger.exception("failed")
"""


def invoke(*args: str):
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click 8.1
    except TypeError:
        runner = CliRunner()  # click 8.2+ keeps stderr apart
    return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "app.py").write_text(HANDLER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def synthetic() -> RunResult:
    """Findings with every feature a formatter must carry, and text that needs escaping."""
    return RunResult(
        findings=[
            Finding(
                "LK504",
                "record-errors-swallowed",
                Severity.WARNING,
                "caught & only logged: 100% <lost>",
                Location("src/app.py", 9, 9, 10, 35),
            ),
            Finding(
                "LK505",
                "wrong-item-identifier",
                Severity.ERROR,
                'itemIdentifier is "receiptHandle", use messageId',
                Location("src/app.py", 12, 48, 12, 71),
            ),
            Finding(
                "LK502",
                "partial-response-ignored",
                Severity.INFO,
                "line one\nline two: a, b\r",
                Location("a,b:c.yaml", 12, 9),
                related=(RelatedLocation(Location("src/app.py", 14, 12), "built here"),),
                construct_path="Stack/Worker/Resource",
            ),
        ],
        files_checked=2,
    )


# --------------------------------------------------------------------------- github


def test_github_escapes_as_documented() -> None:
    assert escape_data("50% done\r\nnext: a, b") == "50%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_exact_output() -> None:
    assert render(synthetic(), "github") == (
        # several lines: annotated at the start (GitHub takes columns within one line only)
        "::warning file=src/app.py,line=9,col=9,title=LK504::caught & only logged: 100%25 <lost>\n"
        '::error file=src/app.py,line=12,col=48,endLine=12,endColumn=71,title=LK505::itemIdentifier is "receiptHandle", use messageId\n'
        # a CDK finding names its construct in the message: annotations have no field for it
        "::notice file=a%2Cb%3Ac.yaml,line=12,col=9,title=LK502::line one%0Aline two: a, b%0D [Stack/Worker/Resource]\n"
    )


def test_github_from_the_command_line(project: Path) -> None:
    run = invoke("check", ".", "--output-format", "github", "--select", "LK504")
    assert run.exit_code == 1
    assert run.stdout.startswith("::warning file=app.py,line=9,col=9,title=LK504::a failing record is caught")
    assert len(run.stdout.splitlines()) == 1


# --------------------------------------------------------------------------- junit


def test_junit_exact_output() -> None:
    expected = textwrap.dedent(
        """\
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="lintkit" tests="3" failures="3" errors="0" skipped="0">
          <testsuite name="lintkit" tests="3" failures="3" errors="0" skipped="0">
            <testcase name="LK504 record-errors-swallowed at src/app.py:9:9" classname="src/app.py" file="src/app.py" line="9">
              <failure message="caught &amp; only logged: 100% &lt;lost&gt;" type="LK504">src/app.py:9:9: LK504 [warning] caught &amp; only logged: 100% &lt;lost&gt;</failure>
            </testcase>
            <testcase name="LK505 wrong-item-identifier at src/app.py:12:48" classname="src/app.py" file="src/app.py" line="12">
              <failure message="itemIdentifier is &quot;receiptHandle&quot;, use messageId" type="LK505">src/app.py:12:48: LK505 [error] itemIdentifier is "receiptHandle", use messageId</failure>
            </testcase>
            <testcase name="LK502 partial-response-ignored at a,b:c.yaml:12:9" classname="a,b:c.yaml" file="a,b:c.yaml" line="12">
              <failure message="line one&#10;line two: a, b&#13;" type="LK502">a,b:c.yaml:12:9: LK502 [info] line one
        line two: a, b
        note: src/app.py:14:12: built here
        construct: Stack/Worker/Resource</failure>
            </testcase>
          </testsuite>
        </testsuites>
        """
    )
    assert render(synthetic(), "junit") == expected


def test_junit_is_valid_xml_even_with_control_characters() -> None:
    result = RunResult(findings=[Finding("LK001", "parse-error", Severity.ERROR, "bad byte \x00 and \x1b[0m", Location("x.py", 1, 1))])
    root = ET.fromstring(render(result, "junit").encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None and failure.get("message") == "bad byte \ufffd and \ufffd[0m"


def test_junit_clean_run_is_one_passing_case_and_errors_are_errors() -> None:
    clean = ET.fromstring(render(RunResult(files_checked=2), "junit").encode())
    suite = clean.find("testsuite")
    assert suite is not None and suite.get("tests") == "1" and suite.get("failures") == "0"
    assert [case.get("name") for case in suite] == ["no findings"]

    crashed = RunResult(internal_errors=[InternalError("LK501", "template.yaml", "KeyError: 'x'", "Traceback ...")])
    suite = ET.fromstring(render(crashed, "junit").encode()).find("testsuite")
    assert suite is not None and suite.get("errors") == "1"
    error = suite.find("testcase/error")
    assert error is not None and error.get("message") == "KeyError: 'x'"


def test_junit_from_the_command_line(project: Path) -> None:
    run = invoke("check", ".", "--output-format", "junit")
    root = ET.fromstring(run.stdout.encode("utf-8"))
    cases = root.findall("testsuite/testcase")
    assert {case.find("failure").get("type") for case in cases} >= {"LK504", "LK501"}  # type: ignore[union-attr]
    assert root.get("failures") == str(len(cases))


# --------------------------------------------------------------------------- full


def test_full_underlines_a_one_line_span_and_shows_notes() -> None:
    result = synthetic()
    text = {"src/app.py": "\n" * 11 + '            failures.append({"itemIdentifier": record["receiptHandle"]})\n'}
    lines = render(result, "full", texts=text).splitlines()
    index = lines.index('src/app.py:12:48: LK505 [error] itemIdentifier is "receiptHandle", use messageId')
    assert lines[index + 2] == '12 |             failures.append({"itemIdentifier": record["receiptHandle"]})'
    assert lines[index + 3] == "   | " + " " * 47 + "^" * len('record["receiptHandle"]')
    lk502 = lines.index("a,b:c.yaml:12:9: LK502 [info] line one")
    assert "  = construct: Stack/Worker/Resource" in lines[lk502:]
    assert "  = note: src/app.py:14:12: built here" in lines[lk502:]
    assert lines[-1] == "Found 3 findings (1 error, 1 warning, 1 info) in 2 files checked."


def test_full_shows_the_source_of_a_file_that_does_not_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "broken.py").write_text("import os\n\n\ndef handler(event, context:\n    pass\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    lines = invoke("check", ".", "--output-format", "full").stdout.splitlines()
    assert lines[0].startswith("broken.py:4:")
    assert lines[2] == "4 | def handler(event, context:"


def test_full_counts_lines_like_python_after_a_form_feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # str.splitlines() would break at the form feed and shift every later line by one
    (tmp_path / "template.yaml").write_text(TEMPLATE, encoding="utf-8")
    (tmp_path / "app.py").write_text(HANDLER.replace("import logging\n", "import logging\x0c\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    lines = invoke("check", ".", "--output-format", "full", "--select", "LK504").stdout.splitlines()
    assert lines[0].startswith("app.py:9:9: LK504")
    assert lines[2] == "9 |         except Exception:"


# --------------------------------------------------------------------------- output file, choices


def test_output_file_gets_the_report_and_stdout_stays_quiet(project: Path) -> None:
    run = invoke("check", ".", "--output-format", "sarif", "-o", "reports/lintkit.sarif")
    assert run.exit_code == 1  # the findings still decide the exit status
    assert run.stdout == ""
    data = json.loads((project / "reports" / "lintkit.sarif").read_text(encoding="utf-8"))
    assert {r["ruleId"] for r in data["runs"][0]["results"]} >= {"LK504", "LK501"}
    again = invoke("check", ".", "--output-format", "concise", "--output-file", "out.txt")
    assert again.stdout == ""
    assert (project / "out.txt").read_text(encoding="utf-8") == invoke("check", ".", "--output-format", "concise").stdout


def test_output_file_defaults_to_concise_even_on_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    invoke("check", ".", "-o", "out.txt")
    assert (project / "out.txt").read_text(encoding="utf-8").startswith("app.py:9:9: LK504 ")


def test_unwritable_output_file_is_a_usage_error(project: Path) -> None:
    (project / "taken").write_text("", encoding="utf-8")
    run = invoke("check", ".", "-o", "taken/report.txt")
    assert run.exit_code == 2
    assert "cannot write taken/report.txt" in run.stderr


@pytest.mark.parametrize("name", ["concise", "full", "json", "sarif", "github", "junit"])
def test_every_format_from_the_config(project: Path, name: str) -> None:
    assert name in FORMATTERS
    (project / "lintkit.toml").write_text(f'output-format = "{name}"\n', encoding="utf-8")
    run = invoke("check", ".")
    assert run.exit_code == 1, run.stderr
    assert run.stdout == render_with_cli(name)


def render_with_cli(name: str) -> str:
    return invoke("check", ".", "--output-format", name).stdout


@pytest.mark.parametrize("name", ["concise", "full", "json", "sarif", "github", "junit"])
def test_output_is_deterministic(project: Path, name: str) -> None:
    first = invoke("check", ".", "--output-format", name).stdout
    assert first == invoke("check", ".", "--output-format", name).stdout
    assert first


def test_rule_json_carries_the_generated_docs_page() -> None:
    from lintkit.docs import render_rule
    from lintkit.rule import registry

    data = json.loads(invoke("rule", "LK501", "--output-format", "json").stdout)
    assert data["markdown"] == render_rule(registry().get("LK501"))
    assert data["url"] == "docs/rules/LK501.md"
