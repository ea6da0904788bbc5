"""LK1xx: synchronous calls and retries (Lambda invokes, HTTP requests, hand-written retry loops).

Facts: [§2.8](../lambda-facts.md#s2-8) (botocore timeouts and why an invoke can run its callee twice), [§3.1](../lambda-facts.md#s3-1)
(Lambda never retries a synchronous invoke; botocore retry modes), [§3.2](../lambda-facts.md#s3-2) (`FunctionError`)."""

from __future__ import annotations

import ast

from lintkit.findings import Applicability, Fix, Location, Severity
from lintkit.fixes import codemod, python_fix
from lintkit.project import invoke_target
from lintkit.python.nodes import first_argument, handler_swallows, iter_nodes, string_value, subscript_key
from lintkit.python.resolve import (
    UNKNOWN,
    HttpCall,
    InvokeCall,
    ModuleResolver,
    describe,
    resolver_for,
)
from lintkit.rule import CodeRule, Example
from lintkit.templates.model import Function, Invocation, value_origin

RETRIES_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html"
INVOKE_API_DOCS = "https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html"
SDK_RETRY_DOCS = "https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html"
BOTO3_RETRIES_GUIDE = "https://boto3.amazonaws.com/v1/documentation/api/latest/guide/retries.html"
SDK_TIMEOUT_KC = "https://repost.aws/knowledge-center/lambda-function-retry-timeout-sdk"
BOTOCORE_CONFIG_DOCS = "https://botocore.amazonaws.com/v1/documentation/api/latest/reference/config.html"

_API_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Rates:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties: {Path: /rates, Method: get}
"""
_SQS_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Orders:
    Type: AWS::SQS::Queue
  Notifier:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Events:
        Messages:
          Type: SQS
          Properties: {Queue: !GetAtt Orders.Arn, BatchSize: 1}
"""

# Response fields and payload keys whose reading counts as checking an invoke for errors.
ERROR_FIELDS = frozenset({"FunctionError", "StatusCode", "errorMessage", "errorType"})


def response_checked(resolver: ModuleResolver, call: ast.Call) -> bool | None:
    """Is the invoke's response checked for a function error? True when `FunctionError` /
    `StatusCode` (or the payload's `errorMessage`) is read, False when the response is dropped or
    only its payload is read, None when it leaves our sight (returned, passed on, stored)."""
    scope = resolver.scope_of(call)
    function = scope.function
    module = resolver.module
    body: ast.AST | list[ast.stmt] = function.body if function is not None else module.tree
    text = module.code_of(function.body) if function is not None else module.text
    if any(f'"{key}"' in text or f"'{key}'" in text for key in ERROR_FIELDS):
        return True
    use, keys = _use_of(resolver, call)
    if keys:
        return False
    if isinstance(use, ast.Expr):
        return False  # the response is dropped
    if isinstance(use, ast.Assign) and len(use.targets) == 1 and isinstance(use.targets[0], ast.Name):
        target = use.targets[0]
        for node in _names(body, target.id):
            if node is target:
                continue
            _, keys = _use_of(resolver, node)
            if not keys:
                return None  # handed on whole: someone else may check it
        return False
    return None


def _use_of(resolver: ModuleResolver, node: ast.AST) -> tuple[ast.AST | None, tuple[str, ...]]:
    """Climb from a value through `await`, `[...]`, `.get(...)`, `.attr` and method calls to the
    node that uses it; return that node and the constant keys read on the way."""
    keys: list[str] = []
    current = node
    while True:
        parent = resolver.parents.get(current)
        if isinstance(parent, ast.Await):
            current = parent
            continue
        if isinstance(parent, ast.Subscript) and parent.value is current:
            key = string_value(subscript_key(parent))
            keys.append(key or "?")
            current = parent
            continue
        if isinstance(parent, ast.Attribute) and parent.value is current:
            grand = resolver.parents.get(parent)
            if isinstance(grand, ast.Call) and grand.func is parent:
                method = parent.attr
                key = string_value(first_argument(grand)) if method == "get" else None
                keys.append(key or method)
                current = grand
                continue
            keys.append(parent.attr)
            current = parent
            continue
        return parent, tuple(keys)


def _names(root: ast.AST | list[ast.stmt], name: str) -> list[ast.Name]:
    """The `Name`s spelled `name` under `root`, nested functions included."""
    return [node for node in iter_nodes(root, into_scopes=True) if isinstance(node, ast.Name) and node.id == name]


# A caller whose BUILDER variable names the Builder function (Timeout 120).
_CALLER_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Reports:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Timeout: 150
      Environment:
        Variables:
          BUILDER: !Ref Builder
  Builder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: builder/
      Handler: app.handler
      Runtime: python3.12
      Timeout: 120
"""


class SyncInvokeUncheckedError(CodeRule):
    """
    ## What it does
    Finds synchronous Lambda invokes (`InvocationType='RequestResponse'`, the default) whose
    response is never checked for `FunctionError` (or `StatusCode`, or the payload's
    `errorMessage`) and which are not retried by the surrounding code.

    ## Why is this bad?
    A function that fails does not make `invoke` raise: the call returns `StatusCode` 200 with
    `FunctionError: Unhandled` and the error in the payload ([§3.2](../lambda-facts.md#s3-2)). Code that only
    reads `Payload` treats the failure as a result. Lambda does not retry synchronous invokes:
    the caller has to notice the error and decide whether to retry ([§3.1](../lambda-facts.md#s3-1)).

    ## Example
    ```python
    def handler(event, context):
        response = lambda_client.invoke(FunctionName="pricing", Payload=json.dumps(event))
        return json.loads(response["Payload"].read())
    ```

    Use instead:
    ```python
    @retry(stop=stop_after_attempt(3), wait=wait_exponential_jitter())
    def price(event):
        response = lambda_client.invoke(FunctionName="pricing", Payload=json.dumps(event))
        if response.get("FunctionError"):
            raise PricingFailed(response["Payload"].read())
        return json.loads(response["Payload"].read())
    ```

    ## Known problems
    A response handed whole to another function (returned, passed on, stored) is assumed to be
    checked there. Any mention of `FunctionError`, `StatusCode` or `errorMessage` in the calling
    function counts as a check.

    ## Fix safety
    The fix is **display-only**: what to do with a function error (raise, retry, return an
    error response) is the caller's decision, and a retry is only right for a callee that is
    idempotent. When the response is kept in a name, `--show-fixes` shows the check as a diff
    right after the invoke:
    ```python
    response = lambda_client.invoke(FunctionName="pricing", Payload=payload)
    if response.get("FunctionError"):
        raise RuntimeError(response["Payload"].read())
    ```
    Otherwise its title says to keep the response and check it the same way.
    """

    code = "LK101"
    name = "sync-invoke-unchecked-error"
    fixable = True
    summary = "A synchronous Lambda invoke whose FunctionError is never checked and which is not retried."
    severity = Severity.WARNING
    references = (INVOKE_API_DOCS, RETRIES_DOCS)
    TRIGGERS = ("invoke",)
    INVALID = (
        Example(
            python="""
            import json
            import boto3

            lambda_client = boto3.client("lambda")

            def handler(event, context):
                response = lambda_client.invoke(FunctionName="pricing", Payload=json.dumps(event))
                return json.loads(response["Payload"].read())
            """,
            line=7,
        ),
        Example(
            python="""
            import boto3

            def handler(event, context):
                boto3.client("lambda").invoke(FunctionName="audit", InvocationType="RequestResponse")
                return {"ok": True}
            """,
            line=4,
        ),
        # display-only fixes: the check after the kept response, or the advice in the title
        Example(
            python="""
            import json
            import boto3
            from botocore.config import Config

            lambda_client = boto3.client("lambda", config=Config(read_timeout=40, retries={"total_max_attempts": 1}))

            def handler(event, context):
                priced = lambda_client.invoke(FunctionName="pricing", Payload=json.dumps(event))  # sync
                return json.loads(priced["Payload"].read())
            """,
            line=8,
            fix="display-only",
        ),
        Example(
            python="""
            import json
            import boto3
            from botocore.config import Config

            lambda_client = boto3.client("lambda", config=Config(read_timeout=40, retries={"total_max_attempts": 1}))

            def handler(event, context):
                return json.loads(lambda_client.invoke(FunctionName="pricing")["Payload"].read())
            """,
            line=8,
            fix="display-only",
        ),
    )
    VALID = (
        # retried, and the error is checked
        """
        import boto3
        from tenacity import retry, stop_after_attempt, wait_exponential_jitter

        lambda_client = boto3.client("lambda")

        @retry(stop=stop_after_attempt(3), wait=wait_exponential_jitter())
        def price(payload):
            response = lambda_client.invoke(FunctionName="pricing", Payload=payload)
            if response.get("FunctionError"):
                raise RuntimeError(response["Payload"].read())
            return response["Payload"].read()
        """,
        # the response is handed on whole: its reader checks it
        """
        import boto3

        lambda_client = boto3.client("lambda")

        def call_pricing(payload):
            return lambda_client.invoke(FunctionName="pricing", Payload=payload)
        """,
        # asynchronous: there is no function error to read
        """
        import boto3

        def handler(event, context):
            boto3.client("lambda").invoke(FunctionName="audit", InvocationType="Event", Payload=b"{}")
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        invoke = resolver.lambda_invoke(node)
        if invoke is None or not invoke.is_sync or invoke.context.retry is not None:
            return
        if response_checked(resolver, node) is False:
            self.report(
                node,
                f"synchronous invoke of {invoke.target_description} never checks the response's FunctionError: a failing "
                f"function still returns StatusCode 200, with the error in the payload; check "
                f"response.get('FunctionError') and retry (with backoff) what is safe to retry",
                fix=_check_fix(resolver, node),
            )


def _check_fix(resolver: ModuleResolver, call: ast.Call) -> Fix:
    """Display-only: the check to add. When the response is kept in a name (`response =
    client.invoke(...)`), the diff shows the check right after that line; otherwise the title
    alone shows it (the response has to be kept first)."""
    statement = resolver.parents.get(call)
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
        and statement.value is call
    ):
        name = statement.targets[0].id
        check = f'if {name}.get("FunctionError"): raise RuntimeError({name}["Payload"].read())'
        return python_fix(f"Check the response after the invoke: {check}", Applicability.DISPLAY_ONLY, "lk101-check", variable=name)
    check = 'response = <the invoke>; if response.get("FunctionError"): raise RuntimeError(response["Payload"].read())'
    return Fix(f"Keep the response and check it: {check}", Applicability.DISPLAY_ONLY)


@codemod("lk101-check")
def _add_check(text, location, arguments):
    import libcst as cst

    from lintkit.python.codemods import insert_after, rewrite

    name = arguments["variable"]
    code = f'if {name}.get("FunctionError"):\n    raise RuntimeError({name}["Payload"].read())\n'

    def change(source):
        call = source.node_at(location, cst.Call)
        line = source.parent_statement(call) if call is not None else None
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        return insert_after(source, line, code)

    return rewrite(text, change)


# LK102's fix: the read timeout it writes is the callee's Timeout plus this margin, or, with the
# callee unknown, Lambda's longest Timeout (900 s) plus it; retries are turned off.
READ_TIMEOUT_MARGIN = 10
LONGEST_TIMEOUT = 900
NO_RETRIES = '{"total_max_attempts": 1}'


@codemod("lk102-config")
def _client_config(text, location, arguments):
    """`config=Config(read_timeout=..., retries=...)` on the client's creation (written at the
    `created` location of the arguments), or both settings added to a `Config(...)` written
    there; the import of `Config` added when the module lacks it."""
    import libcst as cst

    from lintkit.python.codemods import add_import, has_star_arguments, import_reference, keyword, rewrite, with_keyword

    created = Location(location.path, *arguments["created"])
    read_timeout = arguments.get("read_timeout")
    settings = (f"read_timeout={read_timeout}, " if read_timeout is not None else "") + f"retries={NO_RETRIES}"

    def change(source):
        call = source.node_at(created, cst.Call)
        if call is None or has_star_arguments(call):
            return None
        config = keyword(call, "config")
        if config is None:
            name, line = import_reference(source, "botocore.config", "Config", call, "BotoConfig")
            new = with_keyword(call, "config", f"{name}({settings})")
            return None if new is None else add_import(source.module.deep_replace(call, new), line)
        value = config.value
        if not isinstance(value, cst.Call) or has_star_arguments(value) or keyword(value, "retries") is not None:
            return None
        merged = with_keyword(value, "read_timeout", str(read_timeout)) if read_timeout is not None else value
        merged = with_keyword(merged, "retries", NO_RETRIES) if merged is not None else None
        return None if merged is None else source.module.deep_replace(value, merged)

    return rewrite(text, change)


class SyncInvokeDefaultTimeouts(CodeRule):
    """
    ## What it does
    Finds synchronous Lambda invokes through a boto3 client that keeps botocore's default
    `read_timeout` (60 s) with retries still on: no `config=`, or a `Config` without
    `read_timeout` and without `retries={"total_max_attempts": 1}`.

    ## Why is this bad?
    The client stops waiting for the response after 60 s and, because a read timeout is
    retryable in every botocore retry mode, sends the `Invoke` again: a callee that runs longer
    than 60 s is started a second time while the first run is still going, and again up to the
    retry limit (5 attempts in legacy mode, the default unless `AWS_RETRY_MODE` or
    `AWS_NEW_RETRIES_2026` change it). Users have seen the callee run 4 to 8 times
    ([§2.8](../lambda-facts.md#s2-8), [§3.1](../lambda-facts.md#s3-1)).

    ## Example
    ```python
    lambda_client = boto3.client("lambda")

    def handler(event, context):
        lambda_client.invoke(FunctionName="report-builder", Payload=b"{}")
    ```

    Use instead:
    ```python
    lambda_client = boto3.client(
        "lambda",
        config=Config(read_timeout=910, retries={"total_max_attempts": 1}),
    )
    ```
    with `read_timeout` above the callee's `Timeout`, and retries where the callee is
    idempotent.

    ## Known problems
    Only clients the resolver can follow to their creation are checked; a `config=` it cannot
    read (a parameter, a function result) is not reported. When the template says which function
    is invoked, its `Timeout` decides: a `read_timeout` at or below it is reported too, and as an
    error, since the callee then certainly runs again.

    ## Fix safety
    The fix gives the client `config=Config(read_timeout=..., retries={"total_max_attempts": 1})`
    (adding `from botocore.config import Config` when the module does not import it; an
    existing import is reused under its own name), or adds both settings to a `Config(...)`
    written in the client's creation. `read_timeout` is the callee's `Timeout` plus 10 s (the
    longest, when the client invokes several functions), or 910 s (Lambda's 900 s maximum plus
    10 s) when the template does not say which function is invoked; it is left out when the
    calling function's own `Timeout` is not longer than that (the caller is stopped before the
    read times out, so only the retry matters). `total_max_attempts: 1`
    means one attempt and no retry, so a read timeout can no longer start the callee again.
    It is **unsafe**: turning retries off also stops botocore from retrying throttling
    (`TooManyRequestsException`) and connection errors for every call made through that client,
    and a longer read timeout makes the caller wait longer; the code may need its own retry of
    what is safe to retry (an idempotent callee). No fix is offered when `config=` names a
    `Config` kept elsewhere (it may be shared), when that `Config` already sets `retries`, or
    when the client's creation passes `*args` / `**kwargs`.
    """

    code = "LK102"
    name = "sync-invoke-default-timeouts"
    fixable = True
    summary = "A synchronous invoke through a client with botocore's default 60 s read timeout and retries."
    severity = Severity.WARNING
    references = (SDK_TIMEOUT_KC, BOTOCORE_CONFIG_DOCS, SDK_RETRY_DOCS)
    TRIGGERS = ("invoke",)
    INVALID = (
        Example(
            python="""
            import boto3

            lambda_client = boto3.client("lambda")

            def handler(event, context):
                result = lambda_client.invoke(FunctionName="report-builder", Payload=b"{}")
                if result.get("FunctionError"):
                    raise RuntimeError("report failed")
            """,
            line=6,
            fix="unsafe",
            fixed="""
            import boto3
            from botocore.config import Config

            lambda_client = boto3.client("lambda", config=Config(read_timeout=910, retries={"total_max_attempts": 1}))

            def handler(event, context):
                result = lambda_client.invoke(FunctionName="report-builder", Payload=b"{}")
                if result.get("FunctionError"):
                    raise RuntimeError("report failed")
            """,
        ),
        # the callee's Timeout from the template; Config imported under another name; a
        # multi-line creation with a trailing comma and a comment
        Example(
            python="""
            \"\"\"Builds reports.\"\"\"
            import os

            import boto3
            from botocore.config import Config as BotoConfig

            lambda_client = boto3.client(
                "lambda",
                region_name="eu-west-1",  # the builder's region
            )

            def handler(event, context):
                result = lambda_client.invoke(FunctionName=os.environ["BUILDER"], Payload=b"{}")
                if result.get("FunctionError"):
                    raise RuntimeError("report failed")
            """,
            template=_CALLER_TEMPLATE,
            line=13,
            fix="unsafe",
            fixed="""
            \"\"\"Builds reports.\"\"\"
            import os

            import boto3
            from botocore.config import Config as BotoConfig

            lambda_client = boto3.client(
                "lambda",
                region_name="eu-west-1",  # the builder's region
                config=BotoConfig(read_timeout=130, retries={"total_max_attempts": 1}),
            )

            def handler(event, context):
                result = lambda_client.invoke(FunctionName=os.environ["BUILDER"], Payload=b"{}")
                if result.get("FunctionError"):
                    raise RuntimeError("report failed")
            """,
        ),
        # a Config written in the creation: the settings are added to it
        Example(
            python="""
            import boto3
            import botocore.config

            client = boto3.client("lambda", config=botocore.config.Config(connect_timeout=5))

            def handler(event, context):
                result = client.invoke(FunctionName="report-builder")
                return result.get("StatusCode")
            """,
            line=7,
            fix="unsafe",
            fixed="""
            import boto3
            import botocore.config

            client = boto3.client("lambda", config=botocore.config.Config(connect_timeout=5, read_timeout=910, retries={"total_max_attempts": 1}))

            def handler(event, context):
                result = client.invoke(FunctionName="report-builder")
                return result.get("StatusCode")
            """,
        ),
        Example(
            python="""
            import boto3
            from botocore.config import Config

            FAST = Config(connect_timeout=2)
            session = boto3.session.Session()
            client = session.client("lambda", config=FAST)

            def handler(event, context):
                result = client.invoke(FunctionName="report-builder")
                return result.get("StatusCode")
            """,
            line=9,
        ),
    )
    VALID = (
        """
        import boto3
        from botocore.config import Config

        lambda_client = boto3.client("lambda", config=Config(read_timeout=910, retries={"total_max_attempts": 1}))

        def handler(event, context):
            result = lambda_client.invoke(FunctionName="report-builder")
            return result.get("StatusCode")
        """,
        # retries disabled: a read timeout is not followed by a second invoke
        """
        import boto3
        from botocore.config import Config

        NO_RETRIES = {"max_attempts": 0}
        lambda_client = boto3.client("lambda", config=Config(retries=NO_RETRIES))

        def handler(event, context):
            return lambda_client.invoke(FunctionName="report-builder")
        """,
        # the client comes from the caller: its config is not known here
        """
        def run_report(lambda_client):
            return lambda_client.invoke(FunctionName="report-builder")
        """,
    )

    def callee_timeout(self, invoke: InvokeCall) -> float | None:
        """The invoked function's `Timeout`, when a template links this module and says which
        function is invoked (the same one from every caller); None otherwise."""
        timeouts = {
            callee.timeout
            for callers in self.context.linked.values()
            for caller in callers
            if (callee := invoke_target(caller, invoke.target)) is not None
        }
        timeout = timeouts.pop() if len(timeouts) == 1 else None
        return timeout if isinstance(timeout, int) else None

    def visit_Call(self, node: ast.Call) -> None:
        invoke = resolver_for(self.context.module).lambda_invoke(node)
        if invoke is None or not invoke.is_sync or invoke.client is None:
            return
        config = invoke.client.config
        callee_timeout = self.callee_timeout(invoke)
        if config.reruns_slow_callee(callee_timeout) is not True:
            return
        # the template says the callee runs longer than the client waits: it *will* run twice
        severity = Severity.ERROR if callee_timeout is not None else None
        if config.read_timeout is None:
            waits = f"the default read_timeout ({config.DEFAULT_TIMEOUT} s)"
        else:
            waits = f"read_timeout={describe(config.read_timeout)} (the callee's Timeout is {callee_timeout} s{value_origin(callee_timeout)})"
        attempts = config.total_attempts
        retries = f"{attempts} attempts" if attempts is not UNKNOWN else "its retries"
        self.report(
            node,
            f"synchronous invoke of {invoke.target_description} through a client with {waits} and {retries} "
            f"(legacy mode unless AWS_RETRY_MODE says otherwise): a callee still running when the read times out "
            f"is invoked again; create the client with Config(read_timeout=<callee Timeout + margin>, "
            f"retries={{'total_max_attempts': 1}})",
            severity=severity,
            fix=self._fix(invoke),
        )

    def _fix(self, invoke: InvokeCall) -> Fix | None:
        """Config(read_timeout=..., retries=...) on the client, when its creation can take it:
        no `config=` yet, or a `Config(...)` written in the call without `retries`. The read
        timeout covers every synchronous invoke made through that client in the module."""
        client = invoke.client
        assert client is not None
        created = client.created
        if any(isinstance(a, ast.Starred) for a in created.args) or any(k.arg is None for k in created.keywords):
            return None
        written = next((k.value for k in created.keywords if k.arg == "config"), None)
        if written is not None:
            inline = client.config.call
            if inline is None or written is not inline or any(k.arg in (None, "retries") for k in inline.keywords):
                return None  # a Config kept in a name (maybe shared), or with retries of its own
        resolver = resolver_for(self.context.module)
        siblings = [i for i in resolver.invokes() if i.is_sync and i.client is not None and i.client.created is created]
        timeouts = [self.callee_timeout(i) for i in siblings] or [None]
        if all(t is not None for t in timeouts):
            longest = max(timeouts)  # type: ignore[type-var]
            read_timeout = longest + READ_TIMEOUT_MARGIN
            why = f"the callee's Timeout of {longest} s plus {READ_TIMEOUT_MARGIN} s"
        else:
            read_timeout = LONGEST_TIMEOUT + READ_TIMEOUT_MARGIN
            why = f"the callee's Timeout is unknown: Lambda's longest, {LONGEST_TIMEOUT} s, plus {READ_TIMEOUT_MARGIN} s"
        callers = [f.timeout for f in self.context.functions_running(invoke.context.function)]
        if callers and all(isinstance(t, int) for t in callers) and min(callers) <= read_timeout:  # type: ignore[type-var]
            # the caller stops first: a longer read timeout changes nothing, no retry is the fix
            read_timeout, why = None, f"the caller's own Timeout of {min(callers)} s ends the wait first"  # type: ignore[type-var]
        where = self.context.module.location_of(created)
        verb = "Add retries to the client's Config" if written is not None else "Create the client with config=Config(...)"
        timeout = f"read_timeout={read_timeout} ({why}), " if read_timeout is not None else f"no read_timeout ({why}), "
        return python_fix(
            f"{verb}: {timeout}retries={NO_RETRIES} (no second invoke)",
            Applicability.UNSAFE,
            "lk102-config",
            created=[where.line, where.column, where.end_line, where.end_column],
            read_timeout=read_timeout,
        )


HTTP_RETRY_ADVICE = {
    "requests": "mount HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5, status_forcelist=[429, 500, 502, 503, 504])) on a Session",
    "httpx": "use httpx.HTTPTransport(retries=...) for connection errors and tenacity/backoff for 5xx and 429",
    "urllib3": "pass retries=Retry(total=3, backoff_factor=0.5, status_forcelist=[429, 500, 502, 503, 504]) (the default retries connection errors only, without backoff)",
    "aiohttp": "use aiohttp_retry's RetryClient or tenacity's AsyncRetrying",
    "urllib": "retry with tenacity/backoff, or use a client with a retry policy",
}
# The same advice for a POST or PATCH: urllib3's Retry leaves them out unless `allowed_methods`
# names them, and a retried request with a side effect needs a key the server deduplicates on.
_URLLIB3_RETRY = (
    "Retry(total=3, backoff_factor=0.5, status_forcelist=[429, 500, 502, 503, 504], "
    "allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {{'{verb}'}})"
)
HTTP_RETRY_ADVICE_UNSAFE = {
    "requests": f"mount HTTPAdapter(max_retries={_URLLIB3_RETRY}) on a Session",
    "urllib3": f"pass retries={_URLLIB3_RETRY}",
}
_IDEMPOTENCY = "send an idempotency key the server honours (e.g. an Idempotency-Key header): a retried {verb} can repeat its side effect"
_SKIPS = "urllib3's Retry retries {verb} only when allowed_methods names it"
# How each library reports an error status: only urllib.request raises on it by itself.
_STATUS_NOT_RAISED = {
    "requests": "requests raises on it only in response.raise_for_status()",
    "httpx": "httpx raises on it only in response.raise_for_status()",
    "urllib3": "urllib3 does not raise on it",
    "aiohttp": "aiohttp raises on it only with raise_for_status",
}
URLLIB3_RETRY_DOCS = "https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html#urllib3.util.Retry"
ASYNC_RETRIES_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html"
EXTENSION_DOCS = "https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html"


class HttpCallWithoutRetry(CodeRule):
    """
    ## What it does
    Finds HTTP requests made on a handler's code path (the handler, the functions of the module
    it calls, module-level code of a handler module) through `requests`, `httpx`, `urllib3`,
    `aiohttp` or `urllib.request` with no retry policy: no `Retry` mounted on the session's
    adapter, no retrying transport, no tenacity / backoff / retrying decorator or `Retrying`
    loop, no hand-written retry loop around it. A POST or PATCH through a urllib3 `Retry` whose
    `allowed_methods` leaves it out counts as not retried.

    When a template links the code, its triggers decide: a function invoked synchronously (API
    Gateway, ALB, a function URL, AppSync, Cognito, a direct invoke) or with no known trigger is
    reported; a function whose every trigger retries a failed invocation (SQS and stream event
    source mappings, asynchronous S3 / SNS / EventBridge / schedule events) is not, unless the
    request's error is caught and only logged, which is reported at `info`.

    ## Why is this bad?
    A remote API (API Gateway, another function behind a URL, a SaaS endpoint) answers a small
    share of requests with 500/502/503/504 or a throttle (429), and connections get reset. Lambda
    never retries a synchronous invocation: without a retry in the code, each such blip reaches
    the function's own caller, which has to redo all of it. A queue, a stream or an
    asynchronous event is retried by Lambda when the invocation fails, so there the failure is
    enough, as long as it is not caught and dropped.

    Only `urllib.request` raises on an error status by itself: requests, httpx, urllib3 and
    aiohttp return a 5xx as an ordinary response unless the code calls `raise_for_status()`.
    urllib3's `Retry` (behind requests' `HTTPAdapter`) retries a read error or a status of
    `status_forcelist` only for the methods of `allowed_methods`, which leave out POST and
    PATCH by default; retrying those safely needs an idempotency key the server honours.

    ## Example
    ```python
    def handler(event, context):
        response = requests.post(WEBHOOK_URL, json=event, timeout=5)
        response.raise_for_status()
    ```

    Use instead:
    ```python
    retries = Retry(
        total=3,
        backoff_factor=0.5,
        status_forcelist=[429, 500, 502, 503, 504],
        allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"POST"},
    )
    session = requests.Session()
    session.mount("https://", HTTPAdapter(max_retries=retries))

    def handler(event, context):
        headers = {"Idempotency-Key": event["orderId"]}
        response = session.post(WEBHOOK_URL, json=event, headers=headers, timeout=5)
        response.raise_for_status()
    ```

    ## Known problems
    Only code on a handler's path is checked: a function of a helper module counts when a
    handler's module imports it (by name, or the whole module). A decorator whose name
    contains `retry` or `backoff` counts as a retry policy. Requests to `http://localhost` or
    `http://127.0.0.1` are calls to a Lambda extension (such as the Parameters and Secrets
    extension on port 2773) and are not reported. Triggers are read from the template only: a
    function with asynchronous triggers that some code also invokes synchronously is treated as
    retried. Under a retrying trigger, a 5xx that requests, httpx, urllib3 or aiohttp return
    without raising also ends the invocation successfully, and is not reported. Only an `except`
    in the function that makes the request, whose body only logs, passes or continues, counts as
    catching its error.
    """

    code = "LK103"
    name = "http-call-without-retry"
    summary = "An HTTP request on a handler's code path with no retry policy."
    severity = Severity.WARNING
    references = (RETRIES_DOCS, ASYNC_RETRIES_DOCS, URLLIB3_RETRY_DOCS, EXTENSION_DOCS)
    TRIGGERS = ("requests", "httpx", "urllib3", "aiohttp", "urlopen")
    INVALID = (
        Example(
            python="""
            import requests

            WEBHOOK_URL = "https://hooks.example.com/orders"

            def handler(event, context):
                response = requests.post(WEBHOOK_URL, json=event, timeout=5)
                response.raise_for_status()
            """,
            line=6,
        ),
        Example(
            python="""
            import httpx

            client = httpx.Client(timeout=10)

            def fetch_rates(currency):
                return client.get(f"https://rates.example.com/{currency}").json()

            def handler(event, context):
                return fetch_rates(event["currency"])
            """,
            line=6,
        ),
        # a POST through a Retry that leaves POST out: only failed connections are retried
        Example(
            python="""
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            session = requests.Session()
            session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5, status_forcelist=[502, 503])))

            def handler(event, context):
                return session.post("https://hooks.example.com/orders", json=event, timeout=5).status_code
            """,
            line=9,
        ),
        # behind an API: the caller gets the error, nothing retries it
        Example(
            python="""
            import requests

            def handler(event, context):
                return requests.get("https://rates.example.com/today", timeout=5).json()
            """,
            template=_API_TEMPLATE,
            line=4,
        ),
        # an SQS trigger would retry the message, but the error is caught and only logged
        Example(
            python="""
            import logging
            import requests

            logger = logging.getLogger()

            def handler(event, context):
                for record in event["Records"]:
                    try:
                        requests.post("https://hooks.example.com/orders", data=record["body"], timeout=5).raise_for_status()
                    except requests.RequestException:
                        logger.exception("webhook failed")
            """,
            template=_SQS_TEMPLATE,
            line=9,
        ),
    )
    VALID = (
        # what the advice for a POST leads to: a Retry that allows POST, and an idempotency key
        """
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        retries = Retry(
            total=3,
            backoff_factor=0.5,
            status_forcelist=[429, 500, 502, 503, 504],
            allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"POST"},
        )
        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=retries))

        def handler(event, context):
            headers = {"Idempotency-Key": event["orderId"]}
            response = session.post("https://hooks.example.com/orders", json=event, headers=headers, timeout=5)
            response.raise_for_status()
        """,
        # a GET through a session with a Retry adapter
        """
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        session = requests.Session()
        session.mount("https://", HTTPAdapter(max_retries=Retry(total=3, backoff_factor=0.5, status_forcelist=[502, 503])))

        def handler(event, context):
            return session.get("https://rates.example.com/today", timeout=5).json()
        """,
        # a tenacity-decorated helper
        """
        import requests
        from tenacity import retry, stop_after_attempt, wait_exponential

        @retry(stop=stop_after_attempt(3), wait=wait_exponential())
        def notify(body):
            requests.post("https://hooks.example.com/orders", json=body, timeout=5).raise_for_status()

        def handler(event, context):
            notify(event)
        """,
        # a library function no handler of this module calls
        """
        import requests

        def download(url):
            return requests.get(url, timeout=5).content
        """,
        # an SQS trigger: the failing invocation makes the message come back
        Example(
            python="""
            import requests

            def handler(event, context):
                for record in event["Records"]:
                    requests.post("https://hooks.example.com/orders", data=record["body"], timeout=5).raise_for_status()
            """,
            template=_SQS_TEMPLATE,
        ),
        # the Parameters and Secrets extension, on localhost
        """
        import os
        import requests

        PORT = os.environ.get("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", "2773")

        def handler(event, context):
            url = f"http://localhost:{PORT}/secretsmanager/get?secretId=api-key"
            headers = {"X-Aws-Parameters-Secrets-Token": os.environ["AWS_SESSION_TOKEN"]}
            return requests.get(url, headers=headers, timeout=2).json()["SecretString"]
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        request = resolver.http_call(node)
        if request is None or request.context.retry is not None:
            return
        if request.retry_policy is not None and request.retry_skips_verb is None:
            return
        if not self.context.on_handler_path(node) or resolver.calls_localhost(request):
            return
        handler = resolver.http_error_handler(request)
        swallowed = handler if handler is not None and handler_swallows(handler) else None
        functions = self.context.functions_running(request.context.function)
        retrying = _retrying_triggers(functions)
        if retrying and swallowed is None:
            return  # the invocation fails, and its trigger retries it
        call = f"`{resolver.code(node.func, 40)}(...)`"
        verb = request.retry_skips_verb
        if verb is not None:
            what = f"{call} sends a {verb} through {request.retry_policy} whose Retry leaves {verb} out ({_SKIPS.format(verb=verb)}), so a 5xx, a throttle (429) or a dropped read is not retried"
        elif request.library == "urllib3":
            # urllib3's default Retry(3) covers failed connections (and reads of idempotent methods)
            what = f"{call} is retried only when a connection or read fails (urllib3's default), never on a 5xx or a throttle (429)"
        else:
            what = f"{call} is sent once"
        advice = _advice(request)
        if swallowed is not None and retrying:
            self.report(
                node,
                f"{what}, and its error is caught and only logged by the `except` on line {swallowed.lineno}: the "
                f"invocation succeeds, so the {retrying} trigger never retries it and the request is lost; re-raise "
                f"after logging (the trigger then retries the event), or {advice}",
                severity=Severity.INFO,
            )
            return
        if verb is not None:
            outcome = f"; {advice}"
            if swallowed is not None:
                outcome = f", and the `except` on line {swallowed.lineno} only logs the error, so the request is lost{outcome}"
            self.report(node, what + outcome)
            return
        function = request.context.function
        checks_status = "raise_for_status" in resolver.module.code_of(function.body if function is not None else resolver.module.tree)
        status_raised = request.library == "urllib" or checks_status
        raised = "a reset connection, a timeout, a 5xx or a throttle (429)" if status_raised else "a reset connection or a timeout"
        if swallowed is not None:
            failure = f"{raised} is caught and only logged by the `except` on line {swallowed.lineno}, so the request is lost"
        else:
            caller = _sync_callers(functions)
            failure = f"{raised} fails the invocation" + (f" and the {caller} caller gets the error" if caller else "")
        if not status_raised and request.library in _STATUS_NOT_RAISED:
            failure += f", and a 5xx or a throttle (429) comes back as an ordinary response ({_STATUS_NOT_RAISED[request.library]})"
        self.report(node, f"{what}: {failure}; {advice}")


def _advice(request: HttpCall) -> str:
    """The retry advice for the request's library, made to work for its method: urllib3's Retry
    must be told to retry a POST or PATCH, and such a retry needs an idempotency key."""
    verb = request.verb
    if verb not in ("POST", "PATCH"):
        return HTTP_RETRY_ADVICE[request.library]
    idempotency = _IDEMPOTENCY.format(verb=verb)
    if request.library in HTTP_RETRY_ADVICE_UNSAFE:
        return f"{HTTP_RETRY_ADVICE_UNSAFE[request.library].format(verb=verb)}, and {idempotency}"
    return f"{HTTP_RETRY_ADVICE[request.library]}, and {idempotency}"


def _retrying_triggers(functions: list[Function]) -> str | None:
    """When every function has triggers and each retries a failed invocation: their labels
    ("SQS", "S3 and SNS"); None when one is synchronous, has no known trigger or may not retry."""
    if not functions or any(not f.triggers or any(t.retries_errors is not True for t in f.triggers) for f in functions):
        return None
    labels = sorted({t.label for f in functions for t in f.triggers})
    return " and ".join(labels) if len(labels) < 3 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _sync_callers(functions: list[Function]) -> str | None:
    """The labels of the synchronous triggers ("REST API", "ALB"), when the template names some."""
    labels = sorted({t.label for f in functions for t in f.triggers if t.invocation is Invocation.SYNC})
    return " / ".join(labels) or None


class RetryWithoutBackoff(CodeRule):
    """
    ## What it does
    Finds hand-written retry loops (`for attempt in range(n)` or `while`) that do not wait
    between attempts, or wait a constant time. A loop is a retry loop when it goes round again
    because a request failed (an `except` that does not leave the loop, `if resp.status_code >=
    500: continue`, `if resp.ok: break`, `while not resp.ok`) and leaves once it worked.

    ## Why is this bad?
    A retry that comes back at once, or on a fixed beat, hits a throttled or recovering service
    again at the worst moment, and every concurrent invocation retries in step with the others.
    AWS's SDKs back off exponentially with jitter for this reason: in boto3's standard retry
    mode each wait is random and grows with the attempt, up to 20 s.

    ## Example
    ```python
    for attempt in range(3):
        try:
            return table.put_item(Item=item)
        except ClientError:
            time.sleep(1)
    ```

    Use instead:
    ```python
    for attempt in range(3):
        try:
            return table.put_item(Item=item)
        except ClientError:
            time.sleep(min(20, 2 ** attempt) * random.random())
    ```
    or a library: tenacity's `wait_exponential_jitter()`, backoff's `backoff.expo`.

    ## Known problems
    Only loops that retry a request are reported: an HTTP call, a boto3 client call, or a call
    of the SDK's shape (CamelCase keywords such as `Item=`); a loop that polls a lock or a local
    condition at a fixed interval is not a retry of a remote service.
    A loop that waits for a state is polling, not retrying, and is not reported even when it
    also catches errors: its only ways out test a value (`if status == "AVAILABLE": break`,
    `if len(items) >= expected: return`, `while status != "DONE"`), so it goes round on a
    normal answer, and a fixed interval is right for it. Which way a check goes is read from
    its test: `resp.ok`, `status_code == 200` or `< 400` mean success; `not resp.ok`,
    `status >= 500`, `error`, `"Error" in resp`, `FailedPutCount > 0` mean failure; a check it
    cannot read (`status_code in RETRYABLE`) makes no retry loop, and neither does a loop that
    stops at the first failure (`if resp.status_code != 200: break`, paging).
    A loop that waits through a helper whose name says so (`sleep_with_backoff()`,
    `wait(...)`) is taken at its word. Files that mention none of `sleep`, `attempt`, `retr`,
    `tries`, `backoff` are not examined (the prefilter). Loops that re-read and retry an optimistic write at once on
    purpose are reported too: suppress them with `# noqa: LK104`.
    """

    code = "LK104"
    name = "retry-without-backoff"
    summary = "A hand-written retry loop that does not wait, or waits a constant time, between attempts."
    severity = Severity.WARNING
    references = (SDK_RETRY_DOCS, BOTO3_RETRIES_GUIDE)
    # a retry loop sleeps, or names its counter or itself after retries
    TRIGGERS = ("sleep", "attempt", "retr", "tries", "backoff")
    INVALID = (
        Example(
            python="""
            def save(table, item):
                for attempt in range(3):
                    try:
                        return table.put_item(Item=item)
                    except Exception:
                        pass
            """,
            line=2,
        ),
        Example(
            python="""
            import time
            import requests

            DELAY = 2

            def fetch(url):
                while True:
                    try:
                        response = requests.get(url, timeout=5)
                        break
                    except requests.ConnectionError:
                        time.sleep(DELAY)
                return response
            """,
            line=7,
        ),
        # a status check that goes round on a server error
        Example(
            python="""
            import time
            import requests

            def fetch_rates(url):
                for attempt in range(5):
                    response = requests.get(url, timeout=5)
                    if response.status_code >= 500:
                        time.sleep(2)
                        continue
                    return response.json()
            """,
            line=5,
        ),
    )
    VALID = (
        """
        import random
        import time

        def save(table, item):
            for attempt in range(5):
                try:
                    return table.put_item(Item=item)
                except Exception:
                    if attempt == 4:
                        raise
                    time.sleep(min(20, 2 ** attempt) * random.random())
        """,
        # a loop over records that skips failures is not a retry loop
        """
        def handler(event, context):
            for record in event["Records"]:
                try:
                    process(record)
                except ValueError:
                    continue
        """,
        # a polling loop with a fixed interval is not a retry loop
        """
        import time

        def wait_for_job(client, job_id):
            while True:
                status = client.describe_job(jobId=job_id)["status"]
                if status == "DONE":
                    break
                time.sleep(5)
        """,
        # nor when it counts its turns with range()
        """
        import time
        import boto3

        rds = boto3.client("rds")

        def wait_for_snapshot(snapshot_id):
            for i in range(30):
                time.sleep(10)
                status = rds.describe_db_snapshots(DBSnapshotIdentifier=snapshot_id)["DBSnapshots"][0]["Status"]
                if status == "available":
                    break
        """,
        # nor when it also rides out errors while it waits for the items to arrive
        """
        import time
        from boto3.dynamodb.conditions import Key
        from botocore.exceptions import ClientError

        def wait_for_events(table, run_id, expected):
            while True:
                try:
                    items = table.query(KeyConditionExpression=Key("run_id").eq(run_id))["Items"]
                    if len(items) >= expected:
                        return items
                except ClientError:
                    pass
                time.sleep(1)
        """,
        # a loop that pages on until a request fails does not retry it
        """
        import requests

        def fetch_all(url):
            pages = []
            for page in range(1, 20):
                response = requests.get(url, params={"page": page}, timeout=5)
                if response.status_code != 200:
                    break
                pages.append(response.json())
            return pages
        """,
    )

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self._check(node)

    def visit_While(self, node: ast.While) -> None:
        self._check(node)

    def _check(self, loop: ast.For | ast.AsyncFor | ast.While) -> None:
        resolver = resolver_for(self.context.module)
        construct = resolver.retry_loop(loop)
        if construct is None or construct.kind != "loop" or construct.description != "a retry loop":
            return
        if not any(resolver.is_remote_call(call) for call in resolver.calls_in(loop)):
            return  # waiting for a lock or a local condition, not retrying a request
        sleeps = resolver.sleeps(loop)
        if not sleeps:
            if not _waits_through_helper(resolver, loop):
                self.report(loop, "this retry loop tries again at once: wait between attempts, exponentially and with jitter (e.g. time.sleep(min(cap, base * 2 ** attempt) * random.random()))")
            return
        delays = [resolver.constant(first_argument(call)) if call.args or call.keywords else UNKNOWN for call in sleeps]
        if all(isinstance(d, (int, float)) and not isinstance(d, bool) for d in delays):
            shown = ", ".join(f"{d:g} s" for d in delays)
            self.report(loop, f"this retry loop waits a constant {shown} between attempts: back off exponentially and add jitter so that retries spread out")


def _waits_through_helper(resolver: ModuleResolver, loop: ast.AST) -> bool:
    for call in resolver.calls_in(loop):
        name = (resolver.code(call.func, 200).rsplit(".", 1)[-1]).lower()
        if any(word in name for word in ("sleep", "backoff", "wait", "delay")):
            return True
    return False
