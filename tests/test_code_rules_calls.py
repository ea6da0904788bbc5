"""LK1xx, LK2xx, LK605, LK701 and LK702 on cases that do not fit a documented example: exact line and
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


def test_lk103_and_lk605_on_urlopen_beside_urllib_parse(tmp_path):
    """`import urllib.parse` next to `import urllib.request` binds `urllib` twice, to one package."""
    source = """
        import urllib.parse
        import urllib.request

        def handler(event, context):
            url = "https://api.example.com/items?" + urllib.parse.urlencode(event["query"])
            return urllib.request.urlopen(url).read()
        """
    [(line, column, message)] = findings(tmp_path, source, "LK605")
    assert (line, column) == (6, 12)
    assert message.startswith("`urllib.request.urlopen(...)` has no timeout (urllib waits without limit by default)")
    assert "pass timeout=<seconds> to urlopen" in message
    assert positions(tmp_path, source, "LK103") == [(6, 12)]


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


API_TEMPLATE = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: .
          Handler: app.handler
          Runtime: python3.12
          Events:
            Get: {Type: Api, Properties: {Path: /orders, Method: get}}
    """
ALB_TEMPLATE = """
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Orders:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: .
          Handler: app.handler
          Runtime: python3.12
      Target:
        Type: AWS::ElasticLoadBalancingV2::TargetGroup
        Properties:
          TargetType: lambda
          Targets:
            - Id: !GetAtt Orders.Arn
    """
ONE_PAGE = """
    import boto3

    table = boto3.resource("dynamodb").Table("orders")

    def handler(event, context):
        start = event.get("cursor")
        page = table.query(KeyConditionExpression=KEY, ExclusiveStartKey=start) if start else table.query(KeyConditionExpression=KEY)
        return {"items": page["Items"], "cursor": page.get("LastEvaluatedKey")}
    """


def test_lk701_one_dynamodb_page_fits_6_mb_but_not_an_albs_1_mb(tmp_path):
    assert findings(tmp_path, ONE_PAGE, "LK701", API_TEMPLATE) == []
    [(line, column, message)] = findings(tmp_path, ONE_PAGE, "LK701", ALB_TEMPLATE)
    assert (line, column) == (8, 5)
    assert message == (
        "returns one DynamoDB query() page without Limit (up to 1 MB) to a synchronous caller (ALB): "
        "past 1 MB the invocation fails with Function.ResponseSizeTooLarge (413, 1 MB ALB limit); return a presigned S3 URL or paginate"
    )


@pytest.mark.parametrize(
    ("source", "position", "reason"),
    [
        (
            """
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def handler(event, context):
                items, kwargs = [], {}
                while True:
                    page = table.scan(**kwargs)
                    items += page["Items"]
                    if "LastEvaluatedKey" not in page:
                        return {"items": items}
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            """,
            (11, 13),
            "DynamoDB pages gathered in `items` by a while loop",
        ),
        (
            """
            import json
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("orders")

            def handler(event, context):
                orders = []
                for customer in json.loads(event["body"])["customers"]:
                    orders.extend(table.query(KeyConditionExpression=Key("customer").eq(customer))["Items"])
                return {"orders": orders}
            """,
            (11, 5),
            "DynamoDB pages gathered in `orders` by the loop over `json.loads(event[\"body\"])[\"customers\"]`",
        ),
    ],
)
def test_lk701_pages_gathered_in_a_loop(tmp_path, source, position, reason):
    [(line, column, message)] = findings(tmp_path, source, "LK701", API_TEMPLATE)
    assert (line, column) == position
    assert message.startswith(f"returns {reason} to a synchronous caller (")
    assert "past 6 MB the invocation fails with Function.ResponseSizeTooLarge (413, 6291556 bytes)" in message


def test_rules_are_registered_with_their_catalogue_severities():
    expected = {
        "LK101": "warning", "LK102": "warning", "LK103": "warning", "LK104": "warning",
        "LK201": "warning", "LK202": "error", "LK203": "info",
        "LK605": "warning", "LK702": "warning",
    }
    assert {code: registry().get(code).severity.label for code in expected} == expected
