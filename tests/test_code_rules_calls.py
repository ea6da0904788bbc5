"""LK1xx, LK2xx, LK605, LK701 and LK702 on cases that do not fit a documented example: exact line and
column of each finding (the call's start), one finding per problem, handler linking through a
template, and the hook the template join uses for LK102."""

from __future__ import annotations

import pytest

from lintkit.config import Config
from lintkit.engine import Run
from lintkit.rule import Registry, example_text, registry
from lintkit.rules.sync_calls import SyncInvokeDefaultTimeouts

from conftest import fixes, run_engine, write_project


def findings(tmp_path, source: str, code: str, template: str | None = None):
    files = {"app.py": source}
    if template is not None:
        files["template.yaml"] = template
    write_project(tmp_path, files)
    # the snippet is Lambda code, handler or not (the code model is tested in test_lambda_code.py)
    result = run_engine([tmp_path], select=[code], lambda_code=["app.py"])
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


def test_lk202_message_offers_a_queue_a_map_or_an_idempotent_target(tmp_path):
    [(line, column, message)] = findings(tmp_path, INVOKE_MODULE, "LK202")
    assert (line, column) == (9, 9)
    assert message == (
        "asynchronous invoke of 'worker' once per item of the loop over `event[\"items\"]`: a failure part-way and "
        "the caller's retry send the events again; queue the items (SQS send_message_batch) or use a Step Functions "
        "Map, or make the target idempotent (a key per item, so a re-sent event does nothing) with an OnFailure destination"
    )


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
        __doc__ = SyncInvokeDefaultTimeouts.__doc__  # a fixable rule's docs carry its "Fix safety"

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


# -- LK103 and the template: triggers, swallowed errors, localhost, the method ---------------


def full_findings(tmp_path, source: str, code: str, template: str | None = None):
    files = {"app.py": source}
    if template is not None:
        files["template.yaml"] = template
    write_project(tmp_path, files)
    result = run_engine([tmp_path], select=[code])
    assert not result.internal_errors, result.internal_errors
    return [(f.path.rsplit("/", 1)[-1], f.line, f.column, f.severity.label, f.message) for f in result.findings if f.code == code]


def sam(events: str = "", properties: str = "") -> str:
    """A SAM function `Fn` running app.handler, with the given Events (under `Events:`)."""
    text = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Queue: {Type: AWS::SQS::Queue}
          Stream: {Type: AWS::Kinesis::Stream}
          Bucket: {Type: AWS::S3::Bucket}
          Fn:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: .
              Handler: app.handler
              Runtime: python3.12
        """
    text = example_text(text)
    if properties:
        text += "".join(f"      {line}\n" for line in properties.splitlines())
    if events:
        text += "      Events:\n" + "".join(f"        {line}\n" for line in events.splitlines())
    return text


API = "Get: {Type: Api, Properties: {Path: /, Method: get}}"
URL = "Url: {Type: HttpApi}"
SQS = "Messages: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}"
S3 = "Upload: {Type: S3, Properties: {Bucket: !Ref Bucket, Events: 's3:ObjectCreated:*'}}"
KINESIS_ONCE = "Records: {Type: Kinesis, Properties: {Stream: !GetAtt Stream.Arn, StartingPosition: LATEST, MaximumRetryAttempts: 0}}"

NOTIFY = """
    import requests

    def handler(event, context):
        requests.post("https://hooks.example.com/orders", json=event, timeout=5).raise_for_status()
    """


@pytest.mark.parametrize(
    ("template", "reported"),
    [
        (None, True),  # no template: nothing known, reported as before
        (sam(), True),  # linked, but no trigger in the template (invoked directly?)
        (sam(API), True),
        (sam(URL), True),
        (sam(SQS), False),  # the message comes back
        (sam(S3), False),  # Lambda retries the async event twice
        (sam(SQS + "\n" + API), True),  # the API caller is not retried
        (sam(KINESIS_ONCE), True),  # MaximumRetryAttempts: 0
        (sam(S3, "EventInvokeConfig: {MaximumRetryAttempts: 0}"), True),
    ],
)
def test_lk103_reads_the_triggers(tmp_path, template, reported):
    found = full_findings(tmp_path, NOTIFY, "LK103", template)
    assert [(name, line, column, severity) for name, line, column, severity, _ in found] == (
        [("app.py", 4, 5, "warning")] if reported else []
    )


def test_lk103_names_the_synchronous_caller(tmp_path):
    [(_, line, _, severity, message)] = full_findings(tmp_path, NOTIFY, "LK103", sam(API))
    assert (line, severity) == (4, "warning")
    assert message.startswith(
        "`requests.post(...)` is sent once: a reset connection, a timeout, a 5xx or a throttle (429) fails the "
        "invocation and the REST API caller gets the error; "
    )


SWALLOWED = """
    import logging
    import requests

    logger = logging.getLogger()

    def handler(event, context):
        try:
            requests.get("https://rates.example.com/today", timeout=5)
        except requests.RequestException:
            logger.exception("rates unavailable")
    """


def test_lk103_swallowed_error_under_a_retrying_trigger_is_info(tmp_path):
    [(name, line, column, severity, message)] = full_findings(tmp_path, SWALLOWED, "LK103", sam(SQS))
    assert (name, line, column, severity) == ("app.py", 8, 9, "info")
    assert message == (
        "`requests.get(...)` is sent once, and its error is caught and only logged by the `except` on line 9: the "
        "invocation succeeds, so the SQS trigger never retries it and the request is lost; re-raise after logging "
        "(the trigger then retries the event), or mount HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5, "
        "status_forcelist=[429, 500, 502, 503, 504])) on a Session"
    )


def test_lk103_swallowed_error_is_not_said_to_fail_the_invocation(tmp_path):
    [(_, line, _, severity, message)] = full_findings(tmp_path, SWALLOWED, "LK103", sam(API))
    assert (line, severity) == (8, "warning")
    assert "fails the invocation" not in message
    assert message.startswith(
        "`requests.get(...)` is sent once: a reset connection or a timeout is caught and only logged by the `except` "
        "on line 9, so the request is lost, and a 5xx or a throttle (429) comes back as an ordinary response "
        "(requests raises on it only in response.raise_for_status()); "
    )


@pytest.mark.parametrize(
    "handler_body",
    [
        "logger.exception('rates unavailable')\n            raise",  # re-raised: the trigger retries
        "failures.append(event)",  # recorded
    ],
)
def test_lk103_handled_error_under_a_retrying_trigger_is_silent(tmp_path, handler_body):
    source = SWALLOWED.replace('logger.exception("rates unavailable")', handler_body).replace(
        "def handler(event, context):", "failures = []\n\n    def handler(event, context):"
    )
    assert full_findings(tmp_path, source, "LK103", sam(SQS)) == []


def test_lk103_an_except_that_does_not_catch_the_request_error(tmp_path):
    source = SWALLOWED.replace("except requests.RequestException:", "except KeyError:")
    assert full_findings(tmp_path, source, "LK103", sam(SQS)) == []


@pytest.mark.parametrize(
    "url",
    [
        '"http://localhost:2773/systemsmanager/parameters/get?name=db"',
        'f"http://localhost:{PORT}/secretsmanager/get?secretId={event[\'id\']}"',
        '"http://127.0.0.1:" + PORT + "/secretsmanager/get"',
        '"http://localhost:{}/x".format(PORT)',
        "EXTENSION",
    ],
)
def test_lk103_skips_lambda_extensions_on_localhost(tmp_path, url):
    source = f"""
        import os
        import requests

        PORT = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")
        EXTENSION = f"http://localhost:{{PORT}}/systemsmanager/parameters/get"

        def handler(event, context):
            return requests.get({url}, timeout=2).json()
        """
    assert full_findings(tmp_path, source, "LK103") == []


@pytest.mark.parametrize(
    "url", ['"http://localhost.example.com/x"', '"https://localhost.evil/x"', 'f"{BASE}/localhost"', "event['url']"]
)
def test_lk103_other_hosts_are_still_reported(tmp_path, url):
    source = f"""
        import requests

        def handler(event, context):
            return requests.get({url}, timeout=2).json()
        """
    assert [(line, column) for _, line, column, _, _ in full_findings(tmp_path, source, "LK103")] == [(4, 12)]


RETRY_SESSION = """
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries={retry}))

    def handler(event, context):
        return session.request("{verb}", "https://hooks.example.com/orders", json=event, timeout=5).status_code
    """


@pytest.mark.parametrize(
    ("retry", "verb", "reported"),
    [
        ("Retry(total=3, status_forcelist=[502, 503])", "POST", True),
        ("Retry(total=3, status_forcelist=[502, 503])", "PATCH", True),
        ("Retry(total=3, status_forcelist=[502, 503])", "PUT", False),
        ("3", "POST", True),
        ("Retry(total=3, status_forcelist=[503], allowed_methods=['POST'])", "POST", False),
        ("Retry(total=3, status_forcelist=[503], allowed_methods=None)", "PATCH", False),
    ],
)
def test_lk103_a_retry_that_leaves_the_method_out(tmp_path, retry, verb, reported):
    found = full_findings(tmp_path, RETRY_SESSION.format(retry=retry, verb=verb), "LK103")
    if not reported:
        assert found == []
        return
    [(_, line, column, severity, message)] = found
    assert (line, column, severity) == (9, 12, "warning")
    assert message.startswith(
        f"`session.request(...)` sends a {verb} through an HTTPAdapter with max_retries whose Retry leaves {verb} out "
        f"(urllib3's Retry retries {verb} only when allowed_methods names it), so a 5xx, a throttle (429) or a "
        f"dropped read is not retried; "
    )
    assert f"allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {{'{verb}'}}" in message
    assert "idempotency key" in message


@pytest.mark.parametrize("verb", ["POST", "PATCH"])
def test_lk103_following_the_advice_for_a_post_silences_it(tmp_path, verb):
    """The Retry the message advises, pasted into the code, is accepted."""
    source = RETRY_SESSION.format(retry="Retry(total=3)", verb=verb)
    [(*_, message)] = full_findings(tmp_path, source, "LK103")
    advised = message[message.index("max_retries=") + len("max_retries="): message.index(")) on a Session") + 1]
    assert advised.startswith("Retry(") and "allowed_methods" in advised
    fixed = RETRY_SESSION.format(retry=advised, verb=verb)
    assert full_findings(tmp_path / "fixed", fixed, "LK103") == []


def test_lk103_advice_for_a_get_and_for_other_libraries(tmp_path):
    source = """
        import httpx
        from urllib.request import urlopen

        def handler(event, context):
            httpx.get("https://rates.example.com/today")
            httpx.post("https://hooks.example.com/orders", json=event)
            return urlopen("https://status.example.com", timeout=3).read()
        """
    found = {line: message for _, line, _, _, message in full_findings(tmp_path, source, "LK103")}
    assert sorted(found) == [5, 6, 7]
    assert "allowed_methods" not in found[5] and "idempotency" not in found[5]
    assert found[6].endswith(
        "use httpx.HTTPTransport(retries=...) for connection errors and tenacity/backoff for 5xx and 429, and send an "
        "idempotency key the server honours (e.g. an Idempotency-Key header): a retried POST can repeat its side effect"
    )
    # urllib raises HTTPError on an error status by itself
    assert found[7].startswith(
        "`urlopen(...)` is sent once: a reset connection, a timeout, a 5xx or a throttle (429) fails the invocation; "
    )
    assert not any("request `" in message for message in found.values())  # no more "requests request `...`"


# -- LK605 and aiohttp's 300 s default -------------------------------------------------------

AIOHTTP_FETCH = """
    import asyncio
    import aiohttp

    async def fetch(url):
        async with aiohttp.ClientSession({session}) as session:
            async with session.get(url{call}) as response:
                return await response.json()

    def handler(event, context):
        return asyncio.run(fetch(event["url"]))
    """


@pytest.mark.parametrize(
    ("properties", "session", "call", "expected"),
    [
        ("Timeout: 30", "", "", [(6, 20, "Fn", 30)]),
        ("", "", "", [(6, 20, "Fn", 3)]),  # Lambda's default Timeout is 3 s
        ("Timeout: 299", "", "", [(6, 20, "Fn", 299)]),
        ("Timeout: 300", "", "", []),  # aiohttp gives up first (or together)
        ("Timeout: 30", "timeout=aiohttp.ClientTimeout(total=10)", "", []),
        ("Timeout: 30", "", ", timeout=aiohttp.ClientTimeout(total=10)", []),
        ("Timeout: 30", "**settings", "", []),  # may carry a timeout
    ],
)
def test_lk605_aiohttp_default_against_the_function_timeout(tmp_path, properties, session, call, expected):
    source = AIOHTTP_FETCH.format(session=session, call=call)
    found = full_findings(tmp_path, source, "LK605", sam(API, properties))
    assert [(line, column) for _, line, column, _, _ in found] == [(line, column) for line, column, _, _ in expected]
    for (_, _, _, severity, message), (_, _, name, limit) in zip(found, expected):
        assert severity == "warning"
        assert message == (
            f"`session.get(...)` has no timeout of its own: aiohttp's default total of 300 s is longer than {name}'s "
            f"Timeout of {limit} s, so a stalled server holds the invocation until the function times out; pass "
            f"timeout=aiohttp.ClientTimeout(total=...) below {limit} s, on the call or the ClientSession"
        )


def test_lk605_aiohttp_without_a_template_stays_silent(tmp_path):
    assert full_findings(tmp_path, AIOHTTP_FETCH.format(session="", call=""), "LK605") == []


# Following a message's advice gives code the rule accepts: for each rule, the code it reports,
# the part of its message that says what to do, and the same code written that way.
ADVICE_ROUND_TRIPS = [
    (
        "LK605",
        """
        import requests

        def handler(event, context):
            return requests.get(event["url"]).json()
        """,
        "pass timeout=(connect, read), e.g. timeout=(3.05, 10)",
        """
        import requests

        def handler(event, context):
            return requests.get(event["url"], timeout=(3.05, 10)).json()
        """,
    ),
    (
        "LK605",
        """
        import urllib.parse
        import urllib.request

        def handler(event, context):
            return urllib.request.urlopen(event["url"]).read()
        """,
        "pass timeout=<seconds> to urlopen",
        """
        import urllib.parse
        import urllib.request

        def handler(event, context):
            return urllib.request.urlopen(event["url"], timeout=10).read()
        """,
    ),
    (
        "LK104",
        """
        import time
        import requests

        def handler(event, context):
            for attempt in range(5):
                try:
                    return requests.get(event["url"], timeout=5).json()
                except requests.ConnectionError:
                    time.sleep(1)
        """,
        "back off exponentially and add jitter",
        """
        import random
        import time
        import requests

        def handler(event, context):
            for attempt in range(5):
                try:
                    return requests.get(event["url"], timeout=5).json()
                except requests.ConnectionError:
                    time.sleep(min(8, 0.5 * 2 ** attempt) * random.random())
        """,
    ),
    (
        "LK304",
        """
        import boto3

        def handler(event, context):
            s3 = boto3.client("s3")
            return s3.head_object(Bucket="reports", Key=event["key"])["ContentLength"]
        """,
        "create it once at module scope",
        """
        import boto3

        s3 = boto3.client("s3")

        def handler(event, context):
            return s3.head_object(Bucket="reports", Key=event["key"])["ContentLength"]
        """,
    ),
    (
        "LK202",
        """
        import json
        import boto3

        lambda_client = boto3.client("lambda")

        def handler(event, context):
            for item in event["items"]:
                lambda_client.invoke(FunctionName="worker", InvocationType="Event", Payload=json.dumps(item))
        """,
        "queue the items (SQS send_message_batch)",
        """
        import json
        import boto3

        sqs = boto3.client("sqs")

        def handler(event, context):
            entries = [{"Id": str(i), "MessageBody": json.dumps(item)} for i, item in enumerate(event["items"][:10])]
            sqs.send_message_batch(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/work", Entries=entries)
        """,
    ),
]


@pytest.mark.parametrize(("code", "source", "advice", "fixed"), ADVICE_ROUND_TRIPS, ids=[c for c, *_ in ADVICE_ROUND_TRIPS])
def test_following_the_message_silences_the_rule(tmp_path, code, source, advice, fixed):
    [(_, _, message)] = findings(tmp_path / "before", source, code)
    assert advice in message
    assert findings(tmp_path / "after", fixed, code) == []


# -- fixes -------------------------------------------------------------------------------------


def _fetcher(timeout: str = "      Timeout: 30\n", extra: str = "") -> str:
    return (
        "Transform: AWS::Serverless-2016-10-31\n"
        "Parameters:\n  FnTimeout:\n    Type: Number\n    Default: 20\n"
        "Resources:\n  Fetcher:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: .\n      Handler: app.handler\n      Runtime: python3.12\n" + timeout + extra
    )


GET = "import requests\n\ndef handler(event, context):\n    return requests.get(event['url']).text\n"


@pytest.mark.parametrize(
    ("timeout", "applicability", "value", "why"),
    [
        ("      Timeout: 30\n", "safe", "(3.05, 10)", "within half of Fetcher's Timeout of 30 s"),
        ("      Timeout: 10\n", "safe", "(2.5, 2.5)", "within half of Fetcher's Timeout of 10 s"),
        ("", "safe", "(0.75, 0.75)", "within half of Fetcher's Timeout of 3 s"),  # Lambda's default
        # a parameter's default may be overridden at deploy: the value is a guess, so unsafe
        ("      Timeout: !Ref FnTimeout\n", "unsafe", "(3.05, 6.95)", "Timeout of 20 s (parameter FnTimeout's default)"),
    ],
)
def test_lk605_fix_is_safe_with_a_literal_function_timeout(tmp_path, timeout, applicability, value, why):
    [(line, got, title, fixed)] = fixes(tmp_path, {"app.py": GET, "template.yaml": _fetcher(timeout)}, "LK605")
    assert (line, got) == (4, applicability)
    assert title.startswith(f"Add timeout={value} (") and why in title
    assert fixed == GET.replace("requests.get(event['url'])", f"requests.get(event['url'], timeout={value})")


def test_lk605_fix_without_a_template_is_an_unsafe_default(tmp_path):
    [(_, applicability, title, fixed)] = fixes(tmp_path, {"app.py": GET}, "LK605")
    assert applicability == "unsafe" and "a default" in title
    assert "requests.get(event['url'], timeout=(3.05, 10))" in fixed


@pytest.mark.parametrize(
    "source",
    [
        # the None is the client's: the call is not where to change it
        "import httpx\n\nclient = httpx.Client(timeout=None)\n\ndef handler(event, context):\n    return client.get(event['url']).text\n",
        # *args may carry the timeout
        "import requests\n\ndef handler(event, context):\n    args = (event['url'],)\n    return requests.get(*args).text\n",
    ],
)
def test_lk605_offers_no_fix_it_cannot_be_sure_of(tmp_path, source):
    found = fixes(tmp_path, {"app.py": source}, "LK605")
    assert found and all(fix is None for _, fix, _, _ in found), found


def test_lk605_aiohttp_default_has_no_fix(tmp_path):
    source = (
        "import asyncio\nimport aiohttp\n\nasync def fetch(url):\n    async with aiohttp.ClientSession() as session:\n"
        "        async with session.get(url) as response:\n            return await response.text()\n\n"
        "def handler(event, context):\n    return asyncio.run(fetch(event['url']))\n"
    )
    assert fixes(tmp_path, {"app.py": source, "template.yaml": _fetcher()}, "LK605") == [(6, None, None, None)]


INVOKE = (
    "import boto3\n{imports}\nclient = boto3.client('lambda'{config})\n\n"
    "def handler(event, context):\n    result = client.invoke(FunctionName='report-builder')\n    return result.get('StatusCode')\n"
)


@pytest.mark.parametrize(
    ("imports", "config"),
    [
        # a Config kept in a name may be shared with other clients
        ("from botocore.config import Config\nSHARED = Config(connect_timeout=2)\n", ", config=SHARED"),
        # retries of its own: merging would overwrite someone's choice
        ("from botocore.config import Config\n", ", config=Config(retries={'mode': 'standard'})"),
        # **kwargs may already carry a config
        ("OPTIONS = {}\n", ", **OPTIONS"),
    ],
)
def test_lk102_offers_no_fix_when_the_config_is_not_its_own(tmp_path, imports, config):
    found = fixes(tmp_path, {"app.py": INVOKE.format(imports=imports, config=config)}, "LK102")
    assert [(line, fix) for line, fix, _, _ in found] == [(6 + imports.count("\n"), None)]


def test_lk102_fix_leaves_read_timeout_out_when_the_caller_stops_first(tmp_path):
    template = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Reports:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: .\n      Handler: app.handler\n      Runtime: python3.12\n      Timeout: 30\n"
    )
    [(line, applicability, title, fixed)] = fixes(tmp_path, {"app.py": INVOKE.format(imports="", config=""), "template.yaml": template}, "LK102")
    assert (line, applicability) == (6, "unsafe")
    assert "no read_timeout (the caller's own Timeout of 30 s ends the wait first)" in title
    assert "from botocore.config import Config\n" in fixed
    assert "client = boto3.client('lambda', config=Config(retries={\"total_max_attempts\": 1}))" in fixed


def test_lk102_fix_covers_every_invoke_through_the_client(tmp_path):
    template = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Reports:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: .\n      Handler: app.handler\n      Runtime: python3.12\n      Timeout: 900\n"
        "      Environment:\n        Variables:\n          FAST: !Ref Fast\n          SLOW: !Ref Slow\n"
        "  Fast:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: fast/\n      Handler: app.handler\n"
        "      Runtime: python3.12\n      Timeout: 70\n"
        "  Slow:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: slow/\n      Handler: app.handler\n"
        "      Runtime: python3.12\n      Timeout: 300\n"
    )
    source = (
        "import os\nimport boto3\n\nclient = boto3.client('lambda')\n\ndef handler(event, context):\n"
        "    a = client.invoke(FunctionName=os.environ['FAST'])\n    b = client.invoke(FunctionName=os.environ['SLOW'])\n"
        "    return a.get('FunctionError') or b.get('FunctionError')\n"
    )
    found = fixes(tmp_path, {"app.py": source, "template.yaml": template}, "LK102")
    assert [line for line, *_ in found] == [7, 8]
    assert all("read_timeout=310 (the callee's Timeout of 300 s plus 10 s)" in title for _, _, title, _ in found)


def test_lk101_fix_is_display_only_and_shows_the_check(tmp_path):
    source = (
        "import boto3\nfrom botocore.config import Config\n\nclient = boto3.client('lambda', config=Config(retries={'total_max_attempts': 1}))\n\n"
        "def handler(event, context):\n    out = client.invoke(FunctionName='pricing')\n    return out['Payload'].read()\n"
        "\ndef audit(event):\n    client.invoke(FunctionName='audit')\n"
    )
    [kept, dropped] = fixes(tmp_path, {"app.py": source}, "LK101")
    assert kept[:2] == (7, "display-only")
    assert kept[2] == "Check the response after the invoke: if out.get(\"FunctionError\"): raise RuntimeError(out[\"Payload\"].read())"
    assert "    out = client.invoke(FunctionName='pricing')\n    if out.get(\"FunctionError\"):\n        raise RuntimeError(out[\"Payload\"].read())\n    return" in kept[3]
    # the dropped response: the title says what to do, there is no edit to show
    assert dropped[:2] == (11, "display-only") and dropped[2].startswith("Keep the response and check it") and dropped[3] == source


def test_lk605_fix_is_safe_only_for_a_read_with_a_known_timeout(tmp_path):
    """Giving up early on a GET changes nothing on the server; on a POST (or a method lintkit
    cannot tell) the server may still complete what the client gave up on: a person reviews it."""
    from lintkit.rules.client_timeouts import _template

    handler = (
        "import requests\n\n"
        "def handler(event, context):\n"
        "    requests.get(event['status_url'])\n"
        "    requests.post(event['charge_url'], json=event['charge'])\n"
        "    requests.request(event['method'], event['url'])\n"
    )
    found = fixes(tmp_path, {"app.py": handler, "template.yaml": _template(10)}, "LK605")
    by_line = {line: (applicability, title) for line, applicability, title, _ in found}
    assert by_line[4] == ("safe", "Add timeout=(2.5, 2.5) (connect and read within half of Fetcher's Timeout of 10 s)")
    assert by_line[5][0] == "unsafe"
    assert by_line[5][1].endswith("review it: POST may change something, which the server can still complete after the call gives up)")
    assert by_line[6][0] == "unsafe"
    assert "a method lintkit cannot tell" in by_line[6][1]


def test_lk103_urllib3_says_what_its_default_retry_covers(tmp_path):
    """urllib3's default Retry(3) retries failed connections, never a 5xx: "sent once" would be wrong."""
    write_project(tmp_path, {"app.py": (
        "import urllib3\n\n"
        "http = urllib3.PoolManager()\n\n"
        "def handler(event, context):\n"
        "    return http.request('GET', event['url'], timeout=5.0).data\n"
    )})
    result = run_engine([tmp_path], select=["LK103"], lambda_code=["app.py"])
    (finding,) = result.findings
    assert finding.line == 6
    assert finding.message.startswith(
        "`http.request(...)` is retried only when a connection or read fails (urllib3's default), never on a 5xx "
        "or a throttle (429): "
    )
    assert "sent once" not in finding.message
