"""Serverless Framework services (`serverless.yml` / `serverless.yaml`, v3 and v4) in the template model.

The framework compiles a service to CloudFormation; this module does the same on paper: it
translates the file into a SAM-shaped `Map` (provider defaults become `Globals.Function`,
`functions.X` an `AWS::Serverless::Function` named `XLambdaFunction` as the framework names
it, its `events` SAM events, `resources.Resources` stays the raw CloudFormation it is) whose
marks point at the lines of `serverless.yml`, and builds the `Template` with `build_template`.
Rules, joins and handler links then run unchanged, and findings point at the file's own lines.

Variables: `${self:a.b}` (with literal or `self:` fallbacks) is resolved from the same file.
Everything else (`${opt:}`, `${env:}`, `${ssm:}`, `${file()}`, `${sls:}`, `${aws:}`, `${param:}`,
plugins' sources) depends on the deploy and is unknown: a value holding one becomes
`{"Fn::Sub": <text>}`, which the model treats as an expression it cannot know. Never guessed.
CloudFormation's own `${AWS::Region}` / `${Resource.Arn}` inside `Fn::Sub` are left alone.

What the format has and SAM has not (WebSocket routes, ALB targets, a stream whose type cannot be
told) becomes a trigger added to the built template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from lintkit.limits import DEFAULT_LIMITS, Limits
from lintkit.templates.loader import LoadedDocument, Map, Mark, Seq, load_text
from lintkit.templates.model import (
    EventSourceMapping,
    Invocation,
    Template,
    TemplateStructureError,
    Trigger,
    arn_service,
    build_template,
)

__all__ = ["FILE_NAMES", "function_logical_id", "serverless_template", "translate"]

FILE_NAMES = ("serverless.yml", "serverless.yaml")

# The framework's default function timeout (its "AWS - Functions" docs: 6 s). Documented for v3;
# for v4 it is unconfirmed, so a service that does not pin v1-v3 gets an unknown timeout.
DEFAULT_TIMEOUT = 6
_PINNED_MAJOR = re.compile(r"\s*[\^~]?\s*=?\s*v?(\d+)")

_VARIABLE = re.compile(r"\$\{([^{}]*)\}")
_SOURCE = re.compile(r"\s*([A-Za-z][\w-]*)\s*(::|:|\()")
_MAX_DEPTH = 10  # `${self:}` chains followed before giving up (a cycle, or a hostile file)
_MAX_STEPS = 200  # substitutions in one string
_MAX_LENGTH = 100_000  # characters a string may grow to by substitution
_UNKNOWN = object()
_MISSING = object()  # a `self:` path the file does not have


def function_logical_id(name: str) -> str:
    """The framework's logical id of function `name`: `-` -> `Dash`, `_` -> `Underscore`, first
    letter upper-cased, then `LambdaFunction` (its `naming.getLambdaLogicalId`)."""
    normalized = name.replace("-", "Dash").replace("_", "Underscore")
    return normalized[:1].upper() + normalized[1:] + "LambdaFunction"


def _new_map(mark: Mark) -> Map:
    built = Map()
    built.mark = mark
    return built


def _put(target: Map, key: str, value: Any, key_mark: Mark, value_mark: Mark | None = None) -> None:
    target[key] = value
    target.key_marks[key] = key_mark
    target.value_marks[key] = value_mark or key_mark


def _seq(items: list[Any], marks: list[Mark], mark: Mark) -> Seq:
    built = Seq(items)
    built.mark = mark
    built.item_marks = list(marks)
    return built


def _unknown(text: str, mark: Mark) -> Map:
    """A value the deploy decides: an expression the model leaves unknown."""
    value = _new_map(mark)
    _put(value, "Fn::Sub", text, mark)
    return value


def is_framework_variable(content: str) -> bool:
    """`self:x`, `opt:stage`, `file(./x.yml)`: a Serverless variable. `AWS::Region`, `Queue`,
    `Queue.Arn` (no source, or CloudFormation's `::`) belong to `Fn::Sub`."""
    match = _SOURCE.match(content)
    return match is not None and match.group(2) != "::"


class _Variables:
    """Resolves `${self:...}` against the file's own data; leaves every other source unknown."""

    def __init__(self, root: Map) -> None:
        self.root = root
        self.memo: dict[int, Any] = {}
        # each `self:` path is resolved once (a file of variables that each name ten others
        # would otherwise cost 10^depth lookups); a path met again while in progress is a cycle
        self.paths: dict[str, Any] = {}

    def resolve(self, value: Any, mark: Mark, depth: int = 0) -> Any:
        """`value` with its variables resolved: Maps and Seqs copied (marks kept), a string that
        holds an unknown variable made an unknown expression."""
        if isinstance(value, str):
            resolved, complete = self.string(value, depth)
            if not complete:
                return _unknown(resolved, mark)
            return resolved
        if isinstance(value, Map):
            key = id(value)
            if depth == 0 and key in self.memo:
                return self.memo[key]
            built = _new_map(value.mark)
            built.key_marks = dict(value.key_marks)
            built.value_marks = dict(value.value_marks)
            for item_key, item in value.items():
                if item_key == "Fn::Sub" and len(value) == 1:
                    built[item_key] = self._sub_argument(item, depth)
                else:
                    built[item_key] = self.resolve(item, value.value_mark(item_key), depth)
            if depth == 0:
                self.memo[key] = built
            return built
        if isinstance(value, Seq):
            items = [self.resolve(item, value.item_mark(index), depth) for index, item in enumerate(value)]
            return _seq(items, value.item_marks, value.mark)
        return value

    def _sub_argument(self, argument: Any, depth: int) -> Any:
        """`Fn::Sub`'s text: resolvable variables substituted, unknown ones left in the text
        (the whole is already an expression)."""
        if isinstance(argument, str):
            return self.string(argument, depth)[0]
        if isinstance(argument, Seq) and argument and isinstance(argument[0], str):
            rest = [self.resolve(item, argument.item_mark(index + 1), depth) for index, item in enumerate(argument[1:])]
            return _seq([self.string(argument[0], depth)[0], *rest], argument.item_marks, argument.mark)
        return self.resolve(argument, getattr(argument, "mark", Mark(1, 1)), depth)

    def string(self, text: str, depth: int) -> tuple[Any, bool]:
        """(resolved, complete): `complete` is False when an unknown variable is left in it. A
        string that is one variable takes the variable's value, whatever its type."""
        if "${" not in text:
            return text, True
        complete = True
        position = 0
        for _ in range(_MAX_STEPS):
            match = _VARIABLE.search(text, position)
            if match is None:
                return text, complete
            content = match.group(1)
            if not is_framework_variable(content):
                position = match.end()
                continue
            value = self.variable(content, depth)
            if value is _UNKNOWN:
                complete = False
                position = match.end()
                continue
            if match.start() == 0 and match.end() == len(text) and complete and not isinstance(value, str):
                return value, True
            if isinstance(value, bool):
                piece = "true" if value else "false"
            elif isinstance(value, (str, int, float)):
                piece = str(value)
            else:  # a mapping or list inside a longer string
                complete = False
                position = match.end()
                continue
            if len(text) + len(piece) > _MAX_LENGTH:
                return text, False
            text = text[: match.start()] + piece + text[match.end():]
            position = 0  # an outer variable (`${opt:x, ${self:y}}`) may now be complete
        return text, False

    def variable(self, content: str, depth: int) -> Any:
        """The value of one variable (`self:custom.x, 'fallback'`), or _UNKNOWN."""
        if depth >= _MAX_DEPTH:
            return _UNKNOWN
        for part in _split_fallbacks(content):
            if len(part) >= 2 and part[0] == part[-1] and part[0] in "'\"":
                return part[1:-1]
            if re.fullmatch(r"-?\d+", part):
                return int(part)
            if part in ("true", "false"):
                return part == "true"
            source = _SOURCE.match(part)
            if source is None or source.group(1) != "self" or source.group(2) != ":":
                # the deploy decides (opt, env, ssm, file, sls, aws, param, cf, s3, plugins):
                # its fallback is what a deploy without it gets, not what this one gets
                return _UNKNOWN
            path = part[source.end():].strip()
            if path not in self.paths:
                self.paths[path] = _UNKNOWN  # while in progress: a cycle back to it is unknown
                self.paths[path] = self._value_at(path, depth)
            if self.paths[path] is not _MISSING:
                return self.paths[path]
        return _UNKNOWN

    def _value_at(self, path: str, depth: int) -> Any:
        found = self._lookup(path)
        if found is _UNKNOWN:
            return _MISSING  # the next fallback is tried
        value = found[0]
        if isinstance(value, str):
            resolved, complete = self.string(value, depth + 1)
            return resolved if complete else _UNKNOWN
        if isinstance(value, (Map, Seq)):
            return self.resolve(value, value.mark, depth + 1)
        return value

    def _lookup(self, path: str) -> Any:
        node: Any = self.root
        if not path:
            return _UNKNOWN
        for step in path.split("."):
            if isinstance(node, dict) and step in node:
                node = node[step]
            elif isinstance(node, list) and step.isdigit() and int(step) < len(node):
                node = node[int(step)]
            else:
                return _UNKNOWN
        return (node,)


def _split_fallbacks(content: str) -> list[str]:
    parts, current, quote = [], [], ""
    for char in content:
        if quote:
            current.append(char)
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
            current.append(char)
        elif char == ",":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [part for part in parts if part]


# -- translation -----------------------------------------------------------------------------

# Serverless event -> (SAM event Type, {serverless key: SAM property}); the string shorthand
# (`- sqs: arn:...`) is the first property.
_SIMPLE_EVENTS: dict[str, tuple[str, dict[str, str]]] = {
    "sqs": (
        "SQS",
        {
            "arn": "Queue",
            "batchSize": "BatchSize",
            "maximumBatchingWindow": "MaximumBatchingWindowInSeconds",
            "functionResponseType": "FunctionResponseTypes",
            "enabled": "Enabled",
            "filterPatterns": "FilterCriteria",
        },
    ),
    "s3": ("S3", {"bucket": "Bucket", "event": "Events", "rules": "Filter"}),
    "cloudwatchLog": ("CloudWatchLogs", {"logGroup": "LogGroupName", "filter": "FilterPattern"}),
    "iot": ("IoTRule", {"sql": "Sql", "sqlVersion": "AwsIotSqlVersion"}),
    "httpApi": ("HttpApi", {"path": "Path", "method": "Method"}),
    "cognitoUserPool": ("Cognito", {"pool": "UserPool", "trigger": "Trigger"}),
    "alexaSkill": ("AlexaSkill", {"appId": "SkillId"}),
    "msk": ("MSK", {"arn": "Stream", "topic": "Topics", "batchSize": "BatchSize"}),
    "kafka": ("SelfManagedKafka", {"topic": "Topics", "batchSize": "BatchSize"}),
    "activemq": ("MQ", {"arn": "Broker", "queue": "Queues", "batchSize": "BatchSize"}),
    "rabbitmq": ("MQ", {"arn": "Broker", "queue": "Queues", "batchSize": "BatchSize"}),
}
_STREAM_KEYS = {
    "arn": "Stream",
    "batchSize": "BatchSize",
    "startingPosition": "StartingPosition",
    "maximumRetryAttempts": "MaximumRetryAttempts",
    "bisectBatchOnFunctionError": "BisectBatchOnFunctionError",
    "maximumRecordAgeInSeconds": "MaximumRecordAgeInSeconds",
    "functionResponseType": "FunctionResponseTypes",
    "batchWindow": "MaximumBatchingWindowInSeconds",
    "parallelizationFactor": "ParallelizationFactor",
    "enabled": "Enabled",
}
_LIST_PROPERTIES = ("FunctionResponseTypes", "Topics", "Queues")
_RESOURCE_SOURCES = {
    "AWS::Kinesis::Stream": "kinesis",
    "AWS::Kinesis::StreamConsumer": "kinesis",
    "AWS::DynamoDB::Table": "dynamodb",
    "AWS::DynamoDB::GlobalTable": "dynamodb",
}


@dataclass
class ExtraTrigger:
    """A trigger SAM cannot express, added to the function once the template is built."""

    logical_id: str
    kind: str
    invocation: Invocation
    name: str
    properties: Map
    mark: Mark
    source: str | None = None
    polled: bool = False


@dataclass
class Translation:
    data: Map
    extras: list[ExtraTrigger]


class _Translator:
    def __init__(self, root: Map) -> None:
        self.root = root
        self.variables = _Variables(root)
        self.extras: list[ExtraTrigger] = []
        self.raw_resources = _new_map(root.mark)
        self.function_names: dict[str, str] = {}  # serverless name -> logical id
        self.provider_known = True

    def resolved(self, container: Map, key: str) -> Any:
        return self.variables.resolve(container[key], container.value_mark(key))

    def translate(self) -> Translation:
        root = self.root
        out = _new_map(root.mark)
        _put(out, "Transform", "AWS::Serverless-2016-10-31", root.mark)
        self._collect_resources()
        functions = self._functions()
        for name in functions:
            self.function_names[name] = function_logical_id(name)
        provider = self.resolved(root, "provider") if isinstance(root.get("provider"), Map) else None
        # a provider section the file does not hold (`${file(...)}`) may set anything
        self.provider_known = provider is not None or "provider" not in root
        provider = provider if isinstance(provider, Map) else _new_map(root.key_mark("provider"))
        _put(out, "Globals", self._globals(provider), root.key_mark("provider", root.mark))
        resources = _new_map(root.mark)
        for name, (node, key_mark) in functions.items():
            logical_id = self.function_names[name]
            _put(resources, logical_id, self._function(name, node, key_mark, provider), key_mark)
        for logical_id, node in self.raw_resources.items():
            if logical_id not in resources:  # a raw resource overriding a function's is not merged
                _put(resources, logical_id, node, self.raw_resources.key_mark(logical_id))
        # `Resources` is placed at the later of the two sections, so that the last resource's
        # block ends at the next top-level key of the file (suppression comments, Metadata)
        sections = [root.key_mark(key) for key in ("functions", "resources") if key in root]
        _put(out, "Resources", resources, max(sections) if sections else root.mark)
        for key, mark in root.key_marks.items():
            if key not in out and isinstance(key, str):
                out.key_marks.setdefault(f"serverless:{key}", mark)  # positions only, no value
        return Translation(out, self.extras)

    # -- sections

    def _functions(self) -> dict[str, tuple[Map, Mark]]:
        found: dict[str, tuple[Map, Mark]] = {}
        section = self.root.get("functions")
        blocks = [section] if isinstance(section, Map) else [item for item in section if isinstance(item, Map)] if isinstance(section, Seq) else []
        for block in blocks:
            for name, node in block.items():
                if isinstance(name, str) and name and isinstance(node, Map):
                    found[name] = (node, block.key_mark(name))
        return found

    def _collect_resources(self) -> None:
        section = self.root.get("resources")
        blocks = [section] if isinstance(section, Map) else [item for item in section if isinstance(item, Map)] if isinstance(section, Seq) else []
        for block in blocks:
            resources = block.get("Resources")
            if not isinstance(resources, Map):
                continue
            for logical_id, node in resources.items():
                if isinstance(logical_id, str) and isinstance(node, Map):
                    resolved = self.variables.resolve(node, node.mark)
                    _put(self.raw_resources, logical_id, resolved, resources.key_mark(logical_id))

    def _globals(self, provider: Map) -> Map:
        function = _new_map(provider.mark)
        for key, target in (("runtime", "Runtime"), ("timeout", "Timeout"), ("memorySize", "MemorySize")):
            if key in provider:
                _put(function, target, provider[key], provider.key_mark(key), provider.value_mark(key))
        if "environment" in provider:
            _put(function, "Environment", self._environment(provider, "environment"), provider.key_mark("environment"))
        if "runtime" not in provider and self.provider_known:
            # the framework's default runtime is a Node.js one in every version
            _put(function, "Runtime", "nodejs", provider.mark)
        globals_ = _new_map(provider.mark)
        _put(globals_, "Function", function, provider.mark)
        return globals_

    def _environment(self, node: Map, key: str) -> Map:
        environment = _new_map(node.key_mark(key))
        _put(environment, "Variables", node[key], node.key_mark(key), node.value_mark(key))
        return environment

    def _default_timeout(self) -> int | None:
        version = self.root.get("frameworkVersion")
        match = _PINNED_MAJOR.match(str(version)) if isinstance(version, (str, int, float)) else None
        if not self.provider_known:
            return None
        if match is not None and 1 <= int(match.group(1)) <= 3 and not str(version).lstrip().startswith(">"):
            return DEFAULT_TIMEOUT
        return None

    def _function(self, name: str, raw: Map, key_mark: Mark, provider: Map) -> Map:
        node = self.variables.resolve(raw, raw.mark)
        properties = _new_map(node.mark)
        copies = {
            "handler": "Handler",
            "runtime": "Runtime",
            "timeout": "Timeout",
            "memorySize": "MemorySize",
            "reservedConcurrency": "ReservedConcurrentExecutions",
            "name": "FunctionName",
            "layers": "Layers",
        }
        for key, target in copies.items():
            if key in node:
                _put(properties, target, node[key], node.key_mark(key), node.value_mark(key))
        if "timeout" not in node and "timeout" not in provider:
            default = self._default_timeout()
            _put(properties, "Timeout", default if default is not None else _unknown("${default-timeout}", key_mark), key_mark)
        if "environment" in node:
            _put(properties, "Environment", self._environment(node, "environment"), node.key_mark("environment"))
        if "image" in node:
            _put(properties, "PackageType", "Image", node.key_mark("image"))
            _put(properties, "ImageUri", node["image"], node.key_mark("image"), node.value_mark("image"))
        package = node.get("package")
        if isinstance(package, Map) and "artifact" in package:
            # a prebuilt zip: the handler's source is not in the file tree as deployed
            _put(properties, "CodeUri", _unknown(str(package["artifact"]), package.key_mark("artifact")), package.key_mark("artifact"))
        elif "image" not in node:
            # the framework packages the service's folder: handler paths start there
            _put(properties, "CodeUri", ".", node.key_mark("handler", key_mark))
        if "onError" in node:
            self._dead_letter(properties, node)
        invoke_config = self._invoke_config(node)
        if invoke_config is not None:
            _put(properties, "EventInvokeConfig", invoke_config, invoke_config.mark)
        if "url" in node and node["url"] not in (False, None):
            _put(properties, "FunctionUrlConfig", self._url(node), node.key_mark("url"))
        events = node.get("events")
        if isinstance(events, Seq):
            _put(properties, "Events", self._events(self.function_names[name], events), node.key_mark("events"))
        resource = _new_map(key_mark)
        _put(resource, "Type", "AWS::Serverless::Function", key_mark)
        _put(resource, "Properties", properties, key_mark)
        return resource

    def _dead_letter(self, properties: Map, node: Map) -> None:
        target = node["onError"]
        mark = node.key_mark("onError")
        queue = _new_map(mark)
        _put(queue, "Type", "SQS" if self._service_of(target) == "sqs" else "SNS", mark)
        _put(queue, "TargetArn", target, mark, node.value_mark("onError"))
        _put(properties, "DeadLetterQueue", queue, mark)

    def _invoke_config(self, node: Map) -> Map | None:
        keys = [key for key in ("maximumRetryAttempts", "maximumEventAge", "destinations") if key in node]
        if not keys:
            return None
        config = _new_map(node.key_mark(keys[0]))
        if "maximumRetryAttempts" in node:
            _put(config, "MaximumRetryAttempts", node["maximumRetryAttempts"], node.key_mark("maximumRetryAttempts"))
        if "maximumEventAge" in node:
            _put(config, "MaximumEventAgeInSeconds", node["maximumEventAge"], node.key_mark("maximumEventAge"))
        destinations = node.get("destinations")
        if isinstance(destinations, Map) and "onFailure" in destinations:
            _put(config, "DestinationConfig", self._on_failure(destinations), destinations.key_mark("onFailure"))
        return config

    def _on_failure(self, destinations: Map) -> Map:
        """`destinations.onFailure`: an ARN, a function of this service, or `{type, arn}`."""
        value = destinations["onFailure"]
        mark = destinations.key_mark("onFailure")
        target: Any = value
        if isinstance(value, Map) and not _is_expression(value):
            target = value.get("arn", _unknown("${destination}", mark))
        if isinstance(target, str) and target in self.function_names:
            target = _get_att(self.function_names[target], mark)
        on_failure = _new_map(mark)
        _put(on_failure, "Type", (self._service_of(target) or "Lambda").upper(), mark)
        _put(on_failure, "Destination", target, mark, destinations.value_mark("onFailure"))
        config = _new_map(mark)
        _put(config, "OnFailure", on_failure, mark)
        return config

    def _url(self, node: Map) -> Map:
        url = node["url"]
        mark = node.key_mark("url")
        config = _new_map(mark)
        _put(config, "AuthType", "NONE", mark)
        if isinstance(url, Map) and "invokeMode" in url:
            _put(config, "InvokeMode", url["invokeMode"], url.key_mark("invokeMode"))
        return config

    def _service_of(self, value: Any) -> str | None:
        service = arn_service(value)
        if service is None and isinstance(value, str) and value.startswith("arn:"):
            parts = value.split(":")
            service = parts[2] if len(parts) > 2 else None
        if service is None and isinstance(value, dict) and len(value) == 1:
            (key, argument), = value.items()
            logical_id = argument[0] if key == "Fn::GetAtt" and isinstance(argument, list) and argument else argument
            if key == "Fn::GetAtt" and isinstance(argument, str):
                logical_id = argument.split(".", 1)[0]
            resource = self.raw_resources.get(logical_id) if isinstance(logical_id, str) else None
            type_ = resource.get("Type") if isinstance(resource, Map) else None
            if isinstance(type_, str):
                service = {"AWS::SQS::Queue": "sqs", "AWS::SNS::Topic": "sns"}.get(type_) or _RESOURCE_SOURCES.get(type_)
        return service

    # -- events

    def _events(self, logical_id: str, events: Seq) -> Map:
        built = _new_map(events.mark)
        for index, event in enumerate(events):
            if not isinstance(event, Map) or len(event) != 1:
                continue
            (type_, spec), = event.items()
            if not isinstance(type_, str):
                continue
            mark = events.item_mark(index)
            name = f"{type_}#{index + 1}"
            translated = self._event(logical_id, type_, spec, event.value_mark(type_), name, mark)
            if translated is not None:
                _put(built, name, translated, mark)
        return built

    def _event(self, logical_id: str, type_: str, spec: Any, value_mark: Mark, name: str, mark: Mark) -> Map | None:
        if type_ in _SIMPLE_EVENTS:
            sam_type, keys = _SIMPLE_EVENTS[type_]
            properties = _properties(spec, keys, value_mark)
            if type_ == "httpApi" and isinstance(spec, str):
                _method_path(properties, spec, value_mark)
            return _sam_event(sam_type, properties, mark)
        if type_ == "stream":
            return self._stream(logical_id, spec, value_mark, name, mark)
        if type_ == "sns":
            return self._sns(spec, value_mark, mark)
        if type_ == "http":
            if isinstance(spec, Map) and spec.get("async") is True:
                return None  # API Gateway invokes the function asynchronously: not a REST API trigger
            properties = _properties(spec, {"path": "Path", "method": "Method"}, value_mark)
            if isinstance(spec, str):
                _method_path(properties, spec, value_mark)
            return _sam_event("Api", properties, mark)
        if type_ == "schedule":
            return self._schedule(spec, value_mark, mark)
        if type_ == "eventBridge":
            return self._event_bridge(spec, value_mark, mark)
        if type_ in ("websocket", "alb"):
            properties = _properties(spec, {"route": "Route"} if type_ == "websocket" else {"listenerArn": "ListenerArn"}, value_mark)
            kind = "websocket" if type_ == "websocket" else "alb"
            self.extras.append(ExtraTrigger(logical_id, kind, Invocation.SYNC, name, properties, mark))
        return None

    def _stream(self, logical_id: str, spec: Any, value_mark: Mark, name: str, mark: Mark) -> Map | None:
        properties = _properties(spec, _STREAM_KEYS, value_mark)
        if isinstance(spec, Map):
            destinations = spec.get("destinations")
            if isinstance(destinations, Map) and "onFailure" in destinations:
                _put(properties, "DestinationConfig", self._on_failure(destinations), spec.key_mark("destinations"))
        declared = spec.get("type") if isinstance(spec, Map) else None
        source = declared if declared in ("kinesis", "dynamodb") else self._service_of(properties.get("Stream"))
        if source not in ("kinesis", "dynamodb"):
            # which service is not known: a mapping of an unknown stream (both kinds' rules apply)
            properties.setdefault("StartingPosition", "TRIM_HORIZON")
            self.extras.append(ExtraTrigger(logical_id, "stream", Invocation.POLL, name, properties, mark, source="stream", polled=True))
            return None
        return _sam_event("Kinesis" if source == "kinesis" else "DynamoDB", properties, mark)

    def _sns(self, spec: Any, value_mark: Mark, mark: Mark) -> Map:
        properties = _properties(spec, {"arn": "Topic", "topicName": "Topic", "filterPolicy": "FilterPolicy"}, value_mark)
        redrive = spec.get("redrivePolicy") if isinstance(spec, Map) else None
        if isinstance(redrive, Map):
            policy_mark = spec.key_mark("redrivePolicy")
            policy = _new_map(policy_mark)
            for key, value in redrive.items():
                if key == "deadLetterTargetRef" and isinstance(value, str):
                    value = _get_att(value, redrive.key_mark(key))
                _put(policy, "deadLetterTargetArn", value, redrive.key_mark(key))
            _put(properties, "RedrivePolicy", policy, policy_mark)
        return _sam_event("SNS", properties, mark)

    def _schedule(self, spec: Any, value_mark: Mark, mark: Mark) -> Map:
        properties = _properties(spec, {"rate": "Schedule", "enabled": "Enabled", "input": "Input"}, value_mark)
        rate = properties.get("Schedule")
        if isinstance(rate, Seq) and rate:
            properties["Schedule"] = rate[0]
        method = spec.get("method") if isinstance(spec, Map) else None
        if method == "scheduler":
            properties["ScheduleExpression"] = properties.pop("Schedule", None)
            properties.key_marks["ScheduleExpression"] = spec.key_mark("rate", mark)
            return _sam_event("ScheduleV2", properties, mark)
        return _sam_event("Schedule", properties, mark)

    def _event_bridge(self, spec: Any, value_mark: Mark, mark: Mark) -> Map:
        keys = {"pattern": "Pattern", "eventBus": "EventBusName", "schedule": "Schedule", "input": "Input"}
        properties = _properties(spec, keys, value_mark)
        if isinstance(spec, Map):
            if "deadLetterQueueArn" in spec:
                dead_letter = _new_map(spec.key_mark("deadLetterQueueArn"))
                _put(dead_letter, "Arn", spec["deadLetterQueueArn"], spec.key_mark("deadLetterQueueArn"))
                _put(properties, "DeadLetterConfig", dead_letter, spec.key_mark("deadLetterQueueArn"))
            retry = spec.get("retryPolicy")
            if isinstance(retry, Map):
                policy = _new_map(spec.key_mark("retryPolicy"))
                for key, target in (("maximumRetryAttempts", "MaximumRetryAttempts"), ("maximumEventAge", "MaximumEventAgeInSeconds")):
                    if key in retry:
                        _put(policy, target, retry[key], retry.key_mark(key))
                _put(properties, "RetryPolicy", policy, spec.key_mark("retryPolicy"))
        return _sam_event("Schedule" if "Schedule" in properties else "EventBridgeRule", properties, mark)


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and (next(iter(value)) in ("Ref", "Condition") or str(next(iter(value))).startswith("Fn::"))


def _get_att(logical_id: str, mark: Mark) -> Map:
    reference = _new_map(mark)
    _put(reference, "Fn::GetAtt", _seq([logical_id, "Arn"], [mark, mark], mark), mark)
    return reference


def _properties(spec: Any, keys: dict[str, str], value_mark: Mark) -> Map:
    """The event's settings under their SAM names. A scalar or expression (`- sqs: arn:...`)
    is the first setting; a list-valued SAM property gets a one-item list."""
    properties = _new_map(value_mark)
    if not isinstance(spec, Map) or _is_expression(spec):
        first = next(iter(keys.values()))
        _put(properties, first, spec, value_mark)
        return properties
    properties.mark = spec.mark
    for key, target in keys.items():
        if key not in spec or target in properties:
            continue
        value = spec[key]
        if target in _LIST_PROPERTIES and not isinstance(value, (list, dict)):
            value = _seq([value], [spec.value_mark(key)], spec.value_mark(key))
        _put(properties, target, value, spec.key_mark(key), spec.value_mark(key))
    return properties


def _method_path(properties: Map, spec: str, mark: Mark) -> None:
    """`- http: GET /users` / `- httpApi: 'GET /users'` (or `*`)."""
    text = properties.pop(next(iter(properties)), spec)
    method, _, path = str(text).partition(" ")
    _put(properties, "Method", method, mark)
    _put(properties, "Path", path.strip() or "/", mark)


def _sam_event(type_: str, properties: Map, mark: Mark) -> Map:
    event = _new_map(mark)
    _put(event, "Type", type_, mark)
    _put(event, "Properties", properties, mark)
    return event


def translate(data: Any) -> Translation:
    if data is None:
        raise TemplateStructureError("the file is empty (or holds only comments)", Mark(1, 1))
    if not isinstance(data, Map):
        raise TemplateStructureError("a serverless.yml must be a mapping of sections", Mark(1, 1))
    return _Translator(data).translate()


def _add_extras(template: Template, extras: list[ExtraTrigger]) -> None:
    for extra in extras:
        function = template.functions.get(extra.logical_id)
        if function is None:
            continue
        if extra.polled:
            function.triggers.append(
                EventSourceMapping(function, extra.kind, extra.invocation, extra.name, extra.properties, extra.mark, source=extra.source)
            )
        else:
            function.triggers.append(Trigger(function, extra.kind, extra.invocation, extra.name, extra.properties, extra.mark))


def serverless_template(
    text: str, *, path: str, abs_path: Path, limits: Limits = DEFAULT_LIMITS, load: Callable[..., LoadedDocument] = load_text
) -> Template:
    """The template model of a `serverless.yml` (text already in memory); the same signature as
    `template_from_text`. Raises what loading raises, and `TemplateStructureError`."""
    if text.startswith("\ufeff"):
        text = text[1:]
    document = load(text, json_hint=False, max_alias_expansion=limits.max_alias_expansion)
    translation = translate(document.data)
    template = build_template(path, abs_path, text, translation.data, document.duplicate_keys)
    _add_extras(template, translation.extras)
    return template
