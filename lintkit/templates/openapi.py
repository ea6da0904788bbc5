"""The OpenAPI definitions of a template's APIs, and the integrations they declare.

A REST or HTTP API defined by OpenAPI names each route's backend in
`x-amazon-apigateway-integration` (LAMBDA-FACTS §13.3). The definition is inline
(`DefinitionBody`, `Body`) or a file: SAM's `DefinitionUri`, `BodyS3Location` as
`aws cloudformation package` takes it, or `Fn::Transform: AWS::Include`. A file is read only
when it is a local path inside the template's repository (or, outside any git work tree, inside
the template's folder): lintkit reads untrusted pull requests, and a definition path must not
make it read files elsewhere on the machine. S3 locations and expressions are not followed."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from lintkit.limits import DEFAULT_LIMITS, LimitExceeded
from lintkit.templates.loader import Map, Mark, TemplateSyntaxError, load_path
from lintkit.templates.model import Resource, Template

# API resource type -> (trigger kind, inline definition key, file location key)
API_DEFINITIONS: dict[str, tuple[str, str, str]] = {
    "AWS::Serverless::Api": ("api", "DefinitionBody", "DefinitionUri"),
    "AWS::ApiGateway::RestApi": ("api", "Body", "BodyS3Location"),
    "AWS::Serverless::HttpApi": ("http-api", "DefinitionBody", "DefinitionUri"),
    "AWS::ApiGatewayV2::Api": ("http-api", "Body", "BodyS3Location"),
}
INTEGRATION = "x-amazon-apigateway-integration"
METHODS = frozenset(
    ("get", "put", "post", "delete", "options", "head", "patch", "trace", "x-amazon-apigateway-any-method")
)


@dataclass
class ApiDefinition:
    resource: Resource  # the API
    kind: str  # "api" (REST) or "http-api"
    data: Map  # the OpenAPI document
    document: str | None  # the file it came from, as shown to the user; None when inline


@dataclass
class Operation:
    route: str  # the OpenAPI path, e.g. "/orders/{id}"
    method: str  # as written ("post", "x-amazon-apigateway-any-method")
    integration: Map
    mark: Mark  # the integration's key


def api_definitions(template: Template) -> Iterator[ApiDefinition]:
    """The OpenAPI definition of each API of the template that lintkit can read."""
    for resource in template.iter_resources(*API_DEFINITIONS):
        if resource.type == "AWS::ApiGatewayV2::Api" and resource.properties.get("ProtocolType") == "WEBSOCKET":
            continue  # WebSocket APIs are not imported from OpenAPI
        kind, inline_key, file_key = API_DEFINITIONS[resource.type]
        body = resource.properties.get(inline_key)
        if isinstance(body, Map):
            location = _include_location(body)
            if location is None:
                if "paths" in body:
                    yield ApiDefinition(resource, kind, body, None)
                continue
        else:
            location = resource.properties.get(file_key)
        loaded = _load_local(template, location)
        if loaded is not None:
            data, shown = loaded
            yield ApiDefinition(resource, kind, data, shown)


def operations(definition: ApiDefinition) -> Iterator[Operation]:
    """Every `paths.<route>.<method>.x-amazon-apigateway-integration` of a definition."""
    paths = definition.data.get("paths")
    if not isinstance(paths, Map):
        return
    for route, item in paths.items():
        if not isinstance(route, str) or not isinstance(item, Map):
            continue
        for method, operation in item.items():
            if not isinstance(method, str) or method.lower() not in METHODS or not isinstance(operation, Map):
                continue
            integration = operation.get(INTEGRATION)
            if isinstance(integration, Map):
                yield Operation(route, method, integration, operation.key_mark(INTEGRATION))


def _include_location(body: Map) -> Any:
    """`Fn::Transform: {Name: AWS::Include, Parameters: {Location: ...}}`'s location, or None."""
    transform = body.get("Fn::Transform") if len(body) == 1 else None
    if not isinstance(transform, dict) or transform.get("Name") != "AWS::Include":
        return None
    parameters = transform.get("Parameters")
    return parameters.get("Location") if isinstance(parameters, dict) else None


def _load_local(template: Template, location: Any) -> tuple[Map, str] | None:
    """The document at a local definition path, and the path as shown; None for S3 locations,
    expressions, files outside the repository, and files that do not load."""
    if not isinstance(location, str) or not location.strip() or "://" in location:
        return None
    from lintkit.project import repository_root  # lintkit.project imports the model

    folder = template.abs_path.parent
    top = repository_root(folder) or folder
    try:
        file = (folder / location.strip()).resolve()
        if not file.is_relative_to(top.resolve()) or not file.is_file():
            return None
        document, text = load_path(
            file, max_size=DEFAULT_LIMITS.max_file_size, max_alias_expansion=DEFAULT_LIMITS.max_alias_expansion
        )
    except (OSError, ValueError, RecursionError, TemplateSyntaxError, LimitExceeded):
        return None
    if not isinstance(document.data, Map):
        return None
    shown = os.path.normpath(os.path.join(os.path.dirname(template.path), location.strip()))
    template.included_texts[Path(shown).as_posix()] = text
    return document.data, Path(shown).as_posix()
