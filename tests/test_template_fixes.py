"""The template fixes of LK501, LK502, LK506, LK602 and LK603: what each fix edits and says, and
the near-misses where no fix is offered (parameters, expressions, one-way routes, shared
Globals, formats lintkit does not edit). The before/after of each fix in every style is in the
rules' INVALID examples (`tests/test_rule_examples.py::test_fix_example`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, run_engine, write_project

from lintkit.findings import Applicability, Edit
from lintkit.fixes import apply_edits, materialize

TEMPLATE_FIX_RULES = {"LK501", "LK502", "LK506", "LK602", "LK603"}

BATCH_HANDLER = """\
def handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record)
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
"""

SQS_FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
{parameters}Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}}
{queue}  Dlq:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: {timeout}
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
{extra}"""


def sqs_function(extra: str = "", queue: str = "", timeout: str = "5", parameters: str = "") -> str:
    return SQS_FUNCTION.format(extra=extra, queue=queue, timeout=timeout, parameters=parameters)


def findings(root: Path, files: dict[str, str], code: str):
    """The rule's findings, each with its fix made (as `--fix` makes it)."""
    write_project(root, files)
    result = run_engine([root], select=[code], lambda_code=["app.py"])
    assert not result.internal_errors, result.internal_errors
    return [materialize(f, Path(f.path).read_text(encoding="utf-8")) for f in result.findings if f.code == code]


# -- LK502 -------------------------------------------------------------------------------------


def test_lk502_fix_adds_the_setting_to_the_event(tmp_path):
    (finding,) = findings(tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": sqs_function()}, "LK502")
    assert (Path(finding.path).name, finding.line) == ("template.yaml", 17)
    assert finding.fix.applicability is Applicability.SAFE
    assert finding.fix.title == "Add FunctionResponseTypes: [ReportBatchItemFailures] to Worker event Messages"
    assert finding.fix.edits == (
        Edit(finding.path, 21, 1, 21, 1, "            FunctionResponseTypes: [ReportBatchItemFailures]\n"),
    )


def test_lk502_no_fix_when_the_key_is_written_without_the_value(tmp_path):
    (finding,) = findings(
        tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": sqs_function("            FunctionResponseTypes: []\n")}, "LK502"
    )
    assert finding.fix is None


def test_lk502_no_fix_when_the_template_uses_anchors(tmp_path):
    text = sqs_function().replace("    Type: AWS::SQS::Queue\n    Properties:", "    Type: &queue AWS::SQS::Queue\n    Properties:", 1)
    text = text.replace("  Dlq:\n    Type: AWS::SQS::Queue", "  Dlq:\n    Type: *queue")
    (finding,) = findings(tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": text}, "LK502")
    assert finding.fix is None


def test_lk502_no_fix_when_the_event_has_no_properties_to_edit(tmp_path):
    text = sqs_function().replace("          Properties:\n            Queue: !GetAtt Jobs.Arn\n", "          Properties: !If [UseJobs, {Queue: !GetAtt Jobs.Arn}, {Queue: !GetAtt Dlq.Arn}]\n")
    text = text.replace("Resources:", "Conditions:\n  UseJobs: !Equals [a, a]\nResources:")
    (finding,) = findings(tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": text}, "LK502")
    assert finding.fix is None


# -- LK501 -------------------------------------------------------------------------------------


def test_lk501_fix_is_display_only_and_names_both_halves(tmp_path):
    handler = "def handler(event, context):\n    for record in event['Records']:\n        process(record)\n"
    (finding,) = findings(tmp_path, {"app.py": handler, "template.yaml": sqs_function()}, "LK501")
    assert finding.fix.applicability is Applicability.DISPLAY_ONLY
    app = str(Path(finding.path).with_name("app.py"))
    assert finding.fix.title == (
        f"Add FunctionResponseTypes: [ReportBatchItemFailures] to Worker event Messages, and make handler() in {app} "
        "catch each record's error and return {'batchItemFailures': [{'itemIdentifier': record['messageId']}, ...]} "
        "for the records that failed (Powertools' process_partial_response does both)"
    )
    assert finding.fix.edits == (
        Edit(finding.path, 21, 1, 21, 1, "            FunctionResponseTypes: [ReportBatchItemFailures]\n"),
    )


def test_lk501_stream_title_uses_the_streams_identifier(tmp_path):
    text = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Stream:\n    Type: AWS::Kinesis::Stream\n"
        "  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      Handler: app.handler\n"
        "      Runtime: python3.12\n      Events:\n        Clicks:\n          Type: Kinesis\n          Properties:\n"
        "            Stream: !GetAtt Stream.Arn\n            StartingPosition: LATEST\n"
    )
    handler = "def handler(event, context):\n    for record in event['Records']:\n        process(record)\n"
    (finding,) = findings(tmp_path, {"app.py": handler, "template.yaml": text}, "LK501")
    assert "record['kinesis']['sequenceNumber']" in finding.fix.title


def test_lk501_title_for_a_node_function_names_no_python(tmp_path):
    text = sqs_function().replace("Runtime: python3.12", "Runtime: nodejs20.x")
    (finding,) = findings(tmp_path, {"template.yaml": text}, "LK501")
    assert finding.fix.title == (
        "Add FunctionResponseTypes: [ReportBatchItemFailures] to Worker event Messages, and make the handler of "
        "Worker catch each record's error and return batchItemFailures with the itemIdentifier (messageId) of each "
        "record that failed (the batch utility of Powertools for AWS Lambda does both)"
    )


# -- LK506 -------------------------------------------------------------------------------------

STREAM = """\
Transform: AWS::Serverless-2016-10-31
Parameters:
  Retries:
    Type: Number
    Default: -1
Resources:
  Stream:
    Type: AWS::Kinesis::Stream
  Failed:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
      Events:
        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
{extra}"""


def test_lk506_fix_title_says_records_are_discarded_without_a_destination(tmp_path):
    (finding,) = findings(tmp_path, {"template.yaml": STREAM.format(extra="")}, "LK506")
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.title == (
        "Set MaximumRetryAttempts: 5 and BisectBatchOnFunctionError: true on Worker event Clicks (records that still "
        "fail after 5 retries are then discarded: add an OnFailure destination to keep them)"
    )


def test_lk506_fix_title_with_a_destination_and_an_explicit_bisect_setting(tmp_path):
    extra = (
        "            BisectBatchOnFunctionError: false\n            DestinationConfig:\n              OnFailure:\n"
        "                Destination: !GetAtt Failed.Arn\n"
    )
    (finding,) = findings(tmp_path, {"template.yaml": STREAM.format(extra=extra)}, "LK506")
    # the user's own `false` is left alone; only the retries are bounded
    assert finding.fix.title == (
        "Set MaximumRetryAttempts: 5 on Worker event Clicks (records that still fail after 5 retries then go to the "
        "OnFailure destination)"
    )
    text = (tmp_path / "template.yaml").read_text()
    assert apply_edits(text, finding.fix.edits) == text + "            MaximumRetryAttempts: 5\n"


def test_lk506_no_fix_when_the_retries_come_from_a_parameter(tmp_path):
    (finding,) = findings(tmp_path, {"template.yaml": STREAM.format(extra="            MaximumRetryAttempts: !Ref Retries\n")}, "LK506")
    assert finding.fix is None


# -- LK603 -------------------------------------------------------------------------------------


def test_lk603_fix_adds_the_key_to_existing_properties(tmp_path):
    (finding,) = findings(tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": sqs_function(timeout="60")}, "LK603")
    assert finding.fix.applicability is Applicability.SAFE
    assert finding.fix.title == (
        "Set queue Jobs VisibilityTimeout to 360 s (6 x the Timeout of the function that polls it, plus its batching window)"
    )
    # after the queue's last key (RedrivePolicy), at its indentation
    assert finding.fix.edits == (Edit(finding.path, 7, 1, 7, 1, "      VisibilityTimeout: 360\n"),)


def test_lk603_no_fix_when_the_visibility_timeout_is_a_parameter(tmp_path):
    parameters = "Parameters:\n  Visibility:\n    Type: Number\n    Default: 30\n"
    text = sqs_function(queue="      VisibilityTimeout: !Ref Visibility\n", timeout="60", parameters=parameters)
    (finding,) = findings(tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": text}, "LK603")
    assert "parameter Visibility's default" in finding.message
    assert finding.fix is None


def test_lk603_no_fix_when_the_function_timeout_is_a_parameter(tmp_path):
    parameters = "Parameters:\n  Seconds:\n    Type: Number\n    Default: 60\n"
    text = sqs_function(timeout="!Ref Seconds", parameters=parameters)
    (finding,) = findings(tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": text}, "LK603")
    assert finding.fix is None


def test_lk603_no_fix_when_another_consumer_has_an_unknown_timeout(tmp_path):
    other = (
        "  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: .\n      Handler: app.handler\n"
        "      Runtime: python3.12\n      Timeout: !If [Big, 900, 60]\n      Events:\n        More:\n          Type: SQS\n"
        "          Properties:\n            Queue: !GetAtt Jobs.Arn\n"
    )
    text = "Conditions:\n  Big: !Equals [a, b]\n" + sqs_function(timeout="60") + other
    (finding,) = findings(tmp_path, {"app.py": BATCH_HANDLER, "template.yaml": text}, "LK603")
    assert finding.fix is None


# -- LK602 -------------------------------------------------------------------------------------

API_FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
{globals}Resources:
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
{timeout}      Events:
        Get:
          Type: Api
          Properties:
            Path: /report
            Method: get
{resources}"""


def api_function(timeout: str = "      Timeout: 60\n", globals_: str = "", resources: str = "") -> str:
    return API_FUNCTION.format(timeout=timeout, globals=globals_, resources=resources)


def test_lk602_fix_lowers_the_timeout_to_the_integrations(tmp_path):
    (finding,) = findings(tmp_path, {"template.yaml": api_function()}, "LK602")
    assert finding.fix.applicability is Applicability.UNSAFE
    assert finding.fix.title == "Set Worker Timeout to 29 s"
    assert finding.fix.edits == (Edit(finding.path, 9, 16, 9, 18, "29"),)


def test_lk602_globals_are_edited_when_every_inheritor_needs_the_same_value(tmp_path):
    second = (
        "  Second:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n      Handler: index.handler\n"
        "      Runtime: python3.12\n      Events:\n        Get:\n          Type: Api\n          Properties:\n"
        "            Path: /other\n            Method: get\n"
    )
    found = findings(tmp_path, {"template.yaml": api_function("", "Globals:\n  Function:\n    Timeout: 60\n", second)}, "LK602")
    assert len(found) == 2
    for finding in found:
        assert finding.fix.title == "Set Globals Function Timeout to 29 s (every function that inherits it needs it: Worker, Second)"
        assert finding.fix.edits == (Edit(finding.path, 4, 14, 4, 16, "29"),)


def test_lk602_a_function_gets_its_own_timeout_when_inheritors_need_different_values(tmp_path):
    http = (
        "  Second:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n      Handler: index.handler\n"
        "      Runtime: python3.12\n      Events:\n        Get:\n          Type: HttpApi\n          Properties:\n"
        "            TimeoutInMillis: 10000\n"
    )
    found = findings(tmp_path, {"template.yaml": api_function("", "Globals:\n  Function:\n    Timeout: 60\n", http)}, "LK602")
    titles = sorted(f.fix.title for f in found)
    assert titles == [
        "Set Second Timeout to 10 s (its own, instead of the Globals value other functions keep)",
        "Set Worker Timeout to 29 s (its own, instead of the Globals value other functions keep)",
    ]


def test_lk602_no_fix_for_a_one_way_websocket_route_or_a_function_that_also_serves_one(tmp_path):
    socket = (
        "  Socket:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: socket\n      ProtocolType: WEBSOCKET\n"
        "      RouteSelectionExpression: $request.body.action\n"
        "  SendIntegration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Socket\n"
        "      IntegrationType: AWS_PROXY\n"
        "      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations\n"
        "  SendRoute:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Socket\n      RouteKey: send\n"
        "      Target: !Sub integrations/${SendIntegration}\n"
    )
    (finding,) = findings(tmp_path, {"template.yaml": api_function(resources=socket)}, "LK602")
    assert "one-way WebSocket route" in finding.message
    assert finding.fix is None
    one_way_only = api_function(resources=socket).replace(
        "      Events:\n        Get:\n          Type: Api\n          Properties:\n            Path: /report\n            Method: get\n", ""
    )
    (finding,) = findings(tmp_path, {"template.yaml": one_way_only}, "LK602")
    assert "no route response" in finding.message
    assert finding.fix is None


def test_lk602_a_small_overrun_is_fixed_even_when_the_function_serves_a_one_way_route(tmp_path):
    socket = (
        "  Socket:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: socket\n      ProtocolType: WEBSOCKET\n"
        "      RouteSelectionExpression: $request.body.action\n"
        "  SendIntegration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Socket\n"
        "      IntegrationType: AWS_PROXY\n"
        "      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations\n"
        "  SendRoute:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Socket\n      RouteKey: send\n"
        "      Target: !Sub integrations/${SendIntegration}\n"
    )
    (finding,) = findings(tmp_path, {"template.yaml": api_function("      Timeout: 30\n", resources=socket)}, "LK602")
    assert "set Timeout to 29 s to match" in finding.message
    assert finding.fix.title == "Set Worker Timeout to 29 s"


def test_lk602_no_fix_when_a_function_url_may_need_the_time(tmp_path):
    url = "      FunctionUrlConfig:\n        AuthType: AWS_IAM\n        InvokeMode: RESPONSE_STREAM\n"
    (finding,) = findings(tmp_path, {"template.yaml": api_function("      Timeout: 300\n" + url)}, "LK602")
    assert finding.fix is None


def test_lk602_an_api_gateway_permission_does_not_stop_the_fix(tmp_path):
    permission = (
        "  Permission:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n"
        "      FunctionName: !Ref Worker\n      Principal: apigateway.amazonaws.com\n"
    )
    (finding,) = findings(tmp_path, {"template.yaml": api_function(resources=permission)}, "LK602")
    assert finding.fix.title == "Set Worker Timeout to 29 s"


def test_lk602_no_fix_when_the_timeout_is_a_parameter(tmp_path):
    text = api_function("      Timeout: !Ref Seconds\n").replace(
        "Resources:", "Parameters:\n  Seconds:\n    Type: Number\n    Default: 60\nResources:"
    )
    (finding,) = findings(tmp_path, {"template.yaml": text}, "LK602")
    assert finding.fix is None


# -- formats lintkit does not edit ------------------------------------------------------------


@pytest.mark.parametrize("folder", [FIXTURES / "terraform" / "bad", FIXTURES / "serverless" / "bad"], ids=["terraform", "serverless"])
def test_translated_formats_offer_no_template_fix(folder):
    result = run_engine([folder])
    assert not result.internal_errors
    mine = [f for f in result.findings if f.code in TEMPLATE_FIX_RULES]
    assert {f.code for f in mine} >= {"LK501", "LK506", "LK602", "LK603"}
    assert [f for f in mine if f.fix is not None] == []


def test_cdk_assemblies_offer_no_template_fix(tmp_path):
    import shutil

    app = tmp_path / "demo-app"
    shutil.copytree(FIXTURES / "cdk" / "demo-app", app)
    result = run_engine([app])
    (visibility,) = [f for f in result.findings if f.code == "LK603"]
    assert visibility.fix is None  # `cdk synth` rewrites the template: the fix belongs in the app
