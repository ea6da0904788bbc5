"""Every safe fix, applied to a copy of the real-world corpus (../shared/corpus beside the
checkout; a fresh clone without it skips this): every changed file still parses, every changed
template gives cfn-lint no new error, and checking again shows only findings that had no safe
fix (a fix never makes a finding appear)."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

pytestmark = [
    pytest.mark.skipif(not CORPUS.is_dir(), reason="no ../shared/corpus beside the checkout"),
    pytest.mark.slow,
]


def _check(folder: Path, cache: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "lintkit", "check", ".", "--no-show-notes", *args],
        cwd=folder, capture_output=True, text=True, env={**os.environ, "LINTKIT_CACHE_DIR": str(cache)}, timeout=900,
    )


def _cfn_lint_errors(text: str) -> Counter:
    from cfnlint.api import lint

    return Counter((m.rule.id, m.message) for m in lint(text) if m.rule.id.startswith("E"))


def test_safe_fixes_on_the_corpus_round_trip(tmp_path):
    from lintkit.python.module import decode_source
    from lintkit.templates.loader import decode_template, load_text

    copy = tmp_path / "corpus"
    shutil.copytree(CORPUS, copy, ignore=shutil.ignore_patterns(".git"))
    cache = tmp_path / "cache"
    before = json.loads(_check(copy, cache, "--output-format", "json").stdout)
    fixable = [f for f in before if f["fix"] is not None and f["fix"]["applicability"] == "safe"]
    if not fixable:
        pytest.skip("no safe fix on the corpus")

    run = _check(copy, cache, "--fix", "--fix-only")
    assert run.returncode == 0, run.stderr

    changed = [p for p in copy.rglob("*") if p.is_file() and p.read_bytes() != (CORPUS / p.relative_to(copy)).read_bytes()]
    assert changed, "safe fixes were offered but no file changed"
    for path in changed:
        original = (CORPUS / path.relative_to(copy)).read_bytes()
        if path.suffix == ".py":
            ast.parse(decode_source(path.read_bytes()))
            continue
        text = decode_template(path.read_bytes())
        load_text(text, json_hint=path.suffix == ".json")
        new_errors = _cfn_lint_errors(text) - _cfn_lint_errors(decode_template(original))
        assert not new_errors, (path, new_errors)

    after = json.loads(_check(copy, cache, "--output-format", "json").stdout)
    unfixable = Counter((f["code"], f["path"]) for f in before if f not in fixable)
    remaining = Counter((f["code"], f["path"]) for f in after)
    assert remaining - unfixable == Counter(), "a fix left its finding or made a new one"
    assert not [f for f in after if f["fix"] is not None and f["fix"]["applicability"] == "safe"]
