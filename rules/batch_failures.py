"""LK5xx: batches and partial batch failures (SQS, Kinesis and DynamoDB event source mappings).

Facts: [§3.4](../lambda-facts.md#s3-4) (streams), [§3.5](../lambda-facts.md#s3-5) (SQS), [§4](../lambda-facts.md#s4) (partial batch responses)."""

from __future__ import annotations

import ast

from lintkit.findings import Applicability, Fix, Location, RelatedLocation, Severity
from lintkit.fixes import codemod, python_fix
from lintkit.project import Project
from lintkit.python.batch import BatchHandlerFacts, Evidence, analyze_batch_handler, evidence_location
from lintkit.python.module import PythonModule
from lintkit.python.nodes import FunctionNode, access_path, assignments, dict_items, handler_swallows, is_broad_handler
from lintkit.rule import CodeRule, Example, ProjectRule, TemplateRule
from lintkit.templates.model import (
    EventSourceMapping,
    FromParameter,
    Function,
    Template,
    PlannedEdit,
    literal_int,
    template_fix,
    value_origin,
)

SQS_BATCH_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html"
KINESIS_BATCH_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html"
DYNAMODB_BATCH_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-ddb-batchfailurereporting.html"
RETRIES_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html"
ESM_DOCS = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html"
SQS_CONFIG_DOCS = "https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html"
POWERTOOLS_BATCH_DOCS = "https://docs.powertools.aws.dev/lambda/python/latest/utilities/batch/"

SOURCE_NAMES = {"sqs": "SQS", "kinesis": "Kinesis", "dynamodb": "DynamoDB", "stream": "stream"}
ITEM_IDENTIFIER = {"sqs": "messageId", "kinesis": "kinesis.sequenceNumber", "dynamodb": "dynamodb.SequenceNumber"}
PARTIAL_SOURCES = ("sqs", "kinesis", "dynamodb", "stream")
# LK506's fix: the retries it sets on a stream mapping (the rule's own example)
FIX_RETRY_ATTEMPTS = 5

# The template every example below deploys its handler with; `{events}` is the mapping.
_SQS_TEMPLATE = """
Transform: AWS::Serverless-2016-10-31
Resources:
  Queue:
    Type: AWS::SQS::Queue
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: .
      Handler: app.handler
      Runtime: python3.12
      Events:
        Messages:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
{extra}"""


def sqs_template(extra: str = "") -> str:
    return _SQS_TEMPLATE.format(extra=extra)


def _handler_facts(project: Project, function: Function) -> tuple[PythonModule, FunctionNode, BatchHandlerFacts] | None:
    found = project.handler(function)
    if found is None:
        return None
    module, definition = found
    facts = project.memo(("batch", id(definition)), lambda: analyze_batch_handler(module, definition))
    return module, definition, facts


def _enable_partial_responses(mapping: EventSourceMapping) -> PlannedEdit | None:
    """The template edit that adds `FunctionResponseTypes: [ReportBatchItemFailures]` to the
    mapping (SAM event or resource); none when the key is there already (a list without the
    value, an expression), or the template cannot be edited there."""
    if "FunctionResponseTypes" in mapping.properties:
        return None
    return mapping.plan_properties({"FunctionResponseTypes": ["ReportBatchItemFailures"]})


def _source(mapping: EventSourceMapping) -> str:
    return SOURCE_NAMES.get(mapping.source or "", "event source")


def _batch_mappings(project: Project):
    for template in project.templates:
        for mapping in template.event_source_mappings:
            if mapping.source in PARTIAL_SOURCES:
                yield mapping


def _mappings_with_handlers(project: Project):
    """(mapping, module, handler def, what the handler does with a batch) for every batch
    mapping whose function's handler code lintkit has."""
    for mapping in _batch_mappings(project):
        found = _handler_facts(project, mapping.function)
        if found is not None:
            yield (mapping, *found)


class BatchWithoutPartialFailureReporting(ProjectRule):
    """
    ## What it does
    Finds SQS, Kinesis and DynamoDB event source mappings that deliver batches of more than one
    record (the defaults are 10 for SQS and 100 for streams) without
    `FunctionResponseTypes: [ReportBatchItemFailures]`.

    ## Why is this bad?
    Without partial batch responses, one failing record fails the whole batch: every message
    of an SQS batch comes back after the visibility timeout (and is processed again), and a
    stream shard retries the whole batch, blocking behind the poison record. With the setting
    on, the handler returns `{"batchItemFailures": [{"itemIdentifier": ...}]}` and only those
    records are retried ([§4](../lambda-facts.md#s4), [§3.5](../lambda-facts.md#s3-5)).

    ## Example
    ```yaml
    Events:
      Messages:
        Type: SQS
        Properties:
          Queue: !GetAtt Queue.Arn
          BatchSize: 10
    ```

    Use instead:
    ```yaml
    Events:
      Messages:
        Type: SQS
        Properties:
          Queue: !GetAtt Queue.Arn
          BatchSize: 10
          FunctionResponseTypes:
            - ReportBatchItemFailures
    ```
    and return the failed records' ids from the handler (Powertools' `process_partial_response`
    does both the bookkeeping and the response).

    ## Known problems
    A mapping with `BatchSize: 1` is never reported. When the handler already returns
    `batchItemFailures`, LK502 reports the mapping instead (the response is being ignored).
    An SQS mapping whose function is in another stack is reported on the mapping alone (its
    handler is not seen); stream mappings of such functions are not.

    ## Fix safety
    The fix is **display-only**: it shows the template edit (`FunctionResponseTypes:
    [ReportBatchItemFailures]` added to the event or mapping) and says what the handler must
    return, but is never applied. Turning the setting on alone would make things worse: a
    handler that does not return `batchItemFailures` then reports every batch as fully
    processed, even one whose records it caught errors for. The handler's change (catch each
    record's error, collect its id, return the failures) is not mechanical, so lintkit shows
    it instead of writing it.
    """

    code = "LK501"
    name = "batch-without-partial-failure-reporting"
    summary = "A batch event source mapping (batch size > 1) without ReportBatchItemFailures."
    severity = Severity.WARNING
    references = (SQS_BATCH_DOCS, KINESIS_BATCH_DOCS, DYNAMODB_BATCH_DOCS)
    _FOREIGN = (
        "Resources:\n  Jobs:\n    Type: AWS::SQS::Queue\n  JobsMapping:\n    Type: AWS::Lambda::EventSourceMapping\n"
        "    Properties:\n      FunctionName: arn:aws:lambda:eu-west-1:123456789012:function:jobs-worker\n"
        "      EventSourceArn: !GetAtt Jobs.Arn\n{extra}"
    )
    VALID = (
        Example(template=sqs_template("            BatchSize: 1\n")),
        Example(template=_FOREIGN.format(extra="      BatchSize: 1\n")),
        Example(template=sqs_template("            FunctionResponseTypes: [ReportBatchItemFailures]\n")),
    )
    fixable = True
    INVALID = (
        Example(template=sqs_template(), line=12, fix="display-only"),
        Example(template=_FOREIGN.format(extra=""), line=4, fix="display-only"),
    )

    def check(self, project: Project) -> None:
        # an SQS mapping of a function in another stack carries the setting itself
        external = [m for t in project.templates for m in t.external_event_source_mappings if m.source == "sqs"]
        for mapping in [*_batch_mappings(project), *external]:
            size = mapping.batch_size
            if size is None or size <= 1 or mapping.reports_batch_item_failures is not False:
                continue
            facts = _handler_facts(project, mapping.function) if mapping.function is not None else None
            if facts is not None and facts[2].partial_response is Evidence.YES:
                continue  # LK502: the handler already reports failures that are ignored
            default = value_origin(size) if "BatchSize" in mapping.properties else " (the default)"
            self.emit(
                mapping.location(),
                f"{mapping.describe} delivers {_source(mapping)} batches of up to {size}{default} without "
                f"ReportBatchItemFailures: one failing record retries the whole batch; add "
                f"FunctionResponseTypes: [ReportBatchItemFailures] and return batchItemFailures",
                fix=template_fix(self._fix_title(mapping, facts), Applicability.DISPLAY_ONLY, _enable_partial_responses(mapping)),
            )

    @staticmethod
    def _fix_title(mapping: EventSourceMapping, facts: tuple[PythonModule, FunctionNode, BatchHandlerFacts] | None) -> str:
        """Both halves of the change: the template's setting and what the handler returns."""
        identifier = ITEM_IDENTIFIER.get(mapping.source or "")
        item = f"record[{identifier.split('.')[0]!r}][{identifier.split('.')[1]!r}]" if identifier and "." in identifier else (
            f"record[{identifier!r}]" if identifier else "<the record's id>"
        )
        if facts is not None:
            module, definition, _ = facts
            handler = f"{definition.name}() in {module.path}"
        else:
            handler = f"the handler of {mapping.function_label}"
        if mapping.function is not None and mapping.function.is_python is False:  # Node.js, Java: no Python in the advice
            field = identifier or "the record's id"
            return (
                f"Add FunctionResponseTypes: [ReportBatchItemFailures] to {mapping.describe}, and make {handler} catch "
                f"each record's error and return batchItemFailures with the itemIdentifier ({field}) of each record "
                f"that failed (the batch utility of Powertools for AWS Lambda does both)"
            )
        return (
            f"Add FunctionResponseTypes: [ReportBatchItemFailures] to {mapping.describe}, and make {handler} catch each "
            f"record's error and return {{'batchItemFailures': [{{'itemIdentifier': {item}}}, ...]}} for the records that "
            f"failed (Powertools' process_partial_response does both)"
        )


class PartialResponseIgnored(ProjectRule):
    """
    ## What it does
    Finds handlers that return a partial batch response (`batchItemFailures`, directly or
    through Powertools' `process_partial_response` / `BatchProcessor`) while the event source
    mapping that invokes them does not enable `ReportBatchItemFailures`.

    ## Why is this bad?
    Lambda reads the response only when the mapping enables the feature. Otherwise the
    invocation is a plain success: SQS deletes every message of the batch, including the ones
    the handler reported as failed, and a stream moves its checkpoint past them. The failures
    the code so carefully collects are silently lost ([§4.3](../lambda-facts.md#s4-3), item 1).

    ## Example
    ```yaml
    Events:
      Messages:
        Type: SQS
        Properties:
          Queue: !GetAtt Queue.Arn
    ```
    with a handler that ends in `return {"batchItemFailures": failures}`.

    Use instead:
    ```yaml
    Events:
      Messages:
        Type: SQS
        Properties:
          Queue: !GetAtt Queue.Arn
          FunctionResponseTypes:
            - ReportBatchItemFailures
    ```

    ## Fix safety
    The fix adds `FunctionResponseTypes: [ReportBatchItemFailures]` to the SAM event's
    `Properties` or the `AWS::Lambda::EventSourceMapping`, in the template's own style (a YAML
    block or flow mapping, or JSON). It is **safe**: the rule fires only when the handler already
    builds a partial batch response, so the setting makes Lambda do what the code intends
    (retry only the records the handler reports as failed) instead of dropping them. No fix is
    offered when `FunctionResponseTypes` is written already (a list without the value, or an
    expression), or when the template cannot be edited certainly (anchors and aliases, tabs,
    a `Properties` that is an expression, a Serverless Framework or Terraform file, a CDK
    assembly that `cdk synth` rewrites).
    """

    code = "LK502"
    name = "partial-response-ignored"
    summary = "The handler returns batchItemFailures but its mapping does not enable ReportBatchItemFailures."
    severity = Severity.ERROR
    references = (SQS_BATCH_DOCS, KINESIS_BATCH_DOCS, DYNAMODB_BATCH_DOCS)
    _HANDLER = """
        def handler(event, context):
            failures = []
            for record in event["Records"]:
                try:
                    process(record)
                except Exception:
                    failures.append({"itemIdentifier": record["messageId"]})
            return {"batchItemFailures": failures}
        """
    fixable = True
    _FLOW = (
        "Resources:\n  Queue: {Type: AWS::SQS::Queue}\n  Worker:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: .\n      Handler: app.handler\n      Runtime: python3.12\n      Events:\n"
        "        Messages: {Type: SQS, Properties: {Queue: !GetAtt Queue.Arn}}  # the orders queue\n"
    )
    _MAPPING = (
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Worker:\n    Type: AWS::Lambda::Function\n    Properties:\n"
        "      Code: .\n      Handler: app.handler\n      Runtime: python3.12\n      Role: arn:aws:iam::123456789012:role/worker\n"
        "  Mapping:\n    Type: AWS::Lambda::EventSourceMapping\n    Properties:\n      FunctionName: !Ref Worker\n"
        "      EventSourceArn: !GetAtt Queue.Arn\n      # ten messages at a time\n      BatchSize: 10\n\n  # the dead-letter queue\n"
        "  Dlq:\n    Type: AWS::SQS::Queue\n"
    )
    _JSON = """\
        {
          "Transform": "AWS::Serverless-2016-10-31",
          "Resources": {
            "Queue": {"Type": "AWS::SQS::Queue"},
            "Worker": {
              "Type": "AWS::Serverless::Function",
              "Properties": {
                "CodeUri": ".",
                "Handler": "app.handler",
                "Runtime": "python3.12",
                "Events": {
                  "Messages": {
                    "Type": "SQS",
                    "Properties": {
                      "Queue": {"Fn::GetAtt": ["Queue", "Arn"]}
                    }
                  }
                }
              }
            }
          }
        }
        """
    INVALID = (
        Example(
            python=_HANDLER,
            template=sqs_template(),
            file="template.yaml",
            line=12,
            fix="safe",
            fixed=sqs_template("            FunctionResponseTypes: [ReportBatchItemFailures]\n"),
        ),
        # a SAM event in flow style: the key goes before the closing brace, the comment stays
        Example(
            python=_HANDLER,
            template=_FLOW,
            file="template.yaml",
            line=10,
            fix="safe",
            fixed=_FLOW.replace("Queue.Arn}}", "Queue.Arn, FunctionResponseTypes: [ReportBatchItemFailures]}}"),
        ),
        # a mapping resource: after its last key, before the blank line and the next resource's comment
        Example(
            python=_HANDLER,
            template=_MAPPING,
            file="template.yaml",
            line=11,
            fix="safe",
            fixed=_MAPPING.replace("BatchSize: 10\n", "BatchSize: 10\n      FunctionResponseTypes: [ReportBatchItemFailures]\n"),
        ),
        # JSON: after the last member, at the members' indentation
        Example(
            python=_HANDLER,
            template=_JSON,
            file="template.yaml",
            line=12,
            fix="safe",
            fixed=_JSON.replace(
                '"Arn"]}\n', '"Arn"]},\n                      "FunctionResponseTypes": ["ReportBatchItemFailures"]\n'
            ),
        ),
    )
    VALID = (Example(python=_HANDLER, template=sqs_template("            FunctionResponseTypes: [ReportBatchItemFailures]\n")),)

    def check(self, project: Project) -> None:
        for mapping, module, definition, facts in _mappings_with_handlers(project):
            if mapping.reports_batch_item_failures is not False or facts.partial_response is not Evidence.YES:
                continue
            evidence = facts.partial_response_node or definition
            self.emit(
                mapping.location(),
                f"{mapping.function.logical_id} handler returns batchItemFailures but {mapping.describe} does not "
                f"enable ReportBatchItemFailures, so Lambda ignores the response and the failed records are lost; "
                f"add FunctionResponseTypes: [ReportBatchItemFailures]",
                related=[RelatedLocation(evidence_location(module, definition, evidence), "the partial batch response is built here")],
                fix=template_fix(
                    f"Add FunctionResponseTypes: [ReportBatchItemFailures] to {mapping.describe}",
                    Applicability.SAFE,
                    _enable_partial_responses(mapping),
                ),
            )


class PartialResponseNeverReturned(ProjectRule):
    """
    ## What it does
    Finds handlers whose event source mapping enables `ReportBatchItemFailures` but which never
    return `batchItemFailures`: every `return` gives `None`, a constant or a dict without that
    key, nothing in the module builds the response, and Powertools' batch utility is not used.

    ## Why is this bad?
    With the setting on, an empty or missing `batchItemFailures` means *the whole batch
    succeeded*. A handler that catches a record's exception and returns `None` or
    `{"statusCode": 200}` therefore deletes the failed messages; one that lets exceptions
    propagate retries the whole batch and gets nothing from the setting ([§4.2](../lambda-facts.md#s4-2),
    [§4.3](../lambda-facts.md#s4-3) items 2 and 3).

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            process(record)
        return {"statusCode": 200}
    ```

    Use instead:
    ```python
    def handler(event, context):
        failures = []
        for record in event["Records"]:
            try:
                process(record)
            except Exception:
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}
    ```

    The message says which case it is: a handler that catches a record's error and returns
    drops the failed records; one that re-raises (or catches nothing) loses nothing, but every
    failure retries the whole batch, so the setting buys nothing until the handler reports the
    failed records in `batchItemFailures`.

    ## Known problems
    The rule stays silent whenever the handler returns something it cannot read (a call, a
    value from another module) or wears a decorator that may replace the result. Only the
    handler's own body is read to tell whether it catches errors: a helper that catches them
    itself makes the "lets errors propagate" message wrong (the finding still stands).
    """

    code = "LK503"
    name = "partial-response-never-returned"
    summary = "The mapping enables ReportBatchItemFailures but the handler never returns batchItemFailures."
    severity = Severity.WARNING
    references = (SQS_BATCH_DOCS, KINESIS_BATCH_DOCS, DYNAMODB_BATCH_DOCS, POWERTOOLS_BATCH_DOCS)
    _ENABLED = sqs_template("            FunctionResponseTypes: [ReportBatchItemFailures]\n")
    INVALID = (
        Example(
            python="""
            def handler(event, context):
                for record in event["Records"]:
                    process(record)
                return {"statusCode": 200}
            """,
            template=_ENABLED,
            line=1,
        ),
        # re-raises: nothing is lost, but the whole batch is retried (the message says so)
        Example(
            python="""
            def handler(event, context):
                for record in event["Records"]:
                    try:
                        process(record)
                    except Exception:
                        log(record)
                        raise
            """,
            template=_ENABLED,
            line=1,
        ),
    )
    VALID = (
        Example(
            python="""
            from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

            processor = BatchProcessor(event_type=EventType.SQS)

            def handler(event, context):
                return process_partial_response(event=event, record_handler=process, processor=processor, context=context)
            """,
            template=_ENABLED,
        ),
        Example(
            python="""
            from shared import run_batch

            def handler(event, context):
                return run_batch(event)
            """,
            template=_ENABLED,
        ),
    )

    def check(self, project: Project) -> None:
        for mapping, module, definition, facts in _mappings_with_handlers(project):
            if mapping.reports_batch_item_failures is not True or facts.partial_response is not Evidence.NO:
                continue
            head = f"{definition.name}() never returns batchItemFailures, but {mapping.describe} enables ReportBatchItemFailures"
            response = "{'batchItemFailures': [{'itemIdentifier': ...}]}"
            if facts.errors == "caught":
                message = (
                    f"{head}: when it catches a record's error and returns, the empty response marks the whole batch "
                    f"as processed and the failed records are dropped; return {response} for the records that failed"
                )
            else:
                how = "re-raises every error it catches" if facts.errors == "reraises" else "lets a record's error propagate"
                message = (
                    f"{head}: it {how}, so a failing record fails the invocation and Lambda retries the whole batch; "
                    f"nothing is lost, but the setting buys nothing: to retry only the failed records, catch each "
                    f"record's error and return {response} (partial reporting needs batchItemFailures)"
                )
            self.emit(
                module.name_location(definition),
                message,
                related=[RelatedLocation(mapping.location("FunctionResponseTypes"), "ReportBatchItemFailures is enabled here")],
            )


def _is_records(expression: ast.expr) -> bool:
    path = access_path(expression)
    return path is not None and bool(path[1]) and path[1][-1] == "Records"


class RecordErrorsSwallowed(CodeRule):
    """
    ## What it does
    Finds loops over `event["Records"]` that catch every exception of a record (`except
    Exception`, a bare `except`) and then only log, `pass` or `continue`: the failure is neither
    re-raised nor recorded in `batchItemFailures`.

    ## Why is this bad?
    The invocation then succeeds, so Lambda deletes the whole batch from the queue (or moves
    the stream checkpoint past it): the records that failed are gone, with nothing but a log
    line to show for them. No retry happens and no dead-letter queue ever sees them
    ([§4.2](../lambda-facts.md#s4-2), [§4.3](../lambda-facts.md#s4-3) item 2).

    ## Example
    ```python
    def handler(event, context):
        for record in event["Records"]:
            try:
                process(record)
            except Exception:
                logger.exception("failed")
    ```

    Use instead:
    ```python
    def handler(event, context):
        failures = []
        for record in event["Records"]:
            try:
                process(record)
            except Exception:
                logger.exception("failed")
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}
    ```

    ## Known problems
    Handlers that catch a specific exception (`except ValidationError:`) to drop malformed
    messages on purpose are not reported. A handler that records the failure through a call
    lintkit cannot see into (`report(record)`) is taken at its word.
    """

    code = "LK504"
    name = "record-errors-swallowed"
    summary = "A loop over event['Records'] catches exceptions and neither re-raises nor records the failure."
    severity = Severity.WARNING
    references = (SQS_BATCH_DOCS, KINESIS_BATCH_DOCS)
    TRIGGERS = ("Records",)
    INVALID = (
        Example(
            python="""
            import logging
            logger = logging.getLogger()

            def handler(event, context):
                for record in event["Records"]:
                    try:
                        process(record)
                    except Exception:
                        logger.exception("could not process %s", record["messageId"])
            """,
            line=8,
        ),
        Example(
            python="""
            def handler(event, context):
                records = event.get("Records", [])
                for record in records:
                    try:
                        process(record)
                    except:
                        continue
            """,
            line=6,
        ),
        Example(
            python="""
            def handler(event, context):
                for record in event["Records"]:
                    try: process(record)
                    except Exception: pass
            """,
            line=4,
        ),
    )
    VALID = (
        """
        def handler(event, context):
            failures = []
            for record in event["Records"]:
                try:
                    process(record)
                except Exception:
                    failures.append({"itemIdentifier": record["messageId"]})
            return {"batchItemFailures": failures}
        """,
        """
        def handler(event, context):
            for record in event["Records"]:
                try:
                    process(record)
                except Exception:
                    logger.exception("failed")
                    raise
        """,
        """
        def handler(event, context):
            for record in event["Records"]:
                try:
                    process(record)
                except json.JSONDecodeError:
                    logger.warning("dropping malformed message")
        """,
    )

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self._scopes: list[FunctionNode] = []

    def visit_FunctionDef(self, node: FunctionNode) -> None:
        self._scopes.append(node)

    def leave_FunctionDef(self, node: FunctionNode) -> None:
        self._scopes.pop()

    def _iterates_records(self, iterable: ast.expr) -> bool:
        if _is_records(iterable):
            return True
        if isinstance(iterable, ast.Name) and self._scopes:
            bound = assignments(self._scopes[-1].body).get(iterable.id, [])
            return bool(bound) and all(_is_records(value) for value in bound)
        return False

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        if not self._iterates_records(node.iter):
            return
        for statement in node.body:
            if not isinstance(statement, ast.Try):
                continue
            for handler in statement.handlers:
                if is_broad_handler(handler) and handler_swallows(handler):
                    self.report(
                        handler,
                        "a failing record is caught and only logged: the batch still succeeds and this record is "
                        "lost; re-raise, or add its id to batchItemFailures",
                    )


# Record fields that identify a record for a partial batch response, by source.
_GOOD_PATHS = {
    ("messageId",): "sqs",
    ("message_id",): "sqs",  # Powertools data classes
    ("kinesis", "sequenceNumber"): "kinesis",
    ("kinesis", "sequence_number"): "kinesis",
    ("dynamodb", "SequenceNumber"): "dynamodb",
    ("dynamodb", "sequence_number"): "dynamodb",
}
# Fields of a record that look like an id but are not the one Lambda matches.
_WRONG_FIELDS = frozenset(
    {
        "receiptHandle", "receipt_handle", "eventID", "eventId", "event_id", "md5OfBody", "md5_of_body",
        "MessageId", "messageID", "MessageID", "eventSourceARN", "event_source_arn", "partitionKey",
        "partition_key", "sequenceNumber", "SequenceNumber",
    }
)


# Record fields only an SQS record has: an identifier taken from one of them is meant to be SQS's.
_SQS_FIELDS = frozenset({"receiptHandle", "receipt_handle", "md5OfBody", "md5_of_body", "MessageId", "messageID", "MessageID"})
# The identifier of each source, as dict keys and as Powertools data class attributes.
_IDENTIFIER_KEYS = {"sqs": ("messageId",), "kinesis": ("kinesis", "sequenceNumber"), "dynamodb": ("dynamodb", "SequenceNumber")}
_IDENTIFIER_ATTRIBUTES = {"sqs": ("message_id",), "kinesis": ("kinesis", "sequence_number"), "dynamodb": ("dynamodb", "sequence_number")}


@codemod("lk505-replace")
def _replace_identifier(text, location, arguments):
    from lintkit.python.codemods import replace_expression, rewrite

    at = Location(location.path, *arguments["at"]) if "at" in arguments else location
    return rewrite(text, lambda source: replace_expression(source, at, arguments["old"], arguments["new"]))


def _quote(code: str) -> str | None:
    """The quote a plain one-line string literal is written with (None for prefixes, triple
    quotes and anything else)."""
    if len(code) >= 2 and code[0] in "'\"" and code[-1] == code[0] and not code.startswith(code[0] * 3):
        return code[0]
    return None


def _accessor_chain(node: ast.expr, depth: int) -> list[ast.expr]:
    """The accesses of an `access_path` chain, outermost first, `depth` of them."""
    chain = []
    for _ in range(depth):
        chain.append(node)
        node = node.func.value if isinstance(node, ast.Call) else node.value  # type: ignore[attr-defined]
    return chain


def _normalise(key: str) -> str:
    return key.replace("_", "").lower()


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _misspelling_of(key: str, correct: str) -> bool:
    if key == correct:
        return False
    normal, target = _normalise(key), _normalise(correct)
    return normal == target or (abs(len(normal) - len(target)) <= 2 and _edit_distance(normal, target) <= 2)


class WrongItemIdentifier(CodeRule):
    """
    ## What it does
    Checks the partial batch response a handler builds: `itemIdentifier` must be the record's
    `messageId` (SQS), `kinesis.sequenceNumber` (Kinesis) or `dynamodb.SequenceNumber`
    (DynamoDB), and the keys must be spelled `batchItemFailures` and `itemIdentifier`. When the
    template says which source invokes the handler, the identifier must be that source's.

    ## Why is this bad?
    Lambda treats an identifier it cannot match (a `receiptHandle`, an `eventID`, an id from
    the message body) or a misspelled key as a failure of the *whole* batch: every record is
    retried, again and again, until `maxReceiveCount` or the stream's retention ends it
    ([§4.1](../lambda-facts.md#s4-1), [§4.2](../lambda-facts.md#s4-2), [§4.3](../lambda-facts.md#s4-3) item 4).

    ## Example
    ```python
    failures.append({"itemIdentifier": record["receiptHandle"]})
    ```

    Use instead:
    ```python
    failures.append({"itemIdentifier": record["messageId"]})
    ```

    ## Fix safety
    The fix renames a misspelled key to `itemIdentifier` / `batchItemFailures`, or replaces
    the record field the identifier is taken from with the source's identifier: `messageId`
    for SQS, `kinesis.sequenceNumber` for Kinesis, `dynamodb.SequenceNumber` for DynamoDB (in
    the access style the code uses: `record["..."]`, `record.get("...")`, or Powertools'
    `record.message_id` / `record.kinesis.sequence_number` / `record.dynamodb.sequence_number`).
    The source is the one the template's event source mapping names, or, without a template,
    the one the wrong field can only come from (`receiptHandle` and `md5OfBody` exist only in
    SQS records; a `kinesis.` or `dynamodb.` path names its source). It is **safe**: Lambda
    cannot match the current key or field, so the partial batch response fails the whole
    batch every time; the fix makes it report the records the code meant to report, as the
    AWS partial batch response documentation describes. No fix is offered when the source is
    not certain (an `eventID` with no template: Kinesis and DynamoDB records both have one),
    when the identifier is read through a variable (which may serve something else, such as
    deleting the message), or when the key is not a plain string literal.
    """

    code = "LK505"
    name = "wrong-item-identifier"
    fixable = True
    summary = "itemIdentifier taken from the wrong record field, or a partial-response key misspelled."
    severity = Severity.ERROR
    references = (SQS_BATCH_DOCS, KINESIS_BATCH_DOCS, DYNAMODB_BATCH_DOCS)
    TRIGGERS = ("itemIdent", "temIdentif", "atchItem", "atch_item")
    INVALID = (
        Example(
            python="""
            def handler(event, context):
                failures = []
                for record in event["Records"]:
                    if not process(record):
                        failures.append({"itemIdentifier": record["receiptHandle"]})
                return {"batchItemFailures": failures}
            """,
            line=5,
            fix="safe",
            fixed="""
            def handler(event, context):
                failures = []
                for record in event["Records"]:
                    if not process(record):
                        failures.append({"itemIdentifier": record["messageId"]})
                return {"batchItemFailures": failures}
            """,
        ),
        Example(
            python="""
            def handler(event, context):
                failures = [{'itemIdentifer': r["messageId"]} for r in event["Records"] if not ok(r)]
                return {"batchItemFailures": failures}
            """,
            line=2,
            fix="safe",
            fixed="""
            def handler(event, context):
                failures = [{'itemIdentifier': r["messageId"]} for r in event["Records"] if not ok(r)]
                return {"batchItemFailures": failures}
            """,
        ),
        Example(
            python="""
            def handler(event, context):
                failures = []
                for record in event["Records"]:
                    if not process(record):
                        failures.append({"itemIdentifier": record["kinesis"]["sequenceNumber"]})
                return {"batchItemFailures": failures}
            """,
            template=sqs_template(),
            line=5,
            fix="safe",
            fixed="""
            def handler(event, context):
                failures = []
                for record in event["Records"]:
                    if not process(record):
                        failures.append({"itemIdentifier": record["messageId"]})
                return {"batchItemFailures": failures}
            """,
        ),
        # the misspelled response key, in a multi-line dict with comments
        Example(
            python="""
            def handler(event, context):
                failed = [r["messageId"] for r in event["Records"] if not ok(r)]
                return {
                    "BatchItemFailures": [  # what Lambda retries
                        {"itemIdentifier": message_id} for message_id in failed
                    ],
                }
            """,
            line=4,
            fix="safe",
            fixed="""
            def handler(event, context):
                failed = [r["messageId"] for r in event["Records"] if not ok(r)]
                return {
                    "batchItemFailures": [  # what Lambda retries
                        {"itemIdentifier": message_id} for message_id in failed
                    ],
                }
            """,
        ),
        # Powertools' data classes: the attribute style is kept
        Example(
            python="""
            from aws_lambda_powertools.utilities.data_classes import SQSEvent

            def handler(event, context):
                failures = []
                for record in SQSEvent(event).records:
                    if not process(record):
                        failures.append({"itemIdentifier": record.receipt_handle})
                return {"batchItemFailures": failures}
            """,
            line=7,
            fix="safe",
            fixed="""
            from aws_lambda_powertools.utilities.data_classes import SQSEvent

            def handler(event, context):
                failures = []
                for record in SQSEvent(event).records:
                    if not process(record):
                        failures.append({"itemIdentifier": record.message_id})
                return {"batchItemFailures": failures}
            """,
        ),
    )
    VALID = (
        """
        def handler(event, context):
            failures = []
            for record in event["Records"]:
                message_id = record["messageId"]
                if not process(record):
                    failures.append({"itemIdentifier": message_id})
            return {"batchItemFailures": failures}
        """,
        """
        def handler(event, context):
            failures = []
            for record in event["Records"]:
                if not process(record):
                    failures.append({"itemIdentifier": record["dynamodb"]["SequenceNumber"]})
            return {"batchItemFailures": failures}
        """,
        """
        def handler(event, context):
            return {"batchItemFailures": [{"itemIdentifier": failure_id} for failure_id in collect(event)]}
        """,
    )

    def __init__(self, options=None) -> None:
        super().__init__(options)
        self._scopes: list[FunctionNode] = []
        self._expected: str | None | bool = False  # False = not computed yet

    def visit_FunctionDef(self, node: FunctionNode) -> None:
        self._scopes.append(node)

    def leave_FunctionDef(self, node: FunctionNode) -> None:
        self._scopes.pop()

    def _expected_source(self) -> str | None:
        """The one source that invokes this module's handlers, when the template says so."""
        if self._expected is False:
            sources = {
                mapping.source
                for functions in self.context.linked.values()
                for function in functions
                for mapping in function.event_source_mappings
            }
            self._expected = sources.pop() if len(sources) == 1 and None not in sources else None
        return self._expected  # type: ignore[return-value]

    def _resolve(self, value: ast.expr) -> ast.expr:
        if isinstance(value, ast.Name) and self._scopes:
            bound = assignments(self._scopes[-1].body).get(value.id, [])
            if len(bound) == 1:
                return bound[0]
        return value

    def visit_Dict(self, node: ast.Dict) -> None:
        for key, key_node, value in dict_items(node):
            if key == "itemIdentifier":
                self._check_identifier(value)
            elif _misspelling_of(key, "itemIdentifier") or _misspelling_of(key, "batchItemFailures"):
                correct = "itemIdentifier" if _misspelling_of(key, "itemIdentifier") else "batchItemFailures"
                self.report(
                    key_node,
                    f"key {key!r} should be {correct!r}: Lambda does not recognise it and treats the whole batch as failed",
                    fix=self._key_fix(key_node, key, correct),
                )

    def _key_fix(self, node: ast.expr, key: str, correct: str) -> Fix | None:
        old = self.context.module.code_of(node)
        quote = _quote(old)
        if quote is None or old != f"{quote}{key}{quote}":
            return None  # escapes, a prefix, implicit concatenation: not rewritten
        return python_fix(f"Rename the key {key!r} to {correct!r}", Applicability.SAFE, "lk505-replace", old=old, new=f"{quote}{correct}{quote}")

    def _identifier_fix(self, value: ast.expr, keys: tuple[str, ...], source: str | None) -> Fix | None:
        """Replace the access with the right source's identifier field: the template's source,
        or the one the wrong field can only belong to (an SQS-only field, a `kinesis.` or
        `dynamodb.` path). Only an access written in the dict itself, from a plain name, in
        the access style it uses (`["key"]`, `.get("key")`, Powertools' attributes)."""
        if source is None:
            if len(keys) >= 2 and keys[-2] in ("kinesis", "dynamodb"):
                source = keys[-2]
            elif keys[-1] in _SQS_FIELDS:
                source = "sqs"
            else:
                return None
        depth = 2 if len(keys) >= 2 and keys[-2] in ("kinesis", "dynamodb") else 1
        module = self.context.module
        chain = _accessor_chain(value, depth)
        base = chain[-1].func.value if isinstance(chain[-1], ast.Call) else chain[-1].value  # type: ignore[attr-defined]
        base_code, old = module.code_of(base), module.code_of(value)
        if "\n" in old or "\r" in old:
            return None
        outer = chain[0]
        if isinstance(outer, ast.Attribute):
            if not all(isinstance(n, ast.Attribute) and n.attr.islower() for n in chain):
                return None
            new = base_code + "".join(f".{name}" for name in _IDENTIFIER_ATTRIBUTES[source])
        else:
            if isinstance(outer, ast.Call) and (len(outer.args) != 1 or outer.keywords):
                return None  # `.get(key, default)`: not rewritten
            last = outer.args[0] if isinstance(outer, ast.Call) else outer.slice  # type: ignore[attr-defined]
            quote = _quote(module.code_of(last))
            if quote is None or any(isinstance(n, ast.Attribute) for n in chain):
                return None
            names = [f"{quote}{name}{quote}" for name in _IDENTIFIER_KEYS[source]]
            shown = ".".join(_IDENTIFIER_KEYS[source])
            if depth == 1 and len(names) == 1:
                # one key for another: only the string literal changes, spacing and all kept
                where = module.location_of(last)
                return python_fix(
                    f"Take itemIdentifier from {shown}",
                    Applicability.SAFE,
                    "lk505-replace",
                    old=module.code_of(last),
                    new=names[0],
                    at=[where.line, where.column, where.end_line, where.end_column],
                )
            head = "".join(f"[{name}]" for name in names[:-1])
            new = base_code + head + (f".get({names[-1]})" if isinstance(outer, ast.Call) else f"[{names[-1]}]")
        shown = ".".join(_IDENTIFIER_KEYS[source])
        return python_fix(f"Take itemIdentifier from {shown}", Applicability.SAFE, "lk505-replace", old=old, new=new)

    def _check_identifier(self, value: ast.expr) -> None:
        resolved = self._resolve(value)
        path = access_path(resolved)
        if path is None or not path[1]:
            return
        # the fix rewrites the access written in the dict, never a variable's binding (the
        # variable may be used for something else, such as deleting the message)
        direct = resolved is value
        keys = path[1]
        good_for = _GOOD_PATHS.get(keys[-2:]) or _GOOD_PATHS.get(keys[-1:])
        expected = self._expected_source()
        shown = ".".join(keys)
        if good_for is not None:
            if expected in ITEM_IDENTIFIER and good_for != expected:
                self.report(
                    value,
                    f"itemIdentifier is {shown}, but this handler is invoked by {SOURCE_NAMES[expected]}, which "
                    f"identifies records by {ITEM_IDENTIFIER[expected]}: Lambda will retry the whole batch",
                    fix=self._identifier_fix(value, keys, expected) if direct else None,
                )
            return
        if keys[-1] in _WRONG_FIELDS:
            needed = ITEM_IDENTIFIER.get(expected or "", "messageId (SQS), kinesis.sequenceNumber (Kinesis) or dynamodb.SequenceNumber (DynamoDB)")
            known = expected if expected in ITEM_IDENTIFIER else None
            self.report(
                value,
                f"itemIdentifier is {shown}, but Lambda matches failed records by {needed}: it cannot match this "
                f"one and retries the whole batch",
                fix=self._identifier_fix(value, keys, known) if direct else None,
            )


class StreamUnboundedRetry(TemplateRule):
    """
    ## What it does
    Finds Kinesis and DynamoDB Streams event source mappings that leave both
    `MaximumRetryAttempts` and `MaximumRecordAgeInSeconds` unset or at -1 (the defaults, which
    mean "infinite").

    ## Why is this bad?
    A stream is processed in order per shard. When a record keeps failing, Lambda retries its
    batch until the record expires from the stream: 24 hours by default, up to 365 days on
    Kinesis. All that time the shard makes no progress and `IteratorAge` climbs
    ([§3.4](../lambda-facts.md#s3-4)). `BisectBatchOnFunctionError` narrows the failing batch down but does
    not bound the retries, so it does not stop the shard from blocking.

    ## Example
    ```yaml
    Events:
      Stream:
        Type: Kinesis
        Properties:
          Stream: !GetAtt Stream.Arn
          StartingPosition: LATEST
    ```

    Use instead:
    ```yaml
    Events:
      Stream:
        Type: Kinesis
        Properties:
          Stream: !GetAtt Stream.Arn
          StartingPosition: LATEST
          MaximumRetryAttempts: 5
          BisectBatchOnFunctionError: true
          DestinationConfig:
            OnFailure:
              Destination: !GetAtt FailedRecords.Arn
    ```

    ## Fix safety
    The fix sets `MaximumRetryAttempts: 5` (writing over a literal -1, or adding the key) and
    adds `BisectBatchOnFunctionError: true` unless the mapping already sets it, in the
    template's own style (YAML block or flow, JSON). It is **unsafe**: it changes what happens
    to a record that keeps failing. Today the shard waits until the record expires; after the
    fix, Lambda gives up on it after five retries (of ever smaller batches) and moves on, and
    the record is discarded unless the mapping has an `OnFailure` destination (the fix's title
    says which). Review it, and add a destination first when the records must not be lost
    (see https://docs.aws.amazon.com/lambda/latest/dg/invocation-retries.html). No fix is
    offered when `MaximumRetryAttempts` comes from a parameter or an expression (change the
    parameter), or when the template cannot be edited certainly.
    """

    code = "LK506"
    name = "stream-unbounded-retry"
    summary = "A Kinesis/DynamoDB mapping retries a failing batch until its records expire."
    severity = Severity.WARNING
    references = (RETRIES_DOCS, ESM_DOCS)
    _STREAM = """
        Transform: AWS::Serverless-2016-10-31
        Resources:
          Stream:
            Type: AWS::Kinesis::Stream
            Properties:
              ShardCount: 1
          Worker:
            Type: AWS::Serverless::Function
            Properties:
              InlineCode: "def handler(event, context): pass"
              Handler: index.handler
              Runtime: python3.12
              Events:
                Clicks:
                  Type: Kinesis
                  Properties:
                    Stream: !GetAtt Stream.Arn
                    StartingPosition: LATEST
                    FunctionResponseTypes: [ReportBatchItemFailures]
        {extra}"""
    fixable = True
    _ADDED = "            MaximumRetryAttempts: 5\n                    BisectBatchOnFunctionError: true\n"
    _FOREIGN = (
        "Resources:\n  Stream: {Type: AWS::Kinesis::Stream, Properties: {ShardCount: 1}}\n  Mapping:\n"
        "    Type: AWS::Lambda::EventSourceMapping\n    Properties: {FunctionName: !ImportValue ClickConsumer, "
        "EventSourceArn: !GetAtt Stream.Arn, StartingPosition: LATEST}  # clicks\n"
    )
    _JSON = """\
        {
          "Resources": {
            "Table": {"Type": "AWS::DynamoDB::Table"},
            "Mapping": {
              "Type": "AWS::Lambda::EventSourceMapping",
              "Properties": {
                "FunctionName": {"Fn::ImportValue": "OrdersConsumer"},
                "EventSourceArn": {"Fn::GetAtt": ["Table", "StreamArn"]},
                "StartingPosition": "TRIM_HORIZON",
                "MaximumRetryAttempts": -1
              }
            }
          }
        }
        """
    INVALID = (
        Example(template=_STREAM.format(extra=""), line=14, fix="unsafe", fixed=_STREAM.format(extra=_ADDED)),
        Example(
            template=_STREAM.format(extra="            BisectBatchOnFunctionError: true\n"),
            line=14,
            fix="unsafe",
            fixed=_STREAM.format(extra="            BisectBatchOnFunctionError: true\n                    MaximumRetryAttempts: 5\n"),
        ),
        Example(
            template=_STREAM.format(extra="            MaximumRetryAttempts: -1  # forever\n"),
            line=14,
            fix="unsafe",
            fixed=_STREAM.format(
                extra="            MaximumRetryAttempts: 5  # forever\n                    BisectBatchOnFunctionError: true\n"
            ),
        ),
        # the function is in another stack: the mapping's retries are still its own (flow style)
        Example(
            template=_FOREIGN,
            line=3,
            fix="unsafe",
            fixed=_FOREIGN.replace("LATEST}", "LATEST, MaximumRetryAttempts: 5, BisectBatchOnFunctionError: true}"),
        ),
        # JSON: the -1 is written over, the other key added after the last member
        Example(
            template=_JSON,
            line=4,
            fix="unsafe",
            fixed=_JSON.replace(
                '"MaximumRetryAttempts": -1\n',
                '"MaximumRetryAttempts": 5,\n                "BisectBatchOnFunctionError": true\n',
            ),
        ),
    )
    VALID = (
        Example(
            template=_STREAM.format(
                extra="            MaximumRetryAttempts: 3\n"
                "                    BisectBatchOnFunctionError: true\n"
                "                    DestinationConfig:\n"
                "                      OnFailure:\n"
                "                        Destination: !GetAtt Failed.Arn\n"
            )
        ),
        Example(template=_STREAM.format(extra="            MaximumRecordAgeInSeconds: 3600\n")),
    )

    def check(self, template: Template) -> None:
        for mapping in template.event_source_mappings + template.external_event_source_mappings:
            if not mapping.is_stream:
                continue
            retries, age = mapping.maximum_retry_attempts, mapping.maximum_record_age
            if retries != -1 or age != -1:
                continue  # bounded, or an expression we cannot read
            self.emit(
                mapping.location(),
                f"{mapping.describe} retries a failing {_source(mapping)} batch until its records expire, blocking the "
                f"shard; set MaximumRetryAttempts or MaximumRecordAgeInSeconds (with an OnFailure destination)",
                fix=self._fix(mapping),
            )

    @staticmethod
    def _fix(mapping: EventSourceMapping) -> Fix | None:
        """Bound the retries (`MaximumRetryAttempts`, written or added) and split a failing batch
        (`BisectBatchOnFunctionError`, added unless the template already says). Not when the
        retries come from a parameter: the parameter is what to change."""
        written = mapping.properties.get("MaximumRetryAttempts")
        if written is not None and (isinstance(mapping.maximum_retry_attempts, FromParameter) or literal_int(written) is None):
            return None
        items: dict[str, object] = {"MaximumRetryAttempts": FIX_RETRY_ATTEMPTS}
        if "BisectBatchOnFunctionError" not in mapping.properties:
            items["BisectBatchOnFunctionError"] = True
        destination = mapping.has_on_failure_destination
        after = (
            "then go to the OnFailure destination"
            if destination is True
            else "are then discarded: add an OnFailure destination to keep them"
        )
        settings = " and ".join(f"{key}: {'true' if value is True else value}" for key, value in items.items())
        return template_fix(
            f"Set {settings} on {mapping.describe} (records that still fail after {FIX_RETRY_ATTEMPTS} retries {after})",
            Applicability.UNSAFE,
            mapping.plan_properties(items),
        )


class OnlyFirstRecord(ProjectRule):
    """
    ## What it does
    Finds handlers that read `event["Records"][0]` and no other record while their event
    source mapping delivers batches of more than one record.

    ## Why is this bad?
    The invocation succeeds, so Lambda considers the whole batch processed: for SQS every
    other message of the batch is deleted without ever being read; for a stream the
    checkpoint moves past them. The loss is silent and grows with traffic, because batches
    fill up only under load ([§3.5](../lambda-facts.md#s3-5), [§4](../lambda-facts.md#s4)).

    ## Example
    ```python
    def handler(event, context):
        body = json.loads(event["Records"][0]["body"])
        save(body)
    ```

    Use instead:
    ```python
    def handler(event, context):
        for record in event["Records"]:
            save(json.loads(record["body"]))
    ```
    or set `BatchSize: 1` on the mapping if one message per invocation is intended.

    ## Known problems
    Only reported when the template links the handler to a mapping: S3 and SNS events carry
    a single record, so `event["Records"][0]` is right for them.
    """

    code = "LK507"
    name = "only-first-record"
    summary = "The handler reads only event['Records'][0] while its mapping delivers batches > 1."
    severity = Severity.ERROR
    references = (SQS_BATCH_DOCS,)
    _HANDLER = """
        import json

        def handler(event, context):
            body = json.loads(event["Records"][0]["body"])
            save(body)
        """
    INVALID = (Example(python=_HANDLER, template=sqs_template(), line=4),)
    VALID = (
        Example(python=_HANDLER, template=sqs_template("            BatchSize: 1\n")),
        Example(python=_HANDLER),  # no template: an S3 or SNS event has one record
        Example(
            python="""
            def handler(event, context):
                first = event["Records"][0]
                log(first)
                for record in event["Records"]:
                    save(record)
            """,
            template=sqs_template(),
        ),
    )

    def check(self, project: Project) -> None:
        reported: set[int] = set()
        for mapping, module, definition, facts in _mappings_with_handlers(project):
            size = mapping.batch_size
            if size is None or size <= 1:
                continue
            node = facts.first_record_only
            if node is None or id(node) in reported:
                continue
            reported.add(id(node))
            self.emit(
                module.location_of(node),
                f"only the first record is read, but {mapping.describe} delivers batches of up to {size}{value_origin(size)}: the other "
                f"records are marked processed without being read; loop over event['Records'] or set BatchSize: 1",
                related=[RelatedLocation(mapping.location("BatchSize"), "the batch size comes from here")],
            )


SQS_BATCH_LIMIT = 10  # without a batching window, and always on a FIFO queue (§3.5)
SQS_BATCH_MAXIMUM = 10_000  # with a batching window, on a standard queue (§3.5)


def _fifo_source(mapping: EventSourceMapping) -> bool | None:
    """Is the mapping's queue a FIFO queue: the queue's `FifoQueue` when it is in the template,
    else a literal ARN or URL ending in `.fifo`; None when not known."""
    queue = mapping.queue
    if queue is not None:
        return queue.is_fifo
    value = mapping.source_value
    text = value.get("Fn::Sub") if isinstance(value, dict) and len(value) == 1 else value
    if isinstance(text, str) and "${" not in text.rsplit(":", 1)[-1]:
        return text.endswith(".fifo")
    return None


class SqsBatchSizeOverLimit(TemplateRule):
    """
    ## What it does
    Finds SQS event source mappings whose `BatchSize` Lambda refuses: above 10 without a
    `MaximumBatchingWindowInSeconds` of at least 1 second, above 10 on a FIFO queue (a
    batching window does not raise it there), or above 10,000 in any case. SAM `SQS` events,
    `AWS::Lambda::EventSourceMapping` resources (also of functions in other stacks),
    Terraform's `aws_lambda_event_source_mapping` and the Serverless Framework's `sqs` events
    are read alike.

    ## Why is this bad?
    The deploy fails: Lambda rejects the mapping, and the stack rolls back
    (https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html,
    https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html,
    [§3.5](../lambda-facts.md#s3-5)). On a standard queue a batch larger than 10 is allowed only
    with a batching window, up to 10,000 messages; on a FIFO queue the maximum is 10.

    ## Example
    ```yaml
    Events:
      Messages:
        Type: SQS
        Properties:
          Queue: !GetAtt Queue.Arn
          BatchSize: 100
    ```

    Use instead:
    ```yaml
    Events:
      Messages:
        Type: SQS
        Properties:
          Queue: !GetAtt Queue.Arn
          BatchSize: 100
          MaximumBatchingWindowInSeconds: 5
    ```
    (on a FIFO queue: `BatchSize: 10` at most).

    ## Known problems
    A queue in another stack is taken for a FIFO queue only when its ARN is written literally
    and ends in `.fifo`; otherwise only the standard queue's limits are checked.
    """

    code = "LK508"
    name = "sqs-batch-size-over-limit"
    summary = "An SQS mapping's BatchSize above 10 without a batching window, or above 10 on a FIFO queue: the deploy fails."
    severity = Severity.ERROR
    references = (SQS_CONFIG_DOCS, ESM_DOCS)
    _FIFO = sqs_template("            BatchSize: 20\n            MaximumBatchingWindowInSeconds: 5\n").replace(
        "    Type: AWS::SQS::Queue\n", "    Type: AWS::SQS::Queue\n    Properties:\n      FifoQueue: true\n", 1
    )
    INVALID = (
        Example(template=sqs_template("            BatchSize: 100\n"), line=16),
        Example(template=_FIFO, line=18),
        Example(template=sqs_template("            BatchSize: 20000\n            MaximumBatchingWindowInSeconds: 5\n"), line=16),
    )
    VALID = (
        Example(template=sqs_template("            BatchSize: 10\n")),
        Example(template=sqs_template("            BatchSize: 100\n            MaximumBatchingWindowInSeconds: 1\n")),
        Example(template=_FIFO.replace("BatchSize: 20", "BatchSize: 10")),
        # the window is a parameter without a default: not known
        Example(template=sqs_template("            BatchSize: 100\n            MaximumBatchingWindowInSeconds: !Ref Window\n")),
    )

    def check(self, template: Template) -> None:
        mappings = [*template.event_source_mappings, *template.external_event_source_mappings]
        for mapping in mappings:
            if mapping.source != "sqs" or "BatchSize" not in mapping.properties:
                continue
            size = mapping.batch_size
            if size is None or size <= SQS_BATCH_LIMIT:
                continue
            shown = f"BatchSize {size}{value_origin(size)}"
            fifo = _fifo_source(mapping)
            window = mapping.batching_window
            if size > SQS_BATCH_MAXIMUM:
                message = f"{shown} is above the SQS maximum of {SQS_BATCH_MAXIMUM:,}: Lambda rejects the mapping at deploy"
            elif fifo:
                message = (
                    f"{shown} is above 10, the maximum for a FIFO queue ({mapping.queue.logical_id if mapping.queue else 'a .fifo queue'}): "
                    f"Lambda rejects the mapping at deploy, whatever the batching window; set BatchSize to 10 or less"
                )
            elif window == 0:
                without = (
                    f"with MaximumBatchingWindowInSeconds 0{value_origin(window)}"
                    if "MaximumBatchingWindowInSeconds" in mapping.properties
                    else "without MaximumBatchingWindowInSeconds"
                )
                message = (
                    f"{shown} is above 10 {without}: Lambda rejects the mapping at deploy; "
                    f"set MaximumBatchingWindowInSeconds to at least 1 (allows up to {SQS_BATCH_MAXIMUM:,}) or BatchSize to 10 or less"
                )
            else:
                continue
            self.emit(mapping.location("BatchSize"), f"{mapping.describe}: {message}")
