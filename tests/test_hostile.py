"""Hostile input: each case runs the real `lintkit` command in its own process, bounded by a
timeout (so a hang fails the test, and a crash such as a segfault fails only this test), and
asserts the exact outcome: an LK001 with a clear message, or findings at the right place."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import CLEAN_HANDLER, SWALLOWING_HANDLER, SWALLOW_LINE, sqs_template, write

TIMEOUT = 120  # seconds per case: far above what any case needs; a hang is what it catches


def lintkit(*args: str, cwd: Path) -> tuple[int, list[dict], str]:
    """Run `lintkit check ... --output-format json` in a fresh process."""
    command = [sys.executable, "-m", "lintkit", "check", "--output-format", "json", *args]
    process = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    assert process.returncode in (0, 1), f"exit {process.returncode}: {process.stderr}"
    assert "Traceback" not in process.stderr
    return process.returncode, json.loads(process.stdout or "[]"), process.stderr


def only(findings: list[dict]) -> dict:
    assert len(findings) == 1, findings
    return findings[0]


def test_yaml_alias_bomb_is_refused(tmp_path):
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    lines.append("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: *a9")
    write(tmp_path / "template.yaml", "\n".join(lines) + "\n")
    code, findings, _ = lintkit(".", cwd=tmp_path)
    finding = only(findings)
    assert (finding["code"], code) == ("LK001", 1)
    assert "aliases expand to more than 1,000,000 nodes" in finding["message"]
    assert finding["line"] > 1  # at the anchor that goes over the limit


def test_2000_level_nested_mapping(tmp_path):
    text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n' + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(2000))
    write(tmp_path / "template.yaml", text)
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "nested too deeply" in finding["message"]


def test_deeply_nested_flow_yaml(tmp_path):
    write(tmp_path / "template.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: ' + "[" * 3000 + "]" * 3000 + "\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "nested too deeply" in finding["message"]


def test_deeply_nested_python_expression(tmp_path):
    # a parser given this recurses past its limit: the bracket scan must refuse it first
    write(tmp_path / "app.py", "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001"
    assert finding["message"].endswith("brackets nested 5000 deep: more than Python's limit of 200")


def test_very_long_python_expression(tmp_path):
    write(tmp_path / "app.py", "x = " + " + ".join(["1"] * 100_000) + "\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "nested too deeply" in finding["message"]


def test_expression_over_the_configured_depth(tmp_path):
    write(tmp_path / "app.py", "x = " + " + ".join(["1"] * 1500) + "\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "nested more than 1000 levels deep" in finding["message"]
    write(tmp_path / "lintkit.toml", "[limits]\nmax-expression-depth = 2000\n")
    assert lintkit(".", cwd=tmp_path)[1] == []


def test_deep_expression_nested_in_statements_on_the_last_line(tmp_path):
    # the depth check looks into long compound statements, down to a last line with no newline
    write(tmp_path / "app.py", "import os\n\ndef handler(event, context):\n    if event:\n        x = " + " + ".join(["1"] * 1500))
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "nested more than 1000 levels deep" in finding["message"]
    assert finding["line"] == 5


def test_too_many_brackets_are_reported_on_their_line(tmp_path):
    write(tmp_path / "app.py", "a = f(1)\n\nx = " + "[" * 300 + "]" * 300 + "\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["message"].endswith("brackets nested 300 deep: more than Python's limit of 200")
    assert finding["line"] == 3


def test_20_mb_template_is_not_read(tmp_path):
    with open(tmp_path / "template.yaml", "w") as handle:
        handle.write('AWSTemplateFormatVersion: "2010-09-09"\nResources:\n')
        block = "".join(f"  Q{i}:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 30\n" for i in range(1000))
        while handle.tell() < 20 * 1024 * 1024:
            handle.write(block.replace("  Q", f"  Q{handle.tell()}x"))
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001"
    assert "larger than the 5 MiB limit" in finding["message"] and "max-file-size" in finding["message"]


def test_the_file_size_limit_is_configurable(tmp_path):
    write(tmp_path / "template.yaml", sqs_template())
    write(tmp_path / "app.py", CLEAN_HANDLER)
    write(tmp_path / "lintkit.toml", '[limits]\nmax-file-size = "50B"\n')
    codes = sorted(f["code"] for f in lintkit(".", cwd=tmp_path)[1])
    assert codes == ["LK001", "LK001"]
    write(tmp_path / "lintkit.toml", '[limits]\nmax-file-size = "1MB"\n')
    assert [f["code"] for f in lintkit(".", cwd=tmp_path)[1]] == ["LK501"]


def test_binary_file_named_template_yaml(tmp_path):
    (tmp_path / "template.yaml").write_bytes(bytes(range(256)) * 16)
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "NUL bytes" in finding["message"]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-16", b""), ("utf-8", b"\xef\xbb\xbf")],
    ids=["utf-16", "utf-8-bom"],
)
def test_encoded_templates_report_on_the_right_line(tmp_path, encoding, prefix):
    (tmp_path / "template.yaml").write_bytes(prefix + sqs_template().encode(encoding))
    write(tmp_path / "app.py", CLEAN_HANDLER)
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["code"], finding["line"], finding["column"]) == ("LK501", 17, 9)


def test_crlf_files_report_on_the_right_line_and_column(tmp_path):
    (tmp_path / "template.yaml").write_bytes(sqs_template("            BatchSize: 5\n").replace("\n", "\r\n").encode())
    (tmp_path / "app.py").write_bytes(SWALLOWING_HANDLER.replace("\n", "\r\n").encode())
    findings = sorted((f["path"], f["line"], f["column"], f["code"]) for f in lintkit(".", cwd=tmp_path)[1])
    assert findings == [("app.py", SWALLOW_LINE, 9, "LK504"), ("template.yaml", 17, 9, "LK501")]


def test_utf8_bom_python(tmp_path):
    write(tmp_path / "template.yaml", sqs_template("            BatchSize: 1\n"))
    (tmp_path / "app.py").write_bytes(b"\xef\xbb\xbf" + SWALLOWING_HANDLER.encode())
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["code"], finding["line"]) == ("LK504", SWALLOW_LINE)


def test_nul_bytes_in_python(tmp_path):
    (tmp_path / "app.py").write_bytes(b"x = 1\n\x00\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["code"], finding["line"]) == ("LK001", 2)
    assert "NUL bytes" in finding["message"]


def test_python_2_file(tmp_path):
    write(tmp_path / "app.py", 'import os\n\nprint "hello"\n')
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["code"], finding["line"]) == ("LK001", 3)
    assert "Missing parentheses in call to 'print'" in finding["message"]


def test_duplicate_keys_in_yaml_and_json(tmp_path):
    write(tmp_path / "a" / "template.yaml", "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n  Q:\n    Type: AWS::SNS::Topic\n")
    write(tmp_path / "b" / "template.json", '{"Resources": {"Q": {"Type": "AWS::SQS::Queue",\n "Type": "AWS::SNS::Topic"}}}\n')
    findings = sorted((f["path"], f["line"], f["code"]) for f in lintkit(".", cwd=tmp_path)[1])
    assert findings == [("a/template.yaml", 4, "LK004"), ("b/template.json", 2, "LK004")]


@pytest.mark.parametrize("resources", ["\n  - Queue\n  - Topic", " just a string"], ids=["list", "string"])
def test_resources_that_are_not_a_mapping(tmp_path, resources):
    write(tmp_path / "template.yaml", f'AWSTemplateFormatVersion: "2010-09-09"\nResources:{resources}\n')
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "'Resources' must be a mapping" in finding["message"]


def test_handler_with_path_traversal_and_code_outside_the_repository(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    secret = tmp_path / "outside" / "secret.py"
    write(secret, "def handler(event, context):\n    return event['Records'][0]\n")
    write(
        repo / "template.yaml",
        """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Traversal:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: .
              Handler: ../../outside/secret.handler
              Runtime: python3.12
              Timeout: 5
          Outside:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: ../outside
              Handler: secret.handler
              Runtime: python3.12
              Timeout: 5
          FromS3:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: s3://bucket/code.zip
              Handler: app.handler
              Runtime: python3.12
              Timeout: 5
        """,
    )
    findings = [(f["line"], f["code"], f["message"]) for f in lintkit(".", cwd=repo)[1]]
    assert findings == [
        (8, "LK002", "Traversal: Handler '../../outside/secret.handler' points outside its code location"),
        (14, "LK002", "Outside: code location '../outside' is outside the repository; not followed"),
    ]


def test_symlink_loop(tmp_path):
    write(tmp_path / "src" / "app.py", SWALLOWING_HANDLER)
    try:
        os.symlink(tmp_path, tmp_path / "src" / "loop")
    except (OSError, NotImplementedError):
        pytest.skip("no symlinks here")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["path"], finding["code"]) == ("src/app.py", "LK504")


def test_empty_files(tmp_path):
    write(tmp_path / "template.yaml", "")
    write(tmp_path / "app.py", "")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["path"], finding["code"]) == ("template.yaml", "LK001")
    assert "empty" in finding["message"]


@pytest.mark.parametrize(
    "text",
    [
        'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n',
        'AWSTemplateFormatVersion: "2010-09-09"\nParameters:\nResources:\nOutputs:\n',
        'AWSTemplateFormatVersion: "2010-09-09"\nTransform: AWS::Serverless-2016-10-31\nGlobals:\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n',
    ],
    ids=["null-resources", "null-sections", "null-properties"],
)
def test_empty_or_null_sections_are_read_and_the_run_goes_on(tmp_path, text):
    # cfn-lint 1.58 crashes on these and its whole multi-file run prints nothing
    write(tmp_path / "a" / "template.yaml", text)
    write(tmp_path / "b" / "template.yaml", sqs_template())
    write(tmp_path / "b" / "app.py", CLEAN_HANDLER)
    findings = [(f["path"], f["code"]) for f in lintkit(".", cwd=tmp_path)[1]]
    assert ("b/template.yaml", "LK501") in findings
    assert not [f for f in findings if f[0] == "a/template.yaml" and f[1] == "LK001"]


def test_comment_only_template(tmp_path):
    write(tmp_path / "template.yaml", "# AWSTemplateFormatVersion: 2010-09-09\n# nothing yet\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "empty" in finding["message"]


def test_malformed_intrinsic_functions(tmp_path):
    write(
        tmp_path / "template.yaml",
        """
        AWSTemplateFormatVersion: "2010-09-09"
        Resources:
          Fn:
            Type: AWS::Lambda::Function
            Properties: {Handler: a.b, Runtime: python3.12, Timeout: 5, Code: {ZipFile: x}}
          Mapping:
            Type: AWS::Lambda::EventSourceMapping
            Properties:
              FunctionName: !GetAtt
              EventSourceArn: !Sub [a, b, c]
              BatchSize: !Sub []
          Permission:
            Type: AWS::Lambda::Permission
            Properties:
              FunctionName: !Join []
              Principal: !Ref
              Action: !If
          Rule:
            Type: AWS::Events::Rule
            Properties:
              Targets: [{Arn: !GetAtt [Fn]}, {Arn: !GetAtt [Fn, Arn, Extra]}, 7, null]
        """,
    )
    code, findings, _ = lintkit(".", cwd=tmp_path)
    # the rule target reaches Fn through `!GetAtt [Fn, ...]`: that link is real; nothing else is guessed
    assert sorted(f["code"] for f in findings) == ["LK401", "LK405", "LK405"]


def test_a_hostile_file_does_not_hide_findings_in_the_others(tmp_path):
    write(tmp_path / "bad" / "app.py", "x = " + "(" * 3000 + ")" * 3000 + "\n")
    (tmp_path / "bad" / "template.yaml").write_bytes(b"\x00" * 100)
    write(tmp_path / "good" / "template.yaml", sqs_template("            BatchSize: 1\n"))
    write(tmp_path / "good" / "app.py", SWALLOWING_HANDLER)
    findings = sorted((f["path"], f["code"]) for f in lintkit(".", cwd=tmp_path)[1])
    assert findings == [("bad/app.py", "LK001"), ("bad/template.yaml", "LK001"), ("good/app.py", "LK504")]


# --------------------------------------------------------------------------- unreadable input
# A file or folder lintkit cannot read is LK001 wherever it comes from (named, walked, linked
# from a template), and the run goes on. Root reads everything, so as root each case runs in a
# process without the capabilities that bypass file permissions (CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH), dropped from the bounding set with util-linux's `setpriv`.

_NO_DAC = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def _without_dac(tmp_path_factory) -> list[str]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return []
    probe = tmp_path_factory.mktemp("probe") / "locked"
    probe.write_text("secret")
    probe.chmod(0)
    try:
        process = subprocess.run([*_NO_DAC, sys.executable, "-c", f"open({str(probe)!r}).read()"], capture_output=True, timeout=TIMEOUT)
    except OSError as error:
        pytest.skip(f"running as root and setpriv cannot be started ({error}): cannot drop CAP_DAC_OVERRIDE")
    if process.returncode == 0 or b"PermissionError" not in process.stderr:
        pytest.skip("running as root and setpriv could not drop CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH "
                    f"(no CAP_SETPCAP?): {process.stderr.decode(errors='replace')[-200:]}")
    return _NO_DAC


@pytest.fixture(scope="module")
def no_dac(tmp_path_factory) -> list[str]:
    return _without_dac(tmp_path_factory)


@pytest.fixture
def locked():
    """chmod 0 on paths, restored afterwards (so pytest can remove them)."""
    changed: list[tuple[Path, int]] = []

    def lock(path: Path) -> Path:
        changed.append((path, path.stat().st_mode))
        path.chmod(0)
        return path

    yield lock
    for path, mode in reversed(changed):
        path.chmod(mode)


def lintkit_without_dac(prefix: list[str], *args: str, cwd: Path) -> tuple[int, list[dict], str]:
    command = [*prefix, sys.executable, "-m", "lintkit", "check", "--no-cache", "--output-format", "json", *args]
    process = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    assert "Traceback" not in process.stderr
    return process.returncode, json.loads(process.stdout or "[]"), process.stderr


def _cannot_read(findings: list[dict]) -> list[tuple[str, int, int, str, str]]:
    return [(f["path"], f["line"], f["column"], f["code"], f["message"]) for f in findings if f["code"] == "LK001"]


SAM_WITH_CODE_URI = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
"""


def test_unreadable_named_files_are_lk001_and_the_run_goes_on(tmp_path, no_dac, locked):
    write(tmp_path / "template.yaml", sqs_template())
    write(tmp_path / "app.py", SWALLOWING_HANDLER)
    locked(write(tmp_path / "other.py", "x = 1\n"))
    locked(write(tmp_path / "other.yaml", sqs_template()))
    code, findings, stderr = lintkit_without_dac(no_dac, "app.py", "other.py", "other.yaml", "template.yaml", cwd=tmp_path)
    assert code == 1, stderr
    assert _cannot_read(findings) == [
        ("other.py", 1, 1, "LK001", "cannot read file: Permission denied"),
        ("other.yaml", 1, 1, "LK001", "cannot read file: Permission denied"),
    ]
    assert ("app.py", SWALLOW_LINE, "LK504") in [(f["path"], f["line"], f["code"]) for f in findings]
    assert "not readable" not in stderr  # click's own check of the argument is off


def test_unreadable_walked_file_and_folder_are_lk001(tmp_path, no_dac, locked):
    write(tmp_path / "template.yaml", sqs_template())
    write(tmp_path / "app.py", SWALLOWING_HANDLER)
    locked(write(tmp_path / "lib" / "util.py", "x = 1\n").parent)
    locked(write(tmp_path / "infra" / "queue.yaml", sqs_template()))
    code, findings, stderr = lintkit_without_dac(no_dac, ".", cwd=tmp_path)
    assert code == 1, stderr
    assert _cannot_read(findings) == [
        ("infra/queue.yaml", 1, 1, "LK001", "cannot read file: Permission denied"),
        ("lib", 1, 1, "LK001", "cannot read directory: Permission denied"),
    ]
    assert ("app.py", SWALLOW_LINE, "LK504") in [(f["path"], f["line"], f["code"]) for f in findings]
    assert "cannot read" not in stderr  # a finding, not a note


def test_unreadable_code_uri_folder_is_lk001_not_a_traceback(tmp_path, no_dac, locked):
    # was: PermissionError from python/handlers.py, exit 1
    write(tmp_path / "template.yaml", SAM_WITH_CODE_URI)
    locked(write(tmp_path / "src" / "app.py", CLEAN_HANDLER).parent)
    code, findings, stderr = lintkit_without_dac(no_dac, ".", cwd=tmp_path)
    assert code == 1, stderr
    assert _cannot_read(findings) == [
        ("src", 1, 1, "LK001", "cannot read directory: Permission denied"),
        ("src/app.py", 1, 1, "LK001", "cannot read file: Permission denied"),
    ]
    # the handler is not reported missing (LK002): whether it is there cannot be known
    assert [f["code"] for f in findings if f["code"] != "LK001"] == []
    linked = [f for f in findings if f["path"] == "src/app.py"][0]
    assert [(r["path"], r["line"], r["message"]) for r in linked["related"]] == [("template.yaml", 8, "the Handler of Fn points to it")]
    # the template named alone (pre-commit): the linked file's LK001 is still reported
    code, findings, stderr = lintkit_without_dac(no_dac, "template.yaml", cwd=tmp_path)
    assert code == 1, stderr
    assert _cannot_read(findings) == [("src/app.py", 1, 1, "LK001", "cannot read file: Permission denied")]


def test_unreadable_handler_file_linked_from_a_template(tmp_path, no_dac, locked):
    write(tmp_path / "template.yaml", SAM_WITH_CODE_URI)
    locked(write(tmp_path / "src" / "app.py", CLEAN_HANDLER))
    code, findings, stderr = lintkit_without_dac(no_dac, ".", cwd=tmp_path)
    assert code == 1, stderr
    # once, though both the walk and the template reach it; with the Handler as related location
    assert _cannot_read(findings) == [("src/app.py", 1, 1, "LK001", "cannot read file: Permission denied")]
    assert [(r["path"], r["line"]) for r in findings[0]["related"]] == [("template.yaml", 8)]


# -- Serverless Framework services -------------------------------------------------------------


def test_serverless_variable_bomb_and_cycles_are_unknown_not_a_hang(tmp_path):
    # twelve levels of variables that each name the next level ten times: 10^12 expansions if
    # followed naively; each `self:` path is resolved once and long strings become unknown
    lines = ["frameworkVersion: '3'", "custom:"]
    lines += [f"  v{i}: \"" + "${self:custom.v%d}" % (i + 1) * 10 + "\"" for i in range(12)]
    lines += ["  v12: abcdefghijabcdefghij", "  loop: ${self:custom.loop}"]
    lines += ["provider:", "  runtime: python3.12", "  timeout: ${self:custom.loop}"]
    lines += ["functions:", "  a:", "    handler: app.handler", "    name: ${self:custom.v0}", "    events:", "      - s3: ${self:custom.v0}"]
    write(tmp_path / "serverless.yml", "\n".join(lines) + "\n")
    write(tmp_path / "app.py", "def handler(event, context):\n    return None\n")
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["code"], finding["line"]) == ("LK401", 21)  # the function is still checked


def test_serverless_yml_with_variables_everywhere_gives_nothing_guessed(tmp_path):
    """Only what the file states is reported (an SQS and a stream event with no batch settings
    written): nothing about the unknown handler, timeout, DLQ, route, runtime or resources."""
    write(
        tmp_path / "serverless.yml",
        """\
        service: ${file(./name.yml):service}
        provider: ${file(./provider.yml)}
        functions:
          a:
            handler: ${env:HANDLER}
            timeout: ${opt:timeout, 900}
            onError: ${ssm:/dlq}
            events:
              - sqs: ${cf:other.QueueArn}
              - stream: ${param:stream}
              - http: ${opt:route}
        resources: ${file(./resources.yml)}
        """,
    )
    found = [(f["code"], f["line"]) for f in lintkit(".", cwd=tmp_path)[1]]
    assert found == [("LK501", 9), ("LK403", 10), ("LK501", 10), ("LK506", 10)]


def test_binary_serverless_yml(tmp_path):
    (tmp_path / "serverless.yml").write_bytes(bytes(range(256)) * 16)
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "NUL bytes" in finding["message"]


# -- Terraform

TF_SQS = """\
data "archive_file" "code" {
  type        = "zip"
  source_dir  = "${path.module}"
  output_path = "code.zip"
}

resource "aws_sqs_queue" "jobs" {
  redrive_policy = jsonencode({ deadLetterTargetArn = "arn:aws:sqs:us-east-1:1:dlq", maxReceiveCount = 2 })
}

resource "aws_lambda_function" "fn" {
  filename = data.archive_file.code.output_path
  handler  = "app.handler"
  runtime  = "python3.12"
  timeout  = 5
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.fn.arn
}
"""
TF_MAPPING_LINE = 18


def test_terraform_that_does_not_parse_is_one_lk001_on_its_line(tmp_path):
    write(tmp_path / "main.tf", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n  visibility_timeout_seconds = = 3\n}\n')
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert (finding["code"], finding["path"], finding["line"]) == ("LK001", "main.tf", 3)
    assert finding["message"].startswith("Terraform file does not parse:")


def test_5_mb_tf_file_is_not_read_and_a_1_mb_one_is_refused_fast(tmp_path):
    block = 'resource "aws_sqs_queue" "q%d" {\n  name = "q"\n}\n'
    with open(tmp_path / "main.tf", "w") as handle:
        i = 0
        while handle.tell() < 5 * 1024 * 1024 + 10:
            handle.write(block % i)
            i += 1
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "larger than the 5 MiB limit" in finding["message"]
    write(tmp_path / "main.tf", "".join(block % i for i in range(25_000)))
    finding = only(lintkit(".", cwd=tmp_path)[1])
    assert finding["code"] == "LK001" and "larger than the 512 KiB lintkit reads with its HCL parser" in finding["message"]


@pytest.mark.parametrize("text", [
    'locals {\n  x = ' + "[" * 3000 + "]" * 3000 + "\n}\n",
    'locals {\n  x = ' + "{a = " * 1500 + "1" + "}" * 1500 + "\n}\n",
    'locals {\n  x = "' + "${" * 2000 + "}" * 2000 + '"\n}\n',
], ids=["lists", "objects", "interpolations"])
def test_deeply_nested_hcl_is_one_lk001_or_read(tmp_path, text):
    write(tmp_path / "main.tf", text)
    code, findings, _ = lintkit(".", cwd=tmp_path)
    assert [f["code"] for f in findings] in ([], ["LK001"])


def test_binary_and_empty_tf_files(tmp_path):
    (tmp_path / "binary.tf").write_bytes(bytes(range(256)) * 16)
    write(tmp_path / "empty.tf", "")
    write(tmp_path / "comments.tf", "# nothing here\n// nor here\n")
    findings = lintkit(".", cwd=tmp_path)[1]
    assert [(f["code"], f["path"]) for f in findings] == [("LK001", "binary.tf")]


def test_crlf_tf_files_report_on_the_right_line(tmp_path):
    (tmp_path / "main.tf").write_bytes(TF_SQS.replace("\n", "\r\n").encode())
    write(tmp_path / "app.py", CLEAN_HANDLER)
    findings = [(f["code"], f["path"], f["line"]) for f in lintkit(".", cwd=tmp_path)[1]]
    assert findings == [("LK501", "main.tf", TF_MAPPING_LINE)]


def test_a_hostile_tf_file_does_not_hide_findings_in_the_other_files_of_its_root(tmp_path):
    write(tmp_path / "main.tf", TF_SQS)
    write(tmp_path / "broken.tf", "resource {{{{\n")
    write(tmp_path / "app.py", CLEAN_HANDLER)
    findings = sorted((f["code"], f["path"], f["line"]) for f in lintkit(".", cwd=tmp_path)[1])
    assert findings == [("LK001", "broken.tf", 1), ("LK501", "main.tf", TF_MAPPING_LINE)]
