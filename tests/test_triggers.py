"""Every trigger form loads into the model with the right kind and sync / async / poll tag."""

from __future__ import annotations

import pytest
from conftest import FIXTURES

from lintkit.templates.model import EventSourceMapping, Invocation, load_template
from lintkit.templates.triggers import PERMISSION_PRINCIPALS, RESOURCE_TRIGGERS, SAM_EVENTS

TRIGGERS = FIXTURES / "templates" / "triggers"
SYNC, ASYNC, POLL = Invocation.SYNC, Invocation.ASYNC, Invocation.POLL

SAM_EXPECTED = {
    "SqsFn": ("sqs", POLL),
    "KinesisFn": ("kinesis", POLL),
    "DynamoDBFn": ("dynamodb", POLL),
    "MQFn": ("mq", POLL),
    "MSKFn": ("msk", POLL),
    "KafkaFn": ("kafka", POLL),
    "DocumentDBFn": ("documentdb", POLL),
    "S3Fn": ("s3", ASYNC),
    "SNSFn": ("sns", ASYNC),
    "SNSViaQueueFn": ("sqs", POLL),  # SqsSubscription: SAM puts a queue in between
    "EventBridgeRuleFn": ("eventbridge", ASYNC),
    "CloudWatchEventFn": ("eventbridge", ASYNC),
    "ScheduleFn": ("schedule", ASYNC),
    "ScheduleV2Fn": ("scheduler", ASYNC),
    "CloudWatchLogsFn": ("cloudwatch-logs", ASYNC),
    "IoTRuleFn": ("iot", ASYNC),
    "CognitoFn": ("cognito", SYNC),
    "ApiFn": ("api", SYNC),
    "HttpApiFn": ("http-api", SYNC),
    "AlexaSkillFn": ("alexa", SYNC),
    "FunctionUrlFn": ("function-url", SYNC),
}


def test_every_sam_event_type_has_its_tag():
    template = load_template(TRIGGERS / "sam_all_events.yaml", path="t.yaml")
    found = {
        name: [(t.kind, t.invocation) for t in function.triggers]
        for name, function in template.functions.items()
    }
    assert found == {name: [expected] for name, expected in SAM_EXPECTED.items()}
    # triggers point at their own event line
    sqs = template.functions["SqsFn"].triggers[0]
    assert isinstance(sqs, EventSourceMapping) and sqs.location().line == 20


def test_every_cloudformation_trigger_form_has_its_tag():
    template = load_template(TRIGGERS / "cfn_all_resources.yaml", path="t.yaml")
    function = template.functions["Fn"]
    found = sorted((t.name, t.kind, t.invocation.value, t.inferred) for t in function.triggers)
    assert found == sorted(
        [
            ("Mapping", "sqs", "poll", False),
            ("S3Permission", "s3", "async", True),
            ("SesPermission", "ses", "async", True),  # through the alias
            ("ElbPermission", "alb", "sync", True),  # by the function's literal name
            ("Bucket", "s3", "async", False),
            ("Topic", "sns", "async", False),
            ("Subscription", "sns", "async", False),
            ("Rule", "eventbridge", "async", False),
            ("Cron", "schedule", "async", False),
            ("Schedule", "scheduler", "async", False),
            ("Method", "api", "sync", False),
            ("JoinedMethod", "api", "sync", False),
            ("HttpIntegration", "http-api", "sync", False),
            ("SocketIntegration", "websocket", "sync", False),
            ("TargetGroup", "alb", "sync", False),
            ("Url", "function-url", "sync", False),
            ("DataSource", "appsync", "sync", False),
            ("TopicRule", "iot", "async", False),
            ("RulePermission", "iot", "async", True),
            ("Authorizer", "iot-authorizer", "sync", False),
            ("AuthorizerPermission", "iot-authorizer", "sync", True),  # SourceArn is the authorizer
            ("Setup", "cloudformation", "async", False),
            ("Seed", "cloudformation", "async", False),
            ("CdkNotifications", "s3", "async", False),
        ]
    )
    by_name = {t.name: t for t in function.triggers}
    assert by_name["JoinedMethod"].properties["TimeoutInMillis"] == 10000
    # the bucket's notification entry is where the trigger is reported
    assert by_name["Bucket"].location().line == 33


def test_json_template_loads_the_same_model(tmp_path):
    import json

    from lintkit.templates.loader import load_text

    yaml_template = load_template(TRIGGERS / "cfn_all_resources.yaml", path="t.yaml")
    # a JSON rendering of the same template (long-form intrinsics, as CDK writes them)
    data = load_text((TRIGGERS / "cfn_all_resources.yaml").read_text()).data
    (tmp_path / "t.json").write_text(json.dumps(data, indent=2))
    json_template = load_template(tmp_path / "t.json", path="t.json")
    assert sorted((t.name, t.kind) for t in json_template.functions["Fn"].triggers) == sorted(
        (t.name, t.kind) for t in yaml_template.functions["Fn"].triggers
    )


def test_which_triggers_retry_a_failed_invocation(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text(
        """
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue: {Type: AWS::SQS::Queue}
  Stream: {Type: AWS::Kinesis::Stream}
  Bucket: {Type: AWS::S3::Bucket}
  Api:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, CodeUri: ., Events: {Get: {Type: Api, Properties: {Path: /, Method: get}}}}
  Worker:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, CodeUri: ., Events: {Q: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}}}
  OnceStream:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      CodeUri: .
      Events: {K: {Type: Kinesis, Properties: {Stream: !GetAtt Stream.Arn, StartingPosition: LATEST, MaximumRetryAttempts: 0}}}
  Uploads:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: a.h, CodeUri: ., Events: {S: {Type: S3, Properties: {Bucket: !Ref Bucket, Events: s3:ObjectCreated:*}}}}
  UploadsOnce:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      CodeUri: .
      EventInvokeConfig: {MaximumRetryAttempts: 0}
      Events: {S: {Type: S3, Properties: {Bucket: !Ref Bucket, Events: s3:ObjectCreated:*}}}
  UploadsMaybe:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: a.h
      CodeUri: .
      EventInvokeConfig: {MaximumRetryAttempts: !Ref Attempts}
      Events: {S: {Type: S3, Properties: {Bucket: !Ref Bucket, Events: s3:ObjectCreated:*}}}
""",
        encoding="utf-8",
    )
    template = load_template(path, path="t.yaml")
    found = {name: [t.retries_errors for t in function.triggers] for name, function in template.functions.items()}
    assert found == {
        "Api": [False],
        "Worker": [True],
        "OnceStream": [False],
        "Uploads": [True],
        "UploadsOnce": [False],
        "UploadsMaybe": [None],
    }


def test_the_trigger_table_in_the_docs_is_what_the_code_builds():
    """docs/triggers.md is generated from RESOURCE_TRIGGERS / SAM_EVENTS / PERMISSION_PRINCIPALS
    (test_generated_docs_are_current keeps it current); here every row of those tables is
    checked against the triggers the model really builds from the fixtures."""
    template = load_template(TRIGGERS / "cfn_all_resources.yaml", path="t.yaml")
    covered = set()
    for trigger in template.functions["Fn"].triggers:
        if trigger.inferred:
            continue
        type_ = trigger.resource.type
        row = "AWS::CloudFormation::CustomResource" if type_ not in RESOURCE_TRIGGERS else type_
        _where, kinds, invocation = RESOURCE_TRIGGERS[row]
        assert trigger.invocation is invocation, trigger.name
        # the table names the usual kind; a WebSocket API's integration and a rule with a
        # ScheduleExpression say so in the "where" column
        variants = {("AWS::ApiGatewayV2::Integration", "websocket"), ("AWS::Events::Rule", "schedule")}
        assert trigger.kind in [k.strip() for k in kinds.split(",")] or (type_, trigger.kind) in variants, trigger.name
        covered.add(row)
    assert covered == set(RESOURCE_TRIGGERS)
    sam = load_template(TRIGGERS / "sam_all_events.yaml", path="t.yaml")
    types = set()
    for function in sam.functions.values():
        for name, event in (function.properties.get("Events") or {}).items():
            (trigger,) = function.triggers
            if "SqsSubscription" not in event.get("Properties", {}):
                assert (trigger.kind, trigger.invocation) == SAM_EVENTS[event["Type"]], name
            types.add(event["Type"])
    assert types == set(SAM_EVENTS)


@pytest.mark.parametrize("service", sorted(PERMISSION_PRINCIPALS))
def test_every_permission_principal_row_is_what_the_model_builds(tmp_path, service):
    path = tmp_path / "t.yaml"
    path.write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {Runtime: python3.12, Handler: index.handler}\n"
        f"  Allow:\n    Type: AWS::Lambda::Permission\n    Properties: {{Action: lambda:InvokeFunction, FunctionName: !Ref Fn, Principal: {service}.amazonaws.com}}\n",
        encoding="utf-8",
    )
    (trigger,) = load_template(path, path="t.yaml").functions["Fn"].triggers
    assert (trigger.kind, trigger.invocation) == PERMISSION_PRINCIPALS[service]
    assert trigger.inferred
