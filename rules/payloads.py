"""LK7xx payload sizes found in code: asynchronous messages built from data of unbounded size.

Facts: [§1.2](../lambda-facts.md#s1-2) (1 MB for `Event` invokes, SQS and EventBridge since 2025; 256 KB for
`InvokeAsync` and SNS destinations), [§1.4](../lambda-facts.md#s1-4) (what a rejected payload looks like)."""

from __future__ import annotations

import ast

from lintkit.findings import Severity
from lintkit.python.resolve import ModuleResolver, resolver_for
from lintkit.rule import CodeRule, Example

ASYNC_PAYLOAD_NEWS = "https://aws.amazon.com/about-aws/whats-new/2025/10/aws-lambda-payload-size-256-kb-1-mb-invocations/"
QUOTAS_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
PAYLOAD_BLOG = "https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb"

# (service, method) -> the argument that carries the payload, and what to call the call.
MESSAGE_PAYLOADS = {
    ("sqs", "send_message"): ("MessageBody", "SQS message"),
    ("sqs", "send_message_batch"): ("Entries", "SQS batch"),
    ("sns", "publish"): ("Message", "SNS message"),
    ("sns", "publish_batch"): ("PublishBatchRequestEntries", "SNS batch"),
    ("events", "put_events"): ("Entries", "EventBridge event"),
}


def async_payload(resolver: ModuleResolver, call: ast.Call) -> tuple[ast.expr, str] | None:
    """The payload expression of an asynchronous message (an `Event` invoke, SQS, SNS,
    EventBridge) and what the message is, or None."""
    invoke = resolver.lambda_invoke(call)
    if invoke is not None:
        if invoke.is_async and invoke.payload is not None:
            return invoke.payload, f"asynchronous invoke of {invoke.target_description}"
        return None
    aws = resolver.aws_call(call)
    if aws is None or not isinstance(aws.service, str):
        return None
    found = MESSAGE_PAYLOADS.get((aws.service, aws.method))
    if found is None:
        return None
    argument, what = found
    payload = resolver.keyword(call, argument)
    return (payload[0], what) if payload is not None else None


class AsyncPayloadMayExceedLimit(CodeRule):
    """
    ## What it does
    Finds asynchronous messages whose payload is built from data of unbounded size: an
    `InvocationType='Event'` invoke, `sqs.send_message` / `send_message_batch`, `sns.publish`
    and `events.put_events` carrying a whole S3 object (`.read()`), a whole file, a DynamoDB
    `scan` / `query` without `Limit`, all pages of a paginator, or the whole event of a batch
    handler.

    ## Why is this bad?
    An `Event` invoke, an SQS message and an EventBridge event are limited to 1 MB (256 KB before
    2025 and still for `InvokeAsync`). The payload grows with the data, so the call works in
    tests and fails in production with `RequestTooLargeException` (HTTP 413) once an object or
    a table grows.

    ## Example
    ```python
    def handler(event, context):
        body = s3.get_object(Bucket=BUCKET, Key=event["key"])["Body"].read()
        sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=body.decode())
    ```

    Use instead (the claim-check pattern):
    ```python
    def handler(event, context):
        sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps({"bucket": BUCKET, "key": event["key"]}))
    ```

    ## Known problems
    Payloads are followed through names, containers, f-strings, `json.dumps`, `base64` and the
    like in the same module; data read in another module is not seen. A `scan` with `Limit` is
    taken as bounded. A list filled in a loop over the batch's records holds the whole batch,
    unless each pass makes it anew before filling it (`for record in event["Records"]: items =
    []`): then it holds one record's data. A list sent in chunks (`if len(items) == 10: send(items);
    items = []`) is still reported: the size check is not followed.
    """

    code = "LK702"
    name = "async-payload-may-exceed-limit"
    summary = "An Event invoke, SQS, SNS or EventBridge message built from data of unbounded size."
    severity = Severity.WARNING
    references = (ASYNC_PAYLOAD_NEWS, PAYLOAD_BLOG, QUOTAS_DOCS)
    TRIGGERS = ("invoke", "send_message", "publish", "put_events")
    INVALID = (
        Example(
            python="""
            import boto3

            s3 = boto3.client("s3")
            sqs = boto3.client("sqs")

            def handler(event, context):
                body = s3.get_object(Bucket="uploads", Key=event["key"])["Body"].read()
                sqs.send_message(QueueUrl="https://sqs.example/queue", MessageBody=body.decode())
            """,
            line=8,
        ),
        Example(
            python="""
            import json
            import boto3

            table = boto3.resource("dynamodb").Table("orders")
            lambda_client = boto3.client("lambda")

            def handler(event, context):
                orders = table.scan()["Items"]
                lambda_client.invoke(
                    FunctionName="report",
                    InvocationType="Event",
                    Payload=json.dumps({"orders": orders}),
                )
            """,
            line=9,
        ),
        Example(
            python="""
            import json
            import boto3

            sns = boto3.client("sns")

            def handler(event, context):
                for record in event["Records"]:
                    validate(record)
                sns.publish(TopicArn="arn:aws:sns:eu-west-1:123456789012:batches", Message=json.dumps(event))
            """,
            line=9,
        ),
        # made once, filled across every record: the whole batch in one message
        Example(
            python="""
            import json
            import boto3

            sqs = boto3.client("sqs")

            def handler(event, context):
                items = []
                for record in event["Records"]:
                    items.append(json.loads(record["body"]))
                sqs.send_message(QueueUrl="https://sqs.example/queue", MessageBody=json.dumps(items))
            """,
            line=10,
        ),
    )
    VALID = (
        # a page of a scan, with the token to fetch the next one
        """
        import json
        import boto3

        table = boto3.resource("dynamodb").Table("orders")
        sqs = boto3.client("sqs")

        def handler(event, context):
            page = table.scan(Limit=25, **({"ExclusiveStartKey": event["next"]} if event.get("next") else {}))
            sqs.send_message(
                QueueUrl="https://sqs.example/queue",
                MessageBody=json.dumps({"items": page["Items"], "next": page.get("LastEvaluatedKey")}),
            )
        """,
        # a pointer to the object, not the object
        """
        import json
        import boto3

        sqs = boto3.client("sqs")

        def handler(event, context):
            sqs.send_message(QueueUrl="https://sqs.example/queue", MessageBody=json.dumps({"key": event["key"]}))
        """,
        # one record of the batch at a time
        """
        import json
        import boto3

        sqs = boto3.client("sqs")

        def handler(event, context):
            for record in event["Records"]:
                sqs.send_message(QueueUrl="https://sqs.example/queue", MessageBody=json.dumps(record))
        """,
        # a list made anew for each record holds that record's items, not the batch's
        """
        import json
        import boto3

        sqs = boto3.client("sqs")

        def handler(event, context):
            for record in event["Records"]:
                items = []
                for line in json.loads(record["body"])["lines"][:25]:
                    items.append({"sku": line["sku"], "quantity": line["quantity"]})
                sqs.send_message(QueueUrl="https://sqs.example/queue", MessageBody=json.dumps(items))
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        found = async_payload(resolver, node)
        if found is None:
            return
        payload, what = found
        reason = resolver.unbounded_data(payload)
        if reason is None:
            return
        self.report(
            node,
            f"the payload of this {what} is built from {reason}: past 1 MB it fails with RequestTooLargeException "
            f"(413); store the data in S3 and send its bucket and key",
        )


SYNC_LIMITS_MB = {"alb": 1}  # the ALB's own 1 MB response limit binds first (docs/lambda-facts.md §1.5)
STREAMING_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html"

_API_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Reports:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
      Events:
        Get:
          Type: {event}
          Properties: {{Path: /r, Method: get}}
"""
_GATHERED_PAGES = """
import json
import boto3

table = boto3.resource("dynamodb").Table("orders")

def handler(event, context):
    response = table.scan()
    items = response["Items"]
    while "LastEvaluatedKey" in response:
        response = table.scan(ExclusiveStartKey=response["LastEvaluatedKey"])
        items.extend(response["Items"])
    return {"statusCode": 200, "body": json.dumps(items)}
"""
_ONE_PAGE = """
import json
import boto3

table = boto3.resource("dynamodb").Table("orders")

def handler(event, context):
    cursor = event["queryStringParameters"].get("cursor")
    page = table.scan(ExclusiveStartKey=json.loads(cursor)) if cursor else table.scan()
    body = {"items": page["Items"], "cursor": json.dumps(page.get("LastEvaluatedKey"))}
    return {"statusCode": 200, "body": json.dumps(body)}
"""
_ALB_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Reports:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
  Target:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties:
      TargetType: lambda
      Targets:
        - Id: !GetAtt Reports.Arn
"""
_WHOLE_OBJECT = """
import boto3

s3 = boto3.client("s3")

def handler(event, context):
    body = s3.get_object(Bucket="reports", Key=event["pathParameters"]["id"])["Body"].read()
    return {"statusCode": 200, "body": body.decode()}
"""


class ResponseMayExceedLimit(CodeRule):
    """
    ## What it does
    Finds handlers invoked synchronously (behind API Gateway, a function URL, an ALB, AppSync,
    Cognito, as the template says) that return data of unbounded size: a whole S3 object, the
    pages of a DynamoDB `scan`/`query` gathered in a loop (over `LastEvaluatedKey`, or one
    query per item), every page of a paginator, a whole file, the base64 of a blob. One
    DynamoDB page reads at most 1 MB, so returning one page (with its `LastEvaluatedKey` as a
    cursor) is reported only behind an ALB, whose limit is 1 MB.

    ## Why is this bad?
    A synchronous response is capped at 6 MB (1 MB behind an ALB). Past it the invocation fails
    with `Function.ResponseSizeTooLarge` ("Response payload size exceeded maximum allowed
    payload size (6291556 bytes)"), which the caller sees as an error (API Gateway usually
    answers 502). It works in testing and fails once the data grows ([§1.1](../lambda-facts.md#s1-1), [§1.4](../lambda-facts.md#s1-4),
    [§1.5](../lambda-facts.md#s1-5)). Python has no native response streaming, so the fix is not streaming.

    ## Example
    ```python
    def handler(event, context):
        body = s3.get_object(Bucket="reports", Key=key)["Body"].read()
        return {"statusCode": 200, "body": body.decode()}
    ```

    Use instead:
    ```python
    def handler(event, context):
        url = s3.generate_presigned_url("get_object", Params={"Bucket": "reports", "Key": key}, ExpiresIn=300)
        return {"statusCode": 303, "headers": {"Location": url}}
    ```
    or paginate: return one page (`Limit` plus the `LastEvaluatedKey` as the client's cursor)
    instead of gathering every page in a loop. A single DynamoDB `Query` or `Scan` call reads at
    most 1 MB of data and returns `LastEvaluatedKey` when there is more
    (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Query.Pagination.html).

    ## Known problems
    Needs the template: a handler with no synchronous trigger there is not reported (an
    asynchronous or queue invocation has no response to send). Functions invoked synchronously
    only from other code are not recognised as such yet. Pages of a `scan`/`query` with `Limit`
    gathered in a loop, or gathered as `items = items + page["Items"]`, are not recognised.
    """

    code = "LK701"
    NEEDS_TEMPLATE = True
    name = "response-may-exceed-limit"
    summary = "A synchronously invoked handler returns data of unbounded size (6 MB limit; 1 MB behind an ALB)."
    severity = Severity.WARNING
    references = (QUOTAS_DOCS, "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html", STREAMING_DOCS)
    TRIGGERS = ("return",)
    INVALID = (
        Example(python=_WHOLE_OBJECT, template=_API_TEMPLATE.format(event="Api"), line=7),
        Example(python=_GATHERED_PAGES, template=_API_TEMPLATE.format(event="Api"), line=12),
        # one page is up to 1 MB: within API Gateway's 6 MB, not within an ALB's 1 MB
        Example(python=_ONE_PAGE, template=_ALB_TEMPLATE, line=10),
    )
    VALID = (
        # one page and its cursor: at most 1 MB of items
        Example(python=_ONE_PAGE, template=_API_TEMPLATE.format(event="Api")),
        # an S3-triggered (asynchronous) function returns to nobody
        Example(python=_WHOLE_OBJECT, template=_API_TEMPLATE.format(event="S3").replace("{Path: /r, Method: get}", "{Bucket: !Ref B, Events: 's3:ObjectCreated:*'}")),
        Example(
            python=_WHOLE_OBJECT.replace('s3.get_object(Bucket="reports", Key=event["pathParameters"]["id"])["Body"].read()', 'b"ok"'),
            template=_API_TEMPLATE.format(event="Api"),
        ),
    )

    def leave_Module(self, node: ast.Module) -> None:
        functions = self.context.module.top_level_functions()
        for handler, linked in sorted(self.context.linked.items()):
            triggers = [t for f in linked for t in f.triggers if t.invocation.value == "sync" and not t.streams_response]
            definition = functions.get(handler)
            if not triggers or definition is None:
                continue
            limit = min(SYNC_LIMITS_MB.get(t.kind, 6) for t in triggers)
            front = ", ".join(sorted({t.label for t in triggers}))
            for statement, reason in resolver_for(self.context.module).returns_unbounded(definition, limit):
                self.report(
                    statement,
                    f"returns {reason} to a synchronous caller ({front}): past {limit} MB the invocation fails with "
                    f"Function.ResponseSizeTooLarge (413, {'1 MB ALB limit' if limit == 1 else '6291556 bytes'}); "
                    f"return a presigned S3 URL or paginate",
                )
