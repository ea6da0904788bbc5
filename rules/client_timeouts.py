"""LK6xx timeouts found in code: HTTP requests that can wait forever.

Facts: LAMBDA-FACTS §2.1 (the function timeout ends what a call does not), §11. Library
defaults: requests and urllib3 wait without limit unless given a timeout, `urllib.request.urlopen`
uses the socket default (none), httpx times out after 5 s of inactivity unless `timeout=None`;
aiohttp's default is a 5-minute total (not reported: see Known problems)."""

from __future__ import annotations

import libcst as cst

from lintkit.findings import Severity
from lintkit.python.resolve import resolver_for
from lintkit.rule import CodeRule, Example

TIMEOUT_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html"

_ADVICE = {
    "requests": "pass timeout=(connect, read), e.g. timeout=(3.05, 10)",
    "urllib3": "pass timeout=urllib3.Timeout(connect=..., read=...) to the request or the PoolManager",
    "urllib": "pass timeout=<seconds> to urlopen",
    "httpx": "keep a finite timeout (httpx.Timeout(10.0, connect=3.0))",
    "aiohttp": "pass timeout=aiohttp.ClientTimeout(total=...)",
}


class HttpCallWithoutTimeout(CodeRule):
    """
    ## What it does
    Finds HTTP requests that can wait without limit: `requests` calls (module functions or a
    `Session`) without `timeout=`, `urllib3` requests with no timeout on the call or its
    `PoolManager`, `urllib.request.urlopen` without a timeout, and any request whose timeout is
    set to `None` (httpx included).

    ## Why is this bad?
    requests and urllib3 wait for a connection and for each read forever unless told otherwise.
    A server that accepts the connection and stalls keeps the invocation running until the
    function's own `Timeout` kills it (up to 900 s of billed waiting), with no error the code
    can handle or retry (LAMBDA-FACTS §2.1).

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
    httpx is reported only for `timeout=None` (its default is 5 s). aiohttp is not reported
    without a timeout: its default is a 5-minute total, which LAMBDA-FACTS does not cover; a
    function with a shorter `Timeout` is still cut off first. A requests `Session` with a custom
    adapter mounted, or a call with `**kwargs`, may set a timeout we cannot see and is not
    reported.
    """

    code = "LK605"
    name = "http-call-without-timeout"
    summary = "An HTTP request with no timeout runs until the function times out."
    severity = Severity.WARNING
    references = (TIMEOUT_DOCS,)
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
        ),
        Example(
            python="""
            import urllib3

            http = urllib3.PoolManager(retries=urllib3.Retry(3, backoff_factor=0.5))

            def handler(event, context):
                return http.request("GET", event["url"]).data
            """,
            line=6,
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
    )
    VALID = (
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

    def visit_Call(self, node: cst.Call) -> None:
        resolver = resolver_for(self.context.module)
        request = resolver.http_call(node)
        if request is None or request.timeout_state != "none":
            return
        name = f"`{resolver.code(node.func, 40)}(...)`"
        if request.timeout is not None or request.library == "httpx":
            problem = f"{name} runs with timeout=None"
        else:
            problem = f"{name} has no timeout ({request.library} waits without limit by default)"
        self.report(
            node,
            f"{problem}: a stalled server holds the invocation until the function times out; {_ADVICE[request.library]}",
        )
