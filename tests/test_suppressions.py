"""Suppressions: `# noqa: LK...` / `# lintkit: ignore[...]` comments in Python and YAML, and
`Metadata: {lintkit: {ignore: [...]}}` in templates; `lintkit.suppressions` directly and
end to end through `lintkit check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.rule import registry
from lintkit.suppressions import ALL, scan

try:
    from helpers import CLEAN_HANDLER, TEMPLATE_EVENT_COLUMN, invoke, make_project, sqs_template, write
except ImportError:  # tests/ became a package
    from tests.helpers import (  # type: ignore[no-redef]
        CLEAN_HANDLER,
        TEMPLATE_EVENT_COLUMN,
        invoke,
        make_project,
        sqs_template,
        write,
    )

KNOWN = frozenset({"LK001", "LK003", "LK501", "LK502", "LK504", "LK506"})


# =========================================================================== scan / covers


@pytest.mark.parametrize(
    "line",
    [
        "x = 1  # noqa: LK504",
        "x = 1  # noqa:LK504",
        "x = 1  # NOQA : lk504",
        "x = 1  # noqa: E501, LK504",
        "x = 1  # noqa: E501,W291,LK504",
        "x = 1  # noqa: LK501 LK504",
        "x = 1  # type: ignore  # noqa: LK504",
        "x = 1  # lintkit: ignore[LK504]",
        "x = 1  # lintkit:ignore[lk504]",
        "x = 1  # lintkit: ignore[LK501, LK504]",
        "x = 1  # Lintkit: Ignore[LK504]",
    ],
)
def test_scan_codes_on_the_line(line: str) -> None:
    found = scan(line, KNOWN)
    assert "LK504" in found.by_line[1]
    assert ALL not in found.by_line[1]
    assert found.covers(1, "LK504")
    assert not found.covers(1, "LK506")
    assert found.unknown == []
    assert found.comment_only == set()


def test_scan_records_exactly_the_named_codes() -> None:
    found = scan("a  # noqa: E501, LK504\nb  # lintkit: ignore[LK501, LK502]\n", KNOWN)
    assert found.by_line == {1: {"LK504"}, 2: {"LK501", "LK502"}}


@pytest.mark.parametrize(
    "line",
    [
        "x = 1  # noqa",
        "x = 1  # noqa: E501",
        "x = 1  # noqa: E501, W291",
        "x = 1  # a comment about lintkit",
        "x = 1  # lintkit is great",
        "x = 1",
    ],
)
def test_scan_lines_that_do_not_suppress_lintkit(line: str) -> None:
    found = scan(line, KNOWN)
    assert found.by_line == {}
    assert found.unknown == []
    for code in KNOWN:
        assert not found.covers(1, code)


def test_bare_lintkit_ignore_covers_every_code_on_its_line_only() -> None:
    found = scan("a = 1  # lintkit: ignore\nb = 2\n", KNOWN)
    assert found.by_line == {1: {ALL}}
    for code in KNOWN:
        assert found.covers(1, code)
        assert not found.covers(2, code)  # not alone on its line: does not reach the next one


def test_comment_alone_covers_the_next_line_only() -> None:
    text = "    # lintkit: ignore[LK504]\n    x = 1\n    y = 2\n"
    found = scan(text, KNOWN)
    assert found.comment_only == {1}
    assert found.covers(1, "LK504")
    assert found.covers(2, "LK504")
    assert not found.covers(2, "LK501")
    assert not found.covers(3, "LK504")  # two lines below


def test_bare_comment_alone_covers_every_code_on_the_next_line() -> None:
    found = scan("# lintkit: ignore\nx = 1\n", KNOWN)
    assert found.covers(2, "LK501") and found.covers(2, "LK504")


def test_trailing_comment_does_not_cover_the_next_line() -> None:
    found = scan("a = 1  # noqa: LK504\nb = 2\n", KNOWN)
    assert found.comment_only == set()
    assert found.covers(1, "LK504")
    assert not found.covers(2, "LK504")


def test_line_code_and_comment_above_combine() -> None:
    found = scan("# noqa: LK501\nx = 1  # noqa: LK504\n", KNOWN)
    assert found.covers(2, "LK504")
    assert found.covers(2, "LK501")  # from the comment alone above
    assert not found.covers(2, "LK506")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x = 1  # noqa: LK999", [(1, 16, "LK999")]),
        ("x = 1  # noqa: E501, lk999", [(1, 22, "LK999")]),
        ("x = 1  # lintkit: ignore[LK999]", [(1, 26, "LK999")]),
        ("x = 1  # lintkit: ignore[LK504, LK999]", [(1, 33, "LK999")]),
        ("\n\n    # noqa: LK504, LK998, LK999", [(3, 20, "LK998"), (3, 27, "LK999")]),
    ],
)
def test_unknown_codes_are_recorded_with_position(text: str, expected: list[tuple[int, int, str]]) -> None:
    found = scan(text, KNOWN)
    assert found.unknown == expected
    for line, column, code in expected:
        assert text.splitlines()[line - 1][column - 1:].upper().startswith(code)
    # an unknown code silences nothing
    assert not any(found.covers(line, "LK999") for line in range(1, 5))


def test_known_code_next_to_an_unknown_one_still_works() -> None:
    found = scan("x = 1  # lintkit: ignore[LK504, LK999]", KNOWN)
    assert found.covers(1, "LK504")
    assert found.by_line == {1: {"LK504"}}


def test_same_syntax_in_yaml() -> None:
    text = "Resources:\n  Worker:  # lintkit: ignore[LK501]\n    # noqa: LK506\n    Type: X\n"
    found = scan(text, KNOWN)
    assert found.by_line == {2: {"LK501"}, 3: {"LK506"}}
    assert found.comment_only == {3}
    assert found.covers(2, "LK501")
    assert found.covers(4, "LK506")
    assert not found.covers(3, "LK501")


def test_registry_codes_are_what_the_engine_treats_as_known() -> None:
    codes = frozenset(registry().codes)
    assert scan("x  # noqa: LK504", codes).unknown == []
    assert scan("x  # noqa: LK599", codes).unknown == [(1, 12, "LK599")]


# =========================================================================== end to end: Python

HANDLER_HEAD = """\
import logging

logger = logging.getLogger()


def handler(event, context):
    for record in event["Records"]:
        try:
"""
SINGLE_RECORD_TEMPLATE = sqs_template("            BatchSize: 1\n")  # so only app.py has findings


def handler_source(*, except_suffix: str = "", above_except: str | None = None, above_body: str | None = None) -> str:
    """The swallowing handler; LK504 is on the `except` line (10, or 11 with a line inserted)."""
    lines = HANDLER_HEAD.splitlines()
    if above_body is not None:
        lines.append(f"            {above_body}")
    lines.append("            process(record)")
    if above_except is not None:
        lines.append(f"        {above_except}")
    lines.append(f"        except Exception:{except_suffix}")
    lines.append('            logger.exception("failed")')
    return "\n".join(lines) + "\n"


def except_line(source: str) -> int:
    # split("\n"), not splitlines(): Python numbers lines by newlines only
    return next(n for n, line in enumerate(source.split("\n"), 1) if line.strip().startswith("except Exception:"))


@pytest.fixture
def python_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)

    def build(source: str) -> Path:
        make_project(tmp_path, template=SINGLE_RECORD_TEMPLATE, app=source)
        return tmp_path

    return build


def test_unsuppressed_baseline(python_project) -> None:
    source = handler_source()
    python_project(source)
    run = invoke("check", ".")
    assert run.findings == [("app.py", 10, 9, "LK504")]
    assert except_line(source) == 10
    assert run.exit_code == 1


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa: LK504",
        "  # noqa: E501, LK504",
        "  # noqa:LK504",
        "  # lintkit: ignore[LK504]",
        "  # lintkit: ignore[LK501, LK504, LK005]",  # LK501 silences nothing: LK005, silenced too
        "  # lintkit: ignore",
    ],
)
def test_comment_on_the_finding_line_silences(python_project, comment: str) -> None:
    python_project(handler_source(except_suffix=comment))
    run = invoke("check", ".")
    assert run.findings == []
    assert run.exit_code == 0


def test_comment_naming_a_used_and_an_unused_code(python_project) -> None:
    python_project(handler_source(except_suffix="  # lintkit: ignore[LK501, LK504]"))
    run = invoke("check", ".")
    # at LK501 (`        except Exception:` is 25 characters); LK504 silenced its finding
    assert run.findings == [("app.py", 10, 26 + "  # lintkit: ignore[LK501, LK504]".index("LK501"), "LK005")]
    assert run.exit_code == 1


@pytest.mark.parametrize(
    "comment",
    [
        "  # noqa",  # a bare noqa is for other tools
        "  # noqa: E722",
        "  # noqa: LK501",  # another lintkit code
        "  # lintkit: ignore[LK501]",
        "  # this is a comment about lintkit",
    ],
)
def test_comment_that_does_not_silence(python_project, comment: str) -> None:
    python_project(handler_source(except_suffix=comment))
    run = invoke("check", ".")
    # naming another lintkit code silences nothing: reported as unused (LK005), at the code
    unused = [("app.py", 10, 26 + comment.index("LK501"), "LK005")] if "LK501" in comment else []
    assert run.findings == [("app.py", 10, 9, "LK504"), *unused]
    assert run.exit_code == 1


@pytest.mark.parametrize("comment", ["# lintkit: ignore[LK504]", "# noqa: LK504", "# lintkit: ignore"])
def test_comment_alone_on_the_line_above_silences(python_project, comment: str) -> None:
    source = handler_source(above_except=comment)
    assert except_line(source) == 11
    python_project(source)
    run = invoke("check", ".")
    assert run.findings == []
    assert run.exit_code == 0


def test_comment_two_lines_above_does_not_silence(python_project) -> None:
    source = handler_source(above_body="# lintkit: ignore[LK504]")
    assert except_line(source) == 11
    python_project(source)
    run = invoke("check", ".")
    assert run.findings == [("app.py", 9, 31, "LK005"), ("app.py", 11, 9, "LK504")]  # the comment is unused
    assert run.exit_code == 1


def test_comment_alone_above_for_another_code_does_not_silence(python_project) -> None:
    python_project(handler_source(above_except="# lintkit: ignore[LK501]"))
    assert invoke("check", ".").findings == [("app.py", 10, 27, "LK005"), ("app.py", 11, 9, "LK504")]


def test_bare_lintkit_ignore_silences_every_code_on_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = sqs_template("            BatchSize: 5\n            FunctionResponseTypes: [ReportBatchItemFailures]\n")
    one_liner = 'def handler(event, context): save(event["Records"][0]); return {"statusCode": 200}'
    make_project(tmp_path, template=template, app=one_liner + "\n")
    monkeypatch.chdir(tmp_path)
    # two findings on one line: LK503 (at `handler`) and LK507 (at `event["Records"][0]`)
    assert invoke("check", ".").findings == [("app.py", 1, 5, "LK503"), ("app.py", 1, 35, "LK507")]

    write(tmp_path / "app.py", one_liner + "  # lintkit: ignore[LK503]\n")
    assert invoke("check", ".").findings == [("app.py", 1, 35, "LK507")]

    write(tmp_path / "app.py", one_liner + "  # lintkit: ignore\n")
    run = invoke("check", ".")
    assert run.findings == []
    assert run.exit_code == 0


@pytest.mark.parametrize(
    "comment",
    ["  # noqa: LK999", "  # noqa: E501, LK999", "  # lintkit: ignore[LK999]", "  # lintkit: ignore[LK504, LK999]"],
)
def test_unknown_code_in_python_suppression_is_lk003(python_project, comment: str) -> None:
    source = handler_source(except_suffix=comment)
    python_project(source)
    line = except_line(source)
    column = source.splitlines()[line - 1].index("LK999") + 1
    run = invoke("check", ".")
    expected = [("app.py", line, column, "LK003")]
    if "LK504" not in comment:
        expected.insert(0, ("app.py", line, 9, "LK504"))  # the unknown code silenced nothing
    assert sorted(run.findings) == sorted(expected)
    messages = [l for l in run.stdout.splitlines() if " LK003 " in l]
    assert messages == [f"app.py:{line}:{column}: LK003 suppression names unknown rule code LK999"]
    assert run.exit_code == 1  # LK003 is a warning


def test_lk003_is_reported_as_warning_in_json(python_project) -> None:
    import json

    source = handler_source(except_suffix="  # noqa: LK504, LK999")
    python_project(source)
    column = source.splitlines()[9].index("LK999") + 1
    assert column == 43
    data = json.loads(invoke("check", ".", "--output-format", "json").stdout)
    assert len(data) == 1
    item = data[0]
    assert (item["code"], item["name"], item["severity"]) == ("LK003", "unknown-suppression-code", "warning")
    assert (item["path"], item["line"], item["column"]) == ("app.py", 10, 43)


def test_lk003_follows_selection(python_project) -> None:
    python_project(handler_source(except_suffix="  # noqa: LK999"))
    assert invoke("check", ".", "--ignore", "LK003").findings == [("app.py", 10, 9, "LK504")]
    assert invoke("check", ".", "--select", "LK003").findings == [("app.py", 10, 36, "LK003")]


def test_suppression_in_one_file_does_not_reach_another(python_project, tmp_path: Path) -> None:
    python_project(handler_source(except_suffix="  # noqa: LK504"))
    write(tmp_path / "other.py", handler_source())
    assert invoke("check", ".").findings == [("other.py", 10, 9, "LK504")]


# =========================================================================== end to end: YAML

TWO_FUNCTIONS = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:{queue_comment}
    Type: AWS::SQS::Queue
  Worker:{worker_comment}
    Type: AWS::Serverless::Function
{worker_metadata}    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Events:
        Messages:{event_comment}
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
  Other:
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


def two_functions(*, queue_comment: str = "", worker_comment: str = "", worker_metadata: str = "", event_comment: str = "") -> str:
    return TWO_FUNCTIONS.format(
        queue_comment=queue_comment,
        worker_comment=worker_comment,
        worker_metadata=worker_metadata,
        event_comment=event_comment,
    )


TWO_FUNCTIONS_EVENT_LINE = 12  # the Worker's `Messages:` in TWO_FUNCTIONS
WORKER_EVENT = ("template.yaml", TWO_FUNCTIONS_EVENT_LINE, TEMPLATE_EVENT_COLUMN, "LK501")
OTHER_EVENT = ("template.yaml", 23, 9, "LK501")


@pytest.fixture
def template_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)

    def build(template: str) -> list[tuple[str, int, int, str]]:
        make_project(tmp_path, template=template, app=CLEAN_HANDLER)
        # the suppression mechanics are shown with the LK5xx family: other families' findings
        # on these minimal templates (queues without redrive, default timeouts) are not the point
        return invoke("check", ".", "--select", "LK0,LK5").findings

    return build


def test_yaml_baseline(template_project) -> None:
    text = two_functions()
    assert text.splitlines()[TWO_FUNCTIONS_EVENT_LINE - 1].strip() == "Messages:"
    assert template_project(text) == [WORKER_EVENT, OTHER_EVENT]


@pytest.mark.parametrize("comment", ["  # lintkit: ignore[LK501]", "  # noqa: LK501", "  # lintkit: ignore"])
def test_yaml_comment_on_the_event_line(template_project, comment: str) -> None:
    assert template_project(two_functions(event_comment=comment)) == [OTHER_EVENT]


@pytest.mark.parametrize("comment", ["  # lintkit: ignore[LK502]", "  # noqa", "  # lintkit: ignore[LK506]"])
def test_yaml_comment_for_another_code_does_not_silence(template_project, comment: str) -> None:
    # a comment naming another lintkit code silences nothing: it is reported as unused (LK005)
    column = len("        Messages:") + 1 + comment.index("LK5") if "LK5" in comment else 0
    unused = [("template.yaml", TWO_FUNCTIONS_EVENT_LINE, column, "LK005")] if "LK5" in comment else []
    assert template_project(two_functions(event_comment=comment)) == [WORKER_EVENT, *unused, OTHER_EVENT]


def test_yaml_comment_alone_above_the_event(template_project, tmp_path: Path) -> None:
    text = sqs_template().replace("        Messages:\n", "        # lintkit: ignore[LK501]\n        Messages:\n")
    assert template_project(text) == []


@pytest.mark.parametrize("comment", ["  # lintkit: ignore[LK501]", "  # noqa: LK501", "  # lintkit: ignore"])
def test_yaml_comment_on_the_resource_line_silences_the_whole_resource(template_project, comment: str) -> None:
    assert template_project(two_functions(worker_comment=comment)) == [OTHER_EVENT]


def test_yaml_comment_alone_above_the_resource_line(template_project) -> None:
    text = two_functions().replace("  Worker:\n", "  # lintkit: ignore[LK501]\n  Worker:\n")
    assert template_project(text) == [("template.yaml", 24, 9, "LK501")]  # Other's, one line lower


def test_yaml_resource_line_comment_covers_findings_deep_inside_it(template_project) -> None:
    broken = two_functions().replace("      Handler: app.handler\n", "      Handler: app.missing\n", 1)
    assert template_project(broken) == [
        ("template.yaml", 9, 7, "LK002"),
        WORKER_EVENT,
        OTHER_EVENT,
    ]
    silenced = broken.replace("  Worker:\n", "  Worker:  # lintkit: ignore[LK002, LK501]\n")
    assert template_project(silenced) == [OTHER_EVENT]
    only_one = broken.replace("  Worker:\n", "  Worker:  # lintkit: ignore[LK002]\n")
    assert template_project(only_one) == [WORKER_EVENT, OTHER_EVENT]


def test_yaml_suppression_on_another_resource_does_not_leak(template_project) -> None:
    unused = ("template.yaml", 3, 29, "LK005")  # at LK501 in the queue's comment
    assert template_project(two_functions(queue_comment="  # lintkit: ignore[LK501]")) == [unused, WORKER_EVENT, OTHER_EVENT]
    # a bare ignore is reported unused only when every rule ran (the fixture selects LK0 and LK5)
    assert template_project(two_functions(queue_comment="  # lintkit: ignore")) == [WORKER_EVENT, OTHER_EVENT]
    assert template_project(two_functions(worker_comment="  # lintkit: ignore")) == [OTHER_EVENT]


@pytest.mark.parametrize(
    "metadata",
    [
        "    Metadata: {lintkit: {ignore: [LK501]}}\n",
        "    Metadata:\n      lintkit:\n        ignore:\n          - LK501\n",
        "    Metadata:\n      lintkit:\n        ignore: lk501\n",
    ],
)
def test_yaml_resource_metadata_ignore(template_project, metadata: str) -> None:
    lines_added = metadata.count("\n")
    other = ("template.yaml", 23 + lines_added, 9, "LK501")
    assert template_project(two_functions(worker_metadata=metadata)) == [other]


def test_yaml_resource_metadata_for_another_code_does_not_silence(template_project) -> None:
    findings = template_project(two_functions(worker_metadata="    Metadata: {lintkit: {ignore: [LK506]}}\n"))
    assert findings == [("template.yaml", 13, 9, "LK501"), ("template.yaml", 24, 9, "LK501")]


KINESIS_TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
{metadata}Resources:
  Stream:
    Type: AWS::Kinesis::Stream
    Properties:
      ShardCount: 1
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Events:
        Clicks:{event_comment}
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
"""


def kinesis(metadata: str = "", event_comment: str = "") -> str:
    return KINESIS_TEMPLATE.format(metadata=metadata, event_comment=event_comment)


def test_kinesis_baseline_has_two_codes_on_one_line(template_project) -> None:
    # LK501 (default batch of 100, no ReportBatchItemFailures) and LK506 (unbounded retries)
    assert sorted(template_project(kinesis())) == [("template.yaml", 14, 9, "LK501"), ("template.yaml", 14, 9, "LK506")]


def test_yaml_bare_ignore_silences_every_code_on_its_line(template_project) -> None:
    assert template_project(kinesis(event_comment="  # lintkit: ignore")) == []
    assert template_project(kinesis(event_comment="  # lintkit: ignore[LK506]")) == [("template.yaml", 14, 9, "LK501")]


@pytest.mark.parametrize(
    "metadata",
    [
        "Metadata: {lintkit: {ignore: [LK506]}}\n",
        "Metadata:\n  lintkit:\n    ignore:\n      - LK506\n",
    ],
)
def test_yaml_template_metadata_ignore(template_project, metadata: str) -> None:
    line = 14 + metadata.count("\n")
    # the template-wide ignore drops LK506 only; LK501 on the same line stays
    assert template_project(kinesis(metadata=metadata)) == [("template.yaml", line, 9, "LK501")]


def test_yaml_template_metadata_ignore_of_several_codes(template_project) -> None:
    assert template_project(kinesis(metadata="Metadata: {lintkit: {ignore: [LK501, LK506]}}\n")) == []


def test_yaml_template_metadata_applies_only_to_its_own_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path / "a", template=kinesis(metadata="Metadata: {lintkit: {ignore: [LK506]}}\n"), app=CLEAN_HANDLER)
    make_project(tmp_path / "b", template=kinesis(), app=CLEAN_HANDLER)
    monkeypatch.chdir(tmp_path)
    assert invoke("check", ".", "--select", "LK5").findings == [
        ("a/template.yaml", 15, 9, "LK501"),
        ("b/template.yaml", 14, 9, "LK501"),
        ("b/template.yaml", 14, 9, "LK506"),
    ]


def test_unknown_code_in_yaml_suppression_is_lk003(template_project) -> None:
    text = two_functions(event_comment="  # lintkit: ignore[LK999]")
    column = text.splitlines()[TWO_FUNCTIONS_EVENT_LINE - 1].index("LK999") + 1
    assert template_project(text) == [
        WORKER_EVENT,  # not silenced
        ("template.yaml", TWO_FUNCTIONS_EVENT_LINE, column, "LK003"),
        OTHER_EVENT,
    ]


# =========================================================================== regressions (bugs found by these tests, since fixed)


def test_mistyped_code_is_reported_and_silences_nothing(python_project) -> None:
    """The rule's own example: a letter O instead of a zero."""
    source = handler_source(except_suffix="  # noqa: LK5O4")
    python_project(source)
    column = source.splitlines()[9].index("LK5O4") + 1
    run = invoke("check", ".")
    assert run.findings == [("app.py", 10, 9, "LK504"), ("app.py", 10, column, "LK003")]


def test_mistyped_code_is_named_as_written(python_project) -> None:
    python_project(handler_source(except_suffix="  # noqa: LK5O4"))
    lk003 = [line for line in invoke("check", ".").stdout.splitlines() if " LK003 " in line]
    assert len(lk003) == 1
    assert lk003[0].endswith("suppression names unknown rule code LK5O4")


DOCSTRING_HANDLER = '''\
def handler(event, context):
    """Process every record.

    Silence lintkit with a comment such as `# noqa: LK999` (not a real code).
    """
    for record in event["Records"]:
        process(record)
'''


def test_suppression_syntax_inside_a_docstring_is_not_a_comment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_project(tmp_path, template=SINGLE_RECORD_TEMPLATE, app=DOCSTRING_HANDLER)
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".")
    assert run.findings == []


def test_scan_numbers_lines_like_python_after_a_form_feed() -> None:
    text = "import logging\n\x0c\nx = 1  # noqa: LK504\n"
    assert scan(text, KNOWN).by_line == {3: {"LK504"}}


def test_finding_lines_count_a_form_feed_line_like_python(python_project) -> None:
    source = handler_source().replace("import logging\n\n", "import logging\n\x0c\n", 1)
    python_project(source)
    assert invoke("check", ".").findings == [("app.py", 10, 9, "LK504")]


def test_noqa_after_a_form_feed_still_silences(python_project) -> None:
    source = handler_source(except_suffix="  # noqa: LK504").replace("import logging\n\n", "import logging\n\x0c\n", 1)
    assert except_line(source) == 10 and "\x0c" in source
    python_project(source)
    assert invoke("check", ".").findings == []


# =========================================================================== LK005: unused suppressions

# CLEAN_HANDLER (nothing to report) with a suppression on its loop line (line 2).
LOOP = '    for record in event["Records"]:'


def clean_handler(comment: str) -> str:
    return CLEAN_HANDLER.replace(LOOP + "\n", LOOP + comment + "\n")


def unused_message(code: str, name: str) -> str:
    return f"unused suppression: no {code} ({name}) finding was silenced by this comment; remove {code} from it"


def test_lk005_python_suppression_that_silenced_nothing(python_project) -> None:
    python_project(clean_handler("  # noqa: LK504"))
    run = invoke("check", ".")
    column = len(LOOP) + 1 + len("  # noqa: ")
    assert run.stdout == f"app.py:2:{column}: LK005 [*] {unused_message('LK504', 'record-errors-swallowed')}\n"
    assert run.exit_code == 1  # a warning, as LK003
    # the same from the result cache
    assert invoke("check", ".").stdout == run.stdout


def test_lk005_each_unused_code_of_a_comment_at_its_column(python_project) -> None:
    comment = "  # lintkit: ignore[LK504, LK507]  # noqa: E501"
    python_project(clean_handler(comment))
    start = len(LOOP) + 1
    assert invoke("check", ".").findings == [
        ("app.py", 2, start + comment.index("LK504"), "LK005"),
        ("app.py", 2, start + comment.index("LK507"), "LK005"),  # a project rule: its template is all linked
    ]


def test_lk005_bare_ignore_that_silenced_nothing(python_project) -> None:
    python_project(clean_handler("  # lintkit: ignore"))
    run = invoke("check", ".")
    assert run.stdout == f"app.py:2:{len(LOOP) + 3}: LK005 [*] unused suppression: this `lintkit: ignore` silenced no finding; remove the comment\n"
    # a bare ignore covers every rule: with any rule not run, it may be needed
    assert invoke("check", ".", "--ignore", "LK7").findings == []


def test_lk005_in_a_yaml_template(template_project) -> None:
    # LK506 (streams) has nothing to say about an SQS event; the Worker's LK501 stays reported
    findings = template_project(two_functions(event_comment="  # noqa: LK506"))
    assert findings == [WORKER_EVENT, ("template.yaml", TWO_FUNCTIONS_EVENT_LINE, len("        Messages:  # noqa: ") + 1, "LK005"), OTHER_EVENT]


def test_lk005_can_be_silenced_by_naming_it_but_not_by_a_bare_ignore(python_project) -> None:
    python_project(clean_handler("  # noqa: LK504, LK005"))
    assert invoke("check", ".").findings == []
    python_project(clean_handler("  # noqa: LK504  # lintkit: ignore"))
    start = len(LOOP) + 1
    comment = "  # noqa: LK504  # lintkit: ignore"
    assert invoke("check", ".").findings == [
        ("app.py", 2, start + comment.index("LK504"), "LK005"),
        ("app.py", 2, start + comment.index("# lintkit"), "LK005"),
    ]


def test_lk005_follows_selection(python_project) -> None:
    python_project(clean_handler("  # noqa: LK504"))
    assert invoke("check", ".", "--ignore", "LK005").findings == []
    # the rule the comment names is not run: the comment may be needed by a run that runs it
    assert invoke("check", ".", "--ignore", "LK504").findings == []
    assert invoke("check", ".", "--select", "LK005").findings == []
    assert invoke("check", ".", "--select", "LK005,LK504").codes == ["LK005"]


def test_lk005_not_for_a_code_per_file_ignores_drops(python_project, tmp_path: Path) -> None:
    python_project(clean_handler("  # noqa: LK504"))
    write(tmp_path / "lintkit.toml", '[per-file-ignores]\n"app.py" = ["LK504"]\n')
    assert invoke("check", ".").findings == []


def test_lk005_not_in_code_the_code_rules_do_not_check(python_project, tmp_path: Path) -> None:
    python_project(CLEAN_HANDLER)
    write(tmp_path / "tests" / "test_app.py", 'def test_records():\n    for record in []:  # noqa: LK504\n        pass\n')
    assert invoke("check", ".").findings == []  # a test is not Lambda code: LK504 never looked at it
    assert invoke("check", ".", "--all-code").findings == [("tests/test_app.py", 2, 32, "LK005")]


def test_lk005_never_for_other_tools_codes(python_project) -> None:
    python_project(clean_handler("  # noqa: E501, W291  # type: ignore[attr-defined]"))
    assert invoke("check", ".").findings == []


def test_lk005_not_in_a_file_that_does_not_parse(python_project) -> None:
    python_project("def handler(event, context):  # noqa: LK504\n    return {\n")
    assert invoke("check", ".").codes == ["LK001"]


def test_lk005_for_a_join_only_when_every_function_of_the_template_is_linked(template_project) -> None:
    comment = "  # noqa: LK502"
    linked = template_project(two_functions(event_comment=comment))
    unused = ("template.yaml", TWO_FUNCTIONS_EVENT_LINE, len("        Messages:") + 1 + comment.index("LK502"), "LK005")
    assert unused in linked
    # the Worker's handler is missing (LK002): the joins did not see the whole template
    broken = two_functions(event_comment=comment).replace("      Handler: app.handler\n      Runtime: python3.12\n      Events:\n        Messages:\n", "      Handler: app.missing\n      Runtime: python3.12\n      Events:\n        Messages:\n")
    assert broken != two_functions(event_comment=comment)
    assert [f for f in template_project(broken) if f[3] == "LK005"] == []


def test_lk005_in_a_run_of_some_files_only_for_what_ran_in_full(python_project) -> None:
    # pre-commit names the changed file: the template is read for context, but a join's other
    # half may lie outside what was read, so a suppression of a join rule (LK507) stays silent
    python_project(clean_handler("  # noqa: LK504, LK507"))
    comment = "  # noqa: LK504, LK507"
    assert invoke("check", "app.py").findings == [("app.py", 2, len(LOOP) + 1 + comment.index("LK504"), "LK005")]
    assert invoke("check", ".").codes == ["LK005", "LK005"]


# LK005's fix: the unused code (with its comma), or the whole directive, or the whole line


def test_removal_takes_out_one_code_and_its_separator() -> None:
    from lintkit.fixes import apply_edits
    from lintkit.findings import Edit
    from lintkit.suppressions import removal

    def fixed(text: str, column_of: str, entry: str) -> str:
        line, column = 1, text.index(column_of) + 1
        edit = removal(text, line, column, entry)
        assert edit is not None
        return apply_edits(text, [Edit("f", *edit)])

    assert fixed("x = 1  # noqa: LK504, LK507\n", "LK504", "LK504") == "x = 1  # noqa: LK507\n"
    assert fixed("x = 1  # noqa: LK504, LK507\n", "LK507", "LK507") == "x = 1  # noqa: LK504\n"
    assert fixed("x = 1  # noqa: E501, LK504\n", "LK504", "LK504") == "x = 1  # noqa: E501\n"  # another tool's stays
    assert fixed("x = 1  # lintkit: ignore[LK504, LK507]\n", "LK507", "LK507") == "x = 1  # lintkit: ignore[LK504]\n"
    assert fixed("x = 1  # noqa: LK504\n", "LK504", "LK504") == "x = 1\n"
    assert fixed("x = 1  # why it is so  # noqa: LK504\n", "LK504", "LK504") == "x = 1  # why it is so\n"
    assert fixed("x = 1  # lintkit: ignore\n", "# lintkit", "*") == "x = 1\n"
    assert fixed("  # noqa: LK504\nx = 1\n", "LK504", "LK504") == "x = 1\n"  # alone on its line: the line goes
    assert removal("x = 1  # noqa: LK504\n", 1, 3, "LK504") is None  # not where the comment is


def test_lk005_fix_removes_the_unused_codes_and_the_check_is_then_clean(python_project) -> None:
    python_project(clean_handler("  # lintkit: ignore[LK504, LK507]  # noqa: E501"))
    run = invoke("check", ".", "--fix")
    assert run.exit_code == 0, run.stdout
    assert "fixed 2 findings in 1 file" in run.stderr  # one code per pass: they overlap
    assert Path("app.py").read_text() == clean_handler("  # noqa: E501")
    python_project(clean_handler("  # noqa: LK504"))
    assert invoke("check", ".", "--fix").exit_code == 0
    assert Path("app.py").read_text() == CLEAN_HANDLER

