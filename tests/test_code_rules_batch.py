"""LK505's fix on the cases its documented examples do not show: the source told by the wrong
field, and the identifiers it leaves alone."""

from __future__ import annotations

import pytest

from conftest import fixes

LOOP = "def handler(event, context):\n    failures = []\n    for record in event['Records']:\n        if not process(record):\n            failures.append({{'itemIdentifier': {value}}})\n    return {{'batchItemFailures': failures}}\n"


@pytest.mark.parametrize(
    ("value", "fixed"),
    [
        ("record['md5OfBody']", "record['messageId']"),  # only SQS records have it
        ("record['kinesis']['partitionKey']", "record['kinesis']['sequenceNumber']"),
        ("record['dynamodb']['sequenceNumber']", "record['dynamodb']['SequenceNumber']"),
        ('record.get("receiptHandle")', 'record.get("messageId")'),
    ],
)
def test_lk505_fix_without_a_template_takes_the_source_the_field_belongs_to(tmp_path, value, fixed):
    source = LOOP.format(value=value)
    [(line, applicability, _, text)] = fixes(tmp_path, {"app.py": source}, "LK505")
    assert (line, applicability) == (5, "safe")
    assert text == source.replace(value, fixed)


@pytest.mark.parametrize(
    "value",
    [
        "record['eventID']",  # Kinesis and DynamoDB records both have one: which is meant is unknown
        "record.get('receiptHandle', '')",  # a default the fix would drop
        "record[r'receiptHandle']",  # a prefixed literal
    ],
)
def test_lk505_offers_no_fix_when_the_field_does_not_say_the_source(tmp_path, value):
    assert fixes(tmp_path, {"app.py": LOOP.format(value=value)}, "LK505") == [(5, None, None, None)]


def test_lk505_does_not_rewrite_a_variable_used_for_something_else(tmp_path):
    source = (
        "def handler(event, context):\n    failures = []\n    for record in event['Records']:\n"
        "        handle = record['receiptHandle']\n        if not process(record):\n"
        "            failures.append({'itemIdentifier': handle})\n        else:\n            delete(handle)\n"
        "    return {'batchItemFailures': failures}\n"
    )
    assert fixes(tmp_path, {"app.py": source}, "LK505") == [(6, None, None, None)]
