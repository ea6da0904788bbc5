"""What lintkit concludes about a batch handler: YES / NO / UNKNOWN partial responses, and
whether it reads only the first record."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.python.batch import Evidence, analyze_batch_handler
from lintkit.python.module import parse_python
from lintkit.rule import example_text

try:
    from conftest import run_engine
    from helpers import sqs_template
except ImportError:  # tests/ became a package
    from tests.conftest import run_engine  # type: ignore[no-redef]
    from tests.helpers import sqs_template  # type: ignore[no-redef]


def facts(source: str, name: str = "handler"):
    module = parse_python(example_text(source), path="app.py", abs_path=Path("app.py"))
    return analyze_batch_handler(module, module.top_level_functions()[name])


@pytest.mark.parametrize(
    "source",
    [
        # the key in a returned dict
        """
        def handler(event, context):
            return {"batchItemFailures": []}
        """,
        # the key set on a response built elsewhere in the handler
        """
        def handler(event, context):
            response = {}
            response["batchItemFailures"] = collect(event)
            return response
        """,
        # Powertools functional API
        """
        from aws_lambda_powertools.utilities.batch import process_partial_response
        def handler(event, context):
            return process_partial_response(event=event, record_handler=h, processor=p, context=context)
        """,
        # Powertools decorator API
        """
        from aws_lambda_powertools.utilities.batch import BatchProcessor, batch_processor
        processor = BatchProcessor(event_type=None)
        @batch_processor(record_handler=h, processor=processor)
        def handler(event, context):
            return processor.response()
        """,
        # a helper of the same module builds it
        """
        def build(failures):
            return {"batchItemFailures": [{"itemIdentifier": f} for f in failures]}
        def handler(event, context):
            return build(process(event))
        """,
    ],
)
def test_partial_response_yes(source):
    assert facts(source).partial_response is Evidence.YES


@pytest.mark.parametrize(
    "source",
    [
        "def handler(event, context):\n    process(event)\n",
        "def handler(event, context):\n    return {'statusCode': 200}\n",
        "def handler(event, context):\n    result = {'ok': True}\n    return result\n",
        "@logger.inject_lambda_context\ndef handler(event, context):\n    return None\n",
    ],
)
def test_partial_response_no(source):
    assert facts(source).partial_response is Evidence.NO


@pytest.mark.parametrize(
    "source",
    [
        # the result of a call we cannot see into
        "from lib import run\ndef handler(event, context):\n    return run(event)\n",
        # a decorator that may replace the result
        "@middleware\ndef handler(event, context):\n    return None\n",
        # the key appears elsewhere in the module
        "KEY = 'batchItemFailures'\ndef handler(event, context):\n    return None\n",
        # a name bound to something unreadable
        "def handler(event, context):\n    out = make()\n    return out\n",
    ],
)
def test_partial_response_unknown(source):
    assert facts(source).partial_response is Evidence.UNKNOWN


def test_first_record_only_direct_and_through_an_alias():
    direct = facts("def handler(event, context):\n    body = event['Records'][0]['body']\n")
    assert direct.first_record_only is not None
    alias = facts("def handler(event, context):\n    records = event.get('Records', [])\n    first = records[0]\n")
    assert alias.first_record_only is not None


@pytest.mark.parametrize(
    "source",
    [
        "def handler(event, context):\n    for r in event['Records']:\n        save(r)\n",
        "def handler(event, context):\n    first = event['Records'][0]\n    n = len(event['Records'])\n",
        "def handler(event, context):\n    records = event['Records']\n    save(records[0])\n    save_all(records)\n",
        "def handler(event, context):\n    return event['Records'][-1]\n",
        "def handler(payload, context):\n    other = {}\n    return other['Records'][0]\n",
    ],
)
def test_reading_more_than_the_first_record(source):
    assert facts(source).first_record_only is None


@pytest.mark.parametrize(
    ("source", "errors"),
    [
        # nothing caught: a record's error leaves the handler
        ("def handler(event, context):\n    for r in event['Records']:\n        process(r)\n", "uncaught"),
        # every except ends in raise
        (
            "def handler(event, context):\n    for r in event['Records']:\n        try:\n            process(r)\n"
            "        except Exception:\n            log(r)\n            raise\n",
            "reraises",
        ),
        # one except that only logs
        (
            "def handler(event, context):\n    for r in event['Records']:\n        try:\n            process(r)\n"
            "        except ValueError:\n            raise\n        except Exception:\n            log(r)\n",
            "caught",
        ),
        # contextlib.suppress swallows
        (
            "import contextlib\ndef handler(event, context):\n    for r in event['Records']:\n"
            "        with contextlib.suppress(Exception):\n            process(r)\n",
            "caught",
        ),
        # an except in a nested function does not run as part of the handler
        (
            "def handler(event, context):\n    def safe(r):\n        try:\n            process(r)\n        except Exception:\n"
            "            pass\n    for r in event['Records']:\n        process(r)\n",
            "uncaught",
        ),
    ],
)
def test_what_the_handler_does_with_errors(source, errors):
    assert facts(source).errors == errors


# -- LK503's message: a handler that re-raises loses nothing (issue 14, item 9) ---------------

LK503_TEMPLATE = sqs_template("            FunctionResponseTypes: [ReportBatchItemFailures]\n")


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (
            "def handler(event, context):\n    for record in event['Records']:\n        try:\n            process(record)\n"
            "        except Exception:\n            log(record)\n            raise\n",
            "handler() never returns batchItemFailures, but Worker event Messages enables ReportBatchItemFailures: it "
            "re-raises every error it catches, so a failing record fails the invocation and Lambda retries the whole "
            "batch; nothing is lost, but the setting buys nothing: to retry only the failed records, catch each record's "
            "error and return {'batchItemFailures': [{'itemIdentifier': ...}]} (partial reporting needs batchItemFailures)",
        ),
        (
            "def handler(event, context):\n    for record in event['Records']:\n        process(record)\n    return {'ok': True}\n",
            "handler() never returns batchItemFailures, but Worker event Messages enables ReportBatchItemFailures: it "
            "lets a record's error propagate, so a failing record fails the invocation and Lambda retries the whole "
            "batch; nothing is lost, but the setting buys nothing: to retry only the failed records, catch each record's "
            "error and return {'batchItemFailures': [{'itemIdentifier': ...}]} (partial reporting needs batchItemFailures)",
        ),
        (
            "def handler(event, context):\n    for record in event['Records']:\n        try:\n            process(record)\n"
            "        except Exception:\n            log(record)\n    return None\n",
            "handler() never returns batchItemFailures, but Worker event Messages enables ReportBatchItemFailures: when "
            "it catches a record's error and returns, the empty response marks the whole batch as processed and the "
            "failed records are dropped; return {'batchItemFailures': [{'itemIdentifier': ...}]} for the records that failed",
        ),
    ],
)
def test_lk503_message_says_what_the_handler_does_with_errors(tmp_path, handler, expected):
    (tmp_path / "template.yaml").write_text(LK503_TEMPLATE)
    (tmp_path / "app.py").write_text(handler)
    result = run_engine([tmp_path], select=["LK503"])
    assert [(Path(f.path).name, f.code, f.line, f.message) for f in result.findings] == [("app.py", "LK503", 1, expected)]
