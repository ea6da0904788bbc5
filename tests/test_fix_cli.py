"""`lintkit check --fix` and friends on a copy of the demo project: what is written, what is
shown, the exit status, and the fixes in JSON and SARIF (valid against the 2.1.0 schema)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

try:
    from helpers import DEMO, invoke, make_runner, parse_concise
except ImportError:  # tests/ became a package
    from tests.helpers import DEMO, invoke, make_runner, parse_concise  # type: ignore[no-redef]

# the demo's fixes: safe ones, unsafe ones, and LK501's display-only advice
SAFE = {("src/payments.py", "LK505"), ("template.yaml", "LK603"), ("template.yaml", "LK502")}
UNSAFE = {("template.yaml", "LK506"), ("template.yaml", "LK602")}

PAYMENTS_DIFF = """\
--- a/demo/src/payments.py
+++ b/demo/src/payments.py
@@ -12,5 +12,5 @@
         try:
             charge(json.loads(record["body"]))
         except Exception:
-            failures.append({"itemIdentifier": record["receiptHandle"]})
+            failures.append({"itemIdentifier": record["messageId"]})
     return {"batchItemFailures": failures}
"""


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(DEMO, tmp_path / "demo")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    return tmp_path / "demo"


def _texts(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _codes(stdout: str) -> set[tuple[str, str]]:
    return {(path.removeprefix("demo/"), code) for path, _, _, code in parse_concise(stdout)}


def test_concise_marks_what_fix_would_fix(demo: Path) -> None:
    run = invoke("check", "--no-cache", "--output-format", "concise", "demo")
    marked = {(where.split(":", 1)[0].removeprefix("demo/"), rest.split(" ", 1)[0])
              for where, rest in (line.split(": ", 1) for line in run.stdout.splitlines())
              if rest.split(" ", 2)[1] == "[*]"}
    assert marked == SAFE
    unsafe = invoke("check", "--no-cache", "--output-format", "concise", "--unsafe-fixes", "demo")
    assert unsafe.stdout.count("[*]") == len(SAFE | UNSAFE)


def test_diff_prints_the_safe_fixes_and_writes_nothing(demo: Path) -> None:
    before = _texts(demo)
    run = invoke("check", "--no-cache", "--diff", "demo")
    assert run.exit_code == 1
    assert run.stdout.startswith(PAYMENTS_DIFF)
    assert "-      VisibilityTimeout: 60\n+      VisibilityTimeout: 180\n" in run.stdout
    assert "+            FunctionResponseTypes: [ReportBatchItemFailures]\n" in run.stdout
    assert "Timeout: 29" not in run.stdout  # LK602's fix is unsafe
    assert _texts(demo) == before


def test_fix_applies_the_safe_fixes_and_a_second_run_finds_none_of_them(demo: Path) -> None:
    before = invoke("check", "--no-cache", "--output-format", "concise", "demo")
    run = invoke("check", "--no-cache", "--output-format", "concise", "--fix", "demo")
    assert run.exit_code == 1  # other findings remain
    assert "lintkit: note: fixed 3 findings in 2 files" in run.stderr
    assert _codes(run.stdout) == _codes(before.stdout) - SAFE
    assert "receiptHandle" not in (demo / "src" / "payments.py").read_text()
    again = invoke("check", "--no-cache", "--diff", "demo")
    assert (again.exit_code, again.stdout) == (0, "")
    assert _codes(invoke("check", "--no-cache", "--output-format", "concise", "demo").stdout) == _codes(run.stdout)


def test_unsafe_fixes_are_applied_only_when_asked(demo: Path) -> None:
    run = invoke("check", "--no-cache", "--output-format", "concise", "--fix", "--unsafe-fixes", "demo")
    remaining = _codes(run.stdout)
    assert not (SAFE | UNSAFE) & remaining
    assert ("template.yaml", "LK501") in remaining  # display-only: never applied
    template = (demo / "template.yaml").read_text()
    assert "      Timeout: 29\n" in template and "MaximumRetryAttempts: 5" in template


def test_fix_only_reports_nothing_and_exits_0(demo: Path) -> None:
    run = invoke("check", "--no-cache", "--fix-only", "demo")
    assert (run.exit_code, run.stdout) == (0, "")
    assert "fixed 3 findings in 2 files" in run.stderr


def test_comments_and_unrelated_lines_are_byte_identical(demo: Path) -> None:
    import difflib

    before = {path: b.decode().splitlines(keepends=True) for path, b in _texts(demo).items()}
    invoke("check", "--no-cache", "--fix", "demo")
    after = {path: b.decode().splitlines(keepends=True) for path, b in _texts(demo).items()}
    assert set(after) == set(before)
    delta = [line for line in difflib.ndiff(before["template.yaml"], after["template.yaml"]) if line[:1] in "+-"]
    assert delta == [
        "-       VisibilityTimeout: 60\n",
        "+       VisibilityTimeout: 180\n",
        "+             FunctionResponseTypes: [ReportBatchItemFailures]\n",
    ]
    comments = [line for line in before["template.yaml"] if line.lstrip().startswith("#")]
    assert comments and all(line in after["template.yaml"] for line in comments)
    for path in before:
        if path not in ("template.yaml", "src/payments.py"):
            assert after[path] == before[path], path


def test_show_fixes_lists_every_fix_with_its_diff_and_then_what_was_fixed(demo: Path) -> None:
    run = invoke("check", "--no-cache", "--output-format", "concise", "--show-fixes", "demo")
    listing = run.stdout.split("\nFixes available (6):\n", 1)[1]
    assert "demo/template.yaml:62:9: LK501 (display-only) Add FunctionResponseTypes" in listing
    assert "demo/template.yaml:150:7: LK602 (unsafe) Set ReportsApiFunction Timeout to 29 s" in listing
    assert PAYMENTS_DIFF in listing
    fixed = invoke("check", "--no-cache", "--output-format", "concise", "--fix", "--show-fixes", "demo")
    assert "\nFixed 3 findings:\n" in fixed.stdout
    assert "  demo/src/payments.py:15:48: LK505 " in fixed.stdout


def test_json_carries_each_fix_with_its_edits(demo: Path) -> None:
    findings = json.loads(invoke("check", "--no-cache", "--output-format", "json", "demo").stdout)
    lk505 = next(f for f in findings if f["code"] == "LK505")
    assert lk505["fix"] == {
        "title": lk505["fix"]["title"],
        "applicability": "safe",
        "edits": [{"path": "demo/src/payments.py", "line": 15, "column": 56, "end_line": 15, "end_column": 69, "content": "messageId"}],
    }
    assert next(f for f in findings if f["code"] == "LK501")["fix"]["applicability"] == "display-only"
    assert next(f for f in findings if f["code"] == "LK404")["fix"] is None


def test_sarif_carries_the_fixes_and_is_valid(demo: Path, sarif_validator) -> None:
    log = json.loads(invoke("check", "--no-cache", "--output-format", "sarif", "demo").stdout)
    sarif_validator.validate(log)
    results = log["runs"][0]["results"]
    with_fixes = {r["ruleId"] for r in results if "fixes" in r}
    assert with_fixes == {"LK505", "LK603", "LK502", "LK506", "LK602"}  # display-only LK501 is advice, not a change
    lk603 = next(r for r in results if r["ruleId"] == "LK603")["fixes"][0]
    change = lk603["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "demo/template.yaml", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {"deletedRegion": {"startLine": 37, "startColumn": 26, "endLine": 37, "endColumn": 28}, "insertedContent": {"text": "180"}}
    ]


def test_fix_from_stdin_prints_the_fixed_text_and_reports_on_stderr(demo: Path) -> None:
    from lintkit.cli import main

    path = demo / "src" / "payments.py"
    text = path.read_text()
    result = make_runner().invoke(main, ["check", "--no-cache", "--fix", "-", "--stdin-filename", str(path)], input=text)
    assert result.stdout == text.replace('record["receiptHandle"]', 'record["messageId"]')
    assert path.read_text() == text  # the file on disk is the editor's business
    assert result.exit_code == 0


def test_fix_cannot_be_combined_with_write_baseline(demo: Path) -> None:
    run = invoke("check", "--fix", "--write-baseline", "b.json", "demo")
    assert run.exit_code == 2
    assert "cannot be combined" in run.stderr


def test_the_readme_shows_the_demos_diff_as_lintkit_prints_it(monkeypatch: pytest.MonkeyPatch) -> None:
    try:
        from helpers import REPO_ROOT
    except ImportError:  # tests/ became a package
        from tests.helpers import REPO_ROOT  # type: ignore[no-redef]

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("$ lintkit check fixtures/projects/demo --diff\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(REPO_ROOT)
    run = invoke("check", "--no-cache", "--diff", "fixtures/projects/demo")
    assert (run.exit_code, run.stdout) == (1, block)


def test_fixes_that_overlap_are_applied_in_a_later_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LK502 and LK506 both add keys after the last key of one Kinesis event: the same place, so
    one pass takes one of them and the next pass, on the new text, the other."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.py").write_text(
        "def handler(event, context):\n"
        "    failures = []\n"
        "    for record in event['Records']:\n"
        "        try:\n"
        "            process(record)\n"
        "        except Exception:\n"
        "            failures.append({'itemIdentifier': record['kinesis']['sequenceNumber']})\n"
        "    return {'batchItemFailures': failures}\n"
    )
    template = (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Stream:\n"
        "    Type: AWS::Kinesis::Stream\n"
        "  Worker:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: .\n"
        "      Handler: app.handler\n"
        "      Runtime: python3.12\n"
        "      Events:\n"
        "        Clicks:\n"
        "          Type: Kinesis\n"
        "          Properties:\n"
        "            Stream: !GetAtt Stream.Arn\n"
        "            StartingPosition: LATEST\n"
    )
    (tmp_path / "template.yaml").write_text(template)
    first = json.loads(invoke("check", "--no-cache", "--output-format", "json", "--select", "LK502,LK506", ".").stdout)
    assert {f["code"] for f in first if f["fix"]} == {"LK502", "LK506"}
    run = invoke("check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "LK502,LK506", ".")
    assert "fixed 2 findings in 1 file" in run.stderr
    assert (tmp_path / "template.yaml").read_text() == template + (
        "            FunctionResponseTypes: [ReportBatchItemFailures]\n"
        "            MaximumRetryAttempts: 5\n"
        "            BisectBatchOnFunctionError: true\n"
    )
