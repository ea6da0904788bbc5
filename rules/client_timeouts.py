"""LK6xx timeouts found in code: HTTP requests that can wait forever.

Facts: [§2.1](../lambda-facts.md#s2-1) (the function timeout ends what a call does not). Library
defaults: requests and urllib3 wait without limit unless given a timeout, `urllib.request.urlopen`
uses the socket default (none), httpx times out after 5 s of inactivity unless `timeout=None`;
aiohttp's default is a 5-minute total ([§13.6](../lambda-facts.md#s13-6)): reported when the function's `Timeout` is shorter."""

from __future__ import annotations

import ast
import math

from lintkit.findings import Applicability, Fix, Severity
from lintkit.fixes import codemod, python_fix
from lintkit.python.resolve import HttpCall, resolver_for
from lintkit.rule import CodeRule, Example
from lintkit.templates.model import FromParameter, value_origin

TIMEOUT_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"
AIOHTTP_TIMEOUT_DOCS = "https://docs.aiohttp.org/en/stable/client_quickstart.html#timeouts"
# aiohttp's `ClientSession` default: `ClientTimeout(total=300)`.
AIOHTTP_DEFAULT_TOTAL = 300

_ADVICE = {
    "requests": "pass timeout=(connect, read), e.g. timeout=(3.05, 10)",
    "urllib3": "pass timeout=urllib3.Timeout(connect=..., read=...) to the request or the PoolManager",
    "urllib": "pass timeout=<seconds> to urlopen",
    "httpx": "keep a finite timeout (httpx.Timeout(10.0, connect=3.0))",
    "aiohttp": "pass timeout=aiohttp.ClientTimeout(total=...)",
}


# The timeouts LK605's fix writes when no function's Timeout is known: requests' (connect, read)
# with the connect timeout its documentation suggests, and one number for the other libraries.
DEFAULT_CONNECT = 3.05
DEFAULT_READ = 10
# Libraries whose timeout LK605's fix writes, and the position of a positional timeout.
_FIXED_LIBRARIES = {"requests": None, "urllib3": None, "urllib": 2, "httpx": None}


def _floor(seconds: float) -> str:
    """Seconds rounded down to hundredths, written without trailing zeros."""
    return f"{math.floor(seconds * 100) / 100:g}"


def timeout_for(library: str, function_timeout: float | None) -> str:
    """The `timeout=` LK605's fix writes. With the function's Timeout known, one call may take
    at most half of it (connect plus one read), leaving the rest for handling the error and the
    rest of the invocation: requests gets (connect, read) with connect = min(3.05, a quarter)
    and read = min(10, what is left of the half); the other libraries, whose one number bounds
    the connect and each read, get min(10, a quarter). Without a known Timeout: (3.05, 10) and 10."""
    if function_timeout is None:
        return f"({DEFAULT_CONNECT:g}, {DEFAULT_READ})" if library == "requests" else str(DEFAULT_READ)
    budget = function_timeout / 2
    if library == "requests":
        connect = min(DEFAULT_CONNECT, budget / 2)
        return f"({_floor(connect)}, {_floor(min(DEFAULT_READ, budget - connect))})"
    return _floor(min(DEFAULT_READ, budget / 2))


@codemod("lk605-timeout")
def _add_timeout(text, location, arguments):
    from lintkit.python.codemods import has_star_arguments, keyword, positional, rewrite, with_keyword
    import libcst as cst

    def change(source):
        call = source.node_at(location, cst.Call)
        if call is None or has_star_arguments(call):
            return None
        position = arguments.get("position")
        args = positional(call)
        if keyword(call, "timeout") is None and position is not None and len(args) > position:
            new = call.with_deep_changes(args[position], value=cst.parse_expression(arguments["value"]))
        else:
            new = with_keyword(call, "timeout", arguments["value"])
        return None if new is None else source.module.deep_replace(call, new)

    return rewrite(text, change)


def _template(timeout: int) -> str:
    return f"""
Transform: AWS::Serverless-2016-10-31
Resources:
  Fetcher:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: {timeout}
"""


class HttpCallWithoutTimeout(CodeRule):
    """
    ## What it does
    Finds HTTP requests that can wait without limit: `requests` calls (module functions or a
    `Session`) without `timeout=`, `urllib3` requests with no timeout on the call or its
    `PoolManager`, `urllib.request.urlopen` without a timeout, and any request whose timeout is
    set to `None` (httpx included). An aiohttp request with no timeout of its own (none on the
    call, no `ClientTimeout` on the session) is reported when the template gives the function
    running it a `Timeout` shorter than aiohttp's default total of 300 s.

    ## Why is this bad?
    requests and urllib3 wait for a connection and for each read forever unless told otherwise.
    A server that accepts the connection and stalls keeps the invocation running until the
    function's own `Timeout` kills it (up to 900 s of billed waiting), with no error the code
    can handle or retry. aiohttp does give up, but only after a total of
    5 minutes by default (see the aiohttp timeouts documentation): a function with a shorter
    `Timeout` is stopped first, in the same way.

    ## Example
    ```python
    def handler(event, context):
        return requests.get(f"{API}/orders/{event['id']}").json()
    ```

    Use instead:
    ```python
    def handler(event, context):
        return requests.get(f"{API}/orders/{event['id']}", timeout=(3.05, 10)).json()
    ```

    ## Known problems
    Requests to `http://localhost` or `http://127.0.0.1` go to a Lambda extension running
    beside the function (such as the Parameters and Secrets extension on port 2773) and are
    not reported. httpx is reported only for `timeout=None` (its default is 5 s). aiohttp without a timeout
    is reported only when a template links the code and a function running it has a `Timeout`
    below 300 s; with no template it is not. A `ClientTimeout` on the session counts as a
    timeout whatever its values. A requests `Session` with a custom
    adapter mounted, or a call with `**kwargs`, may set a timeout we cannot see and is not
    reported.

    ## Fix safety
    The fix adds `timeout=` to the call (or replaces a `timeout=None` written on it); it does
    nothing for a timeout disabled on the session or pool, or for a call that passes `*args` or
    `**kwargs`, which may already carry one. The value leaves the function time to handle the
    error: one request may take at most half of the function's `Timeout` (the shortest, when
    several functions run the code). For requests that is `timeout=(connect, read)` with
    `connect` = 3.05 s (the value the requests documentation suggests) or a quarter of the
    `Timeout` when shorter, and `read` = what is left of the half, at most 10 s; urllib3,
    httpx and `urlopen` take one number that bounds the connection and each read, so they get
    a quarter of the `Timeout`, at most 10 s. A function with a 30 s `Timeout` gets
    `timeout=(3.05, 10)` or `timeout=7.5`. The read timeout bounds each wait for data, not the
    whole download: a server that trickles bytes can still hold the call longer.

    The fix is **safe** when the request only reads (`GET`, `HEAD`, `OPTIONS`) and the template
    gives every function that runs the code a literal `Timeout` (the default of 3 s counts):
    the call then raises a timeout error the code can handle (or retry) instead of being killed
    with the invocation, and giving up on a read changes nothing on the server. It is **unsafe**
    for any other method, or one lintkit cannot tell: a `POST` that times out on the client may
    still be completed by the server (a payment taken, an order placed), so the code must treat
    the timeout as "unknown outcome", which a person has to check; when the `Timeout` is
    unknown (no template, or a parameter whose value is chosen at deploy), where it writes the
    default `timeout=(3.05, 10)` (or `10`), which may cut off a slow endpoint the code relies
    on; and when it replaces a `timeout=None` someone wrote on purpose.
    """

    code = "LK605"
    name = "http-call-without-timeout"
    fixable = True
    summary = "An HTTP request with no timeout runs until the function times out."
    severity = Severity.WARNING
    references = (TIMEOUT_DOCS, AIOHTTP_TIMEOUT_DOCS)
    TRIGGERS = ("requests", "httpx", "urllib3", "urlopen", "aiohttp")
    INVALID = (
        Example(
            python="""
            import requests

            API = "https://orders.example.com"

            def handler(event, context):
                return requests.get(f"{API}/orders/{event['id']}").json()
            """,
            line=6,
            fix="unsafe",
            fixed="""
            import requests

            API = "https://orders.example.com"

            def handler(event, context):
                return requests.get(f"{API}/orders/{event['id']}", timeout=(3.05, 10)).json()
            """,
        ),
        # the function's Timeout is known: half of it, in the call's own layout; a POST, so the
        # fix is unsafe (the server may still complete a request the client gave up on)
        Example(
            python="""
            import requests

            def handler(event, context):
                response = requests.post(
                    event["callback"],
                    json={"status": "done"},  # the body
                    headers={"Authorization": event["token"]},
                )
                return response.status_code
            """,
            template=_template(10),
            line=4,
            fix="unsafe",
            fixed="""
            import requests

            def handler(event, context):
                response = requests.post(
                    event["callback"],
                    json={"status": "done"},  # the body
                    headers={"Authorization": event["token"]},
                    timeout=(2.5, 2.5),
                )
                return response.status_code
            """,
        ),
        # a Session's call, in a function with the default Timeout of 3 s
        Example(
            python="""
            import requests

            session = requests.Session()

            def handler(event, context):
                return session.get(event["url"]).text  # the page
            """,
            template=_template(3).replace("      Timeout: 3\n", ""),
            line=6,
            fix="safe",
            fixed="""
            import requests

            session = requests.Session()

            def handler(event, context):
                return session.get(event["url"], timeout=(0.75, 0.75)).text  # the page
            """,
        ),
        # timeout=None written on the call: replaced, but it was someone's choice
        Example(
            python="""
            import requests

            def handler(event, context):
                return requests.get(event["url"], timeout=None).json()
            """,
            template=_template(60),
            line=4,
            fix="unsafe",
            fixed="""
            import requests

            def handler(event, context):
                return requests.get(event["url"], timeout=(3.05, 10)).json()
            """,
        ),
        Example(
            python="""
            import urllib3

            http = urllib3.PoolManager(retries=urllib3.Retry(3, backoff_factor=0.5))

            def handler(event, context):
                return http.request("GET", event["url"]).data
            """,
            line=6,
            fix="unsafe",
            fixed="""
            import urllib3

            http = urllib3.PoolManager(retries=urllib3.Retry(3, backoff_factor=0.5))

            def handler(event, context):
                return http.request("GET", event["url"], timeout=10).data
            """,
        ),
        Example(
            python="""
            import httpx

            client = httpx.Client(timeout=None)

            def handler(event, context):
                return client.get(event["url"]).text
            """,
            line=6,
        ),
        # aiohttp's 300 s default outlasts the function's 30 s
        Example(
            python="""
            import asyncio
            import aiohttp

            async def fetch(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.json()

            def handler(event, context):
                return asyncio.run(fetch(event["url"]))
            """,
            template=_template(30),
            line=6,
        ),
        # urlopen, with another submodule of urllib imported beside it
        Example(
            python="""
            import urllib.parse
            import urllib.request

            def handler(event, context):
                query = urllib.parse.urlencode(event["query"])
                return urllib.request.urlopen(f"https://api.example.com/items?{query}").read()
            """,
            template=_template(30),
            line=6,
            fix="safe",
            fixed="""
            import urllib.parse
            import urllib.request

            def handler(event, context):
                query = urllib.parse.urlencode(event["query"])
                return urllib.request.urlopen(f"https://api.example.com/items?{query}", timeout=7.5).read()
            """,
        ),
        # urlopen's timeout written positionally as None
        Example(
            python="""
            from urllib.request import urlopen

            def handler(event, context):
                return urlopen(event["url"], None, None).read()
            """,
            line=4,
            fix="unsafe",
            fixed="""
            from urllib.request import urlopen

            def handler(event, context):
                return urlopen(event["url"], None, 10).read()
            """,
        ),
    )
    VALID = (
        # the Parameters and Secrets extension, beside the function on localhost
        """
        import os
        import requests

        def handler(event, context):
            headers = {"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]}
            url = f"http://localhost:2773/secretsmanager/get?secretId={event['secret']}"
            return requests.get(url, headers=headers).json()["SecretString"]
        """,
        # aiohttp with a ClientTimeout on the session
        Example(
            python="""
            import asyncio
            import aiohttp

            async def fetch(url):
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
                    async with session.get(url) as response:
                        return await response.json()

            def handler(event, context):
                return asyncio.run(fetch(event["url"]))
            """,
            template=_template(30),
        ),
        # aiohttp's default is shorter than the function's Timeout: aiohttp gives up first
        Example(
            python="""
            import asyncio
            import aiohttp

            async def fetch(url):
                async with aiohttp.ClientSession() as session:
                    async with session.get(url) as response:
                        return await response.json()

            def handler(event, context):
                return asyncio.run(fetch(event["url"]))
            """,
            template=_template(600),
        ),
        # requests through a session with Retry and an explicit timeout
        """
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5)))

        def handler(event, context):
            return session.get(event["url"], timeout=(3.05, 10)).json()
        """,
        # httpx's 5 s default
        """
        import httpx

        def handler(event, context):
            return httpx.get(event["url"]).text
        """,
        # urllib3 with a pool-wide timeout
        """
        import urllib3

        http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=2.0, read=10.0))

        def handler(event, context):
            return http.request("GET", event["url"]).data
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        request = resolver.http_call(node)
        if request is not None and request.library == "aiohttp" and request.timeout_state == "default":
            self._aiohttp_default(resolver, request)
        if request is None or request.timeout_state != "none" or resolver.calls_localhost(request):
            return
        name = f"`{resolver.code(node.func, 40)}(...)`"
        if request.timeout is not None or request.library == "httpx":
            problem = f"{name} runs with timeout=None"
        else:
            problem = f"{name} has no timeout ({request.library} waits without limit by default)"
        self.report(
            node,
            f"{problem}: a stalled server holds the invocation until the function times out; {_ADVICE[request.library]}",
            fix=self._fix(request),
        )

    def _fix(self, request: HttpCall) -> Fix | None:
        """`timeout=` on the call: safe with a value derived from the Timeout of every function
        that runs it (written in the template), unsafe with a default otherwise, and unsafe when
        it replaces a `timeout=None` written on purpose. No fix when the None comes from the
        client (the session or pool), or when `*args` / `**kwargs` may carry a timeout."""
        call = request.call
        if request.library not in _FIXED_LIBRARIES or any(isinstance(a, ast.Starred) for a in call.args):
            return None
        if any(k.arg is None for k in call.keywords):
            return None
        if request.timeout is not None and not any(request.timeout is v for v in [*call.args, *(k.value for k in call.keywords)]):
            return None  # `timeout=None` on the client: the call is not where to change it
        functions = self.context.functions_running(request.context.function)
        timeouts = [f.timeout for f in functions]
        known = bool(timeouts) and all(isinstance(t, int) for t in timeouts)
        limit = min(timeouts) if known else None  # type: ignore[type-var]
        value = timeout_for(request.library, limit)
        if limit is None:
            why = "a default: no template gives the Timeout of the function running it"
        else:
            name = next(f.logical_id for f in functions if f.timeout == limit)
            why = f"connect and read within half of {name}'s Timeout of {limit} s{value_origin(limit)}"
        replaces = request.timeout is not None
        read_only = request.verb in _READ_ONLY_METHODS
        if not read_only:
            verb = request.verb if isinstance(request.verb, str) else "a method lintkit cannot tell"
            why += f"; review it: {verb} may change something, which the server can still complete after the call gives up"
        title = f"{'Replace timeout=None with' if replaces else 'Add'} timeout={value} ({why})"
        safe = read_only and not replaces and limit is not None and not any(isinstance(t, FromParameter) for t in timeouts)
        applicability = Applicability.SAFE if safe else Applicability.UNSAFE
        return python_fix(title, applicability, "lk605-timeout", value=value, position=_FIXED_LIBRARIES[request.library])


    def _aiohttp_default(self, resolver, request) -> None:
        """aiohttp's 300 s default total against the Timeout of the functions running the call."""
        timeouts = sorted(
            (function.timeout, function.logical_id)
            for function in self.context.functions_running(request.context.function)
            if isinstance(function.timeout, int)
        )
        if not timeouts or timeouts[0][0] >= AIOHTTP_DEFAULT_TOTAL:
            return
        limit, name = timeouts[0]
        self.report(
            request.call,
            f"`{resolver.code(request.call.func, 40)}(...)` has no timeout of its own: aiohttp's default total of "
            f"{AIOHTTP_DEFAULT_TOTAL} s is longer than {name}'s Timeout of {limit} s{value_origin(limit)}, so a stalled server holds the "
            f"invocation until the function times out; {_ADVICE['aiohttp']} below {limit} s, on the call or the ClientSession",
        )


# Requests that read only (RFC 9110 §9.2.1): giving up on one early changes nothing on the server.
_READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _seconds(value: object) -> float | None:
    """A timeout constant in seconds: a number, or requests' (connect, read) pair (summed: both
    can elapse in one attempt)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (tuple, list)) and value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return float(sum(value))
    return None


_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Fetcher:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: 10
"""


class ClientTimeoutExceedsFunctionTimeout(CodeRule):
    """
    ## What it does
    Compares the timeouts written in a handler's code with the linked function's `Timeout`
    from the template: an HTTP request whose `timeout=` (connect plus read) is longer than the
    function may run, or an AWS SDK call through a client whose `Config(read_timeout=...)`
    times its attempts (`retries`) add up to more than it.

    ## Why is this bad?
    Lambda stops the function at its timeout, whatever the client is doing: the retries the
    code counts on never happen, the error handling never runs, and the invocation ends as a
    bare `Task timed out` ([§2.1](../lambda-facts.md#s2-1), [§2.8](../lambda-facts.md#s2-8)). Client timeouts should leave room for
    the work after the call, or be derived from `context.get_remaining_time_in_millis()`.

    ## Example
    ```python
    def handler(event, context):
        return requests.get(URL, timeout=30).json()   # the function's Timeout is 10
    ```

    Use instead:
    ```python
    def handler(event, context):
        budget = context.get_remaining_time_in_millis() / 1000 - 1
        return requests.get(URL, timeout=(3.05, min(6, budget))).json()
    ```

    ## Known problems
    Only timeouts written as constants in the code are compared; library defaults are LK605's
    and LK102's business. Retry counts of HTTP clients are not multiplied in (unknown), so a
    request is reported only when a single attempt can outlast the function.
    """

    code = "LK606"
    NEEDS_TEMPLATE = True
    name = "client-timeout-exceeds-function-timeout"
    summary = "SDK or HTTP timeouts (times attempts) in code exceed the linked function's Timeout."
    severity = Severity.WARNING
    references = (TIMEOUT_DOCS, "https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html")
    TRIGGERS = ("timeout",)
    INVALID = (
        Example(python="import requests\n\ndef handler(event, context):\n    return requests.get(event['url'], timeout=30).json()\n", template=_TEMPLATE, line=4),
        Example(
            python=(
                "import boto3\nfrom botocore.config import Config\n\n"
                "s3 = boto3.client('s3', config=Config(read_timeout=5, retries={'total_max_attempts': 3}))\n\n"
                "def handler(event, context):\n    return s3.get_object(Bucket='b', Key=event['key'])['ContentLength']\n"
            ),
            template=_TEMPLATE,
            line=7,
        ),
    )
    VALID = (
        Example(python="import requests\n\ndef handler(event, context):\n    return requests.get(event['url'], timeout=(3, 5)).json()\n", template=_TEMPLATE),
        # no template: the function's timeout is unknown
        "import requests\n\ndef handler(event, context):\n    return requests.get(event['url'], timeout=30).json()\n",
    )

    def _function_timeouts(self) -> list[tuple[str, int]]:
        found = {
            (function.logical_id, function.timeout)
            for functions in self.context.linked.values()
            for function in functions
            if isinstance(function.timeout, int)
        }
        return sorted(found, key=lambda item: item[1])

    def visit_Module(self, node: ast.Module) -> None:
        self._timeouts = self._function_timeouts()  # the module's, asked once

    def visit_Call(self, node: ast.Call) -> None:
        timeouts = self._timeouts
        if not timeouts:
            return
        resolver = resolver_for(self.context.module)
        if not self.context.on_handler_path(node):
            return
        worst, what = self._worst_case(resolver, node)
        if worst is None:
            return
        function, limit = timeouts[0]
        if worst > limit:
            self.report(
                node,
                f"{what} (up to {worst:g} s) is longer than {function}'s Timeout of {limit} s{value_origin(limit)}: Lambda stops the "
                f"function while the call still waits, so its retries and error handling never run; keep client "
                f"timeouts below the function's (or derive them from context.get_remaining_time_in_millis())",
            )

    @staticmethod
    def _worst_case(resolver, node: ast.Call) -> tuple[float | None, str]:
        request = resolver.http_call(node)
        if request is not None:
            if request.timeout_state not in ("call", "client") or request.timeout is None:
                return None, ""
            seconds = _seconds(resolver.constant(request.timeout))
            return (seconds, f"timeout={seconds:g} s") if seconds is not None else (None, "")
        aws = resolver.aws_call(node)
        if aws is None or aws.client is None:
            return None, ""
        config = aws.client.config
        read = config.read_timeout
        if not isinstance(read, (int, float)) or isinstance(read, bool):
            return None, ""  # the default read timeout is LK102's concern
        connect = config.connect_timeout if isinstance(config.connect_timeout, (int, float)) else 0
        attempts = config.total_attempts
        attempts = attempts if isinstance(attempts, int) and attempts > 0 else 1
        per_attempt = float(read + connect)
        return per_attempt * attempts, f"read_timeout {read:g} s" + (f" + connect_timeout {connect:g} s" if connect else "") + f" x {attempts} attempt{'s' if attempts != 1 else ''}"
