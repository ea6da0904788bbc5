"""LK4xx: where failed events go (dead-letter queues, on-failure destinations, redrive).

Facts: [§3.2](../lambda-facts.md#s3-2) (async retries), [§3.3](../lambda-facts.md#s3-3) (DLQ versus destinations), [§3.4](../lambda-facts.md#s3-4) (streams),
[§3.5](../lambda-facts.md#s3-5) (SQS), [§3.6](../lambda-facts.md#s3-6) (how each service invokes Lambda), [§3.7](../lambda-facts.md#s3-7) (upstream retry layers), [§6](../lambda-facts.md#s6) (SAM)."""

from __future__ import annotations

from lintkit.findings import RelatedLocation, Severity
from lintkit.project import Project
from lintkit.rule import Example, ProjectRule, TemplateRule
from lintkit.templates.model import Function, Invocation, Template, referenced_ids

ASYNC_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html"
ASYNC_CONFIG_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html"
SERVICES_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html"
STREAM_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html"
SQS_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html"
EVENTBRIDGE_DOCS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html"
SNS_DOCS = "https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html"

_FUNCTION = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(event, context): pass"
      Handler: index.handler
      Runtime: python3.12
{properties}      Events:
{events}"""

_S3_EVENT = """        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
"""
_SQS_EVENT = """        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 1
"""


# An IoT Core function in plain CloudFormation: `{wiring}` is what invokes it (line 9 on).
_IOT = """
Resources:
  Device:
    Type: AWS::Lambda::Function
    Properties:
      Runtime: python3.12
      Handler: index.handler
      Role: arn:aws:iam::123456789012:role/device
      Code: {{ZipFile: "def handler(event, context): pass"}}
{wiring}"""
_IOT_AUTHORIZER = """  Authorizer:
    Type: AWS::IoT::Authorizer
    Properties: {AuthorizerFunctionArn: !GetAtt Device.Arn, Status: ACTIVE, SigningDisabled: true}
  AllowIot:
    Type: AWS::Lambda::Permission
    Properties: {Action: lambda:InvokeFunction, FunctionName: !Ref Device, Principal: iot.amazonaws.com, SourceArn: !GetAtt Authorizer.Arn}
"""
_IOT_RULE = """  Readings:
    Type: AWS::IoT::TopicRule
    Properties:
      TopicRulePayload: {Sql: "SELECT * FROM 'sensors'", Actions: [{Lambda: {FunctionArn: !GetAtt Device.Arn}}]}
"""


def _sam(properties: str = "", events: str = _S3_EVENT, resources: str = "") -> str:
    return _FUNCTION.format(properties=properties, events=events) + resources


def _async_api(invocation_type: str) -> str:
    """A REST API whose OpenAPI definition sends POST /jobs to Worker with the given
    `X-Amz-Invocation-Type` mapping."""
    return (
        "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody:\n"
        "        openapi: '3.0.1'\n        paths:\n          /jobs:\n            post:\n"
        "              x-amazon-apigateway-integration:\n                type: aws\n                httpMethod: POST\n"
        "                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations\n"
        "                requestParameters:\n"
        f"                  integration.request.header.X-Amz-Invocation-Type: \"{invocation_type}\"\n"
    )


def _async_kinds(function: Function) -> list[str]:
    kinds: list[str] = []
    for trigger in function.triggers_of(Invocation.ASYNC):
        if trigger.kind == "cloudformation":
            continue  # a custom resource's failure shows as a stack that waits: a DLQ is not the fix
        if trigger.label not in kinds:
            kinds.append(trigger.label)
    return kinds


def _retries_disabled(function: Function) -> bool:
    return any(config.maximum_retry_attempts == 0 for config in function.event_invoke_configs)


class AsyncWithoutFailureDestination(ProjectRule):
    """
    ## What it does
    Finds functions invoked asynchronously (S3, SNS, EventBridge rules, schedules, EventBridge
    Scheduler, CloudWatch Logs, IoT, SES, or an `AWS::Lambda::Permission` for one of those
    services) that have neither a dead-letter queue (`DeadLetterQueue` / `DeadLetterConfig`)
    nor an on-failure destination (`EventInvokeConfig`), after SAM `Globals` are applied.
    A REST API integration of type `AWS` (in an `AWS::ApiGateway::Method` or an OpenAPI
    `x-amazon-apigateway-integration`) whose request parameters set the header
    `X-Amz-Invocation-Type` to `'Event'` invokes asynchronously too
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-integration-async.html).

    ## Why is this bad?
    Lambda retries a failed asynchronous event twice and then discards it. Without a DLQ or an
    on-failure destination there is no record that the event ever existed: an uploaded file
    is never processed, a notification never sent, and nothing tells you
    ([§3.2](../lambda-facts.md#s3-2), [§3.3](../lambda-facts.md#s3-3)). An on-failure destination is the better choice: it keeps the
    error and the request context, a DLQ only the event.

    ## Example
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: app.handler
        Events:
          Upload:
            Type: S3
            Properties:
              Bucket: !Ref Uploads
              Events: s3:ObjectCreated:*
    ```

    Use instead:
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: app.handler
        EventInvokeConfig:
          DestinationConfig:
            OnFailure:
              Type: SQS
        Events:
          Upload:
            Type: S3
            Properties:
              Bucket: !Ref Uploads
              Events: s3:ObjectCreated:*
    ```

    ## Known problems
    Functions invoked only by other stacks or by code lintkit does not see are not known to be
    asynchronous. A function that project code invokes with `InvocationType='Event'` counts as
    asynchronous; when that is its only asynchronous trigger, LK204 reports it at the call. API, SQS and stream triggers are not asynchronous, so a function with only
    those is never reported (a function-level DLQ would not receive their failures anyway).
    An IoT Core custom authorizer (`AWS::IoT::Authorizer`, or an `iot.amazonaws.com` permission
    whose `SourceArn` is an authorizer) is synchronous and not reported; only IoT topic rules
    are. A CloudFormation custom resource (`ServiceToken`) invokes its function asynchronously,
    but is not reported: when its handler fails, the stack waits for a response that never
    comes, and the fix is a handler that always answers CloudFormation, not a DLQ.
    The table of which trigger is synchronous, asynchronous or polled is in `docs/triggers.md`.

    In a Serverless Framework service the on-failure destination is the function's
    `destinations: {onFailure: <ARN or function name>}` (an SQS queue, SNS topic, EventBridge bus
    or another function), read as an `EventInvokeConfig`. The function-level dead-letter queue
    is `onError`, which the framework documents for an SNS topic only: an SQS dead-letter queue
    needs `destinations.onFailure` or a raw `AWS::Lambda::EventInvokeConfig` under
    `resources.Resources`.
    """

    code = "LK401"
    name = "async-without-failure-destination"
    summary = "An asynchronously invoked function has no dead-letter queue and no on-failure destination."
    severity = Severity.WARNING
    references = (ASYNC_DOCS, SERVICES_DOCS)
    INVALID = (
        Example(template=_sam(), line=5),
        Example(template=_sam(properties="      EventInvokeConfig:\n        MaximumRetryAttempts: 1\n"), line=5),
        Example(template=_IOT.format(wiring=_IOT_RULE), line=2),  # an IoT topic rule is asynchronous
        # API Gateway answers at once and invokes the function asynchronously
        Example(template=_sam(events="", resources=_async_api("'Event'")), line=5),
    )
    VALID = (
        Example(template=_sam(properties="      DeadLetterQueue:\n        Type: SQS\n        TargetArn: !GetAtt Dlq.Arn\n")),
        Example(
            template=_sam().replace(
                "Resources:",
                "Globals:\n  Function:\n    EventInvokeConfig:\n      DestinationConfig:\n        OnFailure:\n          Type: SQS\nResources:",
            ).replace("      Runtime: python3.12\n", "      Runtime: python3.12\n      EventInvokeConfig:\n        MaximumRetryAttempts: 1\n")
        ),
        Example(template=_sam(events=_SQS_EVENT, resources="  Jobs:\n    Type: AWS::SQS::Queue\n")),
        # an IoT custom authorizer is synchronous, though its permission's principal is iot
        Example(template=_IOT.format(wiring=_IOT_AUTHORIZER)),
        Example(template=_IOT.format(wiring=_IOT_AUTHORIZER.split("  AllowIot:")[0])),
        # a custom resource waits for an answer, not a DLQ
        Example(template=_IOT.format(wiring="  Seed:\n    Type: Custom::Seed\n    Properties: {ServiceToken: !GetAtt Device.Arn}\n")),
        # the client chooses the invocation type per request: not known to be asynchronous
        Example(template=_sam(events="", resources=_async_api("method.request.header.InvocationType"))),
    )

    def check(self, project: Project) -> None:
        invoked = project.event_invokes()
        for function in project.functions:
            kinds = _async_kinds(function)
            if not kinds:
                continue  # invoked asynchronously only by code: LK204 reports at the call
            if function.has_failure_capture is not False or _retries_disabled(function):
                continue  # LK402 speaks for functions whose retries are turned off
            calls = invoked.get(function, [])
            if calls:
                module, call = calls[0]
                where = module.location_of(call)
                kinds.append(f"Event invokes from code, e.g. {where.path}:{where.line}")
            self.emit(
                function.location(),
                f"{function.logical_id} is invoked asynchronously ({', '.join(kinds)}) but has no dead-letter queue "
                f"or on-failure destination: events that still fail after 2 retries are dropped; add "
                f"EventInvokeConfig.DestinationConfig.OnFailure (or a DeadLetterQueue)",
            )


class AsyncRetriesDisabledWithoutDestination(TemplateRule):
    """
    ## What it does
    Finds `EventInvokeConfig` settings with `MaximumRetryAttempts: 0` on a function that has
    no on-failure destination and no dead-letter queue.

    ## Why is this bad?
    Turning retries off is a sound choice for work that must not run twice, but then the
    first failure is final: with nowhere to send it, the event is simply dropped
    ([§3.2](../lambda-facts.md#s3-2), [§3.3](../lambda-facts.md#s3-3)).

    ## Example
    ```yaml
    EventInvokeConfig:
      MaximumRetryAttempts: 0
    ```

    Use instead:
    ```yaml
    EventInvokeConfig:
      MaximumRetryAttempts: 0
      DestinationConfig:
        OnFailure:
          Type: SQS
    ```
    """

    code = "LK402"
    name = "async-retries-disabled-without-destination"
    summary = "MaximumRetryAttempts: 0 with no on-failure destination or DLQ: the first failure drops the event."
    severity = Severity.WARNING
    references = (ASYNC_CONFIG_DOCS,)
    INVALID = (Example(template=_sam(properties="      EventInvokeConfig:\n        MaximumRetryAttempts: 0\n"), line=12),)
    VALID = (
        Example(
            template=_sam(
                properties="      EventInvokeConfig:\n        MaximumRetryAttempts: 0\n        DestinationConfig:\n"
                "          OnFailure:\n            Type: SQS\n"
            )
        ),
    )

    def check(self, template: Template) -> None:
        for function in template.functions.values():
            if function.has_failure_capture is not False:
                continue
            for config in function.event_invoke_configs:
                if config.maximum_retry_attempts == 0:
                    self.emit(
                        config.location("MaximumRetryAttempts"),
                        f"{function.logical_id} turns off async retries with no on-failure destination or "
                        f"dead-letter queue: the first failure drops the event; add DestinationConfig.OnFailure",
                    )


class StreamWithoutOnFailureDestination(TemplateRule):
    """
    ## What it does
    Finds Kinesis and DynamoDB Streams event source mappings without
    `DestinationConfig.OnFailure`.

    ## Why is this bad?
    When a batch keeps failing and the mapping's retry or age limit is reached, Lambda skips
    the records. Without an on-failure destination (SQS, SNS or S3) nothing records which
    records were skipped, so they cannot be replayed ([§3.3](../lambda-facts.md#s3-3), [§3.4](../lambda-facts.md#s3-4)). SQS mappings
    are not reported: SQS failures go to the queue's redrive policy instead (LK404). A mapping
    whose function is in another stack (a literal name or ARN, an import, a parameter) is
    checked too: the setting is the mapping's own.

    ## Example
    ```yaml
    Stream:
      Type: Kinesis
      Properties:
        Stream: !GetAtt Clicks.Arn
        StartingPosition: LATEST
        MaximumRetryAttempts: 3
    ```

    Use instead:
    ```yaml
    Stream:
      Type: Kinesis
      Properties:
        Stream: !GetAtt Clicks.Arn
        StartingPosition: LATEST
        MaximumRetryAttempts: 3
        DestinationConfig:
          OnFailure:
            Destination: !GetAtt SkippedRecords.Arn
    ```
    """

    code = "LK403"
    name = "stream-without-on-failure-destination"
    summary = "A Kinesis/DynamoDB event source mapping has no on-failure destination."
    severity = Severity.WARNING
    references = (STREAM_DOCS, ASYNC_DOCS)
    _STREAM = """        Clicks:
          Type: Kinesis
          Properties:
            Stream: !GetAtt Stream.Arn
            StartingPosition: LATEST
            MaximumRetryAttempts: 3
"""
    _FOREIGN = """
Parameters:
  ConsumerArn: {Type: String}
Resources:
  Clicks: {Type: AWS::Kinesis::Stream, Properties: {ShardCount: 1}}
  ClicksMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref ConsumerArn
      EventSourceArn: !GetAtt Clicks.Arn
      StartingPosition: LATEST
      MaximumRetryAttempts: 3
"""
    INVALID = (Example(template=_sam(events=_STREAM), line=12), Example(template=_FOREIGN, line=5))
    VALID = (
        Example(template=_FOREIGN + "      DestinationConfig: {OnFailure: {Destination: !GetAtt Skipped.Arn}}\n"),
        Example(
            template=_sam(
                events=_STREAM + "            DestinationConfig:\n              OnFailure:\n                Destination: !GetAtt Skipped.Arn\n"
            )
        ),
        Example(template=_sam(events=_SQS_EVENT, resources="  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy: {deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 5}\n")),
    )

    def check(self, template: Template) -> None:
        for mapping in template.event_source_mappings + template.external_event_source_mappings:
            if mapping.is_stream and mapping.has_on_failure_destination is False:
                self.emit(
                    mapping.location(),
                    f"{mapping.describe} has no on-failure destination: records skipped after the retry limit "
                    f"leave no trace; add DestinationConfig.OnFailure (SQS, SNS or S3)",
                )


class SqsSourceWithoutRedrive(TemplateRule):
    """
    ## What it does
    Finds SQS queues, declared in the template, that feed a function through an event source
    mapping and have no `RedrivePolicy`. A queue that is itself a dead-letter queue (of another
    queue, a function or a destination) is reported too when a function consumes it: its
    consumer can fail on a message like any other.

    ## Why is this bad?
    A message the function cannot process (a poison message) comes back after every
    visibility timeout and is retried until the queue's retention period ends (4 days by
    default), using up invocations and hiding real traffic. A redrive policy moves it to a
    dead-letter queue after `maxReceiveCount` attempts, where it can be inspected and redriven
    ([§3.5](../lambda-facts.md#s3-5)).

    ## Example
    ```yaml
    Jobs:
      Type: AWS::SQS::Queue
    ```

    Use instead:
    ```yaml
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        RedrivePolicy:
          deadLetterTargetArn: !GetAtt JobsDlq.Arn
          maxReceiveCount: 5
    JobsDlq:
      Type: AWS::SQS::Queue
    ```
    """

    code = "LK404"
    name = "sqs-source-without-redrive"
    summary = "An SQS queue feeding a function has no RedrivePolicy."
    severity = Severity.WARNING
    references = (SQS_DOCS,)
    INVALID = (
        Example(template=_sam(events=_SQS_EVENT, resources="  Jobs:\n    Type: AWS::SQS::Queue\n"), line=17),
        # the queue being consumed is the DLQ of another queue: its consumer can fail too
        Example(
            template=_sam(
                events=_SQS_EVENT,
                resources="  Jobs:\n    Type: AWS::SQS::Queue\n  Main:\n    Type: AWS::SQS::Queue\n    Properties:\n"
                "      RedrivePolicy:\n        deadLetterTargetArn: !GetAtt Jobs.Arn\n        maxReceiveCount: 5\n",
            ),
            line=17,
        ),
    )
    VALID = (
        Example(
            template=_sam(
                events=_SQS_EVENT,
                resources="  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n"
                "        deadLetterTargetArn: !GetAtt JobsDlq.Arn\n        maxReceiveCount: 5\n"
                "  JobsDlq:\n    Type: AWS::SQS::Queue\n",
            )
        ),
        # a dead-letter queue nothing consumes needs no redrive of its own
        Example(
            template=_sam(
                events=_SQS_EVENT,
                resources="  Jobs:\n    Type: AWS::SQS::Queue\n    Properties:\n      RedrivePolicy:\n"
                "        deadLetterTargetArn: !GetAtt JobsDlq.Arn\n        maxReceiveCount: 5\n"
                "  JobsDlq:\n    Type: AWS::SQS::Queue\n",
            )
        ),
    )

    def check(self, template: Template) -> None:
        reported: set[str] = set()
        for mapping in template.event_source_mappings:
            queue = mapping.queue
            if queue is None or queue.logical_id in reported:
                continue
            if queue.has_redrive_policy is not False:
                continue
            reported.add(queue.logical_id)
            note = " (it is a dead-letter queue itself, and its consumer can fail too)" if queue.logical_id in template.failure_targets else ""
            self.emit(
                queue.location(),
                f"queue {queue.logical_id} feeds {mapping.function.logical_id} but has no RedrivePolicy{note}: a "
                f"message that keeps failing is retried until it expires; add a RedrivePolicy with a dead-letter queue",
                related=[RelatedLocation(mapping.location(), "the queue is consumed here")],
            )


class EventTargetWithoutDlq(TemplateRule):
    """
    ## What it does
    Finds EventBridge rule targets, schedules (`Schedule`, `ScheduleV2`, `AWS::Events::Rule`,
    `AWS::Scheduler::Schedule`) that invoke a function without a target `DeadLetterConfig`.

    ## Why is this bad?
    EventBridge retries delivery to the function for up to 24 hours and 185 attempts, then
    drops the event unless the target has a dead-letter queue. This covers delivery failures
    (the function throttled or unavailable), which the function's own on-failure destination
    never sees: the two are separate gaps ([§3.7](../lambda-facts.md#s3-7)).

    ## Example
    ```yaml
    Events:
      Nightly:
        Type: Schedule
        Properties:
          Schedule: rate(1 day)
    ```

    Use instead:
    ```yaml
    Events:
      Nightly:
        Type: Schedule
        Properties:
          Schedule: rate(1 day)
          DeadLetterConfig:
            Type: SQS
    ```

    ## Known problems
    Reported as info: delivery failures are rare, and many teams accept the risk. A target in
    another stack is reported only when its `Arn` is written as a Lambda function ARN (a rule
    target may be any service).

    In a Serverless Framework service the `schedule` event has no dead-letter setting: write
    the schedule as an `eventBridge` event (`schedule: rate(1 day)`) with `deadLetterQueueArn`,
    as for a rule with a `pattern`.
    """

    code = "LK405"
    name = "event-target-without-dlq"
    summary = "An EventBridge rule or Scheduler target that is a function has no target DeadLetterConfig."
    severity = Severity.INFO
    references = (EVENTBRIDGE_DOCS,)
    _SCHEDULE = "        Nightly:\n          Type: Schedule\n          Properties:\n            Schedule: rate(1 day)\n"
    _FOREIGN_RULE = """
Resources:
  Nightly:
    Type: AWS::Events::Rule
    Properties:
      ScheduleExpression: rate(1 day)
      Targets:
        - Id: report
          Arn: {arn}
"""
    INVALID = (
        Example(template=_sam(events=_SCHEDULE), line=12),
        # the function is in another stack: the rule's target still needs its DLQ
        Example(template=_FOREIGN_RULE.format(arn="!Sub arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:report"), line=7),
    )
    VALID = (
        Example(template=_sam(events=_SCHEDULE + "            DeadLetterConfig:\n              Type: SQS\n")),
        Example(template=_FOREIGN_RULE.format(arn="!ImportValue ReportQueueArn")),  # not known to be a function
    )

    def check(self, template: Template) -> None:
        for trigger in template.triggers + template.external_triggers:
            if trigger.kind not in ("eventbridge", "schedule", "scheduler") or trigger.inferred:
                continue
            if "DeadLetterConfig" in trigger.properties:
                continue
            self.emit(
                trigger.location(),
                f"{trigger.describe} delivers to {trigger.function_label} without a DeadLetterConfig: events "
                f"EventBridge cannot deliver are dropped after its retries; add a target DeadLetterConfig",
            )


class SnsSubscriptionWithoutRedrive(TemplateRule):
    """
    ## What it does
    Finds SNS subscriptions that deliver to a function (SAM `SNS` events,
    `AWS::SNS::Subscription`, a topic's inline `Subscription`) without a `RedrivePolicy`.

    ## Why is this bad?
    SNS retries delivery to Lambda 100,015 times over 23 days, then discards the message
    unless the subscription has a dead-letter queue. Like LK405, this covers delivery, not
    function errors ([§3.7](../lambda-facts.md#s3-7)).

    ## Example
    ```yaml
    Events:
      Alerts:
        Type: SNS
        Properties:
          Topic: !Ref AlertsTopic
    ```

    Use instead:
    ```yaml
    Events:
      Alerts:
        Type: SNS
        Properties:
          Topic: !Ref AlertsTopic
          RedrivePolicy:
            deadLetterTargetArn: !GetAtt AlertsDlq.Arn
    ```
    """

    code = "LK406"
    name = "sns-subscription-without-redrive"
    summary = "An SNS subscription to a function has no RedrivePolicy."
    severity = Severity.INFO
    references = (SNS_DOCS,)
    _SNS = "        Alerts:\n          Type: SNS\n          Properties:\n            Topic: !Ref Topic\n"
    _INLINE = (
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {Runtime: python3.12, Handler: index.handler, "
        "Role: r, Code: {ZipFile: 'def handler(event, context): pass'}}\n  Alerts:\n    Type: AWS::SNS::Topic\n"
        "    Properties:\n      Subscription:\n        - {Protocol: lambda, Endpoint: !GetAtt Fn.Arn}\n"
    )
    INVALID = (Example(template=_sam(events=_SNS), line=12), Example(template=_INLINE, line=9))
    VALID = (
        Example(template=_sam(events=_SNS + "            RedrivePolicy:\n              deadLetterTargetArn: !GetAtt Dlq.Arn\n")),
        Example(template=_sam(events=_SNS + "            SqsSubscription: true\n")),
    )

    def check(self, template: Template) -> None:
        for trigger in template.triggers:
            if trigger.kind != "sns" or trigger.inferred or "RedrivePolicy" in trigger.properties:
                continue
            fix = "add a RedrivePolicy with an SQS dead-letter queue"
            if trigger.resource is not None and trigger.resource.type == "AWS::SNS::Topic":
                # an inline `Subscription` entry has no RedrivePolicy property
                fix = "move the subscription to an AWS::SNS::Subscription resource with a RedrivePolicy (an SQS dead-letter queue)"
            self.emit(
                trigger.location(),
                f"{trigger.describe} delivers to {trigger.function.logical_id} without a RedrivePolicy: messages SNS "
                f"cannot deliver are discarded after its retries; {fix}",
            )


class DlqOnPolledFunction(ProjectRule):
    """
    ## What it does
    Finds a function-level dead-letter queue on a function whose triggers, as far as the
    template shows, are all event source mappings (SQS, Kinesis, DynamoDB, Kafka, ...).

    ## Why is this bad?
    A function's DLQ receives only failed *asynchronous* invocations. Event source mappings
    invoke synchronously, so their failures never reach it: the queue gives a false sense of
    safety while poison messages go to the source queue's redrive policy (SQS) or the
    mapping's on-failure destination (streams) ([§3.3](../lambda-facts.md#s3-3)).

    ## Example
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        DeadLetterQueue:
          Type: SQS
          TargetArn: !GetAtt WorkerDlq.Arn
        Events:
          Jobs:
            Type: SQS
            Properties:
              Queue: !GetAtt Jobs.Arn
    ```

    Use instead: a `RedrivePolicy` on the `Jobs` queue (and no function DLQ).

    ## Known problems
    Reported as info: code in another stack may still invoke the function asynchronously. A
    function that this project's code invokes with `InvocationType='Event'` is not reported.
    """

    code = "LK407"
    name = "dlq-on-polled-function"
    summary = "A function-level DLQ on a function whose triggers are all event source mappings."
    severity = Severity.INFO
    references = (ASYNC_DOCS,)
    _DLQ = "      DeadLetterQueue:\n        Type: SQS\n        TargetArn: !GetAtt Dlq.Arn\n"
    INVALID = (Example(template=_sam(properties=_DLQ, events=_SQS_EVENT), line=11),)
    VALID = (
        Example(template=_sam(properties=_DLQ)),  # S3 is async: the DLQ is exactly right
        Example(template=_sam(properties=_DLQ, events=_SQS_EVENT + _S3_EVENT.replace("Upload:", "Upload2:"))),
    )

    def check(self, project: Project) -> None:
        invoked = project.event_invokes()
        for function in project.functions:
            if not function.triggers or function.has_dead_letter_queue is not True:
                continue
            if any(t.invocation is not Invocation.POLL for t in function.triggers) or function in invoked:
                continue  # something invokes it asynchronously: the DLQ has work to do
            self.emit(
                function.location(function.dead_letter_key),
                f"{function.logical_id} has a dead-letter queue but is only invoked by event source mappings, whose "
                f"failures never reach it; use the source queue's RedrivePolicy or the mapping's on-failure destination",
            )


# Resources through which something may invoke a function that lintkit does not model as a
# trigger: a state machine or pipe (sync or async by configuration), IAM grants (whoever holds
# them may invoke it either way).
_UNMODELLED_INVOKERS = (
    "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::StateMachine",
    "AWS::Pipes::Pipe",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::Role",
)


def _may_be_invoked_otherwise(template: Template, function: Function) -> str | None:
    """Why the function may have an invoker lintkit does not see (None when there is no sign
    of one): a permission that made no trigger, a SAM event of a type not read, a state machine,
    a pipe, an IAM grant, another function's environment or policies, a destination of another
    function or mapping (Lambda invokes destinations asynchronously), an exported output."""

    def names(value) -> bool:
        return any(template.resolve_function({"Ref": logical_id}) is function for logical_id in referenced_ids(value))

    from lintkit.templates.triggers import SAM_EVENTS

    events = function.properties.get("Events") if function.is_sam else None
    for event in events.values() if isinstance(events, dict) else ():
        if not isinstance(event, dict) or event.get("Type") not in SAM_EVENTS:
            return "a SAM event of a type lintkit does not read"
    trigger_resources = {id(t.resource) for t in function.triggers if t.resource is not None}
    for resource in template.resources.values():
        if resource.type == "AWS::Lambda::Permission":
            if id(resource) not in trigger_resources and names(resource.properties.get("FunctionName")):
                return f"permission {resource.logical_id}"
        elif resource.type in _UNMODELLED_INVOKERS and names(resource.properties):
            return resource.logical_id
    for other in template.functions.values():
        if other is not function and (names(other.properties.get("Environment")) or names(other.properties.get("Policies"))):
            return other.logical_id
        for config in other.event_invoke_configs:
            if names(config.properties.get("DestinationConfig")):
                return f"a destination of {other.logical_id}"
        for mapping in other.event_source_mappings:
            if names(mapping.properties.get("DestinationConfig")):
                return f"a destination of {mapping.describe}"
    outputs = template.data.get("Outputs")
    for output in outputs.values() if isinstance(outputs, dict) else ():
        if isinstance(output, dict) and "Export" in output and names(output.get("Value")):
            return "an exported output"
    return None


def _set_on_function(function: Function, mark) -> bool:
    """A SAM `EventInvokeConfig` written on the function itself, not inherited from `Globals`."""
    resource = function.template.resource_at_line(mark.line)
    return resource is function.resource


class AsyncConfigOnSyncFunction(ProjectRule):
    """
    ## What it does
    Finds an `EventInvokeConfig` (retries, maximum event age, `OnSuccess` / `OnFailure`
    destinations; SAM's property, an `AWS::Lambda::EventInvokeConfig` resource, Terraform's
    `aws_lambda_function_event_invoke_config`, the Serverless Framework's `destinations`) on a
    function that nothing invokes asynchronously: every trigger the template shows is
    synchronous (API Gateway, ALB, a function URL, Cognito, AppSync, ...) or an event source
    mapping (SQS, Kinesis, DynamoDB, ...), which also invokes synchronously.

    ## Why is this bad?
    Lambda applies these settings only to asynchronous invocations: for a synchronous one it
    never retries and never sends the result to a destination; the caller gets the error
    (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html,
    https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html, and
    [§3.1](../lambda-facts.md#s3-1)). The configuration is dead: it suggests that failures are
    captured when they are not. Behind an event source mapping, failed records go to the
    queue's `RedrivePolicy` or the mapping's own `DestinationConfig`
    ([§3.4](../lambda-facts.md#s3-4), [§3.5](../lambda-facts.md#s3-5)).

    ## Example
    ```yaml
    Api:
      Type: AWS::Serverless::Function
      Properties:
        Handler: app.handler
        EventInvokeConfig:
          DestinationConfig:
            OnFailure:
              Type: SQS
        Events:
          Get:
            Type: Api
            Properties:
              Path: /items
              Method: get
    ```

    Use instead: remove the `EventInvokeConfig`, and handle errors where the caller sees them
    (the API's response, the client's retry); for a queue, set the queue's `RedrivePolicy`.

    ## Known problems
    Reported as info: something outside the template (another stack, a script, the console)
    may invoke the function asynchronously. The rule stays silent when the template shows no
    trigger at all, when project code invokes the function with `InvocationType='Event'`, and
    when the template holds any sign of an invoker it does not model: a permission for another
    principal, a state machine, a pipe or an IAM grant naming the function, another function
    whose environment or policies name it, a destination that points at it, an exported
    output. An `EventInvokeConfig` inherited from SAM `Globals` is not reported (it is meant
    for the other functions).
    """

    code = "LK408"
    name = "async-config-on-sync-function"
    summary = "An EventInvokeConfig or destination on a function that nothing invokes asynchronously."
    severity = Severity.INFO
    references = (ASYNC_CONFIG_DOCS, STREAM_DOCS)
    _CONFIG = "      EventInvokeConfig:\n        MaximumRetryAttempts: 0\n        DestinationConfig:\n          OnFailure:\n            Type: SQS\n"
    _API = "        Get:\n          Type: Api\n          Properties:\n            Path: /items\n            Method: get\n"
    _RESOURCE = (
        "  WorkerInvokeConfig:\n    Type: AWS::Lambda::EventInvokeConfig\n    Properties:\n      FunctionName: !Ref Worker\n"
        "      Qualifier: $LATEST\n      MaximumRetryAttempts: 0\n"
    )
    INVALID = (
        Example(template=_sam(properties=_CONFIG, events=_API), line=11),
        # the resource form, on a function fed by an SQS queue
        Example(template=_sam(events=_SQS_EVENT, resources="  Jobs:\n    Type: AWS::SQS::Queue\n" + _RESOURCE), line=19),
    )
    VALID = (
        Example(template=_sam(properties=_CONFIG)),  # S3 invokes asynchronously
        Example(template=_sam(properties=_CONFIG, events=_API + _S3_EVENT)),
        # no trigger known: it may be invoked asynchronously from anywhere
        Example(template=_sam(properties=_CONFIG, events="        {}\n").replace("      Events:\n        {}\n", "")),
        # a state machine names it: it may invoke it asynchronously
        Example(
            template=_sam(properties=_CONFIG, events=_API)
            + "  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n      Definition:\n        StartAt: Run\n"
            "        States:\n          Run: {Type: Task, Resource: arn:aws:states:::lambda:invoke, Parameters: {FunctionName: !GetAtt Worker.Arn}, End: true}\n"
        ),
        # inherited from Globals
        Example(
            template=_sam(events=_API).replace(
                "Resources:", "Globals:\n  Function:\n    EventInvokeConfig:\n      MaximumRetryAttempts: 0\nResources:"
            )
        ),
        # project code invokes it with InvocationType='Event'
        Example(
            python="""
            import os
            import boto3

            client = boto3.client("lambda")

            def handler(event, context):
                client.invoke(FunctionName=os.environ["WORKER"], InvocationType="Event", Payload=b"{}")
            """,
            template=_sam(properties=_CONFIG, events=_API).replace("InlineCode: \"def handler(event, context): pass\"", "CodeUri: .")
            .replace("Handler: index.handler", "Handler: app.handler")
            .replace("      Events:\n", "      Environment:\n        Variables:\n          WORKER: !Ref Worker\n      Events:\n"),
        ),
    )

    def check(self, project: Project) -> None:
        invoked = project.event_invokes()
        for function in project.functions:
            configs = function.event_invoke_configs
            if not configs or not function.triggers or function.is_cdk_framework or function in invoked:
                continue
            if any(t.invocation is Invocation.ASYNC for t in function.triggers):
                continue
            if _may_be_invoked_otherwise(function.template, function) is not None:
                continue
            polled = all(t.invocation is Invocation.POLL for t in function.triggers)
            kinds = sorted({t.label for t in function.triggers})
            how = "by event source mappings" if polled else "synchronously"
            instead = (
                "failed records go to the queue's RedrivePolicy or the mapping's DestinationConfig"
                if polled
                else "the caller receives the error and Lambda neither retries nor sends it to a destination"
            )
            for config in configs:
                if config.resource is None and not _set_on_function(function, config.mark):
                    continue  # from Globals: meant for the functions that are invoked asynchronously
                self.emit(
                    config.location(),
                    f"{function.logical_id} has an EventInvokeConfig, but it is only invoked {how} ({', '.join(kinds)}): "
                    f"Lambda applies retries and destinations only to asynchronous invocations, so this configuration "
                    f"does nothing; {instead}; remove it",
                )
