"""The template model: Globals, references, event source mappings, handler linking."""

from __future__ import annotations

import pytest

from lintkit.project import link_handlers
from lintkit.python.handlers import HandlerFormatError, handler_target
from lintkit.templates.model import load_template, merge_globals

from conftest import FIXTURES, write_project

SAM = """
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    Environment:
      Variables:
        STAGE: prod
        REGION: eu-west-1
    Layers:
      - arn:aws:lambda:eu-west-1:123456789012:layer:base:1
    EventInvokeConfig:
      DestinationConfig:
        OnFailure:
          Type: SQS
          Destination: arn:aws:sqs:eu-west-1:123456789012:failed
Resources:
  Own:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Timeout: 10
      Environment:
        Variables:
          STAGE: dev
      Layers:
        - arn:aws:lambda:eu-west-1:123456789012:layer:extra:1
      EventInvokeConfig:
        MaximumRetryAttempts: 0
  Inherits:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: inherits-fn
      Handler: src/app.handler
      Timeout: !Ref TimeoutParameter
      AutoPublishAlias: live
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Code: src
"""


@pytest.fixture
def template(tmp_path):
    write_project(tmp_path, {"template.yaml": SAM, "src/app.py": "def handler(event, context):\n    pass\n"})
    return load_template(tmp_path / "template.yaml", path="template.yaml")


def test_functions_of_both_types_are_modelled(template):
    assert sorted(template.functions) == ["Inherits", "Own", "Plain"]
    assert template.is_sam
    assert template.functions["Plain"].is_sam is False
    assert template.functions["Own"].runtime == "python3.12"  # from Globals


def test_own_value_is_reported_at_its_own_line_and_global_at_the_globals_line(template):
    own, inherits = template.functions["Own"], template.functions["Inherits"]
    assert own.timeout == 10
    assert own.location("Timeout").line == 23
    inherited = inherits.location("Runtime")
    assert inherited.line == 4  # the Globals line
    assert inherits.timeout is None  # a parameter: unknown, not guessed


def test_globals_merge_maps_recursively_and_concatenates_lists(template):
    own = template.functions["Own"].properties
    assert own["Environment"]["Variables"] == {"STAGE": "dev", "REGION": "eu-west-1"}
    assert own["Environment"]["Variables"].key_mark("STAGE").line == 26
    assert own["Environment"]["Variables"].key_mark("REGION").line == 9
    assert [layer.split(":")[-2] for layer in own["Layers"]] == ["base", "extra"]
    # a Global on-failure destination survives a resource that only sets retries
    config = own["EventInvokeConfig"]
    assert config["MaximumRetryAttempts"] == 0
    assert config["DestinationConfig"]["OnFailure"]["Type"] == "SQS"


def test_intrinsic_counts_as_a_scalar_in_the_merge():
    from lintkit.templates.loader import load_text

    data = load_text("g: {Timeout: 30}\no: {Timeout: !Ref T}\n").data
    merged = merge_globals(data["g"], data["o"])
    assert merged["Timeout"] == {"Ref": "T"}


def test_resolve_function_by_every_reference_form(template):
    own = template.functions["Own"]
    inherits = template.functions["Inherits"]
    assert template.resolve_function({"Ref": "Own"}) is own
    assert template.resolve_function({"Fn::GetAtt": ["Own", "Arn"]}) is own
    assert template.resolve_function({"Fn::GetAtt": "Own.Arn"}) is own
    assert template.resolve_function({"Fn::Sub": "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${Own}"}) is own
    assert template.resolve_function({"Ref": "InheritsAliaslive"}) is inherits
    assert template.resolve_function("inherits-fn") is inherits
    assert template.resolve_function("arn:aws:lambda:eu-west-1:123456789012:function:inherits-fn:live") is inherits
    assert template.resolve_function({"Fn::ImportValue": "x"}) is None
    assert template.resolve_function({"Ref": "Nope"}) is None
    assert template.resolve_function("unknown-fn") is None


def test_handlers_link_in_both_styles(template):
    links = link_handlers([template])
    module_file = (template.abs_path.parent / "src" / "app.py").resolve()
    for name in ("Own", "Inherits", "Plain"):
        link = links[template.functions[name]]
        assert link.module_file == module_file, name
        assert link.function_name == "handler"


@pytest.mark.parametrize(
    ("code_dir", "handler", "relative"),
    [
        ("src", "app.handler", "src/app.py"),
        (".", "src/app.handler", "src/app.py"),
        (".", "src.app.handler", "src/app.py"),
        ("src", "pkg.handler", "src/pkg/__init__.py"),
    ],
)
def test_handler_target_finds_the_module(tmp_path, code_dir, handler, relative):
    write_project(tmp_path, {relative: "def handler(event, context):\n    pass\n"})
    target = handler_target(tmp_path / code_dir, handler)
    assert target.existing_file() == tmp_path / relative
    assert target.function_name == "handler"


@pytest.mark.parametrize("handler", ["handler", "app.", ".handler", "../../etc/passwd.handler", "/etc/app.handler", "app.not-a-name"])
def test_malformed_or_escaping_handlers_are_refused(tmp_path, handler):
    with pytest.raises(HandlerFormatError):
        handler_target(tmp_path, handler)


def test_event_source_mappings_know_their_source_and_defaults():
    template = load_template(FIXTURES / "templates" / "bad" / "esm_reference_forms.yaml", path="t.yaml")
    by_name = {m.name: m for m in template.event_source_mappings}
    assert "Imported" not in by_name  # its function is in another stack
    assert {name: m.source for name, m in by_name.items()} == {
        "ByRef": "sqs",
        "ByGetAttAndLiteralArn": "sqs",
        "BySubWithDefaultBatch": "sqs",
        "ByLiteralName": "kinesis",
        "ByLongFormGetAtt": "dynamodb",
    }
    assert by_name["BySubWithDefaultBatch"].batch_size == 10
    assert by_name["ByLiteralName"].batch_size == 100
    assert by_name["ByRef"].reports_batch_item_failures is False
    assert by_name["ByLongFormGetAtt"].maximum_record_age == -1
    assert all(m.function.logical_id == "Worker" for m in by_name.values())


def test_unknown_values_stay_unknown(tmp_path):
    write_project(
        tmp_path,
        {
            "t.yaml": """
            Resources:
              Fn:
                Type: AWS::Lambda::Function
                Properties: {Handler: a.b, Runtime: !Ref R, Code: {ZipFile: x}}
              Map:
                Type: AWS::Lambda::EventSourceMapping
                Properties:
                  FunctionName: !Ref Fn
                  EventSourceArn: !ImportValue queue-arn
                  BatchSize: !If [Big, 100, 1]
                  FunctionResponseTypes: !If [Big, [ReportBatchItemFailures], []]
            """
        },
    )
    template = load_template(tmp_path / "t.yaml", path="t.yaml")
    (mapping,) = template.event_source_mappings
    assert mapping.source is None
    assert mapping.batch_size is None
    assert mapping.reports_batch_item_failures is None
    assert template.functions["Fn"].is_python is None
