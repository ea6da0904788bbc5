"""LK1xx, LK2xx, LK605 and LK702 on cases that do not fit a documented example: exact line and
column of each finding (the call's start), one finding per problem, handler linking through a
template, and the hook the template join uses for LK102."""

from __future__ import annotations

import pytest

from lintkit.config import Config
from lintkit.engine import Run
from lintkit.rule import Registry, registry
from lintkit.rules.sync_calls import SyncInvokeDefaultTimeouts

from conftest import run_engine, write_project


def findings(tmp_path, source: str, code: str, template: str | None = None):
    files = {"app.py": source}
    if template is not None:
        files["template.yaml"] = template
    write_project(tmp_path, files)
    result = run_engine([tmp_path], select=[code])
    assert not result.internal_errors, result.internal_errors
    return [(f.line, f.column, f.message) for f in result.findings if f.code == code]


def positions(tmp_path, source: str, code: str, template: str | None = None):
    return [(line, column) for line, column, _ in findings(tmp_path, source, code, template)]


INVOKE_MODULE = """
    import json
    import boto3

    client = boto3.client("lambda")

    def handler(event, context):
        result = json.loads(client.invoke(FunctionName="pricing")["Payload"].read())
        for item in event["items"]:
            client.invoke(FunctionName="worker", InvocationType="Event", Payload=json.dumps(item))
        client.invoke(FunctionName="audit", InvocationType="Event", Payload=b"{}")
        return result
    """


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("LK101", [(7, 25)]),
        ("LK102", [(7, 25)]),
        ("LK201", [(10, 5)]),
        ("LK202", [(9, 9)]),
        ("LK203", [(7, 25)]),
    ],
)
def test_invoke_rules_fire_at_the_calls_line_and_column(tmp_path, code, expected):
    assert positions(tmp_path, INVOKE_MODULE, code) == expected


def test_one_finding_per_async_invoke(tmp_path):
    """The invoke in the loop is LK202's; LK201 reports only the one outside it."""
    write_project(tmp_path, {"app.py": INVOKE_MODULE})
    result = run_engine([tmp_path], select=["LK201", "LK202"])
    assert sorted((f.line, f.code) for f in result.findings) == [(9, "LK202"), (10, "LK201")]


def test_messages_name_the_target_and_what_to_do(tmp_path):
    [(_, _, message)] = findings(
        tmp_path,
        """
        import os
        import boto3

        def handler(event, context):
            boto3.client("lambda").invoke(FunctionName=os.environ["RECEIPTS"], InvocationType="Event")
        """,
        "LK201",
    )
    assert "env var RECEIPTS" in message and "OnFailure destination" in message


def test_inline_payload_read_is_unchecked_but_error_message_check_counts(tmp_path):
    source = """
        import json
        import boto3

        client = boto3.client("lambda")

        def unchecked(payload):
            return json.loads(client.invoke(FunctionName="f", Payload=payload)["Payload"].read())

        def checked(payload):
            body = json.loads(client.invoke(FunctionName="f", Payload=payload)["Payload"].read())
            if "errorMessage" in body:
                raise RuntimeError(body["errorMessage"])
            return body
        """
    assert positions(tmp_path, source, "LK101") == [(7, 23)]


def test_lk102_hook_for_the_template_join(tmp_path):
    """The join overrides `callee_timeout`: a read_timeout below the callee's Timeout is reported."""
    source = """
        import boto3
        from botocore.config import Config

        client = boto3.client("lambda", config=Config(read_timeout=120))

        def handler(event, context):
            return client.invoke(FunctionName="slow-report")
        """
    assert positions(tmp_path, source, "LK102") == []

    class WithCalleeTimeout(SyncInvokeDefaultTimeouts):
        def callee_timeout(self, invoke):
            return 300 if invoke.target == "slow-report" else None

    rules = Registry([WithCalleeTimeout])
    result = Run(rules, Config(path=None, root=tmp_path), {"LK102"}).check([tmp_path])
    [finding] = result.findings
    assert (finding.line, finding.column) == (7, 12)
    assert "read_timeout=120" in finding.message and "300 s" in finding.message


def test_lk103_and_lk605_on_the_same_request(tmp_path):
    source = """
        import requests

        def handler(event, context):
            return requests.get(event["url"]).json()
        """
    assert positions(tmp_path, source, "LK103") == [(4, 12)]
    assert positions(tmp_path, source, "LK605") == [(4, 12)]


def test_lk103_follows_the_template_handler(tmp_path):
    """With a template, `Handler: app.main` decides what a handler is, whatever its shape."""
    source = """
        import requests

        def main(payload, _):
            return notify(payload)

        def notify(payload):
            return requests.post("https://hooks.example.com", json=payload, timeout=5)

        def handler(event, context):
            return requests.get("https://unused.example.com", timeout=5)
        """
    template = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: .
              Handler: app.main
              Runtime: python3.12
        """
    assert positions(tmp_path, source, "LK103", template) == [(7, 12)]


def test_lk103_module_level_request_of_a_handler_module(tmp_path):
    source = """
        import requests

        CONFIG = requests.get("https://config.example.com", timeout=2).json()

        def handler(event, context):
            return CONFIG
        """
    assert positions(tmp_path, source, "LK103") == [(3, 10)]


def test_lk104_reports_the_loop(tmp_path):
    source = """
        import time

        def save(table, item):
            for attempt in range(3):
                try:
                    return table.put_item(Item=item)
                except Exception:
                    time.sleep(0.5)
        """
    [(line, column, message)] = findings(tmp_path, source, "LK104")
    assert (line, column) == (4, 5) and "0.5 s" in message


def test_lk104_trusts_a_backoff_helper(tmp_path):
    source = """
        def save(table, item):
            for attempt in range(3):
                try:
                    return table.put_item(Item=item)
                except Exception:
                    sleep_with_backoff(attempt)
        """
    assert positions(tmp_path, source, "LK104") == []


def test_lk104_reports_a_status_check_retry_not_the_poll_beside_it(tmp_path):
    """The retry goes round on a 5xx with a constant sleep; the poll waits for a state with the
    same constant sleep, and also rides out errors: only the retry is reported."""
    source = """
        import time
        import requests
        from botocore.exceptions import ClientError

        def fetch(url):
            for attempt in range(4):
                response = requests.get(url, timeout=5)
                if response.status_code >= 500:
                    time.sleep(3)
                    continue
                return response.json()

        def wait_for_export(client, export_arn):
            for _ in range(60):
                time.sleep(3)
                try:
                    status = client.describe_export(ExportArn=export_arn)["ExportDescription"]["ExportStatus"]
                except ClientError:
                    continue
                if status == "COMPLETED":
                    return status
        """
    [(line, column, message)] = findings(tmp_path, source, "LK104")
    assert (line, column) == (6, 5)
    assert message == (
        "this retry loop waits a constant 3 s between attempts: back off exponentially and add jitter so that "
        "retries spread out"
    )


def test_lk103_does_not_take_a_polling_loop_for_a_retry(tmp_path):
    source = """
        import time
        import requests

        def handler(event, context):
            for _ in range(30):
                job = requests.get(f"https://jobs.example.com/{event['job_id']}", timeout=5).json()
                if job["state"] == "done":
                    return job
                time.sleep(2)
            for attempt in range(3):
                response = requests.post("https://hooks.example.com", json=event, timeout=5)
                if response.ok:
                    return response.json()
                time.sleep(2 ** attempt)
        """
    [(line, column, message)] = findings(tmp_path, source, "LK103")
    assert (line, column) == (6, 15)
    assert "`requests.get(...)` is sent once" in message


def test_lk202_leaves_a_single_hand_off_to_lk201(tmp_path):
    source = """
        import json
        import boto3

        client = boto3.client("lambda")

        def handler(event, context):
            for record in event["Records"]:
                if record["eventName"] == "INSERT":
                    client.invoke(FunctionName="welcome", InvocationType="Event", Payload=json.dumps(record))
                    break
            for record in event["Records"]:
                client.invoke(FunctionName="audit", InvocationType="Event", Payload=json.dumps(record))
        """
    write_project(tmp_path, {"app.py": source})
    result = run_engine([tmp_path], select=["LK201", "LK202"])
    assert not result.internal_errors, result.internal_errors
    assert [(f.code, f.line, f.column) for f in result.findings] == [("LK201", 9, 13), ("LK202", 12, 9)]
    lk201, lk202 = result.findings
    assert "welcome" in lk201.message and "OnFailure destination" in lk201.message
    assert "audit" in lk202.message and "once per item of the loop over `event[\"Records\"]`" in lk202.message


def test_lk702_a_list_made_anew_per_record_is_one_records_data(tmp_path):
    source = """
        import json
        import boto3

        sqs = boto3.client("sqs")

        def handler(event, context):
            for record in event["Records"]:
                lines = []
                for line in json.loads(record["body"])["lines"]:
                    lines.append(line["sku"])
                sqs.send_message(QueueUrl="https://sqs.example/q", MessageBody=json.dumps(lines))
            everything = []
            for record in event["Records"]:
                everything.append(record["body"])
            sqs.send_message(QueueUrl="https://sqs.example/q", MessageBody=json.dumps(everything))
        """
    [(line, column, message)] = findings(tmp_path, source, "LK702")
    assert (line, column) == (15, 5)
    assert message.startswith("the payload of this SQS message is built from the whole batch of records (`event['Records']`)")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # explicit None
        ("import requests\nrequests.post('u', json={}, timeout=None)\n", [(2, 1)]),
        # **kwargs may carry a timeout
        ("import requests\ndef f(**kw):\n    return requests.get('u', **kw)\n", []),
        # a custom adapter may add a default timeout
        (
            "import requests\nfrom adapters import TimeoutAdapter\ns = requests.Session()\n"
            "s.mount('https://', TimeoutAdapter())\ns.get('u')\n",
            [],
        ),
        ("from urllib.request import urlopen\nurlopen('https://example.com').read()\n", [(2, 1)]),
        ("import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n        await s.get('u')\n", []),
    ],
)
def test_lk605_cases(tmp_path, source, expected):
    assert positions(tmp_path, source, "LK605") == expected


def test_lk702_at_the_sending_call(tmp_path):
    source = """
        import boto3

        events = boto3.client("events")
        s3 = boto3.client("s3")

        def handler(event, context):
            obj = s3.get_object(Bucket="b", Key=event["key"])
            data = obj["Body"].read()
            events.put_events(Entries=[{"Source": "app", "DetailType": "file", "Detail": data.decode()}])
        """
    [(line, column, message)] = findings(tmp_path, source, "LK702")
    assert (line, column) == (9, 5)
    assert "a whole S3 object body" in message and "RequestTooLargeException" in message


def test_rules_are_registered_with_their_catalogue_severities():
    expected = {
        "LK101": "warning", "LK102": "warning", "LK103": "warning", "LK104": "warning",
        "LK201": "warning", "LK202": "error", "LK203": "info",
        "LK605": "warning", "LK702": "warning",
    }
    assert {code: registry().get(code).severity.label for code in expected} == expected
