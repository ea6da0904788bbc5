"""LK3xx: fan-out and resource exhaustion (file descriptors, threads, connections, processes,
concurrency).

Facts: [§5](../lambda-facts.md#s5) (1,024 file descriptors and 1,024 processes/threads per execution
environment, environment reuse, executor and gather defaults, clients created per invocation)."""

from __future__ import annotations

import ast

from lintkit.findings import Applicability, Fix, Severity
from lintkit.fixes import codemod, python_fix
from lintkit.python.nodes import argument, first_argument, iter_nodes, keyword_argument
from lintkit.python.resolve import (
    AWS_CLIENT_FACTORIES,
    AWS_SESSION_FACTORIES,
    HTTP_CLIENT_FACTORIES,
    Instance,
    ModuleResolver,
    resolver_for,
)
from lintkit.rule import CodeRule, Example, TemplateRule
from lintkit.templates.model import Template, value_origin

QUOTAS_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
BEST_PRACTICES_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/best-practices.html"
PARALLEL_PROCESSING_BLOG = "https://aws.amazon.com/blogs/compute/parallel-processing-in-python-with-aws-lambda/"

SEMAPHORES = frozenset({"asyncio.Semaphore", "asyncio.BoundedSemaphore"})


def _bounded_by_semaphore(resolver: ModuleResolver) -> bool:
    """Does the module create an asyncio semaphore (the usual bound on a gather)?"""
    return any(resolver.callee(call) in SEMAPHORES for call in resolver.calls())


class UnboundedGather(CodeRule):
    """
    ## What it does
    Finds `asyncio.gather(*...)`, `asyncio.wait(...)`, `asyncio.as_completed(...)` and
    `TaskGroup.create_task(...)` in a loop, over a collection sized by data (the event, a
    parameter, a query or scan result, a paginator, or a list built from one) in a module that
    bounds nothing with an `asyncio.Semaphore`.

    ## Why is this bad?
    Every coroutine starts at once: 5,000 records become 5,000 concurrent sockets. An execution
    environment has 1,024 file descriptors, and environments are reused, so leaked sockets add
    up across invocations: the function fails with `OSError: [Errno 24] Too many open files`
    (EMFILE), or the remote service throttles the burst ([§5](../lambda-facts.md#s5)).

    ## Example
    ```python
    async def fetch_all(session, urls):
        return await asyncio.gather(*[session.get(url) for url in urls])
    ```

    Use instead:
    ```python
    async def fetch_all(session, urls):
        limit = asyncio.Semaphore(20)

        async def fetch(url):
            async with limit:
                return await session.get(url)

        return await asyncio.gather(*[fetch(url) for url in urls])
    ```

    ## Known problems
    Any `asyncio.Semaphore` in the module counts as the bound. A gather over a fixed handful of
    coroutines, or over chunks of a list (`for chunk in batched(items, 20)`), is not reported.
    """

    code = "LK301"
    name = "unbounded-gather"
    summary = "asyncio.gather/wait/TaskGroup over a data-sized collection with no Semaphore bound."
    severity = Severity.WARNING
    references = (QUOTAS_DOCS, BEST_PRACTICES_DOCS)
    TRIGGERS = ("asyncio",)
    INVALID = (
        Example(
            python="""
            import asyncio

            async def fetch_all(session, urls):
                return await asyncio.gather(*[session.get(url) for url in urls])
            """,
            line=4,
        ),
        Example(
            python="""
            import asyncio

            async def main(event):
                async with asyncio.TaskGroup() as group:
                    for record in event["Records"]:
                        group.create_task(process(record))

            def handler(event, context):
                asyncio.run(main(event))
            """,
            line=6,
        ),
    )
    VALID = (
        # two fixed coroutines
        """
        import asyncio

        async def main(event):
            user, orders = await asyncio.gather(load_user(event["user"]), load_orders(event["user"]))
            return user, orders
        """,
        # bounded by a semaphore
        """
        import asyncio

        async def fetch_all(session, urls):
            limit = asyncio.Semaphore(20)

            async def fetch(url):
                async with limit:
                    return await session.get(url)

            return await asyncio.gather(*[fetch(url) for url in urls])
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        name = resolver.callee(node)
        source = None
        if name == "asyncio.gather":
            for arg in node.args:
                if isinstance(arg, ast.Starred):
                    source = source or resolver.data_source(arg.value)
        elif name in ("asyncio.wait", "asyncio.as_completed") and (node.args or node.keywords):
            source = resolver.data_source(first_argument(node))
        elif isinstance(node.func, ast.Attribute) and node.func.attr == "create_task":
            group = resolver.instance(node.func.value)
            loop = resolver.fan_out_loop(node)
            if group is not None and group.kind == "asyncio.TaskGroup" and loop is not None and loop[1] is None:
                source = _loop_source(resolver, loop[0])
        if source is None or _bounded_by_semaphore(resolver):
            return
        self.report(
            node,
            f"starts one task per item of {source} at once: a large input opens that many sockets (1,024 file "
            f"descriptors per environment); bound the concurrency with an asyncio.Semaphore",
        )


def _loop_source(resolver: ModuleResolver, loop: ast.AST) -> str | None:
    """Where the number of a loop's iterations comes from, when data sizes it."""
    return resolver.data_source(resolver.loop_iterable(loop))


class UnboundedThreadPool(CodeRule):
    """
    ## What it does
    Finds thread pools sized by data (`ThreadPoolExecutor(max_workers=len(items))`, a worker
    count read from the event or a parameter) and a `threading.Thread` or
    `multiprocessing.Process` started for each item of a loop over data.

    ## Why is this bad?
    An execution environment runs at most 1,024 processes and threads; past that Python raises
    `RuntimeError: can't start new thread`. Each thread also opens its own connections, and a
    boto3 client shares a pool of only 10 (`max_pool_connections`), so more threads mean
    connection churn, not speed ([§5](../lambda-facts.md#s5)).

    ## Example
    ```python
    with ThreadPoolExecutor(max_workers=len(keys)) as pool:
        list(pool.map(download, keys))
    ```

    Use instead:
    ```python
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(download, keys))
    ```
    (`ThreadPoolExecutor()` without `max_workers` is bounded too: `min(32, cpu_count + 4)`.)

    ## Known problems
    A large constant (`max_workers=500`) is bounded and not reported, although it may exceed
    what the function's connection pools serve.
    """

    code = "LK302"
    name = "unbounded-thread-pool"
    summary = "A thread pool sized by data, or a thread/process started per item of a loop."
    severity = Severity.WARNING
    references = (QUOTAS_DOCS,)
    TRIGGERS = ("ThreadPoolExecutor", "threading", "multiprocessing")
    INVALID = (
        Example(
            python="""
            from concurrent.futures import ThreadPoolExecutor

            def handler(event, context):
                keys = [record["s3"]["object"]["key"] for record in event["Records"]]
                with ThreadPoolExecutor(max_workers=len(keys)) as pool:
                    return list(pool.map(download, keys))
            """,
            line=5,
        ),
        Example(
            python="""
            import threading

            def handler(event, context):
                for item in event["items"]:
                    threading.Thread(target=process, args=(item,)).start()
            """,
            line=5,
        ),
    )
    VALID = (
        # the bounded default
        """
        from concurrent.futures import ThreadPoolExecutor

        def handler(event, context):
            with ThreadPoolExecutor() as pool:
                return list(pool.map(download, event["keys"]))
        """,
        """
        from concurrent.futures import ThreadPoolExecutor

        def handler(event, context):
            with ThreadPoolExecutor(max_workers=min(len(event["keys"]), 16)) as pool:
                return list(pool.map(download, event["keys"]))
        """,
        # a thread per item of a fixed tuple
        """
        import threading

        TABLES = ("orders", "users")

        def handler(event, context):
            for table in TABLES:
                threading.Thread(target=warm, args=(table,)).start()
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        name = resolver.callee(node)
        if name == "concurrent.futures.ThreadPoolExecutor":
            workers = argument(node, 0, "max_workers")
            source = resolver.size_source(workers) if workers is not None else None
            if source is not None:
                self.report(
                    node,
                    f"thread pool sized by {source}: a large input starts that many threads (1,024 per environment) "
                    f"and connections; use a fixed max_workers",
                )
        elif name in ("threading.Thread", "multiprocessing.Process"):
            loop = resolver.fan_out_loop(node)
            source = _loop_source(resolver, loop[0]) if loop is not None and loop[1] is None else None
            if source is not None:
                kind = "thread" if name == "threading.Thread" else "process"
                self.report(
                    node,
                    f"starts a {kind} per item of {source}: a large input exceeds the 1,024 threads and processes of an "
                    f"environment; use a ThreadPoolExecutor with a fixed max_workers",
                )


class UnlimitedConnectionPool(CodeRule):
    """
    ## What it does
    Finds HTTP connection pools whose limit is switched off: `aiohttp.TCPConnector(limit=0)` and
    `httpx.Limits(max_connections=None)`.

    ## Why is this bad?
    aiohttp's connector holds at most 100 connections and httpx's 100 by default; these are the
    bounds that keep a fan-out from opening a socket per request. Without them every concurrent
    request takes a file descriptor, and an environment has 1,024 ([§5](../lambda-facts.md#s5)).

    ## Example
    ```python
    connector = aiohttp.TCPConnector(limit=0)
    ```

    Use instead:
    ```python
    connector = aiohttp.TCPConnector(limit=50)
    ```
    """

    code = "LK303"
    name = "unlimited-connection-pool"
    summary = "An HTTP connection pool with its limit removed (TCPConnector(limit=0), Limits(max_connections=None))."
    severity = Severity.WARNING
    references = (QUOTAS_DOCS,)
    TRIGGERS = ("TCPConnector", "Limits")
    INVALID = (
        Example(
            python="""
            import aiohttp

            async def make_session():
                return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
            """,
            line=4,
        ),
        Example(
            python="""
            from httpx import AsyncClient, Limits

            client = AsyncClient(limits=Limits(max_connections=None, max_keepalive_connections=20))
            """,
            line=3,
        ),
    )
    VALID = (
        """
        import aiohttp

        async def make_session():
            return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=50, limit_per_host=0))
        """,
        """
        import httpx

        client = httpx.AsyncClient(limits=httpx.Limits(max_keepalive_connections=None))
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        name = resolver.callee(node)
        if name == "aiohttp.TCPConnector":
            setting, unlimited = keyword_argument(node, "limit"), 0
        elif name == "httpx.Limits":
            setting, unlimited = argument(node, 0, "max_connections"), None
        else:
            return
        if setting is not None and resolver.constant(setting) == unlimited and resolver.constant(setting) is not False:
            shown = "limit=0" if unlimited == 0 else "max_connections=None"
            self.report(
                node,
                f"{shown} removes the connection pool's bound: every concurrent request opens its own socket (1,024 file "
                f"descriptors per environment); set a limit",
            )


# Objects worth keeping for the life of the execution environment.
_REUSABLE = {
    **{kind: "boto3 client" for kind in AWS_CLIENT_FACTORIES},
    **{kind: "boto3 session" for kind in AWS_SESSION_FACTORIES},
    **{kind: f"{library} session" for kind, library in HTTP_CLIENT_FACTORIES.items()},
    "urllib3.PoolManager": "urllib3 pool",
    "urllib3.ProxyManager": "urllib3 pool",
}
# Bound to the event loop that creates them: with `asyncio.run()` per invocation they cannot be
# kept at module scope, so they are reported only when created in a loop.
_LOOP_BOUND = frozenset({"aiohttp.ClientSession", "aiohttp_retry.RetryClient", "httpx.AsyncClient"})


class ClientCreatedPerInvocation(CodeRule):
    """
    ## What it does
    Finds boto3 clients, resources and sessions, `requests.Session`, `httpx.Client` and
    `urllib3.PoolManager` objects created inside a handler (or a function it calls), and any of
    them, aiohttp and httpx async clients included, created inside a loop. Objects built from
    values of the invocation (an `endpoint_url` or `region_name` read from the event,
    credentials from an `sts.assume_role` made in the invocation) are not reported: they
    cannot be made at module scope.

    ## Why is this bad?
    An execution environment is reused across invocations: a client made at module scope
    keeps its connections (and TLS sessions, credentials and endpoint data) for the next
    invocation. Made in the handler, each invocation pays for a new one, and connections that
    are not closed pile up towards the 1,024 file descriptor limit; made in a loop, once per
    item ([§5](../lambda-facts.md#s5); Sonar RSPEC-6243, Amazon Q `aws-client-per-invocation`).

    ## Example
    ```python
    def handler(event, context):
        s3 = boto3.client("s3")
        return s3.get_object(Bucket=BUCKET, Key=event["key"])["ContentLength"]
    ```

    Use instead:
    ```python
    s3 = boto3.client("s3")

    def handler(event, context):
        return s3.get_object(Bucket=BUCKET, Key=event["key"])["ContentLength"]
    ```

    ## Known problems
    A CloudFormation custom resource handler (a module that reads `event["RequestType"]` and
    answers through a `ResponseURL`, cfnresponse, crhelper or with a `PhysicalResourceId`) runs
    once per stack operation, so its clients are not reported outside loops. A client kept in
    a module global (`global client`) or made in a cached function
    (`@lru_cache`) is created once and not reported; one stored on `self` is not reported
    either (whether the object lives longer than the invocation is not known). aiohttp and
    httpx async clients inside the handler are fine when the handler runs `asyncio.run()` per
    invocation, so only those made in a loop are reported. A value counts as the invocation's
    when it comes from a function's parameters (through every caller in the module), the event,
    or any call made in the function other than plain conversions: a client built from a
    helper's result that is in fact the same on every invocation is not reported, nor is one
    made in a loop from such a value that does not change from item to item, nor one built from
    a method's `self` attributes. Constants, module globals and `os.environ` are the same for
    every invocation.

    ## Fix safety
    For `name = boto3.client(...)` (or `boto3.resource(...)`) written directly in the body of a
    module-level function, the fix moves the statement to module scope: after the opening
    imports and after every module-level statement that binds a name the call reads; comments
    above the statement move with it. The function's own assignment is removed, so its uses
    read the module's client. When `name` is already used at module scope, the client gets
    another name (`s3_client`) and the function's uses are renamed. It is offered only when
    every name the call reads is a module-level name bound once (an import, a constant, an
    `os` lookup), the function binds `name` nowhere else, and never closes the client or
    uses it as a context manager. It is **unsafe**: the client is then created when Lambda
    imports the module, so an error in its arguments (a missing environment variable) fails
    the init phase instead of the invocation, values read from the environment are read once,
    and the client is shared by everything the module runs (boto3 clients can be shared
    between threads; resources cannot).
    """

    code = "LK304"
    name = "client-created-per-invocation"
    fixable = True
    summary = "An SDK client or HTTP session created inside the handler or a loop instead of at module scope."
    severity = Severity.INFO
    references = (BEST_PRACTICES_DOCS,)
    TRIGGERS = ("boto3", "requests", "httpx", "urllib3", "aiohttp")
    INVALID = (
        Example(
            python="""
            import boto3

            def handler(event, context):
                s3 = boto3.client("s3")
                return s3.get_object(Bucket="reports", Key=event["key"])["ContentLength"]
            """,
            line=4,
            fix="unsafe",
            fixed="""
            import boto3

            s3 = boto3.client("s3")

            def handler(event, context):
                return s3.get_object(Bucket="reports", Key=event["key"])["ContentLength"]
            """,
        ),
        # after the module-level names the call reads; the comment above it moves with it
        Example(
            python="""
            \"\"\"Publishes alerts.\"\"\"
            import os

            import boto3
            from botocore.config import Config

            TOPIC = os.environ["TOPIC_ARN"]
            RETRIES = Config(retries={"mode": "standard"})


            def handler(event, context):
                # one client for the alerts
                sns = boto3.client(
                    "sns",
                    config=RETRIES,  # standard retries
                )
                sns.publish(TopicArn=TOPIC, Message=event["text"])
            """,
            line=13,
            fix="unsafe",
            fixed="""
            \"\"\"Publishes alerts.\"\"\"
            import os

            import boto3
            from botocore.config import Config

            TOPIC = os.environ["TOPIC_ARN"]
            RETRIES = Config(retries={"mode": "standard"})

            # one client for the alerts
            sns = boto3.client(
                "sns",
                config=RETRIES,  # standard retries
            )


            def handler(event, context):
                sns.publish(TopicArn=TOPIC, Message=event["text"])
            """,
        ),
        # the name is taken at module scope: the moved client is renamed
        Example(
            python="""
            import boto3

            s3 = boto3.resource("s3")

            def handler(event, context):
                s3 = boto3.client("s3")
                return s3.head_object(Bucket="reports", Key=event["key"])["ContentLength"]
            """,
            line=6,
            fix="unsafe",
            fixed="""
            import boto3

            s3_client = boto3.client("s3")

            s3 = boto3.resource("s3")

            def handler(event, context):
                return s3_client.head_object(Bucket="reports", Key=event["key"])["ContentLength"]
            """,
        ),
        Example(
            python="""
            import requests

            def fetch_all(urls):
                for url in urls:
                    with requests.Session() as session:
                        yield session.get(url, timeout=5).json()
            """,
            line=5,
        ),
        # the endpoint is the same for every invocation: os.environ is read at module scope too
        Example(
            python="""
            import os
            import boto3

            def handler(event, context):
                iot = boto3.client("iot-data", endpoint_url=os.environ["IOT_ENDPOINT"])
                return iot.publish(topic="alerts", payload=event["body"])
            """,
            line=5,
        ),
        # a helper that every caller gives a constant
        Example(
            python="""
            import boto3

            def ec2(region):
                return boto3.client("ec2", region_name=region)

            def handler(event, context):
                return ec2("eu-west-1").describe_instances(InstanceIds=[event["id"]])
            """,
            line=4,
        ),
    )
    VALID = (
        # a client built at module scope
        """
        import boto3

        s3 = boto3.client("s3")

        def handler(event, context):
            return s3.get_object(Bucket="reports", Key=event["key"])["ContentLength"]
        """,
        # created once, lazily, in a module global
        """
        import boto3

        _s3 = None

        def s3():
            global _s3
            if _s3 is None:
                _s3 = boto3.client("s3")
            return _s3

        def handler(event, context):
            return s3().list_buckets()
        """,
        # an aiohttp session per asyncio.run() is how aiohttp is used in a handler
        """
        import asyncio
        import aiohttp

        async def main(event):
            async with aiohttp.ClientSession() as session:
                async with session.get(event["url"]) as response:
                    return await response.text()

        def handler(event, context):
            return asyncio.run(main(event))
        """,
        # a custom resource handler runs once per stack operation: nothing to reuse
        """
        import boto3
        import cfnresponse

        def handler(event, context):
            if event["RequestType"] == "Delete":
                boto3.client("ec2").delete_security_group(GroupId=event["PhysicalResourceId"])
            cfnresponse.send(event, context, cfnresponse.SUCCESS, {})
        """,
        # the API Gateway management API's endpoint comes from the event
        """
        import boto3

        def handler(event, context):
            context_ = event["requestContext"]
            api = boto3.client(
                "apigatewaymanagementapi",
                endpoint_url=f"https://{context_['domainName']}/{context_['stage']}",
            )
            api.post_to_connection(ConnectionId=context_["connectionId"], Data=b"ok")
        """,
        # credentials of a role assumed in this invocation, and the session's client
        """
        import boto3

        sts = boto3.client("sts")

        def handler(event, context):
            creds = sts.assume_role(RoleArn=event["role_arn"], RoleSessionName="audit")["Credentials"]
            session = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
            return session.client("s3").list_buckets()
        """,
        # the region comes from the event, through a helper
        """
        import boto3

        def instances(region):
            return boto3.client("ec2", region_name=region).describe_instances()

        def handler(event, context):
            return instances(event["region"])
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        resolver = resolver_for(self.context.module)
        instance = resolver.instance(node)
        if instance is None or instance.call is not node or instance.kind not in _REUSABLE:
            return
        if _built_from_invocation(resolver, instance):
            return
        what = _REUSABLE[instance.kind]
        loop = resolver.context(node).loops
        if loop:
            self.report(node, f"{what} created inside {resolver.describe_loop(loop[-1])}: one per item; create it once, at module scope, and reuse it")
            return
        if instance.kind in _LOOP_BOUND or not self.context.on_handler_path(node):
            return
        function = resolver.context(node).function
        if function is None or resolver.is_cached(function) or _kept(resolver, node) or _serves_custom_resources(self.context):
            return
        # a boto3 session holds no connections: what a new one repeats is the credential lookup
        kept = "its credentials" if what == "boto3 session" else "its connections"
        self.report(
            node,
            f"{what} created on every invocation: create it once at module scope so warm invocations reuse it and {kept}",
            fix=_module_scope_fix(resolver, instance, function),
        )


def _module_scope_fix(resolver: ModuleResolver, instance: Instance, function: ast.AST) -> Fix | None:
    """Move `name = boto3.client(...)`, a statement of a module-level function's own body, to
    module scope, when every name the call reads is a module-level name bound once, and the
    function binds `name` only there and never closes it. The codemod checks the same on the
    concrete tree (and renames the client when the name is taken at module scope)."""
    call = instance.call
    if instance.kind not in AWS_CLIENT_FACTORIES:
        return None
    statement = resolver.parents.get(call)
    module = resolver.module.tree
    if (
        not isinstance(statement, ast.Assign)
        or len(statement.targets) != 1
        or not isinstance(statement.targets[0], ast.Name)
        or not any(statement is s for s in function.body)  # type: ignore[attr-defined]
        or not any(function is s for s in module.body)
    ):
        return None
    name = statement.targets[0].id
    scope = resolver.scope_of(call)
    for node in iter_nodes(call, into_scopes=True):
        if isinstance(node, ast.Name):
            bindings = resolver.lookup(node.id, scope)
            if len(bindings) != 1 or bindings[0].scope is not resolver.module_scope:
                return None  # a local, a parameter, a name bound twice or not at all (a builtin)
    if len(resolver.lookup(name, scope)) != 1:
        return None  # bound again in the function: the move would change what it means
    for node in iter_nodes(function, into_scopes=True):
        parent = resolver.parents.get(node)
        if isinstance(node, ast.Name) and node.id == name and (
            isinstance(parent, (ast.withitem, ast.Delete))
            or (isinstance(parent, ast.Attribute) and parent.attr == "close")
        ):
            return None  # closed (or used as a context manager) each invocation: it cannot be kept
    return python_fix(
        f"Move `{name} = {resolver.module.code_of(call)}` to module scope"
        if "\n" not in resolver.module.code_of(call)
        else f"Move the creation of `{name}` to module scope",
        Applicability.UNSAFE,
        "lk304-module-scope",
    )


@codemod("lk304-module-scope")
def _to_module_scope(text, location, arguments):
    import libcst as cst

    from lintkit.python.codemods import rewrite

    def change(source):
        call = source.node_at(location, cst.Call)
        line = source.parent_statement(call) if call is not None else None
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        assign = line.body[0]
        if not isinstance(assign, cst.Assign) or assign.value is not call or len(assign.targets) != 1:
            return None
        target = assign.targets[0].target
        if not isinstance(target, cst.Name):
            return None
        body = list(source.module.body)
        function = next(
            (s for s in body if isinstance(s, cst.FunctionDef) and isinstance(s.body, cst.IndentedBlock) and line in s.body.body),
            None,
        )
        if function is None:
            return None
        return _move(source, body, function, line, target, call)

    return rewrite(text, change)


def _move(source, body, function, line, target, call):
    import libcst as cst

    from lintkit.python.codemods import BUILTIN_NAMES, names_in

    local = source.scope_of(target)
    if local is None or len(local.assignments[target.value]) != 1:
        return None
    (assignment,) = local.assignments[target.value]
    module_scope = local.globals
    # where the statement may go: after the opening imports and every module-level statement
    # binding a name the call reads
    position = 0
    for index, statement in enumerate(body):
        if isinstance(statement, cst.SimpleStatementLine) and all(isinstance(s, (cst.Import, cst.ImportFrom)) for s in statement.body):
            position = index + 1
        else:
            break
    for name in names_in(call):
        found = list(source.scope_of(name)[name.value]) if source.scope_of(name) is not None else []
        if len(found) != 1 or found[0].scope is not module_scope:
            return None
        holder = source.parent_statement(found[0].node) if not isinstance(found[0].node, cst.BaseStatement) else found[0].node
        index = next((i for i, s in enumerate(body) if s is holder), None)
        if index is None:
            return None
        position = max(position, index + 1)
    function_index = next(i for i, s in enumerate(body) if s is function)
    # the name at module scope: the same when it is free there, else a new one
    def taken(name: str) -> bool:
        read = any(isinstance(a.node, cst.Name) and a.node.value == name for a in module_scope.accesses)
        return bool(module_scope[name]) or name in BUILTIN_NAMES or read

    new_name = target.value
    if taken(new_name):
        candidates = [f"{target.value}_client", *(f"{target.value}_client_{n}" for n in range(2, 10))]
        new_name = next((c for c in candidates if not taken(c) and not local[c]), "")
        if not new_name:
            return None
    references = [access.node for access in assignment.references]

    class Rename(cst.CSTTransformer):
        def leave_Name(self, original, updated):
            return updated.with_changes(value=new_name) if any(original is r for r in references) else updated

    comments = [empty for empty in line.leading_lines if empty.comment is not None]
    moved = line.with_changes(
        leading_lines=[cst.EmptyLine(), *[c.with_changes(indent=False) for c in comments]],
        body=[line.body[0].with_changes(targets=[line.body[0].targets[0].with_changes(target=cst.Name(new_name))])],
    )
    statements = [s for s in function.body.body if s is not line]
    if not statements:
        return None
    new_function = function.with_changes(body=function.body.with_changes(body=statements))
    if new_name != target.value:
        new_function = new_function.visit(Rename()) if references else new_function
    body[function_index] = new_function
    body.insert(position, moved)
    return source.module.with_changes(body=body)


# Words of a CloudFormation custom resource handler: the request it answers, and how it answers.
_CUSTOM_RESOURCE_ANSWERS = ("ResponseURL", "cfnresponse", "crhelper", "PhysicalResourceId")


def _serves_custom_resources(context) -> bool:
    """Does the module answer CloudFormation custom resource requests (`event["RequestType"]`
    with a `ResponseURL`, cfnresponse, crhelper or a `PhysicalResourceId`)? Such a handler runs
    once per stack operation: there is no warm invocation to reuse a client in."""
    text = context.module.text
    return "RequestType" in text and any(word in text for word in _CUSTOM_RESOURCE_ANSWERS)


def _built_from_invocation(resolver: ModuleResolver, instance: Instance) -> bool:
    """Is an argument of the object's constructor, or of the session it comes from, a value of
    this invocation (`endpoint_url=` from the event, credentials of an `assume_role`)?"""
    current: Instance | None = instance
    while current is not None:
        call = current.call
        arguments = [a.value if isinstance(a, ast.Starred) else a for a in call.args] + [k.value for k in call.keywords]
        if any(resolver.per_invocation(arg, current.scope) for arg in arguments):
            return True
        current = current.parent
    return False


def _kept(resolver: ModuleResolver, call: ast.Call) -> bool:
    """Is the new object stored somewhere that outlives the call (a global, an attribute)?"""
    parent = resolver.parents.get(call)
    if not isinstance(parent, ast.Assign) or parent.value is not call:
        return False
    for target in parent.targets:
        if isinstance(target, ast.Attribute):
            return True
        if isinstance(target, ast.Name):
            scope = resolver.scope_of(call)
            if target.id in scope.globals:
                return True
    return False


# multiprocessing objects built on POSIX semaphores, which need /dev/shm.
_SEMAPHORE_BASED = frozenset(
    {
        "Pool", "Queue", "JoinableQueue", "SimpleQueue", "Lock", "RLock", "Semaphore", "BoundedSemaphore",
        "Condition", "Event", "Barrier", "Value", "Array",
    }
)


class MultiprocessingUnsupported(CodeRule):
    """
    ## What it does
    Finds `multiprocessing` objects that need POSIX semaphores in Lambda code: `Pool`,
    `Queue`, `JoinableQueue`, `SimpleQueue`, the locks, `Semaphore`, `Condition`, `Event`, `Barrier`, `Value` / `Array` (with their default lock), also through
    `multiprocessing.get_context()`, and `concurrent.futures.ProcessPoolExecutor`.

    ## Why is this bad?
    The Lambda execution environment has no `/dev/shm`, so creating a POSIX semaphore fails and
    these objects raise `OSError: [Errno 38] Function not implemented` the first time the code
    runs in Lambda, although it works on a laptop. `multiprocessing.Process` and `Pipe` do work
    (AWS's compute blog shows parallel processing with them).

    ## Example
    ```python
    def handler(event, context):
        with multiprocessing.Pool(4) as pool:
            return pool.map(resize, event["keys"])
    ```

    Use instead:
    ```python
    def handler(event, context):
        with ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(resize, event["keys"]))
    ```
    or `multiprocessing.Process` with `Pipe` for CPU-bound work.

    ## Known problems
    The missing `/dev/shm` is documented by AWS's blog and widely reported, not in the Lambda
    quotas page. `multiprocessing.Manager()` and `multiprocessing.pool.ThreadPool` are not
    reported: whether they fail depends on the Python version.
    """

    code = "LK305"
    name = "multiprocessing-unsupported"
    summary = "multiprocessing Pool/Queue/locks or ProcessPoolExecutor in Lambda code: no /dev/shm."
    severity = Severity.ERROR
    references = (PARALLEL_PROCESSING_BLOG,)
    TRIGGERS = ("multiprocessing", "ProcessPoolExecutor")
    INVALID = (
        Example(
            python="""
            import multiprocessing

            def handler(event, context):
                with multiprocessing.Pool(4) as pool:
                    return pool.map(resize, event["keys"])
            """,
            line=4,
        ),
        Example(
            python="""
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import Queue

            results = Queue()

            def handler(event, context):
                with ProcessPoolExecutor() as pool:
                    return list(pool.map(resize, event["keys"]))
            """,
            line=4,
        ),
    )
    VALID = (
        # Process and Pipe work without /dev/shm
        """
        from multiprocessing import Pipe, Process

        def handler(event, context):
            parent, child = Pipe()
            worker = Process(target=resize, args=(event["key"], child))
            worker.start()
            result = parent.recv()
            worker.join()
            return result
        """,
        # a script, not Lambda code
        """
        import multiprocessing

        def main():
            with multiprocessing.Pool() as pool:
                pool.map(print, range(3))
        """,
    )

    def visit_Call(self, node: ast.Call) -> None:
        if not (self.context.lambda_code or self.context.handler_names):
            return
        resolver = resolver_for(self.context.module)
        name = resolver.callee(node) or ""
        instance = resolver.instance(node)
        if instance is not None and instance.parent is not None and instance.parent.kind == "multiprocessing.get_context":
            name = instance.kind
        module, _, member = name.rpartition(".")
        if name == "concurrent.futures.ProcessPoolExecutor":
            shown = "ProcessPoolExecutor"
        elif module == "multiprocessing" and member in _SEMAPHORE_BASED:
            if member in ("Value", "Array") and resolver.constant(keyword_argument(node, "lock")) is False:
                return
            shown = f"multiprocessing.{member}"
        else:
            return
        self.report(
            node,
            f"{shown} needs POSIX semaphores, which fail in Lambda (no /dev/shm: OSError [Errno 38] Function not "
            f"implemented); use threads (ThreadPoolExecutor) or multiprocessing.Process with Pipe",
        )


CONCURRENCY_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html"


class ReservedConcurrencyZero(TemplateRule):
    """
    ## What it does
    Finds functions whose `ReservedConcurrentExecutions` is 0 (after SAM `Globals`; Terraform's
    `reserved_concurrent_executions = 0`, the Serverless Framework's `reservedConcurrency: 0`),
    written literally or taken from a parameter's value.

    ## Why is this bad?
    Reserved concurrency is both a guarantee and a cap: 0 caps the function at no concurrent
    execution at all, so Lambda throttles every invocation. Synchronous callers get a 429
    `TooManyRequestsException`, asynchronous events are retried for up to six hours and then
    dropped (or sent to the failure destination), and event source mappings stop processing
    (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html,
    [§3.2](../lambda-facts.md#s3-2)). A value of 0 usually comes from a copied
    template or a parameter meant for another stage.

    ## Example
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Handler: app.handler
        ReservedConcurrentExecutions: 0
    ```

    Use instead: remove `ReservedConcurrentExecutions` (the function shares the account's
    unreserved concurrency), or reserve the concurrency it needs (`ReservedConcurrentExecutions: 10`).

    ## Known problems
    A function switched off on purpose (a kill switch) is reported too. Say so where it is
    set: `# lintkit: ignore[LK306]` at the end of the line (the `Globals` line when the value
    comes from there), or `Metadata: {lintkit: {ignore: [LK306]}}` on a function that sets it.
    """

    code = "LK306"
    name = "reserved-concurrency-zero"
    summary = "ReservedConcurrentExecutions: 0 throttles every invocation of the function."
    severity = Severity.WARNING
    references = (CONCURRENCY_DOCS,)
    _FUNCTION = (
        "Transform: AWS::Serverless-2016-10-31\n{parameters}Resources:\n  Worker:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      InlineCode: \"def handler(event, context): pass\"\n      Handler: index.handler\n"
        "      Runtime: python3.12\n{properties}"
    )
    _PARAMETER = "Parameters:\n  Concurrency:\n    Type: Number\n    Default: {default}\n"
    INVALID = (
        Example(template=_FUNCTION.format(parameters="", properties="      ReservedConcurrentExecutions: 0\n"), line=9),
        # the parameter's default is 0
        Example(
            template=_FUNCTION.format(
                parameters=_PARAMETER.format(default=0), properties="      ReservedConcurrentExecutions: !Ref Concurrency\n"
            ),
            line=13,
        ),
    )
    VALID = (
        Example(template=_FUNCTION.format(parameters="", properties="      ReservedConcurrentExecutions: 5\n")),
        Example(template=_FUNCTION.format(parameters="", properties="")),
        Example(
            template=_FUNCTION.format(
                parameters=_PARAMETER.format(default=10), properties="      ReservedConcurrentExecutions: !Ref Concurrency\n"
            )
        ),
        # a deliberate kill switch, said so
        Example(
            template=_FUNCTION.format(parameters="", properties="      ReservedConcurrentExecutions: 0  # lintkit: ignore[LK306]\n")
        ),
    )

    def check(self, template: Template) -> None:
        for function in template.functions.values():
            if "ReservedConcurrentExecutions" not in function.properties:
                continue
            value = template.int_value(function.properties["ReservedConcurrentExecutions"])
            if value != 0:
                continue
            self.emit(
                function.location("ReservedConcurrentExecutions"),
                f"{function.logical_id} ReservedConcurrentExecutions is 0{value_origin(value)}: Lambda throttles every "
                f"invocation (callers get a 429 TooManyRequestsException, events and queue messages are not processed); "
                f"remove it or reserve the concurrency the function needs (a deliberate kill switch: suppress this "
                f"finding with # lintkit: ignore[LK306])",
            )
