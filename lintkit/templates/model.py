"""The resource model of one CloudFormation / SAM template.

Only what rules need is modelled: functions (after SAM `Globals`), their code location and
handler, and their event source mappings (SAM `Events` and `AWS::Lambda::EventSourceMapping`).
A value the model cannot know statically (a parameter, `Fn::If`, an import) is `None`: rules
treat it as unknown and do not guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from lintkit.findings import Location
from lintkit.templates.loader import Map, Mark, Seq, load_path

SAM_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
EVENT_SOURCE_MAPPING = "AWS::Lambda::EventSourceMapping"
FUNCTION_TYPES = (SAM_FUNCTION, LAMBDA_FUNCTION)

# SAM event types that become an event source mapping, and the source they poll.
SAM_POLL_EVENTS = {"SQS": "sqs", "Kinesis": "kinesis", "DynamoDB": "dynamodb"}
# Default BatchSize per source (LAMBDA-FACTS §3.4, §3.5).
DEFAULT_BATCH_SIZE = {"sqs": 10, "kinesis": 100, "dynamodb": 100, "stream": 100}
STREAM_SOURCES = ("kinesis", "dynamodb", "stream")

_ARN_SERVICE = re.compile(r"^arn:[^:]*:(sqs|kinesis|dynamodb):")
_SUB_VARIABLE = re.compile(r"\$\{([^}!]+)\}")


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
    """An integer written literally (`30`, `"30"`); None for intrinsics, parameters, junk."""
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
        metadata = self.node.get("Metadata")
        path = metadata.get("aws:cdk:path") if isinstance(metadata, dict) else None
        return path if isinstance(path, str) else None

    def location(self, mark: Mark | None = None) -> Location:
        return self.template.location(mark or self.mark)


@dataclass(eq=False)
class EventSourceMapping:
    """A poll-based trigger: a SAM SQS/Kinesis/DynamoDB event or an EventSourceMapping resource."""

    function: "Function"
    name: str  # the SAM event's name, or the mapping resource's logical id
    # "sqs", "kinesis", "dynamodb", "stream" (Kinesis or DynamoDB, not known which) or None
    source: str | None
    properties: Map
    mark: Mark  # the event's key in `Events`, or the mapping resource's logical id
    resource: Resource | None = None  # the EventSourceMapping resource, when it is one

    @property
    def template(self) -> "Template":
        return self.function.template

    @property
    def is_stream(self) -> bool:
        return self.source in STREAM_SOURCES

    @property
    def describe(self) -> str:
        if self.resource is not None:
            return f"event source mapping {self.name}"
        return f"{self.function.logical_id} event {self.name}"

    @property
    def batch_size(self) -> int | None:
        """The effective batch size: the literal value, the source's default when unset, None
        when it is an unresolvable expression or the source is unknown."""
        if "BatchSize" in self.properties:
            return literal_int(self.properties["BatchSize"])
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
        return literal_int(self.properties.get("MaximumRetryAttempts", -1))

    @property
    def maximum_record_age(self) -> int | None:
        """-1 (the default) means infinite."""
        return literal_int(self.properties.get("MaximumRecordAgeInSeconds", -1))

    @property
    def bisect_on_error(self) -> bool | None:
        return literal_bool(self.properties.get("BisectBatchOnFunctionError", False))

    @property
    def has_on_failure_destination(self) -> bool | None:
        config = self.properties.get("DestinationConfig")
        if config is None:
            return False
        if not isinstance(config, dict) or is_intrinsic(config):
            return None
        on_failure = config.get("OnFailure")
        if on_failure is None:
            return False
        if not isinstance(on_failure, dict) or is_intrinsic(on_failure):
            return None
        return bool(on_failure.get("Destination"))

    def location(self, key: str | None = None) -> Location:
        if key is not None and key in self.properties:
            return self.template.location(self.properties.key_mark(key))
        return self.template.location(self.mark)

    @property
    def suppression_resource(self) -> Resource:
        return self.resource or self.function.resource


@dataclass(eq=False)
class Function:
    template: "Template"
    resource: Resource
    properties: Map  # after the Globals merge for SAM functions
    event_source_mappings: list[EventSourceMapping] = field(default_factory=list)

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
    def is_image(self) -> bool:
        return self.properties.get("PackageType") == "Image" or "ImageUri" in self.properties

    @property
    def handler(self) -> str | None:
        handler = self.properties.get("Handler")
        return handler if isinstance(handler, str) else None

    @property
    def timeout(self) -> int | None:
        return literal_int(self.properties.get("Timeout", 3))

    @property
    def code_uri(self) -> str | None:
        """The local code location as written (SAM `CodeUri`, or a packaged CFN `Code` path).
        None for inline code, S3 locations, images and expressions."""
        key = "CodeUri" if self.is_sam else "Code"
        value = self.properties.get(key)
        if not isinstance(value, str) or not value.strip():
            return None
        if "://" in value:
            return None
        return value

    @property
    def code_dir(self) -> Path | None:
        """Where the handler's module lives. A SAM function without `CodeUri` (and without
        `InlineCode`) is built from the template's own folder, as `sam build` does."""
        uri = self.code_uri
        if uri is None:
            if self.is_sam and not any(k in self.properties for k in ("CodeUri", "InlineCode", "ImageUri")):
                return self.template.abs_path.parent
            return None
        return self.template.abs_path.parent / uri

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
class Template:
    path: str  # as shown to the user
    abs_path: Path
    text: str
    data: Map
    resources: dict[str, Resource] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    event_source_mappings: list[EventSourceMapping] = field(default_factory=list)
    duplicate_keys: list[tuple[str, Mark]] = field(default_factory=list)

    @property
    def is_sam(self) -> bool:
        transform = self.data.get("Transform")
        transforms = transform if isinstance(transform, list) else [transform]
        return any(isinstance(t, str) and t.startswith("AWS::Serverless") for t in transforms)

    @property
    def ignored_codes(self) -> frozenset[str]:
        return ignore_codes_from_metadata(self.data)

    def location(self, mark: Mark) -> Location:
        return Location(self.path, mark.line, mark.column)

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
        later = [r.mark.line for r in self.resources.values() if r.mark.line > resource.mark.line]
        if later:
            return min(later) - 1
        # the last resource runs to the next top-level key after Resources, or the end of file
        resources_line = self.data.key_mark("Resources").line
        after = [m.line for k, m in self.data.key_marks.items() if m.line > resources_line]
        return min(after) - 1 if after else 10**9

    def resolve_function(self, value: Any) -> Function | None:
        """The function a `FunctionName`-style value names: `!Ref Fn`, `!GetAtt Fn.Arn`,
        `!Sub ${Fn}`, a SAM alias (`FnAliaslive`), a literal name or ARN matching a function's
        `FunctionName`."""
        logical_id = referenced_logical_id(value)
        if logical_id is not None:
            if logical_id in self.functions:
                return self.functions[logical_id]
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
    _build_event_source_mappings(template)
    return template


def load_template(file: Path, *, path: str) -> Template:
    document, text = load_path(file)
    return build_template(path, file.resolve(), text, document.data, document.duplicate_keys)


def _global_function_properties(template: Template) -> Map | None:
    globals_ = template.data.get("Globals")
    function = globals_.get("Function") if isinstance(globals_, Map) else None
    return function if isinstance(function, Map) else None


def _build_functions(template: Template) -> None:
    global_properties = _global_function_properties(template)
    for resource in template.iter_resources(*FUNCTION_TYPES):
        properties = resource.properties
        if resource.type == SAM_FUNCTION and global_properties is not None:
            properties = merge_globals(global_properties, properties)
        template.functions[resource.logical_id] = Function(template, resource, properties)
    for function in template.functions.values():
        if function.is_sam:
            _add_sam_poll_events(template, function)


def _add_sam_poll_events(template: Template, function: Function) -> None:
    events = function.properties.get("Events")
    if not isinstance(events, Map):
        return
    for name, event in events.items():
        if not isinstance(event, Map) or not isinstance(name, str):
            continue
        source = SAM_POLL_EVENTS.get(event.get("Type"))  # type: ignore[arg-type]
        if source is None:
            continue
        properties = event.get("Properties")
        if not isinstance(properties, Map):
            properties = _empty_map(events.key_mark(name))
        mapping = EventSourceMapping(function, name, source, properties, events.key_mark(name))
        function.event_source_mappings.append(mapping)
        template.event_source_mappings.append(mapping)


def _build_event_source_mappings(template: Template) -> None:
    for resource in template.iter_resources(EVENT_SOURCE_MAPPING):
        function = template.resolve_function(resource.properties.get("FunctionName"))
        if function is None:
            continue  # a function in another stack, or an expression: nothing to join
        properties = resource.properties
        source = template.source_of(properties.get("EventSourceArn"))
        if source is None and "StartingPosition" in properties and not _is_kafka_or_mq(properties):
            source = "stream"
        mapping = EventSourceMapping(function, resource.logical_id, source, properties, resource.mark, resource)
        function.event_source_mappings.append(mapping)
        template.event_source_mappings.append(mapping)


def _is_kafka_or_mq(properties: Map) -> bool:
    return any(key in properties for key in ("Topics", "Queues", "SelfManagedEventSource", "AmazonManagedKafkaEventSourceConfig"))
