"""What lintkit concludes about a batch handler: YES / NO / UNKNOWN partial responses, and
whether it reads only the first record."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintkit.python.batch import Evidence, analyze_batch_handler
from lintkit.python.module import parse_python
from lintkit.rule import example_text


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
