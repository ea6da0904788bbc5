"""Format-preserving template edits (`lintkit.templates.edit`, through `Template.edit_put` and
the model's `edit_properties`): set and add keys in YAML block and flow style and in JSON, keep
every other line byte-identical, and offer nothing where the text is ambiguous."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lintkit.findings import Edit
from lintkit.fixes import apply_edits
from lintkit.templates.loader import load_text
from lintkit.templates.model import template_from_text
from lintkit.templates.serverless import serverless_template


def _template(text: str, name: str = "template.yaml"):
    return template_from_text(text, path=name, abs_path=Path("/project") / name)


def _edited(text: str, edit, name: str = "template.yaml") -> str:
    template = _template(text, name)
    edits = edit(template)
    assert edits, "no edits offered"
    return apply_edits(text, edits)


QUEUES = """\
Resources:
  Jobs:
    Type: AWS::SQS::Queue   # no properties yet
    # a note about Jobs

  Sized:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 60  # one minute
      Tags:
        - Key: team
          Value: payments
        # the team that owns it
  # the next resource
  Flow: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: '30'}}
  Bare: {Type: AWS::SQS::Queue}
"""


def test_set_replaces_a_number_and_keeps_the_inline_comment():
    new = _edited(QUEUES, lambda t: t.resources["Sized"].edit_properties({"VisibilityTimeout": 360}))
    assert new == QUEUES.replace("VisibilityTimeout: 60  # one minute", "VisibilityTimeout: 360  # one minute")


def test_set_keeps_the_quotes_of_a_quoted_value():
    new = _edited(QUEUES, lambda t: t.resources["Flow"].edit_properties({"VisibilityTimeout": 360}))
    assert new == QUEUES.replace("{VisibilityTimeout: '30'}", "{VisibilityTimeout: '360'}")
    double = QUEUES.replace("VisibilityTimeout: 60 ", 'VisibilityTimeout: "60" ')
    assert _edited(double, lambda t: t.resources["Sized"].edit_properties({"VisibilityTimeout": 360})) == double.replace(
        '"60"', '"360"'
    )


def test_block_add_goes_after_the_last_keys_subtree_and_its_comments():
    new = _edited(QUEUES, lambda t: t.resources["Sized"].edit_properties({"FifoQueue": True}))
    assert new == QUEUES.replace(
        "        # the team that owns it\n", "        # the team that owns it\n      FifoQueue: true\n"
    )


def test_block_add_of_a_missing_properties_mapping_uses_the_files_indentation_step():
    new = _edited(QUEUES, lambda t: t.resources["Jobs"].edit_properties({"VisibilityTimeout": 360}))
    # before the comment at the resource's key indentation: it belongs to what follows
    assert new == QUEUES.replace(
        "# no properties yet\n", "# no properties yet\n    Properties:\n      VisibilityTimeout: 360\n"
    )
    four = "Resources:\n    Jobs:\n        Type: AWS::SQS::Queue\n"
    assert _edited(four, lambda t: t.resources["Jobs"].edit_properties({"VisibilityTimeout": 360})) == (
        four + "        Properties:\n            VisibilityTimeout: 360\n"
    )


def test_block_add_after_a_sequence_written_at_its_keys_indentation():
    text = (
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
        "      Policies:\n      - AWSLambdaBasicExecutionRole\n      - Statement:\n        - Effect: Allow\n"
        "  Next:\n    Type: AWS::SQS::Queue\n"
    )
    assert _edited(text, lambda t: t.resources["Fn"].edit_properties({"Timeout": 29})) == text.replace(
        "        - Effect: Allow\n", "        - Effect: Allow\n      Timeout: 29\n"
    )


def test_flow_add_goes_before_the_closing_brace():
    new = _edited(QUEUES, lambda t: t.resources["Bare"].edit_properties({"VisibilityTimeout": 360}))
    assert new == QUEUES.replace("{Type: AWS::SQS::Queue}", "{Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 360}}")
    new = _edited(QUEUES, lambda t: t.resources["Flow"].edit_properties({"FunctionResponseTypes": ["ReportBatchItemFailures"]}))
    assert "{VisibilityTimeout: '30', FunctionResponseTypes: [ReportBatchItemFailures]}}" in new
    empty = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: {}\n"
    assert _edited(empty, lambda t: t.resources["Q"].edit_properties({"VisibilityTimeout": 360})) == empty.replace(
        "{}", "{VisibilityTimeout: 360}"
    )


def test_set_and_add_together_make_one_fix():
    template = _template(QUEUES)
    edits = template.resources["Sized"].edit_properties({"VisibilityTimeout": 360, "DelaySeconds": 5})
    assert edits == (
        Edit("template.yaml", 9, 26, 9, 28, "360"),
        Edit("template.yaml", 14, 1, 14, 1, "      DelaySeconds: 5\n"),
    )


JSON_TEMPLATE = """\
{
  "Resources": {
    "Jobs": {
      "Type": "AWS::SQS::Queue"
    },
    "Sized": {
      "Type": "AWS::SQS::Queue",
      "Properties": {
        "VisibilityTimeout": 60
      }
    }
  }
}
"""


def test_json_add_goes_after_the_last_member_with_the_members_indentation():
    new = _edited(JSON_TEMPLATE, lambda t: t.resources["Sized"].edit_properties({"FunctionResponseTypes": ["ReportBatchItemFailures"]}), "template.json")
    assert new == JSON_TEMPLATE.replace(
        '"VisibilityTimeout": 60\n', '"VisibilityTimeout": 60,\n        "FunctionResponseTypes": ["ReportBatchItemFailures"]\n'
    )
    json.loads(new)


def test_json_add_of_a_nested_mapping_is_laid_out_like_the_file():
    new = _edited(JSON_TEMPLATE, lambda t: t.resources["Jobs"].edit_properties({"VisibilityTimeout": 360}), "template.json")
    assert new == JSON_TEMPLATE.replace(
        '"Type": "AWS::SQS::Queue"\n    },',
        '"Type": "AWS::SQS::Queue",\n      "Properties": {\n        "VisibilityTimeout": 360\n      }\n    },',
    )
    json.loads(new)


def test_json_set_and_bool():
    new = _edited(JSON_TEMPLATE, lambda t: t.resources["Sized"].edit_properties({"VisibilityTimeout": 360, "FifoQueue": False}), "template.json")
    assert json.loads(new)["Resources"]["Sized"]["Properties"] == {"VisibilityTimeout": 360, "FifoQueue": False}
    assert new.count("\n") == JSON_TEMPLATE.count("\n") + 1


def test_crlf_files_get_crlf_lines():
    text = QUEUES.replace("\n", "\r\n")
    new = _edited(text, lambda t: t.resources["Jobs"].edit_properties({"VisibilityTimeout": 360}))
    assert "\n" not in new.replace("\r\n", "")
    assert "    Properties:\r\n      VisibilityTimeout: 360\r\n" in new


def test_a_file_without_a_final_newline():
    text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue"
    assert _edited(text, lambda t: t.resources["Q"].edit_properties({"DelaySeconds": 5})) == (
        text + "\n    Properties:\n      DelaySeconds: 5"
    )


def test_strings_are_quoted_when_yaml_would_read_them_otherwise():
    text = "Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      A: 1\n"
    new = _edited(text, lambda t: t.resources["Q"].edit_properties({"B": "yes", "C": "12", "D": "plain"}))
    assert new.endswith('      B: "yes"\n      C: "12"\n      D: plain\n')
    assert load_text(new).data["Resources"]["Q"]["Properties"] == {"A": 1, "B": "yes", "C": "12", "D": "plain"}


# -- where nothing is offered ------------------------------------------------------------------


def _no_edits(text: str, logical_id: str = "Q", items=None, name: str = "template.yaml") -> None:
    template = _template(text, name)
    assert template.resources[logical_id].edit_properties(items or {"VisibilityTimeout": 360}) == ()


def test_no_edits_with_anchors_or_aliases():
    _no_edits("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: &props\n      DelaySeconds: 1\n  R:\n    Type: AWS::SQS::Queue\n    Properties: *props\n")
    _no_edits("Resources:\n  Q:\n    Type: &t AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 1\n")


def test_no_edits_with_tabs_in_indentation():
    text = '{\n\t"Resources": {\n\t\t"Q": {\n\t\t\t"Type": "AWS::SQS::Queue",\n\t\t\t"Properties": {"DelaySeconds": 1}\n\t\t}\n\t}\n}\n'
    _no_edits(text, name="template.json")


def test_no_edits_when_the_value_is_an_expression_or_a_block_scalar():
    _no_edits("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: !Ref Seconds\n")
    _no_edits("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: !If [Big, 600, 60]\n")
    _no_edits("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: |\n        60\n")
    _no_edits("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties: !If [Big, {VisibilityTimeout: 600}, {}]\n")


def test_no_edits_after_a_trailing_comma_or_a_comment_in_a_flow_mapping():
    _no_edits("Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {DelaySeconds: 1,}}\n")
    _no_edits("Resources:\n  Q: {Type: AWS::SQS::Queue, Properties: {\n    DelaySeconds: 1  # why\n  }}\n")


def test_no_edits_on_a_mapping_the_model_made_up_or_merged():
    text = (
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Timeout: 60\nResources:\n"
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Handler: app.handler\n"
    )
    template = _template(text)
    function = template.functions["Fn"]
    assert template.edit_put(function.properties, {"Timeout": 29}) == ()  # Globals merged in
    assert template.edit_put(function.resource.properties, {"Timeout": 29})  # the function's own
    # a resource without Properties gets an empty model mapping: it is not in the text
    queue = _template("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n").resources["Q"]
    assert queue.template.edit_put(queue.properties, {"DelaySeconds": 1}) == ()


def test_no_edits_with_duplicate_keys():
    _no_edits("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      DelaySeconds: 1\n      DelaySeconds: 2\n")


def test_no_edits_for_templates_lintkit_translates():
    text = (
        "service: s\nprovider: {name: aws, runtime: python3.12}\nfunctions:\n  worker:\n    handler: app.handler\n"
        "    events:\n      - sqs: {arn: arn:aws:sqs:eu-west-1:123456789012:jobs}\n"
    )
    template = serverless_template(text, path="serverless.yml", abs_path=Path("/project/serverless.yml"))
    assert not template.editable
    for mapping in template.event_source_mappings:
        assert mapping.edit_properties({"FunctionResponseTypes": ["ReportBatchItemFailures"]}) == ()


def test_edit_set_and_edit_add_check_the_key():
    template = _template(QUEUES)
    properties = template.resources["Sized"].properties
    assert template.edit_set(properties, "DelaySeconds", 5) == ()
    assert template.edit_add(properties, "VisibilityTimeout", 5) == ()
    assert template.edit_set(properties, "VisibilityTimeout", 5)
    assert template.edit_add(properties, "DelaySeconds", 5)


# -- property test: random templates in every style ------------------------------------------

_names = st.sampled_from(["Alpha", "Beta", "Gamma", "Delta", "Epsilon"])
_values = st.one_of(st.integers(min_value=0, max_value=10_000), st.sampled_from(["text", "arn:aws:sqs:x", "a b"]))


@st.composite
def _resources(draw):
    count = draw(st.integers(min_value=1, max_value=3))
    resources = []
    for index in range(count):
        keys = draw(st.lists(_names, unique=True, max_size=4))
        properties = {key: draw(_values) for key in keys}
        if draw(st.booleans()):
            properties["Nested"] = {"Inner": draw(_values)}
        if draw(st.booleans()):
            properties["Items"] = [draw(_values) for _ in range(draw(st.integers(1, 2)))]
        resources.append((f"R{index}", properties if properties or draw(st.booleans()) else None))
    return resources


def _yaml_value(value, indent: int, flow: bool) -> str:
    if isinstance(value, dict):
        if flow:
            return "{" + ", ".join(f"{k}: {_yaml_value(v, 0, True)}" for k, v in value.items()) + "}"
        return "".join(f"\n{' ' * indent}{k}: {_yaml_value(v, indent + 2, False)}" for k, v in value.items())
    if isinstance(value, list):
        if flow:
            return "[" + ", ".join(_yaml_value(v, 0, True) for v in value) + "]"
        return "".join(f"\n{' ' * indent}- {_yaml_value(v, indent + 2, False)}" for v in value)
    return json.dumps(value) if isinstance(value, str) and " " in value else str(value)


def _render(resources, style: str, comments: bool) -> str:
    if style == "json":
        data = {"Resources": {name: {"Type": "AWS::SQS::Queue", **({"Properties": p} if p is not None else {})} for name, p in resources}}
        return json.dumps(data, indent=2) + "\n"
    lines = ["Resources:"]
    for name, properties in resources:
        if style == "flow":
            inner = "Type: AWS::SQS::Queue" + (f", Properties: {_yaml_value(properties, 0, True)}" if properties is not None else "")
            lines.append(f"  {name}: {{{inner}}}" + ("  # flow" if comments else ""))
            continue
        lines.append(f"  {name}:")
        lines.append("    Type: AWS::SQS::Queue" + ("  # the type" if comments else ""))
        if properties is not None:
            lines.append("    Properties:" + _yaml_value(properties, 6, False) if properties else "    Properties: {}")
            if comments:
                lines.append("      # under the properties")
        if comments:
            lines += ["", "  # about the next one"]
    return "\n".join(lines) + "\n"


@given(
    resources=_resources(),
    style=st.sampled_from(["block", "flow", "json"]),
    comments=st.booleans(),
    choice=st.integers(min_value=0, max_value=10),
    key=st.sampled_from(["Alpha", "Beta", "Added", "Other"]),
    value=st.one_of(st.integers(min_value=0, max_value=50_000), st.booleans(), st.just(["ReportBatchItemFailures"])),
)
@settings(max_examples=250, deadline=None)
def test_random_edits_load_with_the_intended_value_and_keep_every_other_line(resources, style, comments, choice, key, value):
    text = _render(resources, style, comments and style != "json")
    name = "template.json" if style == "json" else "template.yaml"
    template = _template(text, name)
    logical_id, properties = resources[choice % len(resources)]
    existing = (properties or {}).get(key)
    if isinstance(existing, (dict, list)) or (existing is not None and isinstance(value, (list, bool))):
        return  # only scalars are set, with a scalar
    if existing is not None and str(existing) == str(value):
        assert template.resources[logical_id].edit_properties({key: value}) == ()  # nothing to change
        return
    edits = template.resources[logical_id].edit_properties({key: value})
    assert edits, text
    new = apply_edits(text, edits)
    data = load_text(new, json_hint=style == "json").data
    expected = load_text(text, json_hint=style == "json").data
    resource = expected["Resources"][logical_id]
    resource.setdefault("Properties", {})
    loaded = value
    if isinstance(existing, str) and (style == "json" or " " in existing):
        loaded = str(value)  # a quoted value stays quoted (a plain one takes the number)
    resource["Properties"][key] = loaded
    assert data == expected
    # every line outside the edited ones is byte-identical
    old_lines, new_lines = text.splitlines(keepends=True), new.splitlines(keepends=True)
    first = min(edit.line for edit in edits)
    last = max(edit.end_line for edit in edits)
    assert new_lines[: first - 1] == old_lines[: first - 1]
    assert new_lines[len(new_lines) - (len(old_lines) - last) :] == old_lines[last:]
