"""lintkit reads untrusted repositories: it never runs what it reads, writes nothing, and one
rule's crash neither stops the run nor hides the other findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import CLEAN_HANDLER, SWALLOWING_HANDLER, invoke, sqs_template, write

from lintkit.config import Config
from lintkit.engine import check, exit_code
from lintkit.findings import Severity
from lintkit.rule import CodeRule, Registry, TemplateRule, registry


class CrashingCodeRule(CodeRule):
    """
    ## What it does
    Crashes. ## Why is this bad? It is a test. ## Example None.
    """

    code = "LK998"
    name = "crashing-code-rule"
    summary = "Crashes on every function."
    severity = Severity.WARNING

    def visit_FunctionDef(self, node) -> None:
        raise RuntimeError("boom")


class CrashingTemplateRule(TemplateRule):
    """Crashes on every template."""

    code = "LK999"
    name = "crashing-template-rule"
    summary = "Crashes on every template."
    severity = Severity.WARNING

    def check(self, template) -> None:
        raise KeyError("Resources")


@pytest.fixture
def with_crashing_rules(monkeypatch):
    rules = Registry([*registry(), CrashingCodeRule, CrashingTemplateRule])
    monkeypatch.setattr("lintkit.rule._REGISTRY", rules)
    return rules


def test_a_crashing_rule_is_reported_and_the_rest_still_runs(tmp_path, with_crashing_rules):
    write(tmp_path / "template.yaml", sqs_template())
    write(tmp_path / "app.py", SWALLOWING_HANDLER)
    result = check([tmp_path], registry=with_crashing_rules, config=Config(path=None, root=tmp_path), enabled=set(with_crashing_rules.codes))
    crashes = sorted((e.code, Path(e.path).name, e.message) for e in result.internal_errors)
    assert crashes == [("LK998", "app.py", "RuntimeError: boom"), ("LK999", "template.yaml", "KeyError: 'Resources'")]
    # every other rule's findings are still there
    assert sorted((Path(f.path).name, f.code) for f in result.findings) == [("app.py", "LK504"), ("template.yaml", "LK501")]
    assert exit_code(result, Severity.WARNING) == 2


def test_the_cli_exits_2_and_names_the_rule_and_file(tmp_path, monkeypatch, with_crashing_rules):
    write(tmp_path / "template.yaml", sqs_template())
    write(tmp_path / "app.py", CLEAN_HANDLER)
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".")
    assert run.exit_code == 2
    assert "internal error: rule LK998 failed on app.py: RuntimeError: boom" in run.stderr
    assert "internal error: rule LK999 failed on template.yaml: KeyError: 'Resources'" in run.stderr
    assert run.codes == ["LK501"]


def test_checked_code_is_never_imported_or_run(tmp_path, monkeypatch):
    marker = tmp_path / "EXECUTED"
    side_effect = f"open({str(marker)!r}, 'w').write('ran')\n"
    write(tmp_path / "template.yaml", sqs_template())
    (tmp_path / "app.py").write_text(
        "import os\n" + side_effect + "os.system('touch ' + " + repr(str(marker)) + ")\n\n"
        "def handler(event, context):\n    " + side_effect + "    return None\n"
    )
    (tmp_path / "conftest.py").write_text(side_effect)
    (tmp_path / "setup.py").write_text(side_effect)
    (tmp_path / "evil.yaml").write_text(f"Resources: !!python/object/apply:os.system ['touch {marker}']\n")
    (tmp_path / "template2.yaml").write_text(
        f"AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  X: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    monkeypatch.chdir(tmp_path)
    run = invoke("check", ".")
    assert not marker.exists()
    assert ("template2.yaml", 3, "LK001") in run.pairs  # the unsafe tag is an error, not a call


def snapshot(root: Path) -> dict[str, float]:
    return {
        str(path.relative_to(root)): path.stat().st_mtime
        for path in root.rglob("*")
    }


def test_a_run_writes_nothing(tmp_path, monkeypatch):
    project = tmp_path / "project"
    write(project / "template.yaml", sqs_template())
    write(project / "app.py", SWALLOWING_HANDLER)
    write(project / "broken.py", "def (:\n")
    monkeypatch.chdir(project)
    before = snapshot(tmp_path)
    run = invoke("check", ".", "--output-format", "full")
    assert run.exit_code == 1
    after = snapshot(tmp_path)
    created = sorted(set(after) - set(before))
    assert [p for p in created if ".lintkit_cache" not in p] == []
    assert {k: v for k, v in after.items() if k in before} == before
