"""The `lintkit` command line: `check` (formats, selection, exit codes, config, bad input),
`rules`, `rule` and the help texts."""

from __future__ import annotations

import ast
import json
import os
import re
from pathlib import Path

import pytest
import yaml

from lintkit.rule import registry

try:
    from helpers import (
        CLEAN_HANDLER,
        REPO_ROOT,
        SWALLOW_COLUMN,
        SWALLOW_LINE,
        SWALLOWING_HANDLER,
        TEMPLATE_EVENT_COLUMN,
        TEMPLATE_EVENT_LINE,
        concise_messages,
        invoke,
        make_project,
        run_process,
        sqs_template,
        write,
    )
except ImportError:  # tests/ became a package
    from tests.helpers import (  # type: ignore[no-redef]
        CLEAN_HANDLER,
        REPO_ROOT,
        SWALLOW_COLUMN,
        SWALLOW_LINE,
        SWALLOWING_HANDLER,
        TEMPLATE_EVENT_COLUMN,
        TEMPLATE_EVENT_LINE,
        concise_messages,
        invoke,
        make_project,
        run_process,
        sqs_template,
        write,
    )

DEMO_SRC = "fixtures/projects/demo/src"
DEMO_TEMPLATE = "fixtures/projects/demo/template.yaml"
DEMO_EXPECTED = [
    (f"{DEMO_SRC}/clicks.py", 5, "LK503"),
    (f"{DEMO_SRC}/notifications.py", 9, "LK507"),
    (f"{DEMO_SRC}/orders.py", 16, "LK504"),
    (f"{DEMO_SRC}/payments.py", 15, "LK505"),
    (DEMO_TEMPLATE, 37, "LK603"),
    (DEMO_TEMPLATE, 43, "LK404"),
    (DEMO_TEMPLATE, 62, "LK501"),
    (DEMO_TEMPLATE, 74, "LK502"),
    (DEMO_TEMPLATE, 99, "LK403"),
    (DEMO_TEMPLATE, 99, "LK506"),
    (DEMO_TEMPLATE, 112, "LK002"),
    (DEMO_TEMPLATE, 134, "LK401"),
    (DEMO_TEMPLATE, 150, "LK602"),
]
DEMO_FILES = 9  # eight handler modules and the template

# The default project: LK504 in app.py and LK501 on the template's event, both warnings.
DEFAULT_PAIRS = [("app.py", SWALLOW_LINE, "LK504"), ("template.yaml", TEMPLATE_EVENT_LINE, "LK501")]


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO_ROOT)
    return REPO_ROOT


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The default project in tmp_path, which is also the working directory."""
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --------------------------------------------------------------------------- the demo project


def test_demo_concise_reports_every_finding_with_exact_positions(in_repo: Path) -> None:
    run = invoke("check", "fixtures/projects/demo")
    assert run.exit_code == 1, run.stderr
    assert run.pairs == DEMO_EXPECTED
    columns = {(path, line, code): col for path, line, col, code in run.findings}
    assert columns[(f"{DEMO_SRC}/orders.py", 16, "LK504")] == 9  # `except` of the swallowing try
    assert columns[(f"{DEMO_SRC}/payments.py", 15, "LK505")] == 48  # record["receiptHandle"]
    assert columns[(DEMO_TEMPLATE, 62, "LK501")] == 9  # the `NewOrders:` event key
    assert columns[(DEMO_TEMPLATE, 112, "LK002")] == 7  # the `Handler:` key
    messages = concise_messages(run.stdout)
    assert messages[(DEMO_TEMPLATE, 112, "LK002")] == (
        f"InvoicesFunction: Handler 'invoices.handler': {DEMO_SRC}/invoices.py defines no top-level 'handler'"
    )
    # fixable (the right identifier field): concise output marks it
    assert messages[(f"{DEMO_SRC}/payments.py", 15, "LK505")].startswith("[*] itemIdentifier is receiptHandle")
    assert run.stderr == ""


def test_demo_in_a_real_process(in_repo: Path) -> None:
    process = run_process("check", "fixtures/projects/demo", "--output-format", "concise", cwd=in_repo)
    assert process.returncode == 1, process.stderr
    lines = process.stdout.splitlines()
    assert len(lines) == len(DEMO_EXPECTED)
    got = []
    for line in lines:
        match = re.match(r"^([^:]+):(\d+):(\d+): (LK\d{3}) \S", line)
        assert match, line
        got.append((match[1], int(match[2]), match[4]))
    assert got == DEMO_EXPECTED
    assert "Traceback" not in process.stderr


def test_demo_json_items_have_every_field_with_the_right_type(in_repo: Path) -> None:
    run = invoke("check", "fixtures/projects/demo", "--output-format", "json")
    assert run.exit_code == 1
    data = json.loads(run.stdout)
    assert isinstance(data, list)
    assert [(d["path"], d["line"], d["code"]) for d in data] == DEMO_EXPECTED
    types = {
        "code": str, "name": str, "severity": str, "message": str, "path": str,
        "line": int, "column": int, "end_line": int, "end_column": int,
    }
    for item in data:
        for key, kind in types.items():
            assert key in item, (key, item)
            assert type(item[key]) is kind, (key, item)
        assert item["severity"] in {"info", "warning", "error"}
        assert re.fullmatch(r"LK\d{3}", item["code"])
        assert (item["end_line"], item["end_column"]) >= (item["line"], item["column"])

    orders = next(d for d in data if d["code"] == "LK504")
    assert orders["name"] == "record-errors-swallowed"
    assert orders["severity"] == "warning"
    assert orders["path"] == f"{DEMO_SRC}/orders.py"
    assert (orders["line"], orders["column"]) == (16, 9)
    # the finding covers the whole except clause: lines 16-17, up to the end of the logger call
    assert (orders["end_line"], orders["end_column"]) == (17, 90)
    assert orders["message"] == (
        "a failing record is caught and only logged: the batch still succeeds and this record is "
        "lost; re-raise, or add its id to batchItemFailures"
    )
    lk502 = next(d for d in data if d["code"] == "LK502")
    assert lk502["severity"] == "error"
    assert lk502["name"] == "partial-response-ignored"


def test_full_format_shows_source_caret_and_summary(in_repo: Path) -> None:
    run = invoke("check", "fixtures/projects/demo", "--output-format", "full")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    header = f"{DEMO_SRC}/payments.py:15:48: LK505 [error] itemIdentifier is receiptHandle"
    index = next(i for i, line in enumerate(lines) if line.startswith(header))
    assert lines[index + 1] == "   |"
    source = 'failures.append({"itemIdentifier": record["receiptHandle"]})'
    assert lines[index + 2] == f"15 |             {source}"
    caret_line = lines[index + 3]
    assert caret_line.startswith("   | ") and caret_line.endswith("^")
    caret = caret_line.index("^") - len("   | ")
    source_line = lines[index + 2][len("15 | "):]
    assert caret == 47  # column 48, 1-based
    assert source_line[caret:].startswith('record["receiptHandle"]')

    yaml_header = next(i for i, line in enumerate(lines) if line.startswith(f"{DEMO_TEMPLATE}:62:9: LK501 [warning] "))
    assert lines[yaml_header + 2] == "62 |         NewOrders:"
    assert lines[yaml_header + 3] == "   |         ^"
    # LK502, LK505, LK507, LK002 are errors; the other nine (LK603 graded down to a warning) warnings
    # LK502, LK505 and LK603 have safe fixes, LK506 and LK602 unsafe ones
    assert lines[-1] == f"Found 13 findings (4 errors, 9 warnings) in {DEMO_FILES} files checked. 3 fixable with --fix; 2 more with --unsafe-fixes."


def test_full_format_without_findings_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, template=sqs_template("            BatchSize: 1\n"), app=CLEAN_HANDLER)
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".", "--output-format", "full")
    assert run.exit_code == 0
    assert run.stdout == "No findings (2 files checked).\n"


# --------------------------------------------------------------------------- selection


def test_default_project_reports_lk504_and_lk501(project: Path) -> None:
    run = invoke("check", ".")
    assert run.exit_code == 1
    assert run.findings == [
        ("app.py", SWALLOW_LINE, SWALLOW_COLUMN, "LK504"),
        ("template.yaml", TEMPLATE_EVENT_LINE, TEMPLATE_EVENT_COLUMN, "LK501"),
    ]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--select", "LK501"], ["LK501"]),
        (["--select", "lk504"], ["LK504"]),
        (["--select", "LK5"], ["LK504", "LK501"]),
        (["--select", "LK0"], []),
        (["--ignore", "LK501,LK502"], ["LK504"]),
        (["--ignore", "LK501", "--ignore", "LK504"], []),
        (["--ignore", "LK5"], []),
        (["--select", "LK501", "--extend-select", "LK504"], ["LK504", "LK501"]),
        (["--select", "LK501,LK504", "--ignore", "LK501"], ["LK504"]),
        (["--extend-select", "LK504", "--ignore", "LK504"], ["LK501"]),  # ignore wins
    ],
)
def test_select_ignore_extend_select(project: Path, args: list[str], expected: list[str]) -> None:
    run = invoke("check", ".", *args)
    assert run.codes == expected
    assert run.exit_code == (1 if expected else 0)


def test_extend_select_adds_to_config_select(project: Path) -> None:
    write(project / "lintkit.toml", 'select = ["LK501"]\n')
    assert invoke("check", ".").codes == ["LK501"]
    assert invoke("check", ".", "--extend-select", "LK504").codes == ["LK504", "LK501"]
    # --select replaces the config's select
    assert invoke("check", ".", "--select", "LK504").codes == ["LK504"]


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
def test_unknown_code_on_the_command_line_is_a_usage_error(project: Path, option: str) -> None:
    run = invoke("check", ".", option, "LK999")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "LK999" in run.stderr
    assert run.stderr.startswith(f"lintkit: error: {option}: unknown rule code or prefix 'LK999'")
    assert "Traceback" not in run.stderr
    assert run.exception is None


def test_unknown_code_in_pyproject_ignore_is_a_usage_error(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.lintkit]\nignore = ["LK999"]\n')
    run = invoke("check", ".")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert "pyproject.toml [tool.lintkit] ignore" in run.stderr
    assert "unknown rule code or prefix 'LK999'" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.exception is None


def test_unknown_code_in_pyproject_ignore_in_a_real_process(project: Path) -> None:
    write(project / "pyproject.toml", '[tool.lintkit]\nignore = ["LK999"]\n')
    process = run_process("check", ".", cwd=project)
    assert process.returncode == 2
    assert process.stdout == ""
    assert process.stderr.strip() == (
        "lintkit: error: pyproject.toml [tool.lintkit] ignore: unknown rule code or prefix 'LK999'"
    )


# --------------------------------------------------------------------------- exit codes


def test_fail_on_error_with_only_warnings_exits_0(project: Path) -> None:
    run = invoke("check", ".", "--fail-on", "error")
    assert run.exit_code == 0
    assert run.codes == ["LK504", "LK501"]  # still printed


def test_fail_on_info_exits_1(project: Path) -> None:
    run = invoke("check", ".", "--fail-on", "info")
    assert run.exit_code == 1
    assert run.codes == ["LK504", "LK501"]


def test_default_fail_on_is_warning(project: Path) -> None:
    run = invoke("check", ".", "--select", "LK504")
    assert run.codes == ["LK504"]  # a warning
    assert run.exit_code == 1
    assert invoke("check", ".", "--select", "LK504", "--fail-on", "warning").exit_code == 1


def test_fail_on_error_with_an_error_exits_1(project: Path) -> None:
    write(
        project / "app.py",
        """\
        def handler(event, context):
            failures = []
            for record in event["Records"]:
                if not process(record):
                    failures.append({"itemIdentifier": record["receiptHandle"]})
            return {"batchItemFailures": failures}
        """,
    )
    run = invoke("check", ".", "--fail-on", "error")
    assert run.pairs == [("app.py", 5, "LK505"), ("template.yaml", TEMPLATE_EVENT_LINE, "LK502")]
    assert run.exit_code == 1


def test_config_fail_on_is_used_and_the_option_overrides_it(project: Path) -> None:
    write(project / "lintkit.toml", 'fail-on = "error"\n')
    assert invoke("check", ".").exit_code == 0
    assert invoke("check", ".", "--fail-on", "warning").exit_code == 1


def test_exit_zero_still_prints_findings(project: Path) -> None:
    run = invoke("check", ".", "--exit-zero")
    assert run.exit_code == 0
    assert run.pairs == DEFAULT_PAIRS


def test_bad_fail_on_value_is_a_usage_error(project: Path) -> None:
    run = invoke("check", ".", "--fail-on", "fatal")
    assert run.exit_code == 2
    assert "fatal" in run.stderr
    assert run.stdout == ""


# --------------------------------------------------------------------------- configuration


def test_config_file_select(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path / "proj")
    config = write(tmp_path / "settings" / "lintkit.toml", 'select = ["LK504"]\n')
    monkeypatch.chdir(tmp_path)
    run = invoke("check", "proj", "--config", str(config))
    assert run.pairs == [("proj/app.py", SWALLOW_LINE, "LK504")]
    assert run.exit_code == 1
    # without --config the file is not found (it is not above the project) and both are reported
    assert invoke("check", "proj").codes == ["LK504", "LK501"]


def test_config_severity_override_changes_json_severity(project: Path) -> None:
    config = write(project / "severity.toml", 'severity = { LK501 = "error" }\n')
    run = invoke("check", ".", "--config", str(config), "--output-format", "json")
    data = {d["code"]: d for d in json.loads(run.stdout)}
    assert data["LK501"]["severity"] == "error"
    assert data["LK504"]["severity"] == "warning"
    # the overridden severity also decides the exit status
    assert invoke("check", ".", "--config", str(config), "--fail-on", "error").exit_code == 1
    assert invoke("check", ".", "--fail-on", "error").exit_code == 0


def test_config_per_file_ignores_drop_the_code_only_in_that_file(project: Path) -> None:
    write(project / "other.py", SWALLOWING_HANDLER)
    config = write(project / "lintkit.toml", '[per-file-ignores]\n"app.py" = ["LK504"]\n')
    run = invoke("check", ".", "--config", str(config))
    assert run.pairs == [
        ("other.py", SWALLOW_LINE, "LK504"),
        ("template.yaml", TEMPLATE_EVENT_LINE, "LK501"),
    ]
    # and it is picked up from lintkit.toml without --config too
    assert invoke("check", ".").pairs == run.pairs


def test_config_output_format(project: Path) -> None:
    write(project / "lintkit.toml", 'output-format = "json"\n')
    data = json.loads(invoke("check", ".").stdout)
    assert [(d["path"], d["line"], d["code"]) for d in data] == DEFAULT_PAIRS
    # the option wins over the config
    assert invoke("check", ".", "--output-format", "concise").pairs == DEFAULT_PAIRS


def test_missing_config_file_is_a_usage_error(project: Path) -> None:
    run = invoke("check", ".", "--config", "nope.toml")
    assert run.exit_code == 2
    assert run.stderr.strip() == "lintkit: error: nope.toml: no such file"
    assert run.stdout == ""


# --------------------------------------------------------------------------- bad input


BROKEN_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
     Runtime: python3.12
"""
BROKEN_PYTHON = """\
import json


def handler(event, context:
    return json.dumps(event)
"""


def _yaml_error_position(text: str) -> tuple[int, int]:
    with pytest.raises(yaml.MarkedYAMLError) as info:
        yaml.safe_load(text)
    mark = info.value.problem_mark
    assert mark is not None
    return mark.line + 1, mark.column + 1


def _python_error_position(text: str) -> tuple[int, int]:
    with pytest.raises(SyntaxError) as info:
        ast.parse(text)
    return info.value.lineno, info.value.offset


def test_parse_errors_are_reported_and_the_rest_is_still_checked(project: Path) -> None:
    write(project / "broken" / "template.yaml", BROKEN_TEMPLATE)
    write(project / "broken_module.py", BROKEN_PYTHON)
    yaml_line, yaml_column = _yaml_error_position(BROKEN_TEMPLATE)
    py_line, py_column = _python_error_position(BROKEN_PYTHON)
    assert yaml_line == 7 and py_line == 4  # sanity: where the mistakes are

    run = invoke("check", ".")
    assert run.exit_code == 1
    assert run.findings == [
        ("app.py", SWALLOW_LINE, SWALLOW_COLUMN, "LK504"),
        ("broken/template.yaml", yaml_line, yaml_column, "LK001"),
        ("broken_module.py", py_line, py_column, "LK001"),
        ("template.yaml", TEMPLATE_EVENT_LINE, TEMPLATE_EVENT_COLUMN, "LK501"),
    ]
    messages = concise_messages(run.stdout)
    assert messages[("broken/template.yaml", yaml_line, "LK001")].startswith("template does not parse: ")
    assert messages[("broken_module.py", py_line, "LK001")].startswith("Python file does not parse: SyntaxError: ")
    assert "Traceback" not in run.stdout + run.stderr
    assert run.exception is None

    data = {(d["path"], d["code"]): d for d in json.loads(invoke("check", ".", "--output-format", "json").stdout)}
    assert data[("broken_module.py", "LK001")]["severity"] == "error"
    assert data[("broken_module.py", "LK001")]["name"] == "parse-error"


def test_parse_error_only_is_exit_1_even_with_fail_on_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "broken_module.py", BROKEN_PYTHON)
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".", "--fail-on", "error")
    assert run.codes == ["LK001"]
    assert run.exit_code == 1


def test_python2_print_statement_gets_cpythons_message(project: Path) -> None:
    write(project / "legacy.py", 'import os\n\nprint "x"\n')
    run = invoke("check", ".")
    lk001 = [f for f in run.findings if f[3] == "LK001"]
    assert lk001 == [("legacy.py", 3, 1, "LK001")]
    message = concise_messages(run.stdout)[("legacy.py", 3, "LK001")]
    assert "Missing parentheses in call to 'print'" in message
    assert "print(...)" in message
    assert run.exit_code == 1


def test_broken_python_file_counts_as_a_checked_file(project: Path) -> None:
    write(project / "broken_module.py", BROKEN_PYTHON)
    run = invoke("check", ".", "--output-format", "full")
    assert run.stdout.splitlines()[-1] == "Found 3 findings (1 error, 2 warnings) in 3 files checked."


def test_broken_template_counts_as_a_checked_file_too(project: Path) -> None:
    write(project / "broken" / "template.yaml", BROKEN_TEMPLATE)
    write(project / "broken_module.py", BROKEN_PYTHON)
    run = invoke("check", ".", "--output-format", "full")
    # app.py, template.yaml, broken_module.py and broken/template.yaml were all read
    assert run.stdout.splitlines()[-1] == "Found 4 findings (2 errors, 2 warnings) in 4 files checked."


def test_full_format_shows_the_source_line_of_a_python_syntax_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "broken_module.py", BROKEN_PYTHON)
    monkeypatch.chdir(tmp_path)
    lines = invoke("check", ".", "--output-format", "full").stdout.splitlines()
    assert lines[0].startswith("broken_module.py:4:")
    assert lines[2] == "4 | def handler(event, context:"


def test_full_format_source_line_after_a_form_feed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = SWALLOWING_HANDLER.replace("import logging\n\n", "import logging\n\x0c\n", 1)
    make_project(tmp_path, template=sqs_template("            BatchSize: 1\n"), app=source)
    monkeypatch.chdir(tmp_path)
    lines = invoke("check", ".", "--output-format", "full").stdout.splitlines()
    assert lines[0].startswith(f"app.py:{SWALLOW_LINE}:{SWALLOW_COLUMN}: LK504 ")
    assert lines[2] == f"{SWALLOW_LINE} |         except Exception:"


def test_clean_project_exits_0_with_no_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, template=sqs_template("            BatchSize: 1\n"), app=CLEAN_HANDLER)
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".")
    assert run.exit_code == 0
    assert run.stdout == ""
    assert run.stderr == ""
    # the same project with the default batch size of 10 is not clean: the setting matters
    write(tmp_path / "template.yaml", sqs_template())
    assert invoke("check", ".").pairs == [("template.yaml", TEMPLATE_EVENT_LINE, "LK501")]


def test_clean_project_in_a_real_process(tmp_path: Path) -> None:
    make_project(tmp_path, template=sqs_template("            BatchSize: 1\n"), app=CLEAN_HANDLER)
    process = run_process("check", ".", "--output-format", "concise", cwd=tmp_path)
    assert process.returncode == 0
    assert process.stdout == ""
    json_process = run_process("check", ".", "--output-format", "json", cwd=tmp_path)
    assert json_process.returncode == 0
    assert json.loads(json_process.stdout) == []


def test_default_path_is_the_working_directory(project: Path) -> None:
    assert invoke("check").pairs == DEFAULT_PAIRS


def test_empty_directory_notes_that_nothing_was_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path)
    run = invoke("check", "empty")
    assert run.exit_code == 0
    assert run.stdout == ""
    assert run.stderr == "lintkit: note: no Python files or templates found under empty\n"


# --------------------------------------------------------------------------- the exit-code table
# README "Exit status": 0 clean, 1 findings at or above --fail-on, 2 usage or configuration
# error, a path that does not exist, or an internal error. Each row tested here.


def test_exit_0_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, template=sqs_template("            BatchSize: 1\n"), app=CLEAN_HANDLER)
    monkeypatch.chdir(tmp_path)
    assert (invoke("check", ".").exit_code, invoke("check", ".").stdout) == (0, "")


def test_exit_1_findings(project: Path) -> None:
    run = invoke("check", ".")
    assert run.exit_code == 1
    assert run.pairs == DEFAULT_PAIRS


@pytest.mark.parametrize(
    "args, message",
    [
        (["--no-such-option"], "--no-such-option"),
        (["--select", "LK000"], "LK000"),
        (["--config", "missing.toml"], "missing.toml"),
        (["no-such-dir"], "lintkit: error: no-such-dir: no such file or directory"),
    ],
)
def test_exit_2_usage_config_or_missing_path(project: Path, args: list[str], message: str) -> None:
    run = invoke("check", *args)
    assert run.exit_code == 2
    assert run.stdout == ""
    assert message in run.stderr
    assert run.exception is None


def _assert_internal_error(run, error_line: str) -> None:
    assert run.exit_code == 2
    assert run.exception is None  # handled: no bare traceback
    lines = run.stderr.splitlines()
    assert lines[0].startswith(error_line), run.stderr
    assert "Traceback" not in run.stderr
    assert "please report it" in lines[-1]
    assert "LINTKIT_TRACEBACK=1" in lines[-1]


def test_exit_2_when_a_reporter_crashes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args, **kwargs):
        raise ValueError("reporter broke")

    monkeypatch.setattr("lintkit.report.render", broken)
    run = invoke("check", ".")
    _assert_internal_error(run, "lintkit: internal error: ValueError: reporter broke (at test_cli.py:")
    # with LINTKIT_TRACEBACK=1 the traceback is there for the report
    monkeypatch.setenv("LINTKIT_TRACEBACK", "1")
    run = invoke("check", ".")
    assert run.exit_code == 2
    assert "Traceback (most recent call last)" in run.stderr
    assert 'raise ValueError("reporter broke")' in run.stderr


def test_exit_2_when_the_template_loader_crashes_and_the_rest_is_still_checked(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lintkit.engine

    def broken(*args, **kwargs):
        raise IndexError("loader broke")

    monkeypatch.setattr(lintkit.engine, "template_from_text", broken)
    run = invoke("check", ".")
    assert run.exit_code == 2
    assert run.exception is None
    # the Python file is still checked and its finding printed
    assert run.pairs == [("app.py", SWALLOW_LINE, "LK504")]
    lines = run.stderr.splitlines()
    assert lines[0] == "lintkit: internal error: reading failed for template.yaml: IndexError: loader broke"
    assert "please report" in lines[-1]


def test_exit_2_when_the_python_loader_crashes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lintkit.python.module

    def broken(*args, **kwargs):
        raise AttributeError("parser broke")

    monkeypatch.setattr(lintkit.python.module, "parse_python", broken)
    run = invoke("check", ".", "--no-cache")
    assert run.exit_code == 2
    assert run.exception is None
    assert run.pairs == [("template.yaml", TEMPLATE_EVENT_LINE, "LK501")]
    assert run.stderr.splitlines()[0] == "lintkit: internal error: reading failed for app.py: AttributeError: parser broke"


def test_exit_2_on_a_crash_in_a_real_process(project: Path) -> None:
    # the real entry point in its own process, with a reporter that raises
    import subprocess
    import sys

    code = "import sys, lintkit.report as r; r.render = lambda *a, **k: 1 / 0; sys.argv[0] = 'lintkit'; from lintkit.cli import entry_point; entry_point()"
    process = subprocess.run([sys.executable, "-c", code, "check", "."], cwd=project, capture_output=True, text=True, timeout=120)
    assert process.returncode == 2
    assert process.stdout == ""
    assert "Traceback" not in process.stderr
    lines = process.stderr.splitlines()
    assert lines[0] == "lintkit: internal error: ZeroDivisionError: division by zero (at <string>:1)"
    assert lines[1].startswith("lintkit: this is a bug in lintkit ")


def _readme_section(title: str) -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index(title)
    end = text.find("\n#", start + len(title))
    return text[start : end if end != -1 else len(text)]


def test_readme_exit_status_table_has_one_row_per_status() -> None:
    from lintkit.cli import EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS

    section = _readme_section("### Exit status")
    rows = re.findall(r"^\| `(\d)` \|", section, re.MULTILINE)
    assert rows == [str(EXIT_CLEAN), str(EXIT_FINDINGS), str(EXIT_ERROR)] == ["0", "1", "2"]
    assert "does not exist" in section and "internal error" in section


def test_readme_options_table_lists_every_option_of_check() -> None:
    from lintkit.cli import check

    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    table = text[text.index("| option | meaning |") :].split("\n\n", 1)[0]
    rows = table.splitlines()[2:]
    documented = {flag for row in rows for flag in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", row.split(" | ")[0])}
    options = {flag for param in check.get_params(click_context()) for flag in (*param.opts, *param.secondary_opts) if flag.startswith("-")}
    assert options - documented == set()
    assert documented - options == set()


def click_context():
    import click

    from lintkit.cli import check, main

    return click.Context(check, **main.context_settings)  # `-h` as `lintkit check -h` has it


def test_missing_path_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a typo in a CI path must never pass as a clean run
    monkeypatch.chdir(tmp_path)
    run = invoke("check", "does-not-exist")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "lintkit: error: does-not-exist: no such file or directory\n"
    run = invoke("check", "/no/such/dir")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "lintkit: error: /no/such/dir: no such file or directory\n"


def test_missing_path_beside_a_real_project_is_a_usage_error_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path / "proj", template=sqs_template("            BatchSize: 1\n"), app=SWALLOWING_HANDLER)
    monkeypatch.chdir(tmp_path)
    run = invoke("check", "proj", "proj/ap.py")  # a mistyped file beside one with findings
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "lintkit: error: proj/ap.py: no such file or directory\n"
    os.symlink(tmp_path / "gone.py", tmp_path / "link.py")
    run = invoke("check", "link.py")
    assert (run.exit_code, run.stderr) == (2, "lintkit: error: link.py: broken symbolic link\n")
    # spelled right, the findings decide
    run = invoke("check", "proj")
    assert run.exit_code == 1
    assert run.pairs == [("proj/app.py", SWALLOW_LINE, "LK504")]


# --------------------------------------------------------------------------- rules / rule


def _table_rows(stdout: str) -> list[list[str]]:
    return [line.split(None, 3) for line in stdout.splitlines()]


def test_rules_lists_every_registered_code() -> None:
    run = invoke("rules")
    assert run.exit_code == 0
    rows = _table_rows(run.stdout)
    rules = registry()
    assert [row[0] for row in rows] == rules.codes
    for code, name, severity, summary in rows:
        rule = rules.get(code)
        assert rule is not None
        assert name == rule.name
        assert severity == rule.severity.label
        assert summary == rule.summary
    # columns line up: the severity column starts at the same offset on every line
    offsets = {line.index(f" {rules.get(line[:5]).severity.label} ") for line in run.stdout.splitlines()}
    assert len(offsets) == 1
    assert ["LK001", "parse-error", "error"] == rows[0][:3]


def test_rules_json() -> None:
    run = invoke("rules", "--output-format", "json")
    assert run.exit_code == 0
    data = json.loads(run.stdout)
    assert [item["code"] for item in data] == registry().codes
    by_code = {item["code"]: item for item in data}
    assert by_code["LK501"]["name"] == "batch-without-partial-failure-reporting"
    assert by_code["LK501"]["severity"] == "warning"
    assert by_code["LK501"]["kind"] == "project"
    assert by_code["LK504"]["kind"] == "code"
    assert by_code["LK506"]["kind"] == "template"
    assert by_code["LK001"]["kind"] == "engine"
    assert by_code["LK002"]["references"] == ["https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html"]
    assert all(isinstance(item["fixable"], bool) and isinstance(item["summary"], str) for item in data)


@pytest.mark.parametrize("code", ["LK501", "lk501", "Lk501"])
def test_rule_prints_its_documentation(code: str) -> None:
    run = invoke("rule", code)
    assert run.exit_code == 0
    lines = run.stdout.splitlines()
    assert lines[0] == "# LK501 batch-without-partial-failure-reporting"
    assert "Default severity: warning" in lines
    for heading in ("## What it does", "## Why is this bad?", "## Example"):
        assert heading in lines
    assert lines.index("## What it does") < lines.index("## Why is this bad?") < lines.index("## Example")
    assert "References:" in lines
    assert "  - https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html" in lines


def test_rule_unknown_code_is_a_usage_error() -> None:
    run = invoke("rule", "LK999")
    assert run.exit_code == 2
    assert run.stdout == ""
    assert run.stderr == "lintkit: error: unknown rule code 'LK999'; `lintkit rules` lists them all\n"


@pytest.mark.parametrize("name", ["batch-without-partial-failure-reporting", "BATCH-Without-Partial-Failure-Reporting"])
def test_rule_by_name_prints_the_same_documentation_as_by_code(name: str) -> None:
    by_name = invoke("rule", name)
    assert by_name.exit_code == 0
    assert by_name.stdout.splitlines()[0] == "# LK501 batch-without-partial-failure-reporting"
    assert by_name.stdout == invoke("rule", "LK501").stdout
    as_json = json.loads(invoke("rule", name, "--output-format", "json").stdout)
    assert (as_json["code"], as_json["name"]) == ("LK501", "batch-without-partial-failure-reporting")


def test_rule_unknown_name_suggests_the_closest_one() -> None:
    run = invoke("rule", "batch-without-partial-failure-report")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == (
        "lintkit: error: unknown rule 'batch-without-partial-failure-report'; did you mean "
        "batch-without-partial-failure-reporting? (`lintkit rules` lists them all)\n"
    )


def test_rule_unknown_name_with_nothing_close_is_a_usage_error() -> None:
    run = invoke("rule", "missing-partial-batch-response")
    assert (run.exit_code, run.stdout) == (2, "")
    assert run.stderr == "lintkit: error: unknown rule 'missing-partial-batch-response' (`lintkit rules` lists them all)\n"


def test_rule_json_has_sections() -> None:
    run = invoke("rule", "LK501", "--output-format", "json")
    assert run.exit_code == 0
    data = json.loads(run.stdout)
    assert data["code"] == "LK501"
    assert data["name"] == "batch-without-partial-failure-reporting"
    assert data["severity"] == "warning"
    sections = data["sections"]
    assert {"What it does", "Why is this bad?", "Example"} <= set(sections)
    assert "ReportBatchItemFailures" in sections["What it does"]
    assert "FunctionResponseTypes" in sections["Example"]


@pytest.mark.parametrize("code", sorted(registry().codes))
def test_every_rule_has_the_required_documentation_sections(code: str) -> None:
    data = json.loads(invoke("rule", code, "--output-format", "json").stdout)
    for section in ("What it does", "Why is this bad?", "Example"):
        assert data["sections"].get(section, "").strip(), (code, section)


# --------------------------------------------------------------------------- help and version


def test_group_help() -> None:
    run = invoke("--help")
    assert run.exit_code == 0
    assert "Find reliability problems in AWS Lambda projects" in run.stdout
    assert "lintkit check ." in run.stdout and "lintkit rule LK501" in run.stdout
    commands = run.stdout.split("Commands:")[1]
    summaries = {}
    for line in commands.strip().splitlines():
        name, summary = line.split(None, 1)
        summaries[name] = summary
    assert set(summaries) == {"check", "rules", "rule", "clean"}
    assert summaries["check"].startswith("Check ")
    assert summaries["rules"].startswith("List every rule")
    assert summaries["rule"].startswith("Explain one rule")
    # one-line summaries are whole sentences, not cut at an abbreviation's full stop
    for summary in summaries.values():
        assert summary.endswith(".") and summary.count("(") == summary.count(")"), summary
    assert invoke("-h").stdout == run.stdout


def test_check_help_mentions_its_options() -> None:
    run = invoke("check", "--help")
    assert run.exit_code == 0
    for option in ("--output-format", "--select", "--extend-select", "--ignore", "--fail-on", "--exit-zero", "--config"):
        assert option in run.stdout
    assert "concise" in run.stdout and "json" in run.stdout
    assert "Exit status: 0" in run.stdout


def test_rules_help() -> None:
    run = invoke("rules", "--help")
    assert run.exit_code == 0
    assert "List every rule" in run.stdout
    assert "--output-format" in run.stdout and "table" in run.stdout


def test_rule_help() -> None:
    run = invoke("rule", "--help")
    assert run.exit_code == 0
    assert "Explain one rule" in run.stdout
    assert "CODE" in run.stdout
    assert "--output-format" in run.stdout


def test_version() -> None:
    import lintkit

    run = invoke("--version")
    assert run.exit_code == 0
    assert run.stdout.strip() == f"lintkit, version {lintkit.__version__}"


# --------------------------------------------------------------------------- exclude


@pytest.fixture
def linked_legacy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A template whose function's code is in `legacy/`, which the config excludes; the handler
    there swallows every record's exception (LK504)."""
    make_project(
        tmp_path,
        template=sqs_template().replace("CodeUri: .", "CodeUri: legacy/"),
        files={"legacy/app.py": SWALLOWING_HANDLER, "lintkit.toml": 'exclude = ["legacy"]\n'},
    )
    (tmp_path / "app.py").unlink()
    monkeypatch.chdir(tmp_path)
    return tmp_path


TEMPLATE_LK501 = ("template.yaml", TEMPLATE_EVENT_LINE, "LK501")
LEGACY_LK504 = ("legacy/app.py", SWALLOW_LINE, "LK504")


def test_a_linked_handler_in_an_excluded_folder_is_context_only(linked_legacy: Path) -> None:
    run = invoke("check", ".", "--output-format", "concise")
    # the template's own finding still shows; the handler was read for the join (no LK002,
    # "handler not found") but its LK504 is in an excluded file
    assert run.pairs == [TEMPLATE_LK501]
    assert run.exit_code == 1


def test_exclude_on_the_command_line_replaces_the_config(linked_legacy: Path) -> None:
    run = invoke("check", ".", "--output-format", "concise", "--exclude", "")
    assert run.pairs == [LEGACY_LK504, TEMPLATE_LK501]
    # a pattern of its own: the config's `legacy` no longer applies, this one does
    run = invoke("check", ".", "--output-format", "concise", "--exclude", "other,legacy/app.py")
    assert run.pairs == [TEMPLATE_LK501]


def test_extend_exclude_adds_to_the_config(linked_legacy: Path) -> None:
    (linked_legacy / "lintkit.toml").write_text("", encoding="utf-8")
    assert invoke("check", ".", "--output-format", "concise").pairs == [LEGACY_LK504, TEMPLATE_LK501]
    run = invoke("check", ".", "--output-format", "concise", "--extend-exclude", "legacy")
    assert run.pairs == [TEMPLATE_LK501]
    # patterns match names too, as in the config
    assert invoke("check", ".", "--output-format", "concise", "--extend-exclude", "app.py").pairs == [TEMPLATE_LK501]


def test_an_excluded_folder_named_on_the_command_line_is_still_reported(linked_legacy: Path) -> None:
    assert invoke("check", "legacy", "--output-format", "concise").pairs == [LEGACY_LK504]
    # a file named is checked with its template (whose join with it is reported too)
    assert invoke("check", "legacy/app.py", "--output-format", "concise").pairs == [LEGACY_LK504, TEMPLATE_LK501]


# --------------------------------------------------------------------------- notes

NOT_A_TEMPLATE = "lintkit: note: ci.yaml: not a CloudFormation/SAM template; skipped\n"


@pytest.fixture
def with_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_project(tmp_path, template=sqs_template("            BatchSize: 1\n"), app=CLEAN_HANDLER)
    write(tmp_path / "ci.yaml", "name: ci\non: [push]\n")
    (tmp_path / "gone.py").symlink_to(tmp_path / "nowhere.py")  # found only while walking
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_named_file_that_is_not_checked_gets_its_note(with_notes: Path) -> None:
    run = invoke("check", "ci.yaml", "app.py")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", NOT_A_TEMPLATE)


def test_files_a_tool_passes_are_skipped_quietly(with_notes: Path) -> None:
    """pre-commit hands every changed YAML file over (with --force-exclude): a workflow or
    .pre-commit-config.yaml is not worth a note on every commit."""
    run = invoke("check", "--force-exclude", "ci.yaml", "app.py")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
    assert invoke("check", "--force-exclude", "--show-notes", "ci.yaml", "app.py").stderr == NOT_A_TEMPLATE


def test_skipped_files_met_while_walking_are_for_show_notes(with_notes: Path) -> None:
    assert invoke("check", ".").stderr == ""
    assert invoke("check", ".", "--show-notes").stderr == "lintkit: note: gone.py: broken symbolic link; skipped\n"


def test_no_show_notes_prints_none(with_notes: Path) -> None:
    assert invoke("check", "ci.yaml", "app.py", "--no-show-notes").stderr == ""


def test_a_templated_template_found_while_walking_is_noted(with_notes: Path) -> None:
    """Not a skip: a template lintkit would check but cannot until it is rendered."""
    write(with_notes / "template.yaml", sqs_template().replace("  Worker:", "  {{ cookiecutter.name }}:"))
    run = invoke("check", ".", "--output-format", "concise")
    assert run.stdout == ""
    assert run.stderr == (
        "lintkit: note: template.yaml: line 9 holds template markup ({{ ... }} or {% ... %}, as Jinja or "
        "cookiecutter write it): the file is a template to render first; check the rendered file\n"
    )


def test_a_reader_that_closes_the_output_early_is_not_an_internal_error(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    """`lintkit check . | head`: the write fails with a broken pipe; click ends the process with
    status 1 and says nothing, as a program stopped by SIGPIPE (never "internal error", exit 2)."""
    import click

    from lintkit.cli import main

    def closed(*args, **kwargs):
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(click, "echo", closed)
    with pytest.raises(SystemExit) as exit_:
        main(["rules"], prog_name="lintkit")
    assert exit_.value.code == 1
    assert "internal error" not in capsys.readouterr().err
