"""LK601–LK604: function timeouts against Lambda's maximum, the integration in front, and the
queue behind. Facts: [§2.1](../lambda-facts.md#s2-1) (function timeout), [§2.2](../lambda-facts.md#s2-2) (API Gateway), [§2.4](../lambda-facts.md#s2-4)
(AppSync), [§2.6](../lambda-facts.md#s2-6) (SQS visibility timeout), [§1.3](../lambda-facts.md#s1-3) (response streaming)."""

from __future__ import annotations

from typing import Any

from lintkit.findings import Applicability, Fix, RelatedLocation, Severity
from lintkit.rule import Example, TemplateRule
from lintkit.templates.model import (
    FromParameter,
    Function,
    Invocation,
    Queue,
    Template,
    Trigger,
    global_function_properties,
    referenced_ids,
    referenced_logical_id,
    template_fix,
    value_origin,
)

TIMEOUT_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
APIGW_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html"
HTTP_API_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html"
STREAMING_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html"
SQS_CONFIG_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
WEBSOCKET_ROUTE_RESPONSE_DOCS = "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-response.html"

# Default and maximum integration timeouts, in milliseconds (docs/lambda-facts.md §2.2, §2.4).
INTEGRATION_TIMEOUT_MS = {"api": 29_000, "http-api": 30_000, "websocket": 29_000, "appsync": 30_000}
DEFAULT_NEAR_MAXIMUM_RATIO = 0.9
DEFAULT_MARGIN_S = 2  # LK602: an overrun of at most this many seconds is info


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
                message = (
                    f"{function.logical_id} Timeout {timeout} s{value_origin(timeout)} is above Lambda's maximum of "
                    f"{maximum} s: the deploy fails"
                )
                self.emit(function.location("Timeout"), message, severity=Severity.ERROR)
            elif timeout >= ratio * maximum:
                where = "at" if timeout == maximum else f"within {100 - int(timeout * 100 / maximum)} % of"
                self.emit(
                    function.location("Timeout"),
                    f"{function.logical_id} Timeout {timeout} s{value_origin(timeout)} is {where} Lambda's {maximum} s "
                    f"maximum: growing work "
                    f"will time out; split it (Step Functions) or move it to ECS/Fargate or Batch",
                )


def _integration_timeout_ms(trigger: Trigger) -> int | None:
    """How long the integration in front of a synchronous trigger waits: its `TimeoutInMillis`
    (`timeoutInMillis` in OpenAPI) when literal, else the service's default; None when it
    streams its response, is asynchronous, or is not known (a permission says only which
    service invokes, not how it is set up)."""
    if trigger.invocation is not Invocation.SYNC or trigger.kind not in INTEGRATION_TIMEOUT_MS or trigger.inferred:
        return None
    if trigger.streams_response:
        return None
    key = trigger.setting_key("TimeoutInMillis")
    if key is None:
        return INTEGRATION_TIMEOUT_MS[trigger.kind]
    limit = trigger.template.int_value(trigger.properties[key])
    return limit if limit is not None and limit > 0 else None


def _api_permission(trigger: Trigger) -> bool:
    """An `AWS::Lambda::Permission` that lets API Gateway or AppSync invoke the function: it
    goes with an integration (often the one LK602 reads), so it does not say the function
    serves anything else."""
    return trigger.inferred and (trigger.kind in INTEGRATION_TIMEOUT_MS or trigger.kind == "apigateway")


def _who_waits(trigger: Trigger) -> str | None:
    """Who waits for the function's answer behind a synchronous integration: "caller" (REST,
    HTTP API, AppSync), "connect" (a WebSocket `$connect` route: the connection is open only once
    the integration answers), "two-way" (a WebSocket route with a route response); None for a
    WebSocket integration none of whose routes waits (one-way routes, or no route found)."""
    if trigger.kind != "websocket":
        return "caller"
    integration = trigger.resource
    if integration is None:
        return None
    template = trigger.template
    routes = [
        route
        for route in template.iter_resources("AWS::ApiGatewayV2::Route")
        if integration.logical_id in referenced_ids(route.properties.get("Target"))
    ]
    if any(route.properties.get("RouteKey") == "$connect" for route in routes):
        return "connect"
    answered = {
        referenced_logical_id(response.properties.get("RouteId"))
        for response in template.iter_resources("AWS::ApiGatewayV2::RouteResponse")
    }
    return "two-way" if any(route.logical_id in answered for route in routes) else None


_CONSEQUENCE = {
    "caller": "callers get a 504 while the function keeps running, and a caller that retries runs it again",
    "connect": "the connection attempt fails while the function keeps running, and a client that reconnects runs it again",
    "two-way": "the client gets no answer while the function keeps running, and a client that resends runs it again",
}


class TimeoutExceedsIntegration(TemplateRule):
    """
    ## What it does
    Finds functions whose `Timeout` is longer than the API Gateway or AppSync integration in
    front of them waits: REST APIs 29 s by default (or the integration's `TimeoutInMillis`),
    HTTP APIs 30 s at most (or their `TimeoutInMillis`), WebSocket APIs 29 s, AppSync 30 s.
    Integrations come from SAM `Api`/`HttpApi` events, `AWS::ApiGateway::Method`,
    `AWS::ApiGatewayV2::Integration`, AppSync data sources, and the
    `x-amazon-apigateway-integration` of an OpenAPI definition (`DefinitionBody`, `Body`, or a
    `DefinitionUri` / `AWS::Include` file in the repository), whose `timeoutInMillis` counts.

    Reported as a **warning** when a client waits for the answer: a REST or HTTP API call, an
    AppSync resolver, a WebSocket `$connect` route (the connection opens only once the
    integration answers) or a WebSocket route with a route response. Reported as **info**
    when the overrun is small (at most `margin` seconds, such as SAM's common `Timeout: 30`
    against REST's 29 s), when the function also serves a one-way WebSocket route (which is
    likely what its long timeout is for), and for one-way WebSocket routes that overrun by
    more than `margin`: without a route response no client waits for the function's answer,
    so there is no 504 and no retry; API Gateway just stops waiting.

    Not reported: integrations that stream their response (`ResponseTransferMode: STREAM`),
    and asynchronous ones (a REST `AWS` integration that sets the
    `X-Amz-Invocation-Type` header to `'Event'`), which the integration timeout does not bound.

    ## Why is this bad?
    When the integration gives up, the client gets a 504 (REST and HTTP APIs) or an error,
    but the function keeps running to its own timeout. A client that retries runs the work
    again, with its side effects, while the first run's result is thrown away
    ([§2.2](../lambda-facts.md#s2-2)). See the
    integration timeouts in the API Gateway quotas
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html) and the
    `$connect` route
    (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-route-keys-connect-disconnect.html).

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

    ## Options
    `margin` (default 2): an overrun of at most this many seconds is reported as info
    (`[tool.lintkit.rules.LK602] margin = 0` makes every overrun a warning).

    ## Fix safety
    The fix lowers `Timeout` to the whole seconds of the shortest integration a client waits
    on (29 for a REST API's default), in the template's own style. When the function takes its
    `Timeout` from SAM `Globals`, the fix changes `Globals` only when every function that
    inherits it needs that same value; otherwise it gives this function a `Timeout` of its
    own and leaves the others alone. It is **unsafe**: the function gets less time, so work that
    takes longer than the integration now fails with a timeout inside Lambda instead of running
    on after the client has had its 504; the other callers and event sources of the function
    get the shorter timeout too. Review it, and move the slow work behind a queue where it
    needs the time. No fix is offered when something else invokes the function too (a function
    URL, a queue, a schedule, a streaming or asynchronous integration: the long timeout may be
    for it), when it also serves a one-way WebSocket route and overruns by more than `margin`,
    for the info finding on one-way routes, when the
    `Timeout` comes from a parameter or an expression, or when the template cannot be edited
    certainly.

    ## Known problems
    A WebSocket integration whose routes lintkit cannot find (a `Target` it cannot resolve, a
    route in another stack) is taken for one-way and reported as info. A REST integration
    that maps `X-Amz-Invocation-Type` from the request lets each client choose; it is treated
    as synchronous. OpenAPI definitions on S3, and integrations reached through `$ref`, are not
    read.
    """

    code = "LK602"
    name = "timeout-exceeds-integration"
    summary = "A function's Timeout is longer than the API Gateway / AppSync integration in front of it."
    severity = Severity.WARNING
    references = (APIGW_DOCS, HTTP_API_DOCS, STREAMING_DOCS, WEBSOCKET_ROUTE_RESPONSE_DOCS)
    _API = "        Get:\n          Type: Api\n          Properties:\n            Path: /report\n            Method: get\n"
    _HTTP = "        Get:\n          Type: HttpApi\n          Properties:\n            TimeoutInMillis: 10000\n"
    _OPENAPI = (
        "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionBody:\n"
        "        openapi: '3.0.1'\n        paths:\n          /report:\n            post:\n"
        "              x-amazon-apigateway-integration:\n                type: {type}\n                httpMethod: POST\n"
        "                uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Worker.Arn}}/invocations\n"
        "{extra}"
    )
    _SOCKET = (
        "  Socket:\n    Type: AWS::ApiGatewayV2::Api\n    Properties:\n      Name: socket\n      ProtocolType: WEBSOCKET\n"
        "      RouteSelectionExpression: $request.body.action\n"
        "  SendIntegration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Socket\n"
        "      IntegrationType: AWS_PROXY\n"
        "      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Worker.Arn}/invocations\n"
        "  SendRoute:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Socket\n      RouteKey: send\n"
        "      Target: !Sub integrations/${SendIntegration}\n"
    )
    _ROUTE_RESPONSE = (
        "  SendRouteResponse:\n    Type: AWS::ApiGatewayV2::RouteResponse\n    Properties:\n      ApiId: !Ref Socket\n"
        "      RouteId: !Ref SendRoute\n      RouteResponseKey: $default\n"
    )
    _ASYNC = "                requestParameters:\n                  integration.request.header.X-Amz-Invocation-Type: \"'Event'\"\n"
    fixable = True
    _GLOBALS = "Globals:\n  Function:\n    Timeout: 60  # one minute\n"
    _OTHER = (
        "  Other:\n    Type: AWS::Serverless::Function\n    Properties:\n      InlineCode: \"def handler(event, context): pass\"\n"
        "      Handler: index.handler\n      Runtime: python3.12\n"
    )
    _JSON = """\
        {
          "Transform": "AWS::Serverless-2016-10-31",
          "Resources": {
            "Worker": {
              "Type": "AWS::Serverless::Function",
              "Properties": {
                "InlineCode": "def handler(event, context): pass",
                "Handler": "index.handler",
                "Runtime": "python3.12",
                "Timeout": "60",
                "Events": {"Get": {"Type": "Api", "Properties": {"Path": "/report", "Method": "get"}}}
              }
            }
          }
        }
        """
    INVALID = (
        Example(
            template=_template("      Timeout: 60\n", _API),
            line=9,
            fix="unsafe",
            fixed=_template("      Timeout: 29\n", _API),
        ),
        Example(
            template=_template("      Timeout: 20  # seconds\n", _HTTP),
            line=9,
            fix="unsafe",
            fixed=_template("      Timeout: 10  # seconds\n", _HTTP),
        ),
        # a second over REST's 29 s: info, with the same fix
        Example(template=_template("      Timeout: 30\n", _API), line=9, fix="unsafe", fixed=_template("      Timeout: 29\n", _API)),
        # the Timeout comes from Globals and the only function that inherits it needs it lowered
        Example(
            template=_template(events=_API, globals_=_GLOBALS),
            line=4,
            fix="unsafe",
            fixed=_template(events=_API, globals_=_GLOBALS.replace("60", "29")),
        ),
        # another function inherits the Globals value and needs no change: this one gets its own
        Example(
            template=_template(events=_API, resources=_OTHER, globals_=_GLOBALS),
            line=4,
            fix="unsafe",
            fixed=_template(events=_API, resources=_OTHER, globals_=_GLOBALS).replace(
                "          Method: get\n", "          Method: get\n      Timeout: 29\n", 1
            ),
        ),
        # JSON, a quoted value stays quoted
        Example(template=_JSON, line=10, fix="unsafe", fixed=_JSON.replace('"Timeout": "60"', '"Timeout": "29"')),
        # the integration is in the API's OpenAPI definition
        Example(template=_template("      Timeout: 60\n", resources=_OPENAPI.format(type="aws_proxy", extra="")), line=9),
        # a WebSocket route with a route response: the client waits for the answer
        Example(template=_template("      Timeout: 60\n", resources=_SOCKET + _ROUTE_RESPONSE), line=9),
        # a one-way WebSocket route: info, nobody waits
        Example(template=_template("      Timeout: 60\n", resources=_SOCKET), line=9),
    )
    VALID = (
        Example(template=_template("      Timeout: 29\n", _API)),
        Example(template=_template("      Timeout: 60\n", _API + "            ResponseTransferMode: STREAM\n")),
        Example(template=_template("      Timeout: 60\n", _API + "            TimeoutInMillis: 90000\n")),
        Example(
            template=_template(
                "      Timeout: 60\n", resources=_OPENAPI.format(type="aws_proxy", extra="                timeoutInMillis: 90000\n")
            )
        ),
        Example(
            template=_template(
                "      Timeout: 60\n", resources=_OPENAPI.format(type="aws_proxy", extra="                responseTransferMode: STREAM\n")
            )
        ),
        # asynchronous: API Gateway does not wait for the function
        Example(template=_template("      Timeout: 60\n", resources=_OPENAPI.format(type="aws", extra=_ASYNC))),
    )

    @staticmethod
    def _overruns(function: Function) -> tuple[list[tuple[int, Trigger, str]], list[tuple[int, Trigger]]]:
        """The integrations the function's Timeout overruns: those a client waits on (limit in
        ms, trigger, who waits) and the one-way ones (limit, trigger)."""
        timeout = function.timeout
        if timeout is None:
            return [], []
        over = [
            (limit_ms, trigger)
            for trigger in function.triggers
            if (limit_ms := _integration_timeout_ms(trigger)) is not None and timeout * 1000 > limit_ms
        ]
        waiting = [(limit_ms, trigger, who) for limit_ms, trigger in over if (who := _who_waits(trigger)) is not None]
        one_way = [(limit_ms, trigger) for limit_ms, trigger in over if _who_waits(trigger) is None]
        return waiting, one_way

    @classmethod
    def _fix_target(cls, function: Function, margin: float) -> int | None:
        """The Timeout the fix sets: the whole seconds of the shortest integration a client
        waits on. None when something else invokes the function too (a function URL, a queue, a
        schedule, a streaming or asynchronous integration, an API whose settings are not known),
        when it also serves a one-way WebSocket route and overruns by more than `margin` (the
        long timeout may be for them: the message says so), or when its Timeout comes from a
        parameter."""
        waiting, one_way = cls._overruns(function)
        timeout = function.timeout
        if not waiting or timeout is None or isinstance(timeout, FromParameter):
            return None
        if any(_integration_timeout_ms(trigger) is None and not _api_permission(trigger) for trigger in function.triggers):
            return None  # a function URL, a queue, a streaming route...: the time may be for it
        limit_ms = min(limit_ms for limit_ms, _, _ in waiting)
        if one_way and timeout - limit_ms / 1000 > margin:
            return None
        target = limit_ms // 1000
        return int(target) if target >= 1 else None

    def _fix(self, function: Function, margin: float) -> Fix | None:
        """Lower the function's Timeout. A Timeout from SAM `Globals` is lowered there only when
        every function that inherits it needs the same value; else the function gets its own."""
        target = self._fix_target(function, margin)
        if target is None:
            return None
        template = function.template
        own = function.resource.properties
        title = f"Set {function.logical_id} Timeout to {target} s"
        if "Timeout" in own:
            edits = template.plan_set(own, "Timeout", target)
        else:
            globals_ = global_function_properties(template) if function.is_sam else None
            if globals_ is None or "Timeout" not in globals_:
                return None
            inheritors = [f for f in template.functions.values() if f.is_sam and "Timeout" not in f.resource.properties]
            if all(self._fix_target(f, margin) == target for f in inheritors):
                names = ", ".join(f.logical_id for f in inheritors)
                title = f"Set Globals Function Timeout to {target} s (every function that inherits it needs it: {names})"
                edits = template.plan_set(globals_, "Timeout", target)
            else:
                title += " (its own, instead of the Globals value other functions keep)"
                edits = function.resource.plan_properties({"Timeout": target})
        return template_fix(title, Applicability.UNSAFE, edits)

    def check(self, template: Template) -> None:
        margin = _number(self.options.get("margin"), DEFAULT_MARGIN_S)
        for function in template.functions.values():
            timeout = function.timeout
            if timeout is None:
                continue
            waiting, one_way = self._overruns(function)
            if not waiting and not one_way:
                continue
            if waiting:
                limit_ms, trigger, who = min(waiting, key=lambda item: item[0])
                self._report_waiting(function.logical_id, timeout, limit_ms, trigger, who, margin, bool(one_way), self._fix(function, margin))
            else:
                limit_ms, trigger = min(one_way, key=lambda item: item[0])
                if timeout - limit_ms / 1000 <= margin:
                    continue  # nobody waits, and the integration gives up only a moment early
                self.emit(
                    function.location("Timeout"),
                    f"{function.logical_id} Timeout {timeout} s{value_origin(timeout)} is longer than the {trigger.label} "
                    f"integration's {limit_ms / 1000:g} s{value_origin(limit_ms)} ({trigger.describe}), but the route has no route response: no client waits "
                    f"for the answer, so there is no 504 and no retry; API Gateway just stops waiting at "
                    f"{limit_ms / 1000:g} s (a connected client may get an 'Endpoint request timed out' message)",
                    severity=Severity.INFO,
                    related=[RelatedLocation(trigger.location("TimeoutInMillis"), "the integration is configured here")],
                )

    def _report_waiting(
        self, name: str, timeout: int, limit_ms: int, trigger: Trigger, who: str, margin: float, serves_one_way: bool,
        offered: Fix | None,
    ) -> None:
        function = trigger.function
        limit = limit_ms / 1000
        overrun = timeout - limit
        fix = f"set Timeout to {int(limit)} s or less and move slow work behind a queue"
        if trigger.kind == "api":
            fix += ", or raise the integration's TimeoutInMillis (Regional and private REST APIs)"
        consequence = _CONSEQUENCE[who]
        if trigger.kind == "appsync":
            consequence = consequence.replace("a 504", "a timeout error")
        head = f"{name} Timeout {timeout} s{value_origin(timeout)} is"
        where = f"the {trigger.label} integration's {limit:g} s{value_origin(limit_ms)} ({trigger.describe})"
        severity = None
        if overrun <= margin:
            message = (
                f"{head} {overrun:g} s longer than {where}: only a call that runs past {limit:g} s is affected, and then "
                f"{consequence}; set Timeout to {int(limit)} s to match"
            )
            severity = Severity.INFO
        elif serves_one_way:
            message = (
                f"{head} longer than {where}: {consequence}; the function also serves a one-way WebSocket route, "
                f"which may be what the long timeout is for, so keep the work of this route under {limit:g} s"
            )
            severity = Severity.INFO
        else:
            message = f"{head} longer than {where}: {consequence}; {fix}"
        self.emit(
            function.location("Timeout"),
            message,
            severity=severity,
            related=[RelatedLocation(trigger.location("TimeoutInMillis"), "the integration is configured here")],
            fix=offered,
        )


def _number(value: Any, default: float) -> float:
    """A numeric rule option; the default when it is missing or not a number."""
    if isinstance(value, bool) or value is None:
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


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

    ## Fix safety
    The fix sets the queue's `VisibilityTimeout` to 6 x the function's `Timeout` plus its
    batching window (when several functions poll the queue, the largest of their needs), or
    adds the key (and `Properties`) when the queue has none, in the template's own style (YAML
    block or flow, JSON; a quoted value stays quoted). It is **safe**: a longer visibility
    timeout only keeps a message hidden longer while a function works on it, which is what
    AWS recommends for Lambda consumers and what lets Lambda create the mapping at all when
    the queue's timeout is below the function's
    (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html). The one thing
    that changes is that a message whose processing failed becomes visible for its next attempt
    later. No fix is offered when the queue's `VisibilityTimeout`, a function's `Timeout` or a
    batching window comes from a parameter or an expression (the literal would not follow the
    parameter: change the parameter), or when the template cannot be edited certainly.
    """

    code = "LK603"
    name = "visibility-timeout-too-short"
    summary = "An SQS source queue's VisibilityTimeout is shorter than its function's timeout (or 6x it)."
    severity = Severity.ERROR
    references = (SQS_CONFIG_DOCS,)
    _SQS = "        Jobs:\n          Type: SQS\n          Properties:\n            Queue: !GetAtt Jobs.Arn\n"

    fixable = True
    _SHARED = (
        "  Reports:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      InlineCode: \"def handler(event, context): pass\"\n      Handler: index.handler\n      Runtime: python3.12\n"
        "      Timeout: 100\n      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n"
        "            Queue: !GetAtt Jobs.Arn\n            MaximumBatchingWindowInSeconds: 5\n"
    )
    _JSON = """\
        {
          "Resources": {
            "Jobs": {
              "Type": "AWS::SQS::Queue"
            },
            "Worker": {
              "Type": "AWS::Lambda::Function",
              "Properties": {"Handler": "index.handler", "Runtime": "python3.12", "Timeout": 60,
                             "Role": "arn:aws:iam::123456789012:role/worker", "Code": {"ZipFile": "x"}}
            },
            "Mapping": {
              "Type": "AWS::Lambda::EventSourceMapping",
              "Properties": {"FunctionName": {"Ref": "Worker"}, "EventSourceArn": {"Fn::GetAtt": ["Jobs", "Arn"]}}
            }
          }
        }
        """

    INVALID = (
        Example(
            template=_template("      Timeout: 60\n", _SQS, _sqs_queue()),
            line=15,
            fix="safe",
            fixed=_template("      Timeout: 60\n", _SQS, _sqs_queue("360")),
        ),
        Example(
            template=_template("      Timeout: 60\n", _SQS, _sqs_queue("120  # two minutes")),
            line=18,
            fix="safe",
            fixed=_template("      Timeout: 60\n", _SQS, _sqs_queue("360  # two minutes")),
        ),
        # two functions poll the queue: the largest need (6 x 100 s + 5 s window) for both findings
        Example(
            template=_template("      Timeout: 60\n", _SQS, _sqs_queue("'120'") + _SHARED),
            line=18,
            fix="safe",
            fixed=_template("      Timeout: 60\n", _SQS, _sqs_queue("'605'") + _SHARED),
        ),
        # flow style
        Example(
            template=_template("      Timeout: 60\n", _SQS, "  Jobs: {Type: AWS::SQS::Queue}\n"),
            line=15,
            fix="safe",
            fixed=_template("      Timeout: 60\n", _SQS, "  Jobs: {Type: AWS::SQS::Queue, Properties: {VisibilityTimeout: 360}}\n"),
        ),
        # JSON: Properties added after the queue's last member, laid out like the file
        Example(
            template=_JSON,
            line=3,
            fix="safe",
            fixed=_JSON.replace(
                '"Type": "AWS::SQS::Queue"\n',
                '"Type": "AWS::SQS::Queue",\n              "Properties": {\n                "VisibilityTimeout": 360\n'
                "              }\n",
            ),
        ),
    )
    VALID = (
        Example(template=_template("      Timeout: 60\n", _SQS, _sqs_queue("360"))),
        Example(template=_template("", _SQS, _sqs_queue())),
    )

    @staticmethod
    def _fix(template: Template, queue: Queue) -> Fix | None:
        """Raise the queue's VisibilityTimeout to what every function that polls it needs (6 x
        its Timeout + batching window), the largest of them. No fix when a value involved comes
        from a parameter or an expression (the parameter is what to change, and a literal would
        not follow it), or when the queue's setting is not a number written in the template."""
        needs = []
        for mapping in template.event_source_mappings:
            if mapping.queue is not queue:
                continue
            timeout, window = mapping.function.timeout, mapping.batching_window
            if timeout is None or window is None or isinstance(timeout, FromParameter) or isinstance(window, FromParameter):
                return None
            needs.append(6 * timeout + window)
        visibility = queue.visibility_timeout
        if not needs or visibility is None or isinstance(visibility, FromParameter) or max(needs) <= visibility:
            return None
        target = max(needs)
        largest = ", the largest of its functions" if len(needs) > 1 else ""
        return template_fix(
            f"Set queue {queue.logical_id} VisibilityTimeout to {target} s (6 x the Timeout of the function that polls it, "
            f"plus its batching window{largest})",
            Applicability.SAFE,
            queue.resource.plan_properties({"VisibilityTimeout": target}),
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
            default = value_origin(visibility) if "VisibilityTimeout" in queue.resource.properties else " (the default)"
            timeout_origin, window_origin = value_origin(timeout), value_origin(window)
            related = [RelatedLocation(mapping.function.location("Timeout"), "the function's timeout")]
            if visibility < timeout:
                self.emit(
                    where,
                    f"queue {queue.logical_id} VisibilityTimeout {visibility} s{default} is shorter than "
                    f"{mapping.function.logical_id}'s Timeout {timeout} s{timeout_origin}: Lambda rejects the mapping at deploy; "
                    f"set it to at least {6 * timeout + window} s",
                    related=related,
                    fix=self._fix(template, queue),
                )
            elif visibility < 6 * timeout + window:
                self.emit(
                    where,
                    f"queue {queue.logical_id} VisibilityTimeout {visibility} s{default} is less than 6 x "
                    f"{mapping.function.logical_id}'s Timeout {timeout} s{timeout_origin}"
                    f"{f' + {window} s batching window{window_origin}' if window else ''}, as AWS recommends: when Lambda is throttled "
                    f"and retries a batch, its messages can become visible again before it is done and another "
                    f"invocation receives them too; set it to at least {6 * timeout + window} s",
                    related=related,
                    severity=Severity.WARNING,
                    fix=self._fix(template, queue),
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

