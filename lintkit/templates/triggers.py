"""What invokes each function, and where its failed events go.

Triggers come from SAM `Events` of every type and from plain CloudFormation resources; each
is tagged sync / async / poll (LAMBDA-FACTS §3.6). Failure handling comes from SAM
`DeadLetterQueue` / `EventInvokeConfig` (after `Globals`) and `AWS::Lambda::EventInvokeConfig`
resources. A reference lintkit cannot resolve (an import, a parameter, `Fn::If`) links nothing:
no trigger is guessed."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from lintkit.templates.loader import Map, Seq
from lintkit.templates.model import (
    EVENT_SOURCE_MAPPING,
    ApiIntegration,
    EventInvokeConfig,
    EventSourceMapping,
    Function,
    Invocation,
    Resource,
    Template,
    Trigger,
    _empty_map,
    literal_bool,
    referenced_logical_id,
)
from lintkit.templates.openapi import api_definitions, operations

SYNC, ASYNC, POLL = Invocation.SYNC, Invocation.ASYNC, Invocation.POLL

# SAM event Type -> (trigger kind, how Lambda is invoked)
SAM_EVENTS: dict[str, tuple[str, Invocation]] = {
    "SQS": ("sqs", POLL),
    "Kinesis": ("kinesis", POLL),
    "DynamoDB": ("dynamodb", POLL),
    "MQ": ("mq", POLL),
    "MSK": ("msk", POLL),
    "SelfManagedKafka": ("kafka", POLL),
    "DocumentDB": ("documentdb", POLL),
    "S3": ("s3", ASYNC),
    "SNS": ("sns", ASYNC),
    "EventBridgeRule": ("eventbridge", ASYNC),
    "CloudWatchEvent": ("eventbridge", ASYNC),
    "Schedule": ("schedule", ASYNC),
    "ScheduleV2": ("scheduler", ASYNC),
    "CloudWatchLogs": ("cloudwatch-logs", ASYNC),
    "IoTRule": ("iot", ASYNC),
    "Cognito": ("cognito", SYNC),
    "Api": ("api", SYNC),
    "HttpApi": ("http-api", SYNC),
    "AlexaSkill": ("alexa", SYNC),
}

# `AWS::Lambda::Permission.Principal` service -> (kind, invocation): the heuristic of §3.6.
# `iot` is a topic rule (async) unless the permission's `SourceArn` is an IoT custom authorizer
# or the function is named by one (sync, §13.1): see `_iot_permission_kind`.
PERMISSION_PRINCIPALS: dict[str, tuple[str, Invocation]] = {
    "s3": ("s3", ASYNC),
    "sns": ("sns", ASYNC),
    "events": ("eventbridge", ASYNC),
    "logs": ("cloudwatch-logs", ASYNC),
    "iot": ("iot", ASYNC),
    "ses": ("ses", ASYNC),
    "codecommit": ("codecommit", ASYNC),
    "config": ("config", ASYNC),
    "apigateway": ("apigateway", SYNC),
    "elasticloadbalancing": ("alb", SYNC),
    "cognito-idp": ("cognito", SYNC),
    "lex": ("lex", SYNC),
    "connect": ("connect", SYNC),
    "vpc-lattice": ("vpc-lattice", SYNC),
}

# Resource type -> (where it names the function, kind, invocation): what the builders below
# create (LAMBDA-FACTS §3.6, §13.1). `docs/triggers.md` is generated from these tables.
RESOURCE_TRIGGERS: dict[str, tuple[str, str, Invocation]] = {
    EVENT_SOURCE_MAPPING: ("FunctionName", "sqs, kinesis, dynamodb, mq, msk, kafka, documentdb", POLL),
    "AWS::S3::Bucket": ("NotificationConfiguration.LambdaConfigurations[].Function", "s3", ASYNC),
    "Custom::S3BucketNotifications": ("NotificationConfiguration.LambdaFunctionConfigurations[].LambdaFunctionArn", "s3", ASYNC),
    "AWS::SNS::Subscription": ("Endpoint (Protocol: lambda)", "sns", ASYNC),
    "AWS::SNS::Topic": ("Subscription[].Endpoint (Protocol: lambda)", "sns", ASYNC),
    "AWS::Events::Rule": ("Targets[].Arn (a ScheduleExpression makes it a schedule)", "eventbridge", ASYNC),
    "AWS::Scheduler::Schedule": ("Target.Arn", "scheduler", ASYNC),
    "AWS::IoT::TopicRule": ("TopicRulePayload.Actions[].Lambda.FunctionArn", "iot", ASYNC),
    "AWS::IoT::Authorizer": ("AuthorizerFunctionArn", "iot-authorizer", SYNC),
    "AWS::CloudFormation::CustomResource": ("ServiceToken (also any Custom::* type)", "cloudformation", ASYNC),
    "AWS::ApiGateway::Method": ("Integration.Uri (Type: AWS_PROXY or AWS)", "api", SYNC),
    "AWS::ApiGatewayV2::Integration": ("IntegrationUri (WEBSOCKET APIs: websocket)", "http-api", SYNC),
    "AWS::ElasticLoadBalancingV2::TargetGroup": ("Targets[].Id (TargetType: lambda)", "alb", SYNC),
    "AWS::Lambda::Url": ("TargetFunctionArn", "function-url", SYNC),
    "AWS::AppSync::DataSource": ("LambdaConfig.LambdaFunctionArn (Type: AWS_LAMBDA)", "appsync", SYNC),
}

# Ways a function is invoked that lintkit does not turn into triggers, for the docs table.
NOT_MODELLED: tuple[tuple[str, str], ...] = (
    ("AWS::StepFunctions::StateMachine, AWS::Pipes::Pipe", "sync or async, depending on the state's or pipe's configuration"),
    ("Secrets Manager rotation, Amazon Data Firehose, S3 Batch Operations, CodePipeline", "invoked through a role, not a template link lintkit reads"),
)

_MAX_SEARCH = 2000  # nodes visited when looking for a function reference inside a value


def add_triggers(template: Template) -> None:
    for function in template.functions.values():
        if function.is_sam:
            _sam_events(template, function)
            _sam_function_url(function)
    for resource in template.resources.values():
        builder = _RESOURCE_BUILDERS.get(resource.type)
        if builder is None and resource.type.startswith("Custom::") and "ServiceToken" in resource.properties:
            builder = _custom_resource
        if builder is not None:
            builder(template, resource)
    _openapi_integrations(template)


def add_failure_handling(template: Template) -> None:
    for function in template.functions.values():
        config = function.properties.get("EventInvokeConfig") if function.is_sam else None
        if isinstance(config, Map):
            function.event_invoke_configs.append(
                EventInvokeConfig(function, config, function.properties.key_mark("EventInvokeConfig"))
            )
    for resource in template.iter_resources("AWS::Lambda::EventInvokeConfig"):
        function = template.resolve_function(resource.properties.get("FunctionName"))
        if function is not None:
            function.event_invoke_configs.append(EventInvokeConfig(function, resource.properties, resource.mark, resource))
    template.failure_targets = set(_failure_targets(template))


# -- SAM -------------------------------------------------------------------------------------


def _sam_events(template: Template, function: Function) -> None:
    events = function.properties.get("Events")
    if not isinstance(events, Map):
        return
    for name, event in events.items():
        if not isinstance(event, Map) or not isinstance(name, str):
            continue
        type_ = event.get("Type")
        if not isinstance(type_, str) or type_ not in SAM_EVENTS:
            continue
        kind, invocation = SAM_EVENTS[type_]
        properties = event.get("Properties")
        if not isinstance(properties, Map):
            properties = _empty_map(events.key_mark(name))
        mark = events.key_mark(name)
        if type_ == "SNS" and _truthy(properties.get("SqsSubscription")):
            # SAM puts a queue it creates between the topic and the function: Lambda polls it
            function.triggers.append(Trigger(function, "sqs", POLL, name, properties, mark))
            continue
        if invocation is POLL:
            source = kind
            function.triggers.append(
                EventSourceMapping(function, kind, POLL, name, properties, mark, source=source)
            )
        else:
            function.triggers.append(Trigger(function, kind, invocation, name, properties, mark))


def _sam_function_url(function: Function) -> None:
    config = function.properties.get("FunctionUrlConfig")
    if isinstance(config, Map):
        mark = function.properties.key_mark("FunctionUrlConfig")
        function.triggers.append(Trigger(function, "function-url", SYNC, "FunctionUrlConfig", config, mark))


def _truthy(value: Any) -> bool:
    """`SqsSubscription: true`, or a mapping of its settings that does not disable it."""
    if isinstance(value, Map):
        return value.get("Enabled", True) is not False
    return literal_bool(value) is True


# -- plain CloudFormation ----------------------------------------------------------------------


def _find_function(template: Template, value: Any) -> Function | None:
    """The function a value refers to, looking inside `Fn::Join` / `Fn::Sub` pieces too (API
    integration URIs embed `${Fn.Arn}`). Bounded: a hostile document cannot make it loop."""
    direct = template.resolve_function(value)
    if direct is not None:
        return direct
    seen = 0
    stack = [value]
    found: Function | None = None
    while stack and seen < _MAX_SEARCH:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            logical_id = referenced_logical_id(node)
            if logical_id is not None and logical_id in template.functions:
                if found is not None and found is not template.functions[logical_id]:
                    return None  # two functions: ambiguous, link neither
                found = template.functions[logical_id]
                continue
            if "Fn::Sub" in node and len(node) == 1:
                text = node["Fn::Sub"][0] if isinstance(node["Fn::Sub"], list) and node["Fn::Sub"] else node["Fn::Sub"]
                if isinstance(text, str):
                    for name in template.functions:
                        if "${" + name + ".Arn}" in text or "${" + name + "}" in text:
                            if found is not None and found is not template.functions[name]:
                                return None
                            found = template.functions[name]
                if isinstance(node["Fn::Sub"], list) and len(node["Fn::Sub"]) > 1 and isinstance(node["Fn::Sub"][1], dict):
                    stack.extend(node["Fn::Sub"][1].values())  # `!Sub [".../${Arn}/...", {Arn: !GetAtt Fn.Arn}]`
                continue
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _mapping_source(template: Template, properties: Map) -> str | None:
    source = template.source_of(properties.get("EventSourceArn"))
    if source is not None:
        return source
    if "Topics" in properties:
        return "kafka" if "SelfManagedEventSource" in properties else "msk"
    if "Queues" in properties:
        return "mq"
    if "DocumentDBEventSourceConfig" in properties:
        return "documentdb"
    if "StartingPosition" in properties:
        return "stream"
    return None


def _external_function(template: Template, value: Any, *, lambda_arn_only: bool = False) -> str | None:
    """How a value names a function outside the template, for messages: a literal name or ARN,
    an `Fn::ImportValue`, a parameter. None for anything else (another resource, an expression).
    `lambda_arn_only`: only an ARN that says it is a Lambda function counts (a rule target may
    be any service)."""
    text = value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else value
    text = text[0] if isinstance(text, list) and text and isinstance(value, dict) else text
    if isinstance(text, str):
        text = re.sub(r"\$\{AWS::\w+\}", "x", text)
        match = _LAMBDA_ARN.match(text)
        if match is not None and "${" not in match.group(1):
            return f"function {match.group(1)!r}"
        if lambda_arn_only or "${" in text or not text.strip() or text.startswith("arn:"):
            return None
        return f"function {text.split(':', 1)[0]!r}"
    if lambda_arn_only or not isinstance(value, dict) or len(value) != 1:
        return None
    if "Fn::ImportValue" in value:
        return "an imported function"
    parameters = template.data.get("Parameters")
    name = value.get("Ref")
    if isinstance(name, str) and isinstance(parameters, dict) and name in parameters:
        return f"the function in parameter {name}"
    return None


_LAMBDA_ARN = re.compile(r"^arn:[^:]*:lambda:[^:]*:[^:]*:function:([^:]+)")


def _event_source_mapping(template: Template, resource: Resource) -> None:
    value = resource.properties.get("FunctionName")
    function = template.resolve_function(value)
    source = _mapping_source(template, resource.properties)
    if function is None:
        # a function in another stack: the mapping's own settings can still be checked
        external = _external_function(template, value)
        if external is not None:
            template.external_triggers.append(
                EventSourceMapping(
                    None, source or "unknown", POLL, resource.logical_id, resource.properties, resource.mark,  # type: ignore[arg-type]
                    resource, external_function=external, source=source,
                )
            )
        return
    function.triggers.append(
        EventSourceMapping(
            function, source or "unknown", POLL, resource.logical_id, resource.properties, resource.mark, resource, source=source
        )
    )


def _permission(template: Template, resource: Resource) -> None:
    principal = resource.properties.get("Principal")
    if not isinstance(principal, str) or not principal.endswith(".amazonaws.com"):
        return
    service = principal[: -len(".amazonaws.com")]
    if service not in PERMISSION_PRINCIPALS:
        return
    function = template.resolve_function(resource.properties.get("FunctionName"))
    if function is None:
        return
    kind, invocation = PERMISSION_PRINCIPALS[service]
    if service == "iot":
        kind, invocation = _iot_permission_kind(template, resource, function)
    function.triggers.append(
        Trigger(function, kind, invocation, resource.logical_id, resource.properties, resource.mark, resource, inferred=True)
    )


_IOT_ARN = re.compile(r"arn:[^:]*:iot:[^:]*:[^:]*:(authorizer|rule)/")


def _iot_permission_kind(template: Template, resource: Resource, function: Function) -> tuple[str, Invocation]:
    """An `iot.amazonaws.com` permission: a custom authorizer's (sync, §13.1) when its `SourceArn`
    is an authorizer, or, without a `SourceArn` naming a topic rule, when an
    `AWS::IoT::Authorizer` in the template names the function; a topic rule's (async) otherwise."""
    source = resource.properties.get("SourceArn")
    logical_id = referenced_logical_id(source)
    source_type = template.resources[logical_id].type if logical_id in template.resources else None
    text = source.get("Fn::Sub") if isinstance(source, dict) else source
    text = text[0] if isinstance(text, list) and text else text
    match = _IOT_ARN.search(re.sub(r"\$\{AWS::\w+\}", "x", text)) if isinstance(text, str) else None
    if source_type == "AWS::IoT::Authorizer" or (match is not None and match.group(1) == "authorizer"):
        return "iot-authorizer", SYNC
    if source_type == "AWS::IoT::TopicRule" or match is not None:
        return "iot", ASYNC
    named_by_authorizer = any(
        _find_function(template, r.properties.get("AuthorizerFunctionArn")) is function
        for r in template.iter_resources("AWS::IoT::Authorizer")
    )
    return ("iot-authorizer", SYNC) if named_by_authorizer else ("iot", ASYNC)


def _items(value: Any) -> Iterator[tuple[int, Map]]:
    if isinstance(value, Seq):
        for index, item in enumerate(value):
            if isinstance(item, Map):
                yield index, item


def _bucket_notifications(template: Template, resource: Resource) -> None:
    """S3 bucket notifications; CDK writes them on a `Custom::S3BucketNotifications` resource."""
    config = resource.properties.get("NotificationConfiguration")
    if not isinstance(config, Map):
        return
    for list_key, function_key in (("LambdaConfigurations", "Function"), ("LambdaFunctionConfigurations", "LambdaFunctionArn")):
        items = config.get(list_key)
        for index, item in _items(items):
            function = _find_function(template, item.get(function_key))
            if function is not None:
                mark = items.item_mark(index)
                function.triggers.append(Trigger(function, "s3", ASYNC, resource.logical_id, item, mark, resource))


def _sns_subscription(template: Template, resource: Resource) -> None:
    properties = resource.properties
    if properties.get("Protocol") != "lambda":
        return
    function = _find_function(template, properties.get("Endpoint"))
    if function is not None:
        mark = properties.key_mark("Endpoint")
        function.triggers.append(Trigger(function, "sns", ASYNC, resource.logical_id, properties, mark, resource))


def _sns_topic(template: Template, resource: Resource) -> None:
    items = resource.properties.get("Subscription")
    for index, item in _items(items):
        if item.get("Protocol") == "lambda":
            function = _find_function(template, item.get("Endpoint"))
            if function is not None:
                function.triggers.append(Trigger(function, "sns", ASYNC, resource.logical_id, item, items.item_mark(index), resource))


def _events_rule(template: Template, resource: Resource) -> None:
    kind = "schedule" if "ScheduleExpression" in resource.properties else "eventbridge"
    items = resource.properties.get("Targets")
    for index, target in _items(items):
        function = _find_function(template, target.get("Arn"))
        if function is not None:
            function.triggers.append(Trigger(function, kind, ASYNC, resource.logical_id, target, items.item_mark(index), resource))
        else:
            _external_target(template, kind, resource, target, items.item_mark(index))


def _scheduler_schedule(template: Template, resource: Resource) -> None:
    target = resource.properties.get("Target")
    if isinstance(target, Map):
        function = _find_function(template, target.get("Arn"))
        mark = resource.properties.key_mark("Target")
        if function is not None:
            function.triggers.append(Trigger(function, "scheduler", ASYNC, resource.logical_id, target, mark, resource))
        else:
            _external_target(template, "scheduler", resource, target, mark)


def _external_target(template: Template, kind: str, resource: Resource, target: Map, mark: Any) -> None:
    """A rule or schedule target whose `Arn` is a Lambda function ARN of another stack."""
    external = _external_function(template, target.get("Arn"), lambda_arn_only=True)
    if external is not None:
        template.external_triggers.append(
            Trigger(None, kind, ASYNC, resource.logical_id, target, mark, resource, external_function=external)  # type: ignore[arg-type]
        )


def _iot_topic_rule(template: Template, resource: Resource) -> None:
    payload = resource.properties.get("TopicRulePayload")
    items = payload.get("Actions") if isinstance(payload, Map) else None
    for index, action in _items(items):
        target = action.get("Lambda")
        if isinstance(target, Map):
            function = _find_function(template, target.get("FunctionArn"))
            if function is not None:
                function.triggers.append(Trigger(function, "iot", ASYNC, resource.logical_id, target, items.item_mark(index), resource))


def _iot_authorizer(template: Template, resource: Resource) -> None:
    """An IoT Core custom authorizer: IoT waits for the function's answer to admit a connection."""
    function = _find_function(template, resource.properties.get("AuthorizerFunctionArn"))
    if function is not None:
        mark = resource.properties.key_mark("AuthorizerFunctionArn")
        function.triggers.append(Trigger(function, "iot-authorizer", SYNC, resource.logical_id, resource.properties, mark, resource))


def _custom_resource(template: Template, resource: Resource) -> None:
    """A custom resource: CloudFormation invokes the function named by `ServiceToken`
    asynchronously (§3.6, §2.7). A token that is an SNS topic names no function."""
    function = template.resolve_function(resource.properties.get("ServiceToken"))
    if function is not None:
        mark = resource.properties.key_mark("ServiceToken")
        function.triggers.append(Trigger(function, "cloudformation", ASYNC, resource.logical_id, resource.properties, mark, resource))


def _apigateway_method(template: Template, resource: Resource) -> None:
    integration = resource.properties.get("Integration")
    if not isinstance(integration, Map) or integration.get("Type") not in ("AWS_PROXY", "AWS"):
        return
    function = _find_function(template, integration.get("Uri")) or _function_in_uri(template, integration.get("Uri"))
    if function is not None:
        mark = resource.properties.key_mark("Integration")
        kind, invocation = _rest_invocation(integration.get("Type"), integration.get("RequestParameters"))
        function.triggers.append(Trigger(function, kind, invocation, resource.logical_id, integration, mark, resource))


_INVOCATION_TYPE_HEADER = "integration.request.header.x-amz-invocation-type"


def _rest_invocation(type_: Any, request_parameters: Any) -> tuple[str, Invocation]:
    """A REST non-proxy (`AWS`) Lambda integration whose request parameters set the header
    `X-Amz-Invocation-Type` to the static value `'Event'` invokes asynchronously (LAMBDA-FACTS
    §13.2); one that maps it from the request lets the client choose, and stays synchronous
    here (it may be). Proxy integrations cannot set it."""
    if isinstance(type_, str) and type_.upper() == "AWS" and isinstance(request_parameters, dict):
        for key, value in request_parameters.items():
            if isinstance(key, str) and key.lower() == _INVOCATION_TYPE_HEADER and value == "'Event'":
                return "api-async", ASYNC
    return "api", SYNC


def _function_in_uri(template: Template, uri: Any) -> Function | None:
    """The function an integration URI names by its ARN rather than by a reference:
    `.../functions/arn:aws:lambda:...:function:<name>[:alias]/invocations`, where `<name>` is the
    literal `FunctionName` of one function, or the same `!Sub` text
    (`${AWS::StackName}-Approval`)."""
    text = uri.get("Fn::Sub") if isinstance(uri, dict) and len(uri) == 1 else uri
    if isinstance(text, list) and len(text) == 1:
        text = text[0]
    if not isinstance(text, str) or ":function:" not in text:
        return None
    name = text.split(":function:", 1)[1].split("/", 1)[0]
    head, _, qualifier = name.rpartition(":")
    if head and "}" not in qualifier:  # an alias or version after the name (`${Stack}-Fn:live`)
        name = head
    found = []
    for function in template.functions.values():
        declared = function.properties.get("FunctionName")
        if isinstance(declared, dict) and len(declared) == 1 and isinstance(uri, dict):
            declared = declared.get("Fn::Sub")  # a `!Sub` name matches the same `!Sub` text
        if isinstance(declared, str) and declared == name:
            found.append(function)
    return found[0] if len(found) == 1 else None


def _openapi_integrations(template: Template) -> None:
    """The Lambda integrations of the template's OpenAPI definitions (LAMBDA-FACTS §13.3). A SAM
    `Api`/`HttpApi` event on an API whose definition is the user's own only grants the
    permission: the definition's integration carries the settings, so the event's trigger is
    left as an inferred one (the service is known, its settings are not)."""
    defined: dict[Function, set[str]] = {}
    for definition in api_definitions(template):
        for operation in operations(definition):
            integration = operation.integration
            type_ = integration.get("type")
            if not isinstance(type_, str) or type_.lower() not in ("aws_proxy", "aws"):
                continue
            uri = integration.get("uri")
            function = _find_function(template, uri) or _function_in_uri(template, uri)
            if function is None:
                continue
            kind, invocation = definition.kind, SYNC
            if kind == "api":
                kind, invocation = _rest_invocation(type_, integration.get("requestParameters"))
            function.triggers.append(
                ApiIntegration(
                    function, kind, invocation, definition.resource.logical_id, integration, operation.mark,
                    definition.resource, route=operation.route, method=operation.method, document=definition.document,
                )
            )
            defined.setdefault(function, set()).add(definition.resource.logical_id)
    for function, apis in defined.items():
        for trigger in function.triggers:
            if trigger.resource is None and trigger.kind in ("api", "http-api") and not trigger.inferred:
                api = referenced_logical_id(trigger.properties.get("RestApiId") or trigger.properties.get("ApiId"))
                merged = template.resources[api].properties.get("MergeDefinitions") if api in template.resources else None
                if api in apis and literal_bool(merged) is not True:
                    trigger.inferred = True


def _apigatewayv2_integration(template: Template, resource: Resource) -> None:
    properties = resource.properties
    function = _find_function(template, properties.get("IntegrationUri"))
    if function is None:
        return
    kind = "http-api"
    api = template.resources.get(referenced_logical_id(properties.get("ApiId")) or "")
    if api is not None and api.properties.get("ProtocolType") == "WEBSOCKET":
        kind = "websocket"
    mark = properties.key_mark("IntegrationUri")
    function.triggers.append(Trigger(function, kind, SYNC, resource.logical_id, properties, mark, resource))


def _target_group(template: Template, resource: Resource) -> None:
    if resource.properties.get("TargetType") != "lambda":
        return
    items = resource.properties.get("Targets")
    for index, target in _items(items):
        function = _find_function(template, target.get("Id"))
        if function is not None:
            function.triggers.append(Trigger(function, "alb", SYNC, resource.logical_id, target, items.item_mark(index), resource))


def _function_url(template: Template, resource: Resource) -> None:
    function = template.resolve_function(resource.properties.get("TargetFunctionArn"))
    if function is not None:
        function.triggers.append(
            Trigger(function, "function-url", SYNC, resource.logical_id, resource.properties, resource.mark, resource)
        )


def _appsync_data_source(template: Template, resource: Resource) -> None:
    config = resource.properties.get("LambdaConfig")
    if resource.properties.get("Type") != "AWS_LAMBDA" or not isinstance(config, Map):
        return
    function = _find_function(template, config.get("LambdaFunctionArn"))
    if function is not None:
        function.triggers.append(
            Trigger(function, "appsync", SYNC, resource.logical_id, resource.properties, resource.mark, resource)
        )


_RESOURCE_BUILDERS = {
    EVENT_SOURCE_MAPPING: _event_source_mapping,
    "AWS::Lambda::Permission": _permission,
    "AWS::S3::Bucket": _bucket_notifications,
    "Custom::S3BucketNotifications": _bucket_notifications,
    "AWS::SNS::Subscription": _sns_subscription,
    "AWS::SNS::Topic": _sns_topic,
    "AWS::Events::Rule": _events_rule,
    "AWS::Scheduler::Schedule": _scheduler_schedule,
    "AWS::ApiGateway::Method": _apigateway_method,
    "AWS::ApiGatewayV2::Integration": _apigatewayv2_integration,
    "AWS::ElasticLoadBalancingV2::TargetGroup": _target_group,
    "AWS::Lambda::Url": _function_url,
    "AWS::AppSync::DataSource": _appsync_data_source,
    "AWS::IoT::TopicRule": _iot_topic_rule,
    "AWS::IoT::Authorizer": _iot_authorizer,
    "AWS::CloudFormation::CustomResource": _custom_resource,
}


# -- failure targets ---------------------------------------------------------------------------


def _redrive_target(policy: Any) -> Any:
    if isinstance(policy, str):  # CloudFormation also takes the policy as a JSON string
        try:
            policy = json.loads(policy)
        except ValueError:
            return None
    return policy.get("deadLetterTargetArn") if isinstance(policy, dict) else None


def _failure_targets(template: Template) -> Iterator[str]:
    """Logical ids used as a dead-letter queue or failure destination anywhere in the template:
    such a queue needs no redrive policy of its own."""

    def ids(value: Any) -> Iterator[str]:
        logical_id = referenced_logical_id(value)
        if logical_id is not None:
            yield logical_id

    for queue in template.queues.values():
        yield from ids(_redrive_target(queue.resource.properties.get("RedrivePolicy")))
    for function in template.functions.values():
        dead_letter = function.properties.get(function.dead_letter_key)
        if isinstance(dead_letter, dict):
            yield from ids(dead_letter.get("TargetArn"))
        for config in function.event_invoke_configs:
            destination = config.properties.get("DestinationConfig")
            on_failure = destination.get("OnFailure") if isinstance(destination, dict) else None
            if isinstance(on_failure, dict):
                yield from ids(on_failure.get("Destination"))
        for trigger in function.triggers:
            for key in ("DeadLetterConfig", "RedrivePolicy"):
                value = trigger.properties.get(key)
                if isinstance(value, dict):
                    yield from ids(value.get("Arn") or value.get("TargetArn") or _redrive_target(value))
                    if "QueueLogicalId" in value and isinstance(value["QueueLogicalId"], str):
                        yield value["QueueLogicalId"]
                elif isinstance(value, str):
                    yield from ids(_redrive_target(value))
            destination = trigger.properties.get("DestinationConfig")
            on_failure = destination.get("OnFailure") if isinstance(destination, dict) else None
            if isinstance(on_failure, dict):
                yield from ids(on_failure.get("Destination"))

