"""LK2xx: a Lambda function calling another Lambda function.

Facts: [§3.2](../lambda-facts.md#s3-2) (asynchronous invokes: retries, at-least-once delivery, AWS's advice on
functions calling functions), [§1.2](../lambda-facts.md#s1-2) (the 1 MB async payload, `invoke_async`), [§3.1](../lambda-facts.md#s3-1) (sync)."""

from __future__ import annotations

import ast

from lintkit.findings import RelatedLocation, Severity
from lintkit.project import invoke_target
from lintkit.python.resolve import InvokeCall, ModuleResolver, resolver_for
from lintkit.rule import CodeRule, Example

ASYNC_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html"
ASYNC_ERRORS_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"
FUNCTIONS_CALLING_FUNCTIONS = "https://docs.aws.amazon.com/lambda/latest/operatorguide/functions-calling-functions.html"
INVOKE_ASYNC_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/API_InvokeAsync.html"


class _HandlerInvokeRule(CodeRule):
    """Shared by the LK2xx rules: the invokes made on a handler's code path."""

    def handler_invoke(self, node: ast.Call) -> tuple[ModuleResolver, InvokeCall] | None:
        resolver = resolver_for(self.context.module)
        invoke = resolver.lambda_invoke(node)
        if invoke is None or not self.context.on_handler_path(node):
            return None
        return resolver, invoke


def _deprecated(invoke: InvokeCall) -> str:
    if invoke.method == "invoke_async":
        return " (invoke_async is deprecated and limited to 256 KB: use invoke(InvocationType='Event'))"
    return ""


class AsyncInvokeFromLambda(_HandlerInvokeRule):
    """
    ## What it does
    Finds handlers that invoke another function asynchronously (`InvocationType='Event'`,
    written out, through a constant, or in a `**kwargs` dict; also the deprecated
    `invoke_async`). An `Event` invoke inside a loop is LK202's.

    ## Why is this bad?
    Lambda queues the event and answers 202 at once, so the caller never sees the callee fail.
    On a function error Lambda runs the event up to two more times, and the queue can deliver
    an event more than once even without an error. When the caller itself is retried, it sends
    the event again. Without an idempotent callee and an on-failure destination (or DLQ),
    side effects repeat and failures vanish ([§3.2](../lambda-facts.md#s3-2)). AWS's guidance lists
    functions calling functions as an anti-pattern: put a queue, an event bus or a Step
    Functions workflow between them.

    ## Example
    ```python
    def handler(event, context):
        order = save_order(event)
        lambda_client.invoke(FunctionName="send-receipt", InvocationType="Event", Payload=json.dumps(order))
    ```

    Use instead:
    ```python
    def handler(event, context):
        order = save_order(event)
        sqs.send_message(QueueUrl=RECEIPTS_QUEUE_URL, MessageBody=json.dumps(order))
    ```
    or keep the invoke and make `send-receipt` idempotent (Powertools `@idempotent`) with an
    `OnFailure` destination.

    ## Known problems
    Only invokes on a handler's code path in the same module are reported. Whether the target
    has a failure destination is LK204's question (it needs the template).
    """

    code = "LK201"
    name = "async-invoke-from-lambda"
    summary = "A handler invokes another function asynchronously (InvocationType='Event')."
    severity = Severity.WARNING
    references = (ASYNC_DOCS, ASYNC_ERRORS_DOCS, FUNCTIONS_CALLING_FUNCTIONS, INVOKE_ASYNC_DOCS)
    TRIGGERS = ("invoke",)
    INVALID = (
        Example(
            python="""
            import json
            import boto3

            lambda_client = boto3.client("lambda")

            def handler(event, context):
                order = save_order(event)
                lambda_client.invoke(FunctionName="send-receipt", InvocationType="Event", Payload=json.dumps(order))
            """,
            line=8,
        ),
        Example(
            python="""
            import os
            import boto3

            ASYNC = "Event"
            PARAMS = {"FunctionName": os.environ["RECEIPTS_FUNCTION"], "InvocationType": ASYNC}

            def handler(event, context):
                boto3.client("lambda").invoke(Payload=b"{}", **PARAMS)
            """,
            line=8,
        ),
    )
    VALID = (
        # not a handler's code path
        """
        import boto3

        def replay(function_name, payload):
            boto3.client("lambda").invoke(FunctionName=function_name, InvocationType="Event", Payload=payload)
        """,
        # synchronous (LK203)
        """
        import boto3

        def handler(event, context):
            result = boto3.client("lambda").invoke(FunctionName="pricing", InvocationType="RequestResponse")
            return result.get("FunctionError")
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        found = self.handler_invoke(node)
        if found is None:
            return
        resolver, invoke = found
        if not invoke.is_async or resolver.fan_out_loop(node) is not None:
            return
        self.report(
            node,
            f"asynchronous invoke of {invoke.target_description}{_deprecated(invoke)}: Lambda retries a failed event up "
            f"to 2 times and may deliver it more than once, and the caller never sees the failure; make the target "
            f"idempotent with an OnFailure destination, or send the work through SQS / EventBridge / Step Functions",
        )


class AsyncInvokeInLoop(_HandlerInvokeRule):
    """
    ## What it does
    Finds asynchronous invokes (`InvocationType='Event'`) made once per item of a loop or
    comprehension on a handler's code path (also through a helper of the same module called in
    the loop): fan-out by invoke.

    ## Why is this bad?
    Each event is queued independently. When the loop fails part-way (a throttle, a timeout, a
    bad item), the events already sent stay sent; when the handler is retried, the whole
    fan-out runs again and every event that was sent before the failure is delivered twice.
    Each of them can also be retried and duplicated on its own: Lambda retries a failed
    asynchronous event twice by default and may deliver an event more than once. The fan-out
    is also limited only by the callee's concurrency.

    ## Example
    ```python
    def handler(event, context):
        for customer in event["customers"]:
            lambda_client.invoke(FunctionName="send-invoice", InvocationType="Event", Payload=json.dumps(customer))
    ```

    Use instead:
    ```python
    def handler(event, context):
        entries = [{"Id": str(i), "MessageBody": json.dumps(c)} for i, c in enumerate(event["customers"])]
        for start in range(0, len(entries), 10):
            sqs.send_message_batch(QueueUrl=INVOICES_QUEUE_URL, Entries=entries[start:start + 10])
    ```
    with the `send-invoice` function reading the queue (or a Step Functions `Map` state).

    ## Known problems
    Only loops in the same module are seen. A retry loop around a single invoke is not a
    fan-out, and neither is a loop that leaves right after its invoke (`invoke(...)` followed by
    `return` or `break` in the same branch: it hands one item off, e.g. the first that
    matches); both are left to LK201, which reports any asynchronous invoke.
    """

    code = "LK202"
    name = "async-invoke-in-loop"
    summary = "Asynchronous invokes inside a loop: fan-out by invoke, re-run whole on a retry."
    severity = Severity.ERROR
    references = (ASYNC_DOCS, ASYNC_ERRORS_DOCS, FUNCTIONS_CALLING_FUNCTIONS)
    TRIGGERS = ("invoke",)
    INVALID = (
        Example(
            python="""
            import json
            import boto3

            lambda_client = boto3.client("lambda")

            def handler(event, context):
                for customer in event["customers"]:
                    lambda_client.invoke(
                        FunctionName="send-invoice",
                        InvocationType="Event",
                        Payload=json.dumps(customer),
                    )
            """,
            line=8,
        ),
        Example(
            python="""
            import boto3

            client = boto3.client("lambda")

            def notify(user):
                client.invoke(FunctionName="notify", InvocationType="Event", Payload=user)

            def handler(event, context):
                for user in event["users"]:
                    notify(user)
            """,
            line=6,
        ),
        # a `break` that only some items reach does not make the loop a single hand-off
        Example(
            python="""
            import boto3

            client = boto3.client("lambda")

            def handler(event, context):
                for order in event["orders"]:
                    client.invoke(FunctionName="ship", InvocationType="Event", Payload=order["id"])
                    if order.get("last"):
                        break
            """,
            line=7,
        ),
    )
    VALID = (
        # a retry loop around one invoke is not a fan-out
        """
        import time
        import boto3

        client = boto3.client("lambda")

        def handler(event, context):
            for attempt in range(3):
                try:
                    client.invoke(FunctionName="notify", InvocationType="Event", Payload=b"{}")
                    break
                except client.exceptions.TooManyRequestsException:
                    time.sleep(2 ** attempt)
        """,
        # synchronous invokes in a loop are not this rule's
        """
        import boto3

        client = boto3.client("lambda")

        def handler(event, context):
            return [client.invoke(FunctionName="price", Payload=item).get("FunctionError") for item in event["items"]]
        """,
        # the loop finds the one record to hand off, invokes once and leaves (LK201's)
        """
        import json
        import boto3

        client = boto3.client("lambda")

        def handler(event, context):
            for record in event["Records"]:
                if record["eventName"] == "INSERT":
                    client.invoke(FunctionName="welcome", InvocationType="Event", Payload=json.dumps(record))
                    return {"handed_off": record["eventID"]}
            return {"handed_off": None}
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        found = self.handler_invoke(node)
        if found is None:
            return
        resolver, invoke = found
        loop = resolver.fan_out_loop(node) if invoke.is_async else None
        if loop is None:
            return
        loop_node, site = loop
        where = resolver.describe_loop(loop_node)
        if site is not None:
            where += f" (through the call at line {self.context.module.location_of(site).line})"
        self.report(
            node,
            f"asynchronous invoke of {invoke.target_description} once per item of {where}: a failure part-way and the "
            f"caller's retry send the events again; queue the items (SQS send_message_batch) or use a Step Functions Map, "
            f"or make the target idempotent (a key per item, so a re-sent event does nothing) with an OnFailure destination",
        )


class SyncInvokeFromLambda(_HandlerInvokeRule):
    """
    ## What it does
    Finds handlers that invoke another function synchronously (`InvocationType` left out or
    `'RequestResponse'`).

    ## Why is this bad?
    The caller waits, and is billed, for the whole run of the callee; the two functions' timeouts,
    errors, concurrency and cold starts become one chain. Lambda does not retry the call, so the
    caller has to handle errors and retries itself ([§3.1](../lambda-facts.md#s3-1)). AWS's operator guide and
    Sonar's RSPEC-6246 recommend against functions calling functions synchronously.

    ## Example
    ```python
    def handler(event, context):
        price = lambda_client.invoke(FunctionName="pricing", Payload=json.dumps(event))
    ```

    Use instead: call the shared logic as a library in the same function, or orchestrate the
    steps with Step Functions (which retries `Lambda.ServiceException` and friends for you).

    ## Known problems
    Reported at info level: a synchronous call can be the right design (a shared service with
    its own scaling), and the rule cannot know.
    """

    code = "LK203"
    name = "sync-invoke-from-lambda"
    summary = "A handler invokes another function synchronously (paid twice, timeouts coupled)."
    severity = Severity.INFO
    references = (FUNCTIONS_CALLING_FUNCTIONS,)
    TRIGGERS = ("invoke",)
    INVALID = (
        Example(
            python="""
            import json
            import boto3

            lambda_client = boto3.client("lambda")

            def handler(event, context):
                price = lambda_client.invoke(FunctionName="pricing", Payload=json.dumps(event))
                return json.loads(price["Payload"].read())
            """,
            line=7,
        ),
    )
    VALID = (
        """
        import boto3

        def handler(event, context):
            boto3.client("lambda").invoke(FunctionName="audit", InvocationType="Event", Payload=b"{}")
        """,
        # a dry run checks permissions: the function does not run
        """
        import boto3

        def handler(event, context):
            boto3.client("lambda").invoke(FunctionName="audit", InvocationType="DryRun")
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        found = self.handler_invoke(node)
        if found is None or not found[1].is_sync:
            return
        self.report(
            node,
            f"the handler invokes {found[1].target_description} synchronously: it waits (and is billed) for the callee "
            f"and the two functions' timeouts and errors couple; consider a library call or Step Functions",
        )


_PRODUCER_WORKER = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Producer:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
      Environment:
        Variables:
          WORKER: !Ref Worker
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
      Timeout: 60
{worker}"""
_PRODUCER = """
import os
import boto3

lambda_client = boto3.client("lambda")

def handler(event, context):
    lambda_client.invoke(FunctionName=os.environ["WORKER"], InvocationType="Event", Payload=b"{}")
"""


class AsyncTargetWithoutFailureDestination(_HandlerInvokeRule):
    """
    ## What it does
    Finds `InvocationType='Event'` invokes whose target the template identifies (by name or ARN,
    or through an environment variable the caller's template sets to `!Ref Worker`,
    `!GetAtt Worker.Arn`, ...) and which has neither a dead-letter queue nor an on-failure
    destination.

    ## Why is this bad?
    The caller gets 202 and moves on; if the target fails, Lambda retries twice and then
    discards the event. With no failure destination nobody learns that the work was never done
    ([§3.2](../lambda-facts.md#s3-2), [§3.3](../lambda-facts.md#s3-3)).

    ## Example
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: worker.handler
    ```
    invoked with `lambda_client.invoke(FunctionName=os.environ["WORKER"], InvocationType="Event")`.

    Use instead:
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: worker.handler
        EventInvokeConfig:
          DestinationConfig:
            OnFailure:
              Type: SQS
    ```

    ## Known problems
    A target the template cannot name (a computed name, a function in another stack) is not
    reported: there is no way to see its configuration.
    """

    code = "LK204"
    NEEDS_TEMPLATE = True
    name = "async-target-without-failure-destination"
    summary = "The function that code invokes with Event has no DLQ and no on-failure destination."
    severity = Severity.WARNING
    references = (ASYNC_ERRORS_DOCS, "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html")
    TRIGGERS = ("invoke",)
    INVALID = (Example(python=_PRODUCER, template=_PRODUCER_WORKER.format(worker=""), line=7),)
    VALID = (
        Example(
            python=_PRODUCER,
            template=_PRODUCER_WORKER.format(
                worker="      EventInvokeConfig:\n        DestinationConfig:\n          OnFailure:\n            Type: SQS\n"
            ),
        ),
        # the target is not a function of this template: nothing to judge
        Example(python=_PRODUCER.replace('os.environ["WORKER"]', '"billing-prod"'), template=_PRODUCER_WORKER.format(worker="")),
    )

    def visit_Call(self, node: ast.Call) -> None:
        found = self.handler_invoke(node)
        if found is None or not found[1].is_async:
            return
        invoke = found[1]
        targets = {
            target
            for callers in self.context.linked.values()
            for caller in callers
            if (target := invoke_target(caller, invoke.target)) is not None
        }
        for target in sorted(targets, key=lambda f: (f.template.path, f.logical_id)):
            if target.has_failure_capture is not False:
                continue
            self.report(
                node,
                f"{target.logical_id}, invoked here with InvocationType='Event', has no dead-letter queue or on-failure "
                f"destination: an event that still fails after 2 retries is dropped; add "
                f"EventInvokeConfig.DestinationConfig.OnFailure to {target.logical_id}",
                related=[RelatedLocation(target.location(), f"{target.logical_id} is defined here")],
            )
