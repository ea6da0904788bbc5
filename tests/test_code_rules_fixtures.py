"""Fixture modules under fixtures/python/: realistic handlers where a `# expect: CODE[, CODE]`
comment marks each line a code rule must report (good/ modules must yield nothing), checked
exactly like the fixture templates. Each module is linted alone, without a template, so its
handlers are the (event, context)-shaped functions."""

from __future__ import annotations

import pytest

from conftest import FIXTURES
import test_template_fixtures as template_fixtures

MODULES = sorted((FIXTURES / "python").glob("*/*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_module(path):
    template_fixtures.test_fixture_template(path)


def test_every_code_rule_of_issue_4_has_a_fixture_finding():
    marked = {code for path in MODULES for _, code in template_fixtures.expected(path)}
    assert {"LK101", "LK102", "LK103", "LK104", "LK201", "LK202", "LK203", "LK301", "LK302", "LK303",
            "LK304", "LK305", "LK605", "LK702"} <= marked
