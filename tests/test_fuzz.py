"""Property-based tests: random but well-formed templates (resources, events, properties,
intrinsic functions pointing anywhere) and random handler code go through loading, the model
and every rule. No exception may escape, no rule may crash, and every finding must carry a
path that was checked and a position inside that file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import run_engine

from lintkit.text import split_lines

LOGICAL_IDS = ["Fn", "Worker", "Queue", "Dlq", "Stream", "Table", "Topic", "Bucket", "Rule", "Api", "Missing"]
RESOURCE_TYPES = [
    "AWS::Serverless::Function", "AWS::Lambda::Function", "AWS::SQS::Queue", "AWS::Kinesis::Stream",
    "AWS::DynamoDB::Table", "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::S3::Bucket",
    "AWS::Lambda::EventSourceMapping", "AWS::Lambda::Permission", "AWS::Lambda::EventInvokeConfig",
    "AWS::Events::Rule", "AWS::Scheduler::Schedule", "AWS::ApiGateway::Method", "AWS::ApiGatewayV2::Integration",
    "AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::Lambda::Url", "AWS::AppSync::DataSource",
    "AWS::Lambda::Alias", "Custom::S3BucketNotifications",
]
EVENT_TYPES = [
    "SQS", "Kinesis", "DynamoDB", "S3", "SNS", "EventBridgeRule", "Schedule", "ScheduleV2", "Api", "HttpApi",
    "CloudWatchLogs", "IoTRule", "MSK", "MQ", "Cognito", "Nonsense",
]
PROPERTY_KEYS = [
    "FunctionName", "EventSourceArn", "BatchSize", "FunctionResponseTypes", "MaximumRetryAttempts",
    "MaximumRecordAgeInSeconds", "BisectBatchOnFunctionError", "DestinationConfig", "Timeout", "Handler",
    "Runtime", "CodeUri", "Code", "DeadLetterQueue", "DeadLetterConfig", "EventInvokeConfig", "VisibilityTimeout",
    "RedrivePolicy", "Principal", "Targets", "Target", "Integration", "IntegrationUri", "TargetType",
    "NotificationConfiguration", "Protocol", "Endpoint", "Subscription", "TimeoutInMillis", "Queue", "Stream",
    "StartingPosition", "MaximumBatchingWindowInSeconds", "Qualifier", "AutoPublishAlias", "ScheduleExpression",
    "LambdaConfig", "Type", "OnFailure", "Destination", "FifoQueue", "ResponseTransferMode", "FunctionUrlConfig",
]

ids = st.sampled_from(LOGICAL_IDS)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-5, max_value=100_000), st.sampled_from(
        ["", "ReportBatchItemFailures", "python3.12", "nodejs20.x", "app.handler", "src/", "s3.amazonaws.com",
         "lambda", "AWS_PROXY", "STREAM", "LATEST", "$LATEST", "arn:aws:sqs:us-east-1:1:q", "-1", "../x"]
    ), st.text(max_size=8),
)
intrinsics = st.one_of(
    st.builds(lambda i: {"Ref": i}, ids),
    st.builds(lambda i: {"Fn::GetAtt": [i, "Arn"]}, ids),
    st.builds(lambda i: {"Fn::GetAtt": f"{i}.Arn"}, ids),
    st.builds(lambda i: {"Fn::Sub": "arn:${AWS::Partition}:lambda:${AWS::Region}:x:function:${" + i + "}"}, ids),
    st.builds(lambda i: {"Fn::ImportValue": i}, ids),
    st.builds(lambda a, b: {"Fn::If": ["C", a, b]}, scalars, scalars),
    st.builds(lambda i: {"Fn::GetAtt": i}, st.one_of(st.none(), st.integers(), st.lists(ids, max_size=3))),
    st.builds(lambda v: {"Fn::Sub": v}, st.one_of(st.lists(scalars, max_size=3), st.integers())),
)
values = st.recursive(
    st.one_of(scalars, intrinsics),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(PROPERTY_KEYS), children, max_size=5),
    ),
    max_leaves=12,
)
references = st.one_of(
    st.builds(lambda i: {"Ref": i}, ids),
    st.builds(lambda i: {"Fn::GetAtt": [i, "Arn"]}, ids),
    st.builds(lambda i: {"Fn::Sub": "${" + i + ".Arn}"}, ids),
    ids,
)
numbers = st.sampled_from([-1, 0, 1, 2, 5, 10, 29, 30, 60, 100, 300, 810, 900, 1000, 10000, 30000, 90000])
# Plausible values per property, so that random templates form real structure (functions with
# mappings to declared queues, permissions, destinations) and reach every rule; any key may
# still get any value.
TYPED_VALUES = {
    **dict.fromkeys(["FunctionName", "Endpoint", "TargetFunctionArn", "IntegrationUri", "Uri", "Arn", "Id", "Destination", "TargetArn", "deadLetterTargetArn"], references),
    **dict.fromkeys(["EventSourceArn", "Queue", "Stream"], st.builds(lambda i: {"Fn::GetAtt": [i, "Arn"]}, ids)),
    **dict.fromkeys(["BatchSize", "Timeout", "VisibilityTimeout", "MaximumRetryAttempts", "MaximumRecordAgeInSeconds", "TimeoutInMillis", "MaximumBatchingWindowInSeconds"], numbers),
    "FunctionResponseTypes": st.sampled_from([["ReportBatchItemFailures"], [], {"Fn::If": ["C", ["ReportBatchItemFailures"], []]}]),
    "Principal": st.sampled_from(["s3.amazonaws.com", "sns.amazonaws.com", "events.amazonaws.com", "apigateway.amazonaws.com", "x"]),
    "Runtime": st.sampled_from(["python3.12", "nodejs20.x", {"Ref": "R"}]),
    "Handler": st.sampled_from(["app.handler", "src/app.handler", "handler", "../x.handler"]),
    "Protocol": st.sampled_from(["lambda", "sqs"]),
    "TargetType": st.sampled_from(["lambda", "ip"]),
    "StartingPosition": st.just("LATEST"),
}


@st.composite
def typed_value(draw, key: str):
    if key in TYPED_VALUES and draw(st.integers(0, 3)):
        return draw(TYPED_VALUES[key])
    return draw(values)


@st.composite
def properties_strategy(draw):
    keys = draw(st.lists(st.sampled_from(PROPERTY_KEYS), max_size=8, unique=True))
    result = {key: draw(typed_value(key)) for key in keys}
    if "DestinationConfig" in result and draw(st.booleans()):
        result["DestinationConfig"] = {"OnFailure": {"Destination": draw(references)}}
    if "Targets" in result and draw(st.booleans()):
        result["Targets"] = [{"Id": "t", "Arn": draw(references)}]
    return result


properties = properties_strategy()
events = st.dictionaries(
    st.sampled_from(["E1", "E2", "E3"]),
    st.fixed_dictionaries({"Type": st.sampled_from(EVENT_TYPES), "Properties": properties}),
    max_size=3,
)


@st.composite
def templates(draw):
    resources = {}
    for logical_id in draw(st.lists(ids, max_size=8, unique=True)):
        props = draw(properties)
        resource_type = draw(st.sampled_from(RESOURCE_TYPES))
        if resource_type == "AWS::Serverless::Function" and draw(st.booleans()):
            props["Events"] = draw(events)
        node = {"Type": resource_type, "Properties": props}
        if draw(st.booleans()):
            node["Metadata"] = {"lintkit": {"ignore": draw(st.lists(st.sampled_from(["LK401", "LK501", "LK999"]), max_size=2))}}
        resources[logical_id] = node
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}
    if draw(st.booleans()):
        template["Transform"] = "AWS::Serverless-2016-10-31"
        template["Globals"] = {"Function": draw(properties)}
    return template


HANDLER_PIECES = [
    "for record in event['Records']:\n    try:\n        process(record)\n    except Exception:\n        logger.exception('x')\n",
    "failures.append({'itemIdentifier': record['receiptHandle']})\n",
    "return {'batchItemFailures': failures}\n",
    "return {'batchItemFailures': [{'itemIdentifer': r['messageId']} for r in event['Records']]}\n",
    "body = event['Records'][0]['body']\n",
    "client = boto3.client('lambda')\nclient.invoke(FunctionName=os.environ['TARGET'], InvocationType='Event', Payload=b'{}')\n",
    "for item in event['items']:\n    boto3.client('lambda').invoke(FunctionName='x', InvocationType='Event')\n",
    "await asyncio.gather(*[fetch(u) for u in event['urls']])\n",
    "requests.get(event['url'])\n",
    "with ThreadPoolExecutor(max_workers=len(event['items'])) as pool:\n    pool.map(work, event['items'])\n",
    "pool = multiprocessing.Pool(4)\n",
    "return s3.get_object(Bucket='b', Key=event['key'])['Body'].read()\n",
    "for attempt in range(3):\n    try:\n        call()\n        break\n    except Exception:\n        continue\n",
    "pass\n",
]


@st.composite
def handlers(draw):
    pieces = draw(st.lists(st.sampled_from(HANDLER_PIECES), min_size=1, max_size=5))
    asynchronous = any("await" in piece for piece in pieces)
    body = "".join(piece for piece in pieces)
    indented = "".join("    " + line + "\n" for line in body.splitlines())
    header = (
        "import asyncio, os, json, logging, multiprocessing\nimport boto3, requests\n"
        "from concurrent.futures import ThreadPoolExecutor\nlogger = logging.getLogger()\ns3 = boto3.client('s3')\n\n"
    )
    keyword = "async def" if asynchronous else "def"
    return header + f"{keyword} handler(event, context):\n    failures = []\n{indented}"


FUZZ_SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_result(result, root: Path) -> None:
    assert result.internal_errors == [], [(e.code, e.path, e.details) for e in result.internal_errors]
    texts = {t.path: t.text for t in result.project.templates}
    texts.update({m.path: m.text for m in result.project.modules.values()})
    for finding in result.findings:
        assert finding.path, finding
        assert (root / finding.path).exists() or Path(finding.path).exists(), finding
        assert finding.line >= 1 and finding.column >= 1, finding
        if finding.path in texts:
            assert finding.line <= len(split_lines(texts[finding.path])), finding


@FUZZ_SETTINGS
@given(templates(), st.booleans())
def test_random_templates_never_crash_a_rule(template, as_json):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        name = "template.json" if as_json else "template.yaml"
        text = json.dumps(template, indent=1) if as_json else yaml.safe_dump(template, sort_keys=False)
        (root / name).write_text(text)
        check_result(run_engine([root]), root)


@FUZZ_SETTINGS
@given(handlers(), st.sampled_from(["SQS", "Kinesis", "DynamoDB", "S3", "Api"]), st.sampled_from([1, 10, None]))
def test_random_handlers_with_their_template_never_crash_a_rule(code, event_type, batch_size):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "app.py").write_text(code)
        event_properties = {"Queue": {"Fn::GetAtt": ["Q", "Arn"]}, "Stream": {"Fn::GetAtt": ["Q", "Arn"]}, "StartingPosition": "LATEST"}
        if batch_size is not None:
            event_properties["BatchSize"] = batch_size
        template = {
            "Transform": "AWS::Serverless-2016-10-31",
            "Resources": {
                "Q": {"Type": "AWS::SQS::Queue"},
                "Fn": {
                    "Type": "AWS::Serverless::Function",
                    "Properties": {
                        "CodeUri": ".", "Handler": "app.handler", "Runtime": "python3.12",
                        "Environment": {"Variables": {"TARGET": {"Ref": "Fn"}}},
                        "Events": {"E": {"Type": event_type, "Properties": event_properties}},
                    },
                },
            },
        }
        (root / "template.yaml").write_text(yaml.safe_dump(template))
        result = run_engine([root])
        check_result(result, root)
        assert not [f for f in result.findings if f.code == "LK001"], "generated code must parse"


# Serverless Framework services: every event type, settings under their framework names with
# plausible or random values, variables of every source (resolvable, unknown, cyclic), and
# references into `resources.Resources`.
SLS_EVENT_TYPES = [
    "sqs", "stream", "sns", "s3", "eventBridge", "schedule", "http", "httpApi", "websocket", "alb",
    "cloudwatchLog", "iot", "cognitoUserPool", "msk", "kafka", "activemq", "nonsense",
]
SLS_KEYS = [
    "arn", "batchSize", "maximumBatchingWindow", "functionResponseType", "type", "maximumRetryAttempts",
    "bisectBatchOnFunctionError", "destinations", "maximumRecordAgeInSeconds", "topicName", "redrivePolicy",
    "bucket", "pattern", "schedule", "deadLetterQueueArn", "retryPolicy", "rate", "method", "path", "async",
    "route", "listenerArn", "logGroup", "sql", "onFailure", "deadLetterTargetRef", "deadLetterTargetArn",
]
sls_variables = st.sampled_from(
    ["${self:custom.a}", "${self:custom.b}", "${self:custom.missing, 'x'}", "${opt:stage}", "${ssm:/p}",
     "${file(./x.yml)}", "${env:X, 3}", "arn:aws:sqs:${aws:region}:1:${self:custom.a}", "${self:}", "${",
     "${AWS::Region}", "${self:custom.cycle}"]
)
sls_scalars = st.one_of(scalars, sls_variables, references, st.sampled_from(["GET /x", "rate(1 day)", "ReportBatchItemFailures", "kinesis", "dynamodb"]))
sls_values = st.recursive(
    sls_scalars,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(st.sampled_from(SLS_KEYS), children, max_size=4)),
    max_leaves=10,
)
sls_event = st.builds(lambda kind, spec: {kind: spec}, st.sampled_from(SLS_EVENT_TYPES), sls_values)
sls_function = st.fixed_dictionaries(
    {"handler": st.sampled_from(["app.handler", "src/app.handler", "missing.handler", "${self:custom.a}", "x"])},
    optional={
        "timeout": st.one_of(numbers, sls_variables),
        "runtime": st.sampled_from(["python3.12", "nodejs20.x", "${opt:runtime}"]),
        "events": st.one_of(st.lists(sls_event, max_size=4), sls_values),
        "onError": sls_scalars,
        "maximumRetryAttempts": st.one_of(numbers, sls_values),
        "destinations": sls_values,
        "environment": st.dictionaries(st.sampled_from(["TARGET", "OTHER"]), sls_scalars, max_size=2),
        "image": sls_scalars,
        "url": sls_values,
        "package": sls_values,
    },
)


@st.composite
def services(draw):
    service = {
        "service": "fuzz",
        "custom": {"a": draw(sls_scalars), "b": draw(sls_values), "cycle": "${self:custom.cycle}"},
        "provider": draw(st.one_of(st.fixed_dictionaries({}, optional={"runtime": st.sampled_from(["python3.12", "nodejs20.x"]), "timeout": st.one_of(numbers, sls_variables), "environment": sls_values}), sls_values)),
        "functions": draw(st.one_of(st.dictionaries(st.sampled_from(["worker", "api-fn", "my_fn"]), sls_function, max_size=3), sls_values)),
    }
    if draw(st.booleans()):
        service["frameworkVersion"] = draw(st.sampled_from(["3", "^3", "4", ">=3", 3]))
    if draw(st.booleans()):
        service["resources"] = {"Resources": draw(templates())["Resources"]}
    return service


@FUZZ_SETTINGS
@given(services())
def test_random_serverless_services_never_crash_a_rule(service):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "serverless.yml").write_text(yaml.safe_dump(service, sort_keys=False))
        (root / "app.py").write_text("def handler(event, context):\n    for record in event['Records']:\n        pass\n")
        check_result(run_engine([root]), root)


# -- Terraform: random resources of every type the loader translates, with values that are
# literals, references (resolvable or not), variables, locals, jsonencode() and nested blocks

TF_TYPES = [
    "aws_lambda_function", "aws_lambda_event_source_mapping", "aws_lambda_function_event_invoke_config",
    "aws_lambda_permission", "aws_lambda_function_url", "aws_s3_bucket_notification", "aws_sns_topic_subscription",
    "aws_cloudwatch_event_rule", "aws_cloudwatch_event_target", "aws_scheduler_schedule", "aws_sqs_queue",
    "aws_sqs_queue_redrive_policy", "aws_kinesis_stream", "aws_api_gateway_integration", "aws_apigatewayv2_api",
    "aws_apigatewayv2_integration", "aws_lb_target_group", "aws_lb_target_group_attachment",
]
TF_NAMES = ["a", "b", "fn"]
TF_KEYS = [
    "function_name", "handler", "runtime", "timeout", "filename", "event_source_arn", "batch_size",
    "function_response_types", "maximum_retry_attempts", "principal", "endpoint", "protocol", "arn", "rule",
    "visibility_timeout_seconds", "redrive_policy", "type", "uri", "timeout_milliseconds", "integration_uri",
    "api_id", "protocol_type", "target_type", "target_id", "target_group_arn", "queue_url", "count",
    "schedule_expression", "lambda_function_arn", "source_path", "event_source_mapping", "allowed_triggers",
]
TF_BLOCKS = ["dead_letter_config", "destination_config", "on_failure", "environment", "lambda_function", "target", "retry_policy"]


@st.composite
def tf_value(draw, depth: int = 0):
    reference = st.builds(
        lambda t, n, a, i: f"{t}.{n}{i}.{a}", st.sampled_from(TF_TYPES), st.sampled_from(TF_NAMES),
        st.sampled_from(["arn", "id", "name", "function_name", "invoke_arn", "url", "x"]), st.sampled_from(["", "[0]", '["k"]']),
    )
    choices = [
        st.integers(-5, 2000).map(str),
        st.sampled_from(['"python3.12"', '"app.handler"', '"lambda"', '"s3.amazonaws.com"', '"AWS_PROXY"', '"WEBSOCKET"', "true", "null", '"${path.module}/src"', '"x${var.v}y"']),
        reference,
        st.sampled_from(["var.v", "var.d", "local.l", "local.missing", "module.m.lambda_function_arn", "data.archive_file.z.output_path", "each.value", "count.index", "var.v ? 1 : 0"]),
    ]
    if depth < 2:
        choices.append(st.lists(tf_value(depth + 1), max_size=3).map(lambda items: "[" + ", ".join(items) + "]"))
        choices.append(
            st.dictionaries(st.sampled_from(["deadLetterTargetArn", "maxReceiveCount", "service", "event_source_arn", "k"]), tf_value(depth + 1), max_size=3)
            .map(lambda d: "{" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "}")
        )
        choices.append(st.dictionaries(st.sampled_from(["deadLetterTargetArn", "maxReceiveCount"]), tf_value(depth + 1), max_size=2).map(
            lambda d: "jsonencode({" + ", ".join(f"{k} = {v}" for k, v in d.items()) + "})"
        ))
    return draw(st.one_of(choices))


@st.composite
def tf_body(draw, depth: int = 0) -> str:
    lines = [f"  {key} = {draw(tf_value())}" for key in draw(st.lists(st.sampled_from(TF_KEYS), max_size=6, unique=True))]
    if depth < 2:
        for block in draw(st.lists(st.sampled_from(TF_BLOCKS), max_size=2)):
            lines.append(f"  {block} {{\n{draw(tf_body(depth + 1))}\n  }}")
    return "\n".join(lines)


@st.composite
def terraform_roots(draw) -> str:
    blocks = ['variable "d" {\n  default = 30\n}\nvariable "v" {}\nlocals {\n  l = "queue"\n}\n',
              'data "archive_file" "z" {\n  type = "zip"\n  source_dir = "${path.module}"\n  output_path = "z.zip"\n}\n']
    for _ in range(draw(st.integers(1, 8))):
        blocks.append(f'resource "{draw(st.sampled_from(TF_TYPES))}" "{draw(st.sampled_from(TF_NAMES))}" {{\n{draw(tf_body())}\n}}\n')
    if draw(st.booleans()):
        blocks.append(f'module "m" {{\n  source = "terraform-aws-modules/lambda/aws"\n{draw(tf_body())}\n}}\n')
    return "\n".join(blocks)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terraform_roots(), handlers())
def test_random_terraform_roots_never_crash_a_rule(text, code):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "main.tf").write_text(text)
        (root / "app.py").write_text(code)
        result = run_engine([root])
        check_result(result, root)
        assert not [f for f in result.findings if f.code == "LK001"], "generated HCL must parse"
