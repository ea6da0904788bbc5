"""The resource model of one CloudFormation / SAM template.

Only what rules need is modelled: functions (after SAM `Globals`), their code location and
handler, and their event source mappings (SAM `Events` and `AWS::Lambda::EventSourceMapping`).
A value the model cannot know statically (`Fn::If`, an import, a parameter with neither a
`Default` nor an override) is `None`: rules treat it as unknown and do not guess. A parameter's
value (the run's override, else its `Default`) is resolved in one place, `Template.resolve`.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

from lintkit.findings import Applicability, Edit, Fix, Location
from lintkit.fixes import codemod
from lintkit.limits import DEFAULT_LIMITS, Limits
from lintkit.templates.loader import LoadedDocument, Map, Mark, Seq, load_path, load_text

SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
EVENT_SOURCE_MAPPING = "AWS::Lambda::EventSourceMapping"
SQS_QUEUE = "AWS::SQS::Queue"
FUNCTION_TYPES = (SAM_FUNCTION, LAMBDA_FUNCTION)

# Default BatchSize per source (LAMBDA-FACTS §3.4, §3.5).
DEFAULT_BATCH_SIZE = {"sqs": 10, "kinesis": 100, "dynamodb": 100, "stream": 100}
STREAM_SOURCES = ("kinesis", "dynamodb", "stream")

# Construct ids of the functions CDK adds itself (seen in synthesized assemblies).
_CDK_FRAMEWORK = re.compile(
    r"(^|/)(Custom::[^/]+|LogRetention[0-9a-f]{32}|BucketNotificationsHandler[0-9a-f]{32}|AWS679f53fac002430cb0da5b7982bd2287"
    r"|framework-(onEvent|isComplete|onTimeout))(/|$)"
)
_ARN_SERVICE = re.compile(r"^arn:[^:]*:(sqs|kinesis|dynamodb):")
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


@dataclass(frozen=True)
class PlannedEdit:
    """A template edit to make when the fix is wanted: give the mapping at `keys` (the keys and
    indexes from the document's root) these `items`. Planning is cheap; the text edit itself
    (`Template.edit_put`: the file's style, checked by loading the result again) is made by the
    "template-put" codemod only for `--fix`, `--diff`, JSON and SARIF, so a run that only reports
    never pays for it."""

    keys: tuple[Any, ...]
    items: dict[str, Any]

    def mapping_in(self, document: Any) -> Map | None:
        """The mapping the keys lead to in a loaded document, if they still lead to one."""
        node = document
        for key in self.keys:
            try:
                node = node[key]
            except (KeyError, IndexError, TypeError):
                return None
        return node if isinstance(node, Map) else None


def template_fix(title: str, applicability: Applicability, planned: PlannedEdit | None) -> Fix | None:
    """A fix made of a template edit, or None when there is none (the template is not one lintkit
    edits, or the mapping is not written in it): the finding then offers no fix. The edit may
    still turn out uncertain when it is made (an anchor, a tag): the fix is then dropped."""
    if planned is None:
        return None
    arguments = json.dumps({"keys": list(planned.keys), "items": planned.items})  # in the order given
    return Fix(title, applicability, codemod=TEMPLATE_PUT, arguments=arguments)


TEMPLATE_PUT = "template-put"


class TemplateStructureError(Exception):
    """A file that parses but is not a template lintkit can read (e.g. `Resources` is a list)."""

    def __init__(self, message: str, mark: Mark) -> None:
        super().__init__(message)
        self.message = message
        self.mark = mark


def is_intrinsic(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _INTRINSIC_KEYS


_INTRINSIC_KEYS = frozenset(
    {"Ref", "Condition"}
    | {
        f"Fn::{name}"
        for name in (
            "GetAtt Sub Join If Select Split FindInMap Base64 Cidr ImportValue GetAZs Equals And Or Not "
            "Transform ToJsonString Length ForEach"
        ).split()
    }
)


def literal_int(value: Any) -> int | None:
    """An integer written literally (`30`, `"30"`); None for intrinsics, parameters, junk.
    Settings are read with `Template.int_value`, which resolves a parameter first."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


class FromParameter(int):
    """An integer a template takes from a parameter (`Timeout: !Ref FnTimeout`): the run's
    override, else the parameter's `Default`. `origin` says which, for messages
    ("parameter FnTimeout's default"); arithmetic gives plain integers."""

    origin: str

    def __new__(cls, value: int, origin: str) -> "FromParameter":
        number = super().__new__(cls, value)
        number.origin = origin
        return number

    def __reduce__(self) -> tuple[Any, ...]:
        return (FromParameter, (int(self), self.origin))


def value_origin(value: Any) -> str:
    """Where a value the model read came from, for messages: " (parameter FnTimeout's default)"
    for a value taken from a parameter, "" for one written literally."""
    return f" ({value.origin})" if isinstance(value, FromParameter) else ""


# Parameters whose value is the name of an SSM parameter: what it holds is read at deploy.
_SSM_PARAMETER_TYPE = "AWS::SSM::Parameter::Value"


def literal_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def referenced_logical_id(value: Any) -> str | None:
    """The logical id a reference points at: `!Ref X`, `!GetAtt X.Arn`, `!Sub "${X.Arn}"`,
    `!Sub "arn:...:${X}"` (one resource variable). Literal strings are physical names: None."""
    if not isinstance(value, dict) or len(value) != 1:
        return None
    (key, arg), = value.items()
    if key == "Ref":
        return arg if isinstance(arg, str) and not arg.startswith("AWS::") else None
    if key == "Fn::GetAtt":
        if isinstance(arg, list) and arg and isinstance(arg[0], str):
            return arg[0]
        if isinstance(arg, str):
            return arg.split(".", 1)[0]
        return None
    if key == "Fn::Sub":
        text = arg[0] if isinstance(arg, list) and arg else arg
        if not isinstance(text, str):
            return None
        names = {m.split(".", 1)[0] for m in _SUB_VARIABLE.findall(text) if not m.startswith("AWS::")}
        if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict):
            names -= set(arg[1])  # variables defined by the Sub itself are not resources
        return names.pop() if len(names) == 1 else None
    return None


def referenced_ids(value: Any, limit: int = 2000) -> set[str]:
    """Every logical id a value refers to (`Ref`, `GetAtt`, each `${X}` / `${X.Attr}` of a
    `Sub`), anywhere inside it: `Fn::Join` pieces, a state machine's definition. Bounded: at
    most `limit` nodes are visited."""
    found: set[str] = set()
    stack, seen = [value], 0
    while stack and seen < limit:
        node = stack.pop()
        seen += 1
        if isinstance(node, dict):
            if len(node) == 1 and "Fn::Sub" in node:
                arg = node["Fn::Sub"]
                text = arg[0] if isinstance(arg, list) and arg else arg
                if isinstance(text, str):
                    found.update(m.split(".", 1)[0] for m in _SUB_VARIABLE.findall(text) if not m.startswith("AWS::"))
                if isinstance(arg, list) and len(arg) > 1 and isinstance(arg[1], dict):
                    found.difference_update(arg[1])
                    stack.extend(arg[1].values())
                continue
            logical_id = referenced_logical_id(node)
            if logical_id is not None:
                found.add(logical_id)
            else:
                stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def arn_service(value: Any) -> str | None:
    """The service of a literal or `!Sub` ARN (`arn:${AWS::Partition}:sqs:...` -> "sqs")."""
    text = value
    if isinstance(value, dict) and len(value) == 1 and "Fn::Sub" in value:
        text = value["Fn::Sub"]
        if isinstance(text, list) and text:
            text = text[0]
    if not isinstance(text, str):
        return None
    text = text.replace("${AWS::Partition}", "aws")
    match = _ARN_SERVICE.match(text)
    return match.group(1) if match else None


def on_failure_destination(properties: Map, *, sam_creates: bool) -> bool | None:
    """Whether `DestinationConfig.OnFailure` names a destination: True, False, or None when an
    expression decides. `sam_creates`: in SAM's `EventInvokeConfig`, `Type: SQS|SNS` without a
    `Destination` makes SAM create the queue or topic itself (LAMBDA-FACTS §6.1)."""
    config = properties.get("DestinationConfig")
    if config is None:
        return False
    if not isinstance(config, dict) or is_intrinsic(config):
        return None
    on_failure = config.get("OnFailure")
    if on_failure is None:
        return False
    if not isinstance(on_failure, dict) or is_intrinsic(on_failure):
        return None
    if on_failure.get("Destination"):
        return True
    return sam_creates and on_failure.get("Type") in ("SQS", "SNS")


_PYTHON_RUNTIME = re.compile(r"python(\d+)\.(\d+)")


def merge_globals(global_value: Any, own: Any) -> Any:
    """SAM's Globals merge (LAMBDA-FACTS §6.3): maps merge recursively with the resource's keys
    winning, lists concatenate (Global first), scalars and intrinsics take the resource's value.
    Each key keeps the position of the value that won, so a finding points at the line the user
    wrote: a function's own `Timeout`, or the `Globals` line when it came from there."""
    if isinstance(global_value, Map) and isinstance(own, Map) and not is_intrinsic(global_value) and not is_intrinsic(own):
        merged = Map()
        merged.mark = own.mark
        merged.key_marks = dict(global_value.key_marks)
        merged.value_marks = dict(global_value.value_marks)
        for key, value in global_value.items():
            merged[key] = value
        for key, value in own.items():
            merged[key] = merge_globals(global_value[key], value) if key in global_value else value
            merged.key_marks[key] = own.key_mark(key)
            merged.value_marks[key] = own.value_mark(key)
        return merged
    if isinstance(global_value, Seq) and isinstance(own, Seq):
        merged_list = Seq(list(global_value) + list(own))
        merged_list.mark = own.mark
        merged_list.item_marks = list(global_value.item_marks) + list(own.item_marks)
        return merged_list
    return own


def _empty_map(mark: Mark) -> Map:
    empty = Map()
    empty.mark = mark
    empty.key_marks = {}
    empty.value_marks = {}
    return empty


def ignore_codes_from_metadata(node: Any) -> frozenset[str]:
    """`Metadata: {lintkit: {ignore: [LK401]}}` on a resource or at the template's top level."""
    metadata = node.get("Metadata") if isinstance(node, dict) else None
    lintkit = metadata.get("lintkit") if isinstance(metadata, dict) else None
    ignore = lintkit.get("ignore") if isinstance(lintkit, dict) else None
    if isinstance(ignore, str):
        ignore = [ignore]
    if not isinstance(ignore, list):
        return frozenset()
    return frozenset(code.strip().upper() for code in ignore if isinstance(code, str))


@dataclass(eq=False)
class Resource:
    template: "Template"
    logical_id: str
    type: str
    node: Map
    properties: Map
    mark: Mark  # the logical id's key

    @property
    def ignored_codes(self) -> frozenset[str]:
        return ignore_codes_from_metadata(self.node)

    @property
    def construct_path(self) -> str | None:
        """The CDK construct path: the resource's `aws:cdk:path` metadata, else what the
        assembly's metadata file records for its logical id."""
        metadata = self.node.get("Metadata")
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        if isinstance(path, str):
            return path
        return self.template.construct_paths.get(self.logical_id)

    def location(self, mark: Mark | None = None) -> Location:
        return self.template.location(mark or self.mark)

    def plan_properties(self, items: dict[str, Any]) -> PlannedEdit | None:
        """The edit that gives the resource's `Properties` these values (adding `Properties`
        when the resource has none); None when the template cannot be edited there."""
        if "Properties" not in self.node:
            return self.template.plan_put(self.node, {"Properties": items})
        if self.node["Properties"] is not self.properties:
            return None  # an expression (`!If`): not a mapping to edit
        return self.template.plan_put(self.properties, items)

    def edit_properties(self, items: dict[str, Any]) -> tuple[Edit, ...]:
        """The text edits of `plan_properties`, made now (see `Template.edit_put`)."""
        return self.template.edit_planned(self.plan_properties(items))


class Invocation(enum.Enum):
    """How a trigger invokes the function (LAMBDA-FACTS §3.6)."""

    SYNC = "sync"
    ASYNC = "async"
    POLL = "poll"  # an event source mapping: Lambda polls, then invokes synchronously


KIND_LABELS = {
    "sqs": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB", "mq": "Amazon MQ", "msk": "MSK",
    "kafka": "Kafka", "documentdb": "DocumentDB", "stream": "stream", "s3": "S3", "sns": "SNS",
    "eventbridge": "EventBridge", "schedule": "schedule", "scheduler": "EventBridge Scheduler",
    "cloudwatch-logs": "CloudWatch Logs", "iot": "IoT", "ses": "SES", "api": "REST API",
    "apigateway": "API Gateway", "http-api": "HTTP API", "websocket": "WebSocket API", "alb": "ALB",
    "function-url": "function URL", "appsync": "AppSync", "cognito": "Cognito", "alexa": "Alexa",
    "invoke": "Event invoke", "iot-authorizer": "IoT authorizer", "cloudformation": "custom resource",
    "codecommit": "CodeCommit", "config": "AWS Config", "lex": "Lex", "connect": "Amazon Connect",
    "vpc-lattice": "VPC Lattice",
    "api-async": "REST API with X-Amz-Invocation-Type 'Event'",
}


@dataclass(eq=False)
class Trigger:
    """Something that invokes a function: a SAM event, or a resource of plain CloudFormation
    (a permission, a rule target, a bucket notification, an API integration, ...)."""

    # None for a trigger of a function in another stack (see `Template.external_triggers`)
    function: "Function"
    kind: str  # a key of KIND_LABELS
    invocation: Invocation
    name: str  # the SAM event's name, or the logical id of the resource that creates it
    properties: Map  # the event's Properties, or the part of the resource about this function
    mark: Mark  # the event's key in `Events`, or where the resource names the function
    resource: Resource | None = None  # the CloudFormation resource, when it is one
    # True when only an `AWS::Lambda::Permission` says so: the service is known, its settings
    # (an API's integration timeout, a rule's DLQ) are not.
    inferred: bool = False

    # for a function outside the template: how the resource names it ("function 'orders'")
    external_function: str | None = None

    @property
    def template(self) -> "Template":
        return self.function.template if self.function is not None else self.resource.template  # type: ignore[union-attr]

    @property
    def function_label(self) -> str:
        """The invoked function for messages: its logical id, or how another stack's is named."""
        return self.function.logical_id if self.function is not None else self.external_function or "a function"

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def describe(self) -> str:
        if self.resource is not None:
            return f"{self.label} {self.resource.logical_id}"
        return f"{self.function.logical_id} event {self.name}"

    def location(self, key: str | None = None) -> Location:
        if key is not None and key in self.properties:
            return self.template.location(self.properties.key_mark(key))
        return self.template.location(self.mark)

    def plan_properties(self, items: dict[str, Any]) -> PlannedEdit | None:
        """The edit that gives the trigger's properties (the SAM event's `Properties`, or the
        resource's) these values; None when they cannot be edited."""
        return self.template.plan_put(self.properties, items)

    def edit_properties(self, items: dict[str, Any]) -> tuple[Edit, ...]:
        """The text edits of `plan_properties`, made now (see `Template.edit_put`)."""
        return self.template.edit_planned(self.plan_properties(items))

    @property
    def suppression_resource(self) -> Resource:
        return self.resource or self.function.resource

    @property
    def retries_errors(self) -> bool | None:
        """Does an invocation that raises come back again? Synchronous callers: no (Lambda never
        retries them, §3.1). Asynchronous events: yes, unless an `EventInvokeConfig` sets
        `MaximumRetryAttempts: 0` (§3.2). Event source mappings: yes (SQS redelivers the
        batch, streams retry it), unless `MaximumRetryAttempts: 0` (§3.4, §3.5). None when a
        setting is not a literal."""
        if self.invocation is Invocation.SYNC:
            return False
        if self.invocation is Invocation.ASYNC:
            if self.function is None:
                return None
            attempts = [config.maximum_retry_attempts for config in self.function.event_invoke_configs]
        else:
            attempts = [self.maximum_retry_attempts] if isinstance(self, EventSourceMapping) else []
        if 0 in attempts:
            return False
        return None if None in attempts else True

    def setting_key(self, key: str) -> str | None:
        """The key under which the trigger holds a setting: CloudFormation and SAM spell it
        `TimeoutInMillis`, an OpenAPI integration `timeoutInMillis`. None when it is not set."""
        for spelling in (key, key[:1].lower() + key[1:]):
            if spelling in self.properties:
                return spelling
        return None

    def setting(self, key: str) -> Any:
        spelling = self.setting_key(key)
        return self.properties[spelling] if spelling is not None else None

    @property
    def streams_response(self) -> bool:
        """A function URL with `InvokeMode: RESPONSE_STREAM`, or an API integration that streams
        (`ResponseTransferMode: STREAM`, or the `response-streaming-invocations` URI that goes
        with it, LAMBDA-FACTS §1.3, §13.3): not held to the buffered limits."""
        mode = self.setting("InvokeMode") or self.setting("ResponseTransferMode")
        if isinstance(mode, str) and mode.strip().upper() in ("RESPONSE_STREAM", "STREAM"):
            return True
        uri = self.setting("Uri")
        text = uri.get("Fn::Sub") if isinstance(uri, dict) else uri
        text = text[0] if isinstance(text, list) and text else text
        return isinstance(text, str) and text.rstrip("/").endswith("/response-streaming-invocations")


@dataclass(eq=False)
class EventSourceMapping(Trigger):
    """A poll-based trigger: a SAM SQS/Kinesis/DynamoDB/... event or an EventSourceMapping resource."""

    # "sqs", "kinesis", "dynamodb", "stream" (Kinesis or DynamoDB, not known which), "mq",
    # "msk", "kafka", "documentdb", or None when the source cannot be told
    source: str | None = None

    @property
    def is_stream(self) -> bool:
        return self.source in STREAM_SOURCES

    @property
    def describe(self) -> str:
        if self.resource is not None:
            return f"event source mapping {self.name}"
        return f"{self.function.logical_id} event {self.name}"

    @property
    def source_value(self) -> Any:
        """The queue or stream as written (`EventSourceArn`, or SAM's `Queue`/`Stream`)."""
        for key in ("EventSourceArn", "Queue", "Stream"):
            if key in self.properties:
                return self.properties[key]
        return None

    @property
    def queue(self) -> "Queue | None":
        """The SQS queue this mapping polls, when it is declared in the same template."""
        if self.source != "sqs":
            return None
        logical_id = referenced_logical_id(self.source_value)
        return self.template.queues.get(logical_id) if logical_id else None

    @property
    def batching_window(self) -> int | None:
        return self.template.int_value(self.properties.get("MaximumBatchingWindowInSeconds", 0))

    @property
    def batch_size(self) -> int | None:
        """The effective batch size: the literal value, the source's default when unset, None
        when it is an unresolvable expression or the source is unknown."""
        if "BatchSize" in self.properties:
            return self.template.int_value(self.properties["BatchSize"])
        return DEFAULT_BATCH_SIZE.get(self.source or "")

    @property
    def reports_batch_item_failures(self) -> bool | None:
        types = self.properties.get("FunctionResponseTypes")
        if types is None:
            return False
        if isinstance(types, list):
            if all(isinstance(t, str) for t in types):
                return "ReportBatchItemFailures" in types
            return True if "ReportBatchItemFailures" in types else None
        return None

    @property
    def maximum_retry_attempts(self) -> int | None:
        """-1 (the default) means infinite."""
        return self.template.int_value(self.properties.get("MaximumRetryAttempts", -1))

    @property
    def maximum_record_age(self) -> int | None:
        """-1 (the default) means infinite."""
        return self.template.int_value(self.properties.get("MaximumRecordAgeInSeconds", -1))

    @property
    def bisect_on_error(self) -> bool | None:
        return self.template.bool_value(self.properties.get("BisectBatchOnFunctionError", False))

    @property
    def has_on_failure_destination(self) -> bool | None:
        return on_failure_destination(self.properties, sam_creates=False)


@dataclass(eq=False)
class ApiIntegration(Trigger):
    """A route of an API defined in OpenAPI (`x-amazon-apigateway-integration`): `properties` is
    the integration object, `resource` the API, `mark` the integration's key. The definition may
    be a file of its own (`DefinitionUri`, `AWS::Include`), named by `document`."""

    route: str = ""
    method: str = ""
    document: str | None = None  # the definition file as shown to the user, when not the template

    @property
    def describe(self) -> str:
        api = self.resource.logical_id if self.resource is not None else self.name
        method = "ANY" if self.method == "x-amazon-apigateway-any-method" else self.method.upper()
        return f"{self.label} {api} {method} {self.route}"

    def location(self, key: str | None = None) -> Location:
        spelling = self.setting_key(key) if key is not None else None
        mark = self.properties.key_mark(spelling) if spelling is not None else self.mark
        return Location(self.document or self.template.path, mark.line, mark.column)


@dataclass(eq=False)
class Function:
    template: "Template"
    resource: Resource
    properties: Map  # after the Globals merge for SAM functions
    triggers: list[Trigger] = field(default_factory=list)
    event_invoke_configs: list["EventInvokeConfig"] = field(default_factory=list)

    @property
    def event_source_mappings(self) -> list[EventSourceMapping]:
        return [t for t in self.triggers if isinstance(t, EventSourceMapping)]

    def triggers_of(self, invocation: Invocation) -> list[Trigger]:
        return [t for t in self.triggers if t.invocation is invocation]

    @property
    def construct_path(self) -> str | None:
        return self.resource.construct_path

    @property
    def is_cdk_framework(self) -> bool:
        """A function CDK itself adds to a stack (log retention, bucket notifications and
        deployments, custom-resource providers). Its settings are CDK's, not the user's, so
        rules about the user's configuration leave it alone."""
        path = self.construct_path
        return path is not None and _CDK_FRAMEWORK.search(path) is not None

    @property
    def dead_letter_key(self) -> str:
        return "DeadLetterQueue" if self.is_sam else "DeadLetterConfig"

    @property
    def has_dead_letter_queue(self) -> bool | None:
        """SAM `DeadLetterQueue` / `DeadLetterConfig.TargetArn`; None when it is an expression."""
        value = self.properties.get(self.dead_letter_key)
        if value is None:
            return False
        if not isinstance(value, dict) or is_intrinsic(value):
            return None
        target = value.get("TargetArn")
        if isinstance(target, dict) and target.get("Ref") == "AWS::NoValue":
            return False
        return target is not None

    @property
    def has_on_failure_destination(self) -> bool | None:
        """Any EventInvokeConfig (SAM's, after Globals, or a resource) with an OnFailure
        destination. Which qualifier it is set on is not compared: whether an unqualified config
        covers alias invocations is UNCONFIRMED (LAMBDA-FACTS §6.1), so any counts."""
        answers = [config.has_on_failure for config in self.event_invoke_configs]
        if True in answers:
            return True
        return None if None in answers else False

    @property
    def has_failure_capture(self) -> bool | None:
        """A DLQ or an on-failure destination: where a failed async event goes (§3.3)."""
        answers = (self.has_dead_letter_queue, self.has_on_failure_destination)
        if True in answers:
            return True
        return None if None in answers else False

    @property
    def max_timeout(self) -> int:
        """900 s, or 5,400 s on Lambda Managed Instances (a capacity provider; §2.1)."""
        return 5400 if "CapacityProviderConfig" in self.properties else 900

    @property
    def logical_id(self) -> str:
        return self.resource.logical_id

    @property
    def is_sam(self) -> bool:
        return self.resource.type == SAM_FUNCTION

    @property
    def runtime(self) -> str | None:
        runtime = self.properties.get("Runtime")
        return runtime if isinstance(runtime, str) else None

    @property
    def is_python(self) -> bool | None:
        """True/False when the runtime is literal; None when unknown (a parameter, or unset)."""
        runtime = self.runtime
        if runtime is None:
            return None
        return runtime.startswith("python")

    @property
    def python_version(self) -> tuple[int, int] | None:
        """(3, 12) for `Runtime: python3.12`; None when the runtime is not a literal Python one."""
        match = _PYTHON_RUNTIME.fullmatch(self.runtime or "")
        return (int(match.group(1)), int(match.group(2))) if match else None

    @property
    def is_image(self) -> bool:
        return self.properties.get("PackageType") == "Image" or "ImageUri" in self.properties

    @property
    def handler_may_be_start_script(self) -> bool:
        """A wrapper runs first (`AWS_LAMBDA_EXEC_WRAPPER`, or the Lambda Web Adapter's layer),
        so `Handler` may be a start script such as `run.sh` rather than `module.function`
        (LAMBDA-FACTS §13.5). Wrappers such as OpenTelemetry's keep a Python handler: a handler
        that resolves is still linked, one that does not is not reported."""
        environment = self.properties.get("Environment")
        variables = environment.get("Variables") if isinstance(environment, dict) else None
        if isinstance(variables, dict) and "AWS_LAMBDA_EXEC_WRAPPER" in variables:
            return True
        layers = self.properties.get("Layers")
        for layer in layers if isinstance(layers, list) else ():
            text = layer.get("Fn::Sub") if isinstance(layer, dict) else layer
            text = text[0] if isinstance(text, list) and text else text
            if isinstance(text, str) and "LambdaAdapterLayer" in text:
                return True
        return False

    @property
    def handler(self) -> str | None:
        handler = self.properties.get("Handler")
        return handler if isinstance(handler, str) else None

    @property
    def timeout(self) -> int | None:
        return self.template.int_value(self.properties.get("Timeout", 3))

    @property
    def code_uri(self) -> str | None:
        """The local code location as written (SAM `CodeUri`, or a packaged CFN `Code` path).
        None for inline code, S3 locations, images and expressions."""
        key = "CodeUri" if self.is_sam else "Code"
        if self.is_sam and "InlineCode" in self.properties:
            return None  # SAM builds the function from InlineCode, whatever CodeUri says (§13.5)
        value = self.properties.get(key)
        if not isinstance(value, str) or not value.strip():
            return None
        if "://" in value:
            return None
        return value

    @property
    def code_dir(self) -> Path | None:
        """Where the handler's module lives. A SAM function without `CodeUri` (and without
        `InlineCode`) is built from the template's own folder, as `sam build` does; a CDK
        function's code is the asset folder its `aws:asset:path` metadata names."""
        uri = self.code_uri
        asset = self.asset_path
        if asset is not None:
            return self.template.abs_path.parent / asset
        if uri is None:
            if self.is_sam and not any(k in self.properties for k in ("CodeUri", "InlineCode", "ImageUri")):
                return self.template.abs_path.parent
            return None
        return self.template.abs_path.parent / uri

    @property
    def asset_path(self) -> str | None:
        """The CDK asset folder of the function's code (`Metadata: aws:asset:path`), if any."""
        metadata = self.resource.node.get("Metadata")
        if not isinstance(metadata, dict) or metadata.get("aws:asset:property") not in ("Code", None):
            return None
        path = metadata.get("aws:asset:path")
        if not isinstance(path, str) or "://" in path or path.endswith((".zip", ".jar")):
            return None
        return path

    @property
    def layer_dirs(self) -> list[Path]:
        """Where the Python code of the function's layers in this template lives (Lambda puts a
        layer's `python/` folder on `sys.path`; SAM's `BuildMethod` builds a layer's folder
        itself into it). Layers named by ARN, or from other stacks, are not known."""
        layers = self.properties.get("Layers")
        found: list[Path] = []
        for entry in layers if isinstance(layers, list) else ():
            logical_id = referenced_logical_id(entry)
            layer = self.template.resources.get(logical_id) if logical_id is not None else None
            if layer is None or layer.type not in ("AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"):
                continue
            metadata = layer.node.get("Metadata")
            built = isinstance(metadata, dict) and metadata.get("BuildMethod") is not None
            asset = metadata.get("aws:asset:path") if isinstance(metadata, dict) else None
            content = asset if isinstance(asset, str) else layer.properties.get("ContentUri", layer.properties.get("Content"))
            if not isinstance(content, str) or not content.strip() or "://" in content or content.endswith(".zip"):
                continue
            folder = self.template.abs_path.parent / content
            found.append(folder / "python")
            if built:
                found.append(folder)
        return found

    @property
    def code_label(self) -> str:
        """The code location as a user wrote it, for messages."""
        return repr(self.code_uri) if self.code_uri is not None else "the template's folder"

    def location(self, key: str | None = None) -> Location:
        """The line of a property (its key), else of the function's logical id."""
        if key is not None and key in self.properties:
            return self.template.location(self.properties.key_mark(key))
        return self.resource.location()


@dataclass(eq=False)
class EventInvokeConfig:
    """Async invocation settings: SAM `EventInvokeConfig` or an `AWS::Lambda::EventInvokeConfig`."""

    function: Function
    properties: Map
    mark: Mark
    resource: Resource | None = None

    @property
    def qualifier(self) -> str | None:
        if self.resource is None:
            alias = self.function.properties.get("AutoPublishAlias")
            return alias if isinstance(alias, str) else "$LATEST"
        qualifier = self.properties.get("Qualifier")
        return qualifier if isinstance(qualifier, str) else None

    @property
    def maximum_retry_attempts(self) -> int | None:
        return self.function.template.int_value(self.properties.get("MaximumRetryAttempts", 2))

    @property
    def has_on_failure(self) -> bool | None:
        return on_failure_destination(self.properties, sam_creates=self.resource is None)

    def location(self, key: str | None = None) -> Location:
        if key is not None and key in self.properties:
            return self.function.template.location(self.properties.key_mark(key))
        return self.function.template.location(self.mark)


@dataclass(eq=False)
class Queue:
    resource: Resource

    @property
    def logical_id(self) -> str:
        return self.resource.logical_id

    @property
    def visibility_timeout(self) -> int | None:
        """Seconds; CloudFormation's default is 30 (LAMBDA-FACTS §2.6)."""
        return self.resource.template.int_value(self.resource.properties.get("VisibilityTimeout", 30))

    @property
    def has_redrive_policy(self) -> bool | None:
        policy = self.resource.properties.get("RedrivePolicy")
        if policy is None:
            return False
        if isinstance(policy, dict) and is_intrinsic(policy):
            return None
        return True

    @property
    def is_fifo(self) -> bool:
        return self.resource.template.bool_value(self.resource.properties.get("FifoQueue", False)) is True

    def location(self, key: str | None = None) -> Location:
        if key is not None and key in self.resource.properties:
            return self.resource.location(self.resource.properties.key_mark(key))
        return self.resource.location()


@dataclass(eq=False)
class Template:
    path: str  # as shown to the user
    abs_path: Path
    text: str
    data: Map
    resources: dict[str, Resource] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    duplicate_keys: list[tuple[str, Mark]] = field(default_factory=list)
    queues: dict[str, Queue] = field(default_factory=dict)
    # logical ids that something uses as a dead-letter queue or failure destination
    failure_targets: set[str] = field(default_factory=set)
    # triggers whose function is not in this template (a literal ARN, an import, a parameter):
    # their own settings (a mapping's retries, a rule target's DLQ) can still be checked
    external_triggers: list[Trigger] = field(default_factory=list)
    # CDK: logical id -> construct path, from the assembly's metadata (set by the reader)
    construct_paths: dict[str, str] = field(default_factory=dict)
    # CDK: logical id -> (source file, line, column) of the construct's creation, when recorded
    creation_sites: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    # CDK: the logical ids whose creation site is a file of the project (not only recorded)
    sites_here: set[str] = field(default_factory=set)
    # other files the model read (an API's OpenAPI definition), as shown -> their text: results
    # that depend on the template depend on them too
    included_texts: dict[str, str] = field(default_factory=dict)
    # A template made of several files laid end to end (a Terraform root): (shown path, the
    # template line where the file starts), in order. Empty for a template of one file.
    parts: list[tuple[str, int]] = field(default_factory=list)
    # logical id -> last line of the resource's block, when the loader knows it (Terraform)
    end_lines: dict[str, int] = field(default_factory=dict)
    # resources the loader modelled once that may exist many times (Terraform `count` /
    # `for_each`): (logical id, the meta-argument, its mark), for the run's note
    repeated: list[tuple[str, str, Mark]] = field(default_factory=list)
    # the run's parameter overrides (`--parameter-overrides`, the config's
    # `parameter-overrides`): name -> value, as `sam deploy` takes them (set by the engine)
    parameter_overrides: dict[str, str] = field(default_factory=dict)
    # a CloudFormation/SAM file read as it is written, whose text fixes may edit (not a
    # translation: Terraform, serverless.yml)
    editable: bool = False
    _editor: Any = field(default=None, repr=False)
    _key_paths: dict[int, tuple[Any, ...]] | None = field(default=None, repr=False)

    # -- edits (fixes) -----------------------------------------------------------------------
    def edit_put(self, mapping: Map, items: dict[str, Any]) -> tuple[Edit, ...]:
        """The text edits that make `mapping[key] == value` for every item of `items` (a loaded
        mapping of this template): keys that exist are set, the others added after its last key,
        in the file's own style (YAML block or flow, JSON). () when the template is not editable
        or the edit is not certain (see `lintkit.templates.edit`): the fix is then not offered."""
        if not self.editable or self.parts:
            return ()
        if self._editor is None:
            from lintkit.templates.edit import TemplateEditor

            self._editor = TemplateEditor(self.path, self.text, self.data)
        return self._editor.put(mapping, items)

    def plan_put(self, mapping: Map, items: dict[str, Any]) -> PlannedEdit | None:
        """The edit `edit_put(mapping, items)` would make, planned: None when the template is not
        editable or `mapping` is not a mapping written in it (one the model made up or merged)."""
        if not self.editable or self.parts or not items:
            return None
        if self._key_paths is None:
            self._key_paths = _key_paths(self.data)
        keys = self._key_paths.get(id(mapping))
        return PlannedEdit(keys, dict(items)) if keys is not None else None

    def plan_set(self, mapping: Map, key: str, value: Any) -> PlannedEdit | None:
        """Set a key `mapping` has (see `plan_put`)."""
        return self.plan_put(mapping, {key: value}) if key in mapping else None

    def edit_planned(self, planned: PlannedEdit | None) -> tuple[Edit, ...]:
        """The text edits of a planned edit, made now; () when it cannot be made certainly."""
        mapping = planned.mapping_in(self.data) if planned is not None else None
        return self.edit_put(mapping, planned.items) if mapping is not None else ()  # type: ignore[union-attr]

    def edit_set(self, mapping: Map, key: str, value: Any) -> tuple[Edit, ...]:
        """Set a key `mapping` has (see `edit_put`)."""
        return self.edit_put(mapping, {key: value}) if key in mapping else ()

    def edit_add(self, mapping: Map, key: str, value: Any) -> tuple[Edit, ...]:
        """Add a key `mapping` does not have (see `edit_put`)."""
        return self.edit_put(mapping, {key: value}) if isinstance(mapping, dict) and key not in mapping else ()

    # -- values as deployed ------------------------------------------------------------------
    def parameter_value(self, name: str) -> tuple[Any, str] | None:
        """The value a declared parameter takes in this run, and where it comes from: the run's
        override, else its `Default`. None when it has neither (never guessed), when it is not
        a declared parameter, or when its type reads the value from SSM at deploy."""
        parameters = self.data.get("Parameters")
        declared = parameters.get(name) if isinstance(parameters, dict) else None
        if not isinstance(declared, dict):
            return None
        type_ = declared.get("Type")
        if isinstance(type_, str) and type_.strip().startswith(_SSM_PARAMETER_TYPE):
            return None
        if name in self.parameter_overrides:
            return self.parameter_overrides[name], f"parameter {name}'s override"
        default = declared.get("Default")
        if default is None or isinstance(default, (dict, list)):
            return None
        return default, f"parameter {name}'s default"

    def resolve(self, value: Any) -> tuple[Any, str | None]:
        """A value as it is deployed: `{"Ref": P}` of a declared parameter becomes the
        parameter's value (see `parameter_value`), with its origin; anything else is returned
        as written, with origin None. Every setting the model reads goes through here."""
        if isinstance(value, dict) and len(value) == 1 and isinstance(value.get("Ref"), str):
            found = self.parameter_value(value["Ref"])
            if found is not None:
                return found
        return value, None

    def int_value(self, value: Any) -> int | None:
        """`literal_int` of the value as deployed; a value taken from a parameter is a
        `FromParameter` that says so (see `value_origin`)."""
        resolved, origin = self.resolve(value)
        number = literal_int(resolved)
        if number is None or origin is None:
            return number
        return FromParameter(number, origin)

    def bool_value(self, value: Any) -> bool | None:
        """`literal_bool` of the value as deployed."""
        return literal_bool(self.resolve(value)[0])

    @property
    def event_source_mappings(self) -> list[EventSourceMapping]:
        return [m for f in self.functions.values() for m in f.event_source_mappings]

    @property
    def triggers(self) -> list[Trigger]:
        return [t for f in self.functions.values() for t in f.triggers]

    @property
    def external_event_source_mappings(self) -> list[EventSourceMapping]:
        return [t for t in self.external_triggers if isinstance(t, EventSourceMapping)]

    @property
    def is_sam(self) -> bool:
        transform = self.data.get("Transform")
        transforms = transform if isinstance(transform, list) else [transform]
        return any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms)

    @property
    def ignored_codes(self) -> frozenset[str]:
        return ignore_codes_from_metadata(self.data)

    def location(self, mark: Mark) -> Location:
        if self.parts:
            path, first = self.parts[0]
            for part_path, part_first in self.parts:
                if part_first > mark.line:
                    break
                path, first = part_path, part_first
            return Location(path, mark.line - first + 1, mark.column)
        return Location(self.path, mark.line, mark.column)

    @property
    def paths(self) -> list[str]:
        """The files the template is read from (several for a Terraform root)."""
        return [path for path, _ in self.parts] or [self.path]

    def resource_at(self, path: str, line: int) -> Resource | None:
        """The resource whose block holds `line` of file `path` (a finding's position)."""
        if not self.parts:
            return self.resource_at_line(line) if path == self.path else None
        for part_path, first in self.parts:
            if part_path == path:
                return self.resource_at_line(line + first - 1)
        return None

    def resource_at_line(self, line: int) -> Resource | None:
        """The resource whose block holds `line` (for suppression comments and Metadata)."""
        best: Resource | None = None
        for resource in self.resources.values():
            if resource.mark.line <= line and (best is None or resource.mark.line > best.mark.line):
                best = resource
        if best is not None and line > self._resources_end_line(best):
            return None
        return best

    def _resources_end_line(self, resource: Resource) -> int:
        if resource.logical_id in self.end_lines:
            return self.end_lines[resource.logical_id]
        later = [r.mark.line for r in self.resources.values() if r.mark.line > resource.mark.line]
        if later:
            return min(later) - 1
        # the last resource runs to the next top-level key after Resources, or the end of file
        resources_line = self.data.key_mark("Resources").line
        after = [m.line for k, m in self.data.key_marks.items() if m.line > resources_line]
        return min(after) - 1 if after else 10**9

    def resolve_function(self, value: Any, _depth: int = 0) -> Function | None:
        """The function a `FunctionName`-style value names: `!Ref Fn`, `!GetAtt Fn.Arn`,
        `!Sub ${Fn}`, a SAM alias (`FnAliaslive`), a literal name or ARN matching a function's
        `FunctionName`."""
        logical_id = referenced_logical_id(value)
        if logical_id is not None:
            if logical_id in self.functions:
                return self.functions[logical_id]
            resource = self.resources.get(logical_id)
            if resource is not None and resource.type in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
                target = resource.properties.get("FunctionName")
                return self.resolve_function(target, _depth + 1) if _depth < 3 else None
            for function in self.functions.values():  # SAM AutoPublishAlias: <Fn>Alias<name>
                if logical_id.startswith(function.logical_id + "Alias"):
                    return function
            return None
        if isinstance(value, str):
            name = value
            if name.startswith("arn:"):
                parts = name.split(":")
                name = parts[6] if len(parts) > 6 else ""
            else:
                name = name.split(":", 1)[0]  # "name:alias"
            for function in self.functions.values():
                if function.properties.get("FunctionName") == name:
                    return function
        return None

    def source_of(self, value: Any) -> str | None:
        """Which service an `EventSourceArn`/`Queue`/`Stream` value points at."""
        logical_id = referenced_logical_id(value)
        if logical_id is not None:
            resource = self.resources.get(logical_id)
            if resource is None:
                return None
            return {
                "AWS::SQS::Queue": "sqs",
                "AWS::Kinesis::Stream": "kinesis",
                "AWS::Kinesis::StreamConsumer": "kinesis",
                "AWS::DynamoDB::Table": "dynamodb",
                "AWS::DynamoDB::GlobalTable": "dynamodb",
            }.get(resource.type)
        return arn_service(value)

    def iter_resources(self, *types: str) -> Iterator[Resource]:
        for resource in self.resources.values():
            if not types or resource.type in types:
                yield resource


def build_template(path: str, abs_path: Path, text: str, data: Any, duplicate_keys=()) -> Template:
    if data is None:
        raise TemplateStructureError("the file is empty (or holds only comments)", Mark(1, 1))
    if not isinstance(data, Map):
        raise TemplateStructureError("the template is not a mapping of sections", Mark(1, 1))
    template = Template(path=path, abs_path=abs_path, text=text, data=data, duplicate_keys=list(duplicate_keys))
    resources = data.get("Resources")
    if resources is None:
        return template
    if not isinstance(resources, Map):
        raise TemplateStructureError("'Resources' must be a mapping of logical ids to resources", data.value_mark("Resources"))
    for logical_id, node in resources.items():
        if not isinstance(node, Map) or not isinstance(logical_id, str):
            continue
        type_ = node.get("Type")
        if not isinstance(type_, str):
            continue
        properties = node.get("Properties")
        if not isinstance(properties, Map):
            properties = _empty_map(resources.key_mark(logical_id))
        template.resources[logical_id] = Resource(
            template, logical_id, type_, node, properties, resources.key_mark(logical_id)
        )
    _build_functions(template)
    template.queues = {r.logical_id: Queue(r) for r in template.iter_resources(SQS_QUEUE)}
    from lintkit.templates.triggers import add_failure_handling, add_triggers

    add_triggers(template)
    add_failure_handling(template)
    return template


def load_template(file: Path, *, path: str, limits: Limits = DEFAULT_LIMITS) -> Template:
    document, text = load_path(file, max_size=limits.max_file_size, max_alias_expansion=limits.max_alias_expansion)
    template = build_template(path, file.resolve(), text, document.data, document.duplicate_keys)
    template.editable = True
    return template


def template_from_text(
    text: str, *, path: str, abs_path: Path, limits: Limits = DEFAULT_LIMITS, load: Callable[..., LoadedDocument] = load_text
) -> Template:
    """A template from text already in memory (an editor buffer, stdin). `load` loads the text
    (`load_text`'s signature; the engine's reads the result cache first)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    json_hint = abs_path.name.lower().endswith(".json")
    document = load(text, json_hint=json_hint, max_alias_expansion=limits.max_alias_expansion)
    template = build_template(path, abs_path, text, document.data, document.duplicate_keys)
    template.editable = True
    return template


def _key_paths(root: Any) -> dict[int, tuple[Any, ...]]:
    """The path (keys and indexes from the root) of every mapping of a loaded document, by its
    id; a mapping reached under a key that is not a string has none."""
    paths: dict[int, tuple[Any, ...]] = {}
    stack: list[tuple[Any, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, Map):
            paths[id(node)] = path
            stack.extend((value, path + (key,)) for key, value in node.items() if isinstance(key, str))
        elif isinstance(node, Seq):
            stack.extend((value, path + (index,)) for index, value in enumerate(node))
    return paths


@codemod(TEMPLATE_PUT)
def _template_put(text: str, location: Location, arguments: dict) -> tuple[Edit, ...]:
    """The "template-put" codemod: the edits of a planned edit (see `PlannedEdit`), made on the
    template's text; () when they cannot be made certainly. The text is loaded, not built into
    a model: the edit needs the document only."""
    from lintkit.templates.edit import TemplateEditor

    document = load_text(text, json_hint=location.path.lower().endswith(".json")).data
    planned = PlannedEdit(tuple(arguments["keys"]), arguments["items"])
    mapping = planned.mapping_in(document)
    return TemplateEditor(location.path, text, document).put(mapping, planned.items) if mapping is not None else ()


def global_function_properties(template: Template) -> Map | None:
    globals_ = template.data.get("Globals")
    function = globals_.get("Function") if isinstance(globals_, Map) else None
    return function if isinstance(function, Map) else None


def _build_functions(template: Template) -> None:
    global_properties = global_function_properties(template)
    for resource in template.iter_resources(*FUNCTION_TYPES):
        properties = resource.properties
        if resource.type == SAM_FUNCTION and global_properties is not None:
            properties = merge_globals(global_properties, properties)
        template.functions[resource.logical_id] = Function(template, resource, properties)
