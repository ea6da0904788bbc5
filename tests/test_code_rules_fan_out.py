"""LK301-LK305 on cases that do not fit a documented example: exact line and column of each
finding, and the near-misses around them."""

from __future__ import annotations

import pytest

from conftest import fixes, run_engine, write_project


def positions(tmp_path, source: str, code: str) -> list[tuple[int, int]]:
    write_project(tmp_path, {"app.py": source})
    # the snippet is Lambda code, handler or not (the code model is tested in test_lambda_code.py)
    result = run_engine([tmp_path], select=[code], lambda_code=["app.py"])
    assert not result.internal_errors, result.internal_errors
    return [(f.line, f.column) for f in result.findings if f.code == code]


@pytest.mark.parametrize(
    ("code", "source", "expected"),
    [
        (
            "LK301",
            """
            import asyncio

            async def main(event):
                tasks = []
                for record in event["Records"]:
                    tasks.append(asyncio.create_task(handle(record)))
                done, _ = await asyncio.wait(tasks)
            """,
            [(7, 21)],
        ),
        (
            "LK302",
            """
            from concurrent.futures import ThreadPoolExecutor

            def handler(event, context):
                pool = ThreadPoolExecutor(event["workers"])
            """,
            [(4, 12)],
        ),
        (
            "LK303",
            """
            import aiohttp

            CONNECTOR = aiohttp.TCPConnector(limit=0)
            """,
            [(3, 13)],
        ),
        (
            "LK304",
            """
            import boto3

            def handler(event, context):
                table = boto3.resource("dynamodb").Table("orders")
                return table.get_item(Key={"id": event["id"]})
            """,
            [(4, 13)],
        ),
        (
            "LK305",
            """
            import multiprocessing as mp

            def handler(event, context):
                ctx = mp.get_context("fork")
                with ctx.Pool(2) as pool:
                    return pool.map(work, event["items"])
            """,
            [(5, 10)],
        ),
    ],
)
def test_fan_out_rules_fire_at_the_calls_line_and_column(tmp_path, code, source, expected):
    assert positions(tmp_path, source, code) == expected


def test_gather_over_a_paginated_listing(tmp_path):
    source = """
        import asyncio

        async def copy_all(s3, paginator):
            keys = []
            for page in paginator.paginate(Bucket="b"):
                keys.extend(obj["Key"] for obj in page["Contents"])
            await asyncio.gather(*(copy(s3, key) for key in keys))
        """
    assert positions(tmp_path, source, "LK301") == [(7, 11)]


def test_gather_in_chunks_is_bounded(tmp_path):
    source = """
        import asyncio

        async def process(event):
            records = event["Records"]
            for start in range(0, len(records), 10):
                chunk = records[start:start + 10]
                await asyncio.gather(*[handle(r) for r in chunk])
        """
    # `chunk` is a slice of the records: sized by data, so reported. Chunking through a helper
    # (`for chunk in batched(records, 10)`) yields items of a collection and is not.
    assert positions(tmp_path, source, "LK301") == [(7, 15)]
    source_batched = """
        import asyncio
        from itertools import batched

        async def process(event):
            for chunk in batched(event["Records"], 10):
                await asyncio.gather(*[handle(r) for r in chunk])
        """
    assert positions(tmp_path, source_batched, "LK301") == []


@pytest.mark.parametrize(
    "source",
    [
        # a cached factory builds the client once
        """
        import functools
        import boto3

        @functools.lru_cache(maxsize=None)
        def s3():
            return boto3.client("s3")

        def handler(event, context):
            return s3().head_object(Bucket="b", Key=event["key"])
        """,
        # a client kept on an object is not known to be per invocation
        """
        import boto3

        class Store:
            def __init__(self):
                self.s3 = boto3.client("s3")

        STORE = Store()

        def handler(event, context):
            return STORE.s3.list_buckets()
        """,
        # not on a handler's path
        """
        import boto3

        def admin_tool():
            return boto3.client("iam").list_users()

        def handler(event, context):
            return {"ok": True}
        """,
    ],
)
def test_client_created_once_is_silent(tmp_path, source):
    assert positions(tmp_path, source, "LK304") == []


def findings(tmp_path, source: str, code: str) -> list[tuple[str, str, int, int, str]]:
    write_project(tmp_path, {"app.py": source})
    result = run_engine([tmp_path], select=[code])
    assert not result.internal_errors, result.internal_errors
    return [(f.path.rsplit("/", 1)[-1], f.code, f.line, f.column, f.message) for f in result.findings]


@pytest.mark.parametrize(
    "source",
    [
        # the WebSocket callback endpoint is the event's
        """
        import boto3

        def handler(event, context):
            stage = event["requestContext"]["stage"]
            api = boto3.client("apigatewaymanagementapi", endpoint_url=f"https://{event['requestContext']['domainName']}/{stage}")
            api.post_to_connection(ConnectionId=event["requestContext"]["connectionId"], Data=b"ok")
        """,
        # credentials of a role assumed in this invocation, passed to the client
        """
        import boto3

        STS = boto3.client("sts")

        def handler(event, context):
            creds = STS.assume_role(RoleArn="arn:aws:iam::1:role/r", RoleSessionName="s")["Credentials"]
            s3 = boto3.client(
                "s3",
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
            return s3.list_buckets()
        """,
        # a region read from the event
        """
        import boto3

        def handler(event, context):
            return boto3.client("organizations", region_name=event.get("region")).list_accounts()
        """,
        # a session built with assumed credentials, and its client (through **kwargs)
        """
        import boto3

        sts = boto3.client("sts")

        def handler(event, context):
            creds = sts.assume_role(RoleArn=event["role"], RoleSessionName="s")["Credentials"]
            session = boto3.Session(**{
                "aws_access_key_id": creds["AccessKeyId"],
                "aws_secret_access_key": creds["SecretAccessKey"],
                "aws_session_token": creds["SessionToken"],
            })
            return session.client("s3").list_buckets()
        """,
        # one client per account of the event: in a loop, but each for another account
        """
        import boto3

        sts = boto3.client("sts")

        def handler(event, context):
            for account in event["accounts"]:
                creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account}:role/audit", RoleSessionName="a")["Credentials"]
                boto3.client("s3", aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"]).list_buckets()
        """,
    ],
)
def test_clients_built_from_the_invocations_values_are_silent(tmp_path, source):
    assert findings(tmp_path, source, "LK304") == []


def test_clients_built_from_values_fixed_for_the_environment_are_reported(tmp_path):
    source = """
        import os
        import boto3
        import urllib3

        REGION = "eu-west-1"
        session = boto3.Session(region_name=os.environ["AWS_REGION"])

        def handler(event, context):
            lam = boto3.client("lambda", region_name=REGION)
            s3 = session.client("s3", endpoint_url=os.environ.get("S3_ENDPOINT"))
            http = urllib3.PoolManager()
            for region in ("eu-west-1", "us-east-1"):
                boto3.client("ec2", region_name=region).describe_regions()
        """
    assert findings(tmp_path, source, "LK304") == [
        ("app.py", "LK304", 9, 11, "boto3 client created on every invocation: create it once at module scope so warm invocations reuse it and its connections"),
        ("app.py", "LK304", 10, 10, "boto3 client created on every invocation: create it once at module scope so warm invocations reuse it and its connections"),
        ("app.py", "LK304", 11, 12, "urllib3 pool created on every invocation: create it once at module scope so warm invocations reuse it and its connections"),
        ("app.py", "LK304", 13, 9, "boto3 client created inside the loop over `(\"eu-west-1\", \"us-east-1\")`: one per item; create it once, at module scope, and reuse it"),
    ]


def test_async_clients_are_reported_only_in_loops(tmp_path):
    source = """
        import aiohttp

        async def fetch_each(urls):
            for url in urls:
                async with aiohttp.ClientSession() as session:
                    await session.get(url)
        """
    assert positions(tmp_path, source, "LK304") == [(5, 20)]


def test_multiprocessing_value_without_lock_is_fine(tmp_path):
    source = """
        import multiprocessing

        def handler(event, context):
            counter = multiprocessing.Value("i", 0, lock=False)
            shared = multiprocessing.Array("i", 10)
            return counter, shared
        """
    assert positions(tmp_path, source, "LK305") == [(5, 14)]


def test_threads_over_a_small_range_are_fine(tmp_path):
    source = """
        import threading

        def handler(event, context):
            for n in range(4):
                threading.Thread(target=work, args=(n,)).start()
            for n in range(2000):
                threading.Thread(target=work, args=(n,)).start()
        """
    assert positions(tmp_path, source, "LK302") == [(7, 9)]


def test_a_session_per_invocation_repeats_the_credential_lookup(tmp_path):
    """A boto3 Session holds no connections: its message says what a new one costs."""
    source = """
        import boto3

        def handler(event, context):
            session = boto3.session.Session()
            return session.client("s3").list_buckets()
        """
    assert findings(tmp_path, source, "LK304")[0] == (
        "app.py", "LK304", 4, 15,
        "boto3 session created on every invocation: create it once at module scope so warm invocations reuse it and its credentials",
    )


# -- LK304's fix ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        # reassigned in the function: moving one of them would change what the name means
        "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    if event.get('eu'):\n        s3 = boto3.client('s3', region_name='eu-west-1')\n    return s3.list_buckets()\n",
        # closed at the end of each invocation: a module-level client would be closed for the next
        "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client('s3')\n    result = s3.list_buckets()\n    s3.close()\n    return result\n",
        # inside an `if`: not a statement of the function's own body
        "import boto3\n\ndef handler(event, context):\n    if event:\n        s3 = boto3.client('s3')\n        return s3.list_buckets()\n",
        # a method: its class may make one per instance on purpose
        "import boto3\n\nclass Handler:\n    def __call__(self, event, context):\n        s3 = boto3.client('s3')\n        return s3.list_buckets()\n\nhandler = Handler()\n",
        # a builtin in the arguments: read the same, but lintkit cannot follow it
        "import boto3\n\ndef handler(event, context):\n    s3 = boto3.client(str('s3'))\n    return s3.list_buckets()\n",
        # a requests Session is not a boto3 client
        "import requests\n\ndef handler(event, context):\n    session = requests.Session()\n    return session.get('https://example.com', timeout=3).text\n",
    ],
)
def test_lk304_offers_no_fix_it_cannot_be_sure_of(tmp_path, source):
    found = fixes(tmp_path, {"app.py": source}, "LK304")
    assert found and all(fix is None for _, fix, _, _ in found), found


def test_lk304_fix_goes_after_a_constant_defined_below_the_handler(tmp_path):
    source = (
        "import boto3\n\ndef handler(event, context):\n    table = boto3.resource('dynamodb').Table(TABLE)\n"
        "    ddb = boto3.client('dynamodb', region_name=REGION)\n    return ddb.describe_table(TableName=TABLE)\n\n"
        "TABLE = 'orders'\nREGION = 'eu-west-1'\n"
    )
    found = dict((line, rest) for line, *rest in fixes(tmp_path, {"app.py": source}, "LK304"))
    applicability, title, fixed = found[5]
    assert applicability == "unsafe" and title == "Move `ddb = boto3.client('dynamodb', region_name=REGION)` to module scope"
    assert fixed.endswith("TABLE = 'orders'\nREGION = 'eu-west-1'\n\nddb = boto3.client('dynamodb', region_name=REGION)\n")
    assert "    ddb = " not in fixed
    assert found[4] == [None, None, None]  # `.Table(...)` of a resource made in the expression: not a plain assignment
