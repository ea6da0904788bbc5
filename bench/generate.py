"""Generate the benchmark corpus: a made-up repository of Lambda services and library code.

Deterministic (one seeded `random.Random`, no network, no clock): the same options give the
same bytes. The default is about 2,000 Python files / 200k lines and 300 SAM / CloudFormation
templates, laid out as a monorepo:

    services/<name>/template.yaml|yml|json   one stack per service (SAM with or without Globals,
                                             or plain CloudFormation), its functions' `CodeUri`
                                             (or packaged `Code`) and `Handler` pointing at:
    services/<name>/src/<module>.py          shared code folder, or
    services/<name>/functions/<fn>/app.py    one folder per function, or
    services/<name>/src/handlers/<m>.py      dotted handlers (`src.handlers.m.handler`)
    libs/<package>/<module>.py               plain library code: data classes, strings, maths
    scripts/<name>.py                        lone handlers: no template anywhere above them

About half the Python is Lambda code (boto3 clients, `invoke`, SQS/SNS/DynamoDB calls,
paginators, `asyncio.gather`, requests/httpx, loops over `event["Records"]`, try/except,
partial batch responses) and half is library code that mentions none of the tokens lintkit's
rules look for. Templates mix good and bad settings (missing ReportBatchItemFailures, queues
without redrive, short visibility timeouts, streams retrying forever, async functions without
an on-failure destination, a few handlers that do not exist).

`bench-manifest.json` at the corpus root lists the files and the pre-commit examples the
runner (`bench/run.py`) uses.

    python bench/generate.py [--files N] [--templates N] [--seed S] [--out DIR]
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import random
import re
import shutil
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "corpus"
MANIFEST = "bench-manifest.json"

DOMAINS = [
    "order", "payment", "invoice", "shipment", "customer", "account", "report", "thumbnail",
    "notification", "inventory", "refund", "audit", "session", "click", "metric", "upload",
    "subscription", "ticket", "booking", "profile", "catalog", "price", "review", "coupon",
    "ledger", "device", "alert", "export", "transfer", "webhook", "receipt", "cart", "quote",
    "warehouse", "delivery", "survey", "lead", "contract", "claim", "schedule",
]
FIELDS = [
    "name", "email", "amount", "currency", "status", "created_at", "updated_at", "region",
    "quantity", "sku", "owner", "priority", "score", "label", "source", "reference", "country",
    "total", "discount", "weight", "channel", "locale", "version", "kind", "note",
]
# What lintkit's code rules look for before parsing (DESIGN.md, "Performance": prefilter by
# text). Library modules must contain none of them, so the corpus really is half code that a
# prefilter can skip; `_check_library` enforces it.
RULE_TOKENS = (
    "invoke", "gather", "wait", "as_completed", "TaskGroup", "Records", "requests", "httpx",
    "urllib3", "urlopen", "aiohttp", "boto3", "except", "Thread", "Process", "multiprocessing",
    "TCPConnector", "Limits", "send_message", "publish", "put_events", "itemIdent",
    "temIdentif", "atchItem", "atch_item",
)
_RULE_TOKEN_RE = re.compile("|".join(re.escape(t) for t in RULE_TOKENS))

HANDLER_KINDS = ["sqs", "api", "schedule", "s3", "sns", "kinesis", "ddbstream"]
HANDLER_WEIGHTS = [25, 20, 15, 12, 10, 10, 8]
BATCH_KINDS = {"sqs", "kinesis", "ddbstream"}
ASYNC_KINDS = {"s3", "sns", "schedule"}


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[_\-]", name) if part)


class Names:
    """Unique identifiers within one module."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, name: str) -> str:
        candidate, n = name, 2
        while candidate in self.used:
            candidate = f"{name}_{n}"
            n += 1
        self.used.add(candidate)
        return candidate


def block(text: str) -> list[str]:
    """A dedented block of lines followed by two blank lines (top-level spacing)."""
    return textwrap.dedent(text).strip("\n").split("\n") + ["", ""]


# --------------------------------------------------------------------------- library code


def lib_dataclass(rng: random.Random, names: Names, domain: str) -> list[str]:
    cls = names.take(camel(domain) + rng.choice(["Record", "Entry", "Snapshot", "Summary", "Spec", "Line"]))
    f1, f2, f3 = rng.sample(FIELDS, 3)
    extra = rng.choice(["tags: tuple[str, ...] = ()", "notes: list[str] = field(default_factory=list)", "active: bool = True"])
    return block(f'''
        @dataclass(frozen={rng.choice(["True", "False"])})
        class {cls}:
            """A {domain} {f1} as the rest of the code sees it."""

            {f1}: str
            {f2}: int = 0
            {f3}: float = 0.0
            {extra}

            def describe(self) -> str:
                return f"{{self.{f1}}} ({{self.{f2}}}, {{self.{f3}:.2f}})"

            def is_empty(self) -> bool:
                return not self.{f1} and self.{f2} == 0

            @classmethod
            def from_dict(cls, data: dict) -> "{cls}":
                return cls(
                    {f1}=str(data.get("{f1}", "")),
                    {f2}=int(data.get("{f2}", 0)),
                    {f3}=float(data.get("{f3}", 0.0)),
                )

            def to_dict(self) -> dict:
                return {{"{f1}": self.{f1}, "{f2}": self.{f2}, "{f3}": self.{f3}}}
    ''')


def lib_strings(rng: random.Random, names: Names, domain: str) -> list[str]:
    choice = rng.randrange(6)
    if choice == 0:
        fn = names.take(f"slugify_{domain}")
        return block(f'''
            def {fn}(text: str, separator: str = "-") -> str:
                """Lower-case `text` and join its words with `separator`."""
                words = re.findall(r"[a-z0-9]+", text.lower())
                return separator.join(words)
        ''')
    if choice == 1:
        fn = names.take(rng.choice(["truncate", "shorten", "clip_text"]))
        limit = rng.choice([40, 64, 80, 120])
        return block(f'''
            def {fn}(text: str, limit: int = {limit}, suffix: str = "...") -> str:
                """Cut `text` to at most `limit` characters, marking the cut."""
                if len(text) <= limit:
                    return text
                keep = max(limit - len(suffix), 0)
                return text[:keep].rstrip() + suffix
        ''')
    if choice == 2:
        fn = names.take("camel_to_snake")
        return block(f'''
            def {fn}(name: str) -> str:
                out = []
                for index, char in enumerate(name):
                    if char.isupper() and index and not name[index - 1].isupper():
                        out.append("_")
                    out.append(char.lower())
                return "".join(out)
        ''')
    if choice == 3:
        fn = names.take(f"mask_{rng.choice(['email', 'phone', 'card', 'token'])}")
        return block(f'''
            def {fn}(value: str, visible: int = {rng.choice([2, 3, 4])}) -> str:
                """Hide all but the last characters of a {domain} identifier."""
                if len(value) <= visible:
                    return "*" * len(value)
                return "*" * (len(value) - visible) + value[-visible:]
        ''')
    if choice == 4:
        fn = names.take("normalize_whitespace")
        return block(f'''
            def {fn}(text: str) -> str:
                lines = [" ".join(line.split()) for line in text.splitlines()]
                return "\\n".join(line for line in lines if line)
        ''')
    fn = names.take(f"format_{domain}_label")
    f1, f2 = rng.sample(FIELDS, 2)
    return block(f'''
        def {fn}(values: dict, width: int = {rng.choice([20, 24, 32])}) -> str:
            left = str(values.get("{f1}", "?")).ljust(width)
            right = str(values.get("{f2}", "")).rjust(8)
            return f"{{left}} {{right}}".rstrip()
    ''')


def lib_math(rng: random.Random, names: Names, domain: str) -> list[str]:
    choice = rng.randrange(6)
    if choice == 0:
        fn = names.take("percentile")
        return block(f'''
            def {fn}(values: list[float], fraction: float) -> float:
                """Linear-interpolated percentile; `fraction` between 0 and 1."""
                if not values:
                    raise ValueError("no values")
                ordered = sorted(values)
                position = (len(ordered) - 1) * fraction
                low = math.floor(position)
                high = math.ceil(position)
                if low == high:
                    return ordered[int(position)]
                return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
        ''')
    if choice == 1:
        fn = names.take("moving_average")
        return block(f'''
            def {fn}(values: list[float], window: int = {rng.choice([3, 5, 7])}) -> list[float]:
                out = []
                total = 0.0
                for index, value in enumerate(values):
                    total += value
                    if index >= window:
                        total -= values[index - window]
                    out.append(total / min(index + 1, window))
                return out
        ''')
    if choice == 2:
        fn = names.take("clamp")
        return block(f'''
            def {fn}(value: float, low: float = 0.0, high: float = {rng.choice(["1.0", "100.0", "255.0"])}) -> float:
                return max(low, min(high, value))
        ''')
    if choice == 3:
        fn = names.take(f"{domain}_variance")
        return block(f'''
            def {fn}(values: list[float]) -> float:
                if len(values) < 2:
                    return 0.0
                mean = sum(values) / len(values)
                return sum((v - mean) ** 2 for v in values) / (len(values) - 1)
        ''')
    if choice == 4:
        fn = names.take("histogram")
        return block(f'''
            def {fn}(values: list[float], buckets: int = {rng.choice([5, 10, 20])}) -> list[int]:
                if not values:
                    return [0] * buckets
                low, high = min(values), max(values)
                width = (high - low) / buckets or 1.0
                counts = [0] * buckets
                for value in values:
                    counts[min(int((value - low) / width), buckets - 1)] += 1
                return counts
        ''')
    fn = names.take(f"round_{domain}_amount")
    return block(f'''
        def {fn}(amount: float, step: float = {rng.choice(["0.01", "0.05", "0.5"])}) -> float:
            """Round to the nearest multiple of `step`, halves to even."""
            units = amount / step
            return round(units) * step
    ''')


def lib_collections(rng: random.Random, names: Names, domain: str) -> list[str]:
    choice = rng.randrange(4)
    if choice == 0:
        fn = names.take("chunked")
        return block(f'''
            def {fn}(items: list, size: int = {rng.choice([10, 25, 100])}) -> Iterator[list]:
                for start in range(0, len(items), size):
                    yield items[start:start + size]
        ''')
    if choice == 1:
        fn = names.take(f"group_{domain}s_by")
        return block(f'''
            def {fn}(items: list[dict], key: str) -> dict[str, list[dict]]:
                groups: dict[str, list[dict]] = {{}}
                for item in items:
                    groups.setdefault(str(item.get(key)), []).append(item)
                return groups
        ''')
    if choice == 2:
        fn = names.take("unique_everseen")
        return block(f'''
            def {fn}(items: list) -> list:
                seen = set()
                out = []
                for item in items:
                    marker = repr(item)
                    if marker not in seen:
                        seen.add(marker)
                        out.append(item)
                return out
        ''')
    fn = names.take("flatten")
    return block(f'''
        def {fn}(nested: list) -> list:
            flat = []
            for item in nested:
                if isinstance(item, (list, tuple)):
                    flat.extend({fn}(list(item)))
                else:
                    flat.append(item)
            return flat
    ''')


def lib_parsing(rng: random.Random, names: Names, domain: str) -> list[str]:
    choice = rng.randrange(3)
    if choice == 0:
        fn = names.take("parse_duration")
        return block(f'''
            _DURATION = re.compile(r"(\\d+)([smhd])")
            _UNIT_SECONDS = {{"s": 1, "m": 60, "h": 3600, "d": 86400}}


            def {fn}(text: str) -> int:
                """'1h30m' -> 5400 seconds."""
                total = 0
                for amount, unit in _DURATION.findall(text.strip().lower()):
                    total += int(amount) * _UNIT_SECONDS[unit]
                if total == 0 and text.strip() not in ("0", "0s"):
                    raise ValueError(f"not a duration: {{text!r}}")
                return total
        ''')
    if choice == 1:
        fn = names.take("parse_bool")
        return block(f'''
            def {fn}(value: str | bool | None, default: bool = False) -> bool:
                if isinstance(value, bool):
                    return value
                if value is None:
                    return default
                return value.strip().lower() in ("1", "true", "yes", "on")
        ''')
    fn = names.take(f"parse_{domain}_pairs")
    return block(f'''
        def {fn}(text: str, separator: str = ";") -> dict[str, str]:
            pairs = {{}}
            for part in text.split(separator):
                key, sep, value = part.partition("=")
                if sep and key.strip():
                    pairs[key.strip()] = value.strip()
            return pairs
    ''')


def lib_class(rng: random.Random, names: Names, domain: str) -> list[str]:
    choice = rng.randrange(3)
    if choice == 0:
        cls = names.take(camel(domain) + "Window")
        size = rng.choice([8, 16, 64, 128])
        return block(f'''
            class {cls}:
                """The last {size} values seen, oldest first."""

                def __init__(self, size: int = {size}) -> None:
                    self.size = size
                    self._items: list = []

                def add(self, value) -> None:
                    self._items.append(value)
                    if len(self._items) > self.size:
                        del self._items[0]

                def __len__(self) -> int:
                    return len(self._items)

                def __iter__(self):
                    return iter(self._items)

                def __repr__(self) -> str:
                    return f"{cls}(size={{self.size}}, items={{len(self._items)}})"
        ''')
    if choice == 1:
        cls = names.take(camel(domain) + "Status")
        members = rng.sample(["NEW", "OPEN", "PENDING", "ACTIVE", "DONE", "CLOSED", "FAILED", "ARCHIVED", "ON_HOLD"], 4)
        return [
            f"class {cls}(str, Enum):",
            *(f'    {m} = "{m.lower()}"' for m in members),
            "",
            "    @property",
            "    def is_final(self) -> bool:",
            f"        return self in ({cls}.{members[-1]}, {cls}.{members[-2]})",
            "",
            "",
        ]
    cls = names.take(camel(domain) + "Interval")
    return block(f'''
        @dataclass(frozen=True)
        class {cls}:
            start: float
            end: float

            def __post_init__(self) -> None:
                if self.end < self.start:
                    raise ValueError("end before start")

            @property
            def length(self) -> float:
                return self.end - self.start

            def overlaps(self, other: "{cls}") -> bool:
                return self.start < other.end and other.start < self.end

            def merge(self, other: "{cls}") -> "{cls}":
                return {cls}(min(self.start, other.start), max(self.end, other.end))
    ''')


LIBRARY_BLOCKS = [lib_dataclass, lib_strings, lib_math, lib_collections, lib_parsing, lib_class]
OPTIONAL_IMPORTS = [
    ("import json", re.compile(r"\bjson\.")),
    ("import math", re.compile(r"\bmath\.")),
    ("import random", re.compile(r"\brandom\.random\(")),
    ("import time", re.compile(r"\btime\.(time|sleep)\(")),
    ("import re", re.compile(r"\bre\.")),
    ("from dataclasses import dataclass, field", re.compile(r"\bfield\(default_factory")),
    ("from dataclasses import dataclass", re.compile(r"@dataclass")),
    ("from enum import Enum", re.compile(r"\(str, Enum\)")),
    ("from typing import Iterator", re.compile(r"\bIterator\[")),
]


def used_imports(body: str) -> list[str]:
    """The standard-library imports the generated body needs, so flake8 sees no unused ones."""
    found = []
    for line, pattern in OPTIONAL_IMPORTS:
        if pattern.search(body) and not (line == "from dataclasses import dataclass" and "from dataclasses import dataclass, field" in found):
            found.append(line)
    return found


def import_section(stdlib: list[str], third_party: list[str]) -> list[str]:
    stdlib = sorted(set(stdlib), key=lambda line: (line.startswith("from"), line))
    lines = ["from __future__ import annotations"]
    if stdlib:
        lines += ["", *stdlib]
    if third_party:
        lines += ["", *sorted(set(third_party))]
    return lines + ["", ""]


def target_lines(rng: random.Random) -> int:
    # Skewed like real modules: many short ones, a few long ones; mean about 100 lines.
    return int(min(700, max(25, rng.lognormvariate(math.log(78), 0.62))))


def library_module(rng: random.Random, package: str, module: str) -> str:
    names = Names()
    domain = rng.choice(DOMAINS)
    head = [f'"""{camel(module)}: {rng.choice(["helpers", "value types", "utilities", "small tools"])} for {domain} data ({package})."""', ""]
    goal = target_lines(rng) - 10
    lines: list[str] = []
    while len(lines) < goal:
        make = rng.choice(LIBRARY_BLOCKS)
        lines += make(rng, names, rng.choice(DOMAINS) if rng.random() < 0.3 else domain)
    body = "\n".join(lines).rstrip() + "\n"
    return "\n".join(head + import_section(used_imports(body), [])) + "\n" + body


# --------------------------------------------------------------------------- Lambda code


@dataclass
class HandlerSpec:
    """What the template needs to know about a generated handler."""

    kind: str
    domain: str
    function_name: str  # the Python function the template's Handler names
    returns_partial: bool  # builds batchItemFailures
    features: list[str] = field(default_factory=list)


CLIENT_OF = {
    "invoke_async": ("LAMBDA", "lambda"),
    "invoke_sync": ("LAMBDA", "lambda"),
    "sqs_send": ("SQS", "sqs"),
    "sns_publish": ("SNS", "sns"),
    "ddb_query": ("DYNAMODB", "dynamodb"),
    "s3_list": ("S3", "s3"),
}
FEATURES = ["invoke_async", "invoke_sync", "gather", "requests", "httpx", "sqs_send", "sns_publish", "ddb_query", "s3_list", "threadpool", "retry"]


def feature_block(rng: random.Random, names: Names, feature: str, domain: str, in_handler_client: str | None) -> tuple[list[str], str]:
    """A helper using one feature; returns its lines and its function name."""
    client = CLIENT_OF.get(feature, (None, None))[0]
    local = None
    if client and client == in_handler_client:
        # "client created per invocation": the helper builds its own client, not the module's
        local = f'    {client.lower()}_client = boto3.client("{CLIENT_OF[feature][1]}")'
        client = f"{client.lower()}_client"
    lines, fn = _feature_block(rng, names, feature, domain, client)
    out = []
    for line in lines:
        if line.strip() == "#LOCAL#":
            if local:
                out.append(local)
        else:
            out.append(line)
    return out, fn


def _feature_block(rng: random.Random, names: Names, feature: str, domain: str, client: str | None) -> tuple[list[str], str]:
    if feature == "invoke_async":
        fn = names.take(f"fan_out_{domain}s")
        return block(f'''
            def {fn}(items):
                """Hand each {domain} to the worker function, without waiting for it."""
                #LOCAL#
                for item in items:
                    {client}.invoke(
                        FunctionName=WORKER_FUNCTION,
                        InvocationType="Event",
                        Payload=json.dumps(item, default=str).encode(),
                    )
        '''), fn
    if feature == "invoke_sync":
        fn = names.take(f"call_{rng.choice(['pricing', 'validation', 'enrichment', 'scoring'])}")
        check = ""
        if rng.random() < 0.5:
            check = '''
                if "FunctionError" in response:
                    raise RuntimeError(f"{payload!r} failed: {response['FunctionError']}")'''
        return block(f'''
            def {fn}(payload):
                #LOCAL#
                response = {client}.invoke(
                    FunctionName=DEPENDENCY_FUNCTION,
                    InvocationType="RequestResponse",
                    Payload=json.dumps(payload),
                ){check}
                return json.loads(response["Payload"].read())
        '''), fn
    if feature == "gather":
        fn = names.take(f"fetch_{domain}_details")
        if rng.random() < 0.5:
            fetch = '''
                async with httpx.AsyncClient(timeout=10.0) as client:
                    responses = await asyncio.gather(*(client.get(f"{API_URL}/items/{i}") for i in ids))'''
        else:
            fetch = f'''
                limit = asyncio.Semaphore({rng.choice([4, 8, 16])})

                async def one(client, item_id):
                    async with limit:
                        return await client.get(f"{{API_URL}}/items/{{item_id}}")

                async with httpx.AsyncClient(timeout=10.0) as client:
                    responses = await asyncio.gather(*(one(client, i) for i in ids))'''
        return block(f'''
            async def _{fn}(ids):{fetch}
                return [r.json() for r in responses if r.status_code == 200]


            def {fn}(ids):
                return asyncio.run(_{fn}(list(ids)))
        '''), fn
    if feature == "requests":
        fn = names.take(f"post_{domain}")
        timeout = rng.choice([", timeout=5", ", timeout=(3, 10)", ""])
        return block(f'''
            def {fn}(payload):
                response = requests.post(f"{{API_URL}}/{domain}s", json=payload{timeout})
                response.raise_for_status()
                return response.json()
        '''), fn
    if feature == "httpx":
        fn = names.take(f"get_{domain}")
        timeout = rng.choice(["timeout=5.0", "timeout=httpx.Timeout(5.0, connect=2.0)", ""])
        return block(f'''
            def {fn}(item_id):
                response = httpx.get(f"{{API_URL}}/{domain}s/{{item_id}}"{", " + timeout if timeout else ""})
                if response.status_code == 404:
                    return None
                response.raise_for_status()
                return response.json()
        '''), fn
    if feature == "sqs_send":
        fn = names.take(f"forward_{domain}s")
        return block(f'''
            def {fn}(messages):
                #LOCAL#
                for start in range(0, len(messages), 10):
                    entries = [
                        {{"Id": str(index), "MessageBody": json.dumps(message, default=str)}}
                        for index, message in enumerate(messages[start:start + 10])
                    ]
                    {client}.send_message_batch(QueueUrl=OUTPUT_QUEUE_URL, Entries=entries)
        '''), fn
    if feature == "sns_publish":
        fn = names.take(f"notify_{domain}")
        return block(f'''
            def {fn}(subject, detail):
                #LOCAL#
                {client}.publish(
                    TopicArn=TOPIC_ARN,
                    Subject=subject[:100],
                    Message=json.dumps(detail, default=str),
                )
        '''), fn
    if feature == "ddb_query":
        fn = names.take(f"load_{domain}s")
        return block(f'''
            def {fn}(partition):
                #LOCAL#
                paginator = {client}.get_paginator("query")
                items = []
                for page in paginator.paginate(
                    TableName=TABLE_NAME,
                    KeyConditionExpression="pk = :pk",
                    ExpressionAttributeValues={{":pk": {{"S": partition}}}},
                ):
                    items.extend(page["Items"])
                return items
        '''), fn
    if feature == "s3_list":
        fn = names.take(f"list_{domain}_keys")
        return block(f'''
            def {fn}(prefix):
                #LOCAL#
                paginator = {client}.get_paginator("list_objects_v2")
                for page in paginator.paginate(Bucket=DATA_BUCKET, Prefix=prefix):
                    for entry in page.get("Contents", []):
                        yield entry["Key"]
        '''), fn
    if feature == "threadpool":
        fn = names.take(f"transform_all_{domain}s")
        workers = rng.choice(["8", "16", "len(items)", "32"])
        return block(f'''
            def {fn}(items, transform):
                with ThreadPoolExecutor(max_workers={workers}) as pool:
                    return list(pool.map(transform, items))
        '''), fn
    # retry
    fn = names.take("with_retry")
    sleep = rng.choice(["2 ** attempt", "0.5 * (2 ** attempt) + random.random()", "1"])
    return block(f'''
        def {fn}(call, attempts={rng.choice([3, 4, 5])}):
            for attempt in range(attempts):
                try:
                    return call()
                except requests.RequestException:
                    if attempt == attempts - 1:
                        raise
                    logger.warning("attempt %d failed, retrying", attempt + 1)
                    time.sleep({sleep})
    '''), fn


def validate_block(rng: random.Random, names: Names, domain: str) -> tuple[list[str], str]:
    fn = names.take(f"validate_{domain}")
    keys = ", ".join(f'"{k}"' for k in ["id", *rng.sample(FIELDS, 2)])
    return block(f'''
        def {fn}(payload):
            missing = [key for key in ({keys}) if key not in payload]
            if missing:
                raise ValueError(f"{domain} is missing {{', '.join(missing)}}")
            return payload
    '''), fn


def process_block(names: Names, domain: str, validate: str, helpers: list[str]) -> tuple[list[str], str]:
    fn = names.take(f"process_{domain}")
    calls = []
    for helper in helpers:
        if helper.startswith(("fan_out_", "forward_")):
            calls.append(f"    {helper}([item])")
        elif helper.startswith("notify_"):
            calls.append(f'    {helper}("{domain} processed", item)')
        elif helper.startswith(("load_", "list_")):
            calls.append(f'    related = list({helper}(str(item["id"])))')
            calls.append('    logger.debug("%d related entries", len(related))')
        elif helper.startswith("fetch_"):
            calls.append(f'    details = {helper}([item["id"]])')
            calls.append('    item["details"] = details')
        elif helper.startswith("transform_all_"):
            calls.append(f'    item["parts"] = {helper}(item.get("parts", []), str)')
        elif helper.startswith("with_retry"):
            continue
        else:
            calls.append(f"    item = {helper}(item) or item")
    body = "\n".join(calls) or "    pass"
    return [f"def {fn}(payload):", f"    item = {validate}(dict(payload))", *body.split("\n"), "    return item", "", ""], fn


def handler_block(rng: random.Random, spec: HandlerSpec, variant: str, process: str, names: Names) -> list[str]:
    fn = names.take(spec.function_name)
    domain = spec.domain
    doc = f'    """Entry point: {spec.kind} events for {domain}s."""'
    if spec.kind == "sqs":
        if variant == "first":
            body = f'''
                record = event["Records"][0]
                payload = json.loads(record["body"])
                logger.info("processing message %s", record["messageId"])
                return {process}(payload)'''
        elif variant == "raise":
            body = f'''
                for record in event["Records"]:
                    payload = json.loads(record["body"])
                    {process}(payload)
                logger.info("processed %d messages", len(event["Records"]))'''
        elif variant == "swallow":
            body = f'''
                for record in event["Records"]:
                    try:
                        {process}(json.loads(record["body"]))
                    except Exception:
                        logger.exception("could not process message %s", record["messageId"])'''
        else:
            ident = 'record["receiptHandle"]' if variant == "receipt" else 'record["messageId"]'
            body = f'''
                failures = []
                for record in event["Records"]:
                    try:
                        {process}(json.loads(record["body"]))
                    except Exception:
                        logger.exception("could not process message %s", record["messageId"])
                        failures.append({{"itemIdentifier": {ident}}})
                return {{"batchItemFailures": failures}}'''
    elif spec.kind == "kinesis":
        if variant in ("good", "receipt"):
            ident = 'record["eventID"]' if variant == "receipt" else 'record["kinesis"]["sequenceNumber"]'
            body = f'''
                failures = []
                for record in event["Records"]:
                    try:
                        data = json.loads(base64.b64decode(record["kinesis"]["data"]))
                        {process}(data)
                    except (ValueError, KeyError):
                        logger.warning("bad record %s", record["kinesis"]["sequenceNumber"])
                        failures.append({{"itemIdentifier": {ident}}})
                return {{"batchItemFailures": failures}}'''
        elif variant == "first":
            body = f'''
                data = base64.b64decode(event["Records"][0]["kinesis"]["data"])
                return {process}(json.loads(data))'''
        else:
            body = f'''
                for record in event["Records"]:
                    data = json.loads(base64.b64decode(record["kinesis"]["data"]))
                    {process}(data)'''
    elif spec.kind == "ddbstream":
        body = f'''
            for record in event["Records"]:
                if record["eventName"] == "REMOVE":
                    continue
                image = record["dynamodb"].get("NewImage", {{}})
                item = {{key: next(iter(value.values())) for key, value in image.items()}}
                {process}(item)'''
        if variant in ("good", "receipt"):
            body += '\n            return {"batchItemFailures": []}'
    elif spec.kind == "s3":
        body = f'''
            for record in event["Records"]:
                bucket = record["s3"]["bucket"]["name"]
                key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
                body = S3.get_object(Bucket=bucket, Key=key)["Body"].read()
                result = {process}(json.loads(body))
                S3.put_object(Bucket=DATA_BUCKET, Key=f"processed/{{key}}", Body=json.dumps(result, default=str).encode())'''
    elif spec.kind == "sns":
        body = f'''
            for record in event["Records"]:
                message = json.loads(record["Sns"]["Message"])
                {process}(message)'''
    elif spec.kind == "api":
        body = f'''
            try:
                payload = json.loads(event.get("body") or "{{}}")
            except json.JSONDecodeError:
                return _response(400, {{"message": "body is not JSON"}})
            item_id = (event.get("pathParameters") or {{}}).get("id")
            if item_id:
                payload["id"] = item_id
            try:
                result = {process}(payload)
            except ValueError as error:
                return _response(422, {{"message": str(error)}})
            return _response(200, result)'''
    else:  # schedule
        body = f'''
            started = time.time()
            count = 0
            for partition in PARTITIONS:
                {process}({{"id": partition, "started": started}})
                count += 1
            logger.info("scheduled run handled %d partitions", count)
            return {{"handled": count}}'''
    lines = [f"def {fn}(event, context):", doc]
    lines += textwrap.dedent(body).strip("\n").split("\n")
    return [("    " + line if line else line) if i >= 2 else line for i, line in enumerate(lines)] + ["", ""]


def handler_module(rng: random.Random, spec: HandlerSpec, variant: str) -> str:
    names = Names()
    names.used.update({"logger", "handler", "lambda_handler", "main", "_response"} - {spec.function_name})
    domain = spec.domain
    features = spec.features
    clients: list[tuple[str, str]] = []
    for feature in features:
        entry = CLIENT_OF.get(feature)
        if entry and entry not in clients:
            clients.append(entry)
    own = [c for c in clients if c != ("S3", "s3") or spec.kind != "s3"]  # the S3 handler body uses the module's S3
    in_handler_client = rng.choice(own)[0] if own and rng.random() < 0.15 else None
    if spec.kind == "s3" and ("S3", "s3") not in clients:
        clients.append(("S3", "s3"))

    body = ['logger = logging.getLogger()', 'logger.setLevel(os.environ.get("LOG_LEVEL", "INFO"))', ""]
    env = {
        "TABLE_NAME": '"TABLE_NAME"', "API_URL": '"API_URL", "https://api.example.com"',
        "WORKER_FUNCTION": '"WORKER_FUNCTION"', "DEPENDENCY_FUNCTION": '"DEPENDENCY_FUNCTION"',
        "OUTPUT_QUEUE_URL": '"OUTPUT_QUEUE_URL"', "TOPIC_ARN": '"TOPIC_ARN"', "DATA_BUCKET": '"DATA_BUCKET"',
    }
    for name, arg in env.items():
        body.append(f"{name} = os.environ.get({arg})")
    if spec.kind == "schedule":
        body.append(f'PARTITIONS = [f"{domain}-{{n:02d}}" for n in range({rng.choice([4, 8, 16, 32])})]')
    module_clients = [f'{variable} = boto3.client("{service}")' for variable, service in clients if variable != in_handler_client]
    body += ([""] + module_clients if module_clients else []) + ["", ""]

    helpers = []
    for feature in features:
        block_lines, fn = feature_block(rng, names, feature, domain, in_handler_client)
        body += block_lines
        helpers.append(fn)
    if spec.kind == "api":
        body += block('''
            def _response(status, body):
                return {
                    "statusCode": status,
                    "headers": {"Content-Type": "application/json"},
                    "body": json.dumps(body, default=str),
                }
        ''')
    validate_lines, validate = validate_block(rng, names, domain)
    body += validate_lines
    # pure helpers (formatting, maths) up to a realistic module size, before the handler
    goal = target_lines(rng) - 45
    while len(body) < goal:
        body += rng.choice(LIBRARY_BLOCKS)(rng, names, domain)
    process_lines, process = process_block(names, domain, validate, helpers)
    body += process_lines
    body += handler_block(rng, spec, variant, process, names)
    text = "\n".join(body).rstrip() + "\n"

    stdlib = ["import logging", "import os", *used_imports(text)]
    if spec.kind == "kinesis":
        stdlib.append("import base64")
    if spec.kind == "s3":
        stdlib.append("import urllib.parse")
    if "gather" in features:
        stdlib.append("import asyncio")
    if "threadpool" in features:
        stdlib.append("from concurrent.futures import ThreadPoolExecutor")
    third = []
    if clients:
        third.append("import boto3")
    if "gather" in features or "httpx" in features:
        third.append("import httpx")
    if "requests" in features or "retry" in features:
        third.append("import requests")
    action = rng.choice(["validates and stores", "routes", "enriches and forwards", "reconciles"])
    head = [f'"""{camel(domain)} {spec.kind} handler: {action} {domain}s."""', ""]
    return "\n".join(head + import_section(stdlib, third)) + "\n" + text


def choose_variant(rng: random.Random, kind: str) -> str:
    if kind == "sqs":
        return rng.choices(["good", "swallow", "receipt", "first", "raise"], [50, 15, 8, 7, 20])[0]
    if kind in ("kinesis", "ddbstream"):
        return rng.choices(["good", "receipt", "first", "raise"], [55, 10, 5, 30])[0]
    return "good"


def choose_features(rng: random.Random, kind: str) -> list[str]:
    count = rng.choices([0, 1, 2, 3, 4], [15, 35, 30, 15, 5])[0]
    if kind == "schedule":
        count = max(count, 1)
    features = rng.sample(FEATURES, count)
    if kind == "schedule" and not {"invoke_async", "sqs_send", "ddb_query", "s3_list"} & set(features):
        features.append(rng.choice(["invoke_async", "s3_list", "ddb_query"]))
    return features


# --------------------------------------------------------------------------- templates


@dataclass(frozen=True)
class Tag:
    """A CloudFormation intrinsic written in short form in YAML (`!GetAtt Queue.Arn`)."""

    name: str  # Ref | GetAtt | Sub
    value: str

    def to_json(self):
        if self.name == "Ref":
            return {"Ref": self.value}
        if self.name == "GetAtt":
            return {"Fn::GetAtt": self.value.split(".", 1)}
        return {"Fn::" + self.name: self.value}


def ref(name: str) -> Tag:
    return Tag("Ref", name)


def getatt(name: str) -> Tag:
    return Tag("GetAtt", name)


def sub(text: str) -> Tag:
    return Tag("Sub", text)


_PLAIN = re.compile(r"[A-Za-z_/$][A-Za-z0-9_./\-$]*")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def yaml_scalar(value) -> str:
    if isinstance(value, Tag):
        return f"!{value.name} {yaml_scalar(value.value)}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if _PLAIN.fullmatch(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value)


def _is_block(value) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def yaml_lines(node, indent: int = 0) -> list[str]:
    """Block-style YAML; keys starting with '#' are written as comments."""
    pad = "  " * indent
    out: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key.startswith("#"):
                out.append(f"{pad}# {value}")
            elif _is_block(value):
                out.append(f"{pad}{key}:")
                out.extend(yaml_lines(value, indent + 1))
            else:
                out.append(f"{pad}{key}: {yaml_scalar(value)}")
    else:
        for item in node:
            if _is_block(item):
                sub_lines = yaml_lines(item, indent + 1)
                sub_lines[0] = pad + "- " + sub_lines[0][len(pad) + 2:]
                out.extend(sub_lines)
            else:
                out.append(f"{pad}- {yaml_scalar(item)}")
    return out


def to_json(node):
    if isinstance(node, Tag):
        return node.to_json()
    if isinstance(node, dict):
        return {k: to_json(v) for k, v in node.items() if not k.startswith("#")}
    if isinstance(node, list):
        return [to_json(v) for v in node]
    return node


@dataclass
class FunctionPlan:
    logical_id: str
    spec: HandlerSpec
    variant: str
    handler: str  # the template's Handler string
    code_uri: str | None  # per-function CodeUri (None: from Globals)
    file: str  # the handler file, relative to the service folder
    missing: bool = False  # Handler names a function the file does not define (LK002)


@dataclass
class ServicePlan:
    name: str
    style: str  # sam-globals | sam | cfn
    layout: str  # shared | per-function | dotted
    fmt: str  # yaml | json
    template_name: str
    functions: list[FunctionPlan] = field(default_factory=list)


def plan_services(rng: random.Random, n_templates: int, n_handlers: int) -> list[ServicePlan]:
    services = []
    for index in range(n_templates):
        domain = DOMAINS[index % len(DOMAINS)]
        style = rng.choices(["sam-globals", "sam", "cfn"], [50, 30, 20])[0]
        layout = "shared" if style == "cfn" else rng.choices(["shared", "per-function", "dotted"], [55, 35, 10])[0]
        fmt = rng.choices(["yaml", "json"], [78, 22])[0]
        if fmt == "json":
            template_name = rng.choice(["template.json", f"{domain}.template.json"])
        else:
            template_name = rng.choices(["template.yaml", "template.yml", "stack.yml"], [80, 12, 8])[0]
        services.append(ServicePlan(f"{domain}-{index:03d}", style, layout, fmt, template_name))
    # about 4% of the stacks are infrastructure only (tables, queues), as in real repositories
    with_code = [s for s in services if rng.random() >= 0.04] or services[:1]
    for number in range(n_handlers):
        service = with_code[number] if number < len(with_code) else rng.choice(with_code)
        kind = rng.choices(HANDLER_KINDS, HANDLER_WEIGHTS)[0]
        domain = rng.choice(DOMAINS)
        base = f"{domain}_{kind}" if kind != "ddbstream" else f"{domain}_stream"
        taken = {f.logical_id for f in service.functions}
        module, n = base, 2
        while camel(module) + "Function" in taken:
            module = f"{base}{n}"
            n += 1
        variant = choose_variant(rng, kind)
        function_name = "handler"
        if service.layout == "per-function":
            function_name = "lambda_handler"
            file = f"functions/{module}/app.py"
            handler = "app.lambda_handler"
            code_uri = f"functions/{module}/"
        elif service.layout == "dotted":
            file = f"src/handlers/{module}.py"
            handler = f"src.handlers.{module}.handler"
            code_uri = "."
        else:
            if service.style == "cfn" and rng.random() < 0.3:
                function_name = "main"
            file = f"src/{module}.py"
            handler = f"{module}.{function_name}"
            code_uri = None if service.style == "sam-globals" else "src/"
        missing = rng.random() < 0.02
        if missing:
            handler = handler.rsplit(".", 1)[0] + ".run"
        spec = HandlerSpec(kind, domain, function_name, variant in ("good", "receipt") and kind in BATCH_KINDS, choose_features(rng, kind))
        logical = camel(module) + "Function"
        service.functions.append(FunctionPlan(logical, spec, variant, handler, code_uri, file, missing))
    return services


def _fn_properties(rng: random.Random, service: ServicePlan, fn: FunctionPlan, timeout: int) -> dict:
    props: dict = {"Handler": fn.handler}
    if service.style == "cfn":
        props["Code"] = "src/"
        props["Runtime"] = rng.choice(["python3.11", "python3.12", "python3.13"])
        props["Role"] = getatt(f"{fn.logical_id}Role.Arn")
    elif service.style == "sam" or fn.code_uri not in (None, "src/"):
        if fn.code_uri:
            props["CodeUri"] = fn.code_uri
    if service.style == "sam":
        props["Runtime"] = rng.choice(["python3.11", "python3.12", "python3.13"])
    if service.style != "sam-globals" or rng.random() < 0.3:
        props["Timeout"] = timeout
    if rng.random() < 0.6:
        props["MemorySize"] = rng.choice([128, 256, 512, 1024])
    env = {"TABLE_NAME": ref("DataTable"), "LOG_LEVEL": "INFO"}
    if "invoke_async" in fn.spec.features:
        env["WORKER_FUNCTION"] = sub("${AWS::StackName}-worker")
    if "invoke_sync" in fn.spec.features:
        env["DEPENDENCY_FUNCTION"] = sub("${AWS::StackName}-dependency")
    if "sns_publish" in fn.spec.features:
        env["TOPIC_ARN"] = ref("EventsTopic")
    props["Environment"] = {"Variables": env}
    return props


def _on_failure(rng: random.Random, resources: dict, dlq_name: str) -> Tag:
    if dlq_name not in resources:
        resources[dlq_name] = {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}}
    return getatt(f"{dlq_name}.Arn")


def build_template(rng: random.Random, service: ServicePlan) -> dict:
    sam = service.style != "cfn"
    doc: dict = {"AWSTemplateFormatVersion": "2010-09-09"}
    if sam:
        doc["Transform"] = "AWS::Serverless-2016-10-31"
    doc["Description"] = f"{service.name}: {rng.choice(['ingestion', 'processing', 'API', 'notifications', 'reporting'])} stack"
    doc["Parameters"] = {"Stage": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "staging", "prod"]}}
    global_timeout = rng.choice([3, 10, 15, 30, 60])
    if service.style == "sam-globals":
        function_globals: dict = {"Runtime": rng.choice(["python3.11", "python3.12", "python3.13"]), "Timeout": global_timeout, "MemorySize": rng.choice([128, 256, 512])}
        if service.layout == "shared":
            function_globals["CodeUri"] = "src/"
        if rng.random() < 0.5:
            function_globals["Tracing"] = "Active"
        function_globals["Environment"] = {"Variables": {"STAGE": ref("Stage")}}
        doc["Globals"] = {"Function": function_globals}
    resources: dict = {}
    resources["DataTable"] = {
        "Type": "AWS::DynamoDB::Table",
        "Properties": {
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        },
    }
    if any("sns_publish" in f.spec.features for f in service.functions):
        resources["EventsTopic"] = {"Type": "AWS::SNS::Topic"}
    outputs = {}
    for fn in service.functions:
        timeout = rng.choice([3, 10, 30, 60, 120, 300, 900]) if rng.random() < 0.7 else global_timeout
        effective_timeout = timeout
        props = _fn_properties(rng, service, fn, timeout)
        if "Timeout" not in props:
            effective_timeout = global_timeout
        base = fn.logical_id.removesuffix("Function")
        events: dict = {}
        extra: dict = {}  # resources of this function
        kind = fn.spec.kind
        if kind in BATCH_KINDS:
            report = rng.random() < (0.85 if fn.spec.returns_partial else 0.2)
            batch = rng.choice([1, 5, 10, 10, 25, 100])
            if kind == "sqs":
                queue_props: dict = {}
                if rng.random() < 0.75:
                    queue_props["VisibilityTimeout"] = effective_timeout * rng.choice([6, 6, 2, 1])
                if rng.random() < 0.7:
                    queue_props["RedrivePolicy"] = {"deadLetterTargetArn": _on_failure(rng, extra, f"{base}DeadLetters"), "maxReceiveCount": rng.choice([3, 5, 10])}
                extra[f"{base}Queue"] = {"Type": "AWS::SQS::Queue", "Properties": queue_props} if queue_props else {"Type": "AWS::SQS::Queue"}
                source = getatt(f"{base}Queue.Arn")
                event_props: dict = {"Queue": source, "BatchSize": batch}
                if rng.random() < 0.3:
                    event_props["MaximumBatchingWindowInSeconds"] = rng.choice([1, 5, 20])
            else:
                if kind == "kinesis":
                    extra[f"{base}Stream"] = {"Type": "AWS::Kinesis::Stream", "Properties": {"ShardCount": rng.choice([1, 2, 4])}}
                    source = getatt(f"{base}Stream.Arn")
                    event_props = {"Stream": source}
                else:
                    extra[f"{base}Table"] = {
                        "Type": "AWS::DynamoDB::Table",
                        "Properties": {
                            "BillingMode": "PAY_PER_REQUEST",
                            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                            "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
                        },
                    }
                    source = getatt(f"{base}Table.StreamArn")
                    event_props = {"Stream": source}
                event_props["StartingPosition"] = rng.choice(["LATEST", "TRIM_HORIZON"])
                event_props["BatchSize"] = batch
                if rng.random() < 0.6:
                    event_props["MaximumRetryAttempts"] = rng.choice([2, 3, 5])
                if rng.random() < 0.4:
                    event_props["BisectBatchOnFunctionError"] = True
                if rng.random() < 0.55:
                    event_props["DestinationConfig"] = {"OnFailure": {"Destination": _on_failure(rng, extra, f"{base}Failures")}}
            if report:
                event_props["FunctionResponseTypes"] = ["ReportBatchItemFailures"]
            if sam:
                events[f"{base}Batch"] = {"Type": {"sqs": "SQS", "kinesis": "Kinesis", "ddbstream": "DynamoDB"}[kind], "Properties": event_props}
            else:
                mapping = {"EventSourceArn": event_props.pop("Queue", None) or event_props.pop("Stream"), "FunctionName": ref(fn.logical_id)}
                mapping.update(event_props)
                extra[f"{base}Mapping"] = {"Type": "AWS::Lambda::EventSourceMapping", "Properties": mapping}
        elif kind in ASYNC_KINDS:
            if kind == "s3":
                extra[f"{base}Bucket"] = {"Type": "AWS::S3::Bucket"}
                if sam:
                    events[f"{base}Upload"] = {"Type": "S3", "Properties": {"Bucket": ref(f"{base}Bucket"), "Events": "s3:ObjectCreated:*"}}
                else:
                    extra[f"{base}Bucket"]["Properties"] = {"NotificationConfiguration": {"LambdaConfigurations": [{"Event": "s3:ObjectCreated:*", "Function": getatt(f"{fn.logical_id}.Arn")}]}}
                    extra[f"{base}Permission"] = {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": ref(fn.logical_id), "Principal": "s3.amazonaws.com"}}
            elif kind == "sns":
                extra[f"{base}Topic"] = {"Type": "AWS::SNS::Topic"}
                if sam:
                    events[f"{base}Message"] = {"Type": "SNS", "Properties": {"Topic": ref(f"{base}Topic")}}
                else:
                    extra[f"{base}Subscription"] = {"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "lambda", "TopicArn": ref(f"{base}Topic"), "Endpoint": getatt(f"{fn.logical_id}.Arn")}}
                    extra[f"{base}Permission"] = {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": ref(fn.logical_id), "Principal": "sns.amazonaws.com"}}
            else:
                expression = rng.choice(["rate(5 minutes)", "rate(1 hour)", "cron(0 3 * * ? *)"])
                if sam:
                    events[f"{base}Timer"] = {"Type": "Schedule", "Properties": {"Schedule": expression}}
                else:
                    extra[f"{base}Rule"] = {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": expression, "Targets": [{"Id": "target", "Arn": getatt(f"{fn.logical_id}.Arn")}]}}
                    extra[f"{base}Permission"] = {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": ref(fn.logical_id), "Principal": "events.amazonaws.com"}}
            roll = rng.random()
            if roll < 0.5:
                config = {"MaximumRetryAttempts": rng.choice([0, 1, 2]), "DestinationConfig": {"OnFailure": {"Type": "SQS", "Destination": _on_failure(rng, extra, f"{base}Failures")}}}
                if sam:
                    props["EventInvokeConfig"] = config
                else:
                    config["DestinationConfig"]["OnFailure"].pop("Type")
                    extra[f"{base}InvokeConfig"] = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {"FunctionName": ref(fn.logical_id), "Qualifier": "$LATEST", **config}}
            elif roll < 0.65:
                if sam:
                    props["EventInvokeConfig"] = {"MaximumRetryAttempts": 0}
                else:
                    extra[f"{base}InvokeConfig"] = {"Type": "AWS::Lambda::EventInvokeConfig", "Properties": {"FunctionName": ref(fn.logical_id), "Qualifier": "$LATEST", "MaximumRetryAttempts": 0}}
            elif roll < 0.75:
                props["DeadLetterQueue" if sam else "DeadLetterConfig"] = (
                    {"Type": "SQS", "TargetArn": _on_failure(rng, extra, f"{base}DeadLetters")} if sam else {"TargetArn": _on_failure(rng, extra, f"{base}DeadLetters")}
                )
        else:  # api
            if sam:
                events[f"{base}Api"] = {"Type": "Api", "Properties": {"Path": f"/{fn.spec.domain}s/{{id}}", "Method": rng.choice(["get", "post", "put"])}}
            else:
                extra[f"{base}Permission"] = {"Type": "AWS::Lambda::Permission", "Properties": {"Action": "lambda:InvokeFunction", "FunctionName": ref(fn.logical_id), "Principal": "apigateway.amazonaws.com"}}
        if sam:
            if events:
                props["Events"] = events
            if rng.random() < 0.3:
                props["Policies"] = [{"DynamoDBCrudPolicy": {"TableName": ref("DataTable")}}]
        resource: dict = {}
        if rng.random() < 0.25:
            resource["#"] = f"{fn.logical_id}: {fn.spec.kind} {fn.spec.domain}s ({fn.variant})"
        resource["Type"] = "AWS::Serverless::Function" if sam else "AWS::Lambda::Function"
        resource["Properties"] = props
        resources[fn.logical_id] = resource
        if not sam:
            resources[f"{fn.logical_id}Role"] = {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
                    "ManagedPolicyArns": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
                },
            }
        resources.update(extra)
        outputs[f"{fn.logical_id}Arn"] = {"Value": getatt(f"{fn.logical_id}.Arn")}
    doc["Resources"] = resources
    if outputs:
        doc["Outputs"] = outputs
    return doc


def render_template(doc: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(to_json(doc), indent=2) + "\n"
    out = []
    for key, value in doc.items():
        if _is_block(value):
            out.append(f"{key}:")
            out.extend(yaml_lines(value, 1))
            out.append("")
        else:
            out.append(f"{key}: {yaml_scalar(value)}")
            if key == "Description":
                out.append("")
    return "\n".join(out).rstrip() + "\n"


# --------------------------------------------------------------------------- Terraform projects


def _hcl_scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Expr):
        return value.text
    return json.dumps(value)


@dataclass(frozen=True)
class Expr:
    """An HCL expression written as is (`aws_sqs_queue.jobs.arn`, `local.runtime`)."""

    text: str


def hcl_body(items: list, indent: int = 1) -> list[str]:
    """The lines of a block body: (key, value) attributes, (key, [items]) nested blocks when the
    key starts with '+' (`+environment`), '#' keys as comments, lists and maps inline."""
    pad = "  " * indent
    out: list[str] = []
    width = max((len(k) for k, v in items if not k.startswith(("+", "#")) and not isinstance(v, dict)), default=0)
    for key, value in items:
        if key.startswith("#"):
            out.append(f"{pad}# {value}")
        elif key.startswith("+"):
            out.append(f"{pad}{key[1:]} {{")
            out.extend(hcl_body(value, indent + 1))
            out.append(f"{pad}}}")
        elif isinstance(value, dict):
            out.append(f"{pad}{key} = {{")
            inner = max(len(k) for k in value)
            out.extend(f"{pad}  {k:<{inner}} = {_hcl_scalar(v)}" for k, v in value.items())
            out.append(f"{pad}}}")
        elif isinstance(value, list):
            out.append(f"{pad}{key:<{width}} = [{', '.join(_hcl_scalar(v) for v in value)}]")
        else:
            out.append(f"{pad}{key:<{width}} = {_hcl_scalar(value)}")
    return out


def hcl_block(head: str, items: list) -> list[str]:
    return [f"{head} {{", *hcl_body(items), "}", ""]


def _tf_name(logical_id: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", logical_id.removesuffix("Function")).lower()


def _tf_code(rng: random.Random, fn: FunctionPlan) -> tuple[str, list[tuple[str, object]]]:
    """The handler string and the `archive_file` inputs of a function, for the same handler
    file as the SAM service's (per-function folders, a shared `src/`, `src/handlers/`)."""
    folder, module = fn.file.rsplit("/", 1)
    handler = fn.handler
    if handler.startswith("src.handlers."):
        handler = handler.removeprefix("src.")
    if fn.file.startswith("src/") and rng.random() < 0.4:
        source = ("source_file", f"${{path.module}}/{fn.file}")
    else:
        source = ("source_dir", f"${{path.module}}/{'src' if fn.file.startswith('src/') else folder}")
    return handler, [("type", "zip"), source]


def build_terraform(rng: random.Random, service: ServicePlan) -> dict[str, str]:
    """A Terraform root for a planned service, as the serverless-patterns ones are written: a
    `main.tf` (provider, locals, per function an `archive_file`, an IAM role, the
    `aws_lambda_function` and its trigger: an SQS queue + `aws_lambda_event_source_mapping`,
    a Kinesis stream or a DynamoDB stream + mapping, an S3 notification, an SNS subscription,
    an EventBridge rule + target or a schedule, an HTTP API; permissions, async invoke configs,
    log groups), a `variables.tf`, and about half the time an `outputs.tf`. The handler files
    are the SAM service's (the same `FunctionPlan`s)."""
    name = service.name
    main: list[str] = ["terraform {", "  required_providers {", "    aws = {", '      source  = "hashicorp/aws"',
                       f'      version = "~> {rng.choice(["4.0", "5.0", "5.40"])}"', "    }", "  }", "",
                       f'  required_version = ">= {rng.choice(["1.0.0", "1.3.0", "1.5.0"])}"', "}", ""]
    main += hcl_block('provider "aws"', [("region", Expr("var.region"))])
    main += ['data "aws_caller_identity" "current" {}', "", 'data "aws_region" "current" {}', ""]
    global_timeout = rng.choice([3, 10, 15, 30, 60])
    main += hcl_block("locals", [
        ("service", name), ("runtime", rng.choice(["python3.11", "python3.12", "python3.13"])), ("timeout", global_timeout),
        ("tags", {"Service": Expr("local.service"), "Stage": Expr("var.stage")}),
    ])
    main += ["#" * 65, f"# {name}: data", "#" * 65]
    main += hcl_block('resource "aws_dynamodb_table" "data"', [
        ("name", "${local.service}-data"), ("billing_mode", "PAY_PER_REQUEST"), ("hash_key", "pk"),
        ("+attribute", [("name", "pk"), ("type", "S")]), ("tags", Expr("local.tags")),
    ])
    if any("sns_publish" in f.spec.features for f in service.functions):
        main += hcl_block('resource "aws_sns_topic" "events"', [("name", "${local.service}-events")])
    outputs: list[str] = []
    api_made = False
    for fn in service.functions:
        fname = _tf_name(fn.logical_id)
        handler, archive = _tf_code(rng, fn)
        main += ["#" * 65, f"# {fn.logical_id}: {fn.spec.kind} {fn.spec.domain}s", "#" * 65]
        main += hcl_block(f'data "archive_file" "{fname}"', [*archive, ("output_path", f"${{path.module}}/build/{fname}.zip")])
        main += hcl_block(f'resource "aws_iam_role" "{fname}"', [("name", f"${{local.service}}-{fname}")])[:-2] + [
            "  assume_role_policy = jsonencode({", '    Version = "2012-10-17"', "    Statement = [{",
            '      Action    = "sts:AssumeRole"', '      Effect    = "Allow"', '      Principal = { Service = "lambda.amazonaws.com" }',
            "    }]", "  })", "}", ""]
        main += hcl_block(f'resource "aws_iam_role_policy_attachment" "{fname}_basic"', [
            ("role", Expr(f"aws_iam_role.{fname}.name")), ("policy_arn", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")])
        timeout = rng.choice([3, 10, 30, 60, 120, 300, 900]) if rng.random() < 0.7 else None
        effective = timeout or global_timeout
        env = {"TABLE_NAME": Expr("aws_dynamodb_table.data.name"), "LOG_LEVEL": "INFO"}
        if "invoke_async" in fn.spec.features:
            env["WORKER_FUNCTION"] = Expr('"${local.service}-worker"')
        if "sns_publish" in fn.spec.features:
            env["TOPIC_ARN"] = Expr("aws_sns_topic.events.arn")
        fn_items: list = [
            ("function_name", f"${{local.service}}-{fname}"), ("filename", Expr(f"data.archive_file.{fname}.output_path")),
            ("source_code_hash", Expr(f"data.archive_file.{fname}.output_base64sha256")), ("role", Expr(f"aws_iam_role.{fname}.arn")),
            ("handler", handler), ("runtime", Expr("local.runtime")), ("timeout", timeout if timeout else Expr("local.timeout")),
        ]
        if rng.random() < 0.6:
            fn_items.append(("memory_size", rng.choice([128, 256, 512, 1024])))
        fn_items.append(("+environment", [("variables", env)]))
        extra: list[str] = []
        kind = fn.spec.kind
        arn = Expr(f"aws_lambda_function.{fname}.arn")

        def dlq(suffix: str) -> Expr:
            extra.extend(hcl_block(f'resource "aws_sqs_queue" "{fname}_{suffix}"', [
                ("name", f"${{local.service}}-{fname}-{suffix}"), ("message_retention_seconds", 1209600)]))
            return Expr(f"aws_sqs_queue.{fname}_{suffix}.arn")

        def permission(principal: str, source: Expr | None) -> None:
            items: list = [("statement_id", f"Allow{camel(principal.split('.')[0])}"), ("action", "lambda:InvokeFunction"),
                           ("function_name", Expr(f"aws_lambda_function.{fname}.function_name")), ("principal", principal)]
            if source is not None:
                items.append(("source_arn", source))
            extra.extend(hcl_block(f'resource "aws_lambda_permission" "{fname}_{principal.split(".")[0]}"', items))

        if kind in BATCH_KINDS:
            report = rng.random() < (0.85 if fn.spec.returns_partial else 0.2)
            mapping: list = []
            if kind == "sqs":
                queue: list = [("name", f"${{local.service}}-{fname}")]
                if rng.random() < 0.75:
                    queue.append(("visibility_timeout_seconds", effective * rng.choice([6, 6, 2, 1])))
                redrive = rng.random() < 0.7
                if redrive:
                    target = dlq("dead_letters")
                    queue.append(("redrive_policy", Expr(f"jsonencode({{\n    deadLetterTargetArn = {target.text}\n    maxReceiveCount     = {rng.choice([3, 5, 10])}\n  }})")))
                extra.extend(hcl_block(f'resource "aws_sqs_queue" "{fname}"', queue))
                mapping += [("event_source_arn", Expr(f"aws_sqs_queue.{fname}.arn")), ("function_name", arn), ("batch_size", rng.choice([1, 5, 10, 10, 25, 100]))]
                if rng.random() < 0.3:
                    mapping.append(("maximum_batching_window_in_seconds", rng.choice([1, 5, 20])))
            else:
                if kind == "kinesis":
                    extra.extend(hcl_block(f'resource "aws_kinesis_stream" "{fname}"', [("name", f"${{local.service}}-{fname}"), ("shard_count", rng.choice([1, 2, 4]))]))
                    source = Expr(f"aws_kinesis_stream.{fname}.arn")
                else:
                    extra.extend(hcl_block(f'resource "aws_dynamodb_table" "{fname}"', [
                        ("name", f"${{local.service}}-{fname}"), ("billing_mode", "PAY_PER_REQUEST"), ("hash_key", "id"),
                        ("stream_enabled", True), ("stream_view_type", "NEW_IMAGE"), ("+attribute", [("name", "id"), ("type", "S")])]))
                    source = Expr(f"aws_dynamodb_table.{fname}.stream_arn")
                mapping += [("event_source_arn", source), ("function_name", arn), ("starting_position", rng.choice(["LATEST", "TRIM_HORIZON"])),
                            ("batch_size", rng.choice([1, 5, 10, 10, 25, 100]))]
                if rng.random() < 0.6:
                    mapping.append(("maximum_retry_attempts", rng.choice([2, 3, 5])))
                if rng.random() < 0.4:
                    mapping.append(("bisect_batch_on_function_error", True))
                if rng.random() < 0.55:
                    mapping.append(("+destination_config", [("+on_failure", [("destination_arn", dlq("failures"))])]))
            if report:
                mapping.append(("function_response_types", ["ReportBatchItemFailures"]))
            extra.extend(hcl_block(f'resource "aws_lambda_event_source_mapping" "{fname}"', mapping))
        elif kind in ASYNC_KINDS:
            if kind == "s3":
                extra.extend(hcl_block(f'resource "aws_s3_bucket" "{fname}"', [("bucket_prefix", f"{name}-{fname}-")]))
                permission("s3.amazonaws.com", Expr(f"aws_s3_bucket.{fname}.arn"))
                extra.extend(hcl_block(f'resource "aws_s3_bucket_notification" "{fname}"', [
                    ("bucket", Expr(f"aws_s3_bucket.{fname}.id")),
                    ("+lambda_function", [("lambda_function_arn", arn), ("events", ["s3:ObjectCreated:*"])]),
                    ("depends_on", [Expr(f"aws_lambda_permission.{fname}_s3")])]))
            elif kind == "sns":
                extra.extend(hcl_block(f'resource "aws_sns_topic" "{fname}"', [("name", f"${{local.service}}-{fname}")]))
                extra.extend(hcl_block(f'resource "aws_sns_topic_subscription" "{fname}"', [
                    ("topic_arn", Expr(f"aws_sns_topic.{fname}.arn")), ("protocol", "lambda"), ("endpoint", arn)]))
                permission("sns.amazonaws.com", Expr(f"aws_sns_topic.{fname}.arn"))
            elif rng.random() < 0.25:
                extra.extend(hcl_block(f'resource "aws_scheduler_schedule" "{fname}"', [
                    ("name", f"${{local.service}}-{fname}"), ("schedule_expression", rng.choice(["rate(5 minutes)", "rate(1 hour)"])),
                    ("+flexible_time_window", [("mode", "OFF")]),
                    ("+target", [("arn", arn), ("role_arn", Expr(f"aws_iam_role.{fname}.arn"))])]))
            else:
                extra.extend(hcl_block(f'resource "aws_cloudwatch_event_rule" "{fname}"', [
                    ("name", f"${{local.service}}-{fname}"), ("schedule_expression", rng.choice(["rate(5 minutes)", "rate(1 hour)", "cron(0 3 * * ? *)"]))]))
                extra.extend(hcl_block(f'resource "aws_cloudwatch_event_target" "{fname}"', [
                    ("rule", Expr(f"aws_cloudwatch_event_rule.{fname}.name")), ("arn", arn)]))
                permission("events.amazonaws.com", Expr(f"aws_cloudwatch_event_rule.{fname}.arn"))
            roll = rng.random()
            if roll < 0.5:
                extra.extend(hcl_block(f'resource "aws_lambda_function_event_invoke_config" "{fname}"', [
                    ("function_name", Expr(f"aws_lambda_function.{fname}.function_name")), ("maximum_retry_attempts", rng.choice([0, 1, 2])),
                    ("+destination_config", [("+on_failure", [("destination", dlq("failures"))])])]))
            elif roll < 0.65:
                extra.extend(hcl_block(f'resource "aws_lambda_function_event_invoke_config" "{fname}"', [
                    ("function_name", Expr(f"aws_lambda_function.{fname}.function_name")), ("maximum_retry_attempts", 0)]))
            elif roll < 0.75:
                fn_items.append(("+dead_letter_config", [("target_arn", dlq("dead_letters"))]))
        else:  # api
            if not api_made:
                api_made = True
                main += hcl_block('resource "aws_apigatewayv2_api" "http"', [("name", "${local.service}-api"), ("protocol_type", "HTTP")])
                main += hcl_block('resource "aws_apigatewayv2_stage" "default"', [
                    ("api_id", Expr("aws_apigatewayv2_api.http.id")), ("name", "$default"), ("auto_deploy", True)])
            extra.extend(hcl_block(f'resource "aws_apigatewayv2_integration" "{fname}"', [
                ("api_id", Expr("aws_apigatewayv2_api.http.id")), ("integration_type", "AWS_PROXY"),
                ("integration_uri", Expr(f"aws_lambda_function.{fname}.invoke_arn")), ("payload_format_version", "2.0")]))
            extra.extend(hcl_block(f'resource "aws_apigatewayv2_route" "{fname}"', [
                ("api_id", Expr("aws_apigatewayv2_api.http.id")),
                ("route_key", f"{rng.choice(['GET', 'POST', 'PUT'])} /{fn.spec.domain}s/{{id}}"),
                ("target", Expr(f'"integrations/${{aws_apigatewayv2_integration.{fname}.id}}"'))]))
            permission("apigateway.amazonaws.com", Expr('"${aws_apigatewayv2_api.http.execution_arn}/*/*"'))
        fn_items.append(("tags", Expr("local.tags")))
        main += hcl_block(f'resource "aws_lambda_function" "{fname}"', fn_items)
        main += hcl_block(f'resource "aws_cloudwatch_log_group" "{fname}"', [
            ("name", Expr(f'"/aws/lambda/${{aws_lambda_function.{fname}.function_name}}"')), ("retention_in_days", rng.choice([7, 14, 30, 365]))])
        main += extra
        outputs += hcl_block(f'output "{fname}_arn"', [("value", arn), ("description", f"{fn.logical_id} ARN")])
    files = {"main.tf": "\n".join(main).rstrip() + "\n"}
    variables = hcl_block('variable "region"', [("type", Expr("string")), ("default", "us-east-1")])
    variables += hcl_block('variable "stage"', [("type", Expr("string")), ("default", rng.choice(["dev", "prod"])), ("description", "Deployment stage")])
    files["variables.tf"] = "\n".join(variables).rstrip() + "\n"
    if outputs and rng.random() < 0.5:
        files["outputs.tf"] = "\n".join(outputs).rstrip() + "\n"
    else:
        files["main.tf"] += "\n" + "\n".join(outputs).rstrip() + "\n"
    return files


# --------------------------------------------------------------------------- the corpus


def _check_library(path: str, text: str) -> None:
    hit = _RULE_TOKEN_RE.search(text)
    if hit:
        raise AssertionError(f"generator bug: library module {path} mentions {hit.group(0)!r}")


def terraform_folder(out: Path) -> Path:
    """Where the Terraform projects go: beside the corpus (`corpus` -> `corpus-terraform`), so
    that the corpus's own cases (`lintkit check .`) measure what they measured before."""
    return out.with_name(out.name + "-terraform")


def _replace_folder(folder: Path) -> None:
    """Empty `folder` for writing: only if it is empty or a corpus generated before."""
    if folder.exists():
        if any(folder.iterdir()) and not (folder / MANIFEST).is_file():
            raise SystemExit(f"{folder} exists and is not a generated corpus (no {MANIFEST}); choose another --out")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def _write_pyproject(folder: Path, name: str) -> None:
    # An empty [tool.lintkit] table: lintkit runs with its defaults and looks no further up for
    # a configuration (the corpus may sit inside another project).
    (folder / "pyproject.toml").write_text(
        f'[project]\nname = "{name}"\nversion = "0.0.0"\n\n[tool.lintkit]\n', encoding="utf-8"
    )


def generate_terraform(out: Path, services: list[ServicePlan], written: dict[str, str], seed: int) -> dict:
    """The Terraform corpus: one root per planned service (`<name>/main.tf`, `variables.tf`,
    maybe `outputs.tf`) with the same handler files as its SAM stack, so that the Terraform
    case and the SAM case link the same code and differ in the templates only. Its own random
    stream: the SAM corpus is the same bytes with or without it."""
    rng = random.Random(f"{seed}-terraform")
    files: dict[str, str] = {}
    for service in services:
        for name, text in build_terraform(rng, service).items():
            files[f"{service.name}/{name}"] = text
        for fn in service.functions:
            files[f"{service.name}/{fn.file}"] = written[f"services/{service.name}/{fn.file}"]
    _replace_folder(out)
    _write_pyproject(out, "bench-terraform-corpus")
    for path in sorted(files):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(files[path], encoding="utf-8")
    tf_files = sorted(p for p in files if p.endswith(".tf"))
    manifest = {
        "seed": seed,
        "roots": len(services),
        "tf_files": tf_files,
        "tf_bytes": sum(len(files[p].encode()) for p in tf_files),
        "tf_lines": sum(files[p].count("\n") for p in tf_files),
        "functions": sum(len(s.functions) for s in services),
        "python_files": sum(1 for p in files if p.endswith(".py")),
    }
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def generate(out: Path, files: int, templates: int, seed: int, terraform: bool = True) -> dict:
    rng = random.Random(seed)
    lone = max(1, files // 400)
    n_handlers = max(0, files // 2 - lone)
    services = plan_services(rng, templates, n_handlers)
    written: dict[str, str] = {}

    for service in services:
        root = f"services/{service.name}"
        for fn in service.functions:
            written[f"{root}/{fn.file}"] = handler_module(rng, fn.spec, fn.variant)
        written[f"{root}/{service.template_name}"] = render_template(build_template(rng, service), service.fmt)

    for number in range(lone):
        kind = rng.choice(["sqs", "s3", "api", "schedule"])
        domain = rng.choice(DOMAINS)
        spec = HandlerSpec(kind, domain, "handler", False, choose_features(rng, kind))
        written[f"scripts/{domain}_{kind}_oneoff{number}.py"] = handler_module(rng, spec, choose_variant(rng, kind))

    n_python = sum(1 for p in written if p.endswith(".py"))
    packages = ["core", "textkit", "numbers", "models", "formatting", "parsing", "geo", "money", "timeutil", "collections_ext", "reporting", "catalog_model", "pricing_model", "units", "validation"]
    remaining = max(0, files - n_python)
    library: list[str] = []
    index = 0
    while len(library) < remaining:
        package = packages[index % len(packages)]
        stem = f"{rng.choice(DOMAINS)}_{rng.choice(['types', 'utils', 'math', 'text', 'model', 'format', 'tables', 'rules', 'stats'])}"
        if f"libs/{package}/{stem}.py" in written:
            stem = f"{stem}{index}"
        path = f"libs/{package}/{stem}.py"
        written[path] = library_module(rng, package, stem)
        library.append(path)
        index += 1
    for path in library:
        _check_library(path, written[path])

    # Write: the folder is replaced only if it is empty or a corpus generated before.
    _replace_folder(out)
    _write_pyproject(out, "bench-corpus")
    for path in sorted(written):
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(written[path], encoding="utf-8")

    python_files = sorted(p for p in written if p.endswith(".py"))
    template_files = sorted(p for p in written if not p.endswith(".py"))
    for path in python_files:  # a corpus that does not parse would measure LK001, not lintkit
        ast.parse(written[path], filename=path)
    lines = sum(written[p].count("\n") for p in python_files)
    template_lines = sum(written[p].count("\n") for p in template_files)
    template_bytes = sum(len(written[p].encode()) for p in template_files)
    # The pre-commit example: a handler of a typical stack (template.yaml, SAM with Globals,
    # several functions sharing src/), else of any stack.
    def typical(service: ServicePlan) -> bool:
        return service.template_name == "template.yaml" and service.style == "sam-globals" and service.layout == "shared" and len(service.functions) >= 3

    precommit = None
    for service in sorted(services, key=lambda s: (not typical(s), s.name)):
        fn = next((f for f in service.functions if not f.missing), None)
        if fn is not None:
            precommit = {"handler": f"services/{service.name}/{fn.file}", "template": f"services/{service.name}/{service.template_name}"}
            break
    manifest = {
        "seed": seed,
        "requested": {"files": files, "templates": templates},
        "python_files": len(python_files),
        "python_lines": lines,
        "handler_files": n_handlers + lone,
        "library_files": len(library),
        "templates": len(template_files),
        "template_lines": template_lines,
        "template_bytes": template_bytes,
        "functions": sum(len(s.functions) for s in services),
        "template_styles": {style: sum(1 for s in services if s.style == style) for style in ("sam-globals", "sam", "cfn")},
        "json_templates": sum(1 for s in services if s.fmt == "json"),
        "precommit": {
            "handler": precommit["handler"] if precommit else None,
            "template": precommit["template"] if precommit else None,
            "lone_handler": next((p for p in python_files if p.startswith("scripts/")), None),
        },
        "python": python_files,
        "template_paths": template_files,
    }
    if terraform:
        tf_out = terraform_folder(out)
        tf = generate_terraform(tf_out, services, written, seed)
        manifest["terraform"] = {"folder": tf_out.name, **{k: v for k, v in tf.items() if k != "tf_files"}}
    (out / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2000, help="Python files (about half Lambda code, half library code); default 2000")
    parser.add_argument("--templates", type=int, default=300, help="SAM/CloudFormation templates; default 300")
    parser.add_argument("--seed", type=int, default=6, help="random seed; default 6")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output folder (replaced); default {DEFAULT_OUT}")
    parser.add_argument("--no-terraform", action="store_true", help="do not write the Terraform projects (OUT-terraform, beside OUT)")
    args = parser.parse_args(argv)
    if args.files < 2 or args.templates < 1:
        parser.error("need at least 2 files and 1 template")
    manifest = generate(args.out, args.files, args.templates, args.seed, terraform=not args.no_terraform)
    print(f"corpus: {args.out}")
    print(f"  python files: {manifest['python_files']} ({manifest['handler_files']} Lambda, {manifest['library_files']} library), {manifest['python_lines']} lines")
    styles = manifest["template_styles"]
    print(f"  templates:    {manifest['templates']} ({styles['sam-globals']} SAM with Globals, {styles['sam']} SAM, {styles['cfn']} plain CloudFormation; {manifest['json_templates']} JSON), {manifest['template_lines']} lines, {manifest['functions']} functions")
    if "terraform" in manifest:
        tf = manifest["terraform"]
        print(f"  terraform:    {tf['roots']} roots in {args.out.with_name(tf['folder'])} ({tf['tf_lines']} lines of .tf, {tf['tf_bytes'] // 1024} KiB), {tf['functions']} functions, the same {tf['python_files']} handler files")
    print(f"  pre-commit:   {manifest['precommit']['handler']} + {manifest['precommit']['template']}; lone: {manifest['precommit']['lone_handler']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
