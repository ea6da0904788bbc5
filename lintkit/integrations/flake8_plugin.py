"""The flake8 plugin: lintkit's findings in every editor and CI job that runs flake8.

Registered under the `flake8.extension` entry point group with the code prefix `LK`, so
`flake8 --select LK` (or `extend-select = LK` in flake8's config) shows them. For each Python
file flake8 checks, the plugin runs lintkit on the text flake8 read (an unsaved editor buffer
included) together with the file's context template (found by walking up from the file, as for
pre-commit: see `lintkit.integrations.context`), and yields the findings located in that file:
the code rules, and the joined rules that report on the handler (LK503, LK507, ...).

lintkit's own configuration (`[tool.lintkit]` in the nearest `pyproject.toml`, or `lintkit.toml`)
decides which rules run, their options and `exclude`; flake8's `--select`/`--ignore` and
`# noqa: LK504` comments then filter what flake8 shows, as for any plugin.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path
from typing import Iterator

from lintkit import __version__

STDIN_NAMES = frozenset({"stdin", "-"})


class LintkitChecker:
    """A flake8 tree plugin. flake8 passes the arguments by name: `tree` (unused: lintkit parses
    the text itself, with its own limits; asking for it makes this a once-per-file plugin), `filename` and `lines`."""

    name = "lintkit"
    version = __version__

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from lintkit.integrations.session import check_buffer

        name = self.filename
        if name in STDIN_NAMES:
            # flake8 reading stdin without --stdin-display-name: no place on disk to find the
            # template from, so the code rules alone run, as for a file without a template.
            name = os.path.join(os.getcwd(), "stdin.py")
        for finding in check_buffer(Path(name), "".join(self.lines)):
            # flake8 columns are 0-based (it prints them plus one); lintkit's are 1-based
            yield finding.line, max(finding.column - 1, 0), f"{finding.code} {finding.message}", type(self)
