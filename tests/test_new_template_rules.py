"""LK306 (ReservedConcurrentExecutions: 0), LK408 (async configuration on a function nothing
invokes asynchronously) and LK508 (SQS BatchSize Lambda refuses): SAM and plain CloudFormation,
YAML and JSON, Terraform and the Serverless Framework, read through the same model."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import run_engine, write_project


def run(root: Path, files: dict[str, str], select: list[str]):
    write_project(root, files)
    result = run_engine([root], select=select)
    assert not result.internal_errors, result.internal_errors
    return [(Path(f.path).name, f.code, f.line, f.message) for f in result.findings]


def lines(found) -> list[tuple[str, str, int]]:
    return [(name, code, line) for name, code, line, _ in found]


SAM_FUNCTION = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
{queue}  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
{properties}      Events:
{events}"""
API_EVENT = "        Get:\n          Type: Api\n          Properties:\n            Path: /items\n            Method: get\n"
SQS_EVENT = "        Messages:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs.Arn\n{extra}"
ON_FAILURE = "      EventInvokeConfig:\n        DestinationConfig:\n          OnFailure:\n            Type: SQS\n"


def sam(properties: str = "", events: str = API_EVENT, queue: str = "", resources: str = "") -> str:
    return SAM_FUNCTION.format(properties=properties, events=events, queue=queue) + resources


# -- LK306 -----------------------------------------------------------------------------------


def test_lk306_sam_yaml_and_cloudformation_json(tmp_path: Path) -> None:
    cfn = {
        "Resources": {
            "Other": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Handler": "index.handler",
                    "Runtime": "python3.12",
                    "Role": "arn:aws:iam::123456789012:role/x",
                    "Code": {"ZipFile": "def handler(event, context): pass"},
                    "ReservedConcurrentExecutions": 0,
                },
            }
        }
    }
    found = run(
        tmp_path,
        {"a/template.yaml": sam("      ReservedConcurrentExecutions: 0\n"), "b/template.json": json.dumps(cfn, indent=2)},
        ["LK306"],
    )
    assert lines(found) == [("template.yaml", "LK306", 11), ("template.json", "LK306", 12)]
    assert found[0][3] == (
        "Worker ReservedConcurrentExecutions is 0: Lambda throttles every invocation (callers get a 429 "
        "TooManyRequestsException, events and queue messages are not processed); remove it or reserve the concurrency "
        "the function needs (a deliberate kill switch: suppress this finding with # lintkit: ignore[LK306])"
    )


def test_lk306_from_globals_a_parameter_and_metadata_suppression(tmp_path: Path) -> None:
    text = sam().replace("Resources:", "Globals:\n  Function:\n    ReservedConcurrentExecutions: !Ref Concurrency\nResources:").replace(
        "Transform: AWS::Serverless-2016-10-31\n",
        "Transform: AWS::Serverless-2016-10-31\nParameters:\n  Concurrency:\n    Type: Number\n    Default: 0\n",
    )
    found = run(tmp_path, {"template.yaml": text}, ["LK306"])
    assert lines(found) == [("template.yaml", "LK306", 8)]
    assert found[0][3].startswith("Worker ReservedConcurrentExecutions is 0 (parameter Concurrency's default): ")
    # a kill switch, said so where it is set (the Globals line)
    silenced = text.replace("!Ref Concurrency\n", "!Ref Concurrency  # lintkit: ignore[LK306]\n")
    assert run(tmp_path, {"template.yaml": silenced}, ["LK306"]) == []
    # or on the function, when the function sets it
    own = sam("      ReservedConcurrentExecutions: 0\n").replace(
        "    Type: AWS::Serverless::Function\n", "    Type: AWS::Serverless::Function\n    Metadata: {lintkit: {ignore: [LK306]}}\n"
    )
    assert run(tmp_path / "own", {"template.yaml": own}, ["LK306"]) == []


def test_lk306_terraform_and_serverless(tmp_path: Path) -> None:
    terraform = (
        'resource "aws_lambda_function" "fn" {\n  function_name = "fn"\n  filename = "code.zip"\n  handler = "app.handler"\n'
        '  runtime = "python3.12"\n  reserved_concurrent_executions = 0\n}\n'
    )
    serverless = (
        "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  worker:\n    handler: app.handler\n"
        "    reservedConcurrency: 0\n"
    )
    found = run(tmp_path, {"tf/main.tf": terraform, "sls/serverless.yml": serverless}, ["LK306"])
    assert sorted(lines(found)) == [("main.tf", "LK306", 6), ("serverless.yml", "LK306", 8)]


# -- LK408 -----------------------------------------------------------------------------------


def test_lk408_api_only_function_with_on_failure(tmp_path: Path) -> None:
    found = run(tmp_path, {"template.yaml": sam(ON_FAILURE)}, ["LK408"])
    assert found == [
        (
            "template.yaml", "LK408", 11,
            "Worker has an EventInvokeConfig, but it is only invoked synchronously (REST API): Lambda applies retries and "
            "destinations only to asynchronous invocations, so this configuration does nothing; the caller receives the "
            "error and Lambda neither retries nor sends it to a destination; remove it",
        )
    ]


def test_lk408_polled_function_with_an_event_invoke_config_resource(tmp_path: Path) -> None:
    resource = (
        "  WorkerConfig:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Worker\n"
        "      Qualifier: $LATEST\n      MaximumRetryAttempts: 0\n"
    )
    found = run(tmp_path, {"template.yaml": sam(events=SQS_EVENT.format(extra=""), resources=resource)}, ["LK408"])
    assert lines(found) == [("template.yaml", "LK408", 16)]
    assert "only invoked by event source mappings (SQS)" in found[0][3]
    assert "failed records go to the queue's RedrivePolicy or the mapping's DestinationConfig" in found[0][3]


def test_lk408_silent_when_something_may_invoke_it_asynchronously(tmp_path: Path) -> None:
    async_cases = {
        # an asynchronous trigger next to the API
        "s3": sam(ON_FAILURE, events=API_EVENT + "        Up:\n          Type: S3\n          Properties:\n            Bucket: !Ref B\n"
                  "            Events: s3:ObjectCreated:*\n", resources="  B:\n    Type: AWS::S3::Bucket\n"),
        # a permission for a principal lintkit does not map
        "permission": sam(ON_FAILURE, resources="  P:\n    Type: AWS::Lambda::Permission\n    Properties:\n      Action: lambda:InvokeFunction\n"
                          "      FunctionName: !Ref Worker\n      Principal: '123456789012'\n"),
        # another function's destination: Lambda invokes it asynchronously
        "destination": sam(ON_FAILURE, resources="  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: x\n"
                           "      Handler: index.handler\n      Runtime: python3.12\n      EventInvokeConfig:\n        DestinationConfig:\n"
                           "          OnSuccess:\n            Type: Lambda\n            Destination: !GetAtt Worker.Arn\n"),
        # an IAM grant: whoever holds it may invoke it either way
        "iam": sam(ON_FAILURE, resources="  Grant:\n    Type: AWS::IAM::Policy\n    Properties:\n      PolicyName: p\n      Roles: [r]\n"
                   "      PolicyDocument:\n        Statement: [{Effect: Allow, Action: lambda:InvokeFunction, Resource: !Sub '${Worker.Arn}'}]\n"),
        # exported for other stacks
        "export": sam(ON_FAILURE) + "Outputs:\n  Fn:\n    Value: !GetAtt Worker.Arn\n    Export: {Name: worker}\n",
        # no trigger at all: unknown
        "none": sam(ON_FAILURE, events="").replace("      Events:\n", ""),
    }
    for name, text in async_cases.items():
        assert run(tmp_path / name, {"template.yaml": text}, ["LK408"]) == [], name


def test_lk408_silent_when_project_code_invokes_it_with_event(tmp_path: Path) -> None:
    template = sam(ON_FAILURE).replace('InlineCode: "def handler(event, context): pass"', "CodeUri: .").replace(
        "Handler: index.handler", "Handler: app.handler"
    ).replace("      Events:\n", "      Environment:\n        Variables:\n          SELF: !Ref Worker\n      Events:\n")
    code = (
        "import os\nimport boto3\n\nclient = boto3.client('lambda')\n\n\ndef handler(event, context):\n"
        "    client.invoke(FunctionName=os.environ['SELF'], InvocationType='{kind}', Payload=b'{{}}')\n"
    )
    assert run(tmp_path / "a", {"template.yaml": template, "app.py": code.format(kind="Event")}, ["LK408"]) == []
    found = run(tmp_path / "b", {"template.yaml": template, "app.py": code.format(kind="RequestResponse")}, ["LK408"])
    assert lines(found) == [("template.yaml", "LK408", 11)]


def test_lk408_serverless_destinations_on_an_http_function(tmp_path: Path) -> None:
    serverless = (
        "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  api:\n    handler: app.handler\n"
        "    destinations:\n      onFailure: arn:aws:sqs:eu-west-1:123456789012:failed\n    events:\n      - httpApi: GET /items\n"
    )
    found = run(tmp_path, {"serverless.yml": serverless}, ["LK408"])
    assert [(name, code) for name, code, _, _ in found] == [("serverless.yml", "LK408")]
    assert found[0][3].startswith("ApiLambdaFunction has an EventInvokeConfig, but it is only invoked synchronously (HTTP API)")


# -- LK508 -----------------------------------------------------------------------------------


def test_lk508_sam_standard_queue_without_window(tmp_path: Path) -> None:
    found = run(tmp_path, {"template.yaml": sam(events=SQS_EVENT.format(extra="            BatchSize: 100\n"))}, ["LK508"])
    assert found == [
        (
            "template.yaml", "LK508", 16,
            "Worker event Messages: BatchSize 100 is above 10 without MaximumBatchingWindowInSeconds: Lambda rejects the "
            "mapping at deploy; set MaximumBatchingWindowInSeconds to at least 1 (allows up to 10,000) or BatchSize to 10 or less",
        )
    ]
    windowed = SQS_EVENT.format(extra="            BatchSize: 100\n            MaximumBatchingWindowInSeconds: 2\n")
    assert run(tmp_path / "w", {"template.yaml": sam(events=windowed)}, ["LK508"]) == []
    zero = SQS_EVENT.format(extra="            BatchSize: 100\n            MaximumBatchingWindowInSeconds: 0\n")
    found = run(tmp_path / "z", {"template.yaml": sam(events=zero)}, ["LK508"])
    assert [(code, line) for _, code, line, _ in found] == [("LK508", 16)]
    assert found[0][3].startswith("Worker event Messages: BatchSize 100 is above 10 with MaximumBatchingWindowInSeconds 0: ")


def test_lk508_fifo_queue_with_a_window(tmp_path: Path) -> None:
    windowed = SQS_EVENT.format(extra="            BatchSize: 50\n            MaximumBatchingWindowInSeconds: 2\n")
    text = sam(events=windowed, queue="    Properties:\n      FifoQueue: true\n      ContentBasedDeduplication: true\n")
    found = run(tmp_path, {"template.yaml": text}, ["LK508"])
    assert found == [
        (
            "template.yaml", "LK508", 19,
            "Worker event Messages: BatchSize 50 is above 10, the maximum for a FIFO queue (Jobs): Lambda rejects the "
            "mapping at deploy, whatever the batching window; set BatchSize to 10 or less",
        )
    ]


def test_lk508_cloudformation_json_mapping_of_another_stacks_function_on_a_fifo_arn(tmp_path: Path) -> None:
    cfn = {
        "Resources": {
            "Mapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {
                    "FunctionName": "arn:aws:lambda:eu-west-1:123456789012:function:worker",
                    "EventSourceArn": "arn:aws:sqs:eu-west-1:123456789012:orders.fifo",
                    "BatchSize": 20,
                    "MaximumBatchingWindowInSeconds": 5,
                },
            }
        }
    }
    found = run(tmp_path, {"template.json": json.dumps(cfn, indent=2)}, ["LK508"])
    assert found == [
        (
            "template.json", "LK508", 8,
            "event source mapping Mapping: BatchSize 20 is above 10, the maximum for a FIFO queue (a .fifo queue): Lambda "
            "rejects the mapping at deploy, whatever the batching window; set BatchSize to 10 or less",
        )
    ]


def test_lk508_batch_size_from_a_parameter_and_the_maximum(tmp_path: Path) -> None:
    text = sam(events=SQS_EVENT.format(extra="            BatchSize: !Ref Size\n            MaximumBatchingWindowInSeconds: 1\n")).replace(
        "Transform: AWS::Serverless-2016-10-31\n",
        "Transform: AWS::Serverless-2016-10-31\nParameters:\n  Size:\n    Type: Number\n    Default: 20000\n",
    )
    found = run(tmp_path, {"template.yaml": text}, ["LK508"])
    assert [(code, line, message) for _, code, line, message in found] == [
        (
            "LK508", 20,
            "Worker event Messages: BatchSize 20000 (parameter Size's default) is above the SQS maximum of 10,000: Lambda "
            "rejects the mapping at deploy",
        )
    ]


def test_lk508_terraform_and_serverless(tmp_path: Path) -> None:
    terraform = (
        'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'
        'resource "aws_lambda_function" "fn" {\n  function_name = "fn"\n  filename = "code.zip"\n  handler = "app.handler"\n'
        '  runtime = "python3.12"\n}\n'
        'resource "aws_lambda_event_source_mapping" "jobs" {\n  event_source_arn = aws_sqs_queue.jobs.arn\n'
        "  function_name = aws_lambda_function.fn.arn\n  batch_size = 25\n}\n"
    )
    serverless = (
        "service: svc\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  worker:\n    handler: app.handler\n"
        "    events:\n      - sqs:\n          arn: arn:aws:sqs:eu-west-1:123456789012:jobs\n          batchSize: 30\n"
    )
    found = run(tmp_path, {"tf/main.tf": terraform, "sls/serverless.yml": serverless}, ["LK508"])
    assert sorted(lines(found)) == [("main.tf", "LK508", 13), ("serverless.yml", "LK508", 11)]


# -- LK603's message below six times the function timeout (issue 14, item 9) -------------------

LK603_SIX_TIMES = (
    "queue Jobs VisibilityTimeout 60 s is less than 6 x Worker's Timeout 30 s, as AWS recommends: when Lambda is "
    "throttled and retries a batch, its messages can become visible again before it is done and another invocation "
    "receives them too; set it to at least 180 s"
)


def test_lk603_below_six_times_says_what_the_margin_is_for_sam_yaml(tmp_path):
    template = SAM_FUNCTION.format(
        queue="    Properties:\n      VisibilityTimeout: 60\n",
        properties="      Timeout: 30\n",
        events=SQS_EVENT.format(extra="            BatchSize: 1\n"),
    )
    assert run(tmp_path, {"template.yaml": template}, ["LK603"]) == [("template.yaml", "LK603", 6, LK603_SIX_TIMES)]


def test_lk603_below_six_times_says_what_the_margin_is_for_cloudformation_json(tmp_path):
    template = {
        "Resources": {
            "Jobs": {"Type": "AWS::SQS::Queue", "Properties": {"VisibilityTimeout": 60}},
            "Worker": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "Timeout": 30,
                               "Code": {"ZipFile": "def handler(event, context): pass"}, "Role": "arn:aws:iam::123456789012:role/r"},
            },
            "Mapping": {
                "Type": "AWS::Lambda::EventSourceMapping",
                "Properties": {"FunctionName": {"Ref": "Worker"}, "EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}, "BatchSize": 1},
            },
        }
    }
    found = run(tmp_path, {"template.json": json.dumps(template, indent=2)}, ["LK603"])
    assert found == [("template.json", "LK603", 6, LK603_SIX_TIMES)]  # at "VisibilityTimeout": 60
