"""LK0xx: problems with the input itself, before any AWS rule can judge it."""

from __future__ import annotations

from lintkit.findings import Severity
from lintkit.project import Project
from lintkit.rule import Example, ProjectRule, Rule, TemplateRule
from lintkit.templates.model import Template

ARCHIVE_SUFFIXES = frozenset({".zip", ".jar"})
SAM_HANDLER_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html"


class ParseError(Rule):
    """
    ## What it does
    Reports a Python file or template that lintkit cannot parse, with the parser's own message
    and position. The run goes on with every other file. Python code that parses but that
    CPython's compiler still refuses is reported too, with CPython's message: `return` or
    `yield` outside a function, `await`, `async with` or `async for` outside an `async def`,
    `break` or `continue` outside a loop, `nonlocal` at module level.

    ## Why is this bad?
    A template that does not parse will not deploy, and a handler that does not parse fails
    on its first invocation (`Runtime.UserCodeSyntaxError`). It also means no other rule could
    look at the file, so its real problems stay hidden until this one is fixed.

    ## Example
    ```yaml
    Resources:
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
         Runtime: python3.12   # wrong indentation
    ```

    Use instead:
    ```yaml
    Resources:
      Worker:
        Type: AWS::Serverless::Function
        Properties:
          Handler: app.handler
          Runtime: python3.12
    ```

    ## Known problems
    Python files are parsed by the Python that runs lintkit (CPython's own parser, which never
    executes the code). A file in newer syntax than that Python (a 3.12 f-string reusing its
    quotes, a `type` statement, a 3.14 `except A, B:`) is not reported: a note names the line,
    the Python it needs and its function's runtime, and says its code was not analysed (run
    lintkit with that Python to check it). It is reported when a template links it to a
    function whose `Runtime` is older than that syntax. The compiler's checks are not made
    inside comprehensions and annotations, nor for an `await` in a lambda.
    """

    code = "LK001"
    name = "parse-error"
    summary = "A Python file or template could not be parsed."
    severity = Severity.ERROR
    INVALID = (
        Example(python="def handler(event, context):\n    return {}\n\nreturn handler\n", line=4),
        Example(python="def handler(event, context):\n    for record in event['Records']:\n        pass\n    else:\n        break\n", line=5),
        Example(python="import asyncio\n\nasync def fetch():\n    return 1\n\ndef handler(event, context):\n    return await fetch()\n", line=7),
        Example(python="def handler(event, context):\n    return {}\n\nnonlocal handler\n", line=4),
    )
    VALID = (
        Example(python="def handler(event, context):\n    while True:\n        try:\n            return 1\n        finally:\n            continue\n"),
        Example(python="async def fetch(pages):\n    return [await page.read() async for page in pages]\n"),
        Example(python="def pages():\n    yield from range(3)\n\nhandler = lambda event, context: (yield)\n"),
        # newer syntax than the Python running lintkit is a note, not a parse error
        Example(python="type Payload = dict[str, str]\n\ndef handler[T](event: T, context) -> T:\n    return event\n"),
    )


# `Handler: run.sh`: the last dotted part is a file suffix, not a function name
_SCRIPT_SUFFIXES = frozenset({"sh", "bash", "py", "js", "mjs", "cjs", "ts", "rb", "bin", "exe"})


class HandlerNotFound(ProjectRule):
    """
    ## What it does
    Checks that the `Handler` of a Python function resolves to a module and a top-level
    function under the function's code location (SAM `CodeUri`, or a packaged CloudFormation
    `Code` path). Both styles are understood: `CodeUri: src/` with `Handler: app.handler`, and
    `Handler: src/app.handler` (or dotted, `src.app.handler`).

    ## Why is this bad?
    A handler that does not resolve deploys without complaint and then fails every invocation
    with `Runtime.ImportModuleError` or `Runtime.HandlerNotFound`: for an asynchronous or
    queue trigger, every event is retried and then lost.

    ## Example
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        CodeUri: src/
        Handler: app.lambda_handler   # src/app.py defines `handler`
        Runtime: python3.12
    ```

    Use instead:
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        CodeUri: src/
        Handler: app.handler
        Runtime: python3.12
    ```

    ## Known problems
    Only local code locations are checked: S3 locations, inline code (`InlineCode` wins over
    `CodeUri` in SAM) and container images (`PackageType: Image`) are skipped, and so are
    functions whose runtime is not Python (`provided.al2023` takes any handler; or the runtime
    is not written literally and no Python module matches). With `AWS_LAMBDA_EXEC_WRAPPER` or
    the Lambda Web Adapter layer, the handler may be a start script
    (<https://github.com/awslabs/aws-lambda-web-adapter>): it is reported only when a Python
    module it names exists and lacks the function. A handler defined by a wildcard import
    (`from x import *`) is taken on trust.
    """

    code = "LK002"
    name = "handler-not-found"
    summary = "A function's Handler does not resolve to a module and function under its code location."
    severity = Severity.ERROR
    references = (SAM_HANDLER_DOCS,)
    _TEMPLATE = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              CodeUri: .
              Handler: {handler}
              Runtime: python3.12
        """
    INVALID = (
        Example(python="def lambda_handler(event, context):\n    return None\n", template=_TEMPLATE.format(handler="app.handler"), line=7, file="template.yaml"),
        Example(python="def handler(event, context):\n    return None\n", template=_TEMPLATE.format(handler="missing.handler"), line=7, file="template.yaml"),
        Example(python="def handler(event, context):\n    return None\n", template=_TEMPLATE.format(handler="handler"), line=7, file="template.yaml"),
        Example(python="def handler(event, context):\n    return None\n", template=_TEMPLATE.format(handler="run.sh"), line=7, file="template.yaml"),
    )
    _WORKER = (
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Worker:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      CodeUri: .\n      Handler: {handler}\n{extra}"
    )
    _WEB_ADAPTER = _WORKER.format(
        handler="run.sh",
        extra="      Runtime: python3.12\n      Layers:\n"
        "        - !Sub arn:aws:lambda:${AWS::Region}:753240598075:layer:LambdaAdapterLayerX86:25\n"
        "      Environment:\n        Variables:\n          AWS_LAMBDA_EXEC_WRAPPER: /opt/bootstrap\n",
    )
    VALID = (
        Example(python="def handler(event, context):\n    return None\n", template=_TEMPLATE.format(handler="app.handler")),
        # the Lambda Web Adapter runs the start script; InlineCode wins over CodeUri; images and
        # OS-only runtimes have no Python handler
        Example(python="import uvicorn\n", template=_WEB_ADAPTER),
        Example(
            python="import os\n",
            template=_WORKER.format(handler="index.handler", extra="      Runtime: python3.12\n      InlineCode: |\n        def handler(event, context): pass\n"),
        ),
        Example(python="import os\n", template=_WORKER.format(handler="app.handler", extra="      PackageType: Image\n      ImageUri: repo/app:1\n")),
        Example(python="import os\n", template=_WORKER.format(handler="bootstrap", extra="      Runtime: provided.al2023\n")),
        Example(python="from impl import handler\n", template=_TEMPLATE.format(handler="app.handler")),
        Example(template=_TEMPLATE.format(handler="index.handler").replace("python3.12", "nodejs20.x")),
    )

    def check(self, project: Project) -> None:
        for function, link in project.links.items():
            where = function.location("Handler")
            if link.problem is not None:
                self.emit(function.location(link.problem_property), f"{function.logical_id}: {link.problem}")
                continue
            target = link.target
            assert target is not None
            if link.module_file is None:
                if function.is_python is not True or function.code_uri is None:
                    # not known to be Python, or no code location written down (the module may
                    # come from a build step): no evidence that the handler is missing
                    continue
                code_dir = function.code_dir
                if code_dir is not None and not code_dir.exists():
                    if code_dir.suffix.lower() in ARCHIVE_SUFFIXES:
                        continue  # a package a build step makes: nothing to look into yet
                    self.emit(
                        function.location("CodeUri" if function.is_sam else "Code"),
                        f"{function.logical_id}: code location {function.code_uri!r} does not exist",
                    )
                    continue
                if code_dir is not None and code_dir.is_file():
                    continue  # a zip or other archive: nothing to look into
                if (code_dir / target.handler).is_file() or target.function_name in _SCRIPT_SUFFIXES:
                    self.emit(
                        where,
                        f"{function.logical_id}: Handler {target.handler!r} is a file name, not 'module.function' "
                        f"(the Python runtime would import a module {target.module_name!r} and call its "
                        f"{target.function_name!r}); name the handler function (e.g. '{target.module_name}.handler'), "
                        f"or, if it is a start script, run it through AWS_LAMBDA_EXEC_WRAPPER (the Lambda Web Adapter)",
                    )
                    continue
                tried = " or ".join(repr(c.relative_to(target.code_dir).as_posix()) for c in target.candidates[:2])
                self.emit(
                    where,
                    f"{function.logical_id}: Handler {target.handler!r} names module {target.module_name!r}, "
                    f"but there is no {tried} under {function.code_label}",
                )
                continue
            if link.module_file in project.unparsable:
                continue  # LK001 already says why
            module = project.modules.get(link.module_file)
            if module is None:
                continue
            if "import *" in module.text:
                continue
            if target.function_name not in module.top_level_names() and not function.handler_may_be_start_script:
                self.emit(
                    where,
                    f"{function.logical_id}: Handler {target.handler!r}: {module.path} defines no top-level "
                    f"{target.function_name!r}",
                )


class UnknownSuppression(Rule):
    """
    ## What it does
    Reports a suppression comment (`# noqa: LK...` or `# lintkit: ignore[...]`) that names a
    rule code lintkit does not have.

    ## Why is this bad?
    A mistyped code (`LK5O1`, `LK051`) silences nothing, so the finding it was meant to
    silence is still reported, or, worse, the comment outlives the rule it named and nobody
    notices the suppression no longer means anything.

    ## Example
    ```python
    for record in event["Records"]:  # noqa: LK5O4
        ...
    ```

    Use instead:
    ```python
    for record in event["Records"]:  # noqa: LK504
        ...
    ```
    """

    code = "LK003"
    name = "unknown-suppression-code"
    summary = "A suppression comment names a rule code that does not exist."
    severity = Severity.WARNING


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a suppression comment (`# noqa: LK504`, `# lintkit: ignore[LK504]`, or a bare
    `# lintkit: ignore`) that silenced no finding in this run, in Python files, YAML and JSON
    templates and Terraform files alike, like ruff's `RUF100` (unused `noqa`). Each unused code
    of a comment is reported at that code; other tools' codes in a shared `# noqa:` comment
    (`E501`) are not lintkit's business and are never reported.

    ## Why is this bad?
    A suppression outlives the problem it was written for: the code was fixed, the finding
    moved to another line, or the rule became more precise. The stale comment then hides the
    next real finding of that rule on that line, and tells readers that something is wrong
    where nothing is.

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:  # noqa: LK504
            process(record)
    ```

    Use instead:
    ```python
    def handler(event, context):
        for record in event["Records"]:
            process(record)
    ```

    ## Known problems
    A comment is reported only when lintkit can tell that the rule it names looked at
    everything it could report there, in this run; otherwise it stays silent:

    - the rule must be enabled (a `--select` of some rules says nothing of the others), and
      not dropped for the file by `per-file-ignores`;
    - code rules run on code that runs in Lambda (and on modules a template links): a
      suppression in a test or a script is not reported, unless `--all-code` is given;
    - rules that join a template with its handlers (LK5xx batch rules, LK002, ...) count only
      in a template whose every function is linked to a handler module that parses, and in
      such a module, and never when only some files are checked (pre-commit, editors, flake8),
      since the other half of the join may not have been read; the same holds for code rules
      that need the template;
    - a bare `# lintkit: ignore` silences every rule, so it is reported only when every rule
      that can report in that kind of file ran there in full;
    - nothing is reported in a file that does not parse, nor in a run where a rule crashed.

    Suppressions in a template's `Metadata` are not checked. To silence this rule on one
    line, name it in the comment (`# noqa: LK504, LK005`); a bare `# lintkit: ignore` does not
    silence it. Turn it off with `ignore = ["LK005"]`.

    ## Fix safety
    The fix takes the unused code out of the comment, with its comma: `# noqa: E501, LK504`
    becomes `# noqa: E501` (other tools' codes stay). A comment that names only that code (or
    a bare `# lintkit: ignore`) is removed, with the blanks before it, and a line that held
    nothing but the comment is removed. It is **safe**: the comment silenced nothing in a run
    where its rule looked at everything it could report there, so removing it changes no
    finding. Several unused codes of one comment are removed one per pass of `--fix`.
    """

    code = "LK005"
    name = "unused-suppression"
    summary = "A suppression comment silenced no finding of the rule it names."
    severity = Severity.WARNING
    fixable = True


class DuplicateKey(TemplateRule):
    """
    ## What it does
    Reports a key written twice in the same mapping of a template (two `Timeout`s on one
    function, two resources with the same logical id).

    ## Why is this bad?
    Only one of the two values can take effect, and which one is up to the parser: lintkit
    (like most YAML tools) keeps the later one, so the earlier one is silently ignored. It is
    almost always a merge or copy-paste mistake, and the setting someone believes is deployed
    may not be (cfn-lint reports it too, as E0000).

    ## Example
    ```yaml
    Worker:
      Type: AWS::Serverless::Function
      Properties:
        Timeout: 30
        Handler: app.handler
        Timeout: 900
    ```

    Use instead: one `Timeout`, with the value you mean.
    """

    code = "LK004"
    name = "duplicate-key"
    summary = "A key appears twice in the same mapping of a template; one value is silently ignored."
    severity = Severity.ERROR
    INVALID = (
        Example(
            template="""
            Resources:
              Queue:
                Type: AWS::SQS::Queue
                Properties:
                  VisibilityTimeout: 30
                  VisibilityTimeout: 60
            """,
            line=6,
        ),
    )
    VALID = (Example(template="Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      VisibilityTimeout: 60\n"),)

    def check(self, template: Template) -> None:
        for key, mark in template.duplicate_keys:
            self.emit(
                template.location(mark),
                f"key {key!r} is already defined in this mapping: only the later value is used, the earlier one is "
                f"silently ignored",
            )
