"""Template parameters: a setting that is `!Ref Param` takes the run's override, else the
parameter's `Default` (never a guess), and the messages that print it say where it came from.
Overrides come from `--parameter-overrides` (both forms `sam deploy` takes) or the config's
`parameter-overrides`, and are part of the result cache's key."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lintkit.config import Config, ConfigError, load_config, parse_parameter_overrides
from lintkit.engine import check
from lintkit.rule import registry
from lintkit.templates.model import FromParameter, template_from_text, value_origin

try:
    from helpers import invoke
except ImportError:  # tests/ became a package
    from tests.helpers import invoke  # type: ignore[no-redef]

SAM = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  FnTimeout:
    Type: Number
    Default: 60
  Size:
    Type: Number
  Visibility:
    Type: Number
    Default: 90
  FromSsm:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /config/timeout
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: !Ref Visibility
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
      Timeout: !Ref FnTimeout
      Events:
        Get:
          Type: Api
          Properties:
            Path: /report
            Method: get
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: !Ref Size
"""
TIMEOUT_LINE, VISIBILITY_LINE, MESSAGES_LINE = 25, 18, 32

# Plain CloudFormation in JSON: the same parameter, read the same way.
CFN_JSON = {
    "Parameters": {"FnTimeout": {"Type": "Number", "Default": "880"}},
    "Resources": {
        "Worker": {
            "Type": "AWS::Lambda::Function",
            "Properties": {
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "Code": {"ZipFile": "def handler(event, context): pass"},
                "Role": "arn:aws:iam::123456789012:role/x",
                "Timeout": {"Ref": "FnTimeout"},
            },
        }
    },
}


def _template(text: str = SAM, overrides: dict[str, str] | None = None):
    template = template_from_text(text, path="template.yaml", abs_path=Path("/nowhere/template.yaml"))
    template.parameter_overrides = dict(overrides or {})
    return template


def _run(root: Path, overrides: dict[str, str] | None = None, select=None):
    rules = registry()
    config = Config(path=None, root=root, parameter_overrides=dict(overrides or {}))
    result = check([root], registry=rules, config=config, enabled=set(select or rules.codes))
    assert not result.internal_errors
    return [(Path(f.path).name, f.code, f.line, f.message) for f in result.findings]


# -- the model -------------------------------------------------------------------------------


def test_a_parameters_default_is_the_value_and_says_so() -> None:
    worker = _template().functions["Worker"]
    assert worker.timeout == 60 and isinstance(worker.timeout, FromParameter)
    assert value_origin(worker.timeout) == " (parameter FnTimeout's default)"
    assert _template().queues["Jobs"].visibility_timeout == 90


def test_an_override_wins_over_the_default() -> None:
    worker = _template(overrides={"FnTimeout": "20", "Size": "5"}).functions["Worker"]
    assert worker.timeout == 20
    assert value_origin(worker.timeout) == " (parameter FnTimeout's override)"
    assert worker.event_source_mappings[0].batch_size == 5


def test_a_parameter_without_default_or_override_stays_unknown() -> None:
    mapping = _template().functions["Worker"].event_source_mappings[0]
    assert mapping.batch_size is None


@pytest.mark.parametrize(
    ("value", "overrides"),
    [
        ("!Ref FromSsm", {}),  # the Default names an SSM parameter: its value is read at deploy
        ("!Ref FromSsm", {"FromSsm": "30"}),
        ("!Ref Undeclared", {"Undeclared": "30"}),  # only declared parameters resolve
        ("!Ref AWS::Region", {}),
    ],
)
def test_what_is_never_resolved(value: str, overrides: dict[str, str]) -> None:
    text = SAM.replace("Timeout: !Ref FnTimeout", f"Timeout: {value}")
    assert _template(text, overrides).functions["Worker"].timeout is None


def test_literal_values_carry_no_origin() -> None:
    worker = _template(SAM.replace("Timeout: !Ref FnTimeout", "Timeout: 45")).functions["Worker"]
    assert worker.timeout == 45 and not isinstance(worker.timeout, FromParameter)
    assert value_origin(worker.timeout) == ""


def test_fifo_queue_from_a_parameter() -> None:
    text = SAM.replace("      VisibilityTimeout: !Ref Visibility\n", "      FifoQueue: !Ref Fifo\n").replace(
        "Parameters:\n", "Parameters:\n  Fifo:\n    Type: String\n    Default: 'true'\n"
    )
    assert _template(text).queues["Jobs"].is_fifo is True
    assert _template(text, {"Fifo": "false"}).queues["Jobs"].is_fifo is False


# -- messages through the engine -------------------------------------------------------------


def test_messages_name_the_parameters_default(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(SAM)
    found = _run(tmp_path, select=["LK601", "LK602", "LK603", "LK501"])
    assert found == [
        (
            "template.yaml", "LK603", VISIBILITY_LINE,
            "queue Jobs VisibilityTimeout 90 s (parameter Visibility's default) is less than 6 x Worker's Timeout 60 s "
            "(parameter FnTimeout's default), as AWS recommends: when Lambda is throttled and retries a batch, its "
            "messages can become visible again before it is done and another invocation receives them too; set it to "
            "at least 360 s",
        ),
        (
            "template.yaml", "LK602", TIMEOUT_LINE,
            "Worker Timeout 60 s (parameter FnTimeout's default) is longer than the REST API integration's 29 s "
            "(Worker event Get): callers get a 504 while the function keeps running, and a caller that retries runs it "
            "again; set Timeout to 29 s or less and move slow work behind a queue, or raise the integration's "
            "TimeoutInMillis (Regional and private REST APIs)",
        ),
    ]  # no LK501: BatchSize is a parameter without a default, so unknown


def test_overrides_change_the_findings_and_their_messages(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(SAM)
    found = _run(tmp_path, {"FnTimeout": "900", "Size": "50"}, select=["LK601", "LK603", "LK501"])
    assert [(code, line) for _, code, line, _ in found] == [
        ("LK603", VISIBILITY_LINE), ("LK601", TIMEOUT_LINE), ("LK501", MESSAGES_LINE)
    ]
    messages = {code: message for _, code, _, message in found}
    assert messages["LK601"].startswith(
        "Worker Timeout 900 s (parameter FnTimeout's override) is at Lambda's 900 s maximum"
    )
    assert messages["LK603"].startswith(
        "queue Jobs VisibilityTimeout 90 s (parameter Visibility's default) is shorter than Worker's Timeout 900 s "
        "(parameter FnTimeout's override): Lambda rejects the mapping at deploy"
    )
    assert messages["LK501"].startswith(
        "Worker event Messages delivers SQS batches of up to 50 (parameter Size's override) without ReportBatchItemFailures"
    )


def test_plain_cloudformation_json(tmp_path: Path) -> None:
    (tmp_path / "template.json").write_text(json.dumps(CFN_JSON, indent=2))
    found = _run(tmp_path, select=["LK601"])
    assert found == [
        (
            "template.json", "LK601", 18,
            "Worker Timeout 880 s (parameter FnTimeout's default) is within 3 % of Lambda's 900 s maximum: growing "
            "work will time out; split it (Step Functions) or move it to ECS/Fargate or Batch",
        )
    ]
    assert _run(tmp_path, {"FnTimeout": "300"}, select=["LK601"]) == []


def test_an_integration_timeout_from_a_parameter(tmp_path: Path) -> None:
    text = SAM.replace("            Method: get\n", "            Method: get\n            TimeoutInMillis: !Ref Wait\n").replace(
        "Parameters:\n", "Parameters:\n  Wait:\n    Type: Number\n    Default: 10000\n"
    )
    (tmp_path / "template.yaml").write_text(text)
    (message,) = [m for _, code, _, m in _run(tmp_path, select=["LK602"])]
    assert message.startswith(
        "Worker Timeout 60 s (parameter FnTimeout's default) is longer than the REST API integration's 10 s "
        "(parameter Wait's default) (Worker event Get)"
    )
    assert _run(tmp_path, {"Wait": "90000"}, select=["LK602"]) == []


# -- where overrides come from ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        (["FnTimeout=60"], {"FnTimeout": "60"}),
        (["FnTimeout=60 Size=5"], {"FnTimeout": "60", "Size": "5"}),
        (["FnTimeout=60", "Size=5"], {"FnTimeout": "60", "Size": "5"}),
        (["ParameterKey=FnTimeout,ParameterValue=60"], {"FnTimeout": "60"}),
        (["ParameterKey=FnTimeout, ParameterValue=60 ParameterKey=Size,ParameterValue=5"], {"FnTimeout": "60", "Size": "5"}),
        (["Name='two words' Url=a=b"], {"Name": "two words", "Url": "a=b"}),
    ],
)
def test_parse_parameter_overrides(items: list[str], expected: dict[str, str]) -> None:
    assert parse_parameter_overrides(items, "--parameter-overrides") == expected


@pytest.mark.parametrize(
    ("item", "error"),
    [
        ("FnTimeout", "--parameter-overrides: 'FnTimeout' must be Name=Value (or ParameterKey=Name,ParameterValue=Value)"),
        ("=60", "--parameter-overrides: '=60' names no parameter"),
        ("ParameterKey=FnTimeout", "--parameter-overrides: 'ParameterKey=FnTimeout' must be ParameterKey=Name,ParameterValue=Value"),
        ("A='open", "--parameter-overrides: cannot read \"A='open\": No closing quotation"),
    ],
)
def test_bad_parameter_overrides(item: str, error: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_parameter_overrides([item], "--parameter-overrides")
    assert str(raised.value) == error


def test_config_table_and_list(tmp_path: Path) -> None:
    (tmp_path / "lintkit.toml").write_text('parameter-overrides = {FnTimeout = "60", Size = 5}\n')
    assert load_config(tmp_path / "lintkit.toml").parameter_overrides == {"FnTimeout": "60", "Size": "5"}
    (tmp_path / "lintkit.toml").write_text('parameter-overrides = ["FnTimeout=60 Size=5"]\n')
    assert load_config(tmp_path / "lintkit.toml").parameter_overrides == {"FnTimeout": "60", "Size": "5"}
    (tmp_path / "lintkit.toml").write_text("parameter-overrides = 60\n")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path / "lintkit.toml")
    assert str(raised.value).endswith(
        "lintkit.toml parameter-overrides must be a table (FnTimeout = \"60\") or an array of \"Name=Value\" strings, not an integer"
    )


def test_cli_option_config_key_and_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The option wins over the config; a warm cache never answers for other overrides."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LINTKIT_NO_CACHE", raising=False)
    monkeypatch.setenv("LINTKIT_CACHE_DIR", str(tmp_path / "cache"))
    Path("template.yaml").write_text(SAM)
    Path("lintkit.toml").write_text('select = ["LK601"]\nparameter-overrides = {FnTimeout = "890"}\n')
    lk601 = f"template.yaml:{TIMEOUT_LINE}:7: LK601 Worker Timeout 890 s (parameter FnTimeout's override) is within 2 % of"
    for _ in range(2):  # cold, then warm
        run = invoke("check", ".", "--output-format", "concise")
        assert run.stdout.startswith(lk601), run.stdout
    for option in ("FnTimeout=60", "ParameterKey=FnTimeout,ParameterValue=60"):
        run = invoke("check", ".", "--output-format", "concise", "--parameter-overrides", option)
        assert (run.exit_code, run.stdout) == (0, "")
    run = invoke("check", ".", "--output-format", "concise", "--parameter-overrides", "FnTimeout=900")
    assert run.stdout.startswith(f"template.yaml:{TIMEOUT_LINE}:7: LK601 Worker Timeout 900 s (parameter FnTimeout's override) is at")
    assert os.path.isdir(tmp_path / "cache")


def test_an_unquoted_second_override_is_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("template.yaml").write_text(SAM)
    run = invoke("check", "--parameter-overrides", "FnTimeout=60", "Size=5")
    assert run.exit_code == 2
    assert run.stderr.strip() == (
        "lintkit: error: Size=5: no such file or directory; to give several --parameter-overrides, quote them "
        "('A=1 B=2') or repeat the option"
    )
