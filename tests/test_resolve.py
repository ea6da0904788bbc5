"""The shared resolver: which client a call goes through, constants and environment variables,
botocore Config, where a call runs (handler, loop, retry), data-sized collections and unbounded
payloads. Each test reads like the question a rule (or the template join) asks."""

from __future__ import annotations

from pathlib import Path

import ast

import pytest

from lintkit.python.module import parse_python
from lintkit.python.resolve import UNKNOWN, EnvVar, ModuleResolver, resolver_for
from lintkit.rule import example_text


def resolve(source: str) -> ModuleResolver:
    module = parse_python(example_text(source), path="app.py", abs_path=Path("app.py"))
    return resolver_for(module)


def calls(resolver: ModuleResolver, text: str) -> list[ast.Call]:
    """The calls whose source starts with `text`, in source order."""
    found = [c for c in resolver.calls() if resolver.module.code_of(c).startswith(text)]
    assert found, f"no call starts with {text!r}"
    return found


def call(resolver: ModuleResolver, text: str) -> ast.Call:
    return calls(resolver, text)[0]


def expr(resolver: ModuleResolver, text: str) -> ast.expr:
    """The first expression node whose source is exactly `text`."""
    for node in resolver.parents:
        if isinstance(node, ast.expr) and resolver.module.code_of(node) == text:
            return node
    raise AssertionError(f"no expression {text!r}")


# -- the resolver is built once per module ---------------------------------------------------


def test_resolver_is_memoised_on_the_module():
    resolver = resolve("x = 1\n")
    assert resolver_for(resolver.module) is resolver


# -- which client -----------------------------------------------------------------------------

CLIENT_FORMS = {
    "plain": """
        import boto3
        client = boto3.client("lambda")
        client.invoke(FunctionName="f")
        """,
    "import alias": """
        import boto3 as b3
        b3.client("lambda").invoke(FunctionName="f")
        """,
    "from import": """
        from boto3 import client as make_client
        lam = make_client("lambda")
        lam.invoke(FunctionName="f")
        """,
    "session module": """
        import boto3
        session = boto3.session.Session(region_name="eu-west-1")
        session.client("lambda").invoke(FunctionName="f")
        """,
    "Session()": """
        import boto3
        boto3.Session().client(service_name="lambda").invoke(FunctionName="f")
        """,
    "module global used in a function": """
        import boto3
        LAMBDA = boto3.client("lambda")
        def handler(event, context):
            LAMBDA.invoke(FunctionName="f")
        """,
    "class attribute": """
        import boto3
        class Invoker:
            def __init__(self):
                self.client = boto3.client("lambda")
            def run(self):
                self.client.invoke(FunctionName="f")
        """,
    "through a variable": """
        import boto3
        first = boto3.client("lambda")
        second = first
        second.invoke(FunctionName="f")
        """,
    "lazy global": """
        import boto3
        _client = None
        def get():
            global _client
            if _client is None:
                _client = boto3.client("lambda")
            return _client
        def handler(event, context):
            _client.invoke(FunctionName="f")
        """,
    "parameter with every caller passing it": """
        import boto3
        def run(client):
            client.invoke(FunctionName="f")
        def handler(event, context):
            run(boto3.client("lambda"))
        """,
    "returned by a factory function": """
        import functools
        import boto3
        @functools.lru_cache(maxsize=None)
        def lambda_client():
            return boto3.client("lambda")
        def handler(event, context):
            lambda_client().invoke(FunctionName="f")
        """,
    "returned by a method": """
        import boto3
        class Invoker:
            def __init__(self):
                self.client = self._make_client()
            def _make_client(self):
                return boto3.Session().client("lambda")
            def run(self):
                self.client.invoke(FunctionName="f")
        """,
    "function-level import": """
        def handler(event, context):
            import boto3
            boto3.client("lambda").invoke(FunctionName="f")
        """,
}


@pytest.mark.parametrize("source", CLIENT_FORMS.values(), ids=CLIENT_FORMS.keys())
def test_every_client_form_resolves_to_a_lambda_client(source):
    resolver = resolve(source)
    invoke = resolver.lambda_invoke(_invoke_call(resolver))
    assert invoke is not None
    assert invoke.client is not None and invoke.client.service == "lambda"
    assert invoke.target == "f"


def _invoke_call(resolver: ModuleResolver) -> ast.Call:
    return next(c for c in resolver.calls() if isinstance(c.func, ast.Attribute) and c.func.attr == "invoke")


def test_unknown_receiver_with_function_name_is_still_an_invoke():
    resolver = resolve(
        """
        def run(client):
            client.invoke(FunctionName="f", InvocationType="Event")
        """
    )
    invoke = resolver.lambda_invoke(_invoke_call(resolver))
    assert invoke is not None and invoke.client is None and invoke.is_async


def test_other_services_are_not_invokes():
    resolver = resolve(
        """
        import boto3
        boto3.client("bedrock-runtime").invoke_model(modelId="m")
        boto3.client("sagemaker-runtime").invoke(EndpointName="e")
        """
    )
    assert resolver.invokes() == []
    assert resolver.aws_call(call(resolver, "boto3.client(\"sagemaker")).service == "sagemaker-runtime"


@pytest.mark.parametrize(
    ("source", "library", "client_kind"),
    [
        ("import requests\nrequests.get('u')\n", "requests", None),
        ("import requests\ns = requests.Session()\ns.post('u')\n", "requests", "requests.Session"),
        ("from requests import session\nwith session() as s:\n    s.get('u')\n", "requests", "requests.Session"),
        ("import httpx\nhttpx.post('u')\n", "httpx", None),
        ("import httpx\nwith httpx.Client() as c:\n    c.get('u')\n", "httpx", "httpx.Client"),
        ("import httpx\nasync def f():\n    async with httpx.AsyncClient() as c:\n        await c.get('u')\n", "httpx", "httpx.AsyncClient"),
        ("import urllib3\nhttp = urllib3.PoolManager()\nhttp.request('GET', 'u')\n", "urllib3", "urllib3.PoolManager"),
        ("import aiohttp\nasync def f():\n    async with aiohttp.ClientSession() as s:\n        await s.get('u')\n", "aiohttp", "aiohttp.ClientSession"),
        ("from urllib.request import urlopen\nurlopen('u')\n", "urllib", None),
    ],
)
def test_http_libraries(source, library, client_kind):
    resolver = resolve(source)
    found = resolver.http_calls()
    assert len(found) == 1
    assert found[0].library == library
    assert (found[0].client.kind if found[0].client else None) == client_kind


def test_non_http_get_is_not_a_request():
    resolver = resolve("import os\nos.environ.get('X')\nd = {}\nd.get('k')\n")
    assert resolver.http_calls() == []


# -- imports of submodules sharing a root -----------------------------------------------------

# (imports and calls, the call to ask about, its qualified name). `import a.b` and `import a.c`
# both bind `a` to the package: each binding is the same module, so `a.b.f` stays known.
SHARED_ROOT_IMPORTS = {
    "import a.b, then import a.c": ("import urllib.request\nimport urllib.parse\nurllib.request.urlopen(u)\n", "urllib.request.urlopen", "urllib.request.urlopen"),
    "import a.c, then import a.b": ("import urllib.parse\nimport urllib.request\nurllib.request.urlopen(u)\n", "urllib.request.urlopen", "urllib.request.urlopen"),
    "the other submodule's call": ("import urllib.request\nimport urllib.parse\nurllib.parse.quote(u)\n", "urllib.parse.quote", "urllib.parse.quote"),
    "three submodules": ("import urllib.error\nimport urllib.request\nimport urllib.parse\nurllib.request.urlopen(u)\n", "urllib.request.urlopen", "urllib.request.urlopen"),
    "import a, then import a.b": ("import urllib\nimport urllib.request\nurllib.request.urlopen(u)\n", "urllib.request.urlopen", "urllib.request.urlopen"),
    "one statement": ("import urllib.parse, urllib.request\nurllib.request.urlopen(u)\n", "urllib.request.urlopen", "urllib.request.urlopen"),
    "import a.c and from a import b": ("import urllib.parse\nfrom urllib import request\nrequest.urlopen(u)\n", "request.urlopen", "urllib.request.urlopen"),
    "from a import b, then import a.c": ("from urllib import request\nimport urllib.parse\nurllib.parse.quote(u)\n", "urllib.parse.quote", "urllib.parse.quote"),
    "import a.b as x and import a.c": ("import urllib.request as ur\nimport urllib.parse\nur.urlopen(u)\n", "ur.urlopen", "urllib.request.urlopen"),
    "import a.c, then import a.b as x": ("import urllib.parse\nimport urllib.request as ur\nurllib.parse.quote(u)\n", "urllib.parse.quote", "urllib.parse.quote"),
    "import a.c as x and import a.b": ("import urllib.parse as up\nimport urllib.request\nurllib.request.urlopen(up.quote(u))\n", "urllib.request.urlopen", "urllib.request.urlopen"),
    "import a.b and import a.b as x": ("import urllib.request\nimport urllib.request as ur\nurllib.request.urlopen(u)\nur.urlopen(u)\n", "ur.urlopen", "urllib.request.urlopen"),
    "an alias spelling": ("import requests.sessions\nimport requests.adapters\nrequests.sessions.Session()\n", "requests.sessions.Session", "requests.Session"),
    "a.b in the module, a.c in the function": (
        "import urllib.request\ndef handler(event, context):\n    import urllib.parse\n    return urllib.request.urlopen(urllib.parse.quote(u))\n",
        "urllib.request.urlopen",
        "urllib.request.urlopen",
    ),
    "a.c in the module, a.b in the function": (
        "import urllib.parse\ndef handler(event, context):\n    import urllib.request\n    return urllib.request.urlopen(u)\n",
        "urllib.request.urlopen",
        "urllib.request.urlopen",
    ),
    "both in the function": (
        "def handler(event, context):\n    import urllib.parse\n    import urllib.request\n    return urllib.request.urlopen(u)\n",
        "urllib.request.urlopen",
        "urllib.request.urlopen",
    ),
    "both in the module, the call in a function": (
        "import urllib.request\nimport urllib.parse\ndef handler(event, context):\n    return urllib.request.urlopen(u)\n",
        "urllib.request.urlopen",
        "urllib.request.urlopen",
    ),
    "a.c imported in another function": (
        "import urllib.request\ndef quote(u):\n    import urllib.parse\n    return urllib.parse.quote(u)\ndef handler(event, context):\n    return urllib.request.urlopen(u)\n",
        "urllib.request.urlopen",
        "urllib.request.urlopen",
    ),
    "the same import in two branches": ("try:\n    import boto3\nexcept ImportError:\n    import boto3\nboto3.client('s3')\n", "boto3.client", "boto3.client"),
    # the same name bound to different things stays unknown
    "the root rebound by another module": ("import urllib.request\nfrom six.moves import urllib\nurllib.request.urlopen(u)\n", "urllib.request.urlopen", None),
    "the root rebound by a value": ("import urllib.request\nimport urllib.parse\nurllib = load()\nurllib.request.urlopen(u)\n", "urllib.request.urlopen", None),
    "one alias for two submodules": ("import urllib.request as lib\nimport urllib.parse as lib\nlib.urlopen(u)\n", "lib.urlopen", None),
    "try one module, else another": ("try:\n    import simplejson as json\nexcept ImportError:\n    import json\njson.loads(u)\n", "json.loads", None),
}


@pytest.mark.parametrize(("source", "text", "expected"), SHARED_ROOT_IMPORTS.values(), ids=SHARED_ROOT_IMPORTS.keys())
def test_imports_of_submodules_sharing_a_root(source, text, expected):
    resolver = resolve(source)
    assert resolver.callee(call(resolver, text)) == expected


def test_urlopen_beside_urllib_parse_is_an_http_call():
    resolver = resolve("import urllib.parse\nimport urllib.request\ndef handler(event, context):\n    return urllib.request.urlopen(event['url'])\n")
    [request] = resolver.http_calls()
    assert (request.library, request.timeout_state) == ("urllib", "none")
    assert request.call is call(resolver, "urllib.request.urlopen")


# -- values of one invocation ------------------------------------------------------------------

PER_INVOCATION_MODULE = """
    import os
    import boto3

    REGION = "eu-west-1"
    STAGE = os.environ["STAGE"]
    sts = boto3.client("sts")
    LOADED = sts.get_caller_identity()["Account"]

    def regional(region, stage=STAGE):
        use(region, stage)

    def handler(event, context):
        domain = event["requestContext"]["domainName"]
        creds = sts.assume_role(RoleArn=os.environ["ROLE"], RoleSessionName="s")["Credentials"]
        local = REGION
        for name in event["names"]:
            use(name)
        for fixed in ("a", "b"):
            use(fixed)
        regional(REGION)
        use(
            f"https://{domain}/{STAGE}",
            creds["AccessKeyId"],
            event.get("region", REGION),
            context.invoked_function_arn,
            [n.upper() for n in event["names"]],
            REGION,
            STAGE,
            os.environ.get("X", "y"),
            local,
            LOADED,
            f"https://{REGION}.example.com/{STAGE}",
            str(REGION).lower(),
            boto3.session.Session().region_name,
        )

    def other(event, context):
        regional(event["region"])
"""


def test_values_of_one_invocation():
    resolver = resolve(PER_INVOCATION_MODULE)
    uses = calls(resolver, "use(")
    main = max(uses, key=lambda c: len(c.args))
    varying = [resolver.per_invocation(arg) for arg in main.args]
    # the event, a call's result, the context: this invocation's; constants, os.environ, module values are not
    # (a session built without arguments reads the environment, as at module scope)
    assert varying == [True, True, True, True, True, False, False, False, False, False, False, False, False]
    name_loop, fixed_loop = (c for c in uses if resolver.module.code_of(c) in ("use(name)", "use(fixed)"))
    assert resolver.per_invocation(name_loop.args[0]) and not resolver.per_invocation(fixed_loop.args[0])
    # a parameter varies when one caller passes a varying argument (`other` passes the event's region)
    regional = next(c for c in uses if resolver.module.code_of(c) == "use(region, stage)")
    assert [resolver.per_invocation(a) for a in regional.args] == [True, False]


def test_long_access_chains_and_keys_read_from_the_event_vary():
    resolver = resolve(
        """
        ENDPOINTS = {"prod": "https://a", "dev": "https://b"}
        HEADER = "x-origin-verify-region"
        def handler(event, context):
            request = event["Records"][0]["cf"]["request"]
            headers = request["origin"]["custom"]["customHeaders"]
            region = headers[HEADER][0]["value"]
            use(region, ENDPOINTS[event["stage"]], ENDPOINTS["prod"], ENDPOINTS.get(event.get("stage"), "https://c"))
        """
    )
    assert [resolver.per_invocation(a) for a in call(resolver, "use(").args] == [True, True, False, True]


def test_a_parameter_that_every_caller_gives_a_constant_does_not_vary():
    resolver = resolve(
        """
        def helper(region, extra=None):
            use(region, extra)
        def handler(event, context):
            helper("eu-west-1")
            helper(region="us-east-1")
        def lone(value):
            use(value)
        """
    )
    helper_use, lone_use = calls(resolver, "use(")
    assert [resolver.per_invocation(a) for a in helper_use.args] == [False, False]
    # no caller in the module: the value comes from outside (the event of a handler)
    assert resolver.per_invocation(lone_use.args[0])


# -- constants and environment variables --------------------------------------------------------


def test_constants_literals_names_and_environment():
    resolver = resolve(
        """
        import os
        from os import getenv
        NAME = "orders"
        PREFIX = "arn:" + "aws"
        TARGET = os.environ["TARGET_FN"]
        QUEUE = os.environ.get("QUEUE_URL", "default-queue")
        OTHER = getenv("OTHER")
        TIMEOUT = int(os.environ["TIMEOUT"])
        def handler(event, context):
            local = 30
            use(NAME, PREFIX, TARGET, QUEUE, OTHER, TIMEOUT, local, event["x"], -2, 1.5, None)
        """
    )
    args = call(resolver, "use(").args
    values = [resolver.constant(a) for a in args]
    assert values[:7] == ["orders", "arn:aws", EnvVar("TARGET_FN"), EnvVar("QUEUE_URL", "default-queue"), EnvVar("OTHER"), EnvVar("TIMEOUT"), 30]
    assert values[7] is UNKNOWN
    assert values[8:] == [-2, 1.5, None]
    assert str(values[2]) == "env var TARGET_FN"


def test_a_name_bound_twice_to_different_values_is_unknown():
    resolver = resolve(
        """
        mode = "Event"
        if flag:
            mode = "RequestResponse"
        use(mode)
        """
    )
    assert resolver.constant(call(resolver, "use(").args[0]) is UNKNOWN


def test_keyword_through_a_kwargs_dict():
    resolver = resolve(
        """
        import boto3
        ASYNC = "Event"
        def handler(event, context):
            params = {"FunctionName": "worker", "InvocationType": ASYNC}
            boto3.client("lambda").invoke(**params)
            boto3.client("lambda").invoke(**dict(FunctionName="other"))
            boto3.client("lambda").invoke(**event["params"])
        """
    )
    first, second, third = resolver.invokes()
    assert (first.target, first.invocation_type) == ("worker", "Event")
    assert (second.target, second.invocation_type) == ("other", "RequestResponse")
    assert third.invocation_type is UNKNOWN  # the dict is not known: neither is the type


# -- botocore Config ----------------------------------------------------------------------------


def test_config_passed_directly_and_through_a_name():
    resolver = resolve(
        """
        import boto3
        from botocore.config import Config
        import botocore.config
        RETRIES = {"total_max_attempts": 1, "mode": "standard"}
        CONFIG = Config(connect_timeout=5, read_timeout=900, retries=RETRIES)
        a = boto3.client("lambda", config=CONFIG)
        b = boto3.client("lambda", config=botocore.config.Config(retries={"max_attempts": 2}))
        c = boto3.client("lambda")
        d = boto3.client("lambda", config=make_config())
        a.invoke(FunctionName="a"); b.invoke(FunctionName="b"); c.invoke(FunctionName="c"); d.invoke(FunctionName="d")
        """
    )
    a, b, c, d = (i.client.config for i in resolver.invokes())
    assert (a.connect_timeout, a.read_timeout, a.total_max_attempts, a.mode) == (5, 900, 1, "standard")
    assert a.total_attempts == 1 and a.retries_disabled and a.reruns_slow_callee() is False
    assert (b.read_timeout, b.max_attempts, b.total_attempts) == (None, 2, 3)
    assert b.effective_read_timeout == 60 and b.reruns_slow_callee() is True
    assert c.call is None and c.total_attempts == 5 and c.reruns_slow_callee() is True
    assert not d.readable and d.reruns_slow_callee() is UNKNOWN


def test_config_against_a_known_callee_timeout():
    resolver = resolve(
        """
        import boto3
        from botocore.config import Config
        boto3.client("lambda", config=Config(read_timeout=120)).invoke(FunctionName="slow")
        """
    )
    config = resolver.invokes()[0].client.config
    assert config.reruns_slow_callee() is False  # read_timeout is explicit: unknown callee is fine
    assert config.reruns_slow_callee(callee_timeout=300) is True
    assert config.reruns_slow_callee(callee_timeout=60) is False


# -- context: handler, loops, retries ------------------------------------------------------------


def test_handler_paths():
    resolver = resolve(
        """
        import requests
        requests.get("init", timeout=1)
        def helper():
            requests.get("helper", timeout=1)
        def unused():
            requests.get("unused", timeout=1)
        class Service:
            def run(self):
                self._send()
            def _send(self):
                requests.get("method", timeout=1)
        def handler(event, context):
            helper()
            Service().run()
        """
    )
    by_url = {h.call.args[0].value: h.call for h in resolver.http_calls()}
    on_path = {url for url, c in by_url.items() if resolver.in_handler_path(c, {"handler"})}
    assert on_path == {"init", "helper", "method"}
    assert not any(resolver.in_handler_path(c, frozenset()) for c in by_url.values())


def test_handler_paths_through_callbacks_nested_scopes_and_classes():
    resolver = resolve(
        """
        import requests
        from concurrent.futures import ThreadPoolExecutor
        def callback(item):
            requests.get("callback", timeout=1)
        def in_lambda():
            requests.get("lambda", timeout=1)
        def in_class_body():
            requests.get("class body", timeout=1)
        def record():
            requests.get("shadowed", timeout=1)
        class Worker:
            def go(cls):
                cls.step()
            def step(cls):
                requests.get("cls method", timeout=1)
        def handler(event, context):
            with ThreadPoolExecutor() as pool:
                pool.map(callback, event["items"])
            later = lambda: in_lambda()
            class Local:
                value = in_class_body()
            def nested():
                requests.get("nested", timeout=1)
            Worker.go(Worker)
            return [record for record in event["Records"]]
        """
    )
    by_url = {h.call.args[0].value: h.call for h in resolver.http_calls()}
    on_path = {url for url, c in by_url.items() if resolver.in_handler_path(c, {"handler"})}
    # a class named in the handler brings its methods; a comprehension's own variable is not the
    # module function of the same name
    assert on_path == {"callback", "lambda", "class body", "nested", "cls method"}
    names = {f.name for f in resolver.handler_functions({"handler"})}
    assert names == {"handler", "callback", "in_lambda", "in_class_body", "nested", "go", "step"}


def test_loops_include_comprehensions_but_not_the_iterable():
    resolver = resolve(
        """
        def handler(event, context):
            for record in load(event):
                send(record)
            results = [send(x) for x in fetch()]
            while more():
                send(None)
        """
    )
    assert resolver.context(call(resolver, "load(")).loops == ()
    assert len(resolver.context(call(resolver, "fetch(")).loops) == 0
    assert [type(l).__name__ for l in (resolver.context(c).loops[0] for c in calls(resolver, "send("))] == ["For", "ListComp", "While"]


RETRIED = {
    "tenacity decorator": """
        from tenacity import retry, stop_after_attempt
        @retry(stop=stop_after_attempt(3))
        def work():
            target()
        """,
    "tenacity bare decorator": """
        import tenacity
        @tenacity.retry
        def work():
            target()
        """,
    "backoff": """
        import backoff
        @backoff.on_exception(backoff.expo, Exception, max_tries=3)
        def work():
            target()
        """,
    "retrying": """
        from retrying import retry
        @retry(stop_max_attempt_number=3)
        def work():
            target()
        """,
    "tenacity Retrying loop": """
        from tenacity import Retrying, stop_after_attempt
        def work():
            for attempt in Retrying(stop=stop_after_attempt(3)):
                with attempt:
                    target()
        """,
    "tenacity controller call": """
        import tenacity
        retryer = tenacity.Retrying(stop=tenacity.stop_after_attempt(3))
        def work():
            target()
        def handler(event, context):
            retryer(work)
        """,
    "hand-written for loop": """
        import time
        def work():
            for attempt in range(3):
                try:
                    return target()
                except Exception:
                    time.sleep(2 ** attempt)
        """,
    "hand-written while loop": """
        def work():
            while True:
                try:
                    target()
                    break
                except ConnectionError:
                    continue
        """,
    "status-checking loop": """
        import time
        def work():
            for attempt in range(5):
                response = target()
                if response.ok:
                    break
                time.sleep(attempt)
        """,
    "every caller is retried": """
        from tenacity import retry
        def work():
            target()
        @retry
        def outer():
            work()
        """,
    "a server error goes round": """
        import time
        def work():
            for attempt in range(5):
                response = target()
                if response.status_code >= 500:
                    time.sleep(2)
                    continue
                return response.json()
        """,
    "while the request fails": """
        import time
        def work():
            response = None
            while response is None or not response.ok:
                response = target()
                time.sleep(1)
        """,
    "a throttle goes round, a leave on success": """
        import time
        def work():
            while True:
                try:
                    target()
                    break
                except ClientError as error:
                    if error.response["Error"]["Code"] == "ThrottlingException":
                        time.sleep(1)
                        continue
                    raise
        """,
    "failed records go round": """
        def work(records):
            for attempt in range(3):
                response = target(Records=records)
                if response["FailedPutCount"] == 0:
                    break
        """,
    "an item not found is an answer, the error goes round": """
        def work(key):
            for attempt in range(5):
                try:
                    response = target(Key=key)
                except ClientError:
                    continue
                if "Item" not in response:
                    return None
                return response["Item"]
        """,
}


@pytest.mark.parametrize("source", RETRIED.values(), ids=RETRIED.keys())
def test_retry_constructs(source):
    resolver = resolve(source)
    assert resolver.context(call(resolver, "target(")).retry is not None


NOT_RETRIED = {
    "plain": "def work():\n    target()\n",
    "loop over items": "def work(items):\n    for item in items:\n        try:\n            target(item)\n        except ValueError:\n            continue\n",
    "except that re-raises": "def work():\n    for attempt in range(3):\n        try:\n            return target()\n        except Exception:\n            raise\n",
    "polling while loop": "import time\ndef work():\n    while True:\n        if target():\n            break\n        time.sleep(5)\n",
    "one caller retried, one not": "from tenacity import retry\ndef work():\n    target()\n@retry\ndef a():\n    work()\ndef b():\n    work()\n",
    "polling counted with range()": """
        import time
        def work(snapshot_id):
            for i in range(30):
                time.sleep(10)
                status = target(SnapshotIds=[snapshot_id])["Snapshots"][0]["Status"]
                if status == "AVAILABLE":
                    break
        """,
    "polling that rides out errors": """
        import time
        def work(expected):
            while True:
                try:
                    items = target()["Items"]
                    if len(items) >= expected:
                        return items
                except ClientError:
                    pass
                time.sleep(1)
        """,
    "polling in the while test": """
        import time
        def work():
            status = "PENDING"
            while status != "DONE":
                try:
                    status = target()["status"]
                except ClientError:
                    pass
                time.sleep(5)
        """,
    "polling a terminal state with success in its name": """
        import time
        def work(arn):
            while True:
                execution = target(executionArn=arn)
                if execution["status"] == "SUCCEEDED":
                    return execution
                if execution["status"] in ("FAILED", "TIMED_OUT"):
                    raise RuntimeError(execution["status"])
                time.sleep(2)
        """,
    "paging that stops at the first error": """
        def work(pages):
            for page in range(1, 20):
                response = target(page)
                if response.status_code != 200:
                    break
                pages.append(response.json())
        """,
    "a status check it cannot read": """
        def work():
            for attempt in range(3):
                response = target()
                if response.status_code in RETRYABLE:
                    continue
                if response.json():
                    return response
        """,
}


@pytest.mark.parametrize("source", NOT_RETRIED.values(), ids=NOT_RETRIED.keys())
def test_not_retried(source):
    resolver = resolve(source)
    assert resolver.context(call(resolver, "target(")).retry is None


def test_a_retry_loop_is_named_and_a_polling_loop_is_not():
    resolver = resolve(RETRIED["a server error goes round"] + NOT_RETRIED["polling counted with range()"].replace("work(", "poll("))
    retry_loop, polling_loop = (resolver.context(c).loops[0] for c in calls(resolver, "target("))
    assert resolver.retry_loop(retry_loop).description == "a retry loop"
    assert resolver.retry_loop(polling_loop) is None
    assert resolver.retry_loops() == [retry_loop]


FAN_OUT = {
    "every item": ("for item in items:\n        target(item)\n", "for"),
    "a break only some items reach": ("for item in items:\n        target(item)\n        if item.last:\n            break\n", "for"),
    "a continue before the break": ("for item in items:\n        target(item)\n        if item.skip:\n            continue\n        break\n", "for"),
    "a break of the inner loop only": (
        "for batch in batches:\n        for item in batch:\n            target(item)\n            break\n", "outer"
    ),
    "invoke then break": ("for item in items:\n        if item.ready:\n            target(item)\n            break\n", None),
    "return of the invoke": ("for item in items:\n        if item.ready:\n            return target(item)\n", None),
    "invoke in a try, then break": (
        "for item in items:\n        try:\n            target(item)\n        except ClientError:\n            continue\n        break\n", None
    ),
    "the inner loop hands one off, the outer repeats": (
        "for batch in batches:\n        for item in batch:\n            target(item)\n            return\n", None
    ),
}


@pytest.mark.parametrize(("body", "expected"), FAN_OUT.values(), ids=FAN_OUT.keys())
def test_fan_out_loop_skips_a_single_hand_off(body, expected):
    resolver = resolve(f"def work(items, batches):\n    {body}")
    found = resolver.fan_out_loop(call(resolver, "target("))
    if expected is None:
        assert found is None
    else:
        loop, site = found
        assert site is None
        outermost = resolver.module.tree.body[0].body[0]
        assert loop is (outermost if expected == "outer" else resolver.context(call(resolver, "target(")).loops[-1])


def test_fan_out_loop_through_a_call_site_that_leaves():
    resolver = resolve(
        """
        def notify(user):
            target(user)

        def first(users):
            for user in users:
                if user.active:
                    notify(user)
                    break

        def every(users):
            for user in users:
                notify(user)
        """
    )
    loop, site = resolver.fan_out_loop(call(resolver, "target("))
    assert resolver.module.location_of(site).line == 12 and loop is resolver.context(site).loops[0]


def test_a_session_built_by_a_factory_keeps_its_adapter():
    resolver = resolve(
        """
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        def make_session():
            value = requests.Session()
            retry = Retry(total=4, backoff_factor=2, status_forcelist=[429, 500, 502, 503, 504])
            value.mount("https://", HTTPAdapter(max_retries=retry))
            return value

        SESSION = make_session()

        def handler(event, context):
            return SESSION.get(event["url"], timeout=5)
        """
    )
    [request] = resolver.http_calls()
    assert request.client.kind == "requests.Session"
    assert request.retry_policy == "an HTTPAdapter with max_retries"


def test_client_retry_policies():
    resolver = resolve(
        """
        import requests, httpx, urllib3
        from requests.adapters import HTTPAdapter
        from urllib3.util import Retry
        retrying = requests.Session()
        retrying.mount("https://", HTTPAdapter(max_retries=Retry(total=3)))
        plain = requests.Session()
        plain.mount("https://", HTTPAdapter(pool_maxsize=20))
        transport = httpx.Client(transport=httpx.HTTPTransport(retries=2))
        pool = urllib3.PoolManager(retries=Retry(3, backoff_factor=1))
        retrying.get("a"); plain.get("b"); transport.get("c"); pool.request("GET", "d"); urllib3.request("GET", "e")
        """
    )
    policies = [h.retry_policy for h in resolver.http_calls()]
    assert policies == ["an HTTPAdapter with max_retries", None, "an HTTPTransport with retries", "urllib3 retries=", None]


def test_http_timeouts():
    resolver = resolve(
        """
        import requests, httpx, urllib3, aiohttp
        from urllib.request import urlopen
        requests.get("a")
        requests.get("b", timeout=5)
        requests.get("c", timeout=None)
        requests.get("d", **options)
        httpx.get("e")
        httpx.Client(timeout=None).get("f")
        urllib3.PoolManager(timeout=3).request("GET", "g")
        urllib3.PoolManager().request("GET", "h")
        urlopen("i", None, 10)
        urlopen("j")
        async def f():
            async with aiohttp.ClientSession() as s:
                await s.get("k")
        """
    )
    states = [h.timeout_state for h in resolver.http_calls()]
    assert states == ["none", "call", "none", "unknown", "default", "none", "client", "none", "call", "none", "default"]


def test_http_verbs_and_urls():
    resolver = resolve(
        """
        import requests, httpx, urllib3, aiohttp
        from urllib.request import Request, urlopen
        requests.post("a", json={})
        requests.request("patch", "b")
        requests.request(verb, "c")
        urllib3.PoolManager().request("DELETE", "d")
        httpx.Client().send(prepared)
        urlopen("e")
        urlopen("f", b"body")
        urlopen(Request("g", data=b"x"))
        urlopen(Request("h", method="PUT"))
        requests.get(url="i")
        """
    )
    found = [(h.verb, resolver.code(h.url) if h.url is not None else None) for h in resolver.http_calls()]
    assert found == [
        ("POST", '"a"'), ("PATCH", '"b"'), (UNKNOWN, '"c"'), ("DELETE", '"d"'), (UNKNOWN, None),
        ("GET", '"e"'), ("POST", '"f"'), ("POST", '"g"'), ("PUT", '"h"'), ("GET", '"i"'),
    ]


@pytest.mark.parametrize(
    ("methods", "verb", "skipped"),
    [
        ("", "POST", "POST"),  # the default methods leave POST out
        ("", "GET", None),
        ("", "PATCH", "PATCH"),
        (", allowed_methods=['GET', 'POST']", "POST", None),
        (", allowed_methods=frozenset({'post'})", "POST", None),
        (", allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {'POST'}", "POST", None),
        (", allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {'POST'}", "PATCH", "PATCH"),
        (", allowed_methods=None", "PATCH", None),  # None: every verb
        (", method_whitelist=['POST']", "POST", None),  # urllib3 < 1.26's spelling
        (", allowed_methods=SOME_METHODS", "POST", None),  # unknown: given the benefit
        (", **more", "POST", None),
    ],
)
def test_retry_allowed_methods(methods, verb, skipped):
    resolver = resolve(
        f"""
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry
        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, status_forcelist=[503]{methods})))
        session.request("{verb}", "https://example.com")
        """
    )
    [request] = resolver.http_calls()
    assert request.retry_policy == "an HTTPAdapter with max_retries"
    assert request.retry_skips_verb == skipped


def test_retry_given_as_a_count_keeps_the_default_methods():
    resolver = resolve(
        """
        import urllib3
        pool = urllib3.PoolManager(retries=3)
        pool.request("POST", "a"); pool.request("GET", "b")
        """
    )
    assert [h.retry_skips_verb for h in resolver.http_calls()] == ["POST", None]


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ('"http://localhost:2773/x"', "http://localhost:2773/x"),
        ('f"http://localhost:{port}/x"', "http://localhost:"),
        ('"http://127.0.0.1:" + port + "/x"', "http://127.0.0.1:"),
        ('"http://localhost:{}/x".format(port)', "http://localhost:"),
        ('"http://localhost:%s/x" % port', "http://localhost:"),
        ("URL", "http://localhost:"),  # a name bound once to an f-string
        ('f"{base}/x"', None),
        ("event['url']", None),
    ],
)
def test_string_prefix(url, prefix):
    resolver = resolve(f'URL = f"http://localhost:{{port}}/p"\nvalue = {url}\n')
    assert resolver.string_prefix(resolver.module.tree.body[-1].value) == prefix


def test_http_error_handler():
    resolver = resolve(
        """
        import requests
        from requests import RequestException
        def handler(event, context):
            try:
                requests.get("a")
            except ValueError:
                pass
            try:
                requests.get("b")
            except (KeyError, RequestException):
                pass
            try:
                requests.get("c")
            except OSError:
                pass
            try:
                pass
            except Exception:
                requests.get("d")
            try:
                def inner():
                    requests.get("e")
            except Exception:
                pass
        """
    )
    handlers = [resolver.http_error_handler(h) for h in resolver.http_calls()]
    assert [h.lineno if h is not None else None for h in handlers] == [None, 10, 14, None, None]


# -- data-sized collections -------------------------------------------------------------------


def test_data_sized_collections():
    resolver = resolve(
        """
        import json
        def handler(event, context):
            records = event["Records"]
            body = json.loads(records[0]["body"])
            tasks = []
            for record in records:
                tasks.append(work(record))
            pages = paginator.paginate(Bucket="b")
            found = table.query(KeyConditionExpression=k)["Items"]
            use(
                records, body["items"], tasks, pages, found, [x for x in records],
                [1, 2, 3], ("a", "b"), range(3), range(500), range(len(records)), context, event,
            )
        def helper(urls, limit=10):
            use(urls, limit)
        """
    )
    sized = [resolver.data_source(a) for a in call(resolver, "use(\n").args]
    assert all(sized[:6]), sized
    assert sized[6:10] == [None, None, None, "range(500)"]
    assert sized[10] is not None and sized[11] is None and sized[12] is not None
    urls, limit = (resolver.data_source(a) for a in call(resolver, "use(urls").args)
    assert urls == "parameter `urls`" and limit is None


def test_size_sources():
    resolver = resolve(
        """
        FIXED = ["a", "b"]
        def handler(event, context):
            items = event["items"]
            use(len(items), len(FIXED), len([1, 2]), min(len(items), 8), event["workers"], 4, len(items) * 2)
        """
    )
    sizes = [resolver.size_source(a) for a in call(resolver, "use(").args]
    assert [s is not None for s in sizes] == [True, False, False, False, True, False, True]


# -- unbounded data ----------------------------------------------------------------------------


def test_unbounded_data():
    resolver = resolve(
        """
        import base64, json
        def handler(event, context):
            body = s3.get_object(Bucket="b", Key="k")["Body"].read()
            with open("/tmp/data") as f:
                whole = f.read()
            items = []
            for page in paginator.paginate(Bucket="b"):
                items.extend(page["Contents"])
            scanned = table.scan()["Items"]
            limited = table.scan(Limit=10)["Items"]
            for record in event["Records"]:
                pass
            use(
                body, base64.b64encode(body), whole, items, json.dumps({"all": scanned}), f"{scanned}",
                event["Records"], json.dumps(event), limited, event["key"], record,
            )
        """
    )
    found = [resolver.unbounded_data(a) for a in call(resolver, "use(\n").args]
    assert found[:8] == [
        "a whole S3 object body (`.read()`)",
        "a whole S3 object body (`.read()`)",
        "a whole file",
        "all pages of a paginator",
        "one DynamoDB scan() page without Limit (up to 1 MB)",
        "one DynamoDB scan() page without Limit (up to 1 MB)",
        "the whole batch of records (`event['Records']`)",
        "the whole event (a batch of records)",
    ]
    assert found[8:] == [None, None, None]


def test_a_list_made_anew_for_each_record_holds_one_record():
    resolver = resolve(
        """
        def handler(event, context):
            for record in event["Records"]:
                per_record = []
                per_record.append(record["body"])
                use(per_record)
            across = []
            for record in event["Records"]:
                across.append(record["body"])
                if len(across) == 10:
                    use(across)
                    across = []
            for record in event["Records"]:
                if record["eventName"] == "INSERT":
                    grouped = []
                grouped.append(record)
                use(grouped)
            for record in event["Records"]:
                nested = []
                for page in paginator.paginate(Bucket=record["bucket"]):
                    nested.extend(page["Contents"])
                use(nested)
        """
    )
    found = [resolver.unbounded_data(c.args[0]) for c in calls(resolver, "use(")]
    batch = "the whole batch of records (`event['Records']`)"
    # made anew before the fill: one record; chunks and a reset under an `if` span records; the
    # inner paginator is still unbounded
    assert found == [None, batch, batch, "all pages of a paginator"]


def test_returns_unbounded_for_the_response_size_rule():
    resolver = resolve(
        """
        def handler(event, context):
            if event.get("all"):
                return {"items": table.scan()["Items"]}
            page = table.scan(Limit=50)
            return {"items": page["Items"], "next": page.get("LastEvaluatedKey")}
        """
    )
    function = resolver.module.top_level_functions()["handler"]
    found = resolver.returns_unbounded(function)
    assert [reason for _, reason in found] == ["one DynamoDB scan() page without Limit (up to 1 MB)"]
    # one page reads at most 1 MB: within a 6 MB response, not within an ALB's 1 MB
    assert resolver.returns_unbounded(function, 6) == []
    assert [(node.lineno, reason) for node, reason in resolver.returns_unbounded(function, 1)] == [(3, "one DynamoDB scan() page without Limit (up to 1 MB)")]


GATHERED_PAGES = {
    "extend over LastEvaluatedKey": (
        """
        def handler(event, context):
            response = table.scan()
            items = response["Items"]
            while "LastEvaluatedKey" in response:
                response = table.scan(ExclusiveStartKey=response["LastEvaluatedKey"])
                items.extend(response["Items"])
            return {"items": items}
        """,
        "DynamoDB pages gathered in `items` by a while loop",
    ),
    "+= in a while True loop": (
        """
        def handler(event, context):
            items, kwargs = [], {}
            while True:
                page = table.query(KeyConditionExpression=KEY, **kwargs)
                items += page["Items"]
                if "LastEvaluatedKey" not in page:
                    break
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            return items
        """,
        "DynamoDB pages gathered in `items` by a while loop",
    ),
    "a query per key": (
        """
        def handler(event, context):
            found = []
            for key in event["keys"]:
                found.append(table.query(KeyConditionExpression=Key("pk").eq(key))["Items"])
            return found
        """,
        "DynamoDB pages gathered in `found` by the loop over `event[\"keys\"]`",
    ),
    "a query per key, in a comprehension": (
        """
        def handler(event, context):
            return [table.query(KeyConditionExpression=Key("pk").eq(k))["Items"] for k in KEYS]
        """,
        "DynamoDB pages gathered by the comprehension over `KEYS`",
    ),
    "every page of a paginator": (
        """
        def handler(event, context):
            return [item for page in paginator.paginate(TableName="t") for item in page["Items"]]
        """,
        "all pages of a paginator",
    ),
    # near-misses: one page
    "one page and its cursor": (
        """
        def handler(event, context):
            page = table.scan(ExclusiveStartKey=event["cursor"]) if event.get("cursor") else table.scan()
            return {"items": page["Items"], "cursor": page.get("LastEvaluatedKey")}
        """,
        "one DynamoDB scan() page without Limit (up to 1 MB)",
    ),
    "one page, the first that has items": (
        """
        def handler(event, context):
            kwargs = {}
            while True:
                page = table.query(KeyConditionExpression=KEY, **kwargs)
                if page["Items"]:
                    return page["Items"]
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        """,
        "one DynamoDB query() page without Limit (up to 1 MB)",
    ),
    "the page's items through .get": (
        """
        def handler(event, context):
            response = table.query(KeyConditionExpression=KEY)
            products = response.get("Items", [])
            return {"body": json.dumps({"products": products})}
        """,
        "one DynamoDB query() page without Limit (up to 1 MB)",
    ),
    "a list made afresh in each iteration": (
        """
        def handler(event, context):
            for shard in event["shards"]:
                batch = []
                batch.extend(table.query(KeyConditionExpression=Key("pk").eq(shard))["Items"])
                return batch
        """,
        "one DynamoDB query() page without Limit (up to 1 MB)",
    ),
}


@pytest.mark.parametrize(("source", "expected"), GATHERED_PAGES.values(), ids=GATHERED_PAGES.keys())
def test_pages_gathered_in_a_loop_have_no_bound(source, expected):
    resolver = resolve(source)
    function = resolver.module.top_level_functions()["handler"]
    found = [reason for _, reason in resolver.returns_unbounded(function)]
    assert found == ([expected] if expected else [])
    # over a 6 MB limit only gathered pages count
    gathered = expected is not None and not expected.startswith("one DynamoDB")
    assert [reason for _, reason in resolver.returns_unbounded(function, 6)] == ([expected] if gathered else [])


# -- robustness -----------------------------------------------------------------------------------


def test_deeply_nested_and_odd_code_does_not_crash():
    source = "x = " + "(" * 200 + "1" + ")" * 200 + "\n" + "def f(*a, **k):\n    global g\n    g = lambda y: y\n    [z async for z in a]\n    del a\n"
    resolver = resolve(source)
    assert resolver.invokes() == [] and resolver.http_calls() == []


def test_recursive_bindings_terminate():
    resolver = resolve(
        """
        a = b
        b = a
        c = c.d
        def f(x=f):
            x.invoke(FunctionName="n")
            return f(x)
        a.get("u")
        """
    )
    assert resolver.http_calls() == []
    assert resolver.instance(expr(resolver, "a")) is None
    assert resolver.constant(expr(resolver, "c")) is UNKNOWN
