"""What a call in a module is: which library or AWS client it goes through, the constant values of
its arguments, the client's botocore `Config`, and where it runs (handler or module scope, loop,
retry construct). Shared by the LK1xx, LK2xx, LK3xx, LK605 and LK7xx rules, and by the template
join, which asks for the module's Lambda invokes and HTTP calls (`ModuleResolver.invokes()`,
`.http_calls()`) and resolves what they name (`EnvVar`) through the function's `Environment`.

One light pass of our own over the module's `ast` tree records imports, the bindings of every scope, each call's scope and
enclosing loops, and parents. Everything else is answered on demand from those tables and
memoised. Answers are evidence-based: a value we cannot follow is `UNKNOWN`, never a guess, and
rules fire only on what is known.

Get the resolver of a module with `resolver_for(module)`: it is built once and kept on the
module.

What the template join calls:
- `invokes()`: every Lambda invoke, as `InvokeCall` (FunctionName's expression `function_name`
  and value `target`, a constant or an `EnvVar`; `invocation_type`; `payload`; `client.config`,
  a `BotoConfig` with `read_timeout` / `connect_timeout` / `total_attempts` and
  `reruns_slow_callee(callee_timeout)`; `context` with the enclosing function, loops and retry).
- `http_calls()`: every HTTP request, as `HttpCall` (library, client, `timeout` expression and
  `timeout_state`, the client's `retry_policy`, `context`); `constant(call.timeout)` reads it.
- `in_handler_path(call, handler_names)`, `fan_out_loop(call)`, `data_source(expr)`.
- `returns_unbounded(function)`: the `return`s of a handler whose value has no size bound."""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import ast

from lintkit.python.loops import TRY_NODES as _TRY_NODES
from lintkit.python.loops import body_nodes as _loop_body_nodes
from lintkit.python.loops import leaves_after, retries_on_failure, runs_each_pass
from lintkit.python.module import PythonModule
from lintkit.python.nodes import (
    COMPREHENSION_NODES,
    FOR_NODES,
    FUNCTION_NODES,
    LOOP_NODES,
    SCOPE_NODES,
    FunctionNode,
    access_path,
    argument,
    decorator_target,
    dict_items,
    dotted_name,
    double_star_arguments,
    child_nodes,
    is_broad_handler,
    iter_nodes,
    keyword_argument,
    keyword_names,
    parameters,
    positional_arguments,
    string_value,
    subscript_key,
)


class _Unknown:
    """A value the resolver cannot determine (an expression, a call, several bindings)."""

    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


class ServiceBound(str):
    """A reason (worded for a message) why data has no size bound in the code, while a service
    still bounds it: one DynamoDB `Query`/`Scan` page reads at most 1 MB. A plain `str` reason
    has no bound at all."""

    at_most_mb: float

    def __new__(cls, text: str, *, at_most_mb: float) -> "ServiceBound":
        reason = super().__new__(cls, text)
        reason.at_most_mb = at_most_mb
        return reason


@dataclass(frozen=True)
class EnvVar:
    """A value read from the environment (`os.environ["X"]`, `os.environ.get("X", d)`,
    `os.getenv("X")`): the join resolves it through the function's `Environment.Variables`."""

    name: str
    default: Any = None  # the constant default given to `.get`/`getenv`, else None

    def __str__(self) -> str:
        return f"env var {self.name}"


def describe(value: Any) -> str:
    """A constant for a message: `'orders'`, `env var TARGET`, or `an expression`."""
    if value is UNKNOWN:
        return "an expression"
    if isinstance(value, EnvVar):
        return str(value)
    return repr(value)


# -- library tables ---------------------------------------------------------------------------

# Other spellings of the same thing -> the name the tables below use.
QUALIFIED_ALIASES = {
    "boto3.session.Session": "boto3.Session",
    "botocore.client.Config": "botocore.config.Config",
    "requests.session": "requests.Session",
    "requests.sessions.Session": "requests.Session",
    "requests.sessions.session": "requests.Session",
    "requests.api.get": "requests.get",
    "requests.api.post": "requests.post",
    "requests.api.request": "requests.request",
    "requests.adapters.Retry": "urllib3.Retry",
    "urllib3.util.Retry": "urllib3.Retry",
    "urllib3.util.retry.Retry": "urllib3.Retry",
    "requests.packages.urllib3.util.retry.Retry": "urllib3.Retry",
    "requests.packages.urllib3.Retry": "urllib3.Retry",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "concurrent.futures.thread.ThreadPoolExecutor": "concurrent.futures.ThreadPoolExecutor",
    "concurrent.futures.process.ProcessPoolExecutor": "concurrent.futures.ProcessPoolExecutor",
    "multiprocessing.pool.Pool": "multiprocessing.Pool",
    "aiohttp.connector.TCPConnector": "aiohttp.TCPConnector",
    "aiohttp.client.ClientSession": "aiohttp.ClientSession",
    "asyncio.taskgroups.TaskGroup": "asyncio.TaskGroup",
}

# Calls that build an object the rules care about (the key is the constructor's qualified name).
AWS_CLIENT_FACTORIES = frozenset({"boto3.client", "boto3.resource"})
AWS_SESSION_FACTORIES = frozenset({"boto3.Session"})
HTTP_CLIENT_FACTORIES = {
    "requests.Session": "requests",
    "httpx.Client": "httpx",
    "httpx.AsyncClient": "httpx",
    "urllib3.PoolManager": "urllib3",
    "urllib3.ProxyManager": "urllib3",
    "aiohttp.ClientSession": "aiohttp",
    "aiohttp_retry.RetryClient": "aiohttp",
}
# Other constructors whose arguments a rule reads.
OTHER_FACTORIES = frozenset(
    {
        "botocore.config.Config",
        "urllib3.Retry",
        "requests.adapters.HTTPAdapter",
        "httpx.HTTPTransport",
        "httpx.AsyncHTTPTransport",
        "httpx.Limits",
        "httpx.Timeout",
        "aiohttp.TCPConnector",
        "aiohttp.ClientTimeout",
        "tenacity.Retrying",
        "tenacity.AsyncRetrying",
        "asyncio.TaskGroup",
        "asyncio.Semaphore",
        "asyncio.BoundedSemaphore",
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
        "multiprocessing.get_context",
        "open",
    }
)
FACTORIES = AWS_CLIENT_FACTORIES | AWS_SESSION_FACTORIES | frozenset(HTTP_CLIENT_FACTORIES) | OTHER_FACTORIES
# `receiver.method(...)` that builds an object: (receiver kind, method) -> the new object's kind.
METHOD_FACTORIES = {
    ("boto3.Session", "client"): "boto3.client",
    ("boto3.Session", "resource"): "boto3.resource",
}

HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send"})
# Module-level request functions: qualified name -> library.
HTTP_FUNCTIONS = {
    **{f"requests.{m}": "requests" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request")},
    **{f"httpx.{m}": "httpx" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")},
    "urllib3.request": "urllib3",
    "aiohttp.request": "aiohttp",
    "urllib.request.urlopen": "urllib",
}
# Methods that send a request, by the library of the client object.
HTTP_CLIENT_METHODS = {
    "requests": HTTP_METHODS - {"stream"},
    "httpx": HTTP_METHODS,
    "urllib3": frozenset({"request", "urlopen", "request_encode_url", "request_encode_body"}),
    "aiohttp": HTTP_METHODS - {"stream", "send"},
}

# Decorators that retry the function they wrap (qualified names).
RETRY_DECORATORS = {
    "tenacity.retry": "tenacity @retry",
    "backoff.on_exception": "backoff @on_exception",
    "backoff.on_predicate": "backoff @on_predicate",
    "retrying.retry": "retrying @retry",
    "retry.retry": "retry @retry",
}
RETRYING_CONTROLLERS = frozenset({"tenacity.Retrying", "tenacity.AsyncRetrying"})
SLEEP_FUNCTIONS = frozenset({"time.sleep", "asyncio.sleep"})
# Decorators that make a function's result computed once (a client built there is reused).
CACHING_DECORATORS = frozenset({"functools.lru_cache", "functools.cache", "functools.cached_property", "cached_property", "lru_cache", "cache"})

# Where Lambda extensions listen (the Parameters and Secrets extension on port 2773, ...).
LOCAL_PREFIXES = ("http://localhost", "http://127.0.0.1")

# Methods whose result is a collection sized by data (a page of items or more).
COLLECTION_METHODS = frozenset(
    {"scan", "query", "paginate", "fetchall", "all", "filter", "build_full_result", "batch_get_item", "execute_statement", "readlines", "splitlines", "split"}
)
ITERATION_BUILTINS = frozenset({"list", "tuple", "set", "sorted", "reversed", "enumerate", "zip", "filter", "map", "frozenset", "itertools.chain", "itertools.chain.from_iterable"})
TRANSFORMS = frozenset(
    {"json.dumps", "json.loads", "str", "bytes", "base64.b64encode", "base64.b64decode", "base64.standard_b64encode", "base64.urlsafe_b64encode", "gzip.compress", "zlib.compress", "pickle.dumps", "repr"}
)
TRANSFORM_METHODS = frozenset({"decode", "encode", "strip", "upper", "lower", "replace", "format"})
# Calls whose result depends only on their arguments and receiver (`per_invocation`).
PURE_FUNCTIONS = TRANSFORMS | ITERATION_BUILTINS | frozenset(
    {"int", "float", "bool", "dict", "list", "len", "min", "max", "sum", "abs", "round", "os.path.join", "urllib.parse.urljoin", "urllib.parse.quote"}
)
PURE_METHODS = TRANSFORM_METHODS | frozenset({"get", "join", "split", "rsplit", "strip", "rstrip", "lstrip", "removeprefix", "removesuffix", "items", "keys", "values", "copy"})
# Fan-out larger than this many items counts as "data-sized" even when it is a constant.
SMALL_FAN_OUT = 50


# -- what the resolver reports ----------------------------------------------------------------


class Scope:
    """A function, lambda, class, comprehension or the module, with the names bound in it."""

    def __init__(self, node: ast.AST, parent: "Scope | None", kind: str) -> None:
        self.node = node
        self.parent = parent
        self.kind = kind  # "module" | "function" | "class" | "comprehension"
        self.bindings: dict[str, list[Binding]] = {}
        self.globals: set[str] = set()

    def bind(self, name: str, binding: "Binding") -> None:
        self.bindings.setdefault(name, []).append(binding)

    @property
    def function(self) -> FunctionNode | None:
        """The innermost `def` this scope belongs to (None at module or class level)."""
        scope: Scope | None = self
        while scope is not None:
            if isinstance(scope.node, FUNCTION_NODES):
                return scope.node
            if scope.kind in ("module", "class"):
                return None
            scope = scope.parent
        return None


@dataclass(frozen=True)
class Binding:
    """One way a name gets its value. `kind`: "value" (`x = expr`, `with expr as x`, `x := expr`),
    "element" (`for x in expr`: `node` is the iterable), "param", "import" (`qualname`),
    "function", "class", "augmented" (`x += ...`) or "unknown" (unpacking, `except ... as x`)."""

    kind: str
    node: ast.AST | None = field(repr=False)
    scope: Scope = field(repr=False)
    qualname: str | None = None
    default: ast.expr | None = field(repr=False, default=None)  # a parameter's default value


@dataclass(frozen=True)
class RetryConstruct:
    """Why a call is retried: `kind` is "decorator", "loop", "controller" (tenacity `Retrying`)
    or "caller" (every caller in the module is retried); `node` is the decorator, loop or call."""

    kind: str
    node: ast.AST = field(repr=False)
    description: str = ""


@dataclass(frozen=True)
class CallContext:
    """Where a call runs. `function` is the innermost `def` (None at module level); `loops` are the
    enclosing loops of that function, outermost first (for / while / comprehensions, a retry loop
    included); `retry` is the first retry construct around it, if any."""

    function: FunctionNode | None = field(repr=False)
    class_def: ast.ClassDef | None = field(repr=False)
    loops: tuple[ast.AST, ...] = field(repr=False)
    retry: RetryConstruct | None = None

    @property
    def at_module_scope(self) -> bool:
        return self.function is None


@dataclass(eq=False)
class Instance:
    """An object built by a known constructor: `kind` is its qualified name (`boto3.client`,
    `requests.Session`, `botocore.config.Config`, ...). `parent` is the session a client was
    made from."""

    kind: str
    call: ast.Call = field(repr=False)
    scope: Scope = field(repr=False)
    loops: tuple[ast.AST, ...] = field(repr=False, default=())
    parent: "Instance | None" = None

    @property
    def library(self) -> str:
        return HTTP_CLIENT_FACTORIES.get(self.kind) or self.kind.split(".", 1)[0]


@dataclass(frozen=True)
class BotoConfig:
    """A botocore `Config(...)`. Each setting is its constant value, None when not set (botocore's
    default applies), or UNKNOWN. `readable` is False when a `config=` was passed that the resolver
    could not follow: then every setting is UNKNOWN."""

    call: ast.Call | None = field(repr=False)
    connect_timeout: Any = None
    read_timeout: Any = None
    max_attempts: Any = None  # retries only, in a Config (LAMBDA-FACTS §3.1)
    total_max_attempts: Any = None
    mode: Any = None
    retries_written: bool = False
    readable: bool = True

    DEFAULT_TIMEOUT = 60  # connect_timeout and read_timeout (LAMBDA-FACTS §2.8)
    DEFAULT_ATTEMPTS = {"legacy": 5, "standard": 3, "adaptive": 3}

    @property
    def effective_read_timeout(self) -> Any:
        return self.DEFAULT_TIMEOUT if self.read_timeout is None else self.read_timeout

    @property
    def effective_connect_timeout(self) -> Any:
        return self.DEFAULT_TIMEOUT if self.connect_timeout is None else self.connect_timeout

    @property
    def total_attempts(self) -> Any:
        """Attempts including the first; UNKNOWN when a setting is an expression. Without a
        mode, botocore's default (legacy, 5 attempts) is assumed: the effective mode can also
        come from AWS_RETRY_MODE / AWS_NEW_RETRIES_2026 (LAMBDA-FACTS §3.1)."""
        settings = (self.total_max_attempts, self.max_attempts, self.mode)
        if not self.readable or any(s is UNKNOWN or isinstance(s, EnvVar) for s in settings):
            return UNKNOWN
        if isinstance(self.total_max_attempts, int):
            return self.total_max_attempts
        if isinstance(self.max_attempts, int):
            return self.max_attempts + 1
        return self.DEFAULT_ATTEMPTS.get(self.mode or "legacy", UNKNOWN)

    @property
    def retries_disabled(self) -> Any:
        attempts = self.total_attempts
        return UNKNOWN if attempts is UNKNOWN else attempts <= 1

    def reruns_slow_callee(self, callee_timeout: float | None = None) -> Any:
        """True when a synchronous invoke through this client can start the callee again while
        it still runs: retries are on and `read_timeout` is the default, or (callee known) below
        its `Timeout`. False when it cannot; UNKNOWN when a setting is an expression."""
        disabled = self.retries_disabled
        if disabled is UNKNOWN:
            return UNKNOWN
        if disabled:
            return False
        if callee_timeout is None:
            return True if self.read_timeout is None else False if self.read_timeout is not UNKNOWN else UNKNOWN
        read = self.effective_read_timeout
        return read <= callee_timeout if isinstance(read, (int, float)) else UNKNOWN


NO_CONFIG = BotoConfig(call=None)
UNREADABLE_CONFIG = BotoConfig(
    call=None, connect_timeout=UNKNOWN, read_timeout=UNKNOWN, max_attempts=UNKNOWN,
    total_max_attempts=UNKNOWN, mode=UNKNOWN, readable=False,
)


@dataclass(frozen=True)
class AwsClient:
    """A boto3 client or resource: `service` is its constant name, an EnvVar, or UNKNOWN."""

    instance: Instance = field(repr=False)
    service: Any = None
    config: BotoConfig = field(default=None)  # type: ignore[assignment]

    @property
    def created(self) -> ast.Call:
        return self.instance.call

    @property
    def at_module_scope(self) -> bool:
        return self.instance.scope.kind == "module"


@dataclass(frozen=True)
class AwsCall:
    """`client.method(...)` on a boto3 client. `client` is None when the receiver could not be
    followed and the service was recognised by the method and its arguments."""

    call: ast.Call = field(repr=False)
    service: Any = None
    method: str = ""
    client: AwsClient | None = None


@dataclass(frozen=True)
class InvokeCall:
    """A Lambda `invoke` / `invoke_async` call. `function_name` is FunctionName's expression and
    `target` its value (a constant name or ARN, an EnvVar, or UNKNOWN); `invocation_type` is
    "RequestResponse" (also when not given), "Event", "DryRun" or UNKNOWN."""

    call: ast.Call = field(repr=False)
    method: str = "invoke"
    client: AwsClient | None = None
    function_name: ast.expr | None = field(repr=False, default=None)
    target: Any = None
    invocation_type: Any = None
    invocation_type_node: ast.AST | None = field(repr=False, default=None)
    payload: ast.expr | None = field(repr=False, default=None)
    context: CallContext = field(repr=False, default=None)  # type: ignore[assignment]

    @property
    def is_async(self) -> bool:
        return self.invocation_type == "Event"

    @property
    def target_description(self) -> str:
        """The invoked function for a message: `'orders'`, `env var TARGET`, or `a function`."""
        return "a function" if self.target is UNKNOWN else describe(self.target)

    @property
    def is_sync(self) -> bool:
        return self.invocation_type == "RequestResponse"


@dataclass(frozen=True)
class HttpCall:
    """A request through requests / httpx / urllib3 / aiohttp / urllib. `client` is the session or
    pool it goes through (None for module functions like `requests.get`). `timeout` is the
    expression that sets its timeout, on the call or the client; `timeout_state` says which:
    "call", "client", "default" (the library's own default applies), "none" (disabled, or
    never set for a library without a default) or "unknown" (`**kwargs`, a custom adapter)."""

    call: ast.Call = field(repr=False)
    library: str = ""
    method: str = ""
    client: Instance | None = None
    timeout: ast.expr | None = field(repr=False, default=None)
    timeout_state: str = "unknown"
    retry_policy: str | None = None  # the client's own retry policy (mounted Retry, transport retries)
    context: CallContext = field(repr=False, default=None)  # type: ignore[assignment]
    verb: Any = UNKNOWN  # the HTTP method, upper case ("GET", "POST"), or UNKNOWN
    url: ast.expr | None = field(repr=False, default=None)  # the URL argument, as written
    # The verb the client's urllib3 `Retry` leaves out of its `allowed_methods` (POST, PATCH):
    # such a request is retried on a failed connection only, never on a 5xx or a dropped read.
    retry_skips_verb: str | None = None

    @property
    def has_timeout(self) -> Any:
        if self.timeout_state == "unknown":
            return UNKNOWN
        return self.timeout_state in ("call", "client", "default")


# urllib3 `Retry.DEFAULT_ALLOWED_METHODS`: the verbs a `Retry` retries on a read error or a status
# in `status_forcelist` unless `allowed_methods` says otherwise (LAMBDA-FACTS §13.6).
RETRY_DEFAULT_METHODS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "PUT", "TRACE"})
# Request methods whose first argument is the HTTP verb (`session.request("POST", url)`).
_VERB_FIRST = frozenset({"request", "stream", "urlopen", "request_encode_url", "request_encode_body"})

# Exceptions a request raises, by library: qualified-name prefixes, and the builtins they subclass
# (requests' RequestException and urllib's URLError are OSErrors).
HTTP_ERROR_ROOTS = {
    "requests": ("requests.",),
    "httpx": ("httpx.",),
    "urllib3": ("urllib3.", "requests.packages.urllib3."),
    "aiohttp": ("aiohttp.", "asyncio.TimeoutError"),
    "urllib": ("urllib.error.", "socket."),
}
HTTP_ERROR_BUILTINS = {
    "requests": frozenset({"OSError", "IOError", "EnvironmentError"}),
    "urllib": frozenset({"OSError", "IOError", "EnvironmentError", "TimeoutError"}),
}

# Library defaults for `timeout_state` when neither call nor client sets one.
_DEFAULT_TIMEOUTS = {"httpx": "default", "aiohttp": "default", "requests": "none", "urllib3": "none", "urllib": "none"}


# -- the resolver -----------------------------------------------------------------------------


def _memoised(default: Any):
    """Answer a recursive question once per node. The default is also the answer while the
    question is being worked out, so a cycle of names ends instead of recursing, and names
    bound many times cost linear rather than exponential time."""

    def wrap(method):
        @functools.wraps(method)
        def answer(self: "ModuleResolver", expr: Any, scope: Any = None, _depth: int = 0) -> Any:
            if expr is None or _depth > _MAX_DEPTH:
                return default
            key = (method.__name__, expr)
            memo = self._memo
            if key not in memo:
                memo[key] = default
                memo[key] = method(self, expr, scope, _depth)
            return memo[key]

        return answer

    return wrap


@dataclass(frozen=True)
class _Frame:
    scope: Scope
    loops: tuple[ast.AST, ...]
    class_def: ast.ClassDef | None
    owner: FunctionNode | None = None  # the `def` whose body holds the code (through lambdas, classes...)


@dataclass
class _Owned:
    """What the body of a `def` holds, nested scopes included (for `handler_functions`)."""

    names: list[tuple[ast.Name, Scope]] = field(default_factory=list)
    functions: list[FunctionNode] = field(default_factory=list)
    self_attributes: list[str] = field(default_factory=list)  # `self.x` / `cls.x`


_SCOPES = frozenset(SCOPE_NODES)
# The node types `_visit` does more for than record a parent (the others go straight through).
_HANDLED = frozenset(
    {ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.NamedExpr, ast.withitem, ast.ExceptHandler, ast.Global}
    | _SCOPES
    | {ast.For, ast.AsyncFor, ast.While}
    | set(COMPREHENSION_NODES)
)
# Nodes that bind nothing and hold no code (four in ten of a module's nodes): given a parent, not visited.
_LEAVES = frozenset({ast.Name, ast.Constant})
_MAX_DEPTH = 12


class ModuleResolver:
    """The resolver of one module. Build it with `resolver_for(module)`."""

    def __init__(self, module: PythonModule) -> None:
        self.module = module
        self.module_scope = Scope(module.tree, None, "module")
        self.parents: dict[ast.AST, ast.AST] = {}
        self.scopes: dict[ast.AST, Scope] = {}  # def / lambda / class / comprehension -> its scope
        self._frames: dict[ast.Call, _Frame] = {}
        self._class_attributes: dict[ast.ClassDef, dict[str, list[Binding]]] = {}
        self._owned: defaultdict[FunctionNode, _Owned] = defaultdict(_Owned)
        self._memo: dict[tuple, Any] = {}
        self._statement_loops: dict[ast.AST, tuple[ast.AST, ...]] = {}  # an assignment in a loop -> its loops
        self._walk()

    # -- the one pass -----------------------------------------------------------------------
    def _walk(self) -> None:
        parents = self.parents
        stack: list[tuple[ast.AST, _Frame]] = [(self.module.tree, _Frame(self.module_scope, (), None))]
        while stack:
            node, frame = stack.pop()
            children = self._visit(node, frame)
            if children is None:  # the usual case: every child runs in the node's frame
                children = [(child, frame) for child in child_nodes(node)]
            for child, child_frame in reversed(children):
                parents[child] = node
                kind = type(child)
                if kind not in _LEAVES:
                    stack.append((child, child_frame))
                elif kind is ast.Name and child_frame.owner is not None:
                    self._owned[child_frame.owner].names.append((child, child_frame.scope))  # type: ignore[arg-type]

    def _visit(self, node: ast.AST, frame: _Frame) -> list[tuple[ast.AST, _Frame]] | None:
        """Record what `node` binds and return its children with the frame each runs in (None:
        all of them, in `frame`). Node types are compared exactly (cheaper than `isinstance` for
        a pass over every node)."""
        kind = type(node)
        if kind is ast.Call:
            self._frames[node] = frame  # type: ignore[index]
            return None
        if kind is ast.Attribute:
            value = node.value  # type: ignore[attr-defined]
            if type(value) is ast.Name and value.id in ("self", "cls") and frame.owner is not None:
                self._owned[frame.owner].self_attributes.append(node.attr)  # type: ignore[attr-defined]
            return None
        if kind not in _HANDLED:
            return None
        scope = frame.scope
        if frame.loops and (kind is ast.Assign or kind is ast.AnnAssign or kind is ast.AugAssign):
            self._statement_loops[node] = frame.loops
        if kind is ast.Import or kind is ast.ImportFrom:
            self._bind_import(node, scope)  # type: ignore[arg-type]
        elif kind is ast.Assign:
            for target in node.targets:  # type: ignore[attr-defined]
                self._bind_target(target, node.value, scope, frame)  # type: ignore[attr-defined]
        elif kind is ast.AnnAssign:
            if node.value is not None:  # type: ignore[attr-defined]
                self._bind_target(node.target, node.value, scope, frame)  # type: ignore[attr-defined]
        elif kind is ast.AugAssign:
            if type(node.target) is ast.Name:  # type: ignore[attr-defined]
                name = node.target.id  # type: ignore[attr-defined]
                self._binding_scope(name, scope).bind(name, Binding("augmented", node, scope))
        elif kind is ast.NamedExpr:
            if type(node.target) is ast.Name:  # type: ignore[attr-defined]
                target_scope = scope
                while target_scope.kind == "comprehension" and target_scope.parent is not None:
                    target_scope = target_scope.parent
                target_scope.bind(node.target.id, Binding("value", node.value, scope))  # type: ignore[attr-defined]
        elif kind is ast.withitem:
            if node.optional_vars is not None:  # type: ignore[attr-defined]
                self._bind_target(node.optional_vars, node.context_expr, scope, frame)  # type: ignore[attr-defined]
        elif kind is ast.ExceptHandler:
            if node.name is not None:  # type: ignore[attr-defined]
                scope.bind(node.name, Binding("unknown", node, scope))  # type: ignore[attr-defined]
        elif kind is ast.Global:
            scope.globals.update(node.names)  # type: ignore[attr-defined]
        elif kind in _SCOPES:
            return self._enter_scope(node, frame)
        elif kind is ast.For or kind is ast.AsyncFor:
            inner = _Frame(scope, frame.loops + (node,), frame.class_def, frame.owner)
            self._bind_names(node.target, Binding("element", node.iter, scope), scope)  # type: ignore[attr-defined]
            return (
                [(node.iter, frame), (node.target, inner)]  # type: ignore[attr-defined]
                + [(statement, inner) for statement in node.body]  # type: ignore[attr-defined]
                + [(statement, frame) for statement in node.orelse]  # type: ignore[attr-defined]
            )
        elif kind is ast.While:
            inner = _Frame(scope, frame.loops + (node,), frame.class_def, frame.owner)
            return (
                [(node.test, inner)]  # type: ignore[attr-defined]
                + [(statement, inner) for statement in node.body]  # type: ignore[attr-defined]
                + [(statement, frame) for statement in node.orelse]  # type: ignore[attr-defined]
            )
        elif kind in COMPREHENSION_NODES:
            return self._enter_comprehension(node, frame)
        return None

    def _enter_scope(self, node: ast.AST, frame: _Frame) -> list[tuple[ast.AST, _Frame]]:
        outer = frame.scope
        # a method's names are looked up in the module, not the class body
        lookup_parent = outer.parent if outer.kind == "class" and outer.parent is not None else outer
        if isinstance(node, ast.ClassDef):
            outer.bind(node.name, Binding("class", node, outer))
            scope = Scope(node, outer, "class")
            self.scopes[node] = scope
            inner = _Frame(scope, (), node, frame.owner)
            outside = [(child, frame) for child in (*node.decorator_list, *node.bases, *node.keywords)]
            return outside + [(statement, inner) for statement in node.body]
        assert isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        scope = Scope(node, lookup_parent, "function")
        self.scopes[node] = scope
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: dict[str, ast.expr] = {p.arg: d for p, d in zip(reversed(positional), reversed(args.defaults))}
        defaults.update((p.arg, d) for p, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)
        for param in (*positional, *args.kwonlyargs):
            scope.bind(param.arg, Binding("param", param, scope, default=defaults.get(param.arg)))
        for star in (args.vararg, args.kwarg):
            if star is not None:
                scope.bind(star.arg, Binding("unknown", star, scope))
        evaluated_outside = [(d, frame) for d in (*args.defaults, *args.kw_defaults) if d is not None]
        if isinstance(node, ast.Lambda):
            return evaluated_outside + [(node.body, _Frame(scope, (), frame.class_def, frame.owner))]
        inner = _Frame(scope, (), frame.class_def, node)
        if frame.owner is not None:
            self._owned[frame.owner].functions.append(node)
        outer.bind(node.name, Binding("function", node, outer))
        outside = [(d, frame) for d in node.decorator_list] + evaluated_outside
        params = (*positional, args.vararg, *args.kwonlyargs, args.kwarg)
        annotations = [(p.annotation, frame) for p in params if p is not None and p.annotation is not None]
        if node.returns is not None:
            annotations.append((node.returns, frame))
        return outside + annotations + [(statement, inner) for statement in node.body]

    def _enter_comprehension(self, node: ast.AST, frame: _Frame) -> list[tuple[ast.AST, _Frame]]:
        scope = Scope(node, frame.scope, "comprehension")
        self.scopes[node] = scope
        inner = _Frame(scope, frame.loops + (node,), frame.class_def, frame.owner)
        children: list[tuple[ast.AST, _Frame]] = []
        for index, generator in enumerate(node.generators):  # type: ignore[attr-defined]
            self._bind_names(generator.target, Binding("element", generator.iter, scope), scope)
            # the first iterable is evaluated outside the comprehension
            children.append((generator.iter, frame if index == 0 else inner))
            children.extend((cond, inner) for cond in generator.ifs)
        parts = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]  # type: ignore[attr-defined]
        return children + [(part, inner) for part in parts]

    def _bind_import(self, node: ast.Import | ast.ImportFrom, scope: Scope) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    scope.bind(alias.asname, Binding("import", alias, scope, alias.name))
                else:  # `import a.b` binds `a`, the package, as `import a.c` does
                    head = alias.name.split(".", 1)[0]
                    scope.bind(head, Binding("import", alias, scope, head))
            return
        if node.level or node.module is None:
            return
        for alias in node.names:
            if alias.name == "*":
                continue
            scope.bind(alias.asname or alias.name, Binding("import", alias, scope, f"{node.module}.{alias.name}"))

    def _bind_target(self, target: ast.expr, value: ast.expr, scope: Scope, frame: _Frame) -> None:
        if isinstance(target, ast.Name):
            self._binding_scope(target.id, scope).bind(target.id, Binding("value", value, scope))
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = list(target.elts)
            values = list(value.elts) if isinstance(value, (ast.Tuple, ast.List)) else None
            if values is not None and len(values) == len(elements) and not any(isinstance(e, ast.Starred) for e in values + elements):
                for element, item in zip(elements, values):
                    self._bind_target(element, item, scope, frame)
            else:
                self._bind_names(target, Binding("unknown", value, scope), scope)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and frame.class_def is not None:
            owner = target.value.id
            function = scope.function
            if scope.kind == "class" or (function is not None and _first_param(function) == owner and owner in ("self", "cls")):
                attributes = self._class_attributes.setdefault(frame.class_def, {})
                attributes.setdefault(target.attr, []).append(Binding("value", value, scope))
        if scope.kind == "class" and isinstance(target, ast.Name) and frame.class_def is not None:
            attributes = self._class_attributes.setdefault(frame.class_def, {})
            attributes.setdefault(target.id, []).append(Binding("value", value, scope))

    def _bind_names(self, target: ast.AST, binding: Binding, scope: Scope) -> None:
        if isinstance(target, ast.Name):
            self._binding_scope(target.id, scope).bind(target.id, binding)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_names(element, binding, scope)
        elif isinstance(target, ast.Starred):
            self._bind_names(target.value, binding, scope)

    def _binding_scope(self, name: str, scope: Scope) -> Scope:
        """Where an assignment in `scope` binds `name` (the module, after `global name`)."""
        return self.module_scope if name in scope.globals else scope

    # -- scopes and names -------------------------------------------------------------------
    def scope_of(self, node: ast.AST) -> Scope:
        """The scope an expression is evaluated in."""
        current: ast.AST | None = node
        while current is not None:
            if isinstance(current, ast.Call) and current in self._frames:
                return self._frames[current].scope
            parent = self.parents.get(current)
            if parent is not None and parent in self.scopes and _is_inside_body(parent, current):
                return self.scopes[parent]
            current = parent
        return self.module_scope

    def lookup(self, name: str, scope: Scope) -> list[Binding]:
        """The bindings a name refers to from `scope` (nearest scope that binds it)."""
        current: Scope | None = scope
        while current is not None:
            if name in current.globals:
                return self.module_scope.bindings.get(name, [])
            if name in current.bindings:
                return current.bindings[name]
            current = current.parent
        return []

    @_memoised(None)
    def qualified_name(self, expr: ast.AST | None, scope: Scope | None = None, _depth: int = 0) -> str | None:
        """`boto3.client` for `boto3.client`, `b3.client` (`import boto3 as b3`), `client` (`from
        boto3 import client`), or a name bound to any of these; builtins by their own name."""
        if expr is None or _depth > _MAX_DEPTH:
            return None
        scope = scope or self.scope_of(expr)
        if isinstance(expr, ast.Name):
            bindings = self.lookup(expr.id, scope)
            if not bindings:
                return expr.id  # a builtin, or a name bound where we do not look
            imported = _imported_name(bindings)
            if imported is not None:
                return QUALIFIED_ALIASES.get(imported, imported)
            if len(bindings) == 1:
                binding = bindings[0]
                if binding.kind == "value" and isinstance(binding.node, (ast.Name, ast.Attribute)):
                    return self.qualified_name(binding.node, binding.scope, _depth + 1)
            return None
        if isinstance(expr, ast.Attribute):
            base = self.qualified_name(expr.value, scope, _depth + 1)
            if base is None:
                return None
            full = f"{base}.{expr.attr}"
            return QUALIFIED_ALIASES.get(full, full)
        return None

    def callee(self, call: ast.Call) -> str | None:
        """The qualified name of what a call calls, when it is an imported or builtin name."""
        return self.qualified_name(call.func, self.scope_of(call))

    # -- objects ----------------------------------------------------------------------------
    @_memoised(None)
    def instance(self, expr: ast.AST | None, scope: Scope | None = None, _depth: int = 0) -> Instance | None:
        """The object an expression evaluates to, when a known constructor built it: directly
        (`boto3.client("s3")`), through names, module globals, `self.x` attributes, `with ... as`,
        function parameters (default, annotation, or the same object at every call site)."""
        if expr is None or _depth > _MAX_DEPTH:
            return None
        scope = scope or self.scope_of(expr)
        if isinstance(expr, ast.Await):
            return self.instance(expr.value, scope, _depth + 1)
        if isinstance(expr, ast.Call):
            return self._constructed(expr, scope, _depth)
        if isinstance(expr, ast.Name):
            return self._same_instance(self.lookup(expr.id, scope), _depth)
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id in ("self", "cls"):
            class_def = _enclosing_class(self, expr)
            if class_def is not None:
                return self._same_instance(self._class_attributes.get(class_def, {}).get(expr.attr, []), _depth)
        return None

    def _constructed(self, call: ast.Call, scope: Scope, depth: int) -> Instance | None:
        key = ("constructed", call)
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # cycle guard
        found: Instance | None = None
        name = self.qualified_name(call.func, scope)
        frame = self._frames.get(call)
        loops = frame.loops if frame is not None else ()
        if name in FACTORIES:
            found = Instance(name, call, scope, loops)
        elif isinstance(call.func, ast.Name):
            bindings = self.lookup(call.func.id, scope)
            if len(bindings) == 1 and isinstance(bindings[0].node, FUNCTION_NODES):
                found = self._returned_instance(bindings[0].node, depth)
        elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id in ("self", "cls"):
            class_def = _enclosing_class(self, call)
            method = next((m for m in _methods(class_def) if m.name == call.func.attr), None) if class_def else None
            found = self._returned_instance(method, depth) if method is not None else None
        elif isinstance(call.func, ast.Attribute):
            receiver = self.instance(call.func.value, scope, depth + 1)
            method = call.func.attr
            if receiver is not None:
                kind = METHOD_FACTORIES.get((receiver.kind, method))
                if kind is None and receiver.kind == "multiprocessing.get_context":
                    kind = f"multiprocessing.{method}"
                if kind is not None:
                    found = Instance(kind, call, scope, loops, parent=receiver)
        self._memo[key] = found
        return found

    def _returned_instance(self, function: FunctionNode, depth: int) -> Instance | None:
        """What a function or method of the module returns, when every `return` gives the same
        kind of object (`def make_session(): session = requests.Session(); ...; return session`)."""
        inner = self.scopes[function]
        returns = [n.value for n in iter_nodes(function.body) if isinstance(n, ast.Return)]
        found = [self.instance(value, inner, depth + 1) if value is not None else None for value in returns]
        if found and all(i is not None and i.kind == found[0].kind for i in found):  # type: ignore[union-attr]
            return found[0]
        return None

    def _same_instance(self, bindings: list[Binding], depth: int) -> Instance | None:
        """The instance every binding evaluates to (the first one when all are of one kind)."""
        found: Instance | None = None
        for binding in bindings:
            if binding.kind == "value":
                if _is_none(binding.node):
                    continue  # `client = None` before a lazy assignment
                instance = self.instance(binding.node, binding.scope, depth + 1)
            elif binding.kind == "param":
                instance = self._parameter_instance(binding, depth)
            else:
                return None
            if instance is None or (found is not None and instance.kind != found.kind):
                return None
            found = found or instance
        return found

    def _parameter_instance(self, binding: Binding, depth: int) -> Instance | None:
        param = binding.node
        assert isinstance(param, ast.arg)
        default = binding.default
        if default is not None and not _is_none(default):
            instance = self.instance(default, binding.scope.parent, depth + 1)
            if instance is not None:
                return instance
        function = binding.scope.node
        if not isinstance(function, FUNCTION_NODES):
            return None
        index = _param_index(function, param)
        instances = [
            self.instance(arg, self.scope_of(call), depth + 1)
            for call in self.call_sites(function)
            for arg in [argument(call, index, param.arg) if index is not None else keyword_argument(call, param.arg)]
            if arg is not None
        ]
        if instances and all(i is not None and i.kind == instances[0].kind for i in instances):  # type: ignore[union-attr]
            return instances[0]
        return None

    def _calls_naming(self, name: str) -> tuple[list[ast.Call], list[ast.Call]]:
        """The calls that call `name` (`name(...)`, `x.name(...)`), and those that pass `name` as
        an argument: indexed once for the module."""
        index = self._memo.get(("calls_naming",))
        if index is None:
            index = {}
            for call in self._frames:
                func = call.func
                called = func.id if type(func) is ast.Name else func.attr if type(func) is ast.Attribute else None
                if called is not None:
                    index.setdefault(called, ([], []))[0].append(call)
                for arg in (*call.args, *(keyword.value for keyword in call.keywords)):
                    if type(arg) is ast.Name:
                        index.setdefault(arg.id, ([], []))[1].append(call)
            self._memo[("calls_naming",)] = index
        return index.get(name, ([], []))

    def call_sites(self, function: FunctionNode) -> list[ast.Call]:
        """Calls of a module function by its name (`helper(...)`, `self.helper(...)`)."""
        key = ("call_sites", function)
        if key not in self._memo:
            name = function.name
            sites = []
            for call in self._calls_naming(name)[0]:
                func = call.func
                if isinstance(func, ast.Name) and func.id == name:
                    if any(b.node is function for b in self.lookup(name, self._frames[call].scope)):
                        sites.append(call)
                elif isinstance(func, ast.Attribute) and func.attr == name and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
                    if _enclosing_class(self, call) is _enclosing_class(self, function):
                        sites.append(call)
            self._memo[key] = sites
        return self._memo[key]

    # -- constants --------------------------------------------------------------------------
    @_memoised(UNKNOWN)
    def constant(self, expr: ast.AST | None, scope: Scope | None = None, _depth: int = 0) -> Any:
        """The constant an expression evaluates to: literals, names bound once to constants (module
        or function scope), `os.environ[...]` / `.get` / `os.getenv` (an EnvVar), tuples of
        constants, `a + b` of strings or numbers; else UNKNOWN."""
        if expr is None or _depth > _MAX_DEPTH:
            return UNKNOWN
        scope = scope or self.scope_of(expr)
        if isinstance(expr, ast.Constant):
            value = expr.value
            return value if value is None or isinstance(value, (str, int, float)) else UNKNOWN
        if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            value = self.constant(expr.operand, scope, _depth + 1)
            return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else UNKNOWN
        if isinstance(expr, ast.Name):
            return self._name_constant(expr.id, scope, _depth)
        if isinstance(expr, (ast.Tuple, ast.List)):
            values = tuple(self.constant(e, scope, _depth + 1) for e in expr.elts)
            return UNKNOWN if any(v is UNKNOWN for v in values) or any(isinstance(e, ast.Starred) for e in expr.elts) else values
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.Add, ast.Mult)):
            left, right = self.constant(expr.left, scope, _depth + 1), self.constant(expr.right, scope, _depth + 1)
            try:
                if isinstance(expr.op, ast.Add) and type(left) is type(right) and isinstance(left, (str, int, float)):
                    return left + right
                if isinstance(expr.op, ast.Mult) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
                    return left * right
            except TypeError:
                return UNKNOWN
            return UNKNOWN
        env = self.environment_variable(expr, scope)
        if env is not None:
            return env
        if isinstance(expr, ast.Call) and self.qualified_name(expr.func, scope) in ("int", "float", "str") and len(expr.args) == 1 and not expr.keywords:
            inner = self.constant(expr.args[0], scope, _depth + 1)
            return inner if isinstance(inner, EnvVar) else UNKNOWN
        return UNKNOWN

    def _name_constant(self, name: str, scope: Scope, depth: int) -> Any:
        bindings = self.lookup(name, scope)
        if not bindings or any(b.kind != "value" for b in bindings):
            return UNKNOWN
        values = {repr(v): v for v in (self.constant(b.node, b.scope, depth + 1) for b in bindings)}
        if len(values) != 1:
            return UNKNOWN
        return next(iter(values.values()))

    def environment_variable(self, expr: ast.AST, scope: Scope | None = None) -> EnvVar | None:
        """`os.environ["X"]`, `os.environ.get("X"[, default])`, `os.getenv("X"[, default])`."""
        scope = scope or self.scope_of(expr)
        if isinstance(expr, ast.Subscript) and self.qualified_name(expr.value, scope) == "os.environ":
            key = self.constant(subscript_key(expr), scope)
            return EnvVar(key) if isinstance(key, str) else None
        if isinstance(expr, ast.Call) and self.qualified_name(expr.func, scope) in ("os.environ.get", "os.getenv"):
            positional = positional_arguments(expr)
            if positional:
                key = self.constant(positional[0], scope)
                if isinstance(key, str):
                    default = self.constant(positional[1], scope) if len(positional) > 1 else None
                    return EnvVar(key, None if default is UNKNOWN else default)
        return None

    def keyword(self, call: ast.Call, name: str) -> tuple[ast.expr, Scope] | None:
        """The expression passed for keyword `name`, also through `**params` where `params` is a
        dict display or `dict(...)` call bound in scope."""
        scope = self.scope_of(call)
        arg = keyword_argument(call, name)
        if arg is not None:
            return arg, scope
        for mapping in double_star_arguments(call):
            found = self._mapping_item(mapping, name, scope, 0)
            if found is not None:
                return found
        return None

    def has_unknown_keywords(self, call: ast.Call) -> bool:
        """Does the call pass `**mapping` we cannot read (so any keyword may be in it)?"""
        scope = self.scope_of(call)
        return any(self._mapping(m, scope, 0) is None for m in double_star_arguments(call))

    def _mapping(self, expr: ast.expr, scope: Scope, depth: int) -> tuple[ast.AST, Scope] | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Dict) or (isinstance(expr, ast.Call) and self.qualified_name(expr.func, scope) == "dict"):
            return expr, scope
        if isinstance(expr, ast.Name):
            bindings = self.lookup(expr.id, scope)
            if len(bindings) == 1 and bindings[0].kind == "value":
                return self._mapping(bindings[0].node, bindings[0].scope, depth + 1)  # type: ignore[arg-type]
        return None

    def _mapping_item(self, expr: ast.expr, name: str, scope: Scope, depth: int) -> tuple[ast.expr, Scope] | None:
        found = self._mapping(expr, scope, depth)
        if found is None:
            return None
        mapping, where = found
        if isinstance(mapping, ast.Dict):
            for key, _, value in dict_items(mapping):
                if key == name:
                    return value, where
            return None
        arg = keyword_argument(mapping, name)  # type: ignore[arg-type]
        return (arg, where) if arg is not None else None

    # -- AWS clients ------------------------------------------------------------------------
    def aws_client(self, expr: ast.AST, scope: Scope | None = None) -> AwsClient | None:
        instance = self.instance(expr, scope)
        if instance is None or instance.kind not in AWS_CLIENT_FACTORIES:
            return None
        return self.aws_client_of(instance)

    def aws_client_of(self, instance: Instance) -> AwsClient:
        key = ("aws_client", instance.call)
        if key not in self._memo:
            call = instance.call
            service_arg = argument(call, 0, "service_name")
            service = self.constant(service_arg, instance.scope) if service_arg is not None else UNKNOWN
            self._memo[key] = AwsClient(instance, service, self._client_config(call, instance))
        return self._memo[key]

    def _client_config(self, call: ast.Call, instance: Instance) -> BotoConfig:
        found = self.keyword(call, "config")
        if found is None:
            if self.has_unknown_keywords(call):
                return UNREADABLE_CONFIG
            return NO_CONFIG
        expr, scope = found
        if _is_none(expr):
            return NO_CONFIG
        config = self.instance(expr, scope)
        if config is None or config.kind != "botocore.config.Config":
            return UNREADABLE_CONFIG
        return self.boto_config(config.call)

    def boto_config(self, call: ast.Call) -> BotoConfig:
        """The settings of a `botocore.config.Config(...)` call."""
        if self.has_unknown_keywords(call):
            return UNREADABLE_CONFIG
        values: dict[str, Any] = {}
        for name in ("connect_timeout", "read_timeout"):
            found = self.keyword(call, name)
            values[name] = None if found is None else self.constant(*found)
        retries = self.keyword(call, "retries")
        written = retries is not None
        if retries is not None:
            for name in ("max_attempts", "total_max_attempts", "mode"):
                item = self._mapping_item(retries[0], name, retries[1], 0)
                if item is not None:
                    values[name] = self.constant(*item)
                elif self._mapping(retries[0], retries[1], 0) is None:
                    values[name] = UNKNOWN
        return BotoConfig(call=call, retries_written=written, **values)

    def aws_call(self, call: ast.Call) -> AwsCall | None:
        """`client.method(...)` on a boto3 client (or resource), or a call recognisable as one by
        its arguments (`.invoke(FunctionName=...)`, `.send_message(QueueUrl=...)`)."""
        key = ("aws_call", call)
        if key not in self._memo:
            self._memo[key] = self._aws_call(call)
        return self._memo[key]

    def _aws_call(self, call: ast.Call) -> AwsCall | None:
        if not isinstance(call.func, ast.Attribute):
            return None
        method = call.func.attr
        client = self.aws_client(call.func.value, self.scope_of(call))
        if client is not None:
            return AwsCall(call, client.service, method, client)
        if self.instance(call.func.value, self.scope_of(call)) is not None:
            return None  # some other known object
        service = _service_by_arguments(method, keyword_names(call))
        if service is None:
            return None
        return AwsCall(call, service, method, None)

    def lambda_invoke(self, call: ast.Call) -> InvokeCall | None:
        """The call as a Lambda invoke, or None."""
        key = ("invoke", call)
        if key in self._memo:
            return self._memo[key]
        found = None
        func = call.func
        # only `<receiver>.invoke(...)` / `.invoke_async(...)` can be one: most calls stop here
        aws = self.aws_call(call) if type(func) is ast.Attribute and func.attr in ("invoke", "invoke_async") else None
        if aws is not None and aws.service in ("lambda", UNKNOWN) and aws.method in ("invoke", "invoke_async"):
            if aws.service == "lambda" or self.keyword(call, "FunctionName") is not None:
                found = self._invoke(call, aws)
        self._memo[key] = found
        return found

    def _invoke(self, call: ast.Call, aws: AwsCall) -> InvokeCall:
        name = self.keyword(call, "FunctionName")
        payload = self.keyword(call, "Payload" if aws.method == "invoke" else "InvokeArgs")
        kind = self.keyword(call, "InvocationType")
        if aws.method == "invoke_async":
            invocation_type, type_node = "Event", None
        elif kind is None:
            invocation_type = UNKNOWN if self.has_unknown_keywords(call) else "RequestResponse"
            type_node = None
        else:
            invocation_type, type_node = self.constant(*kind), kind[0]
            if isinstance(invocation_type, EnvVar) or not isinstance(invocation_type, str):
                invocation_type = UNKNOWN
        return InvokeCall(
            call=call,
            method=aws.method,
            client=aws.client,
            function_name=name[0] if name else None,
            target=self.constant(*name) if name else UNKNOWN,
            invocation_type=invocation_type,
            invocation_type_node=type_node,
            payload=payload[0] if payload else None,
            context=self.context(call),
        )

    # -- HTTP -------------------------------------------------------------------------------
    def http_call(self, call: ast.Call) -> HttpCall | None:
        key = ("http", call)
        if key not in self._memo:
            self._memo[key] = self._http_call(call)
        return self._memo[key]

    def _http_call(self, call: ast.Call) -> HttpCall | None:
        scope = self.scope_of(call)
        name = self.qualified_name(call.func, scope)
        client: Instance | None = None
        if name in HTTP_FUNCTIONS:
            library, method = HTTP_FUNCTIONS[name], name.rsplit(".", 1)[1]
        elif isinstance(call.func, ast.Attribute):
            client = self.instance(call.func.value, scope)
            if client is None or client.kind not in HTTP_CLIENT_FACTORIES:
                return None
            library, method = client.library, call.func.attr
            if method not in HTTP_CLIENT_METHODS[library]:
                return None
        else:
            return None
        timeout, state = self._http_timeout(call, library, client)
        verb, url = self._http_verb_and_url(call, library, method, scope)
        policy, retry = self._client_retry_policy(call, client, library)
        skipped = verb if retry is not None and isinstance(verb, str) and self._retry_skips(retry, verb) else None
        return HttpCall(call, library, method, client, timeout, state, policy, self.context(call), verb, url, skipped)

    def _http_verb_and_url(self, call: ast.Call, library: str, method: str, scope: Scope) -> tuple[Any, ast.expr | None]:
        """The request's HTTP verb (UNKNOWN when not a constant) and its URL argument."""
        if library == "urllib":  # urlopen(url_or_request, data=None, timeout)
            target = argument(call, 0, "url")
            data = argument(call, 1, "data")
            if isinstance(target, ast.Call) and self.qualified_name(target.func, scope) == "urllib.request.Request":
                verb = self.constant(keyword_argument(target, "method"), scope) if keyword_argument(target, "method") else None
                data = data if data is not None else argument(target, 1, "data")
                target = argument(target, 0, "url")
            else:
                verb = None
            if verb is None:
                verb = "GET" if data is None or _is_none(data) else "POST"
            return (verb.upper() if isinstance(verb, str) else UNKNOWN), target
        if method in _VERB_FIRST:
            verb = self.constant(argument(call, 0, "method"), scope)
            return (verb.upper() if isinstance(verb, str) else UNKNOWN), argument(call, 1, "url")
        if method == "send":
            return UNKNOWN, None
        return method.upper(), argument(call, 0, "url")

    def _retry_skips(self, retry: tuple[ast.expr, Scope], verb: str) -> bool:
        """Does a urllib3 retry setting (an int or `Retry(...)`) leave `verb` out of the methods it
        retries on a read error or a listed status? Unknown settings are given the benefit."""
        expr, scope = retry
        built = self.instance(expr, scope)
        if built is None or built.kind != "urllib3.Retry":
            value = self.constant(expr, scope)
            # an int becomes `Retry(n)`, with the default methods
            return isinstance(value, int) and not isinstance(value, bool) and verb not in RETRY_DEFAULT_METHODS
        setting = self.keyword(built.call, "allowed_methods") or self.keyword(built.call, "method_whitelist")
        if setting is None:
            return self.has_unknown_keywords(built.call) is False and verb not in RETRY_DEFAULT_METHODS
        methods = self._verbs(*setting)
        return isinstance(methods, frozenset) and verb not in methods

    def _verbs(self, expr: ast.expr, scope: Scope, depth: int = 0) -> Any:
        """A set of HTTP verbs written as a literal collection, `Retry.DEFAULT_ALLOWED_METHODS`,
        or a union of those; None for `None` (every verb); UNKNOWN otherwise."""
        if depth > _MAX_DEPTH:
            return UNKNOWN
        if _is_none(expr):
            return None
        if isinstance(expr, ast.Name):
            bindings = self.lookup(expr.id, scope)
            if len(bindings) == 1 and bindings[0].kind == "value" and isinstance(bindings[0].node, ast.expr):
                return self._verbs(bindings[0].node, bindings[0].scope, depth + 1)
            return UNKNOWN
        if isinstance(expr, ast.Attribute) and expr.attr in ("DEFAULT_ALLOWED_METHODS", "DEFAULT_METHOD_WHITELIST"):
            return RETRY_DEFAULT_METHODS
        if isinstance(expr, ast.Call) and self.qualified_name(expr.func, scope) in ("frozenset", "set", "list", "tuple") and len(expr.args) == 1:
            return self._verbs(expr.args[0], scope, depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, (ast.BitOr, ast.Add)):
            left, right = self._verbs(expr.left, scope, depth + 1), self._verbs(expr.right, scope, depth + 1)
            return left | right if isinstance(left, frozenset) and isinstance(right, frozenset) else UNKNOWN
        if isinstance(expr, (ast.Set, ast.List, ast.Tuple)):
            values = [self.constant(e, scope) for e in expr.elts]
            if all(isinstance(v, str) for v in values):
                return frozenset(v.upper() for v in values)
        return UNKNOWN

    def _http_timeout(self, call: ast.Call, library: str, client: Instance | None) -> tuple[ast.expr | None, str]:
        position = {"urllib": 2}.get(library)
        found = self.keyword(call, "timeout")
        if found is None and position is not None:
            arg = argument(call, position, "timeout")
            found = (arg, self.scope_of(call)) if arg is not None else None
        if found is not None:
            return found[0], "none" if self.constant(*found) is None else "call"
        if self.has_unknown_keywords(call):
            return None, "unknown"
        if client is not None:
            if library == "requests":
                # a Session has no timeout of its own; a custom adapter or subclass may add one
                return None, "unknown" if self._mounted_adapters(client, custom=True) else "none"
            setting = self.keyword(client.call, "timeout")
            if setting is not None:
                return setting[0], "none" if self.constant(*setting) is None else "client"
            if self.has_unknown_keywords(client.call):
                return None, "unknown"
        return None, _DEFAULT_TIMEOUTS[library]

    def http_error_handler(self, request: HttpCall) -> ast.ExceptHandler | None:
        """The `except` clause that first catches the request's errors (a broad one, or one
        naming the library's exceptions): the innermost `try` of the same function whose body
        holds the call. None when the errors leave the function."""
        roots = HTTP_ERROR_ROOTS[request.library]
        builtins = HTTP_ERROR_BUILTINS.get(request.library, frozenset())
        node: ast.AST = request.call
        while True:
            parent = self.parents.get(node)
            if parent is None or isinstance(parent, (*SCOPE_NODES, *COMPREHENSION_NODES)):
                return None
            if isinstance(parent, _TRY_NODES) and any(node is statement for statement in parent.body):
                scope = self.scope_of(parent)
                for handler in parent.handlers:
                    if is_broad_handler(handler):
                        return handler
                    types = list(handler.type.elts) if isinstance(handler.type, ast.Tuple) else [handler.type]  # type: ignore[union-attr]
                    for kind in types:
                        name = self.qualified_name(kind, scope) or dotted_name(kind) or ""
                        if name.startswith(roots) or name in builtins:
                            return handler
            node = parent

    def calls_localhost(self, request: HttpCall) -> bool:
        """Does the request go to localhost (a literal URL, or text that starts with one)? Lambda
        extensions listen there, such as the Parameters and Secrets extension on port 2773."""
        prefix = self.string_prefix(request.url) if request.url is not None else None
        if prefix is None:
            return False
        return any(prefix == local or prefix.startswith((f"{local}:", f"{local}/")) for local in LOCAL_PREFIXES)

    @_memoised(None)
    def string_prefix(self, expr: ast.AST | None, scope: Scope | None = None, _depth: int = 0) -> str | None:
        """The constant text a string expression starts with: a literal or a name bound once to a
        constant, an f-string's leading text, the left operand of `+`, a `str.format` or `%`
        template up to its first field. None when nothing is known."""
        if expr is None or _depth > _MAX_DEPTH:
            return None
        scope = scope or self.scope_of(expr)
        value = self.constant(expr, scope)
        if isinstance(value, str):
            return value
        if isinstance(expr, ast.JoinedStr):
            text = ""
            for part in expr.values:
                if not (isinstance(part, ast.Constant) and isinstance(part.value, str)):
                    break
                text += part.value
            return text or None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.string_prefix(expr.left, scope, _depth + 1)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            template = self.constant(expr.left, scope)
            return template.split("%", 1)[0] or None if isinstance(template, str) else None
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format":
            template = self.constant(expr.func.value, scope)
            return template.split("{", 1)[0] or None if isinstance(template, str) else None
        if isinstance(expr, ast.Name):
            bindings = self.lookup(expr.id, scope)
            if len(bindings) == 1 and bindings[0].kind == "value":
                return self.string_prefix(bindings[0].node, bindings[0].scope, _depth + 1)
        return None

    def _mounted_adapters(self, session: Instance, *, custom: bool = False) -> list[ast.expr]:
        """The adapters mounted on a requests Session (`session.mount(prefix, adapter)`); with
        `custom`, only those that are not a plain `requests.adapters.HTTPAdapter`."""
        found = []
        for call in self._calls_naming("mount")[0]:
            func = call.func
            if not (isinstance(func, ast.Attribute) and len(call.args) >= 2):
                continue
            if self.instance(func.value, self.scope_of(call)) is not session:
                continue
            adapter = call.args[1]
            built = self.instance(adapter, self.scope_of(call))
            if custom and built is not None and built.kind == "requests.adapters.HTTPAdapter":
                continue
            found.append(adapter)
        return found

    def _client_retry_policy(
        self, call: ast.Call, client: Instance | None, library: str
    ) -> tuple[str | None, tuple[ast.expr, Scope] | None]:
        """The retry policy the request's client carries (not the code around the call), and the
        urllib3 retry setting behind it when there is one (`retries=` / `max_retries=`)."""
        scope = self.scope_of(call)
        if library == "urllib3":
            for owner in (call, client.call if client is not None else None):
                if owner is not None and self.keyword(owner, "retries") is not None:
                    setting = self.keyword(owner, "retries")
                    if self.constant(*setting) not in (False, 0, None):  # type: ignore[misc]
                        return "urllib3 retries=", setting
        if client is None:
            return None, None
        if client.kind == "aiohttp_retry.RetryClient":
            return "aiohttp_retry RetryClient", None
        if library == "requests":
            for adapter in self._mounted_adapters(client):
                built = self.instance(adapter, scope)
                if built is None or built.kind != "requests.adapters.HTTPAdapter":
                    return "a custom adapter", None  # may retry: we cannot see into it
                retries = self.keyword(built.call, "max_retries")
                if retries is not None and self.constant(*retries) not in (0, None, False):
                    return "an HTTPAdapter with max_retries", retries
        if library == "httpx":
            transport = self.keyword(client.call, "transport")
            if transport is not None:
                built = self.instance(*transport)
                if built is None or built.kind not in ("httpx.HTTPTransport", "httpx.AsyncHTTPTransport"):
                    return "a custom transport", None
                retries = self.keyword(built.call, "retries")
                if retries is not None and self.constant(*retries) not in (0, None):
                    return "an HTTPTransport with retries", None
        return None, None

    # -- context ----------------------------------------------------------------------------
    def context(self, call: ast.Call) -> CallContext:
        key = ("context", call)
        if key not in self._memo:
            frame = self._frame_of(call)
            function = frame.scope.function
            class_def = _enclosing_class(self, function) if function is not None else None
            self._memo[key] = CallContext(function, class_def, frame.loops, self._retry_around(call, frame))
        return self._memo[key]

    def _frame_of(self, call: ast.Call) -> _Frame:
        return self._frames.get(call) or _Frame(self.scope_of(call), (), None)

    def _retry_around(self, call: ast.Call, frame: _Frame) -> RetryConstruct | None:
        for loop in reversed(frame.loops):
            construct = self.retry_loop(loop)
            if construct is not None:
                return construct
        scope: Scope | None = frame.scope
        while scope is not None:
            if isinstance(scope.node, FUNCTION_NODES):
                construct = self.function_retry(scope.node)
                if construct is not None:
                    return construct
            scope = scope.parent
        return None

    def function_retry(self, function: FunctionNode, _seen: frozenset = frozenset()) -> RetryConstruct | None:
        """How a function is retried: a retry decorator, being handed to a tenacity controller, or
        (one function deep at a time) every caller in the module being retried."""
        key = ("function_retry", function)
        if key in self._memo:
            return self._memo[key]
        if function in _seen:
            return None
        found = self._decorator_retry(function) or self._controller_retry(function)
        if found is None:
            sites = self.call_sites(function)
            if sites:
                around = []
                for site in sites:
                    frame = self._frames[site]
                    construct = next((c for c in map(self.retry_loop, reversed(frame.loops)) if c), None)
                    caller = frame.scope.function
                    if construct is None and caller is not None:
                        construct = self.function_retry(caller, _seen | {function})
                    around.append(construct)
                if all(around):
                    found = RetryConstruct("caller", sites[0], f"its callers retry ({around[0].description})")  # type: ignore[union-attr]
        self._memo[key] = found
        return found

    def _decorator_retry(self, function: FunctionNode) -> RetryConstruct | None:
        scope = self.scopes[function].parent or self.module_scope
        for decorator in function.decorator_list:
            target = decorator_target(decorator)
            name = self.qualified_name(target, scope) or ""
            if name in RETRY_DECORATORS and RETRY_DECORATORS[name]:
                return RetryConstruct("decorator", decorator, RETRY_DECORATORS[name])  # type: ignore[arg-type]
            last = name.rsplit(".", 1)[-1].lower() if name else (dotted_name(target) or "").rsplit(".", 1)[-1].lower()
            if "retry" in last or "retries" in last or "backoff" in last:
                return RetryConstruct("decorator", decorator, f"@{last}")
        return None

    def _controller_retry(self, function: FunctionNode) -> RetryConstruct | None:
        """`Retrying(...)(fn)`, `retryer.call(fn)`, `retry(...)(fn)`."""
        for call in self._calls_naming(function.name)[1]:
            scope = self.scope_of(call)
            func = call.func
            target = func.value if isinstance(func, ast.Attribute) and func.attr in ("call", "__call__") else func
            built = self.instance(target, scope)
            if built is not None and built.kind in RETRYING_CONTROLLERS:
                return RetryConstruct("controller", call, "a tenacity Retrying controller")
            if isinstance(target, ast.Call) and self.qualified_name(target.func, scope) in RETRY_DECORATORS:
                return RetryConstruct("controller", call, RETRY_DECORATORS[self.qualified_name(target.func, scope)] or "retry")  # type: ignore[index]
        return None

    def retry_loop(self, loop: ast.AST) -> RetryConstruct | None:
        """A loop that retries its body: a tenacity `for attempt in Retrying(...)`, or a
        hand-written `for attempt in range(n)` / `while` loop that goes round again because
        something failed and leaves once it worked (`loops.retries_on_failure`). A loop that
        polls for a state (`if status == "AVAILABLE": break`) is not a retry."""
        key = ("retry_loop", loop)
        if key in self._memo:
            return self._memo[key]
        found = None
        if isinstance(loop, FOR_NODES):
            iterable = self.instance(loop.iter)
            if iterable is not None and iterable.kind in RETRYING_CONTROLLERS:
                found = RetryConstruct("loop", loop, "a tenacity Retrying loop")
            elif self._counting(loop.iter) and retries_on_failure(loop):
                found = RetryConstruct("loop", loop, "a retry loop")
        elif isinstance(loop, ast.While) and retries_on_failure(loop):
            found = RetryConstruct("loop", loop, "a retry loop")
        self._memo[key] = found
        return found

    def _counting(self, iterable: ast.expr) -> bool:
        return isinstance(iterable, ast.Call) and self.qualified_name(iterable.func) in ("range", "itertools.count", "itertools.repeat")

    def calls_in(self, loop: ast.AST) -> list[ast.Call]:
        """The calls made inside a loop (its body, its `while` test; not nested functions)."""
        return [call for call, frame in self._frames.items() if loop in frame.loops]

    def is_remote_call(self, call: ast.Call) -> bool:
        """A request to another service: an HTTP request, a call on a boto3 client, or a call of
        the SDK's shape (a method called with CamelCase keywords: `Bucket=`, `FunctionName=`)."""
        if self.http_call(call) is not None or self.aws_call(call) is not None:
            return True
        return isinstance(call.func, ast.Attribute) and any(name[:1].isupper() for name in keyword_names(call))

    def sleeps(self, loop: ast.AST) -> list[ast.Call]:
        """The `time.sleep` / `asyncio.sleep` calls in a loop's body (not in nested functions)."""
        return [n for n in _loop_body_nodes(loop) if isinstance(n, ast.Call) and self.qualified_name(n.func) in SLEEP_FUNCTIONS]

    def fan_out_loop(self, call: ast.Call) -> tuple[ast.AST, ast.Call | None] | None:
        """The loop that repeats a call for many items (not a retry loop, nor one the call always
        leaves): an enclosing loop, or one around a call of the enclosing function in this module
        (then with that call site)."""
        context = self.context(call)
        for loop in reversed(context.loops):
            if self._repeats(call, loop):
                return loop, None
        if context.function is not None:
            for site in self.call_sites(context.function):
                for loop in reversed(self.context(site).loops):
                    if self._repeats(site, loop):
                        return loop, site
        return None

    def _repeats(self, call: ast.Call, loop: ast.AST) -> bool:
        """Does the loop run the call once per item: not a retry loop, and not leaving right
        after the call (`invoke(...); break`: one hand-off)?"""
        return self.retry_loop(loop) is None and not leaves_after(call, loop, self.parents)

    def describe_loop(self, loop: ast.AST) -> str:
        if isinstance(loop, FOR_NODES):
            return f"the loop over `{self.code(loop.iter, 40)}`"
        if isinstance(loop, COMPREHENSION_NODES):
            return f"the comprehension over `{self.code(loop.generators[0].iter, 40)}`"  # type: ignore[attr-defined]
        return "a while loop"

    def retry_loops(self) -> list[ast.AST]:
        """The hand-written retry loops of the module (not tenacity loops)."""
        return [
            node for node in self.parents
            if isinstance(node, LOOP_NODES)
            and (construct := self.retry_loop(node)) is not None and construct.description == "a retry loop"
        ]

    # -- handler code paths -----------------------------------------------------------------
    def handler_functions(self, handler_names: Iterable[str]) -> frozenset[FunctionNode]:
        """The handler functions and every function of this module they reach: called by name,
        through `self.method()`, handed over as a callback, named in their decorators
        (`@batch_processor(record_handler=...)`, a middleware), nested in them, or methods of
        a class they instantiate. A root that names a class starts at its methods."""
        names = frozenset(handler_names)
        key = ("handlers", names)
        if key in self._memo:
            return self._memo[key]
        todo: list[FunctionNode] = []
        for name in names:
            for binding in self.module_scope.bindings.get(name, ()):
                if binding.kind == "function" and isinstance(binding.node, FUNCTION_NODES):
                    todo.append(binding.node)
                elif binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
                    todo.extend(_methods(binding.node))
        reached: set[FunctionNode] = set()
        while todo:
            function = todo.pop()
            if function in reached:
                continue
            reached.add(function)
            if function.decorator_list:
                outer = self.scopes[function].parent or self.module_scope
                for decorator in function.decorator_list:
                    for node in ast.walk(decorator):
                        if type(node) is ast.Name:
                            todo.extend(self._referenced_functions(node, outer))
            owned = self._owned.get(function)  # what the pass saw in its body
            if owned is None:
                continue
            todo.extend(owned.functions)
            for name, scope in owned.names:
                todo.extend(self._referenced_functions(name, scope))
            if owned.self_attributes:
                class_def = _enclosing_class(self, function)
                if class_def is not None:
                    wanted = set(owned.self_attributes)
                    todo.extend(m for m in _methods(class_def) if m.name in wanted)
        self._memo[key] = frozenset(reached)
        return self._memo[key]

    def _referenced_functions(self, name: ast.Name, scope: Scope) -> list[FunctionNode]:
        found: list[FunctionNode] = []
        for binding in self.lookup(name.id, scope):
            if binding.kind == "function" and isinstance(binding.node, FUNCTION_NODES):
                found.append(binding.node)
            elif binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
                found.extend(_methods(binding.node))
        return found

    def in_handler_path(self, call: ast.Call, handler_names: Iterable[str], *, imported: bool = False) -> bool:
        """Does the call run when a handler runs: inside a handler or a function it reaches, or
        at module level (the init phase) of a module that has a handler or, with `imported`,
        that Lambda code imports?"""
        names = frozenset(handler_names)
        function = self._frame_of(call).scope.function  # (not `context`: no need to look for retries)
        if function is None:
            return imported or any(n in self.module.top_level_functions() for n in names)
        if not names:
            return False
        reached = self.handler_functions(names)
        scope: Scope | None = self.scopes.get(function)
        while scope is not None:
            if scope.node in reached:
                return True
            scope = scope.parent
        return False

    def is_cached(self, function: FunctionNode) -> bool:
        """Is the function's result kept (`@lru_cache`, `@cache`, `@cached_property`)?"""
        scope = self.scopes[function].parent or self.module_scope
        for decorator in function.decorator_list:
            target = decorator_target(decorator)
            if (self.qualified_name(target, scope) or "") in CACHING_DECORATORS:
                return True
        return False

    # -- values of one invocation -----------------------------------------------------------
    @_memoised(False)
    def per_invocation(self, expr: ast.AST | None, scope: Scope | None = None, _depth: int = 0) -> bool:
        """Can the value differ from one invocation to the next: read from a function's
        parameters (the event, the context), returned by a call made in a function
        (`sts.assume_role(...)`, `get_secret()`), or built from such a value? Constants, module
        globals and environment variables (`os.environ`) are the same for every invocation of
        an execution environment."""
        scope = scope or self.scope_of(expr)
        if self.constant(expr, scope) is not UNKNOWN:
            return False
        if isinstance(expr, ast.Name):
            return any(self._binding_per_invocation(binding, _depth) for binding in self.lookup(expr.id, scope))
        if isinstance(expr, (ast.Subscript, ast.Attribute)) or (isinstance(expr, ast.Call) and _is_get(expr)):
            # `event["requestContext"]["domainName"]`: one step to the root, whatever the chain's length
            root, keys = _access_chain(expr)
            return any(self.per_invocation(part, scope, _depth + 1) for part in (root, *keys))
        if isinstance(expr, ast.Call):
            return self._call_per_invocation(expr, scope, _depth)
        if isinstance(expr, ast.Lambda):
            return False  # a function object, not a value read now
        inner = self.scopes.get(expr, scope)  # a comprehension's parts run in its own scope
        return any(self.per_invocation(child, inner, _depth + 1) for child in child_nodes(expr) if isinstance(child, (ast.expr, ast.comprehension)))

    def _binding_per_invocation(self, binding: Binding, depth: int) -> bool:
        if binding.scope.function is None or binding.kind in ("import", "function", "class"):
            return False  # bound once, when the module or class body ran
        if binding.kind == "param":
            return self._parameter_per_invocation(binding, depth)
        node = binding.node.value if isinstance(binding.node, ast.AugAssign) else binding.node
        if isinstance(node, ast.expr):  # a value, a loop's iterable, an unpacked value
            return self.per_invocation(node, binding.scope, depth + 1)
        return True  # `except ... as error`, `*args`, `**kwargs`

    def _parameter_per_invocation(self, binding: Binding, depth: int) -> bool:
        """A parameter varies when a caller in the module passes a varying argument for it, or
        when the function's callers are unknown (the handler's event, a callback)."""
        function = binding.scope.node
        param = binding.node
        if not isinstance(function, FUNCTION_NODES) or not isinstance(param, ast.arg):
            return True
        sites = self.call_sites(function)
        index = _param_index(function, param)
        if not sites or function.args.vararg is not None or function.args.kwarg is not None:
            return True
        if binding.scope.parent is not None and binding.scope.parent.kind == "class":
            if index == 0 or function.decorator_list:
                return True  # `self`, `cls`, or a decorated method (how arguments map is not followed)
            index -= 1  # `self.method(a)` passes `a` as the second parameter
        for call in sites:
            if any(isinstance(arg, ast.Starred) for arg in call.args) or double_star_arguments(call):
                return True
            arg = argument(call, index, param.arg) if index is not None else keyword_argument(call, param.arg)
            if arg is None:
                arg = binding.default
                if arg is not None and self.per_invocation(arg, binding.scope.parent, depth + 1):
                    return True
            elif self.per_invocation(arg, self.scope_of(call), depth + 1):
                return True
        return False

    def _call_per_invocation(self, call: ast.Call, scope: Scope, depth: int) -> bool:
        arguments = [a.value if isinstance(a, ast.Starred) else a for a in call.args] + [k.value for k in call.keywords]
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        if any(self.per_invocation(part, scope, depth + 1) for part in (receiver, *arguments) if part is not None):
            return True
        if scope.function is None:
            return False  # called once, at import
        name = self.qualified_name(call.func, scope) or ""
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if name in FACTORIES or name in PURE_FUNCTIONS or method in PURE_METHODS:
            return False  # builds its result from its arguments only
        return self.instance(call, scope) is None  # any other call made in a function: its result is this invocation's

    # -- data-sized collections -------------------------------------------------------------
    @_memoised(None)
    def data_source(self, expr: ast.AST | None, scope: Scope | None = None, _depth: int = 0) -> str | None:
        """Where a collection's size comes from, when it is sized by data: the event, a function
        parameter, a query/scan result, a paginator, a comprehension or copy of one of those, a
        list filled in a loop over one, or `range()` past SMALL_FAN_OUT. None for literals, small
        ranges, and anything we cannot follow."""
        if expr is None or _depth > _MAX_DEPTH:
            return None
        scope = scope or self.scope_of(expr)
        if isinstance(expr, ast.Name):
            return self._name_source(expr.id, scope, _depth)
        if isinstance(expr, (ast.Subscript, ast.Attribute)) or (isinstance(expr, ast.Call) and _is_get(expr)):
            root = _access_root(expr)
            if root is not None and self._derived_from_data(root, scope, _depth):
                return f"`{self.code(expr)}`"
            if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Call):
                return self.data_source(expr.value, scope, _depth + 1)
            return None
        if isinstance(expr, COMPREHENSION_NODES):
            inner = self.scopes.get(expr, scope)
            return self.data_source(expr.generators[0].iter, inner.parent or scope, _depth + 1)  # type: ignore[attr-defined]
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            for element in expr.elts:
                if isinstance(element, ast.Starred):
                    found = self.data_source(element.value, scope, _depth + 1)
                    if found:
                        return found
            return None
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            return self.data_source(expr.left, scope, _depth + 1) or self.data_source(expr.right, scope, _depth + 1)
        if isinstance(expr, ast.Call):
            return self._call_source(expr, scope, _depth)
        return None

    def _call_source(self, call: ast.Call, scope: Scope, depth: int) -> str | None:
        name = self.qualified_name(call.func, scope)
        if name == "range":
            positional = positional_arguments(call)
            if not positional:
                return None
            stop = positional[1] if len(positional) > 1 else positional[0]
            size = self.constant(stop, scope)
            if isinstance(size, int):
                return f"range({size})" if size > SMALL_FAN_OUT else None
            return self.size_source(stop, scope, depth + 1)
        if name in ITERATION_BUILTINS or name == "json.loads":
            for arg in call.args:
                found = self.data_source(arg, scope, depth + 1)
                if found:
                    return found
            return None
        if isinstance(call.func, ast.Attribute):
            method = call.func.attr
            if method in COLLECTION_METHODS and method not in ("split", "splitlines", "filter"):
                return f"a `{method}()` result"
            if method.startswith("list_") and self.aws_client(call.func.value, scope) is not None:
                return f"a `{method}()` result"
            if method in ("items", "keys", "values", "copy", "split", "splitlines", "filter"):
                return self.data_source(call.func.value, scope, depth + 1)
        return None

    @_memoised(None)
    def size_source(self, expr: ast.AST, scope: Scope | None = None, _depth: int = 0) -> str | None:
        """Where a count comes from when it is sized by data: `len(<collection>)` of a collection
        that is not a fixed literal, or a number read from the event or a parameter."""
        if _depth > _MAX_DEPTH:
            return None
        scope = scope or self.scope_of(expr)
        if isinstance(expr, ast.Call):
            name = self.qualified_name(expr.func, scope)
            if name == "len" and expr.args:
                target = expr.args[0]
                if isinstance(target, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and not _has_star(target):
                    return None
                if self._fixed_literal(target, scope):
                    return None
                return f"`{self.code(expr)}`"
            if name == "min":
                return None  # bounded by its other arguments
            if name in ("int", "max", "sum", "abs", "round"):
                for arg in expr.args:
                    found = self.size_source(arg, scope, _depth + 1)
                    if found:
                        return found
                return None
        if isinstance(expr, ast.BinOp):
            return self.size_source(expr.left, scope, _depth + 1) or self.size_source(expr.right, scope, _depth + 1)
        if isinstance(expr, ast.Name):
            bindings = self.lookup(expr.id, scope)
            for binding in bindings:
                if binding.kind == "value":
                    found = self.size_source(binding.node, binding.scope, _depth + 1)  # type: ignore[arg-type]
                    if found:
                        return found
            return None
        if isinstance(expr, (ast.Subscript, ast.Attribute)) or (isinstance(expr, ast.Call) and _is_get(expr)):
            root = _access_root(expr)
            if root is not None and self._derived_from_data(root, scope, _depth):
                return f"`{self.code(expr)}`"
        return None

    def _fixed_literal(self, expr: ast.AST, scope: Scope) -> bool:
        """A name bound only to literal lists/tuples/sets/dicts without `*`."""
        if not isinstance(expr, ast.Name):
            return False
        bindings = self.lookup(expr.id, scope)
        return bool(bindings) and all(
            b.kind == "value" and isinstance(b.node, (ast.List, ast.Tuple, ast.Set, ast.Dict)) and not _has_star(b.node)
            for b in bindings
        )

    def _name_source(self, name: str, scope: Scope, depth: int) -> str | None:
        for binding in self.lookup(name, scope):
            if binding.kind == "param":
                if _is_data_parameter(binding):
                    return f"parameter `{name}`"
            elif binding.kind == "value":
                found = self.data_source(binding.node, binding.scope, depth + 1)
                if found:
                    return found
                if _is_empty_collection(binding.node):
                    for iterable, where in self._loop_fillings(name, binding.scope):
                        found = self.data_source(iterable, where, depth + 1)
                        if found:
                            return found
        return None

    def _loop_fillings(self, name: str, scope: Scope) -> Iterator[tuple[ast.expr, Scope]]:
        """For `items = []` in `scope`: the iterables of the loops in which `items` is filled
        (with the scope they are evaluated in). A loop whose every pass makes the collection anew
        before filling it (`for record in records: items = []`) holds one pass's items: it does
        not count."""
        bindings = scope.bindings.get(name) or []
        for _, where, loops, filler in self._fillings(name, scope):
            for loop in loops:
                iterable = self.loop_iterable(loop)
                if iterable is not None and not self._made_anew(bindings, loop, filler):
                    yield iterable, where

    def _fillings(self, name: str, scope: Scope) -> Iterator[tuple[ast.expr | None, Scope, tuple[ast.AST, ...], ast.AST]]:
        """For a collection bound in `scope`: what `items.append(v)`, `.extend(v)`, `.add(v)` or
        `items += v` adds to it (`v`), the scope that runs it, the loops around it, and the
        node that adds it."""
        fillers = [c for method in ("append", "extend", "add") for c in self._calls_naming(method)[0]]
        for call in fillers:
            func, frame = call.func, self._frames[call]
            if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == name):
                continue
            bindings = scope.bindings.get(name)
            if self.lookup(name, frame.scope) is not bindings:
                continue
            yield (call.args[0] if call.args else None), frame.scope, frame.loops, call
        for binding in scope.bindings.get(name, []):
            if binding.kind == "augmented" and isinstance(binding.node, ast.AugAssign) and isinstance(binding.node.op, ast.Add):
                yield binding.node.value, binding.scope, self._statement_loops.get(binding.node, ()), binding.node

    def _made_anew(self, bindings: list[Binding], loop: ast.AST, filler: ast.AST) -> bool:
        """Is the collection bound to an empty one on every pass of `loop`, before `filler`?"""
        before = (filler.lineno, filler.col_offset)  # type: ignore[attr-defined]
        return any(
            b.kind == "value" and _is_empty_collection(b.node) and (b.node.lineno, b.node.col_offset) < before  # type: ignore[union-attr]
            and runs_each_pass(b.node, loop, self.parents)  # type: ignore[arg-type]
            for b in bindings
        )

    @staticmethod
    def loop_iterable(loop: ast.AST) -> ast.expr | None:
        """What a `for` loop or comprehension iterates over (None for `while`)."""
        if isinstance(loop, FOR_NODES):
            return loop.iter
        if isinstance(loop, COMPREHENSION_NODES):
            return loop.generators[0].iter  # type: ignore[attr-defined]
        return None

    def _derived_from_data(self, name: str, scope: Scope, depth: int) -> bool:
        """Does the name hold data: a parameter, an item of a data-sized collection, or a value
        built from one of those?"""
        if depth > _MAX_DEPTH:
            return False
        key = ("derived_from_data", name, id(scope))
        if key not in self._memo:
            self._memo[key] = False
            self._memo[key] = self._derives(name, scope, depth)
        return self._memo[key]

    def _derives(self, name: str, scope: Scope, depth: int) -> bool:
        for binding in self.lookup(name, scope):
            if binding.kind == "param" and _is_data_parameter(binding):
                return True
            if binding.kind == "element" and self.data_source(binding.node, binding.scope, depth + 1):
                return True
            if binding.kind == "value":
                node = binding.node
                if isinstance(node, ast.Call) and self.qualified_name(node.func, binding.scope) == "json.loads" and node.args:
                    node = node.args[0]
                root = _access_root(node) if node is not None else None
                if root is not None and root != name and self._derived_from_data(root, binding.scope, depth + 1):
                    return True
                if isinstance(node, ast.Call) and self.data_source(node, binding.scope, depth + 1):
                    return True
        return False

    # -- unbounded data (payloads and responses) --------------------------------------------
    @_memoised(None)
    def unbounded_data(self, expr: ast.AST | None, scope: Scope | None = None, _depth: int = 0) -> str | None:
        """What makes a value's size unbounded, when it is: a whole S3 object body or file
        (`.read()`), a DynamoDB `scan`/`query` without `Limit`, all pages of a paginator, the
        whole event or its batch of records; also through names, containers, f-strings,
        `json.dumps`, `base64` and the like. None when bounded or unknown."""
        if expr is None or _depth > _MAX_DEPTH:
            return None
        scope = scope or self.scope_of(expr)
        if isinstance(expr, ast.Name):
            return self._unbounded_name(expr.id, scope, _depth)
        if isinstance(expr, (ast.Subscript, ast.Attribute)) or (isinstance(expr, ast.Call) and _is_get(expr)):
            path = access_path(expr)
            if path is not None and path[1] == ("Records",) and self._is_event(path[0], scope):
                return "the whole batch of records (`event['Records']`)"
            if _keeps_size(expr):  # `response["Items"]`, `response.get("Items", [])`
                return self.unbounded_data(expr.func.value if isinstance(expr, ast.Call) else expr.value, scope, _depth + 1)  # type: ignore[attr-defined]
            return None
        if isinstance(expr, ast.Call):
            return self._unbounded_call(expr, scope, _depth)
        if isinstance(expr, (ast.Dict, ast.List, ast.Tuple, ast.Set)):
            elements = expr.values if isinstance(expr, ast.Dict) else expr.elts
            return _widest(self.unbounded_data(e.value if isinstance(e, ast.Starred) else e, scope, _depth + 1) for e in elements)
        if isinstance(expr, COMPREHENSION_NODES):
            found = self.unbounded_data(expr.generators[0].iter, scope, _depth + 1)  # type: ignore[attr-defined]
            if found and _at_most_mb(found) is None:
                return found
            inner = self.scopes.get(expr, scope)
            parts = [expr.key, expr.value] if isinstance(expr, ast.DictComp) else [expr.elt]  # type: ignore[attr-defined]
            if any(_at_most_mb(self.unbounded_data(part, inner, _depth + 1)) is not None for part in parts):
                return f"DynamoDB pages gathered by {self.describe_loop(expr)}"  # one page per item
            return found
        if isinstance(expr, ast.JoinedStr):
            return _widest(self.unbounded_data(p.value, scope, _depth + 1) for p in expr.values if isinstance(p, ast.FormattedValue))
        if isinstance(expr, ast.BinOp):
            return _widest(self.unbounded_data(side, scope, _depth + 1) for side in (expr.left, expr.right))
        if isinstance(expr, ast.IfExp):
            return _widest(self.unbounded_data(branch, scope, _depth + 1) for branch in (expr.body, expr.orelse))
        if isinstance(expr, ast.Await):
            return self.unbounded_data(expr.value, scope, _depth + 1)
        return None

    def _unbounded_name(self, name: str, scope: Scope, depth: int) -> str | None:
        return _widest(self._name_sizes(name, scope, depth))

    def _name_sizes(self, name: str, scope: Scope, depth: int) -> Iterator[str | None]:
        """What each binding of a name holds, and what loops gather into it."""
        for binding in self.lookup(name, scope):
            if binding.kind == "param" and self._is_batch_event(name, binding.scope):
                yield "the whole event (a batch of records)"
            if binding.kind == "value":
                yield self.unbounded_data(binding.node, binding.scope, depth + 1)
                if _is_empty_collection(binding.node):
                    for iterable, where in self._loop_fillings(name, binding.scope):
                        yield self.unbounded_data(iterable, where, depth + 1)
                yield from self._filling_sizes(name, binding, depth)

    def _filling_sizes(self, name: str, binding: Binding, depth: int) -> Iterator[str | None]:
        """What `items.extend(v)` (or `.append`, `.add`, `+=`) adds to a collection. In a loop that
        does not also rebind `items`, one DynamoDB page per iteration leaves no 1 MB bound."""
        bound_in = self._statement_loops.get(self.parents.get(binding.node), ())  # type: ignore[arg-type]
        for value, where, loops, _ in self._fillings(name, binding.scope):
            reason = self.unbounded_data(value, where, depth + 1)
            gathering = [loop for loop in loops if loop not in bound_in]
            if gathering and _at_most_mb(reason) is not None:
                yield f"DynamoDB pages gathered in `{name}` by {self.describe_loop(gathering[-1])}"
            else:
                yield reason

    def _unbounded_call(self, call: ast.Call, scope: Scope, depth: int) -> str | None:
        name = self.qualified_name(call.func, scope)
        if name in TRANSFORMS or name in ITERATION_BUILTINS:
            return self.unbounded_data(call.args[0], scope, depth + 1) if call.args else None
        if not isinstance(call.func, ast.Attribute):
            return None
        method = call.func.attr
        receiver = call.func.value
        if method in ("read", "readlines", "read_text", "read_bytes") and not call.args:
            return self._whole_read(receiver, scope, method)
        if method in ("scan", "query") and self.keyword(call, "Limit") is None and not self.has_unknown_keywords(call):
            return ServiceBound(f"one DynamoDB {method}() page without Limit (up to 1 MB)", at_most_mb=1)
        if method == "paginate" or method == "build_full_result":
            return "all pages of a paginator"
        if method in TRANSFORM_METHODS or method in ("items", "values", "copy"):
            return self.unbounded_data(receiver, scope, depth + 1)
        return None

    def _whole_read(self, receiver: ast.expr, scope: Scope, method: str) -> str | None:
        if method in ("read_text", "read_bytes"):
            return "a whole file"
        bound = [b.node for b in self.lookup(receiver.id, scope) if b.kind == "value"] if isinstance(receiver, ast.Name) else []
        if any(_last_key(node) == "Body" for node in [receiver, *bound]):
            return "a whole S3 object body (`.read()`)"
        built = self.instance(receiver, scope)
        if built is not None and built.kind == "open":
            return "a whole file"
        return None

    def _is_event(self, name: str, scope: Scope) -> bool:
        """Is `name` the first parameter of the function that holds `scope`, named like an event?"""
        function = scope.function
        return function is not None and _first_param(function) == name and name in _EVENT_NAMES

    def _is_batch_event(self, name: str, scope: Scope) -> bool:
        """The handler's event, in a function that reads `event["Records"]`: a batch."""
        function = scope.function
        if function is None or not self._is_event(name, scope):
            return False
        return any(
            (path := access_path(node)) is not None and path[0] == name and path[1][:1] == ("Records",)
            for node in iter_nodes(function.body)
            if isinstance(node, (ast.Subscript, ast.Call))
        )

    def code(self, node: ast.AST, limit: int = 60) -> str:
        """The source of a node on one line, shortened for a message."""
        text = " ".join(self.module.code_of(node).split())
        return text if len(text) <= limit else text[: limit - 3] + "..."

    # -- what the join asks for -------------------------------------------------------------
    def calls(self) -> Iterator[ast.Call]:
        return iter(self._frames)

    def invokes(self) -> list[InvokeCall]:
        """Every Lambda invoke of the module, in source order."""
        return [i for i in map(self.lambda_invoke, self._frames) if i is not None]

    def http_calls(self) -> list[HttpCall]:
        """Every HTTP request of the module, in source order."""
        return [h for h in map(self.http_call, self._frames) if h is not None]

    def returns_unbounded(self, function: FunctionNode, limit_mb: float | None = None) -> list[tuple[ast.Return, str]]:
        """The `return` statements of a function whose value may exceed `limit_mb` (any size
        when None), with why (for LK701, "a handler returns data of unbounded size"). Data a
        service bounds below the limit (one DynamoDB page, 1 MB, under a 6 MB limit) is left out."""
        scope = self.scopes[function]
        found = []
        for node in iter_nodes(function.body):
            if isinstance(node, ast.Return) and node.value is not None:
                reason = self.unbounded_data(node.value, scope)
                bound = _at_most_mb(reason)
                if reason and (limit_mb is None or bound is None or bound >= limit_mb):
                    found.append((node, reason))
        return found


# -- small helpers ----------------------------------------------------------------------------

_EVENT_NAMES = frozenset({"event", "evt", "_event", "lambda_event", "events"})
_NOT_DATA_PARAMS = frozenset({"self", "cls", "context", "ctx", "lambda_context", "_context", "_ctx"})


def _at_most_mb(reason: str | None) -> float | None:
    """The bound a service keeps on data the code leaves unbounded (None: no bound at all)."""
    return reason.at_most_mb if isinstance(reason, ServiceBound) else None


def _widest(reasons: Iterable[str | None]) -> str | None:
    """Of the size reasons of a value's parts, one with no bound at all if any, else the first."""
    first = None
    for reason in reasons:
        if reason and _at_most_mb(reason) is None:
            return reason
        first = first or reason
    return first


def _imported_name(bindings: list[Binding]) -> str | None:
    """The module or object a name is bound to when every binding imports the same one:
    `import urllib.request` and `import urllib.parse` both bind `urllib` to the package
    `urllib`, and the same `import boto3` may be written in two branches."""
    qualnames = {binding.qualname if binding.kind == "import" else None for binding in bindings}
    if len(qualnames) != 1:
        return None
    return next(iter(qualnames))


def _first_param(function: FunctionNode) -> str | None:
    params = parameters(function)
    return params[0].arg if params else None


def _param_index(function: FunctionNode, param: ast.arg) -> int | None:
    for index, candidate in enumerate(parameters(function)):
        if candidate is param:
            return index
    return None


def _is_data_parameter(binding: Binding) -> bool:
    param = binding.node
    if not isinstance(param, ast.arg) or param.arg in _NOT_DATA_PARAMS:
        return False
    function = binding.scope.node
    default = binding.default
    # a parameter with a constant default is a setting more often than a collection
    return isinstance(function, FUNCTION_NODES) and not (default is not None and not isinstance(default, (ast.List, ast.Tuple)) and not _is_none(default))


def _is_none(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _has_star(display: ast.List | ast.Tuple | ast.Set | ast.Dict) -> bool:
    """Does a display unpack another collection (`[*a]`, `{**b}`)?"""
    if isinstance(display, ast.Dict):
        return any(key is None for key in display.keys)
    return any(isinstance(element, ast.Starred) for element in display.elts)


def _is_empty_collection(node: ast.AST | None) -> bool:
    if isinstance(node, (ast.List, ast.Set, ast.Tuple)):
        return not node.elts
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("list", "set") and not node.args


def _is_get(call: ast.Call) -> bool:
    return isinstance(call.func, ast.Attribute) and call.func.attr == "get"


def _access_root(expr: ast.AST) -> str | None:
    """The name at the root of `a["x"][i].y.get("z")` (any subscripts, attributes, `.get`)."""
    node = expr
    while True:
        if isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call) and _is_get(node):
            node = node.func.value  # type: ignore[attr-defined]
        elif isinstance(node, ast.Name):
            return node.id
        else:
            return None


def _access_chain(expr: ast.expr) -> tuple[ast.expr, list[ast.expr]]:
    """The object at the root of `a[k].b.get(x, d)` (any subscripts, attributes, `.get`) and the
    keys and defaults read on the way (`k`, `x`, `d`)."""
    keys: list[ast.expr] = []
    node = expr
    while True:
        if isinstance(node, ast.Subscript):
            keys.append(node.slice)
            node = node.value
        elif isinstance(node, ast.Attribute):
            node = node.value
        elif isinstance(node, ast.Call) and _is_get(node):
            keys.extend(a.value if isinstance(a, ast.Starred) else a for a in node.args)
            keys.extend(k.value for k in node.keywords)
            node = node.func.value  # type: ignore[attr-defined]
        else:
            return node, keys


def _keeps_size(expr: ast.Subscript | ast.Attribute | ast.Call) -> bool:
    """`result["Items"]`, `response["Contents"]`: the part of a result that holds its data."""
    return _last_key(expr) in ("Items", "Contents", "Records", "Body", "Payload", "Messages")


def _last_key(expr: ast.AST | None) -> str | None:
    """The constant key of `x["Body"]` / `x.get("Body")` / attribute of `x.Body`, whatever `x` is."""
    if isinstance(expr, ast.Subscript):
        return string_value(subscript_key(expr))
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Call) and _is_get(expr) and expr.args:
        return string_value(expr.args[0])
    return None


def _is_inside_body(scope_node: ast.AST, child: ast.AST) -> bool:
    """Is `child` (a direct child of a def/class/lambda/comprehension) evaluated in its scope?"""
    if isinstance(scope_node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return any(child is statement for statement in scope_node.body)
    if isinstance(scope_node, ast.Lambda):
        return child is scope_node.body
    if isinstance(scope_node, COMPREHENSION_NODES):
        return child is not scope_node.generators[0].iter  # type: ignore[attr-defined]
    return False


def _enclosing_class(resolver: ModuleResolver, node: ast.AST | None) -> ast.ClassDef | None:
    """The class whose method holds `node` (the class right above the nearest def)."""
    current = node
    while current is not None and not isinstance(current, FUNCTION_NODES):
        current = resolver.parents.get(current)
    parent = resolver.parents.get(current) if current is not None else None
    while parent is not None and not isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
        parent = resolver.parents.get(parent)
    return parent if isinstance(parent, ast.ClassDef) else None


def _methods(class_def: ast.ClassDef) -> list[FunctionNode]:
    return [s for s in class_def.body if isinstance(s, FUNCTION_NODES)]


# Methods that identify an AWS service by their keyword arguments when the client is unknown.
_SERVICE_SIGNATURES = {
    ("invoke", "FunctionName"): "lambda",
    ("invoke_async", "FunctionName"): "lambda",
    ("send_message", "QueueUrl"): "sqs",
    ("send_message_batch", "QueueUrl"): "sqs",
    ("publish", "TopicArn"): "sns",
    ("publish", "TargetArn"): "sns",
    ("publish_batch", "TopicArn"): "sns",
    ("put_events", "Entries"): "events",
}


def _service_by_arguments(method: str, keywords: set[str]) -> str | None:
    for (name, keyword), service in _SERVICE_SIGNATURES.items():
        if name == method and keyword in keywords:
            return service
    return None


def resolver_for(module: PythonModule) -> ModuleResolver:
    """The module's resolver, built on first use and kept on the module for every rule."""
    found = vars(module).get("_resolver")
    if found is None:
        found = ModuleResolver(module)
        vars(module)["_resolver"] = found
    return found
