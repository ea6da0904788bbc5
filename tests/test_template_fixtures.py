"""Fixture templates under fixtures/templates/: a `# expect: CODE[, CODE]` comment marks the line
a finding must be on (semgrep-style); JSON files keep theirs in `<name>.expect`. Good templates
must yield nothing, bad ones exactly what they mark.

A fixture is about one family of rules: `# fixture-select: LK5` (or a `select LK5` line in the
`.expect` file) limits the run to it, so a new family's findings do not change what it tests."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, run_engine

EXPECT = re.compile(r"#\s*expect:\s*(LK\d{3}(?:\s*,\s*LK\d{3})*)")
SELECT = re.compile(r"#\s*fixture-select:\s*([A-Z0-9, ]+)")
TEMPLATES = sorted(
    p for p in (FIXTURES / "templates").glob("*/*") if p.suffix in (".yaml", ".yml", ".json") and p.parent.name in ("good", "bad")
)


def selection(path: Path) -> list[str] | None:
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for line in sidecar.read_text().splitlines():
            if line.startswith("select "):
                return [code.strip() for code in line[len("select "):].split(",")]
        return None
    match = SELECT.search(path.read_text())
    return [code.strip() for code in match.group(1).split(",")] if match else None


def expected(path: Path) -> set[tuple[int, str]]:
    found: set[tuple[int, str]] = set()
    sidecar = path.with_name(path.name + ".expect")
    if sidecar.exists():
        for line in sidecar.read_text().splitlines():
            if line.strip() and not line.startswith(("#", "select ")):
                number, code = line.split()
                found.add((int(number), code))
        return found
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            found.update((number, code.strip()) for code in match.group(1).split(","))
    return found


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_template(path):
    from lintkit.config import expand_selectors
    from lintkit.rule import registry

    chosen = selection(path)
    codes = expand_selectors(chosen, registry().codes, origin=path.name) if chosen else None
    result = run_engine([path], select=codes)
    assert not result.internal_errors
    actual = {(f.line, f.code) for f in result.findings}
    want = expected(path)
    if path.parent.name == "good":
        assert want == set(), "good fixtures carry no expectations"
    else:
        assert want, "bad fixtures must mark what they expect"
    assert actual == want


def test_fixture_set_is_not_empty():
    assert any(p.parent.name == "good" for p in TEMPLATES)
    assert any(p.suffix == ".json" for p in TEMPLATES)
