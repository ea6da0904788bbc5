"""The dependency ranges are tested at both ends: `.ci/run` installs the newest releases, then
`constraints-min.txt` (the lowest version each range allows) in a second virtualenv. This
checks that the constraints file pins exactly the declared lower bounds."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=;~! ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_constraints_min_pins_every_declared_lower_bound() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {}
    for requirement in [*project["dependencies"], *project["optional-dependencies"]["test"]]:
        match = re.search(r">=\s*([\w.]+)", requirement)
        assert match is not None, f"{requirement!r} declares no lower bound"
        declared[_name(requirement)] = match.group(1)
    pinned = {}
    for line in (ROOT / "constraints-min.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pinned[name.strip().lower()] = version.strip()
    assert set(pinned) == set(declared)
    for name, version in declared.items():
        assert _release(pinned[name]) == _release(version), (name, version, pinned[name])  # "8.1" is "8.1.0"


def _release(version: str) -> list[int]:
    parts = [int(part) for part in version.split(".")]
    return parts + [0] * (3 - len(parts))


def test_ci_runs_the_suite_against_the_lowest_versions() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = 'pip install --quiet -c constraints-min.txt ".[test]"'
    assert install in script
    # in a virtualenv of its own, made after the first one, and the suite runs in it
    before, after = script.split(install)
    assert before.count("python3 -m venv") == 2
    assert "\npytest" in after
