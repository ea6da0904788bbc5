"""The LK4xx rules on real-shaped templates (SAM and plain CloudFormation, YAML and JSON):
who invokes how (IoT authorizers, custom resources), consumed dead-letter queues, targets
whose function lives in another stack, and the messages."""

from __future__ import annotations

import json
import textwrap

from conftest import run_engine


def lint(tmp_path, name: str, text: str, select=("LK401",)):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n") if not name.endswith(".json") else text, encoding="utf-8")
    result = run_engine([path], select=list(select))
    assert not result.internal_errors, result.internal_errors
    return [(f.code, f.path.rsplit("/", 1)[-1], f.line, f.message) for f in result.findings]


SAM_IOT = """
Transform: AWS::Serverless-2016-10-31
Resources:
  DeviceAuthorizer:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): return {'isAuthenticated': True}"
      Handler: index.handler
      Runtime: python3.12
  Authorizer:
    Type: AWS::IoT::Authorizer
    Properties:
      AuthorizerFunctionArn: !GetAtt DeviceAuthorizer.Arn
      Status: ACTIVE
      SigningDisabled: true
  AuthorizerInvokePermission:
    Type: AWS::Lambda::Permission
    Properties:
      Action: lambda:InvokeFunction
      FunctionName: !Ref DeviceAuthorizer
      Principal: iot.amazonaws.com
  Ingest:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
      Events:
        Readings:
          Type: IoTRule
          Properties:
            Sql: "SELECT * FROM 'sensors/+'"
"""


def test_an_iot_authorizer_is_synchronous_and_a_topic_rule_asynchronous_sam_yaml(tmp_path):
    # the permission has no SourceArn: the authorizer that names the function decides
    assert lint(tmp_path, "template.yaml", SAM_IOT) == [
        (
            "LK401",
            "template.yaml",
            21,
            "Ingest is invoked asynchronously (IoT) but has no dead-letter queue or on-failure destination: events "
            "that still fail after 2 retries are dropped; add EventInvokeConfig.DestinationConfig.OnFailure (or a "
            "DeadLetterQueue)",
        )
    ]


def test_a_permission_whose_source_is_an_authorizer_arn_is_synchronous_cfn_json(tmp_path):
    # the authorizer lives in another stack: only the permission's SourceArn tells
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Authorize": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": "arn:aws:iam::123456789012:role/a",
                    "Code": {"ZipFile": "def handler(event, context): pass"},
                },
            },
            "AllowAuthorizer": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Fn::GetAtt": ["Authorize", "Arn"]},
                    "Principal": "iot.amazonaws.com",
                    "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:iot:${AWS::Region}:${AWS::AccountId}:authorizer/device-auth"},
                },
            },
            "Rules": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Runtime": "python3.12",
                    "Handler": "index.handler",
                    "Role": "arn:aws:iam::123456789012:role/a",
                    "Code": {"ZipFile": "def handler(event, context): pass"},
                },
            },
            "AllowRule": {
                "Type": "AWS::Lambda::Permission",
                "Properties": {
                    "Action": "lambda:InvokeFunction",
                    "FunctionName": {"Ref": "Rules"},
                    "Principal": "iot.amazonaws.com",
                    "SourceArn": "arn:aws:iot:eu-west-1:123456789012:rule/readings",
                },
            },
        },
    }
    found = lint(tmp_path, "template.json", json.dumps(template, indent=2))
    assert [(code, file, line) for code, file, line, _ in found] == [("LK401", "template.json", 31)]
    assert found[0][3].startswith("Rules is invoked asynchronously (IoT) but has no dead-letter queue")


def test_a_custom_resource_function_is_asynchronous_but_not_told_to_add_a_dlq(tmp_path):
    from lintkit.templates.model import Invocation, load_template

    text = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Provider:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/p
          Code: {ZipFile: "def handler(event, context): pass"}
      Seed:
        Type: Custom::SeedTable
        Properties:
          ServiceToken: !GetAtt Provider.Arn
    """
    assert lint(tmp_path, "template.yaml", text) == []
    (trigger,) = load_template(tmp_path / "template.yaml", path="template.yaml").functions["Provider"].triggers
    assert (trigger.kind, trigger.invocation, trigger.location().line) == ("cloudformation", Invocation.ASYNC, 13)


def test_a_consumed_dead_letter_queue_needs_its_own_redrive_sam_yaml(tmp_path):
    text = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::SQS::Queue
        Properties:
          RedrivePolicy: {deadLetterTargetArn: !GetAtt OrdersDlq.Arn, maxReceiveCount: 5}
      OrdersDlq:
        Type: AWS::SQS::Queue
      Replay:
        Type: AWS::Serverless::Function
        Properties:
          InlineCode: "def handler(event, context): pass"
          Handler: index.handler
          Runtime: python3.12
          Events:
            Failed:
              Type: SQS
              Properties: {Queue: !GetAtt OrdersDlq.Arn, BatchSize: 1}
    """
    assert lint(tmp_path, "template.yaml", text, select=["LK404"]) == [
        (
            "LK404",
            "template.yaml",
            7,
            "queue OrdersDlq feeds Replay but has no RedrivePolicy (it is a dead-letter queue itself, and its consumer "
            "can fail too): a message that keeps failing is retried until it expires; add a RedrivePolicy with a "
            "dead-letter queue",
        )
    ]


def test_mappings_and_targets_of_functions_in_other_stacks_are_checked_cfn_json(tmp_path):
    template = {
        "Parameters": {"ConsumerArn": {"Type": "String"}},
        "Resources": {
            "Clicks": {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": 1}},
            "ClicksMapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "FunctionName": {"Ref": "ConsumerArn"},
                    "EventSourceArn": {"Fn::GetAtt": ["Clicks", "Arn"]},
                    "StartingPosition": "LATEST",
                },
            },
            "Nightly": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 day)",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {"Arn": "arn:aws:lambda:eu-west-1:123456789012:function:report", "RoleArn": "arn:aws:iam::1:role/s"},
                },
            },
            "ToQueue": {
                "Type": "AWS::Scheduler::Schedule",
                "Properties": {
                    "ScheduleExpression": "rate(1 day)",
                    "FlexibleTimeWindow": {"Mode": "OFF"},
                    "Target": {"Arn": {"Fn::ImportValue": "jobs-queue-arn"}, "RoleArn": "arn:aws:iam::1:role/s"},
                },
            },
        },
    }
    found = lint(tmp_path, "template.json", json.dumps(template, indent=2), select=["LK403", "LK506", "LK405", "LK401", "LK602"])
    assert sorted((code, file, line) for code, file, line, _ in found) == [
        ("LK403", "template.json", 14),
        ("LK405", "template.json", 36),
        ("LK506", "template.json", 14),
    ]
    messages = {code: message for code, _, _, message in found}
    assert messages["LK403"].startswith("event source mapping ClicksMapping has no on-failure destination")
    assert messages["LK405"] == (
        "EventBridge Scheduler Nightly delivers to function 'report' without a DeadLetterConfig: events EventBridge "
        "cannot deliver are dropped after its retries; add a target DeadLetterConfig"
    )


def test_an_inline_topic_subscription_is_told_to_become_a_subscription_resource(tmp_path):
    text = """
    AWSTemplateFormatVersion: "2010-09-09"
    Resources:
      Notify:
        Type: AWS::Lambda::Function
        Properties:
          Runtime: python3.12
          Handler: index.handler
          Role: arn:aws:iam::123456789012:role/n
          Code: {ZipFile: "def handler(event, context): pass"}
      Alerts:
        Type: AWS::SNS::Topic
        Properties:
          Subscription:
            - Protocol: lambda
              Endpoint: !GetAtt Notify.Arn
    """
    assert lint(tmp_path, "template.yaml", text, select=["LK406"]) == [
        (
            "LK406",
            "template.yaml",
            14,
            "SNS Alerts delivers to Notify without a RedrivePolicy: messages SNS cannot deliver are discarded after "
            "its retries; move the subscription to an AWS::SNS::Subscription resource with a RedrivePolicy (an SQS "
            "dead-letter queue)",
        )
    ]
