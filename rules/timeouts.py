"""LK601–LK604: function timeouts against Lambda's maximum, the integration in front, and the
queue behind. Facts: [§2.1](../lambda-facts.md#s2-1) (function timeout), [§2.2](../lambda-facts.md#s2-2) (API Gateway), [§2.4](../lambda-facts.md#s2-4)
(AppSync), [§2.6](../lambda-facts.md#s2-6) (SQS visibility timeout), [§1.3](../lambda-facts.md#s1-3) (response streaming)."""

from __future__ import annotations

from lintkit.findings import RelatedLocation, Severity
from lintkit.rule import Example, TemplateRule
from lintkit.templates.model import Template, Trigger, literal_int

TIMEOUT_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
APIGW_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
HTTP_API_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html"
STREAMING_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html"
SQS_CONFIG_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"

# Default and maximum integration timeouts, in milliseconds (docs/lambda-facts.md §2.2, §2.4).
INTEGRATION_TIMEOUT_MS = {"api": 29_000, "http-api": 30_000, "websocket": 29_000, "appsync": 30_000}
DEFAULT_NEAR_MAXIMUM_RATIO = 0.9


def _template(properties: str = "", events: str = "", resources: str = "", globals_: str = "") -> str:
    return (
        "Transform: AWS::Serverless-2016-10-31\n"
        + globals_
        + "Resources:\n"
        "  Worker:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      InlineCode: \"def handler(event, context): pass\"\n"
        "      Handler: index.handler\n"
        "      Runtime: python3.12\n" + properties + ("      Events:\n" + events if events else "") + resources
    )


def _sqs_queue(visibility: str = "") -> str:
    return "  Jobs:\n    Type: AWS::SQS::Queue\n" + (f"    Properties:\n      VisibilityTimeout: {visibility}\n" if visibility else "")


class TimeoutNearMaximum(TemplateRule):
    """
    ## What it does
    Finds functions whose `Timeout` is at or above 90 % of Lambda's 900-second maximum (or
    above the maximum itself), after SAM `Globals`.

    ## Why is this bad?
    A function that needs nearly fifteen minutes today will need more tomorrow, and there is
    no more to give: it will start timing out as data grows, usually part-way through its work.
    Long jobs belong in Step Functions (split into steps), ECS/Fargate or AWS Batch
    ([§2.1](../lambda-facts.md#s2-1)). On Lambda Managed Instances (a `CapacityProviderConfig`), the
    maximum is 5,400 s and the rule measures against that.

    ## Example
    ```yaml
    Timeout: 900
    ```

    Use instead: split the work (Step Functions, a queue of chunks), or run it on ECS/Fargate
    or Batch; keep the Lambda timeout well below the maximum.

    ## Known problems
    Functions with a `DurableConfig` (Lambda durable functions) are not reported: they
    checkpoint and resume across invocations, so a timeout at the maximum is part of their
    design, and how it interacts with their replay is not confirmed well enough to judge.

    ## Options
    `ratio` (default 0.9): the share of the maximum at which the rule fires
    (`[tool.lintkit.rules.LK601] ratio = 0.8`).
    """

    code = "LK601"
    name = "timeout-near-maximum"
    summary = "Timeout at or above 90 % of Lambda's 900 s maximum."
    severity = Severity.WARNING
    references = (TIMEOUT_DOCS,)
    INVALID = (
        Example(template=_template("      Timeout: 900\n"), line=9),
        Example(template=_template(globals_="Globals:\n  Function:\n    Timeout: 840\n"), line=4),
    )
    VALID = (
        Example(template=_template("      Timeout: 300\n")),
        Example(template=_template("      Timeout: !Ref TimeoutParameter\n")),
        Example(template=_template("      Timeout: 900\n      DurableConfig:\n        ExecutionTimeout: 86400\n")),
    )

    def check(self, template: Template) -> None:
        ratio = float(self.options.get("ratio", DEFAULT_NEAR_MAXIMUM_RATIO))
        for function in template.functions.values():
            timeout = function.timeout
            if timeout is None or "Timeout" not in function.properties or function.is_cdk_framework:
                continue
            if "DurableConfig" in function.properties:
                continue  # durable functions checkpoint and replay: a long timeout is their design
            maximum = function.max_timeout
            if timeout > maximum:
                message = f"{function.logical_id} Timeout {timeout} s is above Lambda's maximum of {maximum} s: the deploy fails"
                self.emit(function.location("Timeout"), message, severity=Severity.ERROR)
            elif timeout >= ratio * maximum:
                where = "at" if timeout == maximum else f"within {100 - int(timeout * 100 / maximum)} % of"
                self.emit(
                    function.location("Timeout"),
                    f"{function.logical_id} Timeout {timeout} s is {where} Lambda's {maximum} s maximum: growing work "
                    f"will time out; split it (Step Functions) or move it to ECS/Fargate or Batch",
                )


def _integration_timeout_ms(trigger: Trigger) -> int | None:
    """The integration's timeout: its `TimeoutInMillis` when literal, else the service's default;
    None when it streams (REST `ResponseTransferMode: STREAM`) or is unknown."""
    if trigger.kind not in INTEGRATION_TIMEOUT_MS or trigger.inferred:
        return None
    if str(trigger.properties.get("ResponseTransferMode", "")).upper() == "STREAM":
        return None
    if "TimeoutInMillis" in trigger.properties:
        return literal_int(trigger.properties["TimeoutInMillis"])
    return INTEGRATION_TIMEOUT_MS[trigger.kind]


class TimeoutExceedsIntegration(TemplateRule):
    """
    ## What it does
    Finds functions behind API Gateway (REST: 29 s by default, or the integration's
    `TimeoutInMillis`; HTTP API: 30 s at most, or its `TimeoutInMillis`; WebSocket: 29 s) or
    AppSync (30 s) whose `Timeout` is longer than the integration waits. REST integrations that
    stream their response (`ResponseTransferMode: STREAM`) are not reported.

    ## Why is this bad?
    The client gets a 504 when the integration gives up, but the function keeps running to
    its own timeout. The client retries, and the work runs again, with duplicated side
    effects, while the first run's result is thrown away ([§2.2](../lambda-facts.md#s2-2)).

    ## Example
    ```yaml
    Timeout: 60
    Events:
      Get:
        Type: Api
        Properties:
          Path: /report
          Method: get
    ```

    Use instead: a `Timeout` at or below the integration's (29 s here), with the slow work
    moved behind a queue; or raise the REST integration's `TimeoutInMillis` (Regional and
    private APIs), or stream the response.
    """

    code = "LK602"
    name = "timeout-exceeds-integration"
    summary = "A function's Timeout is longer than the API Gateway / AppSync integration in front of it."
    severity = Severity.WARNING
    references = (APIGW_DOCS, HTTP_API_DOCS, STREAMING_DOCS)
    _API = "        Get:\n          Type: Api\n          Properties:\n            Path: /report\n            Method: get\n"
    _HTTP = "        Get:\n          Type: HttpApi\n          Properties:\n            TimeoutInMillis: 10000\n"
    INVALID = (
        Example(template=_template("      Timeout: 60\n", _API), line=9),
        Example(template=_template("      Timeout: 20\n", _HTTP), line=9),
    )
    VALID = (
        Example(template=_template("      Timeout: 29\n", _API)),
        Example(template=_template("      Timeout: 60\n", _API + "            ResponseTransferMode: STREAM\n")),
        Example(template=_template("      Timeout: 60\n", _API + "            TimeoutInMillis: 90000\n")),
    )

    def check(self, template: Template) -> None:
        for function in template.functions.values():
            timeout = function.timeout
            if timeout is None:
                continue
            for trigger in function.triggers:
                limit_ms = _integration_timeout_ms(trigger)
                if limit_ms is None or timeout * 1000 <= limit_ms:
                    continue
                self.emit(
                    function.location("Timeout"),
                    f"{function.logical_id} Timeout {timeout} s is longer than the {trigger.label} integration's "
                    f"{limit_ms / 1000:g} s ({trigger.describe}): callers get a 504 while the function keeps running, "
                    f"and their retry runs it again",
                    related=[RelatedLocation(trigger.location("TimeoutInMillis"), "the integration is configured here")],
                )
                break  # one finding per function: the fix is the same line


class VisibilityTimeoutTooShort(TemplateRule):
    """
    ## What it does
    Compares each SQS source queue's `VisibilityTimeout` (30 s when not set) with the timeout
    of the function that consumes it: an **error** when the queue's is shorter than the
    function's (Lambda refuses to create the mapping), a **warning** when it is shorter than
    six times the function's timeout plus the batching window, as AWS recommends.

    ## Why is this bad?
    A message becomes visible again when its visibility timeout runs out. If that happens
    while the function is still working on it (or while Lambda is backing off after a
    throttle), another invocation receives the same message and the work runs twice
    ([§2.6](../lambda-facts.md#s2-6)).

    ## Example
    ```yaml
    Jobs:
      Type: AWS::SQS::Queue      # VisibilityTimeout: 30 by default
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Timeout: 60
    ```

    Use instead:
    ```yaml
    Jobs:
      Type: AWS::SQS::Queue
      Properties:
        VisibilityTimeout: 360   # 6 x 60 s
    ```
    """

    code = "LK603"
    name = "visibility-timeout-too-short"
    summary = "An SQS source queue's VisibilityTimeout is shorter than its function's timeout (or 6x it)."
    severity = Severity.ERROR
    references = (SQS_CONFIG_DOCS,)
    _SQS = "        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs.Arn\n"

    INVALID = (
        Example(template=_template("      Timeout: 60\n", _SQS, _sqs_queue()), line=15),
        Example(template=_template("      Timeout: 60\n", _SQS, _sqs_queue("120")), line=18),
    )
    VALID = (
        Example(template=_template("      Timeout: 60\n", _SQS, _sqs_queue("360"))),
        Example(template=_template("", _SQS, _sqs_queue())),
    )

    def check(self, template: Template) -> None:
        for mapping in template.event_source_mappings:
            queue, timeout = mapping.queue, mapping.function.timeout
            if queue is None or timeout is None:
                continue
            visibility, window = queue.visibility_timeout, mapping.batching_window
            if visibility is None or window is None:
                continue
            where = queue.location("VisibilityTimeout")
            default = "" if "VisibilityTimeout" in queue.resource.properties else " (the default)"
            related = [RelatedLocation(mapping.function.location("Timeout"), "the function's timeout")]
            if visibility < timeout:
                self.emit(
                    where,
                    f"queue {queue.logical_id} VisibilityTimeout {visibility} s{default} is shorter than "
                    f"{mapping.function.logical_id}'s Timeout {timeout} s: Lambda rejects the mapping at deploy; "
                    f"set it to at least {6 * timeout + window} s",
                    related=related,
                )
            elif visibility < 6 * timeout + window:
                self.emit(
                    where,
                    f"queue {queue.logical_id} VisibilityTimeout {visibility} s{default} is less than 6 x "
                    f"{mapping.function.logical_id}'s Timeout {timeout} s"
                    f"{f' + {window} s batching window' if window else ''}: a slow or retried message becomes "
                    f"visible again and is processed twice; set it to at least {6 * timeout + window} s",
                    related=related,
                    severity=Severity.WARNING,
                )


class DefaultTimeout(TemplateRule):
    """
    ## What it does
    Finds functions with no `Timeout` anywhere (neither on the function nor in SAM
    `Globals`), which therefore run with Lambda's 3-second default.

    ## Why is this bad?
    Three seconds is rarely a decision: a cold start plus one slow network call exceeds it,
    and the function then fails in a way that looks random. Set the timeout to what the
    work needs ([§2.1](../lambda-facts.md#s2-1)).

    ## Example
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: app.handler
    ```

    Use instead:
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: app.handler
        Timeout: 15
    ```

    ## Known problems
    Reported as info: for a function that does no I/O, 3 s may be exactly right.
    """

    code = "LK604"
    name = "default-timeout"
    summary = "No Timeout anywhere: the function runs with the 3 s default."
    severity = Severity.INFO
    references = (TIMEOUT_DOCS,)
    INVALID = (Example(template=_template(), line=3),)
    VALID = (
        Example(template=_template("      Timeout: 10\n")),
        Example(template=_template(globals_="Globals:\n  Function:\n    Timeout: 10\n")),
    )

    def check(self, template: Template) -> None:
        for function in template.functions.values():
            if "Timeout" in function.properties or function.is_cdk_framework:
                continue
            self.emit(
                function.location(),
                f"{function.logical_id} sets no Timeout and runs with the 3 s default; set the timeout its work needs",
            )

