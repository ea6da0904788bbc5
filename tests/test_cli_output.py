"""What `lintkit check` prints for people: `--statistics`, colour on a terminal (NO_COLOR and
FORCE_COLOR), the summary line after concise output on a terminal, and `-q/--quiet`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from lintkit.findings import Finding, Location, Severity
from lintkit.report.colour import colour_wanted
from lintkit.report.statistics import statistics_table

try:
    from helpers import CONCISE, SWALLOWING_HANDLER, invoke, lintkit_command, make_project, parse_concise
except ImportError:  # tests/ became a package
    from tests.helpers import CONCISE, SWALLOWING_HANDLER, invoke, lintkit_command, make_project, parse_concise  # type: ignore[no-redef]

# SWALLOWING_HANDLER with a second loop that swallows too: LK504 on lines 10 and 15.
TWICE = SWALLOWING_HANDLER + """\
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            logger.exception("failed again")
"""
LK504_MESSAGE = (
    "a failing record is caught and only logged: the batch still succeeds and this record is lost; "
    "re-raise, or add its id to batchItemFailures"
)
LK501_MESSAGE = (
    "Worker event Messages delivers SQS batches of up to 10 (the default) without ReportBatchItemFailures: one "
    "failing record retries the whole batch; add FunctionResponseTypes: [ReportBatchItemFailures] and return "
    "batchItemFailures"
)
CONCISE_LINES = (
    f"app.py:10:9: LK504 {LK504_MESSAGE}\n"
    f"app.py:15:9: LK504 {LK504_MESSAGE}\n"
    f"template.yaml:17:9: LK501 {LK501_MESSAGE}\n"
)
SUMMARY = "Found 3 findings (3 warnings) in 2 files checked.\n"
ESC = "\x1b["


@pytest.fixture(autouse=True)
def no_colour_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests set NO_COLOR / FORCE_COLOR themselves: the environment running them may not."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    make_project(tmp_path, app=TWICE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout is a terminal (the test runner's is not)."""
    monkeypatch.setattr("lintkit.cli._stdout_is_terminal", lambda: True)


# --------------------------------------------------------------------------- --statistics


def test_statistics_counts_per_rule_most_frequent_first(project: Path) -> None:
    run = invoke("check", "--statistics", ".")
    assert (run.exit_code, run.stderr) == (1, "")
    assert run.stdout == "2\tLK504\trecord-errors-swallowed\n1\tLK501\tbatch-without-partial-failure-reporting\n"


def test_statistics_keeps_the_exit_status_of_the_run(project: Path) -> None:
    # only warnings: --fail-on error passes, and the counts are still printed
    run = invoke("check", "--statistics", "--fail-on", "error", ".")
    assert run.exit_code == 0
    assert run.stdout.splitlines()[0] == "2\tLK504\trecord-errors-swallowed"
    assert invoke("check", "--statistics", "--exit-zero", ".").exit_code == 0


def test_statistics_of_a_selection_count_only_what_is_reported(project: Path) -> None:
    run = invoke("check", "--statistics", "--select", "LK501", ".")
    assert (run.exit_code, run.stdout) == (1, "1\tLK501\tbatch-without-partial-failure-reporting\n")


def test_statistics_as_json(project: Path) -> None:
    run = invoke("check", "--statistics", "--output-format", "json", ".")
    assert run.exit_code == 1
    assert json.loads(run.stdout) == [
        {"code": "LK504", "name": "record-errors-swallowed", "count": 2, "fixable": 0},
        {"code": "LK501", "name": "batch-without-partial-failure-reporting", "count": 1, "fixable": 0},
    ]


def test_statistics_of_a_clean_run_print_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, app="def handler(event, context):\n    return {}\n", template="Resources: {}\n")
    monkeypatch.chdir(tmp_path)
    run = invoke("check", "--statistics", ".")
    assert (run.exit_code, run.stdout, run.stderr) == (0, "", "")
    assert json.loads(invoke("check", "--statistics", "--output-format", "json", ".").stdout) == []


def test_statistics_table_aligns_counts_and_breaks_ties_by_code() -> None:
    def finding(code: str, name: str) -> Finding:
        return Finding(code, name, Severity.WARNING, "m", Location("a.py", 1, 1))

    findings = [finding("LK603", "b")] * 2 + [finding("LK102", "a")] * 10 + [finding("LK101", "c")] * 2
    assert statistics_table(findings) == "10\tLK102\ta\n 2\tLK101\tc\n 2\tLK603\tb\n"
    assert statistics_table([]) == ""


def test_statistics_written_to_a_file(project: Path) -> None:
    run = invoke("check", "--statistics", "-o", "stats.txt", ".")
    assert (run.exit_code, run.stdout) == (1, "")
    assert (project / "stats.txt").read_text(encoding="utf-8").splitlines()[0] == "2\tLK504\trecord-errors-swallowed"


# --------------------------------------------------------------------------- colour


@pytest.mark.parametrize(
    ("environ", "terminal", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": "1"}, True, False),
        ({"NO_COLOR": "0"}, True, False),  # any non-empty value
        ({"NO_COLOR": ""}, True, True),  # empty: as if unset
        ({"FORCE_COLOR": "1"}, False, True),
        ({"FORCE_COLOR": ""}, False, False),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),  # NO_COLOR wins
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, False, False),
    ],
)
def test_colour_wanted(environ: dict[str, str], terminal: bool, expected: bool) -> None:
    assert colour_wanted(terminal=terminal, environ=environ) is expected


@pytest.mark.parametrize("output_format", ["concise", "full"])
def test_piped_output_has_no_escape_codes(project: Path, output_format: str) -> None:
    run = invoke("check", "--output-format", output_format, ".")
    assert run.exit_code == 1
    assert ESC not in run.stdout
    if output_format == "concise":
        assert run.stdout == CONCISE_LINES


def test_force_color_colours_piped_concise_output(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    run = invoke("check", "--output-format", "concise", ".")
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert len(lines) == 3  # piped: still no summary line
    # the path bold, the position cyan, the code in its severity's colour (warning: yellow)
    assert lines[0] == f"\x1b[1mapp.py\x1b[0m\x1b[36m:10:9:\x1b[0m \x1b[33mLK504\x1b[0m {LK504_MESSAGE}"
    assert lines[2] == f"\x1b[1mtemplate.yaml\x1b[0m\x1b[36m:17:9:\x1b[0m \x1b[33mLK501\x1b[0m {LK501_MESSAGE}"


def test_full_output_on_a_terminal_is_coloured(project: Path, terminal: None) -> None:
    run = invoke("check", ".")  # full is the default on a terminal
    assert run.exit_code == 1
    lines = run.stdout.splitlines()
    assert lines[0] == f"\x1b[1mapp.py\x1b[0m\x1b[36m:10:9:\x1b[0m \x1b[33mLK504\x1b[0m \x1b[33m[warning]\x1b[0m {LK504_MESSAGE}"
    assert lines[1:4] == ["   |", "10 |         except Exception:", "   |         \x1b[33m^\x1b[0m"]
    assert lines[-1] == "\x1b[1mFound 3 findings\x1b[0m (\x1b[33m3 warnings\x1b[0m) in 2 files checked."


def test_an_error_is_red_and_bold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None) -> None:
    make_project(tmp_path, app="def handler(event, context):\n    return {}\n\nreturn handler\n", template="Resources: {}\n")
    monkeypatch.chdir(tmp_path)
    run = invoke("check", "--output-format", "concise", ".")
    assert run.stdout.splitlines()[0].startswith("\x1b[1mapp.py\x1b[0m\x1b[36m:4:1:\x1b[0m \x1b[31m\x1b[1mLK001\x1b[0m ")
    assert run.stdout.splitlines()[-1] == "\x1b[1mFound 1 finding\x1b[0m (\x1b[31m\x1b[1m1 error\x1b[0m) in 2 files checked."


def test_no_color_wins_over_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch, terminal: None) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    run = invoke("check", "--output-format", "concise", ".")
    assert run.stdout == CONCISE_LINES + SUMMARY


def test_no_color_wins_over_force_color(project: Path, monkeypatch: pytest.MonkeyPatch, terminal: None) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert ESC not in invoke("check", "--output-format", "full", ".").stdout


@pytest.mark.parametrize("output_format", ["json", "sarif", "github", "junit"])
def test_machine_formats_are_never_coloured(project: Path, monkeypatch: pytest.MonkeyPatch, terminal: None, output_format: str) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    run = invoke("check", "--output-format", output_format, ".")
    assert run.exit_code == 1
    assert "LK504" in run.stdout and ESC not in run.stdout


@pytest.mark.parametrize("output_format", ["concise", "full"])
def test_a_report_written_to_a_file_is_never_coloured(project: Path, monkeypatch: pytest.MonkeyPatch, terminal: None, output_format: str) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    run = invoke("check", "--output-format", output_format, "-o", "report.txt", ".")
    assert (run.exit_code, run.stdout) == (1, "")
    written = (project / "report.txt").read_text(encoding="utf-8")
    assert "LK504" in written and ESC not in written
    if output_format == "concise":
        assert written == CONCISE_LINES  # no summary line in the file either


def test_force_color_in_a_real_process(project: Path) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    coloured = subprocess.run(
        [*lintkit_command(), "check", "--output-format", "concise", "."],
        cwd=project, capture_output=True, text=True, timeout=120, env={**environ, "FORCE_COLOR": "1"},
    )
    assert coloured.returncode == 1
    assert coloured.stdout.splitlines()[0] == f"\x1b[1mapp.py\x1b[0m\x1b[36m:10:9:\x1b[0m \x1b[33mLK504\x1b[0m {LK504_MESSAGE}"
    plain = subprocess.run(
        [*lintkit_command(), "check", "--output-format", "concise", "."],
        cwd=project, capture_output=True, text=True, timeout=120, env={**environ, "FORCE_COLOR": "1", "NO_COLOR": "1"},
    )
    assert plain.stdout == CONCISE_LINES


# --------------------------------------------------------------------------- the summary line and --quiet


def test_concise_on_a_terminal_ends_with_the_summary(project: Path, monkeypatch: pytest.MonkeyPatch, terminal: None) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    run = invoke("check", "--output-format", "concise", ".")
    assert run.exit_code == 1
    assert run.stdout == CONCISE_LINES + SUMMARY
    # editors and problem matchers read the finding lines; the summary is not one of them
    assert CONCISE.match(SUMMARY.rstrip("\n")) is None


def test_a_clean_concise_run_on_a_terminal_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: None) -> None:
    make_project(tmp_path, app="def handler(event, context):\n    return {}\n", template="Resources: {}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NO_COLOR", "1")
    run = invoke("check", "--output-format", "concise", ".")
    assert (run.exit_code, run.stdout) == (0, "No findings (2 files checked).\n")


def test_piped_concise_output_is_one_finding_per_line(project: Path) -> None:
    run = invoke("check", "--output-format", "concise", ".")
    assert run.stdout == CONCISE_LINES
    assert len(parse_concise(run.stdout)) == 3  # every line is a finding line


def test_quiet_leaves_out_the_summary_on_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch, terminal: None) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    run = invoke("check", "-q", "--output-format", "concise", ".")
    assert (run.exit_code, run.stdout) == (1, CONCISE_LINES)
    full = invoke("check", "--quiet", "--output-format", "full", ".")
    assert full.exit_code == 1
    assert "Found" not in full.stdout
    # the last finding's last note (its display-only fix), no blank line after it
    assert full.stdout.splitlines()[-1].startswith("  = fix (display-only): Add FunctionResponseTypes")


def test_quiet_prints_no_notes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    loud = invoke("check", "empty")
    assert loud.stderr == "lintkit: note: no Python files or templates found under empty\n"
    quiet = invoke("check", "-q", "empty")
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (0, "", "")
