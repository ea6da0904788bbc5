"""LK002 and handlers that are not a Python `module.function` (start scripts behind the Lambda
Web Adapter, InlineCode beside CodeUri, images, OS-only runtimes)."""

from __future__ import annotations

import json

SAM = """\
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
  WebApp:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: app/
      Handler: run.sh
{extra}"""
WEB_ADAPTER = """\
      Layers:
        - !Sub arn:aws:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerX86:25
      Environment:
        Variables:
          AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap
          PORT: "8000"
"""
FILES = {"app/run.sh": "#!/bin/bash\nexec python -m uvicorn main:app --port $PORT\n", "app/main.py": "app = object()\n"}


def found(result):
    return [(f.code, f.path.rsplit("/", 1)[-1], f.line, f.message) for f in result.findings]


def test_a_start_script_behind_the_web_adapter_is_not_a_missing_handler(project):
    assert found(project({**FILES, "template.yaml": SAM.format(extra=WEB_ADAPTER)}, select=["LK002"])) == []


def test_a_script_handler_without_a_wrapper_is_quoted_as_a_file_name(project):
    assert found(project({**FILES, "template.yaml": SAM.format(extra="")}, select=["LK002"])) == [
        (
            "LK002",
            "template.yaml",
            10,
            "WebApp: Handler 'run.sh' is a file name, not 'module.function' (the Python runtime would import a "
            "module 'run' and call its 'sh'); name the handler function (e.g. 'run.handler'), or, if it is a start "
            "script, run it through AWS_LAMBDA_EXEC_WRAPPER (the Lambda Web Adapter)",
        )
    ]


def test_an_exec_wrapper_keeps_a_python_handler_linked(project):
    # OpenTelemetry's wrapper runs a normal Python handler: it is still linked and checked
    extra = "      Environment:\n        Variables:\n          AWS_LAMBDA_EXEC_WRAPPER: /opt/otel-instrument\n"
    template = SAM.format(extra=extra).replace("Handler: run.sh", "Handler: main.handler")
    result = project({**FILES, "template.yaml": template}, select=["LK002"])
    assert found(result) == []
    (link,) = result.project.links.values()
    assert link.module_file is not None and link.module_file.name == "main.py"


def test_inline_code_wins_over_code_uri(project):
    template = SAM.format(extra="      InlineCode: |\n        def handler(event, context): pass\n").replace("run.sh", "index.handler")
    result = project({**FILES, "template.yaml": template}, select=["LK002"])
    assert found(result) == [] and result.project.links == {}


def test_images_and_os_only_runtimes_have_no_python_handler_cfn_json(project):
    template = {
        "Resources": {
            "Image": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"PackageType": "Image", "Code": {"ImageUri": "1.dkr.ecr/app:1"}, "Role": "r"},
            },
            "Bootstrap": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Runtime": "provided.al2023", "Handler": "run.sh", "Code": "app/", "Role": "r"},
            },
            "Python": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Runtime": "python3.12", "Handler": "run.sh", "Code": "app/", "Role": "r"},
            },
        }
    }
    result = project({**FILES, "template.json": json.dumps(template, indent=2)}, select=["LK002"])
    assert [(code, file, line) for code, file, line, _ in found(result)] == [("LK002", "template.json", 26)]
    assert found(result)[0][3].startswith("Python: Handler 'run.sh' is a file name")
