"""Serverless Framework services (`serverless.yml`) in the template model: the fixtures under
`fixtures/serverless/` (every event the loader reads, configured wrong in `bad/` and right in
`good/`), the translation's details (names, variables, defaults) and odd input."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import hits, run_engine, write_project

from lintkit.discovery import FileKind, classify
from lintkit.templates.model import EventSourceMapping, Invocation
from lintkit.templates.serverless import function_logical_id, serverless_template

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "serverless"


def _template(text: str, folder: Path = Path("/tmp/service")):
    from conftest import example_text

    return serverless_template(example_text(text), path="serverless.yml", abs_path=folder / "serverless.yml")


# -- the fixtures ------------------------------------------------------------------------------


def test_bad_service_reports_every_rule_at_its_line_in_serverless_yml():
    result = run_engine([FIXTURES / "bad"])
    assert not result.internal_errors
    assert hits(result) == [
        ("serverless.yml", "LK602", 19),  # api: timeout 40 behind REST (http, 29 s)
        ("serverless.yml", "LK602", 24),  # httpApi: timeout 31 behind an HTTP API (30 s)
        ("serverless.yml", "LK602", 29),  # socket: timeout 40 behind a one-way WebSocket route (info)
        ("serverless.yml", "LK407", 35),  # jobs: onError on a function only SQS invokes
        ("serverless.yml", "LK502", 37),  # jobs: returns batchItemFailures, no functionResponseType
        ("serverless.yml", "LK508", 39),  # jobs: batchSize 25 (${self:custom.batchSize}) without maximumBatchingWindow
        ("serverless.yml", "LK403", 43),  # clicks: stream without destinations.onFailure
        ("serverless.yml", "LK501", 43),
        ("serverless.yml", "LK506", 43),
        ("serverless.yml", "LK401", 46),  # uploads: s3
        ("serverless.yml", "LK402", 52),  # alerts: maximumRetryAttempts 0, no destination
        ("serverless.yml", "LK406", 54),  # alerts: sns without redrivePolicy
        ("serverless.yml", "LK401", 55),  # nightly: schedule
        ("serverless.yml", "LK405", 58),
        ("serverless.yml", "LK401", 59),  # bus: eventBridge
        ("serverless.yml", "LK405", 62),
        ("serverless.yml", "LK401", 65),  # logs: cloudwatchLog
        ("serverless.yml", "LK401", 69),  # things: iot
        ("serverless.yml", "LK002", 85),  # report: src/missing.handler
        ("serverless.yml", "LK601", 88),  # batch: timeout 880
        ("serverless.yml", "LK404", 92),  # JobsQueue (raw resource) feeds jobs, no RedrivePolicy
        ("serverless.yml", "LK603", 92),  # ... and its 30 s default is under 6 x 10 s
        ("api.py", "LK201", 10),
        ("api.py", "LK204", 10),  # invokes WORKER_FUNCTION (!Ref WorkerLambdaFunction) with Event
        ("balancer.py", "LK701", 8),  # a whole S3 object returned to an ALB
    ]
    by_code = {(f.code, f.line): f for f in result.findings}
    assert by_code[("LK602", 19)].message.startswith("ApiLambdaFunction Timeout 40 s is longer than the REST API integration's 29 s")
    assert by_code[("LK602", 29)].message.startswith("SocketLambdaFunction Timeout 40 s is longer than the WebSocket API integration's 29 s")
    assert "JobsLambdaFunction's Timeout 10 s" in by_code[("LK603", 92)].message
    assert "Handler 'src/missing.handler' names module 'src/missing'" in by_code[("LK002", 85)].message
    assert by_code[("LK204", 10)].message.startswith("WorkerLambdaFunction, invoked here with InvocationType='Event'")
    assert by_code[("LK501", 43)].message.startswith("ClicksLambdaFunction event stream#1 delivers Kinesis batches of up to 100")
    assert all(f.path.endswith("serverless/bad/serverless.yml") for f in result.findings if f.path.endswith(".yml"))


def test_good_service_configures_every_event_right_and_stays_clean():
    result = run_engine([FIXTURES / "good"])
    assert not result.internal_errors
    assert hits(result) == []
    template = next(t for t in result.project.templates if t.path.endswith("serverless.yml"))
    kinds = sorted(t.kind for t in template.triggers)
    assert kinds == sorted(
        ["api", "http-api", "websocket", "sqs", "kinesis", "s3", "sns", "schedule", "eventbridge", "cloudwatch-logs", "iot", "alb"]
    )
    linked = {f.logical_id: link.module_file.name for f, link in result.project.links.items() if link.module_file}
    assert linked == {
        "ApiLambdaFunction": "api.py",
        "JobsLambdaFunction": "jobs.py",
        "ClicksLambdaFunction": "clicks.py",
        "EventsLambdaFunction": "events.py",
        "WorkerLambdaFunction": "worker.py",
        "BalancerLambdaFunction": "balancer.py",
    }


# -- translation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, logical_id",
    [("hello", "HelloLambdaFunction"), ("process-foo_status", "ProcessDashfooUnderscorestatusLambdaFunction"), ("Api", "ApiLambdaFunction")],
)
def test_function_logical_ids_follow_the_framework(name, logical_id):
    assert function_logical_id(name) == logical_id


def test_provider_defaults_merge_like_globals_and_the_function_wins():
    template = _template(
        """
        frameworkVersion: '3'
        provider:
          runtime: python3.12
          timeout: 20
          environment:
            SHARED: one
        functions:
          a:
            handler: app.handler
            environment:
              OWN: two
          b:
            handler: app.handler
            runtime: nodejs20.x
            timeout: 5
        """
    )
    a, b = template.functions["ALambdaFunction"], template.functions["BLambdaFunction"]
    assert (a.runtime, a.timeout, b.runtime, b.timeout) == ("python3.12", 20, "nodejs20.x", 5)
    assert dict(a.properties["Environment"]["Variables"]) == {"SHARED": "one", "OWN": "two"}
    assert a.location("Timeout").line == 4  # the provider's line, where the value comes from
    assert b.location("Timeout").line == 15


def test_default_timeout_is_6_s_for_v3_and_unknown_otherwise():
    v3 = _template("frameworkVersion: '^3.28.1'\nprovider:\n  runtime: python3.12\nfunctions:\n  a:\n    handler: app.handler\n")
    v4 = _template("frameworkVersion: '4'\nprovider:\n  runtime: python3.12\nfunctions:\n  a:\n    handler: app.handler\n")
    unpinned = _template("provider:\n  runtime: python3.12\nfunctions:\n  a:\n    handler: app.handler\n")
    assert v3.functions["ALambdaFunction"].timeout == 6
    assert v4.functions["ALambdaFunction"].timeout is None
    assert unpinned.functions["ALambdaFunction"].timeout is None


def test_no_runtime_is_the_frameworks_nodejs_default_and_is_not_linked(tmp_path):
    write_project(tmp_path, {"serverless.yml": "functions:\n  a:\n    handler: handler.hello\n", "handler.js": "//\n"})
    result = run_engine([tmp_path])
    assert result.project.templates[0].functions["ALambdaFunction"].is_python is False
    assert hits(result) == [] and result.project.links == {}


def test_self_variables_resolve_and_deploy_time_variables_stay_unknown():
    template = _template(
        """
        frameworkVersion: '3'
        custom:
          queue: jobs
          seconds: 45
          table: ${self:custom.missing, 'orders'}
        provider:
          runtime: python3.12
          stage: ${opt:stage, 'dev'}
        functions:
          a:
            handler: app.handler
            timeout: ${self:custom.seconds}
            name: ${self:service}-${self:provider.stage}-a
            environment:
              QUEUE: ${self:custom.queue}
              TABLE: ${self:custom.table}
              TOKEN: ${ssm:/token}
              HOME: ${env:HOME, 'x'}
              BUCKET: ${file(./config.yml):bucket}
              REGION: ${aws:region}
          b:
            handler: app.handler
            timeout: ${opt:timeout, 30}
        """
    )
    a, b = template.functions["ALambdaFunction"], template.functions["BLambdaFunction"]
    variables = a.properties["Environment"]["Variables"]
    assert a.timeout == 45 and b.timeout is None
    assert (variables["QUEUE"], variables["TABLE"]) == ("jobs", "orders")
    for key in ("TOKEN", "HOME", "BUCKET", "REGION"):
        assert set(variables[key]) == {"Fn::Sub"}, key  # an expression: never the fallback
    assert set(a.properties["FunctionName"]) == {"Fn::Sub"}  # the stage comes from the command line


def test_references_between_functions_and_raw_resources_resolve_both_ways():
    template = _template(
        """
        frameworkVersion: '3'
        provider:
          runtime: python3.12
        functions:
          worker:
            handler: app.handler
            events:
              - sqs:
                  arn:
                    Fn::GetAtt: [JobsQueue, Arn]
        resources:
          Resources:
            JobsQueue:
              Type: AWS::SQS::Queue
              Properties:
                VisibilityTimeout: 60
            Nightly:
              Type: AWS::Events::Rule
              Properties:
                ScheduleExpression: rate(1 day)
                Targets:
                  - Id: worker
                    Arn: !GetAtt WorkerLambdaFunction.Arn
            WorkerConfig:
              Type: AWS::Lambda::EventInvokeConfig
              Properties:
                FunctionName: !Ref WorkerLambdaFunction
                Qualifier: $LATEST
                MaximumRetryAttempts: 0
        """
    )
    worker = template.functions["WorkerLambdaFunction"]
    (mapping,) = worker.event_source_mappings
    assert mapping.queue is not None and mapping.queue.visibility_timeout == 60
    assert [(t.kind, t.invocation, t.name) for t in worker.triggers_of(Invocation.ASYNC)] == [("schedule", Invocation.ASYNC, "Nightly")]
    assert [c.maximum_retry_attempts for c in worker.event_invoke_configs] == [0]


def test_stream_type_comes_from_the_arn_the_resource_or_stays_unknown():
    template = _template(
        """
        provider:
          runtime: python3.12
        functions:
          a:
            handler: app.handler
            events:
              - stream: arn:aws:dynamodb:us-east-1:1:table/t/stream/2024
              - stream:
                  arn: !GetAtt Clicks.Arn
              - stream:
                  arn: ${ssm:/stream-arn}
        resources:
          Resources:
            Clicks:
              Type: AWS::Kinesis::Stream
        """
    )
    mappings = template.functions["ALambdaFunction"].event_source_mappings
    assert [(m.source, m.mark.line) for m in mappings] == [("dynamodb", 7), ("kinesis", 8), ("stream", 10)]
    assert all(isinstance(m, EventSourceMapping) for m in mappings)


def test_async_http_events_and_image_functions_are_not_guessed():
    template = _template(
        """
        provider:
          runtime: python3.12
        functions:
          a:
            handler: app.handler
            events:
              - http:
                  path: jobs
                  method: post
                  async: true
          b:
            image: 1.dkr.ecr.us-east-1.amazonaws.com/b:latest
        """
    )
    assert template.functions["ALambdaFunction"].triggers == []
    assert template.functions["BLambdaFunction"].is_image


def test_suppressions_in_serverless_yml_work_on_the_line_and_on_the_function(tmp_path):
    write_project(
        tmp_path,
        {
            "serverless.yml": """\
                frameworkVersion: '3'
                provider:
                  runtime: python3.12
                functions:
                  uploads:  # lintkit: ignore[LK401]
                    handler: app.handler
                    events:
                      - s3: bucket
                  alerts:
                    handler: app.handler
                    events:
                      - sns: alerts  # noqa: LK406
                resources:
                  Resources:
                    Queue:  # lintkit: ignore[LK404]
                      Type: AWS::SQS::Queue
                """,
            "app.py": "def handler(event, context):\n    return None\n",
        },
    )
    # the queue is no function's event source, so LK404 has nothing there to silence: LK005
    assert hits(run_engine([tmp_path])) == [("serverless.yml", "LK401", 9), ("serverless.yml", "LK005", 15)]


def test_discovery_classifies_serverless_files_by_name(tmp_path):
    for name in ("serverless.yml", "serverless.yaml", "Serverless.YML"):
        assert classify(tmp_path / name, head=b"Resources:\n  Q:\n    Type: AWS::SQS::Queue\n") is FileKind.SERVERLESS
    assert classify(tmp_path / "serverless.json", head=b"{}") is None


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("functions:\n  a: [\n", 3, "template does not parse"),
        ("- just\n- a list\n", 1, "a serverless.yml must be a mapping of sections"),
        ("# nothing\n", 1, "the file is empty"),
    ],
    ids=["broken-yaml", "list", "empty"],
)
def test_unreadable_serverless_yml_is_one_lk001(tmp_path, text, line, message):
    write_project(tmp_path, {"serverless.yml": text})
    result = run_engine([tmp_path])
    assert [(f.code, f.line) for f in result.findings] == [("LK001", line)]
    assert message in result.findings[0].message


def test_a_changed_handler_is_checked_with_its_serverless_yml(tmp_path):
    """pre-commit passes only the changed files: a handler finds the `serverless.yml` of its
    folder (or a folder above) for its joins, and the findings about its function are shown."""
    import shutil

    from helpers import invoke

    shutil.copytree(FIXTURES / "bad", tmp_path / "bad")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        run = invoke("check", "--no-cache", "bad/src/jobs.py", "bad/src/api.py")
    finally:
        os.chdir(cwd)
    assert run.exception is None and run.exit_code == 1
    assert run.pairs == [
        ("bad/serverless.yml", 35, "LK407"),
        ("bad/serverless.yml", 37, "LK502"),
        ("bad/src/api.py", 10, "LK201"),
        ("bad/src/api.py", 10, "LK204"),
    ]


def test_lk603_below_six_times_says_what_the_margin_is_for():
    """A visibility timeout above the function's but under 6x it: the message says why AWS asks
    for 6x (a throttled batch retried), not that every slow message runs twice."""
    result = run_engine([FIXTURES / "bad"])
    [finding] = [f for f in result.findings if f.code == "LK603"]
    assert finding.severity.label == "warning"
    assert finding.message == (
        "queue JobsQueue VisibilityTimeout 30 s (the default) is less than 6 x JobsLambdaFunction's Timeout 10 s, "
        "as AWS recommends: when Lambda is throttled and retries a batch, its messages can become visible again "
        "before it is done and another invocation receives them too; set it to at least 60 s"
    )
