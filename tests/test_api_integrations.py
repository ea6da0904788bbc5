"""API Gateway integrations read the way API Gateway reads them: the routes of an OpenAPI
definition (inline or in a file of the repository), asynchronous REST integrations
(`X-Amz-Invocation-Type: 'Event'`), and LK602 graded by who waits for the answer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_engine, write_project

from lintkit.config import Config
from lintkit.engine import check
from lintkit.findings import Severity
from lintkit.rule import registry
from lintkit.templates.model import ApiIntegration, Invocation, load_template

SYNC, ASYNC = Invocation.SYNC, Invocation.ASYNC

URI = "!Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Report.Arn}/invocations"


def sam(timeout: int = 60, api_properties: str = "", events: str = "", extra: str = "") -> str:
    """A SAM template: function Report (its Timeout on line 10) and REST API Api (line 13)."""
    return (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Report:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        "      CodeUri: src/\n"
        "      Handler: app.handler\n"
        "      Runtime: python3.12\n"
        "      MemorySize: 256\n"
        f"      Timeout: {timeout}\n"
        + (f"      Events:\n{events}" if events else "")
        + "  Api:\n"
        "    Type: AWS::Serverless::Api\n"
        "    Properties:\n"
        "      StageName: prod\n" + api_properties + extra
    )


def inline_body(integration: str, route: str = "/report", method: str = "post") -> str:
    return (
        "      DefinitionBody:\n"
        "        openapi: '3.0.1'\n"
        "        paths:\n"
        f"          {route}:\n"
        f"            {method}:\n"
        "              x-amazon-apigateway-integration:\n" + integration
    )


def proxy(extra: str = "", indent: str = "                ") -> str:
    return f"{indent}type: aws_proxy\n{indent}httpMethod: POST\n{indent}uri: {URI}\n" + "".join(
        indent + line + "\n" for line in extra.splitlines()
    )


def lk(result, code: str):
    assert not result.internal_errors, result.internal_errors
    return [f for f in result.findings if f.code == code]


def git_repository(root: Path) -> Path:
    (root / ".git").mkdir(parents=True)
    return root


# -- OpenAPI integrations in the model --------------------------------------------------------


def test_an_inline_definition_body_gives_the_function_an_api_trigger(tmp_path):
    write_project(tmp_path, {"template.yaml": sam(api_properties=inline_body(proxy()))})
    template = load_template(tmp_path / "template.yaml", path="template.yaml")
    (trigger,) = template.functions["Report"].triggers
    assert isinstance(trigger, ApiIntegration)
    assert (trigger.kind, trigger.invocation, trigger.inferred) == ("api", SYNC, False)
    assert trigger.describe == "REST API Api POST /report"
    assert trigger.location().line == 20  # the x-amazon-apigateway-integration key
    assert template.included_texts == {}


def test_the_sam_event_on_a_defined_api_defers_to_the_definition(tmp_path):
    """With its own DefinitionBody, SAM adds nothing for an `Api` event but the permission: the
    definition's integration carries the settings (here a 90 s timeoutInMillis)."""
    event = "        Post:\n          Type: Api\n          Properties:\n            RestApiId: !Ref Api\n            Path: /report\n            Method: post\n"
    text = sam(events=event, api_properties=inline_body(proxy("timeoutInMillis: 90000")))
    write_project(tmp_path, {"template.yaml": text})
    template = load_template(tmp_path / "template.yaml", path="template.yaml")
    found = sorted((type(t).__name__, t.kind, t.inferred) for t in template.functions["Report"].triggers)
    assert found == [("ApiIntegration", "api", False), ("Trigger", "api", True)]
    assert lk(run_engine([tmp_path], select=["LK602"]), "LK602") == []


def test_plain_cloudformation_json_body_with_fn_join_and_timeout(tmp_path):
    uri = {
        "Fn::Join": [
            "",
            ["arn:aws:apigateway:", {"Ref": "AWS::Region"}, ":lambda:path/2015-03-31/functions/", {"Fn::GetAtt": ["Report", "Arn"]}, "/invocations"],
        ]
    }
    integration = {"type": "AWS_PROXY", "httpMethod": "POST", "uri": uri, "timeoutInMillis": 10000}
    template = {
        "Resources": {
            "Report": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "app.handler", "Runtime": "python3.12", "Code": "src/", "Timeout": 20, "Role": "arn:aws:iam::1:role/r"},
            },
            "Api": {
                "Type": "AWS::ApiGateway::RestApi",
                "Properties": {"Body": {"swagger": "2.0", "paths": {"/report": {"get": {"x-amazon-apigateway-integration": integration}}}}},
            },
        }
    }
    (tmp_path / "template.json").write_text(json.dumps(template, indent=2))
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    text = (tmp_path / "template.json").read_text().splitlines()
    assert finding.path.endswith("template.json") and '"Timeout": 20' in text[finding.line - 1]
    assert finding.severity is Severity.WARNING
    assert finding.message.startswith(
        "Report Timeout 20 s is longer than the REST API integration's 10 s (REST API Api GET /report): callers get a 504"
    )
    (related,) = finding.related
    assert '"timeoutInMillis": 10000' in text[related.location.line - 1]


def test_an_http_api_definition_with_a_getatt_uri(tmp_path):
    integration = (
        "                type: aws_proxy\n                payloadFormatVersion: '2.0'\n"
        "                uri: !GetAtt Report.Arn\n                timeoutInMillis: 5000\n"
    )
    text = sam(timeout=10, api_properties=inline_body(integration, "/items", "x-amazon-apigateway-any-method"))
    text = text.replace("AWS::Serverless::Api", "AWS::Serverless::HttpApi").replace("      StageName: prod\n", "")
    write_project(tmp_path, {"template.yaml": text})
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    assert (finding.line, finding.severity) == (10, Severity.WARNING)
    assert "the HTTP API integration's 5 s (HTTP API Api ANY /items)" in finding.message


def test_a_definition_uri_file_in_the_repository_is_read(tmp_path):
    root = git_repository(tmp_path / "repo")
    api = "openapi: '3.0.1'\npaths:\n  /report:\n    get:\n      x-amazon-apigateway-integration:\n" + proxy(
        "timeoutInMillis: 20000", indent="        "
    )
    write_project(root, {"template.yaml": sam(api_properties="      DefinitionUri: api/openapi.yaml\n"), "api/openapi.yaml": api})
    (finding,) = lk(run_engine([root], select=["LK602"]), "LK602")
    assert (Path(finding.path).name, finding.line) == ("template.yaml", 10)
    assert "the REST API integration's 20 s (REST API Api GET /report)" in finding.message
    (related,) = finding.related
    # the integration's timeout is shown where it is written: in the definition file
    assert related.location.path.endswith("api/openapi.yaml") and related.location.line == 9


def test_an_aws_include_file_is_read(tmp_path):
    root = git_repository(tmp_path / "repo")
    include = "      DefinitionBody:\n        Fn::Transform:\n          Name: AWS::Include\n          Parameters:\n            Location: ./api.yaml\n"
    api = "swagger: '2.0'\npaths:\n  /report:\n    post:\n      x-amazon-apigateway-integration:\n" + proxy(indent="        ")
    write_project(root, {"template.yaml": sam(api_properties=include), "api.yaml": api})
    template = load_template(root / "template.yaml", path="template.yaml")
    (trigger,) = template.functions["Report"].triggers
    assert isinstance(trigger, ApiIntegration) and trigger.document == "api.yaml"
    assert trigger.location().path == "api.yaml" and trigger.location().line == 5
    assert list(template.included_texts) == ["api.yaml"]


@pytest.mark.parametrize("location", ["../outside/api.yaml", "link/api.yaml", "s3://bucket/api.yaml", "/etc/passwd"])
def test_a_definition_outside_the_repository_is_never_read(tmp_path, location):
    root = git_repository(tmp_path / "repo")
    api = "openapi: '3.0.1'\npaths:\n  /report:\n    get:\n      x-amazon-apigateway-integration:\n" + proxy(indent="        ")
    write_project(tmp_path / "outside", {"api.yaml": api})
    os.symlink(tmp_path / "outside", root / "link")
    write_project(root, {"template.yaml": sam(api_properties=f"      DefinitionUri: {location}\n")})
    template = load_template(root / "template.yaml", path="template.yaml")
    assert template.functions["Report"].triggers == [] and template.included_texts == {}


def test_a_definition_file_that_does_not_load_links_nothing(tmp_path):
    root = git_repository(tmp_path / "repo")
    write_project(root, {"template.yaml": sam(api_properties="      DefinitionUri: api.yaml\n"), "api.yaml": "paths: [unclosed\n"})
    result = run_engine([root], select=["LK602"])
    assert lk(result, "LK602") == []


def test_other_integrations_and_other_functions_link_nothing(tmp_path):
    integrations = (
        "                type: http_proxy\n                uri: https://example.com/\n"
    )
    write_project(tmp_path, {"template.yaml": sam(api_properties=inline_body(integrations))})
    template = load_template(tmp_path / "template.yaml", path="template.yaml")
    assert template.functions["Report"].triggers == []


def test_a_uri_naming_the_function_by_its_sub_name(tmp_path):
    """`.../functions/arn:aws:lambda:...:function:${AWS::StackName}-Report:live/invocations`
    names the function whose FunctionName is that same `!Sub`."""
    uri = (
        "!Sub 'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:${AWS::StackName}-Report:live/invocations'"
    )
    text = sam(api_properties=inline_body(f"                type: aws_proxy\n                uri: {uri}\n"))
    text = text.replace("      MemorySize: 256\n", "      FunctionName: !Sub '${AWS::StackName}-Report'\n")
    write_project(tmp_path, {"template.yaml": text})
    template = load_template(tmp_path / "template.yaml", path="template.yaml")
    assert [t.kind for t in template.functions["Report"].triggers] == ["api"]


def test_streaming_is_seen_in_openapi(tmp_path):
    streaming_uri = URI.replace("2015-03-31", "2021-11-15").replace("/invocations", "/response-streaming-invocations")
    for integration in (proxy("responseTransferMode: STREAM"), f"                type: aws_proxy\n                uri: {streaming_uri}\n"):
        write_project(tmp_path, {"template.yaml": sam(api_properties=inline_body(integration))})
        template = load_template(tmp_path / "template.yaml", path="template.yaml")
        (trigger,) = template.functions["Report"].triggers
        assert trigger.streams_response
        assert lk(run_engine([tmp_path], select=["LK602"]), "LK602") == []


# -- asynchronous REST integrations -----------------------------------------------------------

ASYNC_METHOD = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Report:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Code: src/
      Role: arn:aws:iam::123456789012:role/report
      Timeout: 120
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: reports
  Post:
    Type: AWS::ApiGateway::Method
    Properties:
      RestApiId: !Ref Api
      ResourceId: !GetAtt Api.RootResourceId
      HttpMethod: POST
      AuthorizationType: NONE
      Integration:
        Type: {type}
        IntegrationHttpMethod: POST
        Uri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Report.Arn}}/invocations
        RequestParameters:
          integration.request.header.X-Amz-Invocation-Type: "{value}"
"""


def test_a_cloudformation_method_with_the_event_header_invokes_asynchronously(tmp_path):
    write_project(tmp_path, {"template.yaml": ASYNC_METHOD.format(type="AWS", value="'Event'")})
    result = run_engine([tmp_path], select=["LK401", "LK602"])
    assert lk(result, "LK602") == []  # API Gateway answers at once: its 29 s do not bound the function
    (finding,) = lk(result, "LK401")
    assert (Path(finding.path).name, finding.line) == ("template.yaml", 3)
    assert finding.message.startswith(
        "Report is invoked asynchronously (REST API with X-Amz-Invocation-Type 'Event') but has no dead-letter queue"
    )


@pytest.mark.parametrize(
    ("type_", "value"),
    [("AWS_PROXY", "'Event'"), ("AWS", "method.request.header.InvocationType"), ("AWS", "'RequestResponse'")],
)
def test_near_misses_of_the_event_header_stay_synchronous(tmp_path, type_, value):
    write_project(tmp_path, {"template.yaml": ASYNC_METHOD.format(type=type_, value=value)})
    template = load_template(tmp_path / "template.yaml", path="template.yaml")
    assert [(t.kind, t.invocation) for t in template.functions["Report"].triggers] == [("api", SYNC)]
    result = run_engine([tmp_path], select=["LK401", "LK602"])
    assert lk(result, "LK401") == []
    assert [f.line for f in lk(result, "LK602")] == [10]


def test_an_openapi_json_definition_with_the_event_header(tmp_path):
    integration = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": {"Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Report.Arn}:live/invocations"},
        "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
    }
    template = {
        "Transform": "AWS::Serverless-2016-10-31",
        "Resources": {
            "Report": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"CodeUri": "src/", "Handler": "app.handler", "Runtime": "python3.12", "Timeout": 120},
            },
            "Api": {
                "Type": "AWS::Serverless::Api",
                "Properties": {"StageName": "prod", "DefinitionBody": {"openapi": "3.0.1", "paths": {"/jobs": {"post": {"x-amazon-apigateway-integration": integration}}}}},
            },
        },
    }
    (tmp_path / "template.json").write_text(json.dumps(template, indent=2))
    loaded = load_template(tmp_path / "template.json", path="template.json")
    (trigger,) = loaded.functions["Report"].triggers
    assert (trigger.kind, trigger.invocation, trigger.describe) == (
        "api-async", ASYNC, "REST API with X-Amz-Invocation-Type 'Event' Api POST /jobs"
    )
    result = run_engine([tmp_path], select=["LK401", "LK602"])
    assert lk(result, "LK602") == []
    (finding,) = lk(result, "LK401")
    assert finding.line == 4 and "invoked asynchronously (REST API with X-Amz-Invocation-Type 'Event')" in finding.message


# -- LK602: who waits, and by how much --------------------------------------------------------

API_EVENT = "        Get:\n          Type: Api\n          Properties:\n            Path: /report\n            Method: get\n"


def run_with_options(root: Path, options: dict):
    rules = registry()
    config = Config(path=None, root=root, rule_options={"LK602": options})
    return check([root], registry=rules, config=config, enabled={"LK602"})


def test_an_overrun_of_a_second_is_info_and_the_margin_is_an_option(tmp_path):
    write_project(tmp_path, {"template.yaml": sam(timeout=30, events=API_EVENT)})
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    assert (finding.line, finding.severity) == (10, Severity.INFO)
    assert finding.message == (
        "Report Timeout 30 s is 1 s longer than the REST API integration's 29 s (Report event Get): only a call "
        "that runs past 29 s is affected, and then callers get a 504 while the function keeps running, and a caller "
        "that retries runs it again; set Timeout to 29 s to match"
    )
    (strict,) = lk(run_with_options(tmp_path, {"margin": 0}), "LK602")
    assert strict.severity is Severity.WARNING and "set Timeout to 29 s or less" in strict.message
    write_project(tmp_path, {"template.yaml": sam(timeout=35, events=API_EVENT)})
    (generous,) = lk(run_with_options(tmp_path, {"margin": 10}), "LK602")
    assert generous.severity is Severity.INFO


def test_a_real_overrun_is_a_warning(tmp_path):
    write_project(tmp_path, {"template.yaml": sam(timeout=60, events=API_EVENT)})
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    assert (finding.line, finding.severity) == (10, Severity.WARNING)
    assert finding.message == (
        "Report Timeout 60 s is longer than the REST API integration's 29 s (Report event Get): callers get a 504 "
        "while the function keeps running, and a caller that retries runs it again; set Timeout to 29 s or less and "
        "move slow work behind a queue, or raise the integration's TimeoutInMillis (Regional and private REST APIs)"
    )


SOCKET = """
AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Chat:
    Type: AWS::Lambda::Function
    Properties:
      Handler: app.handler
      Runtime: python3.12
      Code: src/
      Role: arn:aws:iam::123456789012:role/chat
      Timeout: {timeout}
  Socket:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: chat
      ProtocolType: WEBSOCKET
      RouteSelectionExpression: $request.body.action
  Integration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Socket
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub arn:aws:apigateway:${{AWS::Region}}:lambda:path/2015-03-31/functions/${{Chat.Arn}}/invocations
{integration_extra}  Route:
    Type: AWS::ApiGatewayV2::Route
    Properties:
      ApiId: !Ref Socket
      RouteKey: {route_key}
      Target: !Join [/, [integrations, !Ref Integration]]
{extra}"""
ROUTE_RESPONSE = """  RouteResponse:
    Type: AWS::ApiGatewayV2::RouteResponse
    Properties:
      ApiId: !Ref Socket
      RouteId: !Ref Route
      RouteResponseKey: $default
"""


def socket(timeout=60, route_key="send", extra="", integration_extra=""):
    return SOCKET.format(timeout=timeout, route_key=route_key, extra=extra, integration_extra=integration_extra)


def test_a_one_way_websocket_route_is_info_without_the_504_reasoning(tmp_path):
    write_project(tmp_path, {"template.yaml": socket()})
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    assert (finding.line, finding.severity) == (10, Severity.INFO)
    assert finding.message == (
        "Chat Timeout 60 s is longer than the WebSocket API integration's 29 s (WebSocket API Integration), but the "
        "route has no route response: no client waits for the answer, so there is no 504 and no retry; API Gateway "
        "just stops waiting at 29 s (a connected client may get an 'Endpoint request timed out' message)"
    )
    assert "retries" not in finding.message


def test_a_one_way_route_that_overruns_by_a_second_is_not_reported(tmp_path):
    write_project(tmp_path, {"template.yaml": socket(timeout=30)})
    assert lk(run_engine([tmp_path], select=["LK602"]), "LK602") == []


@pytest.mark.parametrize(
    ("route_key", "extra", "consequence"),
    [
        ("$connect", "", "the connection attempt fails while the function keeps running, and a client that reconnects runs it again"),
        ("send", ROUTE_RESPONSE, "the client gets no answer while the function keeps running, and a client that resends runs it again"),
    ],
)
def test_websocket_routes_a_client_waits_for_are_warnings(tmp_path, route_key, extra, consequence):
    write_project(tmp_path, {"template.yaml": socket(route_key=route_key, extra=extra)})
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    assert (finding.line, finding.severity) == (10, Severity.WARNING)
    assert finding.message == (
        f"Chat Timeout 60 s is longer than the WebSocket API integration's 29 s (WebSocket API Integration): "
        f"{consequence}; set Timeout to 29 s or less and move slow work behind a queue"
    )


def test_a_websocket_integration_timeout_is_used(tmp_path):
    write_project(tmp_path, {"template.yaml": socket(timeout=20, route_key="$connect", integration_extra="      TimeoutInMillis: 10000\n")})
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    assert "integration's 10 s" in finding.message and finding.severity is Severity.WARNING
    assert finding.related[0].location.line == 23


def test_a_function_that_also_serves_a_one_way_route_is_info(tmp_path):
    """The same function behind `$connect` and a one-way route: its long timeout is likely for the
    one-way work, so the `$connect` overrun is info."""
    second = (
        "  SendIntegration:\n    Type: AWS::ApiGatewayV2::Integration\n    Properties:\n      ApiId: !Ref Socket\n"
        "      IntegrationType: AWS_PROXY\n"
        "      IntegrationUri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Chat.Arn}/invocations\n"
        "  SendRoute:\n    Type: AWS::ApiGatewayV2::Route\n    Properties:\n      ApiId: !Ref Socket\n"
        "      RouteKey: send\n      Target: !Sub integrations/${SendIntegration}\n"
    )
    write_project(tmp_path, {"template.yaml": socket(timeout=300, route_key="$connect", extra=second)})
    (finding,) = lk(run_engine([tmp_path], select=["LK602"]), "LK602")
    assert finding.severity is Severity.INFO
    assert "(WebSocket API Integration): the connection attempt fails" in finding.message
    assert finding.message.endswith(
        "the function also serves a one-way WebSocket route, which may be what the long timeout is for, so keep the "
        "work of this route under 29 s"
    )
