"""The result cache: a warm run reports exactly what a cold run reports, and an edit to a
handler or to its template invalidates exactly the results that depend on it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES

from lintkit.cache import Cache
from lintkit.config import Config
from lintkit.engine import check
from lintkit.rule import registry


def run(root: Path, cache: Cache | None):
    rules = registry()
    result = check([root], registry=rules, config=Config(path=None, root=root), enabled=set(rules.codes), cache=cache)
    assert not result.internal_errors
    return sorted((f.path, f.line, f.column, f.code, f.message) for f in result.findings)


@pytest.fixture
def demo(tmp_path, monkeypatch):
    root = tmp_path / "demo"
    shutil.copytree(FIXTURES / "projects" / "demo", root)
    monkeypatch.chdir(root)
    return Path(".")


def new_cache(root: Path) -> Cache:
    return Cache(root.resolve(), {"enabled": sorted(registry().codes)})


def test_warm_run_equals_cold_run_and_parses_nothing(demo):
    cold = run(demo, None)
    first = new_cache(demo)
    assert run(demo, first) == cold and first.hits == 0
    warm = new_cache(demo)
    assert run(demo, warm) == cold
    assert warm.misses == 0 and warm.hits > 0


def test_a_warm_run_reads_templates_from_the_cache(demo, monkeypatch):
    from lintkit.templates.loader import load_text

    cold = run(demo, new_cache(demo))
    loaded: list[str] = []
    monkeypatch.setattr("lintkit.engine.load_text", lambda text, **options: loaded.append(text) or load_text(text, **options))
    assert run(demo, new_cache(demo)) == cold
    assert loaded == []  # every template came back from its cached document
    template = demo / "template.yaml"
    template.write_text(template.read_text().replace("Timeout: 30", "Timeout: 31", 1))
    expected = run(demo, None)
    loaded.clear()
    assert run(demo, new_cache(demo)) == expected
    assert loaded == [template.read_text()]  # the edited template is loaded again
    loaded.clear()
    template.write_text(template.read_text() + "Outputs:\n  Anchored: &name {Value: x}\n  Again: *name\n")
    run(demo, new_cache(demo))
    run(demo, new_cache(demo))
    assert len(loaded) == 2  # a text with anchors is never taken from the cache


def test_editing_a_handler_invalidates_its_results_and_the_joins(demo):
    run(demo, new_cache(demo))
    orders = demo / "src" / "orders.py"
    # fix the swallowed exception: LK504 must go, nothing else may change
    orders.write_text(orders.read_text().replace('logger.exception("could not save order from message %s", record["messageId"])', "raise"))
    expected = run(demo, None)
    cache = new_cache(demo)
    assert run(demo, cache) == expected
    assert not any(code == "LK504" for *_, code, _ in expected)
    assert cache.hits > 0  # the other handlers still came from the cache


def test_editing_the_other_side_of_a_join(demo):
    run(demo, new_cache(demo))
    # the handler starts returning batchItemFailures: LK503 (a join) must go, LK506 stays
    clicks = demo / "src" / "clicks.py"
    clicks.write_text(clicks.read_text().rstrip("\n") + "\n    return {'batchItemFailures': []}\n")
    after_handler_edit = run(demo, new_cache(demo))
    assert after_handler_edit == run(demo, None)
    codes = [code for *_, code, _ in after_handler_edit]
    assert "LK503" not in codes and "LK506" in codes
    # the template enables partial responses for Payments: LK502 (a join) must go
    template = demo / "template.yaml"
    text = template.read_text().replace(
        "            Queue: !GetAtt PaymentsQueue.Arn\n",
        "            Queue: !GetAtt PaymentsQueue.Arn\n            FunctionResponseTypes: [ReportBatchItemFailures]\n",
    )
    template.write_text(text)
    after_template_edit = run(demo, new_cache(demo))
    assert after_template_edit == run(demo, None)
    assert "LK502" not in [code for *_, code, _ in after_template_edit]


def test_settings_are_part_of_the_key(demo):
    everything = Cache(demo.resolve(), {"enabled": sorted(registry().codes)})
    run(demo, everything)
    other = Cache(demo.resolve(), {"enabled": ["LK501"]})
    run(demo, other)
    assert other.hits == 0


def test_a_corrupt_entry_is_a_miss(demo):
    cache = new_cache(demo)
    expected = run(demo, cache)
    for entry in (demo / ".lintkit_cache").rglob("*.json"):
        entry.write_text("{not json")
    assert run(demo, new_cache(demo)) == expected


def test_the_cli_uses_the_cache_and_no_cache_and_clean(demo, monkeypatch):
    from helpers import invoke

    monkeypatch.delenv("LINTKIT_NO_CACHE", raising=False)
    monkeypatch.delenv("LINTKIT_CACHE_DIR", raising=False)
    first = invoke("check", ".")
    assert (demo / ".lintkit_cache" / ".gitignore").exists()
    assert invoke("check", ".").stdout == first.stdout
    shutil.rmtree(demo / ".lintkit_cache")
    assert invoke("check", ".", "--no-cache").stdout == first.stdout
    assert not (demo / ".lintkit_cache").exists()
    invoke("check", ".")
    cleaned = invoke("clean")
    assert cleaned.exit_code == 0 and "removed" in cleaned.stdout
    assert not (demo / ".lintkit_cache").exists()


def test_a_focused_run_skips_code_only_rules_elsewhere_and_does_not_cache_that(tmp_path, monkeypatch):
    """pre-commit with only a template: its handlers are read for the joins, but a rule that
    only reads code reports in the handler, which was not given; that partial result must not
    stand in for the handler's own results later."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURES / "projects" / "lambda-to-lambda", root)
    monkeypatch.chdir(root)
    rules = registry()
    template = Path("template.yaml")

    def findings(cache, focus=None):
        result = check([template], registry=rules, config=Config(path=None, root=Path(".")), enabled=set(rules.codes), cache=cache, focus=focus)
        assert not result.internal_errors
        return {(f.path, f.line, f.code) for f in result.findings}

    full = findings(None)
    producer = str(Path("src") / "producer.py")
    assert {(producer, 13, "LK201"), (producer, 13, "LK204")} <= full
    cache = new_cache(Path("."))
    focused = findings(cache, focus=lambda path: Path(path) == template)
    # the join (LK204, NEEDS_TEMPLATE) is still found; the code-only LK201/LK103 are not computed
    assert (producer, 13, "LK204") in focused
    assert not any(code in ("LK201", "LK103", "LK203") for _, _, code in focused)
    assert findings(new_cache(Path("."))) == full  # the cache did not keep the partial results


def test_editing_an_openapi_definition_file_invalidates_the_template_results(tmp_path, monkeypatch):
    """The model reads an API's `DefinitionUri` file: results keyed on the template must change
    when only that file does (the integration turns asynchronous: LK401 appears)."""
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Jobs:\n    Type: AWS::Serverless::Function\n"
        "    Properties:\n      InlineCode: 'def handler(event, context): pass'\n      Handler: index.handler\n"
        "      Runtime: python3.12\n      Timeout: 10\n"
        "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n      DefinitionUri: api.yaml\n"
    )
    api = root / "api.yaml"
    api.write_text(
        "openapi: '3.0.1'\npaths:\n  /jobs:\n    post:\n      x-amazon-apigateway-integration:\n        type: aws\n"
        "        uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Jobs.Arn}/invocations\n"
        "        requestParameters:\n          integration.request.header.X-Amz-Invocation-Type: \"'RequestResponse'\"\n"
    )
    monkeypatch.chdir(root)
    here = Path(".")
    assert not any(code == "LK401" for *_, code, _ in run(here, new_cache(here)))
    api.write_text(api.read_text().replace("'RequestResponse'", "'Event'"))
    expected = run(here, None)
    assert any(code == "LK401" for *_, code, _ in expected)
    assert run(here, new_cache(here)) == expected
