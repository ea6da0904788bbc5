"""LK7xx payload sizes found in code: asynchronous messages built from data of unbounded size.

Facts: LAMBDA-FACTS §1.2 (1 MB for `Event` invokes, SQS and EventBridge since 2025; 256 KB for
`InvokeAsync` and SNS destinations), §1.4 (what a rejected payload looks like)."""

from __future__ import annotations

import libcst as cst

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


def async_payload(resolver: ModuleResolver, call: cst.Call) -> tuple[cst.BaseExpression, str] | None:
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
    a table grows (LAMBDA-FACTS §1.2, §1.4).

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
    taken as bounded.
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
    )

    def visit_Call(self, node: cst.Call) -> None:
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
