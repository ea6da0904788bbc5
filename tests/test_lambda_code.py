"""The Lambda code model: code rules report on code that runs in Lambda (handlers, what they
import, what frameworks dispatch to), never on tests, vendored packages, build output or code
no handler reaches; `--all-code` and `lambda-code` change that; `--show-files` explains it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, run_engine, write_project
from helpers import invoke

from lintkit.cache import Cache
from lintkit.config import Config
from lintkit.engine import check
from lintkit.python.lambda_code import Role
from lintkit.rule import CodeRule, registry

PROJECT = FIXTURES / "projects" / "lambda-code"
CODE_RULES = sorted(r.code for r in registry() if issubclass(r, CodeRule))


def code_hits(result, root: Path) -> list[tuple[str, str, int]]:
    return sorted(
        (Path(f.path).resolve().relative_to(root.resolve()).as_posix(), f.code, f.line)
        for f in result.findings
        if f.code in CODE_RULES
    )


def roles(result, root: Path) -> dict[str, Role]:
    return {
        path.relative_to(root.resolve()).as_posix(): info.role
        for path, info in result.project.lambda_code.files.items()
    }


# -- the fixture project: a Powertools API with a helper module, a batch handler, tests, a layer


def test_code_rules_report_on_lambda_code_only():
    result = run_engine([PROJECT])
    assert not result.internal_errors
    assert code_hits(result, PROJECT) == [
        # a Powertools route: the handler only calls app.resolve(), the route runs
        ("src/api.py", "LK201", 17),
        ("src/api.py", "LK304", 16),
        # a batch record handler, handed to process_partial_response (no LK103: SQS retries it)
        ("src/batch.py", "LK605", 8),
        # a helper in another module of the code folder, imported by the API handler: its
        # caller waits (LK103), and its template is known across the import
        ("src/lib/notify.py", "LK103", 7),
        ("src/lib/notify.py", "LK605", 7),
    ]
    messages = {(Path(f.path).name, f.code): f.message for f in result.findings}
    assert messages[("api.py", "LK304")].startswith("boto3 client created on every invocation")
    assert messages[("notify.py", "LK605")].startswith("`requests.post(...)` has no timeout")


def test_every_python_file_has_its_role():
    result = run_engine([PROJECT])
    assert roles(result, PROJECT) == {
        "src/api.py": Role.ENTRY,
        "src/batch.py": Role.ENTRY,
        "src/lib/__init__.py": Role.REACHED,
        "src/lib/notify.py": Role.REACHED,
        "src/lib/unused.py": Role.UNREACHED,
        "scripts/seed.py": Role.UNREACHED,
        "tests/conftest.py": Role.TEST,
        "tests/test_api.py": Role.TEST,
        "layers/deps/python/requests/__init__.py": Role.VENDORED,
        "layers/deps/python/requests/api.py": Role.VENDORED,
    }


def test_all_code_reports_everywhere(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    rules = registry()
    config = Config(path=None, root=root, all_code=True)
    result = check([root], registry=rules, config=config, enabled=set(rules.codes))
    hits = code_hits(result, root)
    files = {path for path, _, _ in hits}
    # the same code in a test file, the script and the unused helper are reported with --all-code
    assert ("tests/test_api.py", "LK201", 9) in hits
    assert ("tests/test_api.py", "LK304", 8) in hits
    assert ("scripts/seed.py", "LK605", 4) in hits
    assert ("src/lib/unused.py", "LK605", 5) in hits
    assert {"src/api.py", "src/batch.py", "src/lib/notify.py"} <= files


def test_show_files_prints_each_role_and_why(monkeypatch):
    monkeypatch.chdir(PROJECT.parents[2])
    run = invoke("check", "--show-files", "--no-cache", "fixtures/projects/lambda-code")
    assert run.exit_code == 0, run.stderr
    lines = run.stdout.splitlines()
    shown = {line.split(": ", 1)[0].rsplit("lambda-code/", 1)[-1]: line.split(": ", 1)[1] for line in lines if not line.startswith(" ")}
    assert shown["src/api.py"].startswith("entry point: handler of ApiFunction (")
    assert shown["src/lib/notify.py"] == "reached: imported by fixtures/projects/lambda-code/src/api.py"
    assert shown["tests/test_api.py"] == "test: by its location"
    assert shown["layers/deps/python/requests/api.py"] == "vendored: by its location"
    assert shown["scripts/seed.py"] == "not reached"
    # where the reach ends
    assert "    imports not followed (not in the checked files): requests" in lines


def test_all_code_option_on_the_command_line():
    run = invoke("check", "--all-code", "--no-cache", "--select", "LK201", str(PROJECT))
    assert sorted((Path(p).name, line, code) for p, line, _, code in run.findings) == [
        ("api.py", 17, "LK201"),
        ("test_api.py", 9, "LK201"),
    ]


def test_a_warm_run_builds_the_model_from_the_cache(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    rules = registry()

    def run(cache):
        result = check([root], registry=rules, config=Config(path=None, root=root), enabled=set(rules.codes), cache=cache)
        return code_hits(result, root), roles(result, root), result

    cold = run(None)
    cache = Cache(root.resolve(), {"enabled": sorted(rules.codes)})
    first = run(cache)
    warm = run(Cache(root.resolve(), {"enabled": sorted(rules.codes)}))
    assert cold[:2] == first[:2] == warm[:2]
    assert warm[2].project.modules == {}  # nothing parsed: summaries and results came from the cache
    # an edit that makes the unused helper reached is seen on the next run
    (root / "src" / "batch.py").write_text((root / "src" / "batch.py").read_text() + "\nfrom lib.unused import fetch_report\n")
    edited = run(Cache(root.resolve(), {"enabled": sorted(rules.codes)}))
    assert edited[1]["src/lib/unused.py"] is Role.REACHED
    assert ("src/lib/unused.py", "LK605", 5) in edited[0]


# -- roles by location -------------------------------------------------------------------------

def sam_function(handler: str, code_uri: str = "src/", extra: str = "") -> str:
    """A SAM template with one Python function (`extra`: more lines under Properties, 6 spaces in)."""
    return (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Resources:\n"
        "  Fn:\n"
        "    Type: AWS::Serverless::Function\n"
        "    Properties:\n"
        f"      CodeUri: {code_uri}\n"
        f"      Handler: {handler}\n"
        "      Runtime: python3.12\n" + extra
    )


REQUESTS_CALL = "import requests\n\ndef handler(event, context):\n    return requests.get(event['url']).json()\n"


@pytest.mark.parametrize(
    "path",
    [
        "tests/unit/test_app.py",
        "tests/helpers.py",
        "test/app.py",
        "src/test_app.py",
        "src/app_test.py",
        "conftest.py",
        "python/lib/python3.12/site-packages/pkg/app.py",
        ".aws-sam/build/Fn/app.py",
        "node_modules/pkg/app.py",
    ],
)
def test_handler_shaped_functions_outside_lambda_code_are_not_checked(tmp_path, path):
    write_project(tmp_path, {path: REQUESTS_CALL})
    result = run_engine([tmp_path])
    assert [f for f in result.findings if f.code in CODE_RULES] == []


def test_a_lone_handler_is_an_entry_point(tmp_path):
    write_project(tmp_path, {"handler.py": REQUESTS_CALL})
    result = run_engine([tmp_path / "handler.py"])
    assert [(Path(f.path).name, f.code, f.line) for f in result.findings if f.code == "LK605"] == [("handler.py", "LK605", 4)]


def test_vendored_packages_are_found_by_their_distribution_metadata(tmp_path):
    write_project(
        tmp_path,
        {
            # a layer: a package beside its dist-info (by RECORD when there is no top_level.txt)
            "layer/python/s3transfer/manager.py": REQUESTS_CALL,
            "layer/python/s3transfer-0.7.0.dist-info/RECORD": "s3transfer/__init__.py,,\ns3transfer/manager.py,,\n",
            "layer/python/six.py": REQUESTS_CALL,
            "layer/python/six-1.16.0.dist-info/top_level.txt": "six\n",
            # the user's own module in the same folder is not vendored
            "layer/python/app.py": REQUESTS_CALL,
        },
    )
    result = run_engine([tmp_path])
    assert roles(result, tmp_path) == {
        "layer/python/s3transfer/manager.py": Role.VENDORED,
        "layer/python/six.py": Role.VENDORED,
        "layer/python/app.py": Role.ENTRY,
    }
    assert [(Path(f.path).name, f.line) for f in result.findings if f.code == "LK605"] == [("app.py", 4)]


# -- the reach across modules -------------------------------------------------------------------

HELPER_CALL = "import requests\n\ndef {name}(url):\n    return requests.get(url).json()\n"


@pytest.mark.parametrize(
    ("files", "reported"),
    [
        # from a package, by name
        ({"app.py": "from lib.http import fetch\n\ndef handler(event, context):\n    return fetch(event['u'])\n", "lib/__init__.py": "", "lib/http.py": HELPER_CALL.format(name="fetch")}, ["lib/http.py"]),
        # the module itself, with an alias
        ({"app.py": "import lib.http as h\n\ndef handler(event, context):\n    return h.fetch(event['u'])\n", "lib/http.py": HELPER_CALL.format(name="fetch")}, ["lib/http.py"]),
        # `from package import module`
        ({"app.py": "from lib import http\n\ndef handler(event, context):\n    return http.fetch(event['u'])\n", "lib/http.py": HELPER_CALL.format(name="fetch")}, ["lib/http.py"]),
        # a relative import inside a package, two levels away from the handler
        (
            {
                "pkg/__init__.py": "",
                "pkg/app.py": "from .service import run\n\ndef handler(event, context):\n    return run(event)\n",
                "pkg/service.py": "from ..shared.http import fetch\n\ndef run(event):\n    return fetch(event['u'])\n",
                "shared/__init__.py": "",
                "shared/http.py": HELPER_CALL.format(name="fetch"),
            },
            ["shared/http.py"],
        ),
        # a star import
        ({"app.py": "from helpers import *\n\ndef handler(event, context):\n    return fetch(event['u'])\n", "helpers.py": HELPER_CALL.format(name="fetch")}, ["helpers.py"]),
        # only the imported name is on the handler path: the other function of the module is not
        (
            {
                "app.py": "from helpers import fetch\n\ndef handler(event, context):\n    return fetch(event['u'])\n",
                "helpers.py": HELPER_CALL.format(name="fetch") + "\n\ndef admin(url):\n    import boto3\n    return boto3.client('iam').list_users()\n",
            },
            ["helpers.py"],
        ),
    ],
)
def test_imports_are_followed(tmp_path, files, reported):
    write_project(tmp_path, files)
    result = run_engine([tmp_path], select=["LK605", "LK304"])
    assert sorted(Path(f.path).relative_to(tmp_path).as_posix() for f in result.findings) == reported


def test_import_cycles_end(tmp_path):
    write_project(
        tmp_path,
        {
            "app.py": "import a\n\ndef handler(event, context):\n    return a.run(event)\n",
            "a.py": "import b\n\ndef run(event):\n    return b.run(event)\n",
            "b.py": "import a\nimport requests\n\ndef run(event):\n    return requests.get(event['u'])\n",
        },
    )
    result = run_engine([tmp_path], select=["LK605"])
    assert not result.internal_errors
    assert roles(result, tmp_path) == {"app.py": Role.ENTRY, "a.py": Role.REACHED, "b.py": Role.REACHED}
    assert [(Path(f.path).name, f.line) for f in result.findings] == [("b.py", 5)]


def test_a_function_code_folder_is_where_imports_start(tmp_path):
    """The template's CodeUri is the code root: `from common import x` finds src/common.py from
    src/handlers/orders.py (Lambda puts the code folder on sys.path)."""
    write_project(
        tmp_path,
        {
            "template.yaml": sam_function("handlers/orders.handler"),
            "src/handlers/orders.py": "from common.http import fetch\n\ndef handler(event, context):\n    return fetch(event['u'])\n",
            "src/common/http.py": HELPER_CALL.format(name="fetch"),
        },
    )
    result = run_engine([tmp_path], select=["LK605"])
    assert [(Path(f.path).relative_to(tmp_path).as_posix(), f.line) for f in result.findings] == [("src/common/http.py", 4)]
    assert roles(result, tmp_path)["src/common/http.py"] is Role.REACHED


def test_dynamic_and_missing_imports_end_the_reach(tmp_path):
    write_project(
        tmp_path,
        {
            "app.py": (
                "import importlib\nfrom .missing import thing\n\n"
                "def handler(event, context):\n    return importlib.import_module(event['m']).run()\n"
            ),
            "plugins/run.py": HELPER_CALL.format(name="run"),
        },
    )
    result = run_engine([tmp_path])
    assert not result.internal_errors
    model = result.project.lambda_code
    app = model.info((tmp_path / "app.py").resolve())
    assert app.outside == [".missing"]
    assert app.dynamic_imports
    assert model.info((tmp_path / "plugins" / "run.py").resolve()).role is Role.UNREACHED
    shown = invoke("check", "--show-files", "--no-cache", str(tmp_path)).stdout.splitlines()
    assert shown[shown.index(next(line for line in shown if line.endswith("app.py: entry point: handler-shaped function handler(), no template links it"))) + 1 :][:2] == [
        "    imports not followed (not in the checked files): .missing",
        "    imports through importlib are not followed",
    ]


# -- frameworks --------------------------------------------------------------------------------

PER_INVOCATION_CLIENT = "boto3.client('s3').list_buckets()"


HANDLERS = {"chalice": "app.app", "mangum-fastapi": "main.handler", "bedrock-agent": "app.lambda_handler"}


@pytest.mark.parametrize(
    "files",
    [
        # Chalice: the handler is the app object; its routes and event handlers run
        {
            "app.py": f"""
                import boto3
                from chalice import Chalice

                app = Chalice(app_name="orders")

                @app.on_sqs_message(queue="jobs")
                def on_job(event):
                    return {PER_INVOCATION_CLIENT}
                """,
        },
        # FastAPI behind Mangum, the routes in another module
        {
            "main.py": """
                from mangum import Mangum
                from routes import app

                handler = Mangum(app)
                """,
            "routes.py": f"""
                import boto3
                from fastapi import FastAPI

                app = FastAPI()

                @app.get("/buckets")
                def buckets():
                    return {PER_INVOCATION_CLIENT}
                """,
        },
        # a Powertools batch decorator names the record handler
        {
            "app.py": f"""
                import boto3
                from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, batch_processor

                processor = BatchProcessor(event_type=EventType.SQS)

                def record_handler(record):
                    return {PER_INVOCATION_CLIENT}

                @batch_processor(record_handler=record_handler, processor=processor)
                def handler(event, context):
                    return processor.response()
                """,
        },
        # a middleware factory wraps the handler
        {
            "app.py": f"""
                import boto3
                from aws_lambda_powertools.middleware_factory import lambda_handler_decorator

                @lambda_handler_decorator
                def audit(handler, event, context):
                    {PER_INVOCATION_CLIENT}
                    return handler(event, context)

                @audit
                def handler(event, context):
                    return {{"ok": True}}
                """,
        },
        # a Bedrock agent tool
        {
            "app.py": f"""
                import boto3
                from aws_lambda_powertools.event_handler import BedrockAgentResolver

                app = BedrockAgentResolver()

                @app.tool(description="lists the buckets")
                def list_buckets():
                    return {PER_INVOCATION_CLIENT}

                def lambda_handler(event, context):
                    return app.resolve(event, context)
                """,
        },
    ],
    ids=["chalice", "mangum-fastapi", "batch-decorator", "middleware", "bedrock-agent"],
)
def test_framework_dispatch_is_on_the_handler_path(tmp_path, request, files):
    handler = HANDLERS.get(request.node.callspec.id, "app.handler")
    write_project(tmp_path, {**files, "template.yaml": sam_function(handler, code_uri=".")})
    result = run_engine([tmp_path], select=["LK304"])
    assert [f.message.split(":")[0] for f in result.findings] == ["boto3 client created on every invocation"]
    # the same code in a test file is not reported
    test_dir = tmp_path / "tests"
    test_dir.mkdir()
    for name, text in files.items():
        (test_dir / f"test_{name}").write_text((tmp_path / name).read_text())
    again = run_engine([tmp_path], select=["LK304"])
    assert [Path(f.path).parent.name for f in again.findings] == [tmp_path.name]


def test_lambda_code_globs_declare_entry_points(tmp_path):
    """For projects whose deployment lintkit cannot read yet: `lambda-code` globs."""
    write_project(tmp_path, {"functions/worker/main.py": HELPER_CALL.format(name="work"), "scripts/tool.py": HELPER_CALL.format(name="tool")})
    silent = run_engine([tmp_path], select=["LK605"])
    assert silent.findings == []
    declared = run_engine([tmp_path], select=["LK605"], lambda_code=["functions/**/*.py"])
    assert [(Path(f.path).relative_to(tmp_path).as_posix(), f.line) for f in declared.findings] == [("functions/worker/main.py", 4)]
    assert declared.project.lambda_code.info((tmp_path / "functions/worker/main.py").resolve()).why == "matches lambda-code 'functions/**/*.py'"


def test_a_helper_module_knows_the_functions_whose_handlers_import_it(tmp_path):
    """Joins cross the import: the helper's HTTP call runs behind the SQS trigger (which retries
    a failed batch), so LK103 is silent there, and behind the API (whose caller waits) it speaks."""
    sqs = "      Events:\n        Jobs:\n          Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:eu-west-1:123456789012:jobs\n"
    api = "      Events:\n        Get:\n          Type: Api\n          Properties:\n            Path: /x\n            Method: get\n"
    files = {
        "template.yaml": sam_function("worker.handler", extra=sqs),
        "src/worker.py": "from shared.http import fetch\n\ndef handler(event, context):\n    return fetch(event['u'])\n",
        "src/shared/http.py": "import requests\n\ndef fetch(url):\n    return requests.get(url, timeout=5).json()\n",
    }
    write_project(tmp_path, files)
    behind_sqs = run_engine([tmp_path], select=["LK103"])
    assert behind_sqs.findings == []
    assert roles(behind_sqs, tmp_path)["src/shared/http.py"] is Role.REACHED
    [function] = behind_sqs.project.lambda_code.info((tmp_path / "src/shared/http.py").resolve()).functions
    assert [t.label for t in function.triggers] == ["SQS"]
    write_project(tmp_path, {"template.yaml": sam_function("worker.handler", extra=api)})
    found = run_engine([tmp_path], select=["LK103"]).findings
    assert [(Path(f.path).name, f.line) for f in found] == [("http.py", 4)]
    assert "the REST API caller gets the error" in found[0].message


def test_a_test_file_given_on_its_own_is_still_a_test(tmp_path):
    """pre-commit passes changed files one by one: `tests/helpers.py` is read below the work tree."""
    (tmp_path / ".git").mkdir()
    write_project(tmp_path, {"tests/helpers.py": REQUESTS_CALL, "src/handler.py": REQUESTS_CALL})
    result = run_engine([tmp_path / "tests" / "helpers.py", tmp_path / "src" / "handler.py"])
    assert roles(result, tmp_path) == {"tests/helpers.py": Role.TEST, "src/handler.py": Role.ENTRY}
    assert [(Path(f.path).name, f.line) for f in result.findings if f.code == "LK605"] == [("handler.py", 4)]


def test_layers_of_the_function_are_searched(tmp_path):
    """A layer's `python/` folder is on the function's sys.path: `from layer import x` reaches it."""
    write_project(
        tmp_path,
        {
            "template.yaml": """
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  CommonLayer:
                    Type: AWS::Serverless::LayerVersion
                    Properties:
                      ContentUri: layers/common
                  Api:
                    Type: AWS::Serverless::Function
                    Properties:
                      CodeUri: src/
                      Handler: app.handler
                      Runtime: python3.12
                      Layers:
                        - !Ref CommonLayer
                """,
            "src/app.py": "from common_http import fetch\n\ndef handler(event, context):\n    return fetch(event['u'])\n",
            "layers/common/python/common_http.py": HELPER_CALL.format(name="fetch"),
            "layers/other/python/common_http.py": HELPER_CALL.format(name="fetch"),
        },
    )
    result = run_engine([tmp_path], select=["LK605"])
    assert [(Path(f.path).relative_to(tmp_path).as_posix(), f.line) for f in result.findings] == [("layers/common/python/common_http.py", 4)]
    assert roles(result, tmp_path)["layers/other/python/common_http.py"] is Role.UNREACHED


def test_a_changed_helper_two_imports_away_is_reached_in_a_run_of_some_files(tmp_path, monkeypatch):
    """pre-commit passes only the changed helper: the handler (linked by the template found above
    it) and the module between them are read from disk to carry the reach, never reported."""
    (tmp_path / ".git").mkdir()
    write_project(
        tmp_path,
        {
            "template.yaml": sam_function("app.handler"),
            "src/app.py": "from service import run\n\ndef handler(event, context):\n    return run(event)\n",
            "src/service.py": "import requests\nfrom lib.http import fetch\n\ndef run(event):\n    requests.get(event['x'])\n    return fetch(event['u'])\n",
            "src/lib/__init__.py": "",
            "src/lib/http.py": HELPER_CALL.format(name="fetch"),
        },
    )
    monkeypatch.chdir(tmp_path)
    run = invoke("check", "--no-cache", "--select", "LK605", "src/lib/http.py")
    assert run.pairs == [("src/lib/http.py", 4, "LK605")]  # not service.py's own finding: it was not given
    shown = invoke("check", "--no-cache", "--show-files", "src/lib/http.py").stdout
    assert "src/lib/http.py: reached: imported by src/service.py" in shown


def test_code_under_a_main_guard_is_not_lambda_code(tmp_path):
    """A handler module that doubles as a script: its `__main__` block never runs in Lambda."""
    write_project(
        tmp_path,
        {
            "app.py": """
                import boto3
                import requests

                def handler(event, context):
                    return requests.get(event["url"]).json()

                if __name__ == "__main__":
                    for url in ["https://example.com/a", "https://example.com/b"]:
                        print(requests.get(url).status_code, boto3.client("s3").list_buckets())
                """,
        },
    )
    result = run_engine([tmp_path], select=["LK605", "LK304"])
    assert [(f.code, f.line) for f in result.findings] == [("LK605", 5)]
