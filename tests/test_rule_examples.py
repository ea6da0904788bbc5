"""Every rule's documented examples are tests: INVALID ones must fire on the stated line, VALID
ones (the near-misses) must stay silent. Adding a rule adds its tests."""

from __future__ import annotations

import pytest

from lintkit.rule import CodeRule, Example, ProjectRule, TemplateRule, example_text, registry

from conftest import FIXTURES, run_engine, write_project


def _examples(kind: str):
    for rule in registry():
        for index, example in enumerate(getattr(rule, kind)):
            if isinstance(example, str):
                example = Example(python=example)
            yield pytest.param(rule, example, id=f"{rule.code}-{kind.lower()}-{index}")


def _files(example: Example) -> dict[str, str]:
    files = {}
    if example.python is not None:
        files["app.py"] = example.python
    if example.template is not None:
        files["template.yaml"] = example.template
    return files


# An INVALID example's code is Lambda code, as the docs present it, whether or not it shows a
# handler: it is what a rule says about code that runs in Lambda. VALID examples are read as they
# stand, so a helper no handler reaches (a maintenance script) is one of the near-misses.
EXAMPLES_RUN_IN_LAMBDA = ["app.py"]


@pytest.mark.parametrize(("rule", "example"), list(_examples("INVALID")))
def test_invalid_example_fires(tmp_path, rule, example):
    write_project(tmp_path, _files(example))
    result = run_engine([tmp_path], select=[rule.code], lambda_code=EXAMPLES_RUN_IN_LAMBDA)
    assert not result.internal_errors
    found = [(f.path.rsplit("/", 1)[-1], f.line) for f in result.findings if f.code == rule.code]
    assert found, f"{rule.code} did not fire on its INVALID example"
    if example.line is not None:
        assert (example.expected_file, example.line) in found, found


@pytest.mark.parametrize(("rule", "example"), list(_examples("VALID")))
def test_valid_example_is_silent(tmp_path, rule, example):
    write_project(tmp_path, _files(example))
    result = run_engine([tmp_path], select=[rule.code])
    assert not result.internal_errors
    assert [f for f in result.findings if f.code == rule.code] == []


ENGINE_RULES = {"LK001", "LK003", "LK005"}  # reported by the engine itself, tested through the CLI and tests/test_suppressions.py


@pytest.mark.parametrize("rule", list(registry()), ids=lambda r: r.code)
def test_rule_documentation(rule):
    sections = rule.sections()
    for heading in ("What it does", "Why is this bad?", "Example"):
        assert sections.get(heading), f"{rule.code} has no '{heading}' section"
    assert rule.summary.endswith(".") and len(rule.summary) < 120
    if rule.code not in ENGINE_RULES:
        assert issubclass(rule, (CodeRule, TemplateRule, ProjectRule))
        assert rule.INVALID and rule.VALID, f"{rule.code} needs INVALID and VALID examples"


def test_codes_are_unique_and_stable():
    codes = registry().codes
    assert len(codes) == len(set(codes))
    assert {"LK001", "LK002", "LK501", "LK502", "LK503", "LK504", "LK505", "LK506", "LK507"} <= set(codes)


def test_rule_docs_cite_shipped_facts_not_lambda_facts():
    """Users do not have LAMBDA-FACTS.md: the rule docs link docs/lambda-facts.md (shipped in the
    repository) or AWS directly, and every section they link exists."""
    import re

    from lintkit.docs import expected_files, render_rule

    docs = FIXTURES.parent / "docs"
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', (docs / "lambda-facts.md").read_text(encoding="utf-8")))
    assert {"s2-1", "s3-2", "s4-3", "s5"} <= anchors
    linked = set()
    for rule in registry():
        text = render_rule(rule) + "\n" + rule.documentation() + "\n" + (type.__getattribute__(rule, "__module__") and __import__(rule.__module__, fromlist=["_"]).__doc__ or "")
        assert "LAMBDA-FACTS" not in text, rule.code
        for anchor in re.findall(r"\(\.\./lambda-facts\.md#([^)]+)\)", text):
            assert anchor in anchors, (rule.code, anchor)
            linked.add(anchor)
    assert len(linked) >= 20  # the rules do cite it
    for relative, text in expected_files(registry()).items():
        assert "LAMBDA-FACTS" not in text, relative


def test_generated_docs_are_current():
    """docs/ is generated from the rules: regenerate with `python -m lintkit.docs`."""
    from lintkit.docs import expected_files

    docs = FIXTURES.parent / "docs"
    stale = [
        relative
        for relative, text in expected_files(registry()).items()
        if not (docs / relative).exists() or (docs / relative).read_text(encoding="utf-8") != text
    ]
    assert stale == [], f"out of date: {stale}; run `python -m lintkit.docs`"


# -- fixes -----------------------------------------------------------------------------------


def _fix_examples():
    for rule in registry():
        for index, example in enumerate(rule.INVALID):
            if isinstance(example, Example) and example.fix is not None:
                yield pytest.param(rule, example, id=f"{rule.code}-invalid-{index}")


def _lint(root, *args):
    from lintkit.cli import main

    try:
        from helpers import make_runner
    except ImportError:  # tests/ became a package
        from tests.helpers import make_runner  # type: ignore[no-redef]

    runner = make_runner()  # stdout alone (notes go to stderr), on click 8.1 too
    result = runner.invoke(main, ["check", str(root), "--no-cache", "--output-format", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    return result


def _findings(root, code=None):
    import json

    result = _lint(root)
    return [(f["code"], f["path"], f["line"], f["message"]) for f in json.loads(result.stdout) if code is None or f["code"] == code]


def test_every_fixable_rule_has_a_fix_example():
    for rule in registry():
        if rule.fixable and rule.code not in ENGINE_RULES:  # engine rules: tested through the CLI
            assert any(isinstance(e, Example) and e.fix for e in rule.INVALID), f"{rule.code} is fixable: give an INVALID example its fix"


@pytest.mark.parametrize(("rule", "example"), list(_fix_examples()))
def test_fix_example(tmp_path, rule, example):
    """The example's finding carries a fix of the stated applicability; `--fix --unsafe-fixes`
    turns the file into `fixed` exactly (so comments and unrelated lines are byte-identical);
    afterwards the file still parses, the fixed finding is gone, no finding appears that was
    not there before, and a second `--fix` changes nothing."""
    import ast
    import json

    from lintkit.templates.loader import load_text

    write_project(tmp_path, {**_files(example), "lintkit.toml": 'lambda-code = ["app.py"]\n'})
    target = tmp_path / example.expected_file
    before_text = target.read_text(encoding="utf-8")
    report = json.loads(_lint(tmp_path, "--select", rule.code).stdout)
    mine = [f for f in report if f["code"] == rule.code and f["path"].endswith(example.expected_file) and f["line"] == example.line]
    assert mine and mine[0]["fix"] is not None, mine
    assert mine[0]["fix"]["applicability"] == example.fix
    before = set(_findings(tmp_path))

    _lint(tmp_path, "--fix", "--unsafe-fixes")
    after_text = target.read_text(encoding="utf-8")
    if example.fix == "display-only" or example.fixed is None:
        assert after_text == before_text
        return
    assert after_text == example_text(example.fixed)
    if target.suffix == ".py":
        ast.parse(after_text)
    else:
        load_text(after_text, json_hint=target.suffix == ".json")
    after = set(_findings(tmp_path))
    assert not [f for f in after if f[0] == rule.code and f[1].endswith(example.expected_file) and f[2] == example.line]
    new = {(code, path, message) for code, path, _, message in after} - {(c, p, m) for c, p, _, m in before}
    assert not new, new
    again = _lint(tmp_path, "--diff", "--unsafe-fixes")
    assert again.stdout == "" and again.exit_code == 0
