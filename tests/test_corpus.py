"""Every real-world template of the shared corpus (../shared/corpus, beside the checkout, when it
is there) loads and goes through every rule without an internal error, and every finding has a
valid position. A fresh clone without the corpus skips this cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_engine

from lintkit.text import split_lines

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="no ../shared/corpus beside the checkout")


def assert_positions_valid(result) -> None:
    texts = {t.path: t.text for t in result.project.templates}
    texts.update({m.path: m.text for m in result.project.modules.values()})
    for finding in result.findings:
        assert finding.line >= 1 and finding.column >= 1, finding
        text = texts.get(finding.path)
        if text is not None:
            assert finding.line <= len(split_lines(text)), finding


def test_serverless_patterns_templates():
    result = run_engine([CORPUS / "serverless-patterns"])
    assert result.internal_errors == []
    assert len(result.project.templates) > 400
    assert_positions_valid(result)
    # the two templates that are not valid YAML are the only parse errors
    broken = sorted(Path(f.path).parent.name for f in result.findings if f.code == "LK001")
    assert broken == ["apigw-custom-domain-edge", "rds-sns-event-notification"]


def test_cdk_assemblies():
    assemblies = sorted(p for p in (CORPUS / "cdk-assemblies").iterdir() if (p / "manifest.json").is_file())
    assert len(assemblies) > 50
    for assembly in assemblies:
        result = run_engine([assembly])
        assert result.internal_errors == [], assembly
        assert [f for f in result.findings if f.code == "LK001"] == [], assembly
        assert_positions_valid(result)
        # every resource of a CDK stack has a construct path, so every template finding names one
        for finding in result.findings:
            if finding.path.endswith(".template.json"):
                assert finding.construct_path, finding
