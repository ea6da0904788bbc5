"""Every trigger form loads into the model with the right kind and sync / async / poll tag."""

from __future__ import annotations

from conftest import FIXTURES

from lintkit.templates.model import EventSourceMapping, Invocation, load_template

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
